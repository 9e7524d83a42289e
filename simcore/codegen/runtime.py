"""Small helpers that generated kernels call (imported by name in the module), written once as plain
Python and compiled for each target: numba njit functions under their own names here, and
``cuda.jit(device=True)`` versions from ``cuda_helpers()`` (which alone imports numba.cuda)."""

from __future__ import annotations

import functools
import math
import types

import numpy as np
from numba import njit

_OPTIONS = {"cache": True, "inline": "always", "error_model": "numpy"}


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


_exprel_given_exp_py, _exprel_reciprocal_given_exp_py = _exprel_for(float, 1e-2, "")
_exprel_given_exp_f32_py, _exprel_reciprocal_given_exp_f32_py = _exprel_for(np.float32, 0.1, "_f32")


def _clip_py(x, low, high):
    return min(max(x, low), high)


def _int_py(x):
    return int(x)


def _sign_py(x):
    return (x > 0) - (x < 0)


def _timestep_py(t, dt):
    """Brian 2's timestep(t, dt), the one definition simcore has (kernels, initial values, TimedArray): t/dt
    shifted up by 1e-3 (so that a multiple of dt is not rounded into the step before it) and truncated toward
    zero to an int64, as Brian 2 does: timestep(-0.5*dt, dt) is 0, timestep(-1.5*dt, dt) is -1. On a number
    in a kernel, or on a numpy array."""
    return np.int64((t + 1e-3 * dt) / dt)


def _timed_array_row_py(t, dt):
    """The row of a TimedArray (time step ``dt``) at time ``t``: t/dt truncated to an int64, where t that rounding
    left just below a multiple of dt (by 1e-12 relative) counts as that multiple. The tolerance is relative, not
    ``timestep``'s 1e-3*dt: with a dt far above the network's (1 s against 0.1 ms) that would move each change of
    value 10 network steps early; Brian 2 gets the same rows by upsampling. Clipped by the caller."""
    x = t / dt
    return np.int64(x + 1e-12 * (abs(x) + 1.0))


def _search_sorted_py(values, low, high, x, right):
    """The first position in ``values[low:high]`` (sorted) whose value is > x (``right``) or >= x, as
    ``np.searchsorted`` (which numba.cuda lacks)."""
    while low < high:
        middle = (low + high) // 2
        if values[middle] < x or (right and values[middle] == x):
            low = middle + 1
        else:
            high = middle
    return low


def _total_py(values):
    """The sum of an integer array (``.sum()`` is not available in numba.cuda)."""
    total = 0
    for k in range(values.shape[0]):
        total += values[k]
    return total


def _timed_array_1d_py(values, k):
    """values[k] for k = _timed_array_row(t, dt) (computed by the caller): the first value before the start and the
    last after the end (as Brian 2)."""
    return values[min(max(k, 0), values.shape[0] - 1)]


def _timed_array_2d_py(values, k, i):
    """values[k, i], k = _timed_array_row(t, dt) clipped as in 1-D; NaN for a column ``i`` out of range (as Brian 2)."""
    j = int(i)
    if j < 0 or j >= values.shape[1]:
        return math.nan
    return values[min(max(k, 0), values.shape[0] - 1), j]


_HELPERS = {name[:-3]: function for name, function in dict(globals()).items()
            if name.startswith("_") and name.endswith("_py") and callable(function)}
NAMES = tuple(sorted(_HELPERS))  #: the helpers' names in generated code


def runtime_import() -> str:
    """The line of a generated CPU module that imports the helpers."""
    return f"from simcore.codegen.runtime import {', '.join(NAMES)}"


def cuda_runtime_lines() -> list[str]:
    """The lines of a generated numba.cuda module that bind the helpers and random draws (``uniform_cuda``, ...)
    to the names the generated code calls."""
    return ["from simcore.codegen.runtime import cooperative_launch, cuda_helpers",
            "from simcore.random import cuda_device_functions", "", "_helpers = cuda_helpers()",
            *[f"{name} = _helpers.{name}" for name in NAMES], "_random = cuda_device_functions()",
            *[f"{kind}_cuda = _random.{kind}" for kind in ("uniform", "normal", "poisson", "binomial")]]


_exprel_given_exp = njit(**_OPTIONS)(_exprel_given_exp_py)
_exprel_given_exp_f32 = njit(**_OPTIONS)(_exprel_given_exp_f32_py)
_exprel_reciprocal_given_exp = njit(**_OPTIONS)(_exprel_reciprocal_given_exp_py)
_exprel_reciprocal_given_exp_f32 = njit(**_OPTIONS)(_exprel_reciprocal_given_exp_f32_py)
_clip = njit(**_OPTIONS)(_clip_py)
_int = njit(**_OPTIONS)(_int_py)
_sign = njit(**_OPTIONS)(_sign_py)
_timestep = njit(**_OPTIONS)(_timestep_py)
_search_sorted = njit(**_OPTIONS)(_search_sorted_py)
_total = njit(**_OPTIONS)(_total_py)
_timed_array_row = njit(**_OPTIONS)(_timed_array_row_py)
_timed_array_1d = njit(**_OPTIONS)(_timed_array_1d_py)
_timed_array_2d = njit(**_OPTIONS)(_timed_array_2d_py)


def cooperative_launch(kernel, arguments: tuple, threads: int, wanted: int):
    """``kernel`` (which synchronises its whole grid) specialised for ``arguments``, and how many blocks of
    ``threads`` to launch: ``wanted`` at most, and no more than the GPU runs at once (a cooperative launch
    needs every block resident)."""
    specialized = kernel.specialize(*arguments)
    try:
        key = tuple(specialized.typeof_pyval(a) for a in arguments)
        limit = specialized.overloads[key].max_cooperative_grid_blocks(threads)
    except AttributeError:  # numba's CUDA simulator: one block per cooperative grid
        limit = 1
    return specialized, max(1, min(wanted, limit))


@functools.cache
def cuda_helpers() -> types.SimpleNamespace:
    """The same helpers as ``cuda.jit(device=True)`` functions, by the names generated code uses."""
    from numba import cuda

    return types.SimpleNamespace(**{name: cuda.jit(device=True)(function) for name, function in _HELPERS.items()})
