"""An equations string -> a tuple of Equation, with positions for every error.

An equation ends at its ``: unit (flags)`` part, so an expression may continue
over several lines; a line that starts a new equation before the previous one
had its unit is an error (the unit was forgotten).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import replace
from functools import cache

import sympy

from simcore.equations.functions import int_
from simcore.equations.model import (
    ALL_FLAGS,
    FLAGS_BY_KIND,
    INCOMPATIBLE_FLAGS,
    Equation,
    EquationKind,
    naming_problem,
)
from simcore.equations.parser import Snippet, parse_expression
from simcore.errors import EquationError, ParseError, SourcePosition, UnknownNameError
from simcore.units import UNIT_NAMES, get_dimensions
from simcore.units.dimension import DIMENSIONLESS, Dimension
from simcore.units.walker import dimension_of

_STARTS_EQUATION = re.compile(r"\s*(d\s*[A-Za-z_]\w*\s*/\s*dt|[A-Za-z_]\w*)\s*(=(?!=)|:)")
_DIFFERENTIAL = re.compile(r"\s*d\s*(?P<name>\w+)\s*/\s*dt\s*=(?P<rhs>.*)", re.DOTALL)
_SUBEXPRESSION = re.compile(r"\s*(?P<name>\w+)\s*=(?P<rhs>.*)", re.DOTALL)
_PARAMETER = re.compile(r"\s*(?P<name>\w+)\s*", re.DOTALL)
_FLAG_LIST = re.compile(r"^(?P<unit>.*?)\s*\((?P<flags>[\w\s,\-]*)\)\s*$", re.DOTALL)


@cache
def unit_dimensions() -> dict[str, Dimension]:
    """The dimension of every unit name the model language knows."""
    return {name: get_dimensions(unit) for name, unit in UNIT_NAMES.items()}


class _Block:
    """The lines of one equation and their place in the user's string."""

    def __init__(self, source: str, first_line: int):
        self.source = source
        self.first_line = first_line
        self.lines: list[str] = []

    @property
    def text(self) -> str:
        return "\n".join(self.lines)

    def position(self, offset: int) -> SourcePosition:
        before = self.text[:offset]
        line = before.count("\n")
        column = offset - (before.rfind("\n") + 1) + 1
        return SourcePosition(self.first_line + line, column)

    def snippet(self, start: int, end: int) -> Snippet:
        at = self.position(start)
        return Snippet(self.text[start:end], self.source, at.line, at.column)

    def error(self, message: str, offset: int = 0) -> ParseError:
        return ParseError(message, self.position(offset), self.source)


def read_equations(source: str) -> tuple[Equation, ...]:
    """Parse every equation of ``source``; the order is kept."""
    return tuple(_read_block(block) for block in _blocks(source))


def _blocks(source: str):
    block: _Block | None = None
    for number, raw in enumerate(source.splitlines(), start=1):
        line = raw.split("#", 1)[0].rstrip()
        if not line.strip():
            continue
        if block is not None and _STARTS_EQUATION.match(line):
            raise _missing_unit(block)
        if block is None:
            block = _Block(source, number)
        block.lines.append(line)
        if ":" in line:
            yield block
            block = None
    if block is not None:
        raise _missing_unit(block)


def _missing_unit(block: _Block) -> ParseError:
    head = block.text.strip().split("=")[0].strip()
    return block.error(f"'{head}' has no unit: every equation ends with ': unit', "
                       f"as in 'dv/dt = -v/tau : volt' or 'x : 1'",
                       len(block.lines[0]) - len(block.lines[0].lstrip()))


def _read_block(block: _Block) -> Equation:
    text = block.text
    colon = text.index(":")
    kind, match = _match_definition(text[:colon])
    if match is None:
        raise block.error("cannot read this equation; expected 'dx/dt = expression : unit', "
                          "'x = expression : unit' or 'x : unit'", len(text) - len(text.lstrip()))
    name = match.group("name")
    name_offset = match.start("name")
    unit_text, var_type, dimension, flags = _read_unit_part(block, colon + 1, kind)
    # a summed variable names the neuron variable it writes: 'I_syn_post = ... (summed)'
    summed_target = "summed" in flags and name.endswith(("_pre", "_post"))
    problem = naming_problem(name.rsplit("_", 1)[0] if summed_target else name, frozenset(UNIT_NAMES))
    if "summed" in flags and not summed_target:
        problem = f"the summed variable '{name}' must end in '_post' or '_pre' (the neuron variable it sets)"
    if problem:
        raise EquationError(f"{problem}; choose another variable name", block.position(name_offset),
                            block.source)
    expression = None
    if kind is not EquationKind.PARAMETER:
        expression = parse_expression(block.snippet(match.start("rhs"), match.end("rhs")))
        if var_type == "integer":  # as Brian 2 stores it in an integer: truncated towards zero
            expression = replace(expression, expr=int_(expression.expr))
    return Equation(name, kind, expression, dimension, var_type, flags, unit_text,
                    block.position(name_offset), block.source)


