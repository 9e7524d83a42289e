"""A network's stored state (``Network.store(name, filename=)``) in an HDF5 file, and back.

A snapshot is a tree of dicts, lists and tuples whose leaves are numpy arrays, numbers, strings or None
(what the objects' ``state()`` give); it is written under ``/snapshots/<name>``: a dict as a group whose
members are its keys, a list or tuple as a group of members ``0``, ``1``, ..., an array as a dataset, a
number or string as a 0-d dataset, None as an empty group; every group says which it is in its ``type``
attribute. Writing goes to a temporary file first, which then replaces the old one: a crash or a full disk
while storing leaves the previous file intact.

A file is data: reading one builds nothing but that tree, and the objects check every part of it
(``check_state``, with the helpers below) before any of them takes it.
"""

from __future__ import annotations

import io
import os
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import h5py
import numpy as np

from simcore.errors import ModelError, ModelKeyError
from simcore.objects.memory import check_fits
from simcore.output.hdf5 import FORMAT, FORMAT_VERSION, open_simcore_file
from simcore.random_counter import MAX_STEP

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
        if node.dtype.kind not in "biufS" and h5py.check_string_dtype(node.dtype) is None:
            raise ModelError(f"{node.name} holds {node.dtype} data; a snapshot holds numbers, arrays and strings")
        value = node[()]
        if isinstance(value, bytes):
            return value.decode()
        return value if node.shape else value.item() if isinstance(value, np.generic) else value
    if not isinstance(node, h5py.Group):
        raise ModelError(f"{node.name} is a {type(node).__name__}; a snapshot holds groups and datasets only")
    kind = node.attrs.get("type")
    if kind == "none":
        return None
    if kind == "dict":
        return {name: _read(item) for name, item in node.items()}
    if kind not in ("list", "tuple"):
        raise ModelError(f"{node.name} has the type {kind!r}; a snapshot's groups are 'dict', 'list', 'tuple' or "
                         "'none'")
    if sorted(node) != sorted(str(position) for position in range(len(node))):
        raise ModelError(f"{node.name} is a {kind} whose members are {sorted(node)}, not 0, 1, ...")
    items = [_read(node[str(position)]) for position in range(len(node))]
    return tuple(items) if kind == "tuple" else items


def _stored_bytes(node: h5py.Group) -> int:
    """What reading the tree under ``node`` allocates (a crafted file may declare a huge, unwritten dataset)."""
    sizes = []
    node.visititems(lambda _, item: sizes.append(item.size * item.dtype.itemsize)
                    if isinstance(item, h5py.Dataset) else None)
    return sum(sizes)


def write_snapshot(path: str | os.PathLike, name: str, snapshot: dict) -> None:
    """Store ``snapshot`` as ``name`` in the file (created if needed; other snapshots in it are kept). The new
    file is made in memory and then written with plain file writes: HDF5 reports some failed writes only as
    "Exception ignored" when a handle closes, so a snapshot written through it could lack data unnoticed."""
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise ModelError(f"cannot store into {path}: the folder {folder} does not exist")
    image = io.BytesIO()
    with h5py.File(image, "w") as out:
        if path.exists():
            with open_simcore_file(path, "store into", swmr=False) as old:
                for kept in old.get(SNAPSHOTS, {}):
                    if kept != name:
                        old.copy(old[SNAPSHOTS][kept], out.require_group(SNAPSHOTS), kept)
        out.attrs.update({"format": FORMAT, "format_version": FORMAT_VERSION})
        _write(out.require_group(SNAPSHOTS), name, snapshot)
    temporary = None
    try:
        handle, temporary = tempfile.mkstemp(dir=folder, suffix=".h5.tmp")
        with os.fdopen(handle, "wb") as stream:
            stream.write(image.getbuffer())
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except OSError as error:
        if temporary is not None:
            Path(temporary).unlink(missing_ok=True)
        free = shutil.disk_usage(folder).free
        raise OSError(error.errno, f"storing into {path} failed: {error.strerror} ({free} bytes free on its file "
                                   f"system); the file is as it was before", str(path)) from error
    except BaseException:
        if temporary is not None:
            Path(temporary).unlink(missing_ok=True)
        raise


