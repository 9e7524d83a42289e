"""A network's stored state (``Network.store(name, filename=)``) in an HDF5 file, and back.

A snapshot is a tree of dicts, lists and tuples whose leaves are numpy arrays, numbers, strings or None
(what the objects' ``state()`` give); it is written under ``/snapshots/<name>``: a dict as a group whose
members are its keys, a list or tuple as a group of members ``0``, ``1``, ..., an array as a dataset, a
number or string as a 0-d dataset, None as an empty group; every group says which it is in its ``type``
attribute. Writing goes to a temporary file first, which then replaces the old one: a crash while storing
leaves the previous file intact.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import h5py
import numpy as np

from simcore.errors import ModelError
from simcore.output.hdf5 import FORMAT, FORMAT_VERSION, open_simcore_file

SNAPSHOTS = "snapshots"


def _write(parent: h5py.Group, key: str, value: Any) -> None:
    if isinstance(value, dict):
        group = parent.create_group(key)
        group.attrs["type"] = "dict"
        for name, item in value.items():
            _write(group, str(name), item)
    elif isinstance(value, list | tuple):
        group = parent.create_group(key)
        group.attrs["type"] = type(value).__name__
        for position, item in enumerate(value):
            _write(group, str(position), item)
    elif value is None:
        parent.create_group(key).attrs["type"] = "none"
    elif isinstance(value, np.ndarray | np.generic | int | float | bool | str):
        parent.create_dataset(key, data=value)
    else:
        raise ModelError(f"internal: cannot store a {type(value).__name__} in a snapshot")


def _read(node: h5py.Group | h5py.Dataset) -> Any:
    if isinstance(node, h5py.Dataset):
        value = node[()]
        if isinstance(value, bytes):
            return value.decode()
        return value if node.shape else value.item() if isinstance(value, np.generic) else value
    kind = node.attrs.get("type")
    if kind == "none":
        return None
    if kind == "dict":
        return {name: _read(item) for name, item in node.items()}
    items = [_read(node[str(position)]) for position in range(len(node))]
    return tuple(items) if kind == "tuple" else items


def write_snapshot(path: str | os.PathLike, name: str, snapshot: dict) -> None:
    """Store ``snapshot`` as ``name`` in the file (created if needed; other snapshots in it are kept)."""
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise ModelError(f"cannot store into {path}: the folder {folder} does not exist")
    handle, temporary = tempfile.mkstemp(dir=folder, suffix=".h5.tmp")
    os.close(handle)
    try:
        with h5py.File(temporary, "w") as out:
            if path.exists():
                with open_simcore_file(path, "store into", swmr=False) as old:
                    for kept in old.get(SNAPSHOTS, {}):
                        if kept != name:
                            old.copy(old[SNAPSHOTS][kept], out.require_group(SNAPSHOTS), kept)
            out.attrs.update({"format": FORMAT, "format_version": FORMAT_VERSION})
            _write(out.require_group(SNAPSHOTS), name, snapshot)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def read_snapshot(path: str | os.PathLike, name: str) -> dict:
    """The snapshot stored as ``name``; a clear error for a missing, foreign or corrupt file."""
    with open_simcore_file(path, "restore from", swmr=False) as stored:
        snapshots = stored.get(SNAPSHOTS)
        if snapshots is None or name not in snapshots:
            found = sorted(snapshots) if snapshots is not None else []
            raise ModelError(f"{os.fspath(path)} has no stored state named {name!r}; it has {found}")
        return _read(snapshots[name])
