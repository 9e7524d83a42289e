"""The small functions generated kernels call, written once as plain Python on numbers (numpy integer and float
scalars): ``simcore.codegen.runtime`` compiles them with numba njit and numba.cuda under the names of ``HELPERS``;
``timestep`` and ``timed_array_row`` also run as they are on numpy arrays (initial values, TimedArray lookups from
Python), so that both sides compute one definition."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np


def _exprel_for(real, small: float, suffix: str):
    """exprel(x) = (exp(x) - 1)/x and its reciprocal, given exp(x) (computed anyway beside it in exponential
    Euler and exact updates, or by the caller: LLVM computes one exp for both), with constants of type
    ``real`` (float, or np.float32 in float32 code). expm1 would be exact near 0 but is 2.6x slower than exp in
    numba (measured); below ``small`` Taylor series replace the cancelling difference (their error is below
    the type's epsilon)."""

    def exprel_given_exp(x, exp_x):
        if abs(x) < real(small):
            return real(1.0) + x * (real(0.5) + x * (real(1.0 / 6.0) + x * (real(1.0 / 24.0) + x / real(120.0))))
        return (exp_x - real(1.0)) / x

    def exprel_reciprocal_given_exp(x, exp_x):
        """x/(exp(x) - 1), the form of Hodgkin-Huxley rate functions: one division, not two."""
        if abs(x) < real(small):
            return real(1.0) + x * (real(-0.5) + x * (real(1.0 / 12.0) - x * x / real(720.0)))
        return x / (exp_x - real(1.0))

    for function in (exprel_given_exp, exprel_reciprocal_given_exp):  # numba names its cache files by them
        function.__qualname__ = function.__name__ = f"_{function.__name__}{suffix}"
    return exprel_given_exp, exprel_reciprocal_given_exp


exprel_given_exp, exprel_reciprocal_given_exp = _exprel_for(float, 1e-2, "")
exprel_given_exp_f32, exprel_reciprocal_given_exp_f32 = _exprel_for(np.float32, 0.1, "_f32")


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
    "_exprel_given_exp": exprel_given_exp,
    "_exprel_given_exp_f32": exprel_given_exp_f32,
    "_exprel_reciprocal_given_exp": exprel_reciprocal_given_exp,
    "_exprel_reciprocal_given_exp_f32": exprel_reciprocal_given_exp_f32,
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
