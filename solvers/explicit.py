"""Explicit Runge-Kutta methods written as data: a Butcher tableau that checks itself.

A tableau (a, b, c) advances dx/dt = f(x, t) by

    k_i   = f(x + dt*sum_j a[i][j]*k_j, t + c[i]*dt)      (j < i: explicit)
    x_new = x + dt*sum_i b[i]*k_i

A new method is one more tableau: ``register_method('ralston', ExplicitRungeKutta(a, b, order=2))``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from fractions import Fraction

import sympy

from simcore.equations import to_text
from simcore.solvers.analysis import DT, OdeSystem, T, wiener_increment
from simcore.solvers.base import Block, IntegrationMethod
from simcore.solvers.errors import SolverError

Number = int | float | Fraction | str | sympy.Expr
TOLERANCE = 1e-10


def _number(value: Number) -> sympy.Expr:
    """A tableau entry as an exact sympy number where it can be: 1/6 stays 1/6."""
    if isinstance(value, bool):
        raise SolverError(f"a Butcher tableau entry must be a number, not {value!r}")
    if isinstance(value, int):
        return sympy.Integer(value)
    if isinstance(value, Fraction):
        return sympy.Rational(value.numerator, value.denominator)
    if isinstance(value, float):
        return sympy.Integer(int(value)) if value.is_integer() else sympy.Float(value)
    try:
        number = sympy.Rational(value) if isinstance(value, str) else sympy.sympify(value)
    except (TypeError, ValueError, sympy.SympifyError):
        number = None
    if number is None or not number.is_number or not number.is_real:
        raise SolverError(f"a Butcher tableau entry must be a real number, not {value!r}")
    return number


def _conditions(a: sympy.Matrix, b: sympy.Matrix, c: sympy.Matrix):
    """The order conditions up to order 4: (order, formula, value, required value)."""
    c2 = c.applyfunc(lambda x: x**2)
    c3 = c.applyfunc(lambda x: x**3)
    ac = a * c
    r = sympy.Rational
    return [
        (1, "sum(b) = 1", sum(b), 1),
        (2, "sum(b*c) = 1/2", (b * c)[0], r(1, 2)),
        (3, "sum(b*c**2) = 1/3", (b * c2)[0], r(1, 3)),
        (3, "sum(b*(a c)) = 1/6", (b * ac)[0], r(1, 6)),
        (4, "sum(b*c**3) = 1/4", (b * c3)[0], r(1, 4)),
        (4, "sum(b*c*(a c)) = 1/8", (b * c.multiply_elementwise(ac))[0], r(1, 8)),
        (4, "sum(b*(a c**2)) = 1/12", (b * a * c2)[0], r(1, 12)),
        (4, "sum(b*(a a c)) = 1/24", (b * a * ac)[0], r(1, 24)),
    ]


class ExplicitRungeKutta(IntegrationMethod):
    """An explicit Runge-Kutta method from its Butcher tableau.

    The tableau is checked on creation: ``a`` square and strictly lower triangular (explicit),
    ``c[i] == sum(a[i])`` (``c`` is computed when left out), and the order conditions of the
    declared ``order`` (all of them up to order 4; above that only those of order 4). With
    ``noise=('additive',)`` the Wiener increments are added once per step, Euler-Maruyama style.
    """

    def __init__(self, a: Sequence[Sequence[Number]], b: Sequence[Number], c: Sequence[Number] | None = None,
                 *, order: int, noise: Iterable[str] = (), strong_order: float | None = None,
                 name: str | None = None, description: str = ""):
        if "multiplicative" in set(noise):
            raise SolverError("an explicit Runge-Kutta tableau cannot integrate multiplicative noise; "
                              "use 'heun' or 'milstein'")
        if not isinstance(order, int) or isinstance(order, bool) or order < 1:
            raise SolverError(f"the order of a Runge-Kutta method must be a positive integer, not {order!r}")
        super().__init__(order=order, strong_order=strong_order, noise=noise, name=name,
                         description=description or f"explicit Runge-Kutta, {len(b)} stages, order {order}")
        stages = len(b)
        rows = [list(row) for row in a]
        if stages == 0:
            raise SolverError("a Butcher tableau needs at least one stage (b is empty)")
        if len(rows) != stages or any(len(row) != stages for row in rows):
            raise SolverError(f"a Butcher tableau with {stages} weights (b) needs a {stages}x{stages} matrix a")
        self.a = tuple(tuple(_number(x) for x in row) for row in rows)
        self.b = tuple(_number(x) for x in b)
        for i, row in enumerate(self.a):
            upper = [j for j in range(i, stages) if row[j] != 0]
            if upper:
                j = upper[0]
                raise SolverError(f"the tableau is not explicit: a[{i}][{j}] = {to_text(row[j])} is on or above "
                                  "the diagonal (stage values may only use earlier stages)")
        sums = tuple(sympy.Add(*row) for row in self.a)
        if c is None:
            self.c = sums
        else:
            self.c = tuple(_number(x) for x in c)
            if len(self.c) != stages:
                raise SolverError(f"a Butcher tableau with {stages} weights (b) needs {stages} nodes (c)")
            for i, (ci, si) in enumerate(zip(self.c, sums, strict=True)):
                if abs(float(ci - si)) > TOLERANCE:
                    raise SolverError(f"the tableau is inconsistent: c[{i}] = {to_text(ci)} but row {i} of a "
                                      f"sums to {to_text(si)}")
        self._check_order()

    def _check_order(self) -> None:
        a = sympy.Matrix(self.a)
        b = sympy.Matrix([self.b])
        c = sympy.Matrix(self.c)
        for order, formula, value, required in _conditions(a, b, c):
            if order <= self.order and abs(float(value - required)) > TOLERANCE:
                raise SolverError(f"the tableau does not have the declared order {self.order}: the order-{order} "
                                  f"condition {formula} fails (it gives {to_text(value)})")

    def build(self, system: OdeSystem, block: Block) -> tuple:
        symbols = system.symbols
        read = [n for n in system.variables
                if any(symbols[n] in system.drift[m].free_symbols for m in system.variables)]
        stages = len(self.b)
        # Build with placeholders first; a slope used only once is then written inline.
        items: list[tuple[sympy.Symbol, str, sympy.Expr, str, bool]] = []
        slopes: list[dict[str, sympy.Symbol]] = []
        for i in range(stages):
            state = {}
            for name in read:
                increment = sympy.Add(*(self.a[i][j] * slopes[j][name] for j in range(i) if self.a[i][j] != 0))
                if increment != 0:
                    placeholder = sympy.Symbol(f"__x{i}_{name}")
                    items.append((placeholder, f"_{name}_stage{i + 1}", symbols[name] + DT * increment,
                                  name, True))
                    state[symbols[name]] = placeholder
            if self.c[i] != 0:
                state[T] = T + self.c[i] * DT
            slopes.append({})
            for name in system.variables:
                placeholder = sympy.Symbol(f"__k{i}_{name}")
                items.append((placeholder, f"_k{i + 1}_{name}", system.drift[name].xreplace(state), name, False))
                slopes[i][name] = placeholder
        finals = {}
        for name in system.variables:
            step = sympy.Add(*(self.b[i] * slopes[i][name] for i in range(stages) if self.b[i] != 0))
            noise = sympy.Add(*(g * wiener_increment(k) for k, g in system.diffusion[name].items()))
            finals[name] = symbols[name] + DT * step + noise
        exprs = [item[2] for item in items] + list(finals.values())
        resolved: dict[sympy.Symbol, sympy.Expr] = {}
        for placeholder, preferred, expr, name, always_kept in items:
            expr = expr.xreplace(resolved)
            uses = sum(e.count(placeholder) for e in exprs)
            if always_kept or uses > 1:
                resolved[placeholder] = block.temp(preferred, expr, system.text(name))
            else:
                resolved[placeholder] = expr
        for name, expr in finals.items():
            block.final(name, expr.xreplace(resolved))
        return ()


EULER = ExplicitRungeKutta([[0]], [1], order=1, noise=("additive",), strong_order=1.0,
                           description="forward Euler; Euler-Maruyama for additive noise")
RK2 = ExplicitRungeKutta([[0, 0], [Fraction(1, 2), 0]], [0, 1], order=2,
                         description="explicit midpoint Runge-Kutta, order 2")
RK4 = ExplicitRungeKutta(
    [[0, 0, 0, 0], [Fraction(1, 2), 0, 0, 0], [0, Fraction(1, 2), 0, 0], [0, 0, 1, 0]],
    [Fraction(1, 6), Fraction(1, 3), Fraction(1, 3), Fraction(1, 6)],
    order=4, description="classical Runge-Kutta, order 4",
)
