"""Monitors: SpikeMonitor, EventMonitor, StateMonitor, PopulationRateMonitor. Recording happens inside the
compiled loop into preallocated buffers; a full buffer ends the chunk, grows, and the run goes on. A monitor given
a file (``file=`` or the network's ``output=``) streams its records into it at the end of every chunk instead of
keeping them. The classes here record what was asked and give the records as Brian 2 does; the buffers are their
runtime state (``simcore/runtime/monitor_buffers.py``), their operations come from ``monitor_lowering.py``."""

from __future__ import annotations

from typing import Any

import numpy as np

from simcore.errors import ModelKeyError, ModelTypeError, ModelValueError
from simcore.ir import Operation
from simcore.objects.base import SECOND
from simcore.objects.group import Group
from simcore.objects.monitor_base import Monitor
from simcore.objects.monitor_lowering import event_monitor_operations, rate_monitor_operations
from simcore.objects.monitor_views import Rates, RecordArray, RecordedElements, RecordedVariable
from simcore.objects.state_monitor import StateMonitor
from simcore.objects.variable_views import with_unit
from simcore.output.hdf5 import Output
from simcore.runtime.monitor_buffers import check_event_records, share_writers
from simcore.units import Quantity, second, unit_name
from simcore.units.dimension import Dimension

__all__ = ["EventMonitor", "Monitor", "PopulationRateMonitor", "RecordArray", "RecordedElements",
           "RecordedVariable", "SpikeMonitor", "StateMonitor", "share_writers"]


