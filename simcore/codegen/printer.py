"""sympy -> Python source that numba compiles (CPU ``njit``; numba.cuda shares it).

Each model function prints as the call its entry of ``simcore.equations.functions.FUNCTIONS`` names (``math``'s,
or a small jitted helper of ``simcore.codegen.runtime``); constants print with ``repr`` so no digit is lost.
"""

from __future__ import annotations

import functools

import sympy
from sympy.core.function import AppliedUndef
from sympy.printing.pycode import PythonCodePrinter

from simcore.equations.functions import FUNCTIONS, RANDOM_FUNCTIONS, exprel
from simcore.equations.printer import PositiveTermsFirst
from simcore.equations.user_functions import kernel_parameters
from simcore.kernels.scalar import LIBM_MATH

# sympy name -> the callable in generated code (exprel has a method of its own, for its reciprocal)
_CALLS = {f.sympy_name: f.code for f in FUNCTIONS if f.code and f.sympy_name != "exprel"}


class NumbaPrinter(PositiveTermsFirst, PythonCodePrinter):
    """Prints scalar expressions for numba; names print as they are (locals of the kernel)."""

    def __init__(self, single: bool = False):
        super().__init__({"fully_qualified_modules": True, "standard": "python3"})
        self.single = single  # float32 code: helpers whose own constants are float32 (``..._f32``)

    def _print_Float(self, expr):
        return repr(float(expr))

    def _print_Integer(self, expr):
        return str(int(expr))

    def _print_Rational(self, expr):
        return repr(float(expr))

    def _print_Symbol(self, expr):
        return expr.name

    def _print_Pow(self, expr, rational=False):
        base, exp = expr.base, expr.exp
        if exp.is_Integer and int(exp) == -1:
            return f"(1.0/{self.parenthesize(base, 60)})"
        if isinstance(exp, sympy.Float) and float(2 * exp).is_integer():
            exp = sympy.Rational(int(2 * exp), 2)
        if exp.is_Rational and exp.q == 2:  # x**(k/2) as x**(k//2)*sqrt(x): no pow() call, the loop vectorises
            text, whole = f"math.sqrt({self._print(base)})", abs(exp.p) // 2
            if whole:  # in parentheses: a power is an operand of any operator around it
                power = self.parenthesize(base, 60) + ("" if whole == 1 else f"**{whole}")
                text = f"({power}*{text})"
            return text if exp > 0 else f"(1.0/{text})"
        return f"{self.parenthesize(base, 60)}**{self.parenthesize(exp, 60)}"

    def _print_Mod(self, expr):
        return f"(({self._print(expr.args[0])}) % ({self._print(expr.args[1])}))"

    def _print_exprel_reciprocal(self, expr):
        return self._print_exprel(expr, reciprocal=True)

    def _print_exprel(self, expr, reciprocal: bool = False):
        return self._call(f"_exprel{'_reciprocal' if reciprocal else ''}", expr.args)

    def _call(self, name: str, arguments) -> str:
        """A call of ``name``; of its float32 version (``_f32``) in float32 code where it has one (its constants
        float32, so that nothing is computed in float64)."""
        if self.single and name in LIBM_MATH:
            name += "_f32"
        return f"{name}({', '.join(self._print(a) for a in arguments)})"

    def _print_Function(self, expr):
        name = type(expr).__name__
        if name in RANDOM_FUNCTIONS:
            raise ValueError(f"random call {expr} must be replaced by a drawn value before printing")
        if getattr(expr, "_simcore_kernel_call", False):  # a Function: its compiled version is a kernel parameter
            return f"{name}({', '.join(self._print(a) for a in expr.args)})"
        if isinstance(expr, AppliedUndef):  # a TimedArray: its values and dt are kernel parameters
            values, dt = kernel_parameters(name)
            step = f"_timed_array_row({self._print(expr.args[0])}, {dt})"
            arguments = [values, step, *(self._print(a) for a in expr.args[1:])]
            return f"_timed_array_{len(expr.args)}d({', '.join(arguments)})"
        call = _CALLS.get(name)
        if call is None:
            return super()._print_Function(expr)
        return self._call(call, expr.args)

    def _print_BooleanTrue(self, expr):
        return "True"

    def _print_BooleanFalse(self, expr):
        return "False"

    def _print_Infinity(self, expr):
        return "math.inf"

    def _print_NegativeInfinity(self, expr):
        return "-math.inf"


for _name in _CALLS:  # the table's calls, not the printer's own methods for sympy's functions
    setattr(NumbaPrinter, f"_print_{_name}", NumbaPrinter._print_Function)

_PRINTERS = {False: NumbaPrinter(), True: NumbaPrinter(single=True)}


class exprel_reciprocal(sympy.Function):  # noqa: N801 (printed by its name, as sympy's functions)
    """1/exprel(x) = x/(exp(x) - 1), for printing only: one helper call and no division (a Mul prints its
    denominators itself, without asking for the Pow)."""


@functools.lru_cache(maxsize=8192)
def to_numba(expr: sympy.Basic, single: bool = False) -> str:
    """Source text of one scalar expression (``single``: in float32 code); remembered, as ``to_text``."""
    if isinstance(expr, sympy.Basic) and expr.has(exprel):
        expr = expr.replace(lambda e: e.is_Pow and isinstance(e.base, exprel) and e.exp == -1,
                            lambda e: exprel_reciprocal(e.base.args[0]))
    return _PRINTERS[single].doprint(expr)
