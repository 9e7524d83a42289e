"""Exponential Euler: for conditionally linear equations, as in Hodgkin-Huxley models.

Each dx/dt = A*x + B, where A and B may depend on every other variable (and on t) but not
on x, is integrated as if A and B stayed at their values at the start of the step:

    x_new = x*exp(A*dt) + B*dt*exprel(A*dt)      (= -B/A + (x + B/A)*exp(A*dt))

exprel(z) = (exp(z) - 1)/z keeps A = 0 (and A -> 0 at run time) free of division by zero.
Stiff gating variables stay stable at any step; the method is of order 1.

As in Brian 2, A and B may also depend on x itself where the expanded right-hand side still has the
form A*x + B (``-v*g/tau`` with a subexpression ``g = 1 + v**2``: A = -(1 + v**2)/tau): both are then
evaluated at the value of x at the start of the step, frozen for the step. A term in x**2 (after
expanding) or a right-hand side with no term proportional to x is refused.
"""

from __future__ import annotations

import sympy

from simcore.equations.functions import exprel
from simcore.solvers.analysis import DT, OdeSystem, affine_parts, nonlinear_reason
from simcore.solvers.base import Block, IntegrationMethod


class ExponentialEuler(IntegrationMethod):
    def __init__(self):
        super().__init__(order=1, description="exponential Euler, for conditionally linear equations")

    def build(self, system: OdeSystem, block: Block) -> tuple:
        symbols = system.symbols
        for name in system.variables:
            x = symbols[name]
            f = system.drift[name]
            parts = affine_parts(f, [x])
            if parts is not None:
                coefficients, b = parts
                a = coefficients[x]
            else:
                a, b = self._frozen(system, name, x, f)
            block.final(name, x * sympy.exp(a * DT) + b * DT * exprel(a * DT))
        return ()

    def _frozen(self, system: OdeSystem, name: str, x: sympy.Symbol, f: sympy.Expr) -> tuple[sympy.Expr, sympy.Expr]:
        """(A, B) of ``f = A*x + B`` once expanded, where A and B may still read x (frozen over the step)."""
        collected = sympy.collect(sympy.expand(f), x, evaluate=False)
        if x not in collected or set(collected) - {x, sympy.S.One}:
            raise self.fail(system, name, nonlinear_reason(name, [x], f)
                            + "; exponential_euler needs each equation of the form A*x + B, with A and B taken "
                            "as constant over a step")
        return collected[x], collected.get(sympy.S.One, sympy.S.Zero)


EXPONENTIAL_EULER = ExponentialEuler()
