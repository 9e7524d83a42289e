"""Integration results kept on disk: sympy takes 0.1-0.3 s to integrate a Hodgkin-Huxley model,
reading its pickled statements back takes a millisecond, and a second run of a script should build
in well under a second. Entries are named by a hash of the equations, the method names and the
source of the modules that shape the result, so a change to any of them misses the cache.

An entry is a pickle, and unpickling runs code: each entry starts with an HMAC-SHA256 tag of its name and
its pickle under a random key that only this cache folder holds (``key``, mode 0600). An entry whose tag does
not match (damaged, or not written by simcore with this key) is ignored with a warning, never unpickled, and
computed again. The folder itself must pass ``checked_cache_folder``."""

from __future__ import annotations

import hashlib
import hmac
import os
import pickle
import secrets
import tempfile
import warnings
from functools import cache
from pathlib import Path

import sympy

from simcore import equations as equations_package
from simcore import ir
from simcore.equations import Equations
from simcore.errors import CacheFolderError
from simcore.ir import StateUpdate
from simcore.units.registry import checked_cache_folder

# the result depends on the solvers, the equation model and the statements' form
_SOURCES = (Path(__file__).parent, Path(equations_package.__file__).parent, Path(ir.__file__))


@cache
def _sources_digest() -> str:
    digest = hashlib.sha256(sympy.__version__.encode())
    for place in _SOURCES:
        for path in sorted(place.glob("*.py")) if place.is_dir() else [place]:
            digest.update(path.read_bytes())
    return digest.hexdigest()


def key(equations: Equations, method_names: tuple[str, ...]) -> str:
    """The entry's name for these equations integrated by the first of ``method_names`` that works."""
    digest = hashlib.sha256(_sources_digest().encode())
    digest.update(repr(method_names).encode())
    for equation in equations:
        expr = None if equation.expr is None else sympy.srepr(equation.expr)
        digest.update(repr((equation.name, equation.kind.value, expr, str(equation.dimension), equation.var_type,
                            sorted(equation.flags))).encode())
    return digest.hexdigest()[:32]


_KEY_BYTES = 32


def _folder() -> Path:
    """The checked ``solvers`` folder: one other users could write into is refused, not silently skipped."""
    folder, problem = checked_cache_folder("solvers")
    if problem is not None:
        raise CacheFolderError(problem)
    return folder


def _key(folder: Path) -> bytes:
    """The folder's secret key, made on first use: written to a private temporary file, then linked into place,
    so that no process reads a half-written key and concurrent first uses agree on one. Read on every use (32
    bytes): a folder emptied meanwhile gets a new key."""
    path = folder / "key"
    try:
        key: bytes | None = path.read_bytes()
    except FileNotFoundError:
        key = None
    if key is None or len(key) != _KEY_BYTES:
        handle, temporary = tempfile.mkstemp(dir=folder, suffix=".tmp")  # mode 0600
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(secrets.token_bytes(_KEY_BYTES))
            if key is None:
                try:
                    os.link(temporary, path)
                except FileExistsError:  # another process made it first: use that one
                    pass
            else:  # a damaged key: replaced (the entries tagged with it become misses)
                os.replace(temporary, path)
        finally:
            Path(temporary).unlink(missing_ok=True)
        key = path.read_bytes()
        if len(key) != _KEY_BYTES:
            raise OSError(f"the solver cache key {path} is damaged")
    return key


def _tag(key: bytes, entry: str, data: bytes) -> bytes:
    return hmac.new(key, entry.encode() + b"\0" + data, hashlib.sha256).digest()


def load(entry: str) -> StateUpdate | None:
    """The stored result, or None (absent, written by another version, or not written by simcore here)."""
    folder = _folder()
    path = folder / f"{entry}.pickle"
    try:
        stored = path.read_bytes()
        key = _key(folder)
    except OSError:  # absent or unreadable: computed again
        return None
    tag, data = stored[:_KEY_BYTES], stored[_KEY_BYTES:]
    if not hmac.compare_digest(tag, _tag(key, entry, data)):
        warnings.warn(f"ignored the solver cache entry {path}: it is damaged or was not written by simcore with "
                      "this cache folder's key, so it is not read; the equations are integrated again",
                      stacklevel=2)
        return None
    try:
        update = pickle.loads(data)
    except Exception:  # written by simcore, but by a version whose classes differ: computed again
        return None
    return update if isinstance(update, StateUpdate) else None


def store(entry: str, update: StateUpdate) -> None:
    """Write the result with its tag (atomically); a failed write (a full disk) only costs speed."""
    folder = _folder()
    path = folder / f"{entry}.pickle"
    try:
        data = pickle.dumps(update, protocol=pickle.HIGHEST_PROTOCOL)
    except (pickle.PicklingError, TypeError, AttributeError):
        return
    try:
        handle, temporary = tempfile.mkstemp(dir=folder, suffix=".tmp")
    except OSError:
        return
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(_tag(_key(folder), entry, data) + data)
        os.replace(temporary, path)
    except OSError:
        Path(temporary).unlink(missing_ok=True)
