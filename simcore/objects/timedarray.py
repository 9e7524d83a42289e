"""TimedArray: values over time (and over elements) that model strings call like a function."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from simcore.equations.user_functions import kernel_parameters
from simcore.errors import ModelNotImplementedError, ModelTypeError, ModelValueError
from simcore.kernels.scalar import timed_array_row
from simcore.objects.base import SECOND, as_seconds
from simcore.objects.variable_views import si_values, with_unit
from simcore.units import get_dimensions, second, to_si
from simcore.units.dimension import DIMENSIONLESS, Dimension
from simcore.units.errors import DimensionMismatchError


class TimedArray:
    """``stim = TimedArray([1, 2, 3]*nA, dt=1*ms)``, then ``I = stim(t) : amp`` in a model; with a 2-D
    array ``values[time_index, element]``, ``stim(t, i)``.

    As in Brian 2, the value at time t is ``values[k]`` with k = t/dt rounded down (a t that rounding
    left just below a multiple of dt counts as that multiple, whatever the network's dt): the first
    value before the start, the last one after the end, NaN for a 2-D column out of range. The name is looked up when
    the network runs, like a constant; its values are passed to the compiled kernels, so changing
    them (``stim.values = ...``, or a new TimedArray under the same name) between runs needs no
    new compilation. Integration methods treat it as constant over a time step.
    """

    def __init__(self, values, dt, name: str | None = None):
        self.dimension = get_dimensions(values)
        self._values = self._checked(values, None)
        self.dt_ = as_seconds(dt, "the dt of a TimedArray")
        if self.dt_ <= 0:
            raise ModelValueError(f"the dt of a TimedArray must be positive, not {dt!s}")
        self.name = name or "timedarray"

    def _checked(self, values, ndim: int | None) -> np.ndarray:
        array = np.array(to_si(values)[0], dtype=np.float64, order="C")  # a copy, owned by this object
        if array.ndim not in (1, 2):
            raise ModelNotImplementedError(f"a TimedArray needs a 1-D (time) or 2-D (time, element) array, not one "
                                           f"of shape {array.shape}")
        if 0 in array.shape:
            raise ModelValueError(f"a TimedArray needs a non-empty array of values, not one of shape {array.shape}")
        if ndim is not None and array.ndim != ndim:
            raise ModelValueError(f"TimedArray '{self.name}' is {ndim}-D: its new values must be too, not "
                                  f"{array.ndim}-D")
        return array

    @property
    def values(self) -> np.ndarray:
        """The values in SI units (as Brian 2's ``TimedArray.values``)."""
        return self._values

    @values.setter
    def values(self, values) -> None:
        si_values(values, self.dimension, f"the values of TimedArray '{self.name}'")
        self._values = self._checked(values, self._values.ndim)

    @property
    def dt(self) -> float:
        """The time step of the values, in seconds, as a plain float (as Brian 2's ``TimedArray.dt``);
        ``dt_`` is the same number."""
        return self.dt_

    @property
    def arity(self) -> int:
        """Arguments a model string passes: ``(t)`` for 1-D values, ``(t, i)`` for 2-D."""
        return self._values.ndim

    # --- as a function of model strings (see simcore.equations.user_functions) -----------
    def result_dimension(self, name: str, arguments: list[Dimension]) -> Dimension:
        if arguments[0] != SECOND:
            raise DimensionMismatchError(f"the first argument of the TimedArray '{name}' must be a time (second), "
                                         f"but has units of {arguments[0]}", arguments[0], SECOND)
        if len(arguments) == 2 and arguments[1] != DIMENSIONLESS:
            raise DimensionMismatchError(f"the second argument of the TimedArray '{name}' (the element index) must "
                                         f"be dimensionless, but has units of {arguments[1]}", arguments[1],
                                         DIMENSIONLESS)
        return self.dimension

    def kernel_values(self, name: str) -> dict[str, Any]:
        values, dt = kernel_parameters(name)
        return {values: self._values, dt: self.dt_}

    def numpy_function(self) -> Callable:
        return self._lookup

    def _lookup(self, t, i=None) -> np.ndarray:
        """The values at times ``t`` (and columns ``i``), in SI units, with numpy."""
        last = self._values.shape[0] - 1
        times = np.clip(np.nan_to_num(np.asarray(t, dtype=float)), 0.0, (last + 1) * self.dt_)  # no int overflow
        rows = np.minimum(timed_array_row(times, self.dt_), last)
        if i is None:
            return self._values[rows]
        columns = np.trunc(np.asarray(i, dtype=float)).astype(np.int64)
        valid = (columns >= 0) & (columns < self._values.shape[1])
        return np.where(valid, self._values[rows, np.where(valid, columns, 0)], np.nan)

    def __call__(self, t, i=None):
        """The value at time ``t`` (a time), for element ``i`` of a 2-D array: ``stim(5*ms)``."""
        if (i is None) != (self._values.ndim == 1):
            raise ModelTypeError(f"TimedArray '{self.name}' is {self._values.ndim}-D: call it as "
                                 f"{'stim(t)' if self._values.ndim == 1 else 'stim(t, i)'}")
        if get_dimensions(t) != SECOND:
            raise DimensionMismatchError(f"TimedArray '{self.name}' takes a time, not {t!s}", get_dimensions(t),
                                         SECOND)
        return with_unit(self._lookup(to_si(t)[0], i), self.dimension)

    def __repr__(self) -> str:
        return f"TimedArray(name={self.name!r}, shape={self._values.shape}, dt={self.dt_ * second!s})"
