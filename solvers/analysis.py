"""Equations -> the system of ODEs/SDEs a method integrates, and the algebra methods share.

Every method works on an :class:`OdeSystem`: one drift ``f`` and one noise coefficient
per noise source ``g_k`` for each integrated variable, with subexpressions already
substituted (so that an intermediate stage re-evaluates them at its own state), in

    dx/dt = f(x, t) + sum_k g_k(x, t) * xi_k.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import sympy
from sympy.core.function import AppliedUndef
from sympy.core.relational import Relational
from sympy.logic.boolalg import BooleanFunction

from simcore.equations import Equation, EquationKind, Equations, to_text
from simcore.equations.functions import exprel, poisson, rand, randn
from simcore.equations.parser import symbol
from simcore.solvers.errors import SolverError

T = symbol("t")
DT = symbol("dt")
RANDOM_FUNCTIONS = (rand, randn, poisson)
# Names every group defines per element (besides the model's own parameters).
PER_ELEMENT_BUILTINS = frozenset({"i", "lastspike", "not_refractory"})


@dataclass(frozen=True)
class OdeSystem:
    """The clock-driven differential equations of a model, ready to integrate."""

    variables: tuple[str, ...]
    drift: Mapping[str, sympy.Expr]
    diffusion: Mapping[str, Mapping[int, sympy.Expr]]  # variable -> {noise index: coefficient}, non-zero only
    noise_names: tuple[str, ...]  # noise index -> name ('xi', 'xi_1', ...)
    equations: Mapping[str, Equation]
    per_element: frozenset[str]  # names, other than the variables, whose value differs between elements

    @property
    def symbols(self) -> dict[str, sympy.Symbol]:
        return {name: symbol(name) for name in self.variables}

    @property
    def is_stochastic(self) -> bool:
        return any(self.diffusion[name] for name in self.variables)

    def text(self, name: str) -> str:
        """The equation as the user wrote it, for comments and messages: 'dv/dt = (El - v)/tau'."""
        return f"d{name}/dt = {to_text(self.equations[name].expr)}"

    def error(self, name: str, message: str, method: str | None = None, reason: str | None = None
              ) -> SolverError:
        """A SolverError pointing at the equation of ``name``."""
        equation = self.equations[name]
        return SolverError(message, equation.position, equation.source, method=method, reason=reason)

    def multiplicative_noise(self) -> tuple[str, int, sympy.Expr] | None:
        """(variable, noise index, coefficient) of the first noise term that depends on a variable or on time t,
        as Brian 2 classifies noise (a function of t alone, such as a TimedArray, is held over the step)."""
        varying = set(self.symbols.values()) | {T}
        for name in self.variables:
            for k, g in self.diffusion[name].items():
                held = g.xreplace({call: sympy.Dummy() for call in g.atoms(AppliedUndef) if call.free_symbols <= {T}})
                if held.free_symbols & varying:
                    return name, k, g
        return None

    def noise_kind(self) -> str | None:
        if not self.is_stochastic:
            return None
        return "multiplicative" if self.multiplicative_noise() else "additive"

    def first_noise(self) -> tuple[str, str]:
        """(variable, noise name) of the first noise term, for messages."""
        for name in self.variables:
            for k in self.diffusion[name]:
                return name, self.noise_names[k]
        raise ValueError("the system is deterministic")


def wiener_increment(k: int) -> sympy.Expr:
    """dW of noise source k over one step: a standard normal draw times sqrt(dt)."""
    return sympy.sqrt(DT) * randn(sympy.Integer(k))


def build_system(equations: Equations) -> OdeSystem:
    """Collect the clock-driven differential equations (event-driven ones are integrated at
    events, elsewhere), substitute subexpressions and split off the noise terms."""
    noise_names = tuple(sorted(equations.stochastic_variables))
    noise_symbols = [symbol(name) for name in noise_names]
    sites = _RandomSites(first=len(noise_names))
    substitutions: dict[sympy.Symbol, sympy.Expr] = {}
    for sub in equations.ordered_subexpressions():
        if "constant over dt" in sub.flags:
            continue  # evaluated once per step, before the update: a per-element value here
        substitutions[symbol(sub.name)] = sites.renumber(sub.name, sub.expr).xreplace(substitutions)
    variables, drift, diffusion, defining = [], {}, {}, {}
    for equation in equations.equations:
        if equation.kind is not EquationKind.DIFFERENTIAL or "event-driven" in equation.flags:
            continue
        rhs = without_removable_singularities(sites.renumber(equation.name, equation.expr).xreplace(substitutions))
        parts = affine_parts(rhs, noise_symbols)
        if parts is None:
            term = offending_term(rhs, noise_symbols)
            raise SolverError(f"white noise must enter linearly (as g*xi), but the differential equation for "
                              f"'{equation.name}' contains the term {to_text(term)}",
                              equation.position, equation.source)
        coefficients, rest = parts
        variables.append(equation.name)
        drift[equation.name] = rest
        diffusion[equation.name] = {k: coefficients[s] for k, s in enumerate(noise_symbols) if coefficients[s] != 0}
        defining[equation.name] = equation
    return OdeSystem(tuple(variables), drift, diffusion, noise_names, defining, _per_element(equations))


def without_removable_singularities(expr: sympy.Expr) -> sympy.Expr:
    """``expr`` with each ``c*x/(exp(x) - 1)`` written ``c/exprel(x)`` and each ``(exp(x) - 1)/x`` written
    ``exprel(x)``: equal, but finite where ``x`` is 0 (Hodgkin-Huxley rate functions at one voltage). In
    float64 a neuron rarely lands exactly there; in float32, with thousands of neurons, one does within
    milliseconds, and 0/0 stops the run."""
    if expr.is_Atom:
        return expr
    expr = expr.func(*(without_removable_singularities(a) for a in expr.args))
    if not isinstance(expr, sympy.Mul):
        return expr
    factors = list(expr.args)
    for k, factor in enumerate(factors):
        base, power = factor.as_base_exp()
        found = _exp_minus_one(base)
        if found is None or power not in (1, -1):
            continue
        x, sign = found
        varying = sympy.fraction(sympy.cancel(x))[0].free_symbols  # x is 0 where its numerator is
        rest = sympy.Mul(*factors[:k], *factors[k + 1:])
        ratio = rest / x if power == -1 else rest * x
        if _singular(ratio, varying) or power == 1 and not _singular(rest, varying):
            continue  # the other factors do not cancel the zero of x, or there was no singularity
        return sympy.cancel(ratio) * (sign * exprel(x)) ** power
    return expr


def _singular(expr: sympy.Expr, varying: set[sympy.Symbol]) -> bool:
    """Whether ``expr``'s denominator depends on ``varying``."""
    return bool(sympy.fraction(sympy.cancel(expr))[1].free_symbols & varying)