def _match_definition(definition: str) -> tuple[EquationKind | None, re.Match | None]:
    for kind, pattern in ((EquationKind.DIFFERENTIAL, _DIFFERENTIAL),
                          (EquationKind.SUBEXPRESSION, _SUBEXPRESSION),
                          (EquationKind.PARAMETER, _PARAMETER)):
        match = pattern.fullmatch(definition)
        if match:
            return kind, match
    return None, None


def _read_unit_part(block: _Block, start: int, kind: EquationKind):
    part = block.text[start:]
    flags: frozenset[str] = frozenset()
    flag_match = _FLAG_LIST.match(part)
    unit_end = len(part)
    if flag_match and flag_match.group("unit").strip():
        unit_end = flag_match.end("unit")
        flags = _read_flags(block, start + flag_match.start("flags"), flag_match.group("flags"), kind)
    unit_text = " ".join(part[:unit_end].split())
    if not unit_text:
        raise block.error("the unit is missing after ':'", start)
    if unit_text in ("boolean", "integer"):
        return unit_text, unit_text, DIMENSIONLESS, flags
    leading = len(part) - len(part.lstrip())
    snippet = block.snippet(start + leading, start + unit_end)
    return unit_text, "float", _unit_dimension(snippet), flags


def _unit_dimension(snippet: Snippet) -> Dimension:
    expression = parse_expression(snippet)
    known = unit_dimensions()
    for name in sorted(expression.identifiers):
        if name not in known:
            hint = difflib.get_close_matches(name, known, n=1)
            suggestion = f"; did you mean '{hint[0]}'?" if hint else ""
            raise UnknownNameError(name, f"unknown unit '{name}'{suggestion}", expression.positions.get(name),
                                   snippet.source)
    if _has_factor(expression.expr) or expression.functions:
        raise snippet.error(f"'{snippet.text.strip()}' is not a unit: a unit is built from unit names, "
                            "'*', '/' and '**' (use '1' for dimensionless)")
    return dimension_of(expression.expr, known)


def _has_factor(expr: sympy.Basic) -> bool:
    """Whether a unit expression holds a number other than 1 outside exponents (``2*mV``)."""
    if isinstance(expr, sympy.Pow):
        return _has_factor(expr.base)
    if expr.is_Number:
        return expr != 1
    return not isinstance(expr, (sympy.Symbol, sympy.Mul)) or any(_has_factor(a) for a in expr.args)


def _read_flags(block: _Block, offset: int, text: str, kind: EquationKind) -> frozenset[str]:
    flags = []
    cursor = 0
    for raw in text.split(","):
        flag = " ".join(raw.split())
        at = offset + cursor + (len(raw) - len(raw.lstrip()))
        cursor += len(raw) + 1
        if flag not in ALL_FLAGS:
            hint = difflib.get_close_matches(flag, ALL_FLAGS, n=1)
            suggestion = f"did you mean '{hint[0]}'? " if hint else ""
            raise block.error(f"unknown flag '{flag}'; {suggestion}known flags: {', '.join(sorted(ALL_FLAGS))}",
                              at)
        if flag not in FLAGS_BY_KIND[kind]:
            allowed = ", ".join(sorted(FLAGS_BY_KIND[kind]))
            raise block.error(f"the flag '{flag}' does not apply to a {kind.value} (allowed: {allowed})", at)
        if flag in flags:
            raise block.error(f"the flag '{flag}' is given twice", at)
        flags.append(flag)
    chosen = frozenset(flags)
    for pair in INCOMPATIBLE_FLAGS:
        if pair <= chosen:
            first, second = sorted(pair)
            raise block.error(f"the flags '{first}' and '{second}' cannot be combined", offset)
    return chosen
