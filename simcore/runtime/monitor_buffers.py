"""The runtime state of a monitor: the buffers its compiled loop writes records into, the records moved out of
them when they fill (finished parts in memory, or the file the monitor streams to), and their snapshot. The
monitor (``simcore/objects/monitors.py``) says what is recorded; this says where the records are."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import numpy as np

from simcore.errors import ModelError
from simcore.ir import array_arg, internal_arg
from simcore.objects.memory import check_fits
from simcore.output.hdf5 import Writer, file_key, open_simcore_file
from simcore.output.snapshot import in_range, same_values, stored_array, stored_integer, stored_keys

# buffers that are not per-record: the counter, per-element counts, recorded indices (their keys start with '_',
# so that no recorded variable, whatever its name, shares a buffer with them)
FIXED = ("_n", "_count", "_indices")
# a full buffer doubles until it holds this many records, then stays that size
MAX_STAGING = 1 << 22
# a streaming buffer sized by bytes holds at least this many records
MIN_STREAM_RECORDS = 256

#: checks of a stored state's records (all parts of each, by name) and buffers that depend on what is recorded
RecordCheck = Callable[[dict[str, list[np.ndarray]], dict[str, np.ndarray]], None]


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


class RecordBuffers:
    """Named buffers and a record counter ``_n`` of one monitor (``owner``: its name, under which it writes to a
    file and names its kernel arrays). When the buffers are full, ``grow`` moves the records out into finished
    parts (exact size) and the loop starts over at the front, so memory stays the records themselves plus one
    buffer, and nothing is copied twice while the run goes on. ``totals`` (a file's dataset -> a fixed buffer,
    such as an EventMonitor's counts) are written whole at every flush."""

    def __init__(self, owner: str, own_records: tuple[str, ...], writer: Writer | None,
                 totals: dict[str, str] | None = None):
        self.owner = owner
        self.own_records = own_records  # the monitor's own records (kernel names of its own); others are variables
        self.totals = dict(totals or {})
        self.arrays: dict[str, np.ndarray] = {}
        self.finished: dict[str, list[np.ndarray]] = {}
        self.own_writer = writer  # the monitor's file=
        self.writer: Writer | None = writer  # where the records go; None: kept in memory

    def allocate(self, name: str, shape, dtype) -> None:
        self.arrays[name] = np.zeros(shape, dtype=dtype)

    def record_names(self) -> list[str]:
        return [name for name in self.arrays if name not in FIXED]

    @property
    def staged(self) -> int:
        """The records in the buffers now (written since the last grow or flush)."""
        return int(self.arrays["_n"][0])

    def total(self) -> int:
        """Records so far (finished parts or the file, and the buffer)."""
        first = self.record_names()[0]
        if self.writer is not None and self.writer.created:
            return self.writer.length(self.owner, first) + self.staged
        return sum(len(part) for part in self.finished.get(first, ())) + self.staged

    @property
    def nbytes(self) -> int:
        """Memory held: the records so far and the buffer the compiled loop writes into."""
        finished = sum(part.nbytes for parts in self.finished.values() for part in parts)
        return finished + sum(buffer.nbytes for buffer in self.arrays.values())

    def records(self, name: str) -> np.ndarray:
        """All records of buffer ``name`` (a new array); finished parts are joined once and kept joined. A
        streaming monitor reads them back from its file."""
        staged = self.arrays[name][: self.staged]
        if self.writer is not None and self.writer.created:
            return np.concatenate([self.writer.read(self.owner, name).astype(staged.dtype, copy=False), staged])
        finished = self.finished.get(name, [])
        if len(finished) > 1:
            finished[:] = [np.concatenate(finished)]
        return np.concatenate([finished[0], staged]) if finished else staged.copy()

    def kernel_arrays(self) -> dict[str, np.ndarray]:
        """The buffers as the kernels take them, by parameter name."""
        return {f"_{self._kernel_name(key)}": value for key, value in self.arrays.items()}

    def _kernel_name(self, key: str) -> str:
        if key in FIXED or key in self.own_records:
            return internal_arg(self.owner, key.lstrip("_"))
        return array_arg(self.owner, key)

    # --- growth ------------------------------------------------------------------------------------------------
    def grow(self) -> None:
        """Make room after the loop stopped on full buffers: flush them to the file, or move their records out."""
        if self.writer is not None:
            self.flush()
            return
        staged = self.staged
        for name in self.record_names():
            buffer = self.arrays[name]
            self.finished.setdefault(name, []).append(buffer[:staged].copy())
            if buffer.shape[0] < MAX_STAGING:
                self.arrays[name] = np.zeros((2 * buffer.shape[0],) + buffer.shape[1:], dtype=buffer.dtype)
        self.arrays["_n"][0] = 0

    def make_room(self, records: int, stream_bytes: int, what: str) -> None:
        """Room for ``records`` more records at once (refusing what cannot fit in memory, ``what`` says which
        records); buffers that stream to a file hold at most ``stream_bytes`` of records."""
        needed = self.staged + records
        per_record = sum(self.arrays[name].itemsize * int(np.prod(self.arrays[name].shape[1:]))
                         for name in self.record_names())
        if self.writer is not None:
            needed = min(needed, max(MIN_STREAM_RECORDS, stream_bytes // per_record))
        check_fits(per_record * needed, what)
        if needed > self.arrays[self.record_names()[0]].shape[0]:
            self.resize(needed)

    def resize(self, size: int) -> None:
        """Buffers of ``size`` records, the records in them kept."""
        for name in self.record_names():
            buffer = self.arrays[name]
            bigger = np.zeros((size,) + buffer.shape[1:], dtype=buffer.dtype)
            bigger[: buffer.shape[0]] = buffer
            self.arrays[name] = bigger

    def append(self, values: dict[str, np.ndarray | float]) -> None:
        """One record written from Python (``values``: one per record name), growing full buffers."""
        staged = self.staged
        if staged >= self.arrays[self.record_names()[0]].shape[0]:
            self.resize(2 * staged + 1)
        for name, value in values.items():
            self.arrays[name][staged] = value
        self.arrays["_n"][0] = staged + 1

    # --- streaming to a file ---------------------------------------------------------------------------------
    def stream_to(self, writer: Writer, where: str, attrs: dict, unit_of: Callable[[str], str]) -> None:
        """Write the records into ``writer``'s file (the network's output), unless the monitor has its own;
        declare the monitor's group (``attrs``) and datasets there (``unit_of``: each record's unit)."""
        if self.own_writer is None:
            if self.writer is not None and not self.writer.same_file(writer):
                raise ModelError(f"{where} already writes to {self.writer.output.path}")
            if self.total() and self.writer is None:
                raise ModelError(f"{where} recorded {self.total()} records in memory before; give it the output "
                                 "from its first run on")
            self.writer = self.writer or writer
        datasets = {name: (self.arrays[name].dtype, self.arrays[name].shape[1:], unit_of(name))
                    for name in self.record_names()}
        datasets.update({name: (self.arrays[key].dtype, (), "1") for name, key in self.totals.items()})
        self.writer.declare(self.owner, attrs, datasets)

    def flush(self) -> None:
        """Append the records staged since the last flush to the file and start the buffers over."""
        if self.writer is None:
            return
        staged = self.staged
        for name in self.record_names():
            self.writer.append(self.owner, name, self.arrays[name][:staged])
        self.arrays["_n"][0] = 0
        for name, key in self.totals.items():
            self.writer.replace(self.owner, name, self.arrays[key])

    # --- store and restore ---------------------------------------------------------------------------------
    def state(self) -> dict:
        """The records (in memory), or for buffers that stream, where the file ends now (a restore cuts the
        file back there)."""
        if self.writer is None:
            return {"buffers": {key: value.copy() for key, value in self.arrays.items()},
                    "finished": {key: list(parts) for key, parts in self.finished.items()}}
        lengths = {name: self.writer.length(self.owner, name) + self.staged
                   for name in self.record_names()} if self.writer.created else {}
        if self.staged:
            self.flush()
        fixed = {key: value.copy() for key, value in self.arrays.items() if key in FIXED}
        return {"buffers": fixed, "file": {"path": self.writer.output.path, "lengths": lengths}}

    def check_state(self, state: Any, check_records: RecordCheck | None = None) -> None:
        """Refuse a stored state (read from a file: data) the compiled loop could not go on with: buffers of other
        shapes or types, a record count beyond them, recorded indices outside the source, other recorded
        elements, records of unequal lengths; for records in a file, one that is not this monitor's.
        ``check_records`` checks what depends on the records' meaning (before the times are checked)."""
        streamed = isinstance(state, dict) and "file" in state
        state = stored_keys(state, ("buffers", "file") if streamed else ("buffers", "finished"), "the stored state")
        names = self.record_names()
        fixed = [key for key in self.arrays if key in FIXED]
        buffers = stored_keys(state["buffers"], fixed if streamed else self.arrays, "the buffers")
        arrays = {key: stored_array(buffers[key], self.arrays[key].dtype,
                                    self.arrays[key].shape if key in FIXED else
                                    (None, *self.arrays[key].shape[1:]), f"the buffer '{key}'") for key in buffers}
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
            same_values(arrays["_indices"], self.arrays["_indices"], "the recorded elements '_indices'")
        if "_count" in arrays and np.any(arrays["_count"] < 0):
            raise ModelError("the event counts '_count' must be >= 0")
        if streamed:
            self._check_file(state["file"], names)
            return
        if self.writer is not None:
            raise ModelError(f"it writes to {self.writer.output.path}, the stored state has its records in memory")
        records = self._stored_records(state["finished"], arrays, staged)
        if check_records is not None:
            check_records(records, arrays)
        times = np.concatenate(records["t"])
        if not np.all(np.isfinite(times) & (times >= 0)):
            raise ModelError("the recorded times 't' (in seconds) must be finite and >= 0")

    def _stored_records(self, finished: Any, arrays: dict[str, np.ndarray], staged: int) -> dict:
        """The parts of each record in a stored state (finished parts, then the buffer's), of one length."""
        names = self.record_names()
        if not isinstance(finished, dict) or finished and set(finished) != set(names):
            raise ModelError(f"the finished records should be a group of {names} (or empty), the stored one is "
                             f"{sorted(finished) if isinstance(finished, dict) else finished!r}"[:300])
        records = {name: [arrays[name][:staged]] for name in names}
        for name, parts in finished.items():
            if not isinstance(parts, list):
                raise ModelError(f"the finished records of '{name}' should be a list of arrays, not {parts!r}"[:300])
            shape = (None, *self.arrays[name].shape[1:])
            records[name][:0] = [stored_array(part, self.arrays[name].dtype, shape,
                                              f"the finished records of '{name}'") for part in parts]
        totals = {name: sum(len(part) for part in parts) for name, parts in records.items()}
        if len(set(totals.values())) > 1:
            raise ModelError(f"the recorded variables must have one number of records, the stored ones have {totals}")
        return records

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
                if self.owner not in records:
                    raise ModelError(f"its records went to {path}, which has no records of '{self.owner}' (it has "
                                     f"{sorted(records)})")
            lengths = stored_keys(lengths, names, "the lengths of its records in the file")
            for name, value in lengths.items():
                stored_integer(value, f"the length of '{name}' in the file", 0, np.iinfo(np.int64).max)

    def restore_state(self, state: dict) -> None:
        """Take a state that ``check_state`` accepted."""
        def typed(key: str, value) -> np.ndarray:
            return np.asarray(value).astype(self.arrays[key].dtype)

        if "file" not in state:
            self.arrays = {key: typed(key, value) for key, value in state["buffers"].items()}
            self.finished = {key: [typed(key, part) for part in parts] for key, parts in state["finished"].items()}
            return
        stored = Writer.resume(state["file"]["path"])
        if self.writer is None:
            self.writer = stored
        self.writer.truncate[self.owner] = {name: int(length) for name, length in state["file"]["lengths"].items()}
        self.arrays.update({key: typed(key, value) for key, value in state["buffers"].items()})


def check_event_records(source_size: int, source_name: str, counted: bool) -> RecordCheck:
    """The check of an event monitor's stored records: indices within its source, and (``counted``: it records
    every event) counts that are those of the indices."""
    def check(records: dict[str, list[np.ndarray]], arrays: dict[str, np.ndarray]) -> None:
        indices = np.concatenate(records["i"])
        in_range(indices, source_size, f"the recorded indices 'i' (of {source_name})")
        if counted:
            same_values(arrays["_count"], np.bincount(indices, minlength=source_size),
                        "the event counts '_count' (from the recorded 'i')")
    return check
