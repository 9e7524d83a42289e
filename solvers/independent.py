"""Brian 2's 'independent' method: each equation on its own, dx/dt = f(x, t) with no other
variable in f, solved in closed form by sympy (``dsolve``) from the value at the start of the step:

    x_new = X(t + dt), where X' = f(X, s) and X(t) = x

It refuses an equation that reads another variable, draws random numbers or calls a user function
(a TimedArray), and one sympy cannot solve (or solves with more than one branch).
"""

from __future__ import annotations

import math

import sympy

from simcore.equations.user_functions import user_calls
from simcore.solvers.analysis import DT, RANDOM_FUNCTIONS, OdeSystem, T
from simcore.solvers.base import Block, IntegrationMethod


class Independent(IntegrationMethod):
    def __init__(self):
        super().__init__(order=math.inf, description="closed-form solution of each equation on its own")

    def build(self, system: OdeSystem, block: Block) -> tuple:
        symbols = system.symbols
        for name in system.variables:
            x, f = symbols[name], system.drift[name]
            others = sorted(n for n in system.variables if n != name and symbols[n] in f.free_symbols)
            if others:
                raise self.fail(system, name, f"d{name}/dt depends on {', '.join(others)}; 'independent' needs "
                                "each equation to depend on its own variable and t only")
            if f.has(*RANDOM_FUNCTIONS) or user_calls(f):
                raise self.fail(system, name, f"d{name}/dt calls a random or user-defined function, which "
                                "'independent' cannot solve in closed form")
            block.final(name, self._solution(system, name, x, f))
        return ()

    def _solution(self, system: OdeSystem, name: str, x: sympy.Symbol, f: sympy.Expr) -> sympy.Expr:
        s = sympy.Dummy("s", real=True)
        X = sympy.Function("X")
        try:
            solved = sympy.dsolve(sympy.Eq(X(s).diff(s), f.xreplace({x: X(s), T: s})), X(s), ics={X(T): x})
        except (NotImplementedError, ValueError) as error:
            raise self.fail(system, name, f"sympy cannot solve d{name}/dt in closed form ({error})") from None
        if isinstance(solved, list):
            raise self.fail(system, name, f"d{name}/dt has {len(solved)} solutions through the same value")
        return sympy.simplify(solved.rhs.xreplace({s: T + DT}))


INDEPENDENT = Independent()