def read_snapshot(path: str | os.PathLike, name: str) -> dict:
    """The snapshot stored as ``name``, as a tree of plain values (checked by the objects before they take it);
    a clear error for a missing, foreign or corrupt file."""
    with open_simcore_file(path, "restore from", swmr=False) as stored:
        snapshots = stored.get(SNAPSHOTS)
        if not isinstance(snapshots, h5py.Group) or name not in snapshots:
            found = sorted(snapshots) if isinstance(snapshots, h5py.Group) else []
            raise ModelError(f"{os.fspath(path)} has no stored state named {name!r}; it has {found}")
        try:
            node = snapshots[name]
            if isinstance(node, h5py.Group):
                check_fits(_stored_bytes(node), f"the state {name!r} stored in {os.fspath(path)}")
            snapshot = _read(node)
        except ModelError as error:
            raise ModelError(f"cannot restore from {os.fspath(path)}: {error.message}") from None
        except (KeyError, OSError, ValueError, TypeError) as error:  # a broken link, unreadable data, bad text
            raise ModelError(f"cannot restore from {os.fspath(path)}: the state {name!r} in it is damaged "
                             f"({type(error).__name__}: {error})") from None
    if not isinstance(snapshot, dict):
        raise ModelError(f"cannot restore from {os.fspath(path)}: the state {name!r} is a {type(snapshot).__name__}, "
                         "not a group of the network's objects")
    return snapshot


# --- checking what a snapshot holds (the objects' check_state) -------------------------------------------------
def _shape_text(shape: tuple) -> str:
    return "(" + ", ".join("any" if size is None else str(size) for size in shape) + ("," if len(shape) == 1 else "") \
        + ")"


def _describe(value: Any) -> str:
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape} ({value.dtype})"
    if isinstance(value, dict):
        return f"a group of {sorted(value)}"
    return f"{type(value).__name__} {value!r}"[:200]


def stored_keys(value: Any, expected: Iterable[str], what: str, hint: str = "") -> dict:
    """``value`` if it is a dict with exactly the ``expected`` keys; else an error naming the missing and the
    extra ones."""
    expected = set(expected)
    if not isinstance(value, dict):
        raise ModelError(f"{what} should be a group of {sorted(expected)}, the stored one is {_describe(value)}")
    if set(value) != expected:
        raise ModelError(f"{what}: expected {sorted(expected)}, the stored state has {sorted(value)} (missing "
                         f"{sorted(expected - set(value))}, unexpected {sorted(set(value) - expected)}){hint}")
    return value


def stored_array(value: Any, dtype, shape: tuple, what: str) -> np.ndarray:
    """``value`` as an array of ``dtype`` (a new array), refused unless it is an array of ``shape`` (a None
    size: any) whose values ``dtype`` holds exactly: no float for an integer or a boolean, no integer out of
    range, no float that another precision would round."""
    dtype = np.dtype(dtype)
    expected = _shape_text(shape)
    if not isinstance(value, np.ndarray):
        raise ModelError(f"{what} should be an array of shape {expected} ({dtype}), the stored one is "
                         f"{_describe(value)}")
    if len(value.shape) != len(shape) or any(size is not None and size != found
                                             for size, found in zip(shape, value.shape, strict=True)):
        raise ModelError(f"{what} has shape {expected}, the stored one {value.shape}")
    kinds = {"b": "booleans", "i": "integers", "u": "integers", "f": "floating-point numbers"}
    if kinds.get(value.dtype.kind) != kinds[dtype.kind]:
        raise ModelError(f"{what} holds {kinds[dtype.kind]} ({dtype}), the stored array has {value.dtype} values")
    cast = value.astype(dtype)
    if value.dtype.kind in "iu" and not np.can_cast(value.dtype, dtype):
        limits = np.iinfo(dtype)
        lost = np.flatnonzero((value < limits.min) | (value > limits.max))
    elif value.dtype.kind == "f" and not np.can_cast(value.dtype, dtype):
        with np.errstate(over="ignore", invalid="ignore"):
            lost = np.flatnonzero((cast != value) & ~(np.isnan(cast) & np.isnan(value)))
    else:
        lost = np.zeros(0, dtype=int)
    if lost.size:
        position = _position(lost[0], value.shape)
        raise ModelError(f"{what} holds {dtype} values; the stored element {_text(position)} is "
                         f"{value[position].item()!r}, which {dtype} cannot hold exactly")
    return cast