class EventMonitor(Rates, Monitor):
    """Times and indices of an event of a group (``t``, ``i``, ``count``), and variables at those times."""

    base_name = "eventmonitor"
    default_when = "thresholds"
    _OWN_RECORDS = ("t", "i")
    _TOTALS = {"count": "_count"}
    _PER_ELEMENT = ("count",)

    def __init__(self, source: Group, event: str, variables=None, record: bool = True, when: str | None = None,
                 order: int | None = None, name: str | None = None, file: str | Output | None = None):
        kind = type(self).__name__
        events = getattr(source.root, "events", None)
        if not isinstance(events, dict):
            raise ModelTypeError(f"a {kind} records a group's events; {getattr(source, 'name', source)!r} "
                                 f"({type(source).__name__}) has none")
        if event not in events:
            if event == "spike":
                raise ModelValueError(f"{source.where()} has no threshold, so a {kind} on it would record "
                                      "nothing")
            raise ModelValueError(f"{source.where()} has no event '{event}'; its events are {sorted(events)}")
        if when is None and order is not None:
            raise ModelValueError(f"{kind}(order={order}) without when=: give the slot too (as in Brian 2), e.g. "
                                  f"when='thresholds', order={order}")
        self.event = event
        names = [variables] if isinstance(variables, str) else list(variables or ())
        for variable in names:
            if variable not in source.variables:
                raise ModelValueError(f"{kind}: {source.where()} has no stored variable '{variable}' to record at "
                                      "its events")
            if variable in ("i", "t", "count", "N"):
                raise ModelValueError(f"{kind} on {source.where()}: variables={variable!r} is the monitor's own "
                                      f"'{variable}' (recorded anyway); record the group's other variables")
        # by default just after the event is detected (Brian 2: one order after its thresholder)
        order = 1 if when is None else 0 if order is None else order
        super().__init__(source, file=file, name=name, when=when, order=order, clock=source.clock)
        self.record = bool(record)
        self.record_variables = names
        capacity = max(1024, 2 * source.N)
        self._buffers.allocate("i", capacity, np.int32)
        self._buffers.allocate("t", capacity, np.float64)  # in seconds: right whatever dt each run had
        for variable in names:
            self._buffers.allocate(variable, capacity, source.variables[variable].array.dtype)
        self._buffers.allocate("_n", 1, np.int64)
        self._buffers.allocate("_count", source.N, np.int64)

    def operations(self, resolve) -> list[Operation]:
        return event_monitor_operations(self)

    def _unit(self, name: str) -> str:
        if name in self.record_variables:
            return unit_name(self.source.variables[name].dimension)
        return "1" if name == "i" else super()._unit(name)

    def _dimension(self, name: str) -> Dimension:
        if name in self.record_variables:
            return self.source.variables[name].dimension
        return super()._dimension(name)

    def _visible(self) -> list[str]:
        return ["count", *(["i", "t"] if self.record else []), *self.record_variables]

    def _raw(self, name: str) -> np.ndarray:
        if name == "count":
            return self.count
        return super()._raw(name)

    def _file_attributes(self) -> dict:
        return {**super()._file_attributes(), "event": self.event}

    def check_state(self, state: Any) -> None:
        """Refuse a stored state as every monitor does, and stored indices or counts not of this source."""
        self._buffers.check_state(state, check_event_records(self.source.N, self.source.name, self.record))

    def _check_recorded(self) -> None:
        if not self.record:
            raise AttributeError(f"{self.where()} was made with record=False: it keeps no times and indices of its "
                                 "events (only their counts); make it with record=True")

    def _per_record(self) -> list[str]:
        return [name for name in self._visible() if name not in self._PER_ELEMENT]

    def to_pandas(self) -> Any:
        """As every monitor's (columns ``i``, ``t`` and the recorded variables); refused with record=False, which
        keeps counts only."""
        self._check_recorded()
        return super().to_pandas()

    def _records_text(self) -> str:
        if not self.record:
            return f"{self.num_events} '{self.event}' events counted (record=False: no times kept)"
        return f"{self.N} '{self.event}' events"

    @property
    def t_(self) -> np.ndarray:
        self._check_recorded()
        return self._indexable(super().t_)

    @property
    def i(self) -> np.ndarray:
        self._check_recorded()
        return self._indexable(self._recorded("i"))

    @property
    def i_(self) -> np.ndarray:  # indices have no unit: the raw values are the same (Brian 2 has both names)
        return self.i

    @property
    def it(self):
        return self.i, self.t

    @property
    def it_(self):
        return self.i, self.t_

    def __getattr__(self, name: str):
        if name in self.__dict__.get("record_variables", ()):
            return with_unit(self._indexable(self._recorded(name)), self.source.variables[name].dimension)
        if name.endswith("_") and name[:-1] in self.__dict__.get("record_variables", ()):
            return self._indexable(self._recorded(name[:-1]))
        if name in ("t", "t_", "i", "i_", "it", "it_"):  # a property found no records (record=False): say so
            self._check_recorded()
        raise AttributeError(f"{type(self).__name__} '{self.__dict__.get('name')}' has no attribute '{name}'")

    @property
    def count(self) -> np.ndarray:
        return self.buffers["_count"].copy()

    count_ = count

    @property
    def num_events(self) -> int:
        return int(self.buffers["_count"].sum())

    num_spikes = num_events

    def values(self, var: str) -> dict[int, Any]:
        """For each element of the source, the values of recorded variable ``var`` (or ``'t'``) at its events,
        in time order."""
        if var != "t" and var not in self.record_variables:
            raise ModelKeyError(f"{self.where()} records no {var!r} at its events; it records "
                                f"{['t', *self.record_variables]}")
        order = np.argsort(self.i, kind="stable")
        values, dimension = self._raw(var)[order], self._dimension(var)
        bounds = np.searchsorted(self.i[order], np.arange(self.source.N + 1))
        return {k: with_unit(values[bounds[k]:bounds[k + 1]], dimension) for k in range(self.source.N)}

    def all_values(self) -> dict[str, dict[int, Any]]:
        """``values`` of ``'t'`` and of every recorded variable, by name."""
        return {var: self.values(var) for var in ["t", *self.record_variables]}

    def event_trains(self) -> dict[int, Quantity]:
        """The event times of each element of the source (an empty array for one without events)."""
        return self.values("t")

    spike_trains = event_trains

    def binned_rate(self, bin_size) -> tuple:
        """``(bins, rates)``: the start of each bin of ``bin_size`` (a whole multiple of dt) from time 0 to the
        last whole bin of the time simulated so far, and each element's rate in each bin (elements along the
        first axis), in Hz."""
        steps = self._bin_steps(bin_size)
        bins = int(round(self.network_time / self.dt_)) // steps
        counts = np.zeros((self.source.N, bins))
        if self.record:
            which = np.rint(self._recorded("t") / self.dt_).astype(np.int64) // steps
            kept = which < bins
            np.add.at(counts, (self.i[kept], which[kept]), 1)
        return (Quantity(np.arange(bins) * steps * self.dt_, second),
                Quantity(counts / (steps * self.dt_), 1 / second))

    def __repr__(self) -> str:
        return f"<{type(self).__name__} '{self.name}', recording event '{self.event}' of '{self.source.name}'>"


