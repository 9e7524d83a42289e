"""Monitors: SpikeMonitor, StateMonitor, PopulationRateMonitor. Recording happens
inside the compiled loop into preallocated buffers; a full buffer ends the chunk,
grows, and the run goes on. A monitor given a file (``file=`` or the network's ``output=``)
streams its records into it at the end of every chunk instead of keeping them."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

import numpy as np

from simcore.equations import parse_expression
from simcore.equations.kinds import kind_of_value
from simcore.equations.parser import check_condition, symbol
from simcore.errors import (
    ModelError,
    ModelIndexError,
    ModelKeyError,
    ModelNotImplementedError,
    ModelTypeError,
    ModelValueError,
)
from simcore.ir import (
    ArrayRef,
    Assignment,
    Operation,
    RateMonitorDetails,
    SpikeMonitorDetails,
    StateMonitorDetails,
    array_arg,
    function_name,
    internal_arg,
)
from simcore.namespace import caller_namespace
from simcore.objects.base import CLOCK_NAMES, SECOND, EventClock, SimObject, as_seconds
from simcore.objects.group import Group, evaluate_checked, namespace_values
from simcore.objects.memory import check_fits
from simcore.objects.synapses import PathwayView, SynapticSubgroup
from simcore.objects.variables import with_unit
from simcore.output.hdf5 import Output, Writer, as_output, file_key, open_simcore_file
from simcore.output.snapshot import in_range, same_values, stored_array, stored_integer, stored_keys
from simcore.units import Quantity, second, unit_name
from simcore.units.dimension import DIMENSIONLESS, Dimension


def share_writers(monitors: list) -> None:
    """Monitors that write to one file write through one writer (each restored monitor made its own)."""
    shared: dict[str, Writer] = {}
    for monitor in monitors:
        if monitor.writer is None:
            continue
        writer = shared.setdefault(file_key(monitor.writer.output.path), monitor.writer)
        if writer is not monitor.writer:
            writer.truncate.update(monitor.writer.truncate)
            if monitor.own_writer is monitor.writer:
                monitor.own_writer = writer
            monitor.writer = writer


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


def _source_range(source: Group) -> tuple[Group, int, int]:
    return source.root, source.offset, source.offset + source.N


class Monitor(SimObject):
    """Base: owns named buffers and a record counter ``n``. The compiled loop writes records
    into the buffers; when they are full, ``grow`` moves the records out into finished parts
    (exact size) and the loop starts over at the front, so memory stays the records themselves
    plus one buffer, and nothing is copied twice while the run goes on."""

    # buffers that are not per-record: the counter, per-element counts, recorded indices (their keys start
    # with '_', so that no recorded variable, whatever its name, shares a buffer with them)
    _FIXED = ("_n", "_count", "_indices")
    # the monitor's own records; any other buffer holds a recorded variable
    _OWN_RECORDS: tuple[str, ...] = ("t",)
    # a full buffer doubles until it holds this many records, then stays that size
    _MAX_STAGING = 1 << 22

    def __init__(self, source: Group, file: str | Output | None = None, **kwargs):
        super().__init__(**kwargs)
        self.source = source
        self.buffers: dict[str, np.ndarray] = {}
        self._finished: dict[str, list[np.ndarray]] = {}
        self.own_writer = Writer(as_output(file)) if file is not None else None
        self.writer: Writer | None = self.own_writer  # where the records go; None: kept in memory

    # --- streaming to a file -------------------------------------------------------------
    def stream_to(self, writer: Writer) -> None:
        """Write the records into ``writer``'s file (the network's output), unless the monitor has its own."""
        if self.own_writer is None:
            if self.writer is not None and not self.writer.same_file(writer):
                raise ModelError(f"{self.where()} already writes to {self.writer.output.path}")
            if self._records_so_far() and self.writer is None:
                raise ModelError(f"{self.where()} recorded {self._records_so_far()} records in memory before; give "
                                 "it the output from its first run on")
            self.writer = self.writer or writer
        self.writer.declare(self.name, self._file_attributes(), self._datasets())

    def _file_attributes(self) -> dict:
        root = self.source.root
        attrs = {"kind": type(self).__name__, "source": root.name, "source_size": root.N,
                 "first_element": self.source.offset, "elements": self.source.N}
        if isinstance(self.clock, EventClock):
            attrs["times"] = self.clock.times_
        else:
            attrs["dt"] = self.dt_
        equations = getattr(root, "equations", None)
        if equations is not None and len(list(equations)):
            attrs["model"] = str(equations)
        return attrs

    def _datasets(self) -> dict:
        return {name: (self.buffers[name].dtype, self.buffers[name].shape[1:], self._unit(name))
                for name in self._record_names()}

    def _unit(self, name: str) -> str:
        return "second" if name == "t" else "1"

    def flush(self) -> None:
        """Append the records staged since the last flush to the file and start the buffers over."""
        if self.writer is None:
            return
        staged = int(self.buffers["_n"][0])
        for name in self._record_names():
            self.writer.append(self.name, name, self.buffers[name][:staged])
        self.buffers["_n"][0] = 0

    def _allocate(self, name: str, shape, dtype) -> None:
        self.buffers[name] = np.zeros(shape, dtype=dtype)

    def _record_names(self) -> list[str]:
        return [name for name in self.buffers if name not in self._FIXED]

    @property
    def n(self) -> int:
        """Records so far (finished parts or the file, and the buffer)."""
        return self._records_so_far()

    def _records_so_far(self) -> int:
        first = self._record_names()[0]
        if self.writer is not None and self.writer.created:
            return self.writer.length(self.name, first) + int(self.buffers["_n"][0])
        return sum(len(part) for part in self._finished.get(first, ())) + int(self.buffers["_n"][0])

    @property
    def nbytes(self) -> int:
        """Memory held: the records so far and the buffer the compiled loop writes into."""
        finished = sum(part.nbytes for parts in self._finished.values() for part in parts)
        return finished + sum(buffer.nbytes for buffer in self.buffers.values())

    def grow(self) -> None:
        if self.writer is not None:
            self.flush()
            return
        staged = int(self.buffers["_n"][0])
        for name in self._record_names():
            buffer = self.buffers[name]
            self._finished.setdefault(name, []).append(buffer[:staged].copy())
            if buffer.shape[0] < self._MAX_STAGING:
                self.buffers[name] = np.zeros((2 * buffer.shape[0],) + buffer.shape[1:], dtype=buffer.dtype)
        self.buffers["_n"][0] = 0

    def _recorded(self, name: str) -> np.ndarray:
        """All records of buffer ``name`` (a new array); finished parts are joined once and kept joined.
        A streaming monitor reads them back from its file."""
        if self.writer is not None and self.writer.created:
            staged = self.buffers[name][: int(self.buffers["_n"][0])]
            return np.concatenate([self.writer.read(self.name, name).astype(staged.dtype, copy=False), staged])
        finished = self._finished.get(name, [])
        if len(finished) > 1:
            finished[:] = [np.concatenate(finished)]
        staged = self.buffers[name][: int(self.buffers["_n"][0])]
        return np.concatenate([finished[0], staged]) if finished else staged.copy()

    @property
    def t_(self) -> np.ndarray:
        """The times of the records in seconds, as recorded (each with the dt of its run: dt may change
        between runs)."""
        return self._recorded("t")

    @property
    def t(self):
        return Quantity(self.t_, second)

    # --- Brian 2's view of the records: N, len(), variables, get_states() --------------------------------
    @property
    def N(self) -> int:
        """The number of records (time points of a StateMonitor, events of an EventMonitor)."""
        return self._records_so_far()

    def __len__(self) -> int:
        return self._records_so_far()

    def _visible(self) -> list[str]:
        """The names the monitor gives its records under (``variables``, ``get_states``), besides ``N``."""
        return ["t"]

    def _dimension(self, name: str) -> Dimension:
        return SECOND if name == "t" else DIMENSIONLESS

    def _raw(self, name: str) -> np.ndarray:
        """The records of ``name`` in SI units, one row per record."""
        return self.t_ if name == "t" else self._recorded(name)

    def _per_record(self) -> list[str]:
        """The names a condition string as index (``mon.t['i == 1']``) may use: one value per record."""
        return []

    def _indexable(self, records: np.ndarray) -> RecordArray:
        """``records`` (an array of one value per record) as a RecordArray that takes conditions as index."""
        array = records.view(RecordArray)
        array._monitor = self
        return array

    def _condition(self, key: str) -> np.ndarray:
        """Which records meet the condition ``key`` (a boolean mask): an expression in the monitor's records by
        name (``'i == 1 and t > 1.5*ms'``) and in names of the caller's namespace, units checked."""
        own = self._per_record()
        where = f"the index '{key}' of {self.where()}"
        expression = check_condition(parse_expression(key), where,
                                     [n for n in own if self._raw(n).dtype != np.bool_])
        external = namespace_values(expression, own.__contains__, None, caller_namespace(),
                                    f"{where}: it records {own}")
        values = {name: np.asarray(self._raw(name)) for name in own if name in expression.identifiers}
        mask = evaluate_checked(expression, {name: self._dimension(name) for name in own}, values,
                                lambda name: kind_of_value(self._raw(name).dtype) if name in own else None, external,
                                self.N, DIMENSIONLESS, where)
        return np.asarray(mask, dtype=bool)

    @property
    def variables(self) -> dict[str, RecordedVariable]:
        """What the monitor records, by name (as Brian 2's ``mon.variables``): type, size, unit, values."""
        return {name: RecordedVariable(self, name) for name in self._visible()}

    def get_states(self, vars=None, units: bool = True, format: str = "dict",
                   read_only_variables: bool = True) -> dict[str, Any]:
        """The records by name (plus ``N``, their number), as Brian 2 gives them: per record, one row
        (a StateMonitor's variables: time along the first axis), with units unless ``units=False``. Records
        are read-only: ``read_only_variables=False`` gives none."""
        if format != "dict":
            raise ModelNotImplementedError(f"get_states of {self.where()}: format={format!r} is not supported; "
                                           "use format='dict'")
        visible = [*self._visible(), "N"]
        names = visible if vars is None else [vars] if isinstance(vars, str) else list(vars)
        if not read_only_variables:
            names = []
        unknown = [name for name in names if name not in visible]
        if unknown:
            raise ModelKeyError(f"{self.where()} records no {unknown[0]!r}; it has {visible}")
        states = {}
        for name in names:
            if name == "N":
                states[name] = self.N
            else:
                states[name] = with_unit(self._raw(name), self._dimension(name)) if units else self._raw(name)
        return states

    def set_states(self, values: dict[str, Any], units: bool = True, format: str = "dict") -> None:
        """Records cannot be set: only an empty dict (what ``get_states(read_only_variables=False)`` gives)."""
        if values:
            raise ModelTypeError(f"{self.where()}: its records ({sorted(values)}) are read-only")

    def kernel_arrays(self) -> dict[str, np.ndarray]:
        return {f"_{self._kernel_name(key)}": value for key, value in self.buffers.items()}

    def _kernel_name(self, key: str) -> str:
        if key in self._FIXED or key in self._OWN_RECORDS:
            return internal_arg(self.name, key.lstrip("_"))
        return array_arg(self.name, key)

    def dependencies(self) -> list:
        return [self.source.root]

    def state(self) -> dict:
        """The records (in memory), or for a monitor that streams them, where its file ends now (a restore cuts
        the file back there)."""
        if self.writer is None:
            return {"buffers": {key: value.copy() for key, value in self.buffers.items()},
                    "finished": {key: list(parts) for key, parts in self._finished.items()}}
        lengths = {name: self.writer.length(self.name, name) + int(self.buffers["_n"][0])
                   for name in self._record_names()} if self.writer.created else {}
        if self.buffers["_n"][0]:
            self.flush()
        fixed = {key: value.copy() for key, value in self.buffers.items() if key in self._FIXED}
        return {"buffers": fixed, "file": {"path": self.writer.output.path, "lengths": lengths}}

    def check_state(self, state: Any) -> None:
        """Refuse a stored state (read from a file: data) the compiled loop could not go on with: buffers of other
        shapes or types, a record count beyond them, recorded indices outside the source, other recorded
        elements, records of unequal lengths; for records in a file, one that is not this monitor's."""
        streamed = isinstance(state, dict) and "file" in state
        state = stored_keys(state, ("buffers", "file") if streamed else ("buffers", "finished"), "the stored state")
        names = self._record_names()
        fixed = [key for key in self.buffers if key in self._FIXED]
        buffers = stored_keys(state["buffers"], fixed if streamed else self.buffers, "the buffers")
        arrays = {key: stored_array(buffers[key], self.buffers[key].dtype,
                                    self.buffers[key].shape if key in self._FIXED else
                                    (None, *self.buffers[key].shape[1:]), f"the buffer '{key}'") for key in buffers}
        length = min((len(arrays[name]) for name in names if name in arrays), default=0)
        if any(len(arrays[name]) != length for name in names if name in arrays):
            raise ModelError(f"the record buffers {names} must have one length, the stored ones have "
                             f"{[len(arrays[name]) for name in names]}")
        staged = int(arrays["_n"][0])
        if not 0 <= staged <= (length if not streamed else 0):
            raise ModelError(f"the record count '_n' must be from 0 to {length if not streamed else 0} (the records "
                             f"the buffers {'hold' if not streamed else 'keep: the store wrote them to the file'}), "
                             f"the stored one is {staged}")
        if "_indices" in arrays:
            same_values(arrays["_indices"], self.buffers["_indices"], "the recorded elements '_indices'")
        if "_count" in arrays and np.any(arrays["_count"] < 0):
            raise ModelError("the event counts '_count' must be >= 0")
        if streamed:
            self._check_file(state["file"], names)
            return
        if self.writer is not None:
            raise ModelError(f"it writes to {self.writer.output.path}, the stored state has its records in memory")
        finished = state["finished"]
        if not isinstance(finished, dict) or finished and set(finished) != set(names):
            raise ModelError(f"the finished records should be a group of {names} (or empty), the stored one is "
                             f"{sorted(finished) if isinstance(finished, dict) else finished!r}"[:300])
        records = {name: [arrays[name][:staged]] for name in names}
        for name, parts in finished.items():
            if not isinstance(parts, list):
                raise ModelError(f"the finished records of '{name}' should be a list of arrays, not {parts!r}"[:300])
            shape = (None, *self.buffers[name].shape[1:])
            records[name][:0] = [stored_array(part, self.buffers[name].dtype, shape,
                                              f"the finished records of '{name}'") for part in parts]
        totals = {name: sum(len(part) for part in parts) for name, parts in records.items()}
        if len(set(totals.values())) > 1:
            raise ModelError(f"the recorded variables must have one number of records, the stored ones have {totals}")
        if "i" in self._OWN_RECORDS and "_count" in arrays:
            indices = np.concatenate(records["i"])
            in_range(indices, self.source.N, f"the recorded indices 'i' (of {self.source.name})")
            if getattr(self, "record", False):
                same_values(arrays["_count"], np.bincount(indices, minlength=self.source.N),
                            "the event counts '_count' (from the recorded 'i')")
        times = np.concatenate(records["t"])
        if not np.all(np.isfinite(times) & (times >= 0)):
            raise ModelError("the recorded times 't' (in seconds) must be finite and >= 0")

    def _check_file(self, stored: Any, names: list[str]) -> None:
        """Records in a file: one simcore wrote, with this monitor's records in it, and that this monitor may
        write to; lengths to cut it back to that are whole numbers."""
        stored = stored_keys(stored, ("path", "lengths"), "the stored file")
        path = stored["path"]
        if not isinstance(path, str):
            raise ModelError(f"the file of the records should be a path, the stored one is {path!r}"[:300])
        if not os.path.exists(path):
            raise ModelError(f"its records went to {path}, which no longer exists")
        resumed = Writer.resume(path)
        if self.writer is not None and not self.writer.same_file(resumed):
            raise ModelError(f"it writes to {self.writer.output.path}, the stored state to {path}")
        lengths = stored["lengths"]
        if not isinstance(lengths, dict) or lengths:  # records written: the file to cut back must hold them
            with open_simcore_file(path, "restore the records of a monitor from") as records:
                if self.name not in records:
                    raise ModelError(f"its records went to {path}, which has no records of '{self.name}' (it has "
                                     f"{sorted(records)})")
            lengths = stored_keys(lengths, names, "the lengths of its records in the file")
            for name, value in lengths.items():
                stored_integer(value, f"the length of '{name}' in the file", 0, np.iinfo(np.int64).max)

    def restore_state(self, state: dict) -> None:
        """Take a state that ``check_state`` accepted."""
        def typed(key: str, value) -> np.ndarray:
            return np.asarray(value).astype(self.buffers[key].dtype)

        if "file" not in state:
            self.buffers = {key: typed(key, value) for key, value in state["buffers"].items()}
            self._finished = {key: [typed(key, part) for part in parts] for key, parts in state["finished"].items()}
            return
        stored = Writer.resume(state["file"]["path"])
        if self.writer is None:
            self.writer = stored
        self.writer.truncate[self.name] = {name: int(length) for name, length in state["file"]["lengths"].items()}
        self.buffers.update({key: typed(key, value) for key, value in state["buffers"].items()})


