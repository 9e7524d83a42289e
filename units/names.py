"""Brian 2's unit names as pint Units, and the Python spelling of any unit.

``UNIT_NAMES`` maps every exported name to its Unit: full names (``volt``, ``metre``,
``meter``, ``amp``, ``ampere``), full names with SI prefixes (``mvolt``, ``nsecond``,
``pfarad``, ``kohm``, ``cmetre``), short symbols with prefixes (``mV``, ``ms``, ``nS``,
``pA``, ``uF``, ``mM``, ``kg``), the unprefixed symbols ``Hz``, ``mol`` and ``ohm``, Brian 2's
rarer prefixes with full names (``Yfarad``, ``dametre``, ``hpascal``), every full name with the suffixes
2 and 3 (``metre2``, ``second3``, ``amp2``, ``Yfarad3``) and the length symbols with them (``cm2``, ``um3``). Bare
one-letter symbols (``s``, ``m``, ``V``, ``N``...) are not exported: they would clash
with user variables. The naming scheme itself is in ``scheme.py``.
"""

from __future__ import annotations

import ast
import math
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

    def add_powers(name: str, pint_name: str) -> None:
        add(name, _unit(pint_name))
        add(name + "2", _unit(pint_name, 2))
        add(name + "3", _unit(pint_name, 3))

    for base in scheme.BASE_UNITS:
        variants = [("", base.pint)]
        variants += [(symbol, prefix + base.pint) for symbol, prefix in scheme.PREFIXES.items()]
        for symbol, pint_name in variants:
            for name in base.names:
                add_powers(symbol + name, pint_name)
            if symbol or base.export_symbol:
                if base.powers:
                    add_powers(symbol + base.symbol, pint_name)
                else:
                    add(symbol + base.symbol, _unit(pint_name))
        for symbol, prefix in scheme.RARE_PREFIXES.items():
            for name in base.names:
                add_powers(symbol + name, prefix + base.pint)
    for name, pint_name in scheme.EXTRA_NAMES.items():
        add_powers(name, pint_name)
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



#: Longest unit text ``unit_from_name`` reads: simcore's own names are far shorter, and the bound keeps the
#: parse tree shallow.
MAX_UNIT_TEXT = 500
_DIMENSIONLESS = ureg.Unit("")
_ACCEPTED = "names from simcore's units, the number 1, *, /, parentheses and ** with a number"


def unit_from_name(text: str) -> Unit:
    """The Unit that ``unit_name`` wrote as ``text`` (``'mV'``, ``'siemens/metre**2'``, ``'second**-0.5'``,
    ``'1'``). Only parses, never evaluates: the text comes from files. Accepted: names in UNIT_NAMES, the
    number 1, ``*``, ``/``, parentheses and ``**`` with a number (optionally negative) as exponent. Raises
    ValueError naming the text for anything else."""
    if not isinstance(text, str):
        raise ValueError(f"a unit name is a string, not {type(text).__name__} {text!r}")
    if len(text) > MAX_UNIT_TEXT:
        raise ValueError(f"the unit name {text[:40]!r}... is {len(text)} characters long; simcore's unit names "
                         f"have at most {MAX_UNIT_TEXT}")
    source = text.strip()
    try:
        tree = ast.parse(source, mode="eval")
    except (SyntaxError, ValueError):  # ValueError: a null byte
        raise ValueError(f"{text!r} is not a unit name: it does not parse as {_ACCEPTED} "
                         "(e.g. 'siemens/metre**2')") from None
    return _unit_of(tree.body, source)


def _unit_of(node: ast.expr, text: str) -> Unit:
    """The unit of one node of the parsed ``text``."""
    if isinstance(node, ast.Name) and node.id in UNIT_NAMES:
        return UNIT_NAMES[node.id]
    if isinstance(node, ast.Constant) and type(node.value) is int and node.value == 1:
        return _DIMENSIONLESS
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult | ast.Div):
        left, right = _unit_of(node.left, text), _unit_of(node.right, text)
        return left * right if isinstance(node.op, ast.Mult) else left / right
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Pow):
        return _unit_of(node.left, text) ** _exponent(node.right, text)
    if isinstance(node, ast.Name):
        raise ValueError(f"{text!r} is not a unit name: '{node.id}' is not one of simcore's unit names")
    raise ValueError(f"{text!r} is not a unit name: '{ast.get_source_segment(text, node)}' is not allowed there; "
                     f"a unit name has {_ACCEPTED}")


def _exponent(node: ast.expr, text: str) -> int | float:
    """A finite number, optionally signed; large exponents are refused (no unit needs one)."""
    sign = 1
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        sign = -1 if isinstance(node.op, ast.USub) else 1
        node = node.operand
    if isinstance(node, ast.Constant) and type(node.value) in (int, float) and math.isfinite(node.value) \
            and abs(node.value) <= 1000:
        return sign * node.value
    raise ValueError(f"{text!r} is not a unit name: the exponent '{ast.get_source_segment(text, node)}' is not a "
                     "number between -1000 and 1000")
