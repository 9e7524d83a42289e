"""The dimension of a sympy expression, checked node by node.

Functions are recognised by their sympy class name, so this module needs nothing
from the equation language that builds the trees. Literal zero and infinity fit
any dimension where a term is compared, bounded or assigned (``v > 0``,
``clip(g, 0, gmax)``): both are the same in every unit.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from fractions import Fraction

import sympy
from sympy.core.relational import Relational
from sympy.logic.boolalg import BooleanAtom, BooleanFunction

from simcore.units.dimension import DIMENSIONLESS, Dimension
from simcore.units.errors import DimensionMismatchError

Describe = Callable[[sympy.Basic], str]

# Functions whose argument(s) and result are dimensionless.
DIMENSIONLESS_FUNCTIONS = frozenset(
    {
        "exp",
        "log",
        "log10",
        "expm1",
        "log1p",
        "exprel",
        "sin",
        "cos",
        "tan",
        "sinh",
        "cosh",
        "tanh",
        "asin",
        "acos",
        "atan",
        "int_",
        "poisson",
    }
)
# Functions whose result has the dimension of their (single) argument.
PRESERVING_FUNCTIONS = frozenset({"Abs", "floor", "ceiling"})
RANDOM_DRAWS = frozenset({"rand", "randn"})


def is_scale_free(expr: sympy.Basic) -> bool:
    """Zero or an infinity: a value that means the same in every unit."""
    return (
        expr.is_zero is True
        or expr in (sympy.oo, -sympy.oo)
        or (isinstance(expr, sympy.Symbol) and expr.name == "inf")
    )


def same_dimension(
    terms: list[sympy.Basic],
    dims: list[Dimension],
    what: str,
    describe: Describe,
    allow_scale_free: bool = False,
) -> Dimension:
    """The common dimension of ``terms``; a DimensionMismatchError names the first two that differ."""
    pairs = [(t, d) for t, d in zip(terms, dims, strict=True) if not (allow_scale_free and is_scale_free(t))]
    if not pairs:
        return DIMENSIONLESS
    first_term, first_dim = pairs[0]
    for term, dim in pairs[1:]:
        if dim != first_dim:
            raise DimensionMismatchError(
                f"{what}: '{describe(first_term)}' has units of {first_dim} but "
                f"'{describe(term)}' has units of {dim}",
                first_dim,
                dim,
            )
    return first_dim


class DimensionWalker:
    """Walks one expression tree; ``dimensions`` maps every free symbol's name to its Dimension."""

    def __init__(
        self,
        dimensions: Mapping[str, Dimension],
        describe: Describe = str,
        function_rules: Mapping[str, Callable[[list[Dimension]], Dimension]] | None = None,
    ):
        self.dimensions = dimensions
        self.describe = describe
        self.function_rules = function_rules or {}

    def __call__(self, expr: sympy.Basic) -> Dimension:
        if isinstance(expr, sympy.Symbol):
            return self.dimensions[expr.name]
        if isinstance(expr, (sympy.Number, sympy.NumberSymbol, BooleanAtom)) or expr in (sympy.oo, -sympy.oo):
            return DIMENSIONLESS
        if isinstance(expr, sympy.Add):
            return same_dimension(
                list(expr.args), [self(a) for a in expr.args], "Cannot add terms", self.describe
            )
        if isinstance(expr, sympy.Mul):
            result = DIMENSIONLESS
            for arg in expr.args:
                result = result * self(arg)
            return result
        if isinstance(expr, sympy.Pow):
            return self._power(expr)
        if isinstance(expr, Relational):
            same_dimension(
                [expr.lhs, expr.rhs],
                [self(expr.lhs), self(expr.rhs)],
                f"Cannot compare in '{self.describe(expr)}'",
                self.describe,
                allow_scale_free=True,
            )
            return DIMENSIONLESS
        if isinstance(expr, BooleanFunction):
            for arg in expr.args:
                self.require_dimensionless(arg, f"the operand of '{self.describe(expr)}'")
            return DIMENSIONLESS
        if isinstance(expr, sympy.Function):
            return self._function(expr)
        raise TypeError(f"no unit rule for {type(expr).__name__} in '{self.describe(expr)}'")

    def require_dimensionless(self, expr: sympy.Basic, role: str) -> None:
        dim = self(expr)
        if not dim.is_dimensionless:
            raise DimensionMismatchError(
                f"{role} must be dimensionless, but '{self.describe(expr)}' has units of {dim}",
                dim,
                DIMENSIONLESS,
            )

    def _power(self, expr: sympy.Pow) -> Dimension:
        base_dim = self(expr.base)
        self.require_dimensionless(expr.exp, f"The exponent in '{self.describe(expr)}'")
        if base_dim.is_dimensionless:
            return DIMENSIONLESS
        if not isinstance(expr.exp, sympy.Number):
            raise DimensionMismatchError(
                f"The exponent in '{self.describe(expr)}' must be a number, since the base "
                f"'{self.describe(expr.base)}' has units of {base_dim}",
                base_dim,
            )
        return base_dim ** Fraction(str(expr.exp)).limit_denominator(1000)

    def _function(self, expr: sympy.Function) -> Dimension:
        name = type(expr).__name__
        text = self.describe(expr)
        if name in RANDOM_DRAWS:
            return DIMENSIONLESS
        if name in DIMENSIONLESS_FUNCTIONS:
            user_args = expr.args[:1] if name == "poisson" else expr.args
            for arg in user_args:
                self.require_dimensionless(arg, f"The argument of '{text}'")
            return DIMENSIONLESS
        if name in PRESERVING_FUNCTIONS:
            return self(expr.args[0])
        if name == "sign":
            self(expr.args[0])
            return DIMENSIONLESS
        if name == "clip":
            return same_dimension(
                list(expr.args),
                [self(a) for a in expr.args],
                f"The value and bounds of '{text}' differ",
                self.describe,
                allow_scale_free=True,
            )
        if name in ("Mod", "Min", "Max"):
            return same_dimension(
                list(expr.args),
                [self(a) for a in expr.args],
                f"The operands of '{text}' differ",
                self.describe,
            )
        if name == "timestep":
            same_dimension(
                list(expr.args),
                [self(a) for a in expr.args],
                f"The arguments of '{text}' differ",
                self.describe,
            )
            return DIMENSIONLESS
        if name in self.function_rules:
            return self.function_rules[name]([self(a) for a in expr.args])
        raise TypeError(f"no unit rule for the function '{name}' in '{text}'")


def dimension_of(
    expr: sympy.Basic, dimensions: Mapping[str, Dimension], describe: Describe = str
) -> Dimension:
    """The dimension of ``expr``; raises DimensionMismatchError where it has none."""
    return DimensionWalker(dimensions, describe)(expr)
