"""Resolving the names a model string uses, as Brian 2 does: the object's own
variables, then an explicit namespace (else the caller's frame), then the names
every string knows (units, pi, e, inf)."""

from __future__ import annotations

import inspect
import math
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from simcore.equations.python_functions import Function
from simcore.errors import ModelKeyError
from simcore.units import UNIT_NAMES

_PACKAGE_DIRS = tuple(str(Path(p).resolve()) for p in (Path(__file__).parents[0], Path(__file__).parents[1] / "units"))
DEFAULT_CONSTANTS = {"pi": math.pi, "e": math.e, "inf": math.inf}


def is_simcore_file(filename: str) -> bool:
    try:
        resolved = str(Path(filename).resolve())
    except OSError:
        return False
    return resolved.startswith(_PACKAGE_DIRS)


def caller_namespace() -> dict[str, Any]:
    """Globals then locals of the first frame outside simcore (the user's script or function)."""
    frame = sys._getframe(1)
    while frame is not None and is_simcore_file(frame.f_code.co_filename):
        frame = frame.f_back
    if frame is None:
        return {}
    return {**frame.f_globals, **frame.f_locals}


def lookup(name: str, explicit: Mapping[str, Any] | None, frame: Mapping[str, Any] | None) -> tuple[bool, Any]:
    """(found, value) for an external name: explicit namespace, else the frame, then defaults. A Python function
    that declares its units (``@check_units(..., result=...)``) is found as a Function."""
    if explicit is not None and name in explicit:
        return True, as_model_value(name, explicit[name])
    if explicit is None and frame is not None and name in frame:
        return True, as_model_value(name, frame[name])
    if name in UNIT_NAMES:
        return True, UNIT_NAMES[name]
    if name in DEFAULT_CONSTANTS:
        return True, DEFAULT_CONSTANTS[name]
    return False, None


def as_model_value(name: str, value: Any) -> Any:
    """``value`` as model strings use it: a plain Python function becomes a Function (which refuses one that does
    not give its units: Brian 2 does not resolve such a name, hence a KeyError)."""
    if not inspect.isfunction(value):
        return value
    if not hasattr(value, "_arg_units"):
        raise ModelKeyError(f"'{name}' is a Python function that does not give its units, so model strings cannot "
                            "call it: decorate it with @check_units(..., result=...) or wrap it in "
                            "Function(f, arg_units=[...], return_unit=...)")
    return Function(value)
