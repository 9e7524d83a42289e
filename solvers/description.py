"""Methods written as Brian 2 writes its explicit state updaters: a few statements in terms of one variable.

    x_support = x + dt*f(x, t) + dt**0.5*g(x, t)
    x_new = x + dt*f(x, t) + g(x, t)*dW

``x`` is a variable, ``f(y, s)`` its drift at the state ``y`` and time ``s``, ``g(y, s)`` its noise
coefficient, ``dW`` the Wiener increment of a step; ``t`` and ``dt`` are the time and the step. The last
statement gives ``x_new``; the others name intermediate values. Every variable is advanced by the same
statements, and ``f(y, s)`` reads every variable at its own ``y``: ``f(x + dt*f(x, t), t)`` of v reads w at
``w + dt*f_w``, as a vector method would.
"""

from __future__ import annotations

import sympy
from sympy.core.function import AppliedUndef

from simcore.equations import parse_statements
from simcore.equations.parser import symbol
from simcore.errors import ModelValueError, ParseError
from simcore.solvers.analysis import OdeSystem, T, wiener_increment
from simcore.solvers.base import Block, IntegrationMethod
from simcore.solvers.errors import SolverError

X, DW = symbol("x"), symbol("dW")
STOCHASTIC = {None: (), "additive": ("additive",), "multiplicative": ("multiplicative",)}


class ExplicitStateUpdater(IntegrationMethod):
    """A method from a description (module docstring). ``stochastic``: the noise it integrates (None,
    'additive' or 'multiplicative'); ``order``: its declared order (a description states none)."""

    def __init__(self, description: str, stochastic: str | None = None, *, order: float = 1,
                 strong_order: float = 0.5):
        if stochastic not in STOCHASTIC:
            raise ModelValueError(f"stochastic must be None, 'additive' or 'multiplicative', not {stochastic!r}")
        statements = parse_statements(description)
        targets = [s.target for s in statements]
        if not targets or targets[-1] != "x_new" or targets.count("x_new") != 1:
            raise ParseError(f"the description of a method must end with the statement 'x_new = ...' (and have no "
                             f"other), not assign {', '.join(targets) or 'nothing'}")
        for statement in statements:
            if statement.op != "=":
                raise ParseError(f"the description of a method assigns with '=' only, not "
                                 f"'{statement.target} {statement.op} ...'")
            for call in statement.expr.atoms(AppliedUndef):
                if type(call).__name__ not in ("f", "g") or len(call.args) != 2:
                    raise ParseError(f"the description of a method calls {call}: only f(x, t) and g(x, t) are known")
        super().__init__(order=order, strong_order=strong_order if stochastic else None,
                         noise=STOCHASTIC[stochastic], description=f"explicit: {description.strip()}")
        self.statements = tuple((s.target, s.expr) for s in statements)
        self.text = description

    def __repr__(self) -> str:
        return f"ExplicitStateUpdater('''{self.text.strip()}''')"

    def build(self, system: OdeSystem, block: Block) -> tuple:
        self._check_separation()
        sources = sorted({k for name in system.variables for k in system.diffusion[name]})
        if len(sources) > 1:
            raise self.fail(system, system.variables[0], f"{self.label} is written for one noise source, but the "
                            f"equations have {len(sources)}")
        source = sources[0] if sources else None
        symbols = system.symbols
        values: dict[str, dict[str, sympy.Expr]] = {}

        def realize(expr: sympy.Expr, variable: str) -> sympy.Expr:
            """``expr`` of the description for ``variable``."""
            if expr == X:
                return symbols[variable]
            if expr == DW:
                return wiener_increment(source) if source is not None else sympy.S.Zero
            if isinstance(expr, sympy.Symbol) and expr.name in values:
                return values[expr.name][variable]
            if isinstance(expr, AppliedUndef):
                state, at = expr.args
                replacements = {symbols[w]: realize(state, w) for w in system.variables}
                replacements[T] = realize(at, variable)
                if type(expr).__name__ == "f":
                    return system.drift[variable].xreplace(replacements)
                return system.diffusion[variable].get(source, sympy.S.Zero).xreplace(replacements)
            if not expr.args:
                return expr
            return expr.func(*(realize(a, variable) for a in expr.args))

        for target, expr in self.statements[:-1]:
            values[target] = {v: block.temp(f"_{target}_{v}", realize(expr, v), system.text(v))
                              for v in system.variables}
        for v in system.variables:
            block.final(v, realize(self.statements[-1][1], v))
        return ()

    def _check_separation(self) -> None:
        """x_new must be a deterministic part (f, no g or dW) plus a stochastic part (g and dW, no f)."""
        inlined = self.statements[-1][1]
        for target, expr in reversed(self.statements[:-1]):
            inlined = inlined.xreplace({symbol(target): expr})
        for term in sympy.Add.make_args(sympy.expand(inlined)):
            calls = _outer_calls(term)
            stochastic = term.xreplace({c: sympy.Dummy() for c in term.atoms(AppliedUndef)}).has(DW)
            if stochastic and "f" in calls or not stochastic and "g" in calls:
                raise SolverError(f"the description of {self.label} does not separate into a deterministic part "
                                  f"(with f, without g and dW) and a stochastic part (with g and dW, without f): "
                                  f"term {term}")


def _outer_calls(expr: sympy.Expr) -> set[str]:
    """The names of the calls of f and g in ``expr`` that are not arguments of another call."""
    if isinstance(expr, AppliedUndef):
        return {type(expr).__name__}
    return set().union(*(_outer_calls(a) for a in expr.args)) if expr.args else set()
