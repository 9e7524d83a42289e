"""Unit checking of equations, expressions and statements.

Names resolve as in Brian 2: the model's own variables first, then the given
namespace, then the names every string knows (t, dt, xi..., units, pi, e, inf).
"""

from __future__ import annotations

import difflib
import functools
from collections.abc import Mapping
from typing import Any

import sympy

from simcore.equations.functions import CONSTANTS
from simcore.equations.model import Equation, EquationKind, is_noise
from simcore.equations.parsed import Expression, Statements
from simcore.equations.printer import to_text
from simcore.equations.reader import unit_dimensions
from simcore.equations.user_functions import function_rules, is_user_function
from simcore.errors import ModelValueError, UnknownNameError
from simcore.units import get_dimensions
from simcore.units.dimension import DIMENSIONLESS, Dimension
from simcore.units.errors import DimensionMismatchError
from simcore.units.walker import DimensionWalker, is_scale_free

SECOND = Dimension.of(time=1)
NOISE = SECOND ** -0.5
TIME_NAMES = {"t": SECOND, "dt": SECOND}


def resolve_dimensions(expression: Expression, own: Mapping[str, Dimension],
                       namespace: Mapping[str, Any] | None, where: str) -> dict[str, Dimension]:
    """The dimension of every name ``expression`` uses; an unknown name is an error at its position."""
    namespace = namespace or {}
    function_rules(expression, namespace, where)  # functions first: an unknown one is the likelier typo
    dims = {}
    for name in expression.identifiers:
        if name not in own and is_user_function(namespace.get(name)):
            raise ModelValueError(f"'{name}' in {where} is a TimedArray: call it, as in {name}(t)",
                             expression.positions.get(name), expression.source)
        dim = _dimension_of_name(name, own, namespace)
        if dim is None:
            known = list(own) + list(namespace) + list(TIME_NAMES)
            hint = difflib.get_close_matches(name, known, n=1)
            suggestion = f"; did you mean '{hint[0]}'?" if hint else ""
            raise UnknownNameError(
                name, f"unknown identifier '{name}' in {where}: it is neither a model variable nor in "
                f"the namespace{suggestion}", expression.positions.get(name), expression.source)
        dims[name] = dim
    return dims


def _dimension_of_name(name: str, own: Mapping[str, Dimension], namespace: Mapping[str, Any]) -> Dimension | None:
    if name in own:
        return own[name]
    if name in namespace:
        value = namespace[name]
        return value if isinstance(value, Dimension) else get_dimensions(value)
    if is_noise(name):
        return NOISE
    if name in TIME_NAMES:
        return TIME_NAMES[name]
    if name in unit_dimensions():
        return unit_dimensions()[name]
    if name in CONSTANTS:
        return DIMENSIONLESS
    return None


def expression_dimension(expression: Expression, dims: Mapping[str, Dimension], where: str,
                         namespace: Mapping[str, Any] | None = None) -> Dimension:
    """The dimension of an expression, mismatches inside it reported with ``where``; user functions
    (TimedArrays) it calls are found in ``namespace``."""
    rules = function_rules(expression, namespace or {}, where)
    try:
        if rules:  # user functions: their rules decide
            return DimensionWalker(dims, to_text, rules)(expression.expr)
        return _dimension(expression.expr, tuple(sorted(dims.items())))
    except DimensionMismatchError as exc:
        raise DimensionMismatchError(f"In {where}: {exc.message}", *exc.dimensions) from None


@functools.lru_cache(maxsize=8192)
def _dimension(expr: sympy.Basic, dims: tuple[tuple[str, Dimension], ...]) -> Dimension:
    """The dimension of an expression without user functions, given its names' (sorted pairs), remembered: each
    run checks the same equations again, and walking them is most of a run's start on small networks."""
    return DimensionWalker(dict(dims), to_text)(expr)


def check_expression(expression: Expression, own: Mapping[str, Dimension], namespace: Mapping[str, Any] | None = None,
                     expected: Dimension | None = None, where: str = "the expression") -> Dimension:
    """Check an expression (a threshold, a condition); returns its dimension."""
    dims = resolve_dimensions(expression, own, namespace, where)
    dim = expression_dimension(expression, dims, where, namespace)
    if expected is not None and dim != expected and not is_scale_free(expression.expr):
        raise DimensionMismatchError(
            f"{where[0].upper()}{where[1:]} '{expression.text}' has units of {dim}, expected {expected}",
            dim, expected)
    return dim


def check_statements(statements: Statements, own: Mapping[str, Dimension],
                     namespace: Mapping[str, Any] | None = None, where: str = "the statements") -> None:
    """Check that every assignment keeps its target's units; a temporary takes the units of the value that
    defines it."""
    own = dict(own)
    for statement in statements:
        line = f"'{statement.target} {statement.op} {statement.expression.text}'"
        if statement.target in statements.temporaries and statement.target not in own:
            own[statement.target] = check_expression(statement.expression, own, namespace,
                                                     where=f"the right-hand side of {line} in {where}")
            continue
        if statement.target not in own:
            raise UnknownNameError(statement.target,
                                   f"{line} in {where} assigns to '{statement.target}', which is not a "
                                   "variable of the model", statement.position, statements.source)
        target = own[statement.target]
        context = f"{line} in {where}"
        if statement.op in ("*=", "/="):
            check_expression(statement.expression, own, namespace, DIMENSIONLESS,
                             f"the factor of {context}")
        else:
            check_expression(statement.expression, own, namespace, target,
                             f"the right-hand side of {context} (target '{statement.target}': {target})")


def check_equation(equation: Equation, own: Mapping[str, Dimension], namespace: Mapping[str, Any] | None) -> None:
    """Check one equation: its expression is consistent and matches the declared unit."""
    if equation.expression is None:
        return
    where = equation.where
    dims = resolve_dimensions(equation.expression, own, namespace, where)
    dim = expression_dimension(equation.expression, dims, where, namespace)
    if equation.kind is EquationKind.DIFFERENTIAL:
        expected = equation.dimension / SECOND
        if dim != expected and not is_scale_free(equation.expr):
            raise DimensionMismatchError(
                f"Inconsistent units in {where}: the right-hand side '{to_text(equation.expr)}' has units "
                f"of {dim}, but d{equation.name}/dt must have units of {expected} "
                f"({equation.name} is {equation.dimension}, per second)", dim, expected)
    elif dim != equation.dimension and not is_scale_free(equation.expr):
        raise DimensionMismatchError(
            f"Inconsistent units in {where}: '{to_text(equation.expr)}' has units of {dim}, "
            f"but '{equation.name}' is declared as {equation.unit_text} ({equation.dimension})",
            dim, equation.dimension)