def _exp_minus_one(expr: sympy.Expr) -> tuple[sympy.Expr, int] | None:
    """(x, 1) for exp(x) - 1, (x, -1) for 1 - exp(x), else None."""
    if not isinstance(expr, sympy.Add) or len(expr.args) != 2:
        return None
    for one, other in (expr.args, expr.args[::-1]):
        if one == -1 and isinstance(other, sympy.exp):
            return other.args[0], 1
        if one == 1 and isinstance(other, sympy.Mul) and other.args[0] == -1 and len(other.args) == 2 \
                and isinstance(other.args[1], sympy.exp):
            return other.args[1].args[0], -1
    return None


def _per_element(equations: Equations) -> frozenset[str]:
    names = set(PER_ELEMENT_BUILTINS)
    for eq in equations.equations:
        if "shared" in eq.flags:
            continue
        if eq.kind is EquationKind.PARAMETER or "constant over dt" in eq.flags or "event-driven" in eq.flags:
            names.add(eq.name)
    names.update(n for n in equations.identifiers if n.endswith(("_pre", "_post")))
    return frozenset(names)


class _RandomSites:
    """Gives every rand()/randn()/poisson() call of the model its own call-site number,
    after the numbers used by the noise sources (the parser numbers them per string)."""

    def __init__(self, first: int):
        self.next = first
        self.sites: dict[tuple[str, int], int] = {}

    def renumber(self, owner: str, expr: sympy.Expr) -> sympy.Expr:
        calls = sorted(expr.atoms(*RANDOM_FUNCTIONS), key=sympy.default_sort_key)
        mapping = {}
        for call in calls:
            key = (owner, int(call.args[-1]))
            if key not in self.sites:
                self.sites[key] = self.next
                self.next += 1
            mapping[call] = type(call)(*call.args[:-1], sympy.Integer(self.sites[key]))
        return expr.xreplace(mapping)


