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
from simcore.equations.parser import parse_expression
from simcore.equations.snippet import Snippet
from simcore.errors import EquationSyntaxError, ParseError, SourcePosition, UnknownUnitError
from simcore.units import UNIT_NAMES, get_dimensions
from simcore.units.dimension import DIMENSIONLESS, Dimension
from simcore.units.walker import dimension_of

_STARTS_EQUATION = re.compile(r"\s*(d\s*[A-Za-z_]\w*\s*/\s*dt|[A-Za-z_]\w*)\s*(=(?!=)|:)")
_DIFFERENTIAL = re.compile(r"\s*d\s*(?P<name>\w+)\s*/\s*dt\s*=(?P<rhs>.*)", re.DOTALL)
_SUBEXPRESSION = re.compile(r"\s*(?P<name>\w+)\s*=(?P<rhs>.*)", re.DOTALL)
_PARAMETER = re.compile(r"\s*(?P<name>\w+)\s*", re.DOTALL)
# 'dv/d = ...', 'dv/dx = ...': a derivative, but not with respect to time
_WRONG_DERIVATIVE = re.compile(r"\s*(?P<head>d\s*[A-Za-z_]\w*\s*/\s*(?!dt\s*(=|$))\w*)\s*(=|$)")
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
    """Parse every equation of ``source``; the order is kept. A syntax error is an EquationSyntaxError, which
    both ``except SyntaxError`` and ``except EquationError`` (Brian 2's type) catch."""
    try:
        return tuple(_read_block(block) for block in _blocks(source))
    except EquationSyntaxError:
        raise
    except ParseError as error:
        raise EquationSyntaxError(error.message, error.position, error.source) from None


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
    """The error for a block that ends before its ': unit': the ':' was forgotten if the rest reads as an
    equation (or as a name and a unit); otherwise what is wrong with the rest."""
    text = block.text
    indent = len(text) - len(text.lstrip())
    head, equals, rhs = text.partition("=")
    wrong = _wrong_derivative(block, text)
    if wrong is not None:
        return wrong
    if equals:
        if not _splits_into_expression_and_words(rhs):
            parse_expression(block.snippet(len(head) + 1, len(text)))  # raises the rhs's own syntax error
    elif not _is_name_and_unit(text):
        return _unreadable(block, indent)
    return block.error(f"'{head.strip()}' has no unit: expected ':' before unit declaration "
                       "(every equation ends with ': unit', as in 'dv/dt = -v/tau : volt' or 'x : 1')", indent)


def _wrong_derivative(block: _Block, definition: str) -> ParseError | None:
    """The error for 'dv/d = ...' (a derivative not with respect to t), or None if ``definition`` is none."""
    match = _WRONG_DERIVATIVE.match(definition)
    if match is None:
        return None
    head = " ".join(match.group("head").split())
    return block.error(f"'{head}' is not a derivative with respect to time. Expected 'dt' after '/': a "
                       "differential equation reads 'dx/dt = expression : unit'", match.start("head"))


def _unreadable(block: _Block, offset: int) -> ParseError:
    return block.error("cannot read this equation; expected 'dx/dt = expression : unit', "
                       "'x = expression : unit' or 'x : unit'", offset)


def _reads_as_expression(text: str) -> bool:
    try:
        parse_expression(text)
    except ParseError:
        return False
    return True


def _splits_into_expression_and_words(rhs: str) -> bool:
    """Whether ``rhs`` is an expression, possibly followed by names (a unit written without its ':')."""
    words = rhs.split()
    return any(_reads_as_expression(" ".join(words[:k]))
               and all(w.isidentifier() or _is_unit(w) for w in words[k:]) for k in range(len(words), 0, -1))


def _is_unit(text: str) -> bool:
    try:
        expression = parse_expression(text)
    except ParseError:
        return False
    return expression.identifiers <= unit_dimensions().keys() and not expression.functions


def _is_name_and_unit(text: str) -> bool:
    """'tau second': a parameter whose ':' was forgotten."""
    parts = text.split(None, 1)
    return len(parts) == 2 and parts[0].isidentifier() and _is_unit(parts[1])


def _read_block(block: _Block) -> Equation:
    text = block.text
    colon = text.index(":")
    kind, match = _match_definition(text[:colon])
    if match is None:
        raise _wrong_derivative(block, text[:colon]) or _unreadable(block, len(text) - len(text.lstrip()))
    name = match.group("name")
    name_offset = match.start("name")
    unit_text, var_type, dimension, flags = _read_unit_part(block, colon + 1, kind)
    # a summed variable names the neuron variable it writes: 'I_syn_post = ... (summed)'
    summed_target = "summed" in flags and name.endswith(("_pre", "_post"))
    problem = naming_problem(name.rsplit("_", 1)[0] if summed_target else name, frozenset(UNIT_NAMES))
    if "summed" in flags and not summed_target:
        problem = f"the summed variable '{name}' must end in '_post' or '_pre' (the neuron variable it sets)"
    if problem:
        raise EquationSyntaxError(f"{problem}; choose another variable name", block.position(name_offset),
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
            raise UnknownUnitError(name, f"unknown unit '{name}'{suggestion}", expression.positions.get(name),
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
