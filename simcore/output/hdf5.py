"""Monitors' records streamed into an HDF5 file while the run goes on.

The layout (docs/guide/output.md, "Output to HDF5"): the file's attributes say what wrote it; each monitor is a group
named like the monitor, with its kind, source, time step and model as attributes, and one resizable,
chunked, compressed dataset per record (``t`` in seconds, ``i``, recorded variables in SI units, each with
a ``unit`` attribute). Records are appended at the end of every chunk of steps, so memory holds one chunk's
records whatever the run's length. Format version 2 keeps times in seconds (right when dt changes between
runs); a file of version 1 (times in time steps of the monitor's ``dt``) is refused with a clear error.

The file is written in HDF5's single-writer/multiple-reader mode: it stays consistent on disk at every
moment, so a run that is killed leaves everything up to the last chunk readable. Such a file (not closed
by its writer) opens with ``h5py.File(path, 'r', swmr=True)``; ``load_output`` does that itself.

A write that fails (a full disk, a quota) stops the run with an OSError naming the file and the free space.
HDF5 buffers data and metadata, so such an error surfaces at a flush or when a dataset handle closes; the
writer therefore holds its dataset handles for the run and flushes each dataset after appending to it (a
handle closed by the garbage collector would report the error as "Exception ignored" and go on). After a
failure it cuts every dataset back to the rows known to be written and closes the file; when HDF5 cannot
write even that, the handle's descriptor is pointed at a scratch file so that closing it cannot fail (a
handle whose close failed crashes the interpreter at exit) and the file stays as its last successful flush
left it, like the file of a killed run.
"""

from __future__ import annotations

import datetime
import errno
import os
import re
import shutil
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import h5py
import numpy as np

from simcore.errors import ModelError

FORMAT = "simcore-hdf5"
FORMAT_VERSION = 2  # 2: records' times in seconds (1: in time steps of the monitor's dt)
COMPRESSIONS = ("auto", "lzf", "gzip", None)
PER_ELEMENT = ("count",)  # datasets with one value per monitored element; the others have one row per record


@dataclass(frozen=True)
class Output:
    """Where and how to write: ``Output('run.h5', overwrite=True, compression='gzip')``; a plain path is
    ``Output(path)``. An existing file is refused unless ``overwrite=True`` (replace it) or ``append=True``
    (add monitors to a file simcore wrote). ``compression``: 'auto' (lzf for indices, counts and times; none
    for recorded floating-point values, which barely compress: 6.4 of 8 bytes with lzf, and made a CUBA run
    with 1000 voltage traces 1.65x slower, measured), 'lzf', 'gzip' or None."""

    path: str
    overwrite: bool = False
    append: bool = False
    compression: str | None = "auto"

    def __post_init__(self):
        if self.compression not in COMPRESSIONS:
            raise ModelError(f"compression={self.compression!r}; use 'auto', 'lzf' (fast), 'gzip' (smaller) or None")
        if self.overwrite and self.append:
            raise ModelError("an output cannot both overwrite and append to a file: choose one")


def file_key(path: str | os.PathLike) -> str:
    """One name per file, however the path is written."""
    return os.path.realpath(path)


def same_path(first: str | os.PathLike, second: str | os.PathLike) -> bool:
    return file_key(first) == file_key(second)


def as_output(target: str | os.PathLike | Output | None) -> Output | None:
    if target is None or isinstance(target, Output):
        return target
    if isinstance(target, str | os.PathLike):
        return Output(os.fspath(target))
    raise ModelError(f"an output is a file path or simcore.Output(...), not {target!r}")


