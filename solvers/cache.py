"""Integration results kept on disk: sympy takes 0.1-0.3 s to integrate a Hodgkin-Huxley model,
reading its pickled statements back takes a millisecond, and a second run of a script should build
in well under a second. Entries are named by a hash of the equations, the method names and the
source of the modules that shape the result, so a change to any of them misses the cache."""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from functools import cache
from pathlib import Path

import sympy

from simcore import equations as equations_package
from simcore import ir
from simcore.equations import Equations
from simcore.ir import StateUpdate
from simcore.units.registry import cache_root

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


def _path(entry: str) -> Path:
    return cache_root() / "solvers" / f"{entry}.pickle"


def load(entry: str) -> StateUpdate | None:
    """The stored result, or None (absent, unreadable, or written by another version)."""
    try:
        with open(_path(entry), "rb") as stream:
            update = pickle.load(stream)
    except Exception:  # any unreadable entry is a miss: the result is computed again
        return None
    return update if isinstance(update, StateUpdate) else None


def store(entry: str, update: StateUpdate) -> None:
    """Write the result (atomically); a cache folder that cannot be written only costs speed."""
    path = _path(entry)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    except OSError:
        return
    try:
        with os.fdopen(handle, "wb") as stream:
            pickle.dump(update, stream, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, path)
    except (OSError, pickle.PicklingError, TypeError, AttributeError):
        Path(temporary).unlink(missing_ok=True)