class _Rates:
    """Rates from a monitor's records: ``binned_rate`` (each class's) and ``smooth_rate`` built on it."""

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


class EventMonitor(_Rates, Monitor):
    """Times and indices of an event of a group (``t``, ``i``, ``count``), and variables at those times."""

    base_name = "eventmonitor"
    default_when = "thresholds"
    _OWN_RECORDS = ("t", "i")

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
        self._allocate("i", capacity, np.int32)
        self._allocate("t", capacity, np.float64)  # in seconds: right whatever dt each run had
        for variable in names:
            self._allocate(variable, capacity, source.variables[variable].array.dtype)
        self._allocate("_n", 1, np.int64)
        self._allocate("_count", source.N, np.int64)

    def operations(self, resolve) -> list[Operation]:
        root, start, stop = _source_range(self.source)
        refs = tuple(ArrayRef(root.name, name, str(root.variables[name].array.dtype), root.variables[name].shared)
                     for name in self.record_variables)
        # variables are recorded with record=False too (as in Brian 2): with the times and indices, kept hidden
        details = SpikeMonitorDetails(source=root.name, range=(start, stop), record=self.record or bool(refs),
                                      variables=refs, event=self.event, source_size=root.N)
        return [Operation(function_name(self.name, "record"), "spike_monitor", self.name, self.when, self.order, 0,
                          self.creation_order, details=details)]

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

    def _datasets(self) -> dict:
        return {**super()._datasets(), "count": (np.int64, (), "1")}

    def flush(self) -> None:
        super().flush()
        if self.writer is not None:
            self.writer.replace(self.name, "count", self.buffers["_count"])

    def _check_recorded(self) -> None:
        if not self.record:
            raise AttributeError(f"{self.where()} was made with record=False: it keeps no times and indices of its "
                                 "events (only their counts); make it with record=True")

    def _per_record(self) -> list[str]:
        return [name for name in self._visible() if name != "count"]

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
    """Spike times and indices of a group (``t``, ``i``, ``count``, ``spike_trains()``)."""

    base_name = "spikemonitor"

    def __init__(self, source: Group, variables=None, record: bool = True, when: str | None = None,
                 order: int | None = None, name: str | None = None, file: str | Output | None = None):
        super().__init__(source, "spike", variables, record, when, order, name, file)


