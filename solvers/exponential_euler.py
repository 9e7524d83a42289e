"""Exponential Euler: for conditionally linear equations, as in Hodgkin-Huxley models.

Each dx/dt = A*x + B, where A and B may depend on every other variable (and on t) but not
on x, is integrated as if A and B stayed at their values at the start of the step:

    x_new = x*exp(A*dt) + B*dt*exprel(A*dt)      (= -B/A + (x + B/A)*exp(A*dt))

exprel(z) = (exp(z) - 1)/z keeps A = 0 (and A -> 0 at run time) free of division by zero.
Stiff gating variables stay stable at any step; the method is of order 1.
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
            if parts is None:
                raise self.fail(system, name, nonlinear_reason(name, [x], f)
                                + "; exponential_euler needs each equation linear in its own variable")
            coefficients, b = parts
            a = coefficients[x]
            block.final(name, x * sympy.exp(a * DT) + b * DT * exprel(a * DT))
        return ()


EXPONENTIAL_EULER = ExponentialEuler()
