"""sympy -> text in the model language (the inverse of the parser), and -> LaTeX.

Used for ``str(Equations)``, for error messages that quote a term, and as the
comment above each generated line. Floats print with ``repr`` so they survive a
round trip exactly. ``to_latex`` typesets an expression for notebooks.
"""

from __future__ import annotations

import functools

import sympy
from sympy.printing.latex import LatexPrinter
from sympy.printing.precedence import PRECEDENCE, precedence
from sympy.printing.str import StrPrinter

from simcore.equations.functions import FUNCTIONS, LANGUAGE_NAME, RANDOM_FUNCTIONS
from simcore.units import UNIT_NAMES

_RELATION = {"==": "==", "!=": "!=", "<": "<", "<=": "<=", ">": ">", ">=": ">="}


class PositiveTermsFirst:
    """Printer mixin: 'v - El' rather than sympy's '-El + v' (positive terms first, order otherwise kept)."""

    def _print_Add(self, expr, order=None):
        terms = sorted(self._as_ordered_terms(expr, order=order), key=lambda t: t.could_extract_minus_sign())
        return super()._print_Add(sympy.Add(*terms, evaluate=False), order="none")


class ModelPrinter(PositiveTermsFirst, StrPrinter):
    """Prints sympy expressions the way a user writes them in model strings."""

    def _print_Float(self, expr):
        return repr(float(expr))

    def _print_BooleanTrue(self, expr):
        return "True"

    def _print_BooleanFalse(self, expr):
        return "False"

    def _print_Infinity(self, expr):
        return "inf"

    def _print_NegativeInfinity(self, expr):
        return "-inf"

    def _print_Exp1(self, expr):
        return "exp(1)"

    def _print_Pi(self, expr):
        return "pi"

    def _print_Relational(self, expr):
        op = _RELATION[expr.rel_op]
        prec = precedence(expr)
        return f"{self.parenthesize(expr.lhs, prec)} {op} {self.parenthesize(expr.rhs, prec)}"

    def _logical(self, expr, word):
        return f" {word} ".join(f"({self._print(arg)})" for arg in expr.args)

    def _print_And(self, expr):
        return self._logical(expr, "and")

    def _print_Or(self, expr):
        return self._logical(expr, "or")

    def _print_Not(self, expr):
        return f"not ({self._print(expr.args[0])})"

    def _print_Mod(self, expr):
        left = self.parenthesize(expr.args[0], PRECEDENCE["Mul"], strict=True)
        right = self.parenthesize(expr.args[1], PRECEDENCE["Mul"])
        return f"{left} % {right}"

    def _print_Mul(self, expr):
        # A '%' factor always needs brackets inside a product; print it as a stand-in name.
        stand_ins = {arg: sympy.Symbol(f"({self._print(arg)})") for arg in expr.args if isinstance(arg, sympy.Mod)}
        return super()._print_Mul(expr.xreplace(stand_ins) if stand_ins else expr)

    def parenthesize(self, item, level, strict=False):
        # sympy ranks Mod as an atom; '%' binds like '*' in the model language.
        if isinstance(item, sympy.Mod):
            own = PRECEDENCE["Mul"]
            text = self._print(item)
            return f"({text})" if own < level or (not strict and own <= level) else text
        return super().parenthesize(item, level, strict)

    def _print_Function(self, expr):
        name = type(expr).__name__
        if name in RANDOM_FUNCTIONS:
            user_args = expr.args[:-1]
        else:
            user_args = expr.args
        name = LANGUAGE_NAME.get(name, name)
        return f"{name}({', '.join(self._print(arg) for arg in user_args)})"


for _function in FUNCTIONS:  # every function of the table prints by its name in the model language
    setattr(ModelPrinter, f"_print_{_function.sympy_name}", ModelPrinter._print_Function)

_PRINTER = ModelPrinter({"order": None})


@functools.lru_cache(maxsize=8192)
def to_text(expr: sympy.Basic) -> str:
    """An expression in the model language (remembered: every run prints the same expressions again, for unit
    checks and comments, and sympy's printer is slow)."""
    return _PRINTER.doprint(expr)


class LatexModelPrinter(PositiveTermsFirst, LatexPrinter):
    """sympy's LaTeX of a model expression, with units upright (``\\mathrm{mV}``, not the product m V) and the
    draws (``rand()``) without the call site that the parser adds as their last argument."""

    def _print_Symbol(self, expr, style="plain"):
        unit = UNIT_NAMES.get(expr.name)
        return unit.latexname if unit is not None else super()._print_Symbol(expr, style)

    def _print_Function(self, expr, exp=None):
        name = type(expr).__name__
        if name not in RANDOM_FUNCTIONS and "_" not in name:
            return super()._print_Function(expr, exp)
        arguments = ", ".join(self._print(arg) for arg in (expr.args[:-1] if name in RANDOM_FUNCTIONS else expr.args))
        shown = LANGUAGE_NAME.get(name, name).replace("_", r"\_")
        text = rf"\operatorname{{{shown}}}\left({arguments}\right)"
        return text if exp is None else rf"{text}^{{{exp}}}"


_LATEX_PRINTER = LatexModelPrinter()


def to_latex(expr: sympy.Basic) -> str:
    """An expression typeset in LaTeX (math mode): ``(v0 - v)/tau`` -> ``\\frac{v_{0} - v}{\\tau}``."""
    return _LATEX_PRINTER.doprint(expr)