def affine_parts(expr: sympy.Expr, symbols: Iterable[sympy.Symbol]
                 ) -> tuple[dict[sympy.Symbol, sympy.Expr], sympy.Expr] | None:
    """``expr = sum(c[s]*s) + rest`` with every ``c[s]`` and ``rest`` free of ``symbols``,
    or None if ``expr`` is not affine in them."""
    symbols = list(symbols)
    wanted = set(symbols)
    if not expr.free_symbols & wanted:
        return {s: sympy.S.Zero for s in symbols}, expr
    coefficients = {}
    for s in symbols:
        c = expr.diff(s)
        if c.free_symbols & wanted:
            return None
        coefficients[s] = c
    # A step function (floor(v), v > 0) has a zero derivative but is not affine.
    for node in sympy.preorder_traversal(expr):
        if isinstance(node, (sympy.Function, Relational, BooleanFunction, sympy.Piecewise, sympy.Mod)) \
                and node.free_symbols & wanted:
            return None
    rest = expr.xreplace({s: sympy.S.Zero for s in symbols})
    if rest.has(sympy.nan, sympy.zoo):
        return None
    return coefficients, rest


def offending_term(expr: sympy.Expr, symbols: Iterable[sympy.Symbol]) -> sympy.Expr:
    """The first term of ``expr`` that is not affine in ``symbols`` (for error messages)."""
    symbols = list(symbols)
    for term in sympy.Add.make_args(sympy.expand_mul(expr)):
        if term.free_symbols & set(symbols) and affine_parts(term, symbols) is None:
            return term
    return expr


def term_with(expr: sympy.Expr, s: sympy.Symbol) -> sympy.Expr:
    """The first term of ``expr`` that contains ``s`` (for error messages)."""
    for term in sympy.Add.make_args(sympy.expand_mul(expr)):
        if s in term.free_symbols:
            return term
    return expr


def nonlinear_reason(name: str, symbols: list[sympy.Symbol], expr: sympy.Expr) -> str:
    """'dv/dt is not linear in v (term v**2/tau)'."""
    term = offending_term(expr, symbols)
    involved = sorted(s.name for s in term.free_symbols & set(symbols))
    what = ", ".join(involved) if involved else ", ".join(s.name for s in symbols)
    return f"d{name}/dt is not linear in {what} (term {to_text(term)})"


def is_scalar(expr: sympy.Expr, system: OdeSystem) -> bool:
    """True if ``expr`` has the same value for every element (no per-element name, no draw)."""
    names = {s.name for s in expr.free_symbols}
    return not names & (system.per_element | set(system.variables)) and not expr.has(*RANDOM_FUNCTIONS)


def integral_exponents(expr: sympy.Basic) -> sympy.Basic:
    """x**3.0 -> x**3 (a float power compiles to a slow pow() call)."""
    return expr.replace(
        lambda e: e.is_Pow and e.exp.is_Float and float(e.exp).is_integer(),
        lambda e: sympy.Pow(e.base, sympy.Integer(int(e.exp))),
    )
