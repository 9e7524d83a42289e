"""Plain values around quantities: dimensionless quantities collapse to numbers, units
stand for ``1*unit``, and 0, inf and nan fit every unit."""

from __future__ import annotations

from typing import Any

import numpy as np
import pint

from simcore.units.conversion import quantity_info, scale

_Quantity = pint.UnitRegistry.Quantity
_Unit = pint.UnitRegistry.Unit


def collapse(value: Any) -> Any:
    """A dimensionless pint Quantity as a plain float/ndarray (its reduced value);
    tuples and lists are mapped; anything else is returned unchanged."""
    if isinstance(value, _Quantity):
        info = quantity_info(value)
        if info.dimension.is_dimensionless and info.factor is not None:
            return scale(value._magnitude, info.factor)
        return value
    if isinstance(value, tuple | list) and any(isinstance(item, _Quantity) for item in value):
        return type(value)(collapse(item) for item in value)
    return value


def as_quantity(value: Any) -> Any:
    """A pint Unit as the Quantity 1*unit; anything else unchanged."""
    if isinstance(value, _Unit):
        return value._REGISTRY.Quantity(1, value._units)
    return value


def decay_numpy_args(args: tuple, kwargs: dict) -> tuple[tuple, dict]:
    """numpy arguments with dimensionless quantities as plain values: pint's numpy
    wrappers derive units from the first quantity and fail on dimensionless ones."""
    args = tuple(collapse(arg) for arg in args)
    kwargs = {key: value if key == "out" else collapse(value) for key, value in kwargs.items()}
    return args, kwargs


def has_pint(args: tuple, kwargs: dict) -> bool:
    """Whether numpy arguments still hold a Quantity or Unit (also inside lists)."""

    def pint_like(value: Any) -> bool:
        if isinstance(value, tuple | list):
            return any(pint_like(item) for item in value)
        return isinstance(value, _Quantity | _Unit)

    return pint_like(args) or pint_like(list(kwargs.values()))


def is_scale_free(value: Any) -> bool:
    """A plain (unitless) 0, inf or nan, or an array of those: comparable with anything."""
    try:
        array = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        return False
    return bool(np.all((array == 0) | ~np.isfinite(array)))
