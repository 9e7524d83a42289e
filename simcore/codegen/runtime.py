"""Small jitted helpers that generated kernels call (imported by name in the module)."""

from __future__ import annotations

import math

from numba import njit

_OPTIONS = {"cache": True, "inline": "always", "error_model": "numpy"}


@njit(**_OPTIONS)
def _exprel(x):
    if abs(x) < 1e-8:
        return 1.0 + x / 2.0
    return math.expm1(x) / x


@njit(**_OPTIONS)
def _exprel_given_exp(x, exp_x):
    """exprel(x) when exp(x) is computed anyway: one transcendental call instead of two."""
    if abs(x) < 1e-2:
        return 1.0 + x * (0.5 + x * (1.0 / 6.0 + x * (1.0 / 24.0 + x / 120.0)))
    return (exp_x - 1.0) / x


@njit(**_OPTIONS)
def _clip(x, low, high):
    return min(max(x, low), high)


@njit(**_OPTIONS)
def _int(x):
    return int(x)


@njit(**_OPTIONS)
def _sign(x):
    return (x > 0) - (x < 0)


@njit(**_OPTIONS)
def _timestep(t, dt):
    return int((t + 1e-3 * dt) / dt)


@njit(**_OPTIONS)
def _timed_array_1d(values, dt, t):
    """values[timestep(t, dt)], the first value before the start and the last after the end (as Brian 2)."""
    k = _timestep(t, dt)
    return values[min(max(k, 0), values.shape[0] - 1)]


@njit(**_OPTIONS)
def _timed_array_2d(values, dt, t, i):
    """values[timestep(t, dt), i], time clipped as in 1-D; NaN for a column ``i`` out of range (as Brian 2)."""
    k = _timestep(t, dt)
    j = int(i)
    if j < 0 or j >= values.shape[1]:
        return math.nan
    return values[min(max(k, 0), values.shape[0] - 1), j]
