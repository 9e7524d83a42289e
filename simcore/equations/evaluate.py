"""Evaluating model expressions on whole arrays with numpy, outside the run loop (values set from strings such as
``G.v = 'El + rand()*5*mV'``, string indices, subexpressions read from Python), with the functions of
``simcore.equations.functions.FUNCTIONS`` and the counter-based random draws that kernels use."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import sympy
from sympy.core.function import AppliedUndef

from simcore.equations.functions import BY_SYMPY_NAME, FUNCTIONS, RANDOM_FUNCTIONS
from simcore.equations.python_functions import VECTORISATION_INDEX

# sympy name -> numpy implementation, for sympy's lambdify (which prints a call of a name it finds here as it is)
_NUMPY = {f.sympy_name: f.numpy for f in FUNCTIONS if not f.draw}


@dataclass(frozen=True)
class Draws:
    """Where an expression's random draws come from: the generator key ``key()`` (asked for at the first draw only,
    so that expressions without draws take no number) and the element number of the first value (a subgroup's
    offset in its group); the call sites of the expression are the streams."""

    key: Callable[[], int]
    first: int = 0


def evaluate(expr: sympy.Basic, values: Mapping[str, Any], size: int, draws: Draws) -> np.ndarray:
    """``expr`` on arrays of ``size`` elements; ``values`` maps every free symbol to a number or array, and the names
    of user functions (TimedArrays) to functions on SI arrays."""
    calls = sorted((c for c in expr.atoms(sympy.Function) if type(c).__name__ in RANDOM_FUNCTIONS), key=str)
    drawn: dict[str, np.ndarray] = {}
    if calls:
        stand_ins = {call: sympy.Symbol(f"_draw_{site}", real=True) for site, call in enumerate(calls)}
        key, elements = np.uint64(draws.key()), np.arange(draws.first, draws.first + size, dtype=np.int64)
        for call in sorted(calls, key=lambda c: len(c.atoms(*map(type, calls)))):  # draws inside arguments first
            function = BY_SYMPY_NAME[type(call).__name__]
            arguments = [_plain(a.xreplace(stand_ins), {**values, **drawn}, size).astype(np.float64)
                         for a in call.args[:function.arity]]
            if function.draw == "binomial":  # binomial(n, p): a whole number of trials
                arguments[0] = arguments[0].astype(np.int64)
            drawn[stand_ins[call].name] = function.numpy(*arguments, key, 0, elements, calls.index(call))
        expr = expr.xreplace(stand_ins)
    return _plain(expr, {**values, **drawn}, size)


def _plain(expr: sympy.Basic, values: Mapping[str, Any], size: int) -> np.ndarray:
    """``expr`` without draws on ``size`` elements (``size`` float64 values, or the type numpy computes)."""
    names = sorted(s.name for s in expr.free_symbols)
    arguments = {VECTORISATION_INDEX.name: np.arange(size), **values}  # auto_vectorise: every index
    called = {type(call).__name__: values[type(call).__name__] for call in expr.atoms(AppliedUndef)}
    function = sympy.lambdify([sympy.Symbol(n, real=True) for n in names], expr, modules=[{**_NUMPY, **called},
                                                                                          "numpy"])
    with np.errstate(divide="ignore", invalid="ignore"):
        result = function(*(arguments[n] for n in names))
    return np.broadcast_to(np.asarray(result), (size,)).copy()
