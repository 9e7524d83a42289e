"""The small functions generated kernels call, written once as plain Python on numbers (numpy integer and float
scalars): ``simcore.codegen.runtime`` compiles them with numba njit and numba.cuda under the names of ``HELPERS``;
``timestep`` and ``timed_array_row`` also run as they are on numpy arrays (initial values, TimedArray lookups from
Python), so that both sides compute one definition."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np


def _libm_math(real, small: float, suffix: str) -> dict[str, Callable]:
    """The transcendental functions generated code calls (``_exp``, ``_log``, ``_expm1``, ``_tanh``, ``_exprel``,
    ``_exprel_reciprocal``, each with ``suffix``) through ``math`` (the C library's), with constants of type
    ``real`` (float, or np.float32 in float32 code): for numba.cuda, and for the CPU where
    ``prefs.codegen.vector_math`` is off (``simcore.kernels.fastmath`` has the branch-free versions that vectorise).
    exprel(x) = (exp(x) - 1)/x from exp(x), which LLVM computes once where the update also needs it (exponential
    Euler, exact updates); expm1 would avoid the cancellation near 0 but is 2.6x slower than exp in numba
    (measured): below ``small`` Taylor series (truncation error under the type's epsilon) replace it, above it the
    relative error is about epsilon/|x| (2e-14 at |x| = 0.01 in float64)."""

    def exp(x):
        return math.exp(x)

    def log(x):
        return math.log(x)

    def expm1(x):
        return math.expm1(x)

    def tanh(x):
        return math.tanh(x)

    def exprel(x):
        if abs(x) < real(small):
            return real(1.0) + x * (real(0.5) + x * (real(1.0 / 6.0) + x * (real(1.0 / 24.0) + x * (
                real(1.0 / 120.0) + x / real(720.0)))))
        return (math.exp(x) - real(1.0)) / x

    def exprel_reciprocal(x):
        """x/(exp(x) - 1), the form of Hodgkin-Huxley rate functions: one division, not two."""
        if abs(x) < real(small):
            return real(1.0) + x * (real(-0.5) + x * (real(1.0 / 12.0) - x * x / real(720.0)))
        return x / (math.exp(x) - real(1.0))

    functions = {}
    for function in (exp, log, expm1, tanh, exprel, exprel_reciprocal):
        name = f"_{function.__name__}{suffix}"
        function.__qualname__ = function.__name__ = f"_libm{name}"  # numba names its cache files by them
        functions[name] = function
    return functions


#: name in generated code -> its definition through ``math``
LIBM_MATH: dict[str, Callable] = {**_libm_math(float, 1e-2, ""), **_libm_math(np.float32, 0.1, "_f32")}


def clip(x, low, high):
    return min(max(x, low), high)


def to_int(x):
    return int(x)


def sign(x):
    return (x > 0) - (x < 0)


def timestep(t, dt):
    """Brian 2's timestep(t, dt), the one definition simcore has (kernels, initial values, TimedArray): t/dt
    shifted up by 1e-3 (so that a multiple of dt is not rounded into the step before it) and truncated toward
    zero to an int64, as Brian 2 does: timestep(-0.5*dt, dt) is 0, timestep(-1.5*dt, dt) is -1. On a number
    in a kernel, or on a numpy array."""
    return np.int64((t + 1e-3 * dt) / dt)


def timed_array_row(t, dt):
    """The row of a TimedArray (time step ``dt``) at time ``t``: t/dt truncated to an int64, where t that rounding
    left just below a multiple of dt (by 1e-12 relative) counts as that multiple. The tolerance is relative, not
    ``timestep``'s 1e-3*dt: with a dt far above the network's (1 s against 0.1 ms) that would move each change of
    value 10 network steps early; Brian 2 gets the same rows by upsampling. Clipped by the caller."""
    x = t / dt
    return np.int64(x + 1e-12 * (abs(x) + 1.0))


def search_sorted(values, low, high, x, right):
    """The first position in ``values[low:high]`` (sorted) whose value is > x (``right``) or >= x, as
    ``np.searchsorted`` (which numba.cuda lacks)."""
    while low < high:
        middle = (low + high) // 2
        if values[middle] < x or (right and values[middle] == x):
            low = middle + 1
        else:
            high = middle
    return low


def total(values):
    """The sum of an integer array (``.sum()`` is not available in numba.cuda)."""
    total = 0
    for k in range(values.shape[0]):
        total += values[k]
    return total


def timed_array_1d(values, k):
    """values[k] for k = _timed_array_row(t, dt) (computed by the caller): the first value before the start and the
    last after the end (as Brian 2)."""
    return values[min(max(k, 0), values.shape[0] - 1)]


def timed_array_2d(values, k, i):
    """values[k, i], k = _timed_array_row(t, dt) clipped as in 1-D; NaN for a column ``i`` out of range (as Brian 2)."""
    j = int(i)
    if j < 0 or j >= values.shape[1]:
        return math.nan
    return values[min(max(k, 0), values.shape[0] - 1), j]


#: name in generated code -> its plain-Python definition
HELPERS: dict[str, Callable] = {
    **LIBM_MATH,
    "_clip": clip,
    "_int": to_int,
    "_sign": sign,
    "_timestep": timestep,
    "_search_sorted": search_sorted,
    "_total": total,
    "_timed_array_row": timed_array_row,
    "_timed_array_1d": timed_array_1d,
    "_timed_array_2d": timed_array_2d,
}
