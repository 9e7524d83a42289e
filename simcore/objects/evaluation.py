"""Expressions of the user's evaluated with numpy outside the run loop (values set from strings, index conditions,
subexpressions and a monitor's records read from Python): names looked up in a namespace, units and declared
argument types checked."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from simcore.equations import check_expression
from simcore.equations.evaluate import Draws, evaluate
from simcore.equations.function_kernels import kernel_calls
from simcore.equations.kinds import check_declared_types
from simcore.equations.user_functions import is_user_function
from simcore.errors import UnknownNameError
from simcore.namespace import lookup
from simcore.seeding import DrawOwner
from simcore.units import get_dimensions, to_si
from simcore.units.dimension import Dimension


def namespace_values(expression, is_own: Callable[[str], bool], namespace: dict | None, frame,
                     where: str) -> dict[str, Any]:
    """The values of the names ``expression`` takes from a namespace (those not ``is_own``): ``namespace``, else
    the caller's ``frame``; an unknown name is refused with its position."""
    values = {}
    for name in sorted(expression.identifiers | expression.functions):
        if is_own(name):
            continue
        found, value = lookup(name, namespace, frame)
        if not found:
            raise UnknownNameError(name, f"unknown identifier '{name}' in {where}", expression.positions.get(name),
                                   expression.source)
        values[name] = value
    return values


def evaluate_checked(expression, dimensions: dict[str, Dimension], own_values: dict[str, Any],
                     own_kind: Callable[[str], str | None], external: dict[str, Any], size: int,
                     expected: Dimension | None, where: str, draws: Draws | None = None) -> np.ndarray:
    """An expression over ``size`` elements with numpy (outside the run loop), its units and the argument types
    its Functions declare checked: ``own_values`` for an object's names (``dimensions``, ``own_kind``),
    ``external`` for those from a namespace (``namespace_values``). Random draws come from ``draws`` (default:
    numbered by how often such an expression was evaluated since seed())."""
    check_expression(expression, dimensions,
                     {k: v if is_user_function(v) else get_dimensions(v) for k, v in external.items()},
                     expected=expected, where=where)
    check_declared_types((expression,), external, own_kind, where)
    values = {name: value.numpy_function() if is_user_function(value) else to_si(value)[0]
              for name, value in external.items()}
    values.update(own_values)
    expr = kernel_calls((expression,), external)[0].expr  # a BinomialFunction: a draw per element
    return evaluate(expr, values, size, draws or Draws(lambda: _UNOWNED.assignment().key("value")))


_UNOWNED = DrawOwner("")  # draws of expressions that no group evaluates (a monitor's conditions)
