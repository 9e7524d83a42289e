"""Text forms of units and quantities.

``units_str``: the short form that ``str`` prints (``mV``, ``uF/cm^2``, ``ms^-1``, ``ohm A``:
a product is written with a space, as in Brian 2).
``units_latex``: the same in LaTeX (math mode), for Jupyter and ``sympy.latex``; ``units_html``: in HTML.
``units_python``: Python syntax built from simcore's exported names (``mV``,
``siemens/metre**2``, ``second**-0.5``), which evaluates back to the same unit.
``magnitude_str``: numpy's positional style with a trailing point (``-70.``).
``quantity_latex`` and ``quantity_html``: how Jupyter shows a quantity, a long array cut to its ends.
All work on pint UnitsContainers (an ordered mapping: pint unit name -> power).
"""

from __future__ import annotations

import html
from fractions import Fraction
from typing import Any

import numpy as np

from simcore.units import scheme

_SYMBOLS: dict[str, str] = {}
_PYTHON: dict[str, str | None] = {}
#: LaTeX names of units defined with Brian 2's ``Unit(..., latexname=...)``; other units use their symbol.
_LATEX: dict[str, str] = {}
_REPLACEMENTS = (("µ", "u"), ("μ", "u"), ("Ω", "ohm"))


def _split(registry: Any, name: str) -> tuple[str, scheme.BaseUnit | None]:
    """(pint prefix name, BaseUnit of the scheme or None) of a pint unit name."""
    candidates = registry.parse_unit_name(name)
    for prefix, unit, suffix in candidates:
        if not suffix and unit in scheme.BASE_BY_PINT:
            return prefix, scheme.BASE_BY_PINT[unit]
    return "", None


def unit_symbol(registry: Any, name: str) -> str:
    """Short symbol of one pint unit name: 'millivolt' -> 'mV', 'kiloohm' -> 'kohm'."""
    symbol = _SYMBOLS.get(name)
    if symbol is None:
        prefix, base = _split(registry, name)
        symbol = scheme.short_symbol(prefix, base) if base is not None else None
        if symbol is None:
            symbol = registry.get_symbol(name)
            for old, new in _REPLACEMENTS:
                symbol = symbol.replace(old, new)
        _SYMBOLS[name] = symbol
    return symbol


def name_unit(name: str, symbol: str, latex: str) -> None:
    """Display ``symbol`` and ``latex`` for the pint unit ``name`` (a unit defined by the user)."""
    _SYMBOLS[name] = symbol
    _LATEX[name] = latex


def unit_latex(registry: Any, name: str) -> str:
    """LaTeX of one pint unit name: the user's latexname, else the symbol upright ('\\mathrm{mV}')."""
    latex = _LATEX.get(name)
    return latex if latex is not None else rf"\mathrm{{{unit_symbol(registry, name)}}}"


def unit_python_name(registry: Any, name: str) -> str | None:
    """Exported Python name of one pint unit name ('millivolt' -> 'mV', 'second' ->
    'second'), or None if simcore exports no name for it."""
    if name not in _PYTHON:
        prefix, base = _split(registry, name)
        _PYTHON[name] = scheme.python_name(prefix, base) if base is not None else None
    return _PYTHON[name]


def power_text(power: Any) -> str:
    """An exponent as the shortest exact text: 2, -1, 0.5, 0.3333333333333333."""
    if isinstance(power, Fraction):
        power = power.numerator if power.denominator == 1 else float(power)
    if isinstance(power, float) and power.is_integer():
        power = int(power)
    return repr(power)


def _split_powers(units: Any) -> tuple[list[tuple[str, Any]], list[tuple[str, Any]]]:
    items = list(units.items())
    return [(n, p) for n, p in items if p > 0], [(n, p) for n, p in items if p < 0]


def _units_text(registry: Any, units: Any, term: Any) -> str:
    """A UnitsContainer as ``term(name, power)`` of each unit: positive powers, then '/' and the negative ones
    (in brackets if several); '1' if there are none."""
    positive, negative = _split_powers(units)
    if not positive and not negative:
        return "1"
    if not positive:
        return " ".join(term(name, power) for name, power in negative)
    text = " ".join(term(name, power) for name, power in positive)
    if len(negative) == 1:
        return f"{text}/{term(negative[0][0], -negative[0][1])}"
    if negative:
        return f"{text}/({' '.join(term(name, -power) for name, power in negative)})"
    return text


def units_str(registry: Any, units: Any) -> str:
    """Short display form of a UnitsContainer: 'mV', 'uF/cm^2', 'mV ms', 'ms^-1', '1'."""

    def term(name: str, power: Any) -> str:
        symbol = unit_symbol(registry, name)
        return symbol if power == 1 else f"{symbol}^{power_text(power)}"

    return _units_text(registry, units, term)


def units_html(registry: Any, units: Any) -> str:
    """``units_str`` in HTML, powers raised: 'uF/cm<sup>2</sup>'."""

    def term(name: str, power: Any) -> str:
        symbol = html.escape(unit_symbol(registry, name))
        return symbol if power == 1 else f"{symbol}<sup>{power_text(power)}</sup>"

    return _units_text(registry, units, term)