def stored_integer(value: Any, what: str, low: int, high: int) -> int:
    """``value`` if it is a whole number (not a bool, not a float) from ``low`` to ``high``."""
    if isinstance(value, np.integer):
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise ModelError(f"{what} should be a whole number from {low} to {high}, the stored one is "
                         f"{_describe(value)}")
    return value


def stored_real(value: Any, what: str, low: float, high: float) -> float:
    """``value`` if it is a finite number (not a bool) from ``low`` to ``high``."""
    if isinstance(value, np.integer | np.floating):
        value = value.item()
    if not isinstance(value, int | float) or isinstance(value, bool) or not low <= value <= high \
            or not np.isfinite(value):
        raise ModelError(f"{what} should be a finite number from {low:g} to {high:g}, the stored one is "
                         f"{_describe(value)}")
    return float(value)


def in_range(values: np.ndarray, size: int, what: str) -> None:
    """Refuse an index array with an entry outside 0 to ``size - 1``, naming the first."""
    bad = np.flatnonzero((values < 0) | (values >= size))
    if bad.size:
        raise ModelError(f"{what} must be from 0 to {size - 1}; the stored element {bad[0]} is {values[bad[0]]}")


def same_values(values: np.ndarray, expected: np.ndarray, what: str) -> None:
    """Refuse ``values`` (read-only or derived ones) that differ from what they must be, naming the first."""
    if values.shape != expected.shape:
        raise ModelError(f"{what} must have shape {expected.shape}, the stored one {values.shape}")
    bad = np.flatnonzero(np.asarray(values != expected).ravel())
    if bad.size:
        position = _position(bad[0], values.shape)
        raise ModelError(f"{what} must be {_summary(expected)}; the stored element {_text(position)} is "
                         f"{values[position]}, expected {expected[position]}")


def _position(flat: int, shape: tuple) -> tuple[int, ...]:
    return tuple(int(k) for k in np.unravel_index(flat, shape))


def _text(position: tuple[int, ...]) -> str:
    return str(position[0]) if len(position) == 1 else str(position)


def _summary(values: np.ndarray) -> str:
    return str(values.tolist()) if values.size <= 8 else f"{values.size} values"


def check_snapshot(snapshot: dict, objects: list, name: str, dt: float) -> None:
    """Refuse a stored state (from a file: data) that is not one of these objects, before any of them changes:
    each object checks its own part (``check_state``); an object without state has none."""
    fixed = ("t", "seed", "random_epoch")
    stored = {key for key in snapshot if key not in fixed and key != "_dts"}
    present = {obj.name for obj in objects}
    if stored != present:
        raise ModelKeyError(f"the state '{name}' was stored from other objects: missing here "
                            f"{sorted(stored - present)}, not in it {sorted(present - stored)}")
    if any(key not in snapshot for key in fixed):
        raise ModelError(f"the state '{name}' is incomplete: it has no {[key for key in fixed if key not in snapshot]}"
                         f" (a state holds {list(fixed)} and one entry per object)")
    try:
        stored_real(snapshot["t"], "the time 't' (in seconds)", 0.0, (MAX_STEP - 1) * dt)
        stored_integer(snapshot["seed"], "the random seed 'seed'", 0, 2**64 - 1)
        stored_integer(snapshot["random_epoch"], "'random_epoch' (restores since the seed)", 0, 2**63 - 1)
        dts = stored_keys(snapshot.get("_dts", {}), set(snapshot.get("_dts", {})) & present,
                          "the time steps '_dts' (by object)")
        for owner, dt in dts.items():
            stored_real(dt, f"the time step of '{owner}' (in seconds)", 1e-15, 1e6)
    except ModelError as error:
        raise ModelError(f"cannot restore the state '{name}': {error.message}") from None
    for obj in objects:
        try:
            if hasattr(obj, "check_state"):
                obj.check_state(snapshot[obj.name])
            elif not isinstance(snapshot[obj.name], dict) or snapshot[obj.name]:
                raise ModelError(f"it has no state, the stored one is {snapshot[obj.name]!r}"[:300])
        except ModelError as error:
            raise ModelError(f"cannot restore {obj.where()} from the state '{name}': {error.message}") from None


_DUMPS = ("plan", "source")
