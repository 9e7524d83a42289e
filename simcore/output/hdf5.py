"""Monitors' records streamed into an HDF5 file while the run goes on.

The layout (README, "Output to HDF5"): the file's attributes say what wrote it; each monitor is a group
named like the monitor, with its kind, source, time step and model as attributes, and one resizable,
chunked, compressed dataset per record (``t`` in time steps of the monitor's ``dt``, ``i``, recorded
variables in SI units, each with a ``unit`` attribute). Records are appended at the end of every chunk of
steps, so memory holds one chunk's records whatever the run's length.

The file is written in HDF5's single-writer/multiple-reader mode: it stays consistent on disk at every
moment, so a run that is killed leaves everything up to the last chunk readable. Such a file (not closed
by its writer) opens with ``h5py.File(path, 'r', swmr=True)``; ``load_output`` does that itself.
"""

from __future__ import annotations

import datetime
import os
from dataclasses import dataclass
from pathlib import Path

import h5py
import numpy as np

from simcore.errors import ModelError

FORMAT = "simcore-hdf5"
FORMAT_VERSION = 1
COMPRESSIONS = ("auto", "lzf", "gzip", None)


@dataclass(frozen=True)
class Output:
    """Where and how to write: ``Output('run.h5', overwrite=True, compression='gzip')``; a plain path is
    ``Output(path)``. An existing file is refused unless ``overwrite=True`` (replace it) or ``append=True``
    (add monitors to a file simcore wrote). ``compression``: 'auto' (lzf for integer records: indices, time
    steps, counts; none for floating-point values, which barely compress: 6.4 of 8 bytes with lzf, and made a
    CUBA run with 1000 voltage traces 1.65x slower, measured), 'lzf', 'gzip' or None."""

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
        self.file = h5py.File(self.output.path, "w" if fresh else "a", libver="latest")
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
                    compression = "lzf" if np.issubdtype(dtype, np.integer) else None
                rows = max(1, (1 << 16) // max(1, int(np.prod(shape)) * np.dtype(dtype).itemsize))
                dataset = group.create_dataset(name, shape=(0, *shape), maxshape=(None, *shape), dtype=dtype,
                                               chunks=(rows, *shape) if all(shape) else None,
                                               compression=compression, shuffle=compression is not None)
                dataset.attrs["unit"] = unit
                dataset.attrs["scale"] = spec["attrs"]["dt"] if name == "t" else 1.0  # value in unit = stored * scale
        self.created = True
        self.file.swmr_mode = True

    def append(self, monitor: str, name: str, values: np.ndarray) -> None:
        dataset = self.file[monitor][name]
        start = dataset.shape[0]
        dataset.resize(start + len(values), axis=0)
        dataset[start:] = values

    def replace(self, monitor: str, name: str, values: np.ndarray) -> None:
        """Set a whole dataset whose length never changes after the first write (per-neuron counts)."""
        dataset = self.file[monitor][name]
        if dataset.shape[0] != len(values):
            dataset.resize(len(values), axis=0)
        dataset[:] = values

    def flush(self) -> None:
        if self.file is not None:
            self.file.flush()

    def close(self) -> None:
        if self.file is not None:
            self.file.close()
            self.file = None

    def length(self, monitor: str, name: str) -> int:
        if self.file is not None:
            return self.file[monitor][name].shape[0]
        with h5py.File(self.output.path, "r", swmr=True) as stored:
            return stored[monitor][name].shape[0]

    def read(self, monitor: str, name: str) -> np.ndarray:
        """A dataset as written so far (while the file is open for the run, or after it)."""
        if self.file is not None:
            return self.file[monitor][name][...]
        with h5py.File(self.output.path, "r", swmr=True) as stored:
            return stored[monitor][name][...]


def _rewrite_truncated(path: str, lengths: dict[str, dict[str, int]]) -> None:
    """The file with the given datasets cut to their lengths (records after a restored checkpoint), rewritten
    into a new file: a file whose writer was killed can only be read (in SWMR mode), and HDF5's own object
    copy fails on such a handle, so the data goes across in slices."""
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
    return stored