def _record_dtype(name: str, dtype: np.dtype, requested) -> np.dtype:
    """The type a StateMonitor keeps ``name`` in: its own, or ``requested`` (one type, or one per name) if of
    the same kind (a float for a float, an integer for an integer, bool for bool)."""
    if isinstance(requested, Mapping):
        if name not in requested:
            return dtype
        requested = requested[name]
    if requested is None:
        return dtype
    try:
        wanted = np.dtype(requested)
    except TypeError as error:
        raise ModelTypeError(f"StateMonitor: dtype {requested!r} for '{name}' is not a numpy type") from error
    kinds = {"b": "b", "i": "iu", "u": "iu", "f": "f"}.get(dtype.kind, dtype.kind)
    if wanted.kind not in kinds:
        same = "bool" if kinds == "b" else "an integer type" if kinds == "iu" else "a float type"
        raise ModelTypeError(f"StateMonitor: cannot record '{name}' ({dtype.name}) as {wanted.name}: give a type of "
                             f"the same kind ({same})")
    return wanted


class StateMonitor(Monitor):
    """Variables of chosen elements at every (monitor) time step: ``mon.v[k]``, ``mon[k].v``, ``mon.t``.
    Besides stored variables it records subexpressions, linked variables and (on Synapses) the neurons'
    variables ``x_pre``/``x_post``, computed as the monitor records them."""

    base_name = "statemonitor"
    default_when = "start"

    def __init__(self, source: Group, variables, record=True, dt=None, clock=None, when: str | None = None,
                 order: int = 0, name: str | None = None, file: str | Output | None = None, dtype=None):
        # a pathway (S.pre, S.post) records its synapses' variables, and as 'delay' its own delays
        self._reads: dict[str, str] = {}
        if isinstance(source, PathwayView):
            self._reads = {"delay": source.delay_variable}
            source = source.synapses
        names = list(source.variables if variables is True else [variables] if isinstance(variables, str)
                     else variables)
        names = [n for n in names if not n.startswith("_") and n not in ("i", "N")] if variables is True else names
        readable = source.root.dimensions()
        for variable in names:
            if self._reads.get(variable, variable) not in readable or variable in CLOCK_NAMES:
                raise ModelKeyError(f"StateMonitor: {source.where()} has no variable or subexpression '{variable}'")
        if dt is not None:
            as_seconds(dt, "StateMonitor dt")
        super().__init__(source, file=file, name=name, when=when, order=order, dt=dt,
                         clock=clock if clock is not None or dt is not None else source.clock)
        if isinstance(record, SynapticSubgroup):
            record = record.synapse_indices
        if record is True:
            indices = np.arange(source.N)
        elif record is False or record is None:
            indices = np.arange(0)
        else:
            indices = np.atleast_1d(np.asarray(record))
            if indices.size and not np.issubdtype(indices.dtype, np.integer):
                raise ModelTypeError(f"StateMonitor on {source.where()}: record= takes True, False or element "
                                     f"indices (integers), not {record!r}"[:300])
            bad = indices[(indices < 0) | (indices >= source.N)]
            if bad.size:
                raise ModelIndexError(f"StateMonitor on {source.where()}: cannot record element {int(bad[0])}, "
                                      f"the group has elements 0 to {source.N - 1}")
            indices = indices.astype(np.int64)
        self.record = indices
        self.record_variables = names
        self._allocate("_indices", len(indices), np.int64)
        self.buffers["_indices"][:] = indices + source.offset
        self._allocate("t", 256, np.float64)
        self._allocate("_n", 1, np.int64)
        for variable in names:
            self._allocate(variable, (256, len(indices)), _record_dtype(variable, self._source_dtype(variable), dtype))
        self._has_run = False

    def _source_dtype(self, name: str) -> np.dtype:
        """The type of what ``name`` reads: a stored variable's (a neuron's, for ``x_post``), else float64."""
        root, name = self.source.root, self._reads.get(name, name)
        if name in root.variables:
            return root.variables[name].array.dtype
        reference = root._reference(name) if hasattr(root, "_reference") else None
        return reference[1].array.dtype if reference is not None else np.dtype(np.float64)

    def _copied(self) -> list[str]:
        """The recorded names the kernel copies from a stored array of the source (the others it computes)."""
        variables = self.source.root.variables
        return [name for name in self.record_variables
                if name in variables and variables[name].link is None and name not in self._reads]

    def operations(self, resolve) -> list[Operation]:
        root = self.source.root
        stored = self._copied()
        refs = tuple(ArrayRef(root.name, name, str(root.variables[name].array.dtype),
                              root.variables[name].shared) for name in stored)
        computed = tuple(Assignment(f"_sub_{name}", symbol(self._reads.get(name, name)), f"{name} (recorded)")
                         for name in self.record_variables if name not in stored)
        code = root._code(computed, resolve) if computed else None
        # on an EventClock, the monitor records at the clock's times only (the network runs it at their steps)
        times = tuple(self.clock.times_) if isinstance(self.clock, EventClock) else None
        return [Operation(function_name(self.name, "record"), "state_monitor", self.name, self.when, self.order, 0,
                          self.creation_order, code=code,
                          details=StateMonitorDetails(variables=refs, scalar_owner=root.name,
                                                      recorded=len(self.record), times=times))]

    _STREAM_BUFFER_BYTES = 64 << 20  #: a streaming StateMonitor's buffer: the records between two flushes

    def prepare_run(self, steps: int) -> None:
        """Make room for the whole run at once (refusing a run whose records cannot fit); a streaming monitor
        holds at most ``_STREAM_BUFFER_BYTES`` of records (the chunk stops and flushes when they are full)."""
        self._has_run = True
        needed = int(self.buffers["_n"][0]) + steps + 1
        per_record = 8 + sum(self.buffers[name].itemsize * len(self.record) for name in self.record_variables)
        if self.writer is not None:
            needed = min(needed, max(256, self._STREAM_BUFFER_BYTES // per_record))
        check_fits(per_record * needed, f"{self.where()} recording {len(self.record)} element(s) of "
                   f"{len(self.record_variables)} variable(s) for {steps} steps")
        if needed > self.buffers["t"].shape[0]:
            self._resize(needed)

    def _resize(self, size: int) -> None:
        for name in ("t", *self.record_variables):
            buffer = self.buffers[name]
            bigger = np.zeros((size,) + buffer.shape[1:], dtype=buffer.dtype)
            bigger[: buffer.shape[0]] = buffer
            self.buffers[name] = bigger

    def record_single_timestep(self) -> None:
        """Record the values now (the end of the last run): a StateMonitor records at the start of each step, so
        the values after the last step are otherwise not recorded. Only after a run (one of 0 ms will do)."""
        if not self._has_run:
            raise ModelTypeError(f"{self.where()}: record_single_timestep() records the state after a run; run the "
                                 "network first (a run of 0*ms will do)")
        root, staged = self.source.root, int(self.buffers["_n"][0])
        if staged >= self.buffers["t"].shape[0]:
            self._resize(2 * staged + 1)
        elements = self.buffers["_indices"]
        namespace = caller_namespace()
        for name in self.record_variables:
            values = np.broadcast_to(root._evaluate(parse_expression(self._reads.get(name, name)), namespace),
                                     (root.N,))
            self.buffers[name][staged] = values[elements]
        self.buffers["t"][staged] = self.network_time if isinstance(self.clock, EventClock) else \
            round(self.network_time / self.dt_) * self.dt_
        self.buffers["_n"][0] = staged + 1

    def _dimension(self, name: str) -> Dimension:
        if name in self.record_variables:
            return self.source.root.dimensions()[self._reads.get(name, name)]
        return super()._dimension(name)

    def _visible(self) -> list[str]:
        return ["t", *self.record_variables]

    def _unit(self, name: str) -> str:
        return unit_name(self._dimension(name)) if name in self.record_variables else super()._unit(name)

    def _file_attributes(self) -> dict:
        return {**super()._file_attributes(), "record": self.record, "variables": list(self.record_variables)}

    @property
    def n(self):
        """The trace of a recorded variable named ``n`` (a gating variable), else the number of records."""
        if "n" in self.record_variables:
            return self.__getattr__("n")
        return self._records_so_far()

    def _values(self, name: str) -> np.ndarray:
        return self._recorded(name).T

    def __getattr__(self, name: str):
        if name in self.__dict__.get("record_variables", ()):
            return with_unit(self._values(name), self._dimension(name))
        if name.endswith("_") and name[:-1] in self.__dict__.get("record_variables", ()):
            return self._values(name[:-1])
        raise AttributeError(f"StateMonitor '{self.__dict__.get('name')}' does not record '{name}'")

    def __getitem__(self, index) -> RecordedElements:
        """``mon[k]`` (or ``mon[[k1, k2]]``, ``mon[S[0, :]]``): the traces of recorded element(s) k, with ``t``
        the times."""
        if isinstance(index, SynapticSubgroup):
            index = index.synapse_indices
        many = not isinstance(index, int | np.integer)
        keys = np.asarray(index) if many else np.asarray([index])
        if isinstance(index, bool | np.bool_ | str) or keys.ndim != 1 or (
                keys.size and not np.issubdtype(keys.dtype, np.integer)):
            raise ModelTypeError(f"StateMonitor '{self.name}' is indexed by element numbers (an integer or a list of "
                                 f"integers), not {index!r}"[:300])
        positions = []
        for key in keys:
            found = np.flatnonzero(self.record == key)
            if found.size == 0:
                raise ModelIndexError(f"StateMonitor '{self.name}' did not record element {int(key)}; it records "
                                      f"{_listed(self.record)}")
            positions.append(int(found[0]))
        return RecordedElements(self, np.array(positions, dtype=np.int64) if many else positions[0])

    def __repr__(self) -> str:
        return f"<StateMonitor '{self.name}', recording {self.record_variables} of '{self.source.name}'>"


def _listed(indices: np.ndarray) -> str:
    shown = ", ".join(str(int(k)) for k in indices[:10])
    return f"[{shown}{', ...' if len(indices) > 10 else ''}]"


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


class PopulationRateMonitor(_Rates, Monitor):
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
        self._allocate("rate", 1024, np.float64)
        self._allocate("t", 1024, np.float64)
        self._allocate("_n", 1, np.int64)

    def operations(self, resolve) -> list[Operation]:
        root, start, stop = _source_range(self.source)
        details = RateMonitorDetails(source=root.name, range=(start, stop), source_size=root.N)
        return [Operation(function_name(self.name, "record"), "rate_monitor", self.name, self.when, self.order, 0,
                          self.creation_order, details=details)]

    def _unit(self, name: str) -> str:
        return "Hz" if name == "rate" else super()._unit(name)

    def _dimension(self, name: str) -> Dimension:
        return SECOND**-1 if name == "rate" else super()._dimension(name)

    def _visible(self) -> list[str]:
        return ["rate", "t"]

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
