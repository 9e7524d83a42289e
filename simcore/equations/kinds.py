"""The kind of value an expression gives (boolean, integer or float), for the argument types a Function
declares (``declare_types``, ``arg_types=``): as in Brian 2, a call whose argument is of another kind than the
declared one is refused before the run, since the function was written for that kind.

Kinds follow the arithmetic of the model language: comparisons and ``and``/``or``/``not`` give booleans; an
integer literal, an integer variable, ``int()``, and sums, products and non-negative integer powers of integers give
integers; a division, a float literal or variable, and every other function give floats.
A name whose kind is not known (``None``) is never refused.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import sympy
from sympy.logic.boolalg import Boolean

from simcore.errors import ModelTypeError
from simcore.units import to_si

KINDS = ("boolean", "integer", "float")  #: from the lowest to the highest
_INTEGER_CALLS = {"int_", "timestep"}
_CONVERSIONS = {"boolean": "a comparison such as x > 0", "integer": "int(x)", "float": "1.0*x"}


def kind_of_value(value: Any) -> str | None:
    """The kind of a Python or numpy value (a constant from the namespace, an array's dtype)."""
    dtype = value if isinstance(value, np.dtype) else np.asarray(value).dtype if _plain(value) else None
    if dtype is None:
        return None
    if dtype == np.bool_:
        return "boolean"
    if np.issubdtype(dtype, np.integer):
        return "integer"
    return "float" if np.issubdtype(dtype, np.floating) else None


def _namespace_kind(value: Any) -> str | None:
    """The kind of a value from a namespace: a number's, a quantity's SI value's; None for a function."""
    if callable(value):
        return None
    return kind_of_value(value) or kind_of_value(to_si(value)[0])


def _plain(value: Any) -> bool:
    return isinstance(value, bool | int | float | np.generic | np.ndarray)


def expression_kind(expr: sympy.Basic, kind_of: Callable[[str], str | None],
                    functions: Mapping[str, Any]) -> str | None:
    """The kind of ``expr``; ``kind_of`` gives a name's, ``functions`` maps called names to their values."""
    if isinstance(expr, Boolean) and not isinstance(expr, sympy.Symbol):
        return "boolean"  # comparisons, and/or/not, True/False
    if isinstance(expr, sympy.Symbol):
        return kind_of(expr.name)
    if expr.is_Integer:
        return "integer"
    if expr.is_Number:
        return "float"
    if isinstance(expr, sympy.Pow):
        base = expression_kind(expr.base, kind_of, functions)
        whole = expr.exp.is_Integer and expr.exp >= 0
        return None if base is None else "integer" if whole and base != "float" else "float"
    if isinstance(expr, sympy.Add | sympy.Mul):
        kinds = [expression_kind(a, kind_of, functions) for a in expr.args]
        return None if None in kinds else _highest([k if k != "boolean" else "integer" for k in kinds])
    if isinstance(expr, sympy.Function):
        name = type(expr).__name__
        if name in _INTEGER_CALLS:
            return "integer"
        declared = getattr(functions.get(name), "return_type", None)
        if declared == "highest":
            kinds = [expression_kind(a, kind_of, functions) for a in expr.args]
            return None if None in kinds else _highest(kinds)
        return declared if declared in KINDS else "float"
    return None


def _highest(kinds: list[str]) -> str:
    return max(kinds, key=KINDS.index) if kinds else "integer"


def check_declared_types(statements: tuple, external: Mapping[str, Any], kind_of: Callable[[str], str | None],
                         where: str) -> None:
    """Refuse a call of a Function whose argument is of another kind than the one it declares (``any``: every
    kind). An integer literal is accepted for a float argument: ``f(1)`` means ``f(1.0)``. ``kind_of`` gives the
    kinds of the object's own names; ``external`` maps the names taken from a namespace to their values (numbers,
    quantities, functions); temporaries (``r = ...`` in statements) take the kind of their value."""
    temporaries: dict[str, str | None] = {}

    def name_kind(name: str) -> str | None:
        if name in temporaries:
            return temporaries[name]
        if name in external:
            return _namespace_kind(external[name])
        return kind_of(name)

    for statement in statements:
        for call in sorted(statement.expr.atoms(sympy.Function), key=str):
            function = external.get(type(call).__name__)
            for number, (argument, declared) in enumerate(zip(call.args, getattr(function, "arg_types", ()),
                                                              strict=False), start=1):
                given = expression_kind(argument, name_kind, external)
                if declared in KINDS and given is not None and given != declared \
                        and not (declared == "float" and argument.is_Integer):
                    raise ModelTypeError(
                        f"argument {number} of the function '{type(call).__name__}' in {where} is declared "
                        f"{declared} (declare_types / arg_types), but '{argument}' is {_article(given)} {given} "
                        f"value: convert it ({_CONVERSIONS[declared]}) or declare the argument 'any'")
        target = getattr(statement, "target", None)
        if target is not None and kind_of(target) is None:  # a temporary
            temporaries[target] = expression_kind(statement.expr, name_kind, external)


def _article(kind: str) -> str:
    return "an" if kind == "integer" else "a"
