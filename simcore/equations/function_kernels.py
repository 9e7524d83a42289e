"""User functions in compiled kernels: statements whose calls of Functions the printer turns into calls of their
compiled versions (``kernel_calls``; a BinomialFunction's calls become binomial draws), and a Function's
numba-compiled version on SI values (``compiled_function``)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from typing import Any

import numba
import sympy
from sympy.core.function import AppliedUndef

from simcore.equations.functions import binomial
from simcore.equations.python_functions import (
    RUNNABLE_TARGETS,
    VECTORISATION_INDEX,
    BinomialFunction,
    Function,
    without_units,
)
from simcore.equations.user_functions import user_calls
from simcore.errors import ModelNotImplementedError


def kernel_calls(statements: tuple, functions: Mapping[str, Any]) -> tuple:
    """Statements (anything with ``expr``) for the kernels: a call of a Function (``functions``: name -> value, as
    resolved) is marked, so that the printer calls its compiled version (a kernel parameter) instead of looking up a
    TimedArray; a BinomialFunction's call becomes a binomial draw."""
    draws: dict[tuple[int, str], int] = {}

    def lowered(call: AppliedUndef, line: int) -> sympy.Basic:
        name = type(call).__name__
        value = functions.get(name)
        if isinstance(value, BinomialFunction):  # one draw per statement and function
            site = draws.setdefault((line, name), _BINOMIAL_SITES + len(draws))
            return binomial(sympy.Float(value.n), sympy.Float(value.p), sympy.Integer(site))
        if isinstance(value, Function):
            index = (VECTORISATION_INDEX,) if value.auto_vectorise else ()  # bound by the code that runs it
            return sympy.Function(name, _simcore_kernel_call=True)(*call.args, *index)
        return call

    out = []
    for line, statement in enumerate(statements):
        calls = {call: lowered(call, line) for call in user_calls(statement.expr)}
        changed = {call: new for call, new in calls.items() if new is not call}
        out.append(dataclasses.replace(statement, expr=statement.expr.xreplace(changed)) if changed else statement)
    return tuple(out)


_BINOMIAL_SITES = 1_000_000  # call sites of BinomialFunctions: after any the parser numbers


def compiled_function(function: Function, name: str) -> Callable:
    """The numba-compiled version of ``function`` on SI values: its 'numba' implementation, else its numpy one or
    its Python function with the units it uses read as SI numbers (Functions it calls compiled likewise)."""
    implementations = function.implementations
    if "numba" in implementations:
        plain = implementations["numba"].code
    elif "numpy" in implementations:
        plain = implementations["numpy"].code if function._numpy_takes_si else without_units(
            implementations["numpy"].code, compile_calls=True)
    else:
        plain = without_units(function.pyfunc, compile_calls=True)
    compiled = numba.njit(cache=False)(plain)
    try:
        compiled.compile((numba.float64,) * function.arity + ((numba.int64,) if function.auto_vectorise else ()))
    except Exception as exc:  # numba's typing and lowering errors share no base class
        others = [t for t in implementations if t not in RUNNABLE_TARGETS]
        extra = f"; its {', '.join(others)} code cannot run in simcore" if others else ""
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ModelNotImplementedError(
            f"the function '{name}' cannot run in simcore's compiled kernels: numba cannot compile its Python code "
            f"({first}){extra}. Give it an implementation numba can compile, on SI values: "
            f"@implementation('numba', plain_function) or {name}.implementations.add_implementation('numba', "
            "plain_function)") from None
    return compiled
