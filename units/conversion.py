"""SI conversion factors and Dimensions of pint units, cached per unit.

Converting a quantity to SI base units is one multiplication by a factor that depends
only on its unit; pint's own conversion path re-derives it on every call. The cache
here is keyed by pint's (hashable, immutable) UnitsContainer.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from simcore.units.dimension import Dimension


class UnitInfo(NamedTuple):
    """``factor``: value of one of this unit in SI base units (None for offset units
    such as degC, which no factor converts); ``dimension``: its Dimension."""

    factor: float | None
    dimension: Dimension


_INFO: dict[Any, UnitInfo] = {}


def unit_info(registry: Any, units: Any) -> UnitInfo:
    """Factor to SI base units and Dimension of a pint UnitsContainer (cached)."""
    info = _INFO.get(units)
    if info is None:
        factor, _ = registry.get_base_units(units, check_nonmult=True)
        dimension = Dimension.from_pint(registry.get_dimensionality(units))
        info = UnitInfo(None if factor is None else float(factor), dimension)
        _INFO[units] = info
    return info


def quantity_info(quantity: Any) -> UnitInfo:
    """:func:`unit_info` of a pint Quantity or Unit."""
    return unit_info(quantity._REGISTRY, quantity._units)


def scale(magnitude: Any, factor: float) -> Any:
    """``magnitude * factor`` as a Python float for scalars and a float ndarray for arrays.

    A floating-point (or complex) array is returned as is, without a copy, when the
    factor is exactly 1.
    """
    if isinstance(magnitude, np.ndarray):
        if factor == 1.0 and magnitude.dtype.kind in "fc":
            return magnitude
        return magnitude * factor
    value = magnitude * factor
    if isinstance(value, complex | np.complexfloating):
        return complex(value)
    try:
        return float(value)
    except TypeError:
        return value


def si_magnitude(quantity: Any) -> Any:
    """The magnitude of a pint Quantity in SI base units (float or ndarray)."""
    factor = quantity_info(quantity).factor
    if factor is None:
        return scale(quantity.to_base_units()._magnitude, 1.0)
    return scale(quantity._magnitude, factor)
