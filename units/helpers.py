"""Brian 2's unit helper functions: dimensions, SI values, dimension checks."""

from __future__ import annotations

from typing import Any

import numpy as np
import pint
from pint.util import UnitsContainer

from simcore.units.conversion import quantity_info, si_magnitude
from simcore.units.dimension import BASE_DIMENSIONS, DIMENSIONLESS, Dimension
from simcore.units.mismatch import mismatch
from simcore.units.registry import Quantity, Unit, ureg

_PINT_BASE = dict(
    zip(BASE_DIMENSIONS, ("meter", "kilogram", "second", "ampere", "kelvin", "mole", "candela"), strict=True)
)

# Coherent SI units by name, tried in this order to name a dimension (get_unit).
_NAMED_SI = (
    "volt", "ampere", "siemens", "farad", "ohm", "coulomb", "joule", "watt", "newton",
    "pascal", "hertz", "second", "meter", "kilogram", "kelvin", "mole", "candela",
)  # fmt: skip
_PER = (
    {"second": -1}, {"meter": -1}, {"meter": -2}, {"meter": -3}, {"second": 1}, {"meter": 1},
    {"second": -0.5}, {"second": 0.5},
)  # fmt: skip


_PINT_QUANTITY = pint.UnitRegistry.Quantity
_PINT_UNIT = pint.UnitRegistry.Unit


def _is_pint(x: Any) -> bool:
    """A Quantity or Unit, of this registry or of another pint registry."""
    return isinstance(x, _PINT_QUANTITY | _PINT_UNIT)


def _quantity_from_sequence(x: Any) -> Any:
    if isinstance(x, list | tuple) and any(_is_pint(item) for item in x):
        return Quantity(list(x))
    return None


def get_dimensions(x: Any) -> Dimension:
    """The Dimension of a Quantity, Unit or Dimension; of any object with a
    ``dimensions`` attribute that is a Dimension; DIMENSIONLESS for plain numbers,
    arrays and sequences of numbers. A sequence of quantities must share one dimension."""
    if _is_pint(x):
        return quantity_info(x).dimension
    if isinstance(x, Dimension):
        return x
    if isinstance(x, str):
        raise TypeError(f"get_dimensions() got the string {x!r}, not a quantity or number")
    sequence = _quantity_from_sequence(x)
    if sequence is not None:
        return quantity_info(sequence).dimension
    dimensions = getattr(x, "dimensions", None)
    if isinstance(dimensions, Dimension):
        return dimensions
    return DIMENSIONLESS


def is_dimensionless(x: Any) -> bool:
    """Whether ``x`` (quantity, unit, number, array) is dimensionless."""
    return get_dimensions(x).is_dimensionless


def have_same_dimensions(a: Any, b: Any) -> bool:
    """Whether ``a`` and ``b`` have the same Dimension (numbers are dimensionless)."""
    return get_dimensions(a) == get_dimensions(b)


_SI_UNITS: dict[Dimension, Unit] = {}


def _si_unit(dimension: Dimension) -> Unit:
    if dimension.is_dimensionless:
        return Unit(UnitsContainer())
    simple = sum(1 for power in dimension.exponents if power) == 1
    for extras in ([{}], [] if simple else _PER):
        for name in _NAMED_SI:
            for extra in extras:
                units = UnitsContainer({name: 1}) * UnitsContainer(extra)
                if quantity_info(Unit(units)).dimension == dimension:
                    return Unit(units)
    powers = {}
    for base, power in zip(BASE_DIMENSIONS, dimension.exponents, strict=True):
        if power:
            powers[_PINT_BASE[base]] = int(power) if power.denominator == 1 else float(power)
    return Unit(UnitsContainer(powers))


def get_unit(x: Any) -> Unit:
    """The coherent SI unit of ``x``'s dimension: ``get_unit(3*mV) == volt``,
    ``get_unit(mV/ms) == volt/second``, ``get_unit(nS/cm2) == siemens/metre**2``,
    a dimensionless Unit for plain numbers. ``x`` may also be a Dimension."""
    dimension = get_dimensions(x)
    unit = _SI_UNITS.get(dimension)
    if unit is None:
        unit = _SI_UNITS[dimension] = _si_unit(dimension)
    return unit


