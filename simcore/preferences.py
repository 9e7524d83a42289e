"""``prefs``: Brian 2's preferences object. ``prefs.core.default_float_dtype`` (float64 or float32) sets the
precision of the floating-point state of groups and synapses created afterwards that do not pass
``dtype=``; ``prefs.logging.*`` set simcore's log (see simcore.logger); ``prefs.legacy.refractory_timing``
gives Brian 2.1.2's refractory timing to runs started afterwards; ``prefs.codegen.vector_math`` (simcore's own,
default True) computes exp, log, expm1, exprel and tanh in CPU kernels with simcore's vectorisable functions and
lets LLVM fuse multiply-adds, False gives the C library's functions and one rounding per operation. Brian 2's
other preferences (code generation targets, compiler flags, standalone devices' options) have no use in
simcore: setting one is reported with a warning, not silently accepted or refused, so that a Brian 2 script
runs unchanged."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from simcore.errors import ModelError, ModelTypeError, ModelValueError
from simcore.objects.base import SLOTS, check_schedule

_FLOAT_TYPES = {np.dtype(np.float64): np.float64, np.dtype(np.float32): np.float32}
_LOG_LEVELS = ("ERROR", "WARNING", "INFO", "DEBUG", "DIAGNOSTIC")
_values: dict[str, Any] = {
    "core.default_float_dtype": np.float64,
    "core.network.default_schedule": list(SLOTS),
    "logging.file_log": True,
    "logging.file_log_level": "DEBUG",
    "logging.console_log_level": "INFO",
    "logging.delete_log_on_exit": True,
    "legacy.refractory_timing": False,
    "codegen.vector_math": True,
}


def _float_type(value) -> type:
    try:
        return _FLOAT_TYPES[np.dtype(value)]
    except (TypeError, KeyError):
        raise ModelError(f"prefs.core.default_float_dtype must be float64 or float32, not {value!r}") from None


def _flag(name: str):
    def check(value) -> bool:
        if not isinstance(value, bool | np.bool_):
            raise ModelTypeError(f"prefs.{name} is True or False, not {value!r}")
        return bool(value)

    return check


def _level(name: str):
    def check(value) -> str:
        if str(value).upper() not in _LOG_LEVELS:
            raise ModelValueError(f"prefs.{name} is one of {', '.join(_LOG_LEVELS)}, not {value!r}")
        return str(value).upper()

    return check


_CHECKS = {
    "core.default_float_dtype": _float_type,
    "core.network.default_schedule": check_schedule,
    "logging.file_log": _flag("logging.file_log"),
    "logging.delete_log_on_exit": _flag("logging.delete_log_on_exit"),
    "logging.file_log_level": _level("logging.file_log_level"),
    "logging.console_log_level": _level("logging.console_log_level"),
    "legacy.refractory_timing": _flag("legacy.refractory_timing"),
    "codegen.vector_math": _flag("codegen.vector_math"),
}


class _Section:
    """One level of the dotted preference names (``prefs.core``, ``prefs.codegen.cpp``, ...)."""

    def __init__(self, path: str):
        object.__setattr__(self, "_path", path)

    def _name(self, attribute: str) -> str:
        return f"{self._path}.{attribute}" if self._path else attribute

    def __getattr__(self, attribute: str):
        if attribute.startswith("__"):
            raise AttributeError(attribute)
        name = self._name(attribute)
        return _values[name] if name in _values else _Section(name)

    def __setattr__(self, attribute: str, value) -> None:
        name = self._name(attribute)
        if name in _CHECKS:
            _values[name] = _CHECKS[name](value)
        else:
            warnings.warn(f"prefs.{name} is a Brian 2 preference that simcore does not use; it has no effect",
                          stacklevel=2)

    def __getitem__(self, name: str):
        section: Any = self
        for part in name.split("."):
            section = getattr(section, part)
        return section

    def __setitem__(self, name: str, value) -> None:
        *sections, last = name.split(".")
        section: Any = self
        for part in sections:
            section = getattr(section, part)
        setattr(section, last, value)

    def __repr__(self) -> str:
        shown = ", ".join(f"{key} = {getattr(value, '__name__', value)!s}" for key, value in _values.items())
        return f"<preferences {self._path or 'prefs'}: {shown}>"


prefs = _Section("")


def default_float_dtype() -> type:
    return _values["core.default_float_dtype"]


def vector_math() -> bool:
    """Whether CPU kernels compute exp, log, expm1, exprel and tanh with ``simcore.kernels.fastmath`` (branch-free,
    within 2 ulp, loops that call them vectorise) rather than the C library's ``math`` functions (scalar calls),
    and may fuse a*b + c into one rounding (FMA)."""
    return _values["codegen.vector_math"]


def legacy_refractory_timing() -> bool:
    """Whether refractoriness compares times as Brian 2 up to 2.1.2 did (``t - lastspike > period``, where
    rounding makes a period of n steps last n or n + 1 steps) instead of counting whole time steps."""
    return _values["legacy.refractory_timing"]
