"""Brian 2's unit names as pint Units, and the Python spelling of any unit.

``UNIT_NAMES`` maps every exported name to its Unit: full names (``volt``, ``metre``,
``meter``, ``amp``, ``ampere``), full names with SI prefixes (``mvolt``, ``nsecond``,
``pfarad``, ``kohm``, ``cmetre``), short symbols with prefixes (``mV``, ``ms``, ``nS``,
``pA``, ``uF``, ``mM``, ``kg``), the unprefixed symbols ``Hz``, ``mol`` and ``ohm``, and
every length name with the suffixes 2 and 3 (``cm2``, ``um3``, ``metre2``). Bare
one-letter symbols (``s``, ``m``, ``V``, ``N``...) are not exported: they would clash
with user variables. The naming scheme itself is in ``scheme.py``.
"""

from __future__ import annotations

from typing import Any

from pint.util import UnitsContainer

from simcore.units import scheme
from simcore.units.dimension import Dimension
from simcore.units.formatting import units_python
from simcore.units.helpers import get_unit
from simcore.units.registry import Unit, ureg


def _unit(pint_name: str, power: int = 1) -> Unit:
    return ureg.Unit(UnitsContainer({pint_name: power}))


def _build() -> dict[str, Unit]:
    names: dict[str, Unit] = {}

    def add(name: str, unit: Unit) -> None:
        if names.setdefault(name, unit) != unit:
            raise RuntimeError(f"unit name {name!r} would name two units")

    for base in scheme.BASE_UNITS:
        variants = [("", base.pint)]
        variants += [(symbol, prefix + base.pint) for symbol, prefix in scheme.PREFIXES.items()]
        for symbol, pint_name in variants:
            spellings = [symbol + name for name in base.names]
            if symbol or base.export_symbol:
                spellings.append(symbol + base.symbol)
            for spelling in spellings:
                add(spelling, _unit(pint_name))
                if base.powers:
                    add(spelling + "2", _unit(pint_name, 2))
                    add(spelling + "3", _unit(pint_name, 3))
    for name, pint_name in scheme.EXTRA_NAMES.items():
        add(name, _unit(pint_name))
    return names


#: Every exported unit name -> its Unit. The equation language resolves unit names in
#: strings through this mapping.
UNIT_NAMES: dict[str, Unit] = _build()


def unit_name(unit: Any) -> str:
    """The unit in Python syntax from names in UNIT_NAMES: ``'mV'``, ``'siemens/metre**2'``,
    ``'second**-0.5'``, ``'1'`` for dimensionless. ``eval`` of it in the UNIT_NAMES
    namespace gives back an equal unit.

    ``unit``: a Unit, a Dimension (named by its SI unit, see ``get_unit``) or the
    number 1. Raises ValueError for a unit outside simcore's names (e.g. ``inch``).
    """
    if isinstance(unit, Dimension):
        unit = get_unit(unit)
    elif isinstance(unit, int | float) and unit == 1:
        return "1"
    if not isinstance(unit, ureg.Unit):
        raise TypeError(f"unit_name() needs a Unit or a Dimension, not {type(unit).__name__}")
    name = units_python(ureg, unit._units)
    if name is None:
        raise ValueError(f"The unit {unit._units} has no name in simcore's unit names")
    return name
