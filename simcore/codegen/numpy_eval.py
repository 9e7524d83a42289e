"""Evaluating model expressions on whole arrays with numpy, outside the run loop
(initial values such as ``G.v = 'El + rand()*5*mV'``, string indices, subexpressions)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import sympy
from sympy.core.function import AppliedUndef

from simcore.codegen.runtime import _timestep_py
from simcore.equations.functions import RANDOM_FUNCTIONS
from simcore.equations.user_functions import VECTORISATION_INDEX


def _exprel(x):
    x = np.asarray(x, dtype=float)
    small = np.abs(x) < 1e-8
    safe = np.where(small, 1.0, x)
    return np.where(small, 1.0 + x / 2.0, np.expm1(safe) / safe)


def _int(x):
    return np.trunc(np.asarray(x, dtype=float)).astype(np.int64)


_FUNCTIONS = {"exprel": _exprel, "clip": np.clip, "int_": _int, "timestep": _timestep_py, "log10": np.log10,
              "expm1": np.expm1, "log1p": np.log1p}


def evaluate(expr: sympy.Basic, values: Mapping[str, Any], size: int, rng: np.random.Generator) -> np.ndarray:
    """``expr`` on arrays of ``size`` elements; ``values`` maps every free symbol to a number or array."""
    draws = {}
    for call in sorted(expr.atoms(sympy.Function), key=str):
        name = type(call).__name__
        if name not in RANDOM_FUNCTIONS:
            continue
        stand_in = sympy.Symbol(f"_draw_{len(draws)}", real=True)
        if name == "rand":
            draws[stand_in.name] = rng.random(size)
        elif name == "randn":
            draws[stand_in.name] = rng.standard_normal(size)
        elif name == "binomial":
            trials, probability = (float(a) for a in call.args[:2])
            draws[stand_in.name] = rng.binomial(int(trials), probability, size).astype(float)
        else:
            lam = evaluate(call.args[0], values, size, rng)
            draws[stand_in.name] = rng.poisson(np.broadcast_to(lam, (size,)))
        expr = expr.xreplace({call: stand_in})
    names = sorted(s.name for s in expr.free_symbols)
    arguments = {VECTORISATION_INDEX.name: np.arange(size), **values, **draws}  # auto_vectorise: every index
    # user functions (TimedArrays): ``values`` maps their names to functions on SI arrays
    called = {type(call).__name__: values[type(call).__name__] for call in expr.atoms(AppliedUndef)}
    function = sympy.lambdify([sympy.Symbol(n, real=True) for n in names], expr,
                              modules=[{**_FUNCTIONS, **called}, "numpy"])
    with np.errstate(divide="ignore", invalid="ignore"):
        result = function(*(arguments[n] for n in names))
    return np.broadcast_to(np.asarray(result), (size,)).copy()
