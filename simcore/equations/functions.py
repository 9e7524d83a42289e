"""The built-in functions of the model language: one table (``FUNCTIONS``) that the parser, the unit check, the
code printers (kernels, connect) and the evaluation of values set from strings all read.

Where sympy has the function (exp, sin, floor, ...) it is used, so that solvers
can differentiate and simplify. The others are sympy Function classes defined
here; later stages recognise every function by its sympy name (``BY_SYMPY_NAME``).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import sympy
from sympy import Function

from simcore import random
from simcore.kernels import scalar


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
    everywhere by ``simcore.kernels.scalar.timestep`` (truncation toward zero: timestep(-0.5*dt, dt) = 0)."""

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


def _exprel_scalar(x: float) -> float:
    return scalar.LIBM_MATH["_exprel"](x)


def _exprel_numpy(x):
    x = np.asarray(x, dtype=float)
    small = np.abs(x) < 1e-8
    safe = np.where(small, 1.0, x)
    return np.where(small, 1.0 + x / 2.0, np.expm1(safe) / safe)


def _int_numpy(x):
    return np.trunc(np.asarray(x, dtype=float)).astype(np.int64)


#: The rules of ``simcore.units.walker`` (which knows functions by their sympy names) that the table names.
DIMENSION_RULES = {
    "dimensionless": "dimensionless arguments, a dimensionless result",
    "square root": "the argument's units to the power 1/2 (sqrt(x) is x**0.5 for sympy)",
    "as argument": "the result has the units of the one argument",
    "any": "an argument in any units, a dimensionless result",
    "alike": "arguments in the same units (0 and inf fit any), the result in them too",
    "alike, dimensionless": "arguments in the same units, a dimensionless result",
    "draw": "no argument of the user's, a dimensionless result",
    "unchecked": "generated code only, never checked for units",
}


@dataclass(frozen=True)
class ModelFunction:
    """One function of the model language: how the parser builds it, its unit rule, what it computes on a number
    (``scalar``: what kernels compute) and on numpy arrays (values set from strings, outside kernels), and how
    generated code calls it. Every stage that knows functions reads this table (``FUNCTIONS``)."""

    name: str  #: in the model language
    sympy: Callable  #: what the parser applies to the arguments
    arity: int  #: arguments the user writes
    dimension: str  #: a key of DIMENSION_RULES
    scalar: Callable  #: on numbers (a random draw: the simcore.random function, with the counter's arguments)
    numpy: Callable  #: on arrays (a random draw: the simcore.random ``*_array`` function)
    code: str = ""  #: the callable in generated code (a helper of simcore.codegen.runtime, or math's); '' for draws
    draw: str = ""  #: a random draw: the name of its simcore.random function, in kernels ``<draw>_njit``/``_cuda``
    integer: bool = False  #: the result is a whole number
    in_language: bool = True  #: False: generated code only (binomial, for PoissonInput)

    @property
    def sympy_name(self) -> str:
        """The name of the sympy function, by which later stages recognise a call."""
        return self.sympy.__name__


def _math(name: str, sympy_function, numpy_function, math_name: str | None = None) -> ModelFunction:
    """A function of one dimensionless argument that Python's ``math`` has; generated code calls simcore's own
    where ``simcore.kernels.scalar.LIBM_MATH`` has it (``_exp``: vectorisable on the CPU), else ``math``'s."""
    math_name = math_name or name
    code = f"_{name}" if f"_{name}" in scalar.LIBM_MATH else f"math.{math_name}"
    return ModelFunction(name, sympy_function, 1, "dimensionless", getattr(math, math_name), numpy_function, code)


FUNCTIONS: tuple[ModelFunction, ...] = (
    _math("exp", sympy.exp, np.exp),
    _math("log", sympy.log, np.log),
    _math("log10", log10, np.log10),
    ModelFunction("sqrt", sympy.sqrt, 1, "square root", math.sqrt, np.sqrt, "math.sqrt"),  # a power, for sympy
    ModelFunction("abs", sympy.Abs, 1, "as argument", abs, np.abs, "abs"),
    _math("sin", sympy.sin, np.sin),
    _math("cos", sympy.cos, np.cos),
    _math("tan", sympy.tan, np.tan),
    _math("sinh", sympy.sinh, np.sinh),
    _math("cosh", sympy.cosh, np.cosh),
    _math("tanh", sympy.tanh, np.tanh),
    _math("arcsin", sympy.asin, np.arcsin, "asin"),
    _math("arccos", sympy.acos, np.arccos, "acos"),
    _math("arctan", sympy.atan, np.arctan, "atan"),
    _math("expm1", expm1, np.expm1),
    _math("log1p", log1p, np.log1p),
    ModelFunction("exprel", exprel, 1, "dimensionless", _exprel_scalar, _exprel_numpy, "_exprel"),
    ModelFunction("clip", clip, 3, "alike", scalar.clip, np.clip, "_clip"),
    ModelFunction("floor", sympy.floor, 1, "as argument", math.floor, np.floor, "math.floor", integer=True),
    ModelFunction("ceil", sympy.ceiling, 1, "as argument", math.ceil, np.ceil, "math.ceil", integer=True),
    ModelFunction("sign", sympy.sign, 1, "any", scalar.sign, np.sign, "_sign", integer=True),
    ModelFunction("int", int_, 1, "dimensionless", scalar.to_int, _int_numpy, "_int", integer=True),
    ModelFunction("timestep", timestep, 2, "alike, dimensionless", scalar.timestep, scalar.timestep, "_timestep",
                  integer=True),
    ModelFunction("rand", rand, 0, "draw", random.uniform, random.uniform_array, draw="uniform"),
    ModelFunction("randn", randn, 0, "draw", random.normal, random.normal_array, draw="normal"),
    ModelFunction("poisson", poisson, 1, "dimensionless", random.poisson, random.poisson_array, draw="poisson",
                  integer=True),
    ModelFunction("binomial", binomial, 2, "unchecked", random.binomial, random.binomial_array, draw="binomial",
                  integer=True, in_language=False),
)

#: sympy function name -> its entry
BY_SYMPY_NAME: dict[str, ModelFunction] = {f.sympy_name: f for f in FUNCTIONS}

#: name in the model language -> (sympy callable, number of user arguments)
BUILTIN_FUNCTIONS: dict[str, tuple[Callable, int]] = {f.name: (f.sympy, f.arity) for f in FUNCTIONS if f.in_language}

#: sympy names of the random draws
RANDOM_FUNCTIONS = frozenset(f.sympy_name for f in FUNCTIONS if f.draw)

#: sympy names of the functions whose result is a whole number, draws aside (kernels hold drawn values as floats)
INTEGER_FUNCTIONS = frozenset(f.sympy_name for f in FUNCTIONS if f.integer and not f.draw)

#: sympy function name -> name in the model language, where they differ
LANGUAGE_NAME = {f.sympy_name: f.name for f in FUNCTIONS if f.sympy_name != f.name}

# Names with a fixed meaning in every string.
CONSTANTS = frozenset({"pi", "e", "inf"})