class Writer:
    """One HDF5 file and the monitor groups written into it. Opened for each run (``open``), closed at its
    end; monitors append records (``append``) and replace whole datasets (``replace``) in between."""

    def __init__(self, output: Output):
        self.output = output
        self.file: h5py.File | None = None
        self.created = False
        self.groups: dict[str, dict] = {}  # monitor name -> {"attrs": ..., "datasets": {name: (dtype, shape)}}
        self.truncate: dict[str, dict[str, int]] = {}  # monitor -> dataset -> length, applied at the next open
        self._handles: dict[tuple[str, str], h5py.Dataset] = {}  # open datasets while the file is open
        self._written: dict[tuple[str, str], int] = {}  # rows known to be on disk, per appended dataset
        self.failed = False  # a write failed: the file was closed, and records staged since stay in memory
        self._check_target()

    @classmethod
    def resume(cls, path: str) -> Writer:
        """A writer that goes on writing a file of an earlier run (of this or another process)."""
        writer = cls(Output(path, append=True))
        writer.created = True
        return writer

    def same_file(self, other: Writer) -> bool:
        return same_path(self.output.path, other.output.path)

    def _check_target(self) -> None:
        path = Path(self.output.path)
        if path.exists() and not (self.output.overwrite or self.output.append):
            raise ModelError(f"the output file {path} exists; pass overwrite=True to replace it or append=True to "
                             "add to it (simcore.Output(path, overwrite=True))")
        folder = path.parent if str(path.parent) else Path(".")
        if not folder.is_dir():
            raise ModelError(f"cannot write the output file {path}: the folder {folder} does not exist")
        if not os.access(folder, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
            raise ModelError(f"cannot write the output file {path}: permission denied")
        if path.exists() and self.output.append:
            open_simcore_file(path, "append to").close()

    def declare(self, monitor: str, attrs: dict, datasets: dict[str, tuple[np.dtype, tuple[int, ...], str]]) -> None:
        """A monitor's group: its attributes and its datasets (dtype, shape of one record, unit)."""
        self.groups[monitor] = {"attrs": attrs, "datasets": datasets}

    def open(self, run_attrs: dict) -> None:
        """Open the file for a run, creating what is new, then switch to single-writer mode."""
        if self.truncate:
            _rewrite_truncated(self.output.path, self.truncate)
            self.truncate = {}
        fresh = not self.created and not self.output.append
        try:
            with self._failing_write():
                self.file = h5py.File(self.output.path, "w" if fresh else "a", libver="latest")
                self._lay_out(fresh, run_attrs)
        except OSError:
            if fresh:
                Path(self.output.path).unlink(missing_ok=True)  # created just now, and holds no record
            raise
        self._handles = {(monitor, name): self.file[monitor][name] for monitor in self.groups
                         for name in self.groups[monitor]["datasets"]}
        self._written = {}
        self.failed = False

    def _lay_out(self, fresh: bool, run_attrs: dict) -> None:
        """The file's attributes and the monitors' new groups and datasets, written out (single-writer mode
        starts with a flush)."""
        if fresh or FORMAT not in self.file.attrs.get("format", ""):
            self.file.attrs.update({"format": FORMAT, "format_version": FORMAT_VERSION,
                                    "created": datetime.datetime.now().isoformat(timespec="seconds")})
        started = datetime.datetime.now().isoformat(timespec="seconds")
        self.file.attrs.update({**run_attrs, "last_run_started_at": started})
        for monitor, spec in self.groups.items():
            if monitor in self.file:
                if not self.created:
                    self.file.close()
                    raise ModelError(f"the output file {self.output.path} already has a group '{monitor}'; name "
                                     "the monitor differently or write to another file")
                continue
            group = self.file.create_group(monitor)
            group.attrs.update(spec["attrs"])
            for name, (dtype, shape, unit) in spec["datasets"].items():
                compression = self.output.compression
                if compression == "auto":
                    # times: many records share one (every spike of a step), and they only grow: they compress
                    compression = "lzf" if np.issubdtype(dtype, np.integer) or name == "t" else None
                rows = max(1, (1 << 16) // max(1, int(np.prod(shape)) * np.dtype(dtype).itemsize))
                dataset = group.create_dataset(name, shape=(0, *shape), maxshape=(None, *shape), dtype=dtype,
                                               chunks=(rows, *shape) if all(shape) else None,
                                               compression=compression, shuffle=compression is not None)
                dataset.attrs["unit"] = unit
                dataset.attrs["scale"] = 1.0  # value in unit = stored * scale (files of format 1: dt for 't')
        self.created = True
        self.file.flush()  # a failed switch to single-writer mode leaves a handle that crashes when closed
        self.file.swmr_mode = True

    def append(self, monitor: str, name: str, values: np.ndarray) -> None:
        dataset = self._handles[monitor, name]
        start = dataset.shape[0]
        self._written.setdefault((monitor, name), start)
        with self._failing_write():
            dataset.resize(start + len(values), axis=0)
            dataset[start:] = values
            dataset.flush()
        self._written[monitor, name] = start + len(values)

    def replace(self, monitor: str, name: str, values: np.ndarray) -> None:
        """Set a whole dataset whose length never changes after the first write (per-neuron counts)."""
        dataset = self._handles[monitor, name]
        with self._failing_write():
            if dataset.shape[0] != len(values):
                dataset.resize(len(values), axis=0)
            dataset[:] = values
            dataset.flush()

    def flush(self) -> None:
        """Flush each dataset (appends already did). Not the whole file: after an H5Fflush that failed, HDF5's
        metadata cache cannot flush or close the file any more, whatever its descriptor points at."""
        if self.file is not None:
            with self._failing_write():
                for dataset in self._handles.values():
                    dataset.flush()

    def close(self) -> None:
        """Flush, then close: a close whose writes fail cannot be retried or undone."""
        self.flush()
        if self.file is not None:
            self.file.close()
            self._handles = {}
            self.file = None

    @contextmanager
    def _failing_write(self):
        """Turn HDF5's error for a failed write into an OSError that says which file, how much space is left
        and what was kept, after cutting the file back to what was written."""
        try:
            yield
        except (OSError, RuntimeError) as error:
            kept = self._abandon() if self.file is not None else ""
            folder = os.path.dirname(os.path.abspath(self.output.path))
            free = shutil.disk_usage(folder).free
            code = getattr(error, "errno", None) or _errno_in(str(error))
            raise OSError(code, f"writing the output file {self.output.path} failed: {os.strerror(code)} ({free} "
                                f"bytes free on its file system); the run stops here{kept}",
                          self.output.path) from error

    def _abandon(self) -> str:
        """Close the file after a failed write, with every appended dataset cut back to the rows of the records
        written in full (the shortest dataset of each monitor); says what the file keeps, for the message."""
        self.failed = True
        rows = {}
        for (monitor, _), written in self._written.items():
            rows[monitor] = min(rows.get(monitor, written), written)
        try:
            for monitor, name in self._written:
                self._handles[monitor, name].resize(rows[monitor], axis=0)
                self._handles[monitor, name].flush()
        except (OSError, RuntimeError):
            _discard_pending_writes(self.file.id.get_vfd_handle())
            # the file now reads as a killed run's: a next run (after space was freed) rewrites it, cut there
            self.truncate = {monitor: {name: rows[monitor] for (owner, name) in self._written if owner == monitor}
                             for monitor in rows}
        try:
            self.file.close()  # once only: after a failed close HDF5 has freed the datasets, and a retry crashes
        except (OSError, RuntimeError):
            pass  # HDF5's cache broke (a failed H5Fflush); the file on disk is as its last good flush left it
        self._handles, self._written, self.file = {}, {}, None
        kept = ", ".join(f"{count} records of '{monitor}'" for monitor, count in rows.items())
        return f", and the file keeps {kept}" if kept else ", before writing any record"

    def length(self, monitor: str, name: str) -> int:
        if self.file is not None:
            return len(self.file[monitor][name]) if name in PER_ELEMENT else complete_records(self.file[monitor])
        with h5py.File(self.output.path, "r", swmr=True) as stored:
            return len(stored[monitor][name]) if name in PER_ELEMENT else complete_records(stored[monitor])

    def read(self, monitor: str, name: str) -> np.ndarray:
        """A dataset as written so far (while the file is open for the run, or after it)."""
        if self.file is not None:
            return stored_records(self.file[monitor], name)
        with h5py.File(self.output.path, "r", swmr=True) as stored:
            return stored_records(stored[monitor], name)


def complete_records(group: h5py.Group) -> int:
    """The records that every per-record dataset of a monitor's group holds: a run stopped between the writes
    of two of them (killed, or by a failed write) leaves some longer."""
    return min((dataset.shape[0] for key, dataset in group.items() if key not in PER_ELEMENT), default=0)


def stored_records(group: h5py.Group, name: str) -> np.ndarray:
    """A monitor's dataset as stored, a per-record one cut to the complete records."""
    dataset = group[name]
    return dataset[...] if name in PER_ELEMENT else dataset[:complete_records(group)]


def _discard_pending_writes(descriptor: int) -> None:
    """Point the descriptor of a file that HDF5 cannot flush at a scratch file in memory, so that its close
    succeeds and the file on disk keeps what its last successful flush wrote."""
    size = os.fstat(descriptor).st_size
    memfd_create = getattr(os, "memfd_create", None)
    scratch = memfd_create("simcore-discarded") if memfd_create else os.open(os.devnull, os.O_RDWR)
    try:
        os.dup2(scratch, descriptor)
    finally:
        os.close(scratch)
    if memfd_create:
        os.ftruncate(descriptor, size)


def _errno_in(message: str) -> int:
    """The errno in an HDF5 error message ('errno = 28'); EIO when it has none."""
    found = re.search(r"errno = (\d+)", message)
    return int(found.group(1)) if found else errno.EIO


def _rewrite_truncated(path: str, lengths: dict[str, dict[str, int]]) -> None:
    """The file with the given datasets cut to their lengths (records after a restored checkpoint), rewritten
    into a new file: a file whose writer was killed can only be read (in SWMR mode), and HDF5's own object
    copy fails on such a handle, so the data goes across in slices. Refused before writing when the copy may
    not fit: HDF5 cannot recover from a failed write."""
    needed = os.path.getsize(path)
    free = shutil.disk_usage(os.path.dirname(os.path.abspath(path))).free
    if free < needed:
        raise OSError(errno.ENOSPC, f"cutting {path} back to its complete records needs a copy of up to {needed} "
                                    f"bytes, and its file system has {free} bytes free: free some space and run "
                                    "again", path)
    temporary = f"{path}.rewrite.tmp"
    with h5py.File(path, "r", swmr=True) as old, h5py.File(temporary, "w", libver="latest") as new:
        new.attrs.update(old.attrs)
        for monitor, group in old.items():
            copy = new.create_group(monitor)
            copy.attrs.update(group.attrs)
            for name, dataset in group.items():
                length = min(lengths.get(monitor, {}).get(name, dataset.shape[0]), dataset.shape[0])
                target = copy.create_dataset(name, shape=(length, *dataset.shape[1:]), maxshape=dataset.maxshape,
                                             dtype=dataset.dtype, chunks=dataset.chunks,
                                             compression=dataset.compression, shuffle=dataset.shuffle)
                target.attrs.update(dataset.attrs)
                rows = max(1, (64 << 20) // max(1, dataset.dtype.itemsize * int(np.prod(dataset.shape[1:]))))
                for first in range(0, length, rows):
                    target[first:first + rows] = dataset[first:min(first + rows, length)]
    os.replace(temporary, path)


def open_simcore_file(path: str | os.PathLike, purpose: str, swmr: bool = True) -> h5py.File:
    """A file simcore wrote, open for reading (in SWMR mode, so also one whose writer was killed, unless
    ``swmr`` is False); a clear error for a missing, unreadable or foreign file. ``purpose``: 'read',
    'restore from', 'append to', ..."""
    if not Path(path).exists():
        raise ModelError(f"cannot {purpose} {os.fspath(path)}: no such file")
    try:
        stored = h5py.File(path, "r", swmr=swmr)
    except OSError as error:
        raise ModelError(f"cannot {purpose} {os.fspath(path)}: it is not a readable HDF5 file ({error})") from None
    if stored.attrs.get("format") != FORMAT:
        stored.close()
        raise ModelError(f"cannot {purpose} {os.fspath(path)}: it is an HDF5 file, but not one simcore wrote (no "
                         f"format attribute '{FORMAT}')")
    version = stored.attrs.get("format_version")
    if version != FORMAT_VERSION:
        stored.close()
        what = "an earlier simcore, which kept records' times and spikes in flight in time steps" \
            if isinstance(version, int | np.integer) and version < FORMAT_VERSION else "another simcore"
        raise ModelError(f"cannot {purpose} {os.fspath(path)}: it was written by {what} (format version "
                         f"{version}; this simcore reads and writes version {FORMAT_VERSION}): write it again with "
                         "this simcore, or read it with the one that wrote it")
    return stored
