"""The built-in functions of the model language, as sympy functions.

Where sympy has the function (exp, sin, floor, ...) it is used, so that solvers
can differentiate and simplify. The others are sympy Function classes defined
here; later stages (the dimension walker, the code printers) recognise every
function by its sympy name, listed in ``LANGUAGE_NAME``.
"""

from __future__ import annotations

import sympy
from sympy import Function


class exprel(Function):
    """(exp(x) - 1)/x, continuous at 0 (value 1)."""

    def fdiff(self, argindex=1):
        x = self.args[0]
        return (sympy.exp(x) * (x - 1) + 1) / x**2

    @classmethod
    def eval(cls, x):
        if x.is_zero:
            return sympy.S.One

    def _eval_evalf(self, prec):
        x = self.args[0].evalf(prec)
        if x.is_Number:
            return ((sympy.exp(x) - 1) / x).evalf(prec)
        return None


class expm1(Function):
    """exp(x) - 1, accurate near 0."""

    def fdiff(self, argindex=1):
        return sympy.exp(self.args[0])

    @classmethod
    def eval(cls, x):
        if x.is_zero:
            return sympy.S.Zero


class log1p(Function):
    """log(1 + x), accurate near 0."""

    def fdiff(self, argindex=1):
        return 1 / (1 + self.args[0])

    @classmethod
    def eval(cls, x):
        if x.is_zero:
            return sympy.S.Zero


class log10(Function):
    """Base-10 logarithm."""

    def fdiff(self, argindex=1):
        return 1 / (self.args[0] * sympy.log(10))


class clip(Function):
    """clip(x, low, high): x limited to [low, high]."""

    nargs = 3

    @classmethod
    def eval(cls, x, low, high):
        if x.is_Number and low.is_Number and high.is_Number:
            return sympy.Min(sympy.Max(x, low), high)


class int_(Function):
    """int(x): truncation towards zero; True -> 1, False -> 0. A value that is whole already (``floor(x)``,
    ``int(y)``) stays as it is."""

    nargs = 1
    is_integer = True

    @classmethod
    def eval(cls, x):
        if x is sympy.true:
            return sympy.S.One
        if x is sympy.false or x.is_zero:
            return sympy.S.Zero
        if x.is_integer:
            return x
        if x.is_Number:
            return sympy.Integer(int(x))


class timestep(Function):
    """timestep(t, dt): the integer time step of time t, robust to rounding; Brian 2's definition, computed
    everywhere by ``simcore.codegen.runtime._timestep_py`` (truncation toward zero: timestep(-0.5*dt, dt) = 0)."""

    nargs = 2


class _RandomFunction(Function):
    """A random draw. Its last argument is a call-site number, so that two calls
    in one expression (``rand() - rand()``) stay two independent draws."""

    is_commutative = True
    is_real = True

    def _eval_evalf(self, prec):
        return None  # a draw has no numeric value (and mpmath's own rand must not be called)


class rand(_RandomFunction):
    """Uniform on [0, 1)."""

    nargs = 1


class randn(_RandomFunction):
    """Standard normal."""

    nargs = 1


class poisson(_RandomFunction):
    """Poisson-distributed integer with mean given by the first argument."""

    nargs = 2


class binomial(_RandomFunction):
    """Binomial(n, p) count (successes in n trials); generated for PoissonInput, not in the language."""

    nargs = 3


def _floor_divide(a, b):
    return sympy.floor(a / b)


# name in the model language -> (sympy callable, number of user arguments)
BUILTIN_FUNCTIONS: dict[str, tuple[object, int]] = {
    "exp": (sympy.exp, 1),
    "log": (sympy.log, 1),
    "log10": (log10, 1),
    "sqrt": (sympy.sqrt, 1),
    "abs": (sympy.Abs, 1),
    "sin": (sympy.sin, 1),
    "cos": (sympy.cos, 1),
    "tan": (sympy.tan, 1),
    "sinh": (sympy.sinh, 1),
    "cosh": (sympy.cosh, 1),
    "tanh": (sympy.tanh, 1),
    "arcsin": (sympy.asin, 1),
    "arccos": (sympy.acos, 1),
    "arctan": (sympy.atan, 1),
    "expm1": (expm1, 1),
    "log1p": (log1p, 1),
    "exprel": (exprel, 1),
    "clip": (clip, 3),
    "floor": (sympy.floor, 1),
    "ceil": (sympy.ceiling, 1),
    "sign": (sympy.sign, 1),
    "int": (int_, 1),
    "timestep": (timestep, 2),
    "rand": (rand, 0),
    "randn": (randn, 0),
    "poisson": (poisson, 1),
}

RANDOM_FUNCTIONS = frozenset({"rand", "randn", "poisson", "binomial"})

# sympy function name -> name in the model language, where they differ
LANGUAGE_NAME = {
    "Abs": "abs",
    "asin": "arcsin",
    "acos": "arccos",
    "atan": "arctan",
    "ceiling": "ceil",
    "int_": "int",
}

# Names with a fixed meaning in every string.
CONSTANTS = frozenset({"pi", "e", "inf"})