def units_latex(registry: Any, units: Any) -> str:
    """LaTeX (math mode) of a UnitsContainer: '\\mathrm{mV}', '\\frac{\\mathrm{uF}}{\\mathrm{cm}^{2}}', '1'."""

    def product(items: list[tuple[str, Any]]) -> str:
        return r"\,".join(unit_latex(registry, name) + ("" if power == 1 else f"^{{{power_text(power)}}}")
                          for name, power in items)

    positive, negative = _split_powers(units)
    if not positive and not negative:
        return "1"
    if not negative:
        return product(positive)
    below = product([(name, -power) for name, power in negative])
    return rf"\frac{{{product(positive) if positive else '1'}}}{{{below}}}"


def units_python(registry: Any, units: Any) -> str | None:
    """Python expression of a UnitsContainer in exported names ('siemens/metre**2',
    'second**-0.5', '1'), or None if one of its units has no exported name."""
    names = {}
    for name in units:
        python = unit_python_name(registry, name)
        if python is None:
            return None
        names[name] = python

    def term(name: str, power: Any) -> str:
        return names[name] if power == 1 else f"{names[name]}**{power_text(power)}"

    positive, negative = _split_powers(units)
    if not positive and not negative:
        return "1"
    if not positive:
        return "*".join(term(name, power) for name, power in negative)
    text = "*".join(term(name, power) for name, power in positive)
    return text + "".join(f"/{term(name, -power)}" for name, power in negative)


def magnitude_str(magnitude: Any, precision: int | None = None) -> str:
    """numpy's display of a number or array: '-70.', '5', '[-70. -65.]', '1.e-20'."""
    array = np.asarray(magnitude)
    if array.dtype.kind not in "biufc":
        return str(magnitude)
    if array.ndim == 0:
        return np.array2string(array.reshape(1), precision=precision)[1:-1].strip()
    return np.array2string(array, precision=precision)


def magnitude_repr(magnitude: Any) -> str:
    """An evaluable form of a magnitude: '-70.', 'array([-70., -65.])'."""
    array = np.asarray(magnitude)
    if array.ndim == 0 and array.dtype.kind in "biufc":
        return magnitude_str(array)
    return repr(magnitude)


#: Jupyter shows an array axis longer than ``_LONG`` as its first and last ``_EDGE`` elements.
_LONG, _EDGE = 10, 3


def _number_latex(value: Any) -> str:
    """One number in LaTeX, at numpy's print precision: '3.0', '1.5 \\times 10^{-20}', '\\infty'."""
    if isinstance(value, bool | np.bool_) or not isinstance(value, float | np.floating):
        return str(value)
    if not np.isfinite(value):
        return r"\mathrm{NaN}" if np.isnan(value) else rf"{'-' if value < 0 else ''}\infty"
    text = repr(float(f"{value:.{np.get_printoptions()['precision']}g}"))
    mantissa, _, exponent = text.partition("e")
    return rf"{mantissa} \times 10^{{{int(exponent)}}}" if exponent else text


def _cut(values: list) -> list:
    """``values`` with those between the first and last ``_EDGE`` left out (None where they were), if long."""
    return values if len(values) <= _LONG else [*values[:_EDGE], None, *values[-_EDGE:]]


def magnitude_latex(magnitude: Any) -> str:
    """A number, vector or matrix in LaTeX (math mode), long axes cut to their ends (``\\dots``)."""
    array = np.asarray(magnitude)
    if array.ndim == 0:
        return _number_latex(array.item())
    if array.ndim > 2:
        return rf"\text{{array of shape {array.shape}}}"
    matrix = np.atleast_2d(array)
    columns = _cut(list(range(matrix.shape[1])))

    def cell(row: int | None, column: int | None) -> str:
        if row is None:
            return r"\ddots" if column is None else r"\vdots"
        return r"\dots" if column is None else _number_latex(matrix[row, column].item())

    rows = r" \\ ".join(" & ".join(cell(row, column) for column in columns) for row in _cut(list(range(len(matrix)))))
    return rf"\left[\begin{{matrix}}{rows}\end{{matrix}}\right]"


def quantity_latex(registry: Any, magnitude: Any, units: Any) -> str:
    """A quantity in LaTeX for Jupyter: '$3.0\\,\\mathrm{mV}$'."""
    unit = rf"\,{units_latex(registry, units)}" if units else ""
    return f"${magnitude_latex(magnitude)}{unit}$"


def quantity_html(registry: Any, magnitude: Any, units: Any) -> str:
    """A quantity in HTML for Jupyter: its ``str`` with long axes cut to their ends, powers of units raised."""
    text = np.array2string(np.asarray(magnitude), threshold=_LONG, edgeitems=_EDGE) \
        if np.ndim(magnitude) else magnitude_str(magnitude)
    unit = f" {units_html(registry, units)}" if units else ""
    tag = "pre" if "\n" in text else "span"
    return f"<{tag}>{html.escape(text)}{unit}</{tag}>"
