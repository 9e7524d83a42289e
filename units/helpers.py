"""Brian 2's unit helper functions: dimensions, SI values, dimension checks."""

from __future__ import annotations

from typing import Any

import numpy as np
import pint
from pint.util import UnitsContainer

from simcore.errors import ModelTypeError
from simcore.units.conversion import quantity_info, si_magnitude
from simcore.units.dimension import BASE_DIMENSIONS, DIMENSIONLESS, Dimension
from simcore.units.formatting import magnitude_str, units_python
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
        raise ModelTypeError(f"get_dimensions() got the string {x!r}, not a quantity or number")
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
        raise ModelTypeError(f"to_si() got the string {x!r}, not a quantity or number")
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
#: Units added by ``register_new_unit``, by Dimension.
_REGISTERED: dict[Dimension, list[Unit]] = {}


def register_new_unit(unit: Unit) -> None:
    """Make ``unit`` a candidate display unit for its dimension (Brian 2's function):
    ``register_new_unit(pfarad/mmetre**2)``, then ``in_best_unit`` and state variables' display may use it."""
    if not isinstance(unit, _PINT_UNIT):
        raise ModelTypeError(f"register_new_unit() takes a unit such as pfarad/mmetre**2, not {unit!r}")
    units = _REGISTERED.setdefault(quantity_info(unit).dimension, [])
    if unit not in units:
        units.append(unit)


def _typical(values: Any) -> float | None:
    """The median magnitude of the finite non-zero ``values`` (SI); of a long array, only of the first and last
    values that numpy prints (as Brian 2 does)."""
    magnitudes = np.abs(np.asarray(values, dtype=float)).ravel()
    options = np.get_printoptions()
    if magnitudes.size > options["threshold"]:
        edge = options["edgeitems"]
        magnitudes = np.concatenate([magnitudes[:edge], magnitudes[-edge:]])
    magnitudes = magnitudes[np.isfinite(magnitudes) & (magnitudes > 0)]
    return float(np.median(magnitudes)) if magnitudes.size else None


def _exported(unit: Unit) -> Unit:
    """The exported object for ``unit`` (``mV`` itself), so that ``get_best_unit() is mV`` as in Brian 2."""
    from simcore.units.names import UNIT_NAMES  # names imports this module

    name = units_python(ureg, unit._units)
    return UNIT_NAMES.get(name, unit) if name is not None else unit


def best_unit(values: Any, dimension: Dimension) -> Unit:
    """The unit in which typical ``values`` (SI) read best: a prefixed form of the SI unit in which they read
    between 1 and 1000 (``best_unit(-0.07, volt dimension) is mV``), or a unit given to
    ``register_new_unit`` in which they do; else the registered unit in which they read closest to 10, else
    the SI unit itself."""
    unit = get_unit(dimension)
    typical = _typical(values)
    if typical is None:
        return _exported(unit)
    candidates = []
    if len(unit._units) == 1 and next(iter(unit._units.values())) == 1:
        name = next(iter(unit._units))
        for prefix in _DISPLAY_PREFIXES:
            try:
                candidates.append(Unit(f"{prefix}{name}" if prefix else name))
            except pint.errors.UndefinedUnitError:
                continue
    registered = _REGISTERED.get(dimension, [])
    for candidate in candidates + registered:
        if 1 <= typical / to_si(candidate)[0] < 1000:
            return _exported(candidate)
    if registered:
        return min(registered, key=lambda candidate: abs(np.log10(typical / to_si(candidate)[0]) - 1))
    return _exported(unit)


def in_unit(x: Any, unit: Any, precision: int | None = None) -> str:
    """``x`` written in ``unit`` (Brian 2's function): ``in_unit(3*volt, mV) == '3000. mV'``. Raises
    DimensionMismatchError where the dimensions differ."""
    fail_for_dimension_mismatch(x, unit, "in_unit: the value and the unit must have the same dimension")
    if is_dimensionless(x):
        # As Brian 2: a dimensionless value is written as numpy writes the ratio, without unit ('1.0', '[1. 2.]')
        ratio = np.asarray(to_si(x)[0]) / to_si(unit)[0]
        return str(np.asarray(ratio)) if precision is None else magnitude_str(ratio, precision)
    quantity = x if isinstance(x, _PINT_QUANTITY) else x._REGISTRY.Quantity(1.0, x)
    return quantity.in_unit(unit, precision)


def in_best_unit(x: Any, precision: int | None = None) -> str:
    """``x`` written in the unit in which it reads best (Brian 2's function):
    ``in_best_unit(0.00123456*volt) == '1.23456 mV'``; plain numbers as they are."""
    if is_dimensionless(x):
        return magnitude_str(to_si(x)[0], precision)
    value, dimension = to_si(x)
    return in_unit(x, best_unit(value, dimension), precision)
