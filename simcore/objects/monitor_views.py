"""What users read from monitors besides their own attributes: ``mon.variables[name]``, records that take a
condition as index (``mon.t['i == 1']``), a StateMonitor's ``mon[k]``, and rates smoothed from records."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from simcore.errors import ModelNotImplementedError, ModelTypeError, ModelValueError
from simcore.objects.base import as_seconds
from simcore.units import Quantity, second
from simcore.units.dimension import Dimension

if TYPE_CHECKING:
    from simcore.objects.monitor_base import Monitor
    from simcore.objects.state_monitor import StateMonitor


class RecordedVariable:
    """``mon.variables[name]``: one kind of record of a monitor (Brian 2's Variable of a monitor)."""

    def __init__(self, monitor: Monitor, name: str):
        self.monitor = monitor
        self.name = name

    @property
    def dim(self) -> Dimension:
        return self.monitor._dimension(self.name)

    dimensions = dim

    def get_value(self) -> np.ndarray:
        """The records in SI units; a StateMonitor's variables have one row per time point."""
        return self.monitor._raw(self.name)

    @property
    def dtype(self) -> np.dtype:
        return self.get_value().dtype

    @property
    def size(self) -> int | tuple[int, ...]:
        """The number of records, or for a StateMonitor's variable (time points, elements)."""
        shape = self.get_value().shape
        return shape[0] if len(shape) == 1 else shape

    def __repr__(self) -> str:
        return f"<RecordedVariable {self.name!r} of {self.monitor.name}: {self.size} records>"


class RecordArray(np.ndarray):
    """A monitor's records as an array (``mon.i``, and the values inside ``mon.t``) that also takes a condition
    on the monitor's records as index, as Brian 2's monitors do: ``mon.t['i == 1']``. What indexing and
    arithmetic give are plain arrays."""

    def __getitem__(self, key):
        monitor = self.__dict__.get("_monitor")
        if isinstance(key, str) and monitor is not None:
            key = monitor._condition(key)
        return np.asarray(self)[key]

    def __array_wrap__(self, array, context=None, return_scalar=False):
        return array[()] if return_scalar else np.asarray(array)

    def __repr__(self) -> str:
        return repr(np.asarray(self))


class RecordedElements:
    """``mon[k]``: the traces of one recorded element (or of several, ``mon[[k1, k2]]``); ``t`` is the
    monitor's times."""

    def __init__(self, monitor: StateMonitor, position: int | np.ndarray):
        self.monitor = monitor
        self.position = position

    def __getattr__(self, name: str):
        if name in ("t", "t_"):
            return getattr(self.monitor, name)
        if name in self.monitor.record_variables or name.endswith("_") and name[:-1] in self.monitor.record_variables:
            return getattr(self.monitor, name)[self.position]
        raise AttributeError(f"StateMonitor '{self.monitor.name}' does not record '{name}'")

    def __repr__(self) -> str:
        return f"<recorded element(s) at {self.position!r} of StateMonitor '{self.monitor.name}'>"


class Rates:
    """Rates from a monitor's records, mixed into the monitors that have them: ``binned_rate`` (each class's)
    and ``smooth_rate`` built on it."""

    def _bin_steps(self, bin_size) -> int:
        """``bin_size`` in time steps of the monitor's clock; it must be a whole multiple of dt."""
        steps = as_seconds(bin_size, "bin_size") / self.dt_
        if round(steps) < 1 or abs(steps - round(steps)) > 1e-6 * steps:
            raise ModelValueError(f"bin_size {bin_size!s} must be a whole multiple of dt = {self.dt_ * 1e3:g} ms")
        return int(round(steps))

    def smooth_rate(self, window="gaussian", width=None):
        """The rate (per time step) convolved with a window normalised to a sum of 1: 'gaussian' (``width``: the
        standard deviation; the window spans +-2 widths, rounded to whole steps), 'flat' (``width`` rounded to an
        odd number of steps, so that the rate is not shifted in time), or an array of an odd number of values
        (then no ``width``). A PopulationRateMonitor gives one rate per step; an EventMonitor one per element
        and step (elements along the first axis)."""
        if isinstance(window, str):
            if width is None:
                raise ModelTypeError(f"smooth_rate(window={window!r}) needs width=, e.g. width=1*ms")
            steps = as_seconds(width, "width") / self.dt_
            if window == "gaussian":
                half = int(np.round(2 * steps))
                kernel = np.exp(-np.arange(-half, half + 1) ** 2 / (2 * steps ** 2))
            elif window == "flat":
                kernel = np.ones(int(np.round(steps / 2)) * 2 + 1)
            else:
                raise ModelNotImplementedError(f"smooth_rate: unknown window {window!r}; use 'gaussian', 'flat' "
                                               "or an array of values")
        else:
            if width is not None:
                raise ModelTypeError("smooth_rate: width= goes with a named window ('gaussian' or 'flat'); an "
                                     "array of values is the window itself")
            kernel = np.asarray(window)
            if kernel.ndim != 1 or not np.issubdtype(kernel.dtype, np.number):
                raise ModelTypeError(f"smooth_rate: a window must be a one-dimensional array of numbers, not "
                                     f"{window!r}"[:200])
            if len(kernel) % 2 != 1:
                raise ModelTypeError(f"smooth_rate: a window needs an odd number of values (to be centred), this "
                                     f"one has {len(kernel)}")
        kernel = kernel / kernel.sum()
        rates = np.asarray(self.binned_rate(Quantity(self.dt_, second))[1] / (1 / second))
        if rates.ndim == 1:
            smoothed = np.convolve(rates, kernel, mode="same")
        else:
            smoothed = np.array([np.convolve(row, kernel, mode="same") for row in rates]).reshape(rates.shape)
        return Quantity(smoothed, 1 / second)