class SpikeMonitor(EventMonitor):
    """Spike times and indices of a group (``t``, ``i``, ``count``, ``spike_trains()``).

    >>> from simcore import *
    >>> start_scope()
    >>> inputs = SpikeGeneratorGroup(3, [0, 2, 0], [1, 2, 4]*ms)
    >>> spikes = SpikeMonitor(inputs)
    >>> run(5*ms)
    >>> spikes.i[:], spikes.t[:]
    (array([0, 2, 0], dtype=int32), array([0.001, 0.002, 0.004]) * second)
    >>> spikes.count[:]
    array([2, 0, 1])
    >>> spikes.spike_trains()[0]
    array([0.001, 0.004]) * second
    """

    base_name = "spikemonitor"

    def __init__(self, source: Group, variables=None, record: bool = True, when: str | None = None,
                 order: int | None = None, name: str | None = None, file: str | Output | None = None):
        super().__init__(source, "spike", variables, record, when, order, name, file)



class PopulationRateMonitor(Rates, Monitor):
    """The instantaneous population rate (spikes per neuron per time step, in Hz)."""

    base_name = "ratemonitor"
    default_when = "thresholds"
    _OWN_RECORDS = ("t", "rate")

    def __init__(self, source: Group, when: str | None = None, order: int = 1, name: str | None = None,
                 file: str | Output | None = None):
        events = getattr(source.root, "events", None)
        if not isinstance(events, dict):
            raise ModelTypeError(f"a PopulationRateMonitor records a group's spikes; "
                                 f"{getattr(source, 'name', source)!r} ({type(source).__name__}) has none")
        if "spike" not in events:
            raise ModelValueError(f"{source.where()} has no threshold: a PopulationRateMonitor needs spikes")
        super().__init__(source, file=file, name=name, when=when, order=order, clock=source.clock)
        self._buffers.allocate("rate", 1024, np.float64)
        self._buffers.allocate("t", 1024, np.float64)
        self._buffers.allocate("_n", 1, np.int64)

    def operations(self, resolve) -> list[Operation]:
        return rate_monitor_operations(self)

    def _unit(self, name: str) -> str:
        return "Hz" if name == "rate" else super()._unit(name)

    def _dimension(self, name: str) -> Dimension:
        return SECOND**-1 if name == "rate" else super()._dimension(name)

    def _visible(self) -> list[str]:
        return ["t", "rate"]

    def _records_text(self) -> str:
        return f"{self.N} time points"

    _per_record = _visible

    @property
    def t_(self) -> np.ndarray:
        return self._indexable(super().t_)

    @property
    def rate_(self) -> np.ndarray:
        return self._indexable(self._recorded("rate"))

    @property
    def rate(self):
        return with_unit(self.rate_, SECOND**-1)

    def binned_rate(self, bin_size) -> tuple:
        """``(bins, rates)``: the start of each bin of ``bin_size`` (a whole multiple of dt), counted from the
        first record, and the mean rate in each, in Hz; an incomplete last bin is left out."""
        steps = self._bin_steps(bin_size)
        rates, times = self.rate_, self.t_
        bins = len(rates) // steps
        binned = rates[: bins * steps].reshape(bins, steps).mean(axis=1)
        return Quantity(times[: bins * steps: steps], second), Quantity(binned, 1 / second)

    binned = binned_rate  # simcore's earlier name

    def __repr__(self) -> str:
        return f"<PopulationRateMonitor '{self.name}', recording '{self.source.name}'>"
