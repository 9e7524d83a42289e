"""The ``check_units`` decorator (Brian 2's), checking arguments' and result's units."""

from __future__ import annotations

import functools
import inspect
from typing import Any

import numpy as np

from simcore.errors import ModelTypeError
from simcore.units.dimension import DIMENSIONLESS, Dimension
from simcore.units.errors import DimensionMismatchError
from simcore.units.helpers import get_dimensions
from simcore.units.registry import Quantity, Unit

_UNCHECKED = object()


def _expected(spec: Any, arguments: dict[str, Any]) -> Dimension | type | None:
    """The Dimension a spec asks for, ``bool``, or None (unchecked)."""
    if spec is None or spec is bool:
        return spec
    if isinstance(spec, str):
        return get_dimensions(arguments[spec])
    if isinstance(spec, Unit | Quantity | Dimension):
        return get_dimensions(spec)
    if isinstance(spec, int | float) and spec == 1:
        return DIMENSIONLESS
    raise ModelTypeError(f"check_units: cannot check against {spec!r} (use a unit, 1, bool, None or a name)")


def _show(value: Any) -> str:
    if isinstance(value, Quantity | Unit):
        return f"{value} ({value.dimensions})"
    if np.ndim(value) == 0:
        return f"the plain number {value!r} (dimensionless)"
    return "a plain array (dimensionless)"


def _ok(value: Any, spec: Any, arguments: dict[str, Any]) -> bool:
    if isinstance(spec, tuple | list):
        return any(_ok(value, one, arguments) for one in spec)
    expected = _expected(spec, arguments)
    if expected is None:
        return True
    if expected is bool:
        return isinstance(value, bool | np.bool_)
    return get_dimensions(value) == expected


def _wanted(spec: Any, arguments: dict[str, Any]) -> str:
    if isinstance(spec, tuple | list):
        return " or ".join(_wanted(one, arguments) for one in spec)
    if spec is bool:
        return "a boolean"
    if isinstance(spec, str):
        return f"the dimension of argument '{spec}' ({_expected(spec, arguments)})"
    return f"dimension {_expected(spec, arguments)}"


def check_units(**specs: Any):
    """Check the units of a function's arguments and result.

    ``@check_units(I=amp, R=ohm, result=volt)``. Each value is a unit (or quantity,
    or Dimension) whose dimension the argument must have; ``1`` for dimensionless;
    ``bool`` for a boolean; ``None`` for unchecked; the name of another argument for
    "same dimension as that one"; or a tuple of these (any may match). Arguments
    passed as None or as strings (expressions) are not checked. A mismatch raises
    DimensionMismatchError naming the function, the argument and both units.
    """
    result_spec = specs.pop("result", _UNCHECKED)

    def decorate(func):
        signature = inspect.signature(func)
        unknown = sorted(set(specs) - set(signature.parameters))
        if unknown:
            raise ModelTypeError(f"check_units: {func.__qualname__}() has no argument(s) {unknown}")

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            bound = signature.bind(*args, **kwargs)
            bound.apply_defaults()
            arguments = bound.arguments
            for name, spec in specs.items():
                value = arguments[name]
                if value is None or isinstance(value, str) or _ok(value, spec, arguments):
                    continue
                message = (
                    f"{func.__qualname__}(): argument '{name}' must have "
                    f"{_wanted(spec, arguments)}, got {_show(value)}"
                )
                raise DimensionMismatchError(message, get_dimensions(value))
            result = func(*args, **kwargs)
            if result_spec is not _UNCHECKED and not _ok(result, result_spec, arguments):
                message = (
                    f"{func.__qualname__}() must return {_wanted(result_spec, arguments)}, "
                    f"but returned {_show(result)}"
                )
                raise DimensionMismatchError(message, get_dimensions(result))
            return result

        wrapper.arg_units = dict(specs)
        wrapper.return_unit = None if result_spec is _UNCHECKED else result_spec
        # Brian 2's attribute names, for code that introspects decorated functions.
        wrapper._arg_names = list(signature.parameters)
        wrapper._arg_units = [specs.get(name) for name in signature.parameters]
        wrapper._return_unit = wrapper.return_unit
        wrapper._orig_func = func
        return wrapper

    return decorate
