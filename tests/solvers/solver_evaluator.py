"""A tiny numpy interpreter of StateUpdate statements, for measuring what the solvers emit.

Each statement's expression is lambdified with numpy; ``randn(k)`` draws one standard
normal per element and step (the same value for every use of the same k within a step);
a MatrixExponential becomes scipy's expm of the matrix, evaluated with the constants, times dt.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np
import scipy.linalg
import sympy

from simcore.equations.parser import symbol
from simcore.ir import StateUpdate


def _exprel(x):
    x = np.asarray(x, dtype=float)
    safe = np.where(x == 0, 1.0, x)
    return np.where(x == 0, 1.0, np.expm1(safe) / safe)


Normals = Callable[[int, int], np.ndarray]  # (step, noise index k) -> one normal per element


class Evaluator:
    def __init__(self, update: StateUpdate, constants: Mapping[str, float], size: int = 1,
                 normals: Normals | None = None, seed: int = 0):
        self.update = update
        self.constants = dict(constants)
        self.size = size
        rng = np.random.default_rng(seed)
        self.normals = normals or (lambda step, k: rng.standard_normal(size))
        self._draws: dict[int, np.ndarray] = {}
        self._step = 0
        modules = [{"exprel": _exprel, "randn": self._randn, "rand": self._rand}, "numpy"]
        self.compiled = []
        for statement in update.statements:
            names = sorted(s.name for s in statement.expr.free_symbols)
            function = sympy.lambdify([symbol(n) for n in names], statement.expr, modules=modules)
            self.compiled.append((statement.target, names, function))

    def _randn(self, k):
        k = int(k)
        if k not in self._draws:
            self._draws[k] = np.asarray(self.normals(self._step, k), dtype=float)
        return self._draws[k]

    def _rand(self, k):
        return np.full(self.size, 0.5)  # uniform draws are not measured here

    def run_constants(self, dt: float) -> dict[str, float]:
        values = {}
        substitutions = {symbol(n): v for n, v in self.constants.items()}
        for constant in self.update.run_constants:
            matrix = np.array(constant.matrix.xreplace(substitutions).evalf(), dtype=float)
            result = scipy.linalg.expm(matrix * dt)
            for i, row in enumerate(constant.names):
                for j, name in enumerate(row):
                    values[name] = result[i, j]
        return values

    def run(self, state: Mapping[str, float | np.ndarray], dt: float, steps: int, t0: float = 0.0
            ) -> dict[str, np.ndarray]:
        """Advance ``state`` (name -> value per element) by ``steps`` steps of ``dt``."""
        env = {**self.constants, **self.run_constants(dt), "dt": dt}
        env.update({n: np.array(np.broadcast_to(v, (self.size,)), dtype=float) for n, v in state.items()})
        for step in range(steps):
            self._step = step
            self._draws = {}
            env["t"] = t0 + step * dt
            for target, names, function in self.compiled:
                env[target] = function(*(env[n] for n in names))
        return {n: np.broadcast_to(env[n], (self.size,)) for n in state}


def observed_order(dts, errors) -> float:
    """Slope of log(error) against log(dt)."""
    return float(np.polyfit(np.log(dts), np.log(errors), 1)[0])


def final_expressions(update: StateUpdate) -> dict[str, sympy.Expr]:
    """Each variable's new value with every temporary written out (old values only)."""
    known: dict[sympy.Symbol, sympy.Expr] = {}
    finals = {}
    for statement in update.statements:
        expr = statement.expr.xreplace(known)
        if statement.target.startswith("_"):
            known[symbol(statement.target)] = expr
        else:
            finals[statement.target] = expr
    return finals
