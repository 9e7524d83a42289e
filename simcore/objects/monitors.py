"""Monitors: SpikeMonitor, StateMonitor, PopulationRateMonitor. Recording happens
inside the compiled loop into preallocated buffers; a full buffer ends the chunk,
grows, and the run goes on. A monitor given a file (``file=`` or the network's ``output=``)
streams its records into it at the end of every chunk instead of keeping them."""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from simcore.errors import ModelError
from simcore.ir import ArrayRef, Assignment, Operation, array_arg, function_name, internal_arg
from simcore.objects.base import SECOND, SimObject, as_seconds
from simcore.objects.group import Group
from simcore.objects.memory import check_fits
from simcore.objects.variables import check_index, with_unit
from simcore.output.hdf5 import Output, Writer, as_output, file_key, open_simcore_file
from simcore.output.snapshot import in_range, same_values, stored_array, stored_integer, stored_keys
from simcore.units import Quantity, second, unit_name


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
                 "first_element": self.source.offset, "elements": self.source.N, "dt": self.dt_}
        equations = getattr(root, "equations", None)
        if equations is not None and len(list(equations)):
            attrs["model"] = str(equations)
        return attrs

    def _datasets(self) -> dict:
        return {name: (np.int64 if name == "t" else self.buffers[name].dtype, self.buffers[name].shape[1:],
                       self._unit(name)) for name in self._record_names()}

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
        return self._recorded("t") * self.dt_

    @property
    def t(self):
        return Quantity(self.t_, second)

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
        arrays = {key: stored_array(buffers[key], self._stored_type(key, buffers[key]),
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
            records[name][:0] = [stored_array(part, self._stored_type(name, part), shape,
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
        if np.any(np.concatenate(records["t"]) < 0):
            raise ModelError("the recorded time steps 't' must be >= 0")

    def _stored_type(self, key: str, stored: Any):
        """The type a stored buffer becomes: its own; the time steps of an event monitor may be int32 or int64
        (``prepare_run`` widens them for long runs)."""
        current = self.buffers[key].dtype
        if key == "t" and "i" in self._OWN_RECORDS and getattr(stored, "dtype", None) in (np.int32, np.int64):
            return stored.dtype
        return current

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
            return np.asarray(value).astype(self._stored_type(key, value))

        if "file" not in state:
            self.buffers = {key: typed(key, value) for key, value in state["buffers"].items()}
            self._finished = {key: [typed(key, part) for part in parts] for key, parts in state["finished"].items()}
            return
        stored = Writer.resume(state["file"]["path"])
        if self.writer is None:
            self.writer = stored
        self.writer.truncate[self.name] = {name: int(length) for name, length in state["file"]["lengths"].items()}
        self.buffers.update({key: typed(key, value) for key, value in state["buffers"].items()})


class EventMonitor(Monitor):
    """Times and indices of an event of a group (``t``, ``i``, ``count``), and variables at those times."""

    base_name = "eventmonitor"
    default_when = "thresholds"
    _OWN_RECORDS = ("t", "i")

    def __init__(self, source: Group, event: str, variables=None, record: bool = True, when: str | None = None,
                 order: int = 1, name: str | None = None, file: str | Output | None = None):
        events = getattr(source.root, "events", {})
        if event not in events:
            if event == "spike":
                raise ModelError(f"{source.where()} has no threshold, so a SpikeMonitor on it would record nothing")
            raise ModelError(f"{source.where()} has no event '{event}'; its events are {sorted(events)}")
        self.event = event
        names = [variables] if isinstance(variables, str) else list(variables or ())
        for variable in names:
            if variable not in source.variables:
                raise ModelError(f"SpikeMonitor: {source.where()} has no stored variable '{variable}' to record at "
                                 "spike times")
            if variable in ("i", "t", "count"):
                raise ModelError(f"SpikeMonitor on {source.where()}: variables={variable!r} is the monitor's own "
                                 f"'{variable}' (recorded anyway); record the group's other variables")
        super().__init__(source, file=file, name=name, when=when, order=order, clock=source.clock)
        self.record = bool(record)
        self.record_variables = names
        capacity = max(1024, 2 * source.N)
        self._allocate("i", capacity, np.int32)
        self._allocate("t", capacity, np.int32)  # the time step: 8 bytes per spike with i
        for variable in names:
            self._allocate(variable, capacity, source.variables[variable].array.dtype)
        self._allocate("_n", 1, np.int64)
        self._allocate("_count", source.N, np.int64)

    def operations(self, resolve) -> list[Operation]:
        root, start, stop = _source_range(self.source)
        refs = tuple(ArrayRef(root.name, name, str(root.variables[name].array.dtype), root.variables[name].shared)
                     for name in self.record_variables)
        details = (("source", root.name), ("range", (start, stop)), ("record", self.record), ("variables", refs),
                   ("event", self.event), ("source_size", root.N))
        return [Operation(function_name(self.name, "record"), "spike_monitor", self.name, self.when, self.order, 0,
                          self.creation_order, details=details)]

    def _unit(self, name: str) -> str:
        if name in self.record_variables:
            return unit_name(self.source.variables[name].dimension)
        return "1" if name == "i" else super()._unit(name)

    def _file_attributes(self) -> dict:
        return {**super()._file_attributes(), "event": self.event}

    def _datasets(self) -> dict:
        return {**super()._datasets(), "count": (np.int64, (), "1")}

    def flush(self) -> None:
        super().flush()
        if self.writer is not None:
            self.writer.replace(self.name, "count", self.buffers["_count"])

    def prepare_run(self, steps: int) -> None:
        """Time steps are int32 until a run goes past step 2**31 - 1 (6.8 years at 0.1 ms)."""
        last = int(round(self.network_time / self.dt_)) + steps
        if last >= np.iinfo(np.int32).max and self.buffers["t"].dtype == np.int32:
            self.buffers["t"] = self.buffers["t"].astype(np.int64)

    @property
    def i(self) -> np.ndarray:
        return self._recorded("i")

    i_ = i  # indices have no unit: the raw values are the same (Brian 2 has both names)

    @property
    def it(self):
        return self.i, self.t

    @property
    def it_(self):
        return self.i, self.t_

    def __getattr__(self, name: str):
        if name in self.__dict__.get("record_variables", ()):
            return with_unit(self._recorded(name), self.source.variables[name].dimension)
        if name.endswith("_") and name[:-1] in self.__dict__.get("record_variables", ()):
            return self._recorded(name[:-1])
        raise AttributeError(f"SpikeMonitor '{self.__dict__.get('name')}' has no attribute '{name}'")

    @property
    def count(self) -> np.ndarray:
        return self.buffers["_count"].copy()

    count_ = count

    @property
    def num_events(self) -> int:
        return int(self.buffers["_count"].sum())

    num_spikes = num_events

    def spike_trains(self) -> dict[int, Quantity]:
        order = np.argsort(self.i, kind="stable")
        indices, times = self.i[order], self.t_[order]
        bounds = np.searchsorted(indices, np.arange(self.source.N + 1))
        return {k: Quantity(times[bounds[k]:bounds[k + 1]], second) for k in range(self.source.N)}


class SpikeMonitor(EventMonitor):
    """Spike times and indices of a group (``t``, ``i``, ``count``, ``spike_trains()``)."""

    base_name = "spikemonitor"

    def __init__(self, source: Group, variables=None, record: bool = True, when: str | None = None,
                 order: int = 1, name: str | None = None, file: str | Output | None = None):
        super().__init__(source, "spike", variables, record, when, order, name, file)


class StateMonitor(Monitor):
    """Variables of chosen elements at every (monitor) time step: ``mon.v[k]``, ``mon[k].v``, ``mon.t``."""

    base_name = "statemonitor"
    default_when = "start"

    def __init__(self, source: Group, variables, record=True, dt=None, clock=None, when: str | None = None,
                 order: int = 0, name: str | None = None, file: str | Output | None = None):
        names = list(source.variables if variables is True else [variables] if isinstance(variables, str)
                     else variables)
        names = [n for n in names if not n.startswith("_") and n not in ("i", "N")] if variables is True else names
        for variable in names:
            if variable not in source.variables and variable not in source.equations.subexpr_names:
                raise ModelError(f"StateMonitor: {source.where()} has no variable or subexpression '{variable}'")
        if dt is not None:
            as_seconds(dt, "StateMonitor dt")
        super().__init__(source, file=file, name=name, when=when, order=order, dt=dt,
                         clock=clock if clock is not None or dt is not None else source.clock)
        if record is True:
            indices = np.arange(source.N)
        elif record is False or record is None:
            indices = np.arange(0)
        else:
            indices = check_index(np.atleast_1d(np.asarray(record)), source.N, f"StateMonitor on {source.where()}")
        self.record = indices
        self.record_variables = names
        self._allocate("_indices", len(indices), np.int64)
        self.buffers["_indices"][:] = indices + source.offset
        self._allocate("t", 256, np.int64)
        self._allocate("_n", 1, np.int64)
        for variable in names:
            dtype = source.variables[variable].array.dtype if variable in source.variables else np.float64
            self._allocate(variable, (256, len(indices)), dtype)

    def operations(self, resolve) -> list[Operation]:
        root = self.source.root
        stored = [name for name in self.record_variables if name in root.variables]
        refs = tuple(ArrayRef(root.name, name, str(root.variables[name].array.dtype),
                              root.variables[name].shared) for name in stored)
        computed = tuple(Assignment(f"_sub_{name}", root.expanded_subexpression(name), f"{name} (subexpression)")
                         for name in self.record_variables if name not in root.variables)
        code = root._code(computed, resolve) if computed else None
        return [Operation(function_name(self.name, "record"), "state_monitor", self.name, self.when, self.order, 0,
                          self.creation_order, code=code,
                          details=(("variables", refs), ("scalar_owner", root.name), ("recorded", len(self.record))))]

    _STREAM_BUFFER_BYTES = 64 << 20  #: a streaming StateMonitor's buffer: the records between two flushes

    def prepare_run(self, steps: int) -> None:
        """Make room for the whole run at once (refusing a run whose records cannot fit); a streaming monitor
        holds at most ``_STREAM_BUFFER_BYTES`` of records (the chunk stops and flushes when they are full)."""
        needed = int(self.buffers["_n"][0]) + steps + 1
        per_record = 8 + sum(self.buffers[name].itemsize * len(self.record) for name in self.record_variables)
        if self.writer is not None:
            needed = min(needed, max(256, self._STREAM_BUFFER_BYTES // per_record))
        check_fits(per_record * needed, f"{self.where()} recording {len(self.record)} element(s) of "
                   f"{len(self.record_variables)} variable(s) for {steps} steps")
        if needed > self.buffers["t"].shape[0]:
            for name in ("t", *self.record_variables):
                buffer = self.buffers[name]
                bigger = np.zeros((needed,) + buffer.shape[1:], dtype=buffer.dtype)
                bigger[: buffer.shape[0]] = buffer
                self.buffers[name] = bigger

    def _dimension(self, name: str):
        root = self.source.root
        return root.variables[name].dimension if name in root.variables else root.equations[name].dimension

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

    def __getitem__(self, index: int):
        positions = np.flatnonzero(self.record == index)
        if positions.size == 0:
            raise IndexError(f"StateMonitor '{self.name}' did not record element {index}")
        return _RecordedElement(self, int(positions[0]))


class _RecordedElement:
    """``mon[k]``: the traces of one recorded element."""

    def __init__(self, monitor: StateMonitor, position: int):
        self.monitor = monitor
        self.position = position

    def __getattr__(self, name: str):
        return getattr(self.monitor, name)[self.position]


class PopulationRateMonitor(Monitor):
    """The instantaneous population rate (spikes per neuron per time step, in Hz)."""

    base_name = "ratemonitor"
    default_when = "thresholds"
    _OWN_RECORDS = ("t", "rate")

    def __init__(self, source: Group, when: str | None = None, order: int = 1, name: str | None = None,
                 file: str | Output | None = None):
        if "spike" not in getattr(source.root, "events", {}):
            raise ModelError(f"{source.where()} has no threshold: a PopulationRateMonitor needs spikes")
        super().__init__(source, file=file, name=name, when=when, order=order, clock=source.clock)
        self._allocate("rate", 1024, np.float64)
        self._allocate("t", 1024, np.int64)
        self._allocate("_n", 1, np.int64)

    def operations(self, resolve) -> list[Operation]:
        root, start, stop = _source_range(self.source)
        return [Operation(function_name(self.name, "record"), "rate_monitor", self.name, self.when, self.order, 0,
                          self.creation_order, details=(("source", root.name), ("range", (start, stop)),
                                                        ("source_size", root.N)))]


    def _unit(self, name: str) -> str:
        return "Hz" if name == "rate" else super()._unit(name)

    @property
    def rate_(self) -> np.ndarray:
        return self._recorded("rate")

    @property
    def rate(self):
        return with_unit(self.rate_, SECOND**-1)

    def smooth_rate(self, window: str = "gaussian", width=None):
        """The rate convolved with a normalised 'gaussian' (width = std) or 'flat' window."""
        if width is None:
            raise ModelError("smooth_rate needs width=, e.g. width=1*ms")
        width_ = as_seconds(width, "width")
        dt = self.dt_
        if window == "gaussian":
            half = int(np.ceil(3 * width_ / dt))
            offsets = np.arange(-half, half + 1) * dt
            kernel = np.exp(-0.5 * (offsets / width_) ** 2)
        elif window == "flat":
            half = int(np.round(width_ / (2 * dt)))
            kernel = np.ones(2 * half + 1)
        else:
            raise ModelError(f"unknown window {window!r}; use 'gaussian' or 'flat'")
        kernel /= kernel.sum()
        return with_unit(np.convolve(self.rate_, kernel, mode="same"), SECOND**-1)

    def binned(self, bin_size) -> tuple:
        """``(t, rate)``: the mean rate in consecutive bins of ``bin_size`` (a multiple of dt), ``t`` the
        start of each bin; an incomplete last bin is left out."""
        steps = as_seconds(bin_size, "bin_size") / self.dt_
        if round(steps) < 1 or abs(steps - round(steps)) > 1e-6 * steps:
            raise ModelError(f"bin_size {bin_size!s} must be a whole multiple of dt = {self.dt_ * 1e3:g} ms")
        steps = int(round(steps))
        bins = len(self.rate_) // steps
        rates = self.rate_[: bins * steps].reshape(bins, steps).mean(axis=1)
        return Quantity(self.t_[: bins * steps: steps], second), with_unit(rates, SECOND**-1)

    def binned_rate(self, bin_size):
        """The rate in bins of ``bin_size`` (the second half of ``binned``)."""
        return self.binned(bin_size)[1]