def to_si(x: Any) -> tuple[Any, Dimension]:
    """``(value, Dimension)`` with the value in SI base units, as float64.

    Scalars (quantities, units, numbers) give a Python float; arrays and sequences a
    float64 ndarray. The conversion factor is cached per unit, so an array costs one
    multiplication; a float64 array already in SI units is returned without a copy
    (it shares memory with ``x``). ``to_si(3*mV) == (0.003, volt's Dimension)``.
    """
    if _is_pint(x):
        quantity = x if isinstance(x, _PINT_QUANTITY) else x._REGISTRY.Quantity(1.0, x)
        value = si_magnitude(quantity)
        if isinstance(value, np.ndarray):
            value = np.asarray(value, dtype=np.float64)
        return value, quantity_info(quantity).dimension
    sequence = _quantity_from_sequence(x)
    if sequence is not None:
        return to_si(sequence)
    if isinstance(x, str):
        raise TypeError(f"to_si() got the string {x!r}, not a quantity or number")
    if isinstance(x, np.ndarray | list | tuple):
        return np.asarray(x, dtype=np.float64), DIMENSIONLESS
    return float(x), DIMENSIONLESS


def asarray(x: Any, dtype: Any = None, **kwargs: Any) -> np.ndarray:
    """``numpy.asarray`` that gives quantities' values in SI base units
    (``asarray(10*ms) -> array(0.01)``), as in Brian 2."""
    if _is_pint(x) or _quantity_from_sequence(x) is not None:
        return np.asarray(to_si(x)[0], dtype=dtype, **kwargs)
    return np.asarray(x, dtype=dtype, **kwargs)


def fail_for_dimension_mismatch(
    a: Any, b: Any = None, message: str | None = None
) -> tuple[Dimension, Dimension]:
    """Raise DimensionMismatchError unless ``a`` and ``b`` have the same dimension
    (``b=None``: unless ``a`` is dimensionless). Returns both Dimensions.

    ``message`` starts the error text; the units of both follow.
    """
    dim_a = get_dimensions(a)
    dim_b = DIMENSIONLESS if b is None else get_dimensions(b)
    if dim_a != dim_b:
        prefix = message or "Dimension mismatch"
        if b is None:
            raise mismatch(f"{prefix}: {{a}} is not dimensionless", _describable(a, dim_a), dim_b)
        raise mismatch(f"{prefix}: {{a}} and {{b}}", _describable(a, dim_a), _describable(b, dim_b))
    return dim_a, dim_b


def _describable(x: Any, dimension: Dimension) -> Any:
    """What mismatch() describes for ``x``: a pint object itself, else its Dimension
    (or a plain number's description when dimensionless)."""
    if _is_pint(x):
        return x
    return 0.0 if dimension.is_dimensionless else dimension


def from_si(value: Any, dimension: Dimension) -> Any:
    """A Quantity of ``value`` (SI base units) in the SI unit of ``dimension``; a plain
    value when dimensionless. The inverse of :func:`to_si`."""
    if dimension.is_dimensionless:
        return value
    return ureg.Quantity(value, get_unit(dimension))


_DISPLAY_PREFIXES = ("p", "n", "u", "m", "", "k", "M", "G")


def best_unit(values: Any, dimension: Dimension) -> Unit:
    """The prefixed form of the SI unit in which typical ``values`` (SI) read between 1 and 1000:
    ``best_unit(-0.07, volt dimension) == mV``; the SI unit itself when no prefix applies."""
    unit = get_unit(dimension)
    magnitudes = np.abs(np.asarray(values, dtype=float))
    magnitudes = magnitudes[np.isfinite(magnitudes) & (magnitudes > 0)]
    if magnitudes.size == 0 or len(unit._units) != 1 or next(iter(unit._units.values())) != 1:
        return unit
    name = next(iter(unit._units))
    typical = float(np.median(magnitudes))
    for prefix in _DISPLAY_PREFIXES:
        try:
            candidate = Unit(f"{prefix}{name}" if prefix else name)
        except pint.errors.UndefinedUnitError:
            continue
        factor = to_si(candidate)[0]
        if 1 <= typical / factor < 1000:
            return candidate
    return unit
