"""What every integration method is, and how a method's statements are put together.

A method builds its update in a :class:`Block`: temporaries in order, then the new value
of each variable. The block turns that into straight-line statements that never read a
variable after it has been overwritten, with repeated subexpressions computed once.
"""

from __future__ import annotations

import itertools
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import sympy

from simcore.equations import Equations, to_text
from simcore.equations.functions import randn
from simcore.equations.parser import symbol
from simcore.errors import ModelKeyError, ModelTypeError
from simcore.ir import LOOP_WHILE, Assignment, MatrixExponential, StateUpdate
from simcore.solvers.analysis import OdeSystem, build_system, integral_exponents
from simcore.solvers.errors import SolverError

NOISE_KINDS = frozenset({"additive", "multiplicative"})
NOISE_ADVICE = "use 'euler' for additive noise, 'heun' or 'milstein' (both Stratonovich) for multiplicative noise"


class IntegrationMethod(ABC):
    """A numerical integration method with its declared properties.

    ``order``: deterministic (global) order of accuracy; ``strong_order``: strong order for
    the noise it supports; ``noise``: which noise it integrates ('additive', and/or
    'multiplicative', which implies additive). Tests measure the declared orders.

    As Brian 2's state updaters, a method object is what ``method=`` accepts (``method=rk4``) and a
    callable: ``rk4(equations)`` gives its update as text. ``options`` maps the names of the
    ``method_options`` it accepts to their defaults (none by default).
    """

    options: Mapping[str, Any] = {}

    def __init__(self, *, order: float, strong_order: float | None = None, noise: Iterable[str] = (),
                 name: str | None = None, description: str = ""):
        noise = frozenset(noise)
        if noise - NOISE_KINDS:
            raise SolverError(f"unknown kind of noise {sorted(noise - NOISE_KINDS)}; "
                              "use 'additive' and/or 'multiplicative'")
        if "multiplicative" in noise:
            noise |= {"additive"}
        if noise and strong_order is None:
            raise SolverError("a method that integrates noise must declare its strong order")
        if not order > 0:
            raise SolverError(f"the order of a method must be positive, not {order!r}")
        self.order = order
        self.strong_order = strong_order if noise else None
        self.noise = noise
        self.name = name
        self.description = description

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name!r}, order {self.order}>"

    @property
    def label(self) -> str:
        return f"'{self.name}'" if self.name else f"this {type(self).__name__}"

    def __call__(self, equations: Equations | str, variables: Mapping | None = None,
                 method_options: Mapping[str, Any] | None = None) -> str:
        """The update of ``equations`` as text, one ``name = expression`` per line (a noise source's
        standard normal draw written by its name, ``xi_1``). As Brian 2's abstract code, each variable's new
        value is computed into ``_<name>``, and the last lines are ``<name> = _<name>``. ``variables`` is
        accepted for Brian 2's signature: simcore resolves names when the network runs, so it does not change
        the update."""
        if isinstance(equations, str):
            equations = Equations(equations)
        system = build_system(equations)
        statements = self.integrate(system, method_options).statements
        if not any(s.target == LOOP_WHILE for s in statements):  # an adaptive method's loop is left as it is
            statements = _new_values_last(statements, system.variables)
        draws = {randn(sympy.Integer(k)): symbol(name) for k, name in enumerate(system.noise_names)}
        return "\n".join(f"{s.target} = {to_text(s.expr.xreplace(draws))}" for s in statements)

    def __str__(self) -> str:
        return self.name or type(self).__name__

    def checked_options(self, options: Mapping[str, Any] | None) -> dict[str, Any]:
        """``options`` over the defaults; a name this method does not know is a KeyError that lists those it does."""
        if options is None:
            options = {}
        if not isinstance(options, Mapping):
            raise ModelTypeError(f"method_options must be a dict of option names and values, not {options!r}")
        unknown = sorted(set(options) - set(self.options), key=str)
        if unknown:
            known = ", ".join(f"'{name}'" for name in self.options) or "none"
            raise ModelKeyError(f"{self.label} has no option {unknown[0]!r}; its options: {known}")
        return {**self.options, **options}

    def integrate(self, system: OdeSystem, options: Mapping[str, Any] | None = None) -> StateUpdate:
        """The update statements for ``system``; SolverError (saying why) if it cannot."""
        self.checked_options(options)
        self.check_noise(system)
        block = Block(system)
        constants = self.build(system, block)
        return StateUpdate(self.name or type(self).__name__, block.statements(), tuple(constants),
                           self.describe(system))

    def describe(self, system: OdeSystem) -> str:
        name = self.name or type(self).__name__
        return f"{name} ({self.description})" if self.description else name

    @abstractmethod
    def build(self, system: OdeSystem, block: Block) -> Iterable[MatrixExponential]:
        """Fill ``block`` with the update; return the run constants it uses."""

    def fail(self, system: OdeSystem, name: str, reason: str) -> SolverError:
        """'<method> cannot integrate these equations: <reason>', pointing at ``name``'s equation."""
        return system.error(name, f"{self.label} cannot integrate these equations: {reason}", self.name, reason)

    def check_noise(self, system: OdeSystem) -> None:
        kind = system.noise_kind()
        if kind is None:
            return
        if not self.noise:
            name, xi = system.first_noise()
            raise self.fail(system, name, f"they are stochastic (noise '{xi}' in d{name}/dt); {NOISE_ADVICE}")
        if kind == "multiplicative" and "multiplicative" not in self.noise:
            name, k, g = system.multiplicative_noise()
            xi = system.noise_names[k]
            raise self.fail(system, name, f"it integrates additive noise only, but the coefficient of '{xi}' in "
                            f"d{name}/dt ({to_text(g)}) depends on state variables or on time t; use 'heun' "
                            "or 'milstein' (both Stratonovich) for multiplicative noise")


def _new_values_last(statements: tuple[Assignment, ...], variables: tuple[str, ...]) -> list[Assignment]:
    """``statements`` with each variable's new value in ``_<name>`` and copied to ``<name>`` at the end (the new
    value of a variable that no later statement reads is written to it directly in the statements a method
    builds; one that is read later is already kept in a temporary, which takes the name ``_<name>``)."""
    taken = {s.target for s in statements}
    renames: dict[sympy.Symbol, sympy.Symbol] = {}
    body, copies = [], []
    for statement in statements:
        if statement.target not in variables:
            body.append(statement)
            continue
        new = symbol(f"_{statement.target}")
        if isinstance(statement.expr, sympy.Symbol) and statement.expr.name in taken:  # the copy of a temporary
            if new.name not in taken:
                renames[statement.expr] = new
            copies.append(Assignment(statement.target, renames.get(statement.expr, statement.expr), statement.comment))
        elif new.name in taken:
            body.append(statement)
        else:
            body.append(Assignment(new.name, statement.expr, statement.comment))
            copies.append(Assignment(statement.target, new, statement.comment))
    body = [Assignment(renames.get(symbol(s.target), symbol(s.target)).name, s.expr.xreplace(renames), s.comment)
            for s in body]
    return body + copies


class Block:
    """The update of one system under construction."""

    def __init__(self, system: OdeSystem):
        self.system = system
        self.used: set[str] = set()
        self.temps: list[Assignment] = []
        self.finals: list[tuple[str, sympy.Expr]] = []

    def name(self, preferred: str) -> str:
        """A fresh temporary name, ``preferred`` if still free."""
        name = preferred
        for n in itertools.count(2):
            if name not in self.used:
                break
            name = f"{preferred}_{n}"
        self.used.add(name)
        return name

    def temp(self, preferred: str, expr: sympy.Expr, comment: str) -> sympy.Symbol:
        """Compute ``expr`` into a new temporary; returns its symbol."""
        name = self.name(preferred)
        self.temps.append(Assignment(name, expr, comment))
        return symbol(name)

    def final(self, variable: str, expr: sympy.Expr) -> None:
        """The new value of ``variable`` (an expression of the old values and temporaries)."""
        self.finals.append((variable, expr))

    def statements(self) -> tuple[Assignment, ...]:
        finals = [(v, e) for v, e in self.finals if e != symbol(v)]
        body, copies = list(self.temps), []
        for index, (variable, expr) in enumerate(finals):
            comment = self.system.text(variable)
            read_later = any(symbol(variable) in e.free_symbols for _, e in finals[index + 1:])
            if read_later:  # keep the old value readable until every new value is known
                new = self.name(f"_{variable}_new")
                body.append(Assignment(new, expr, comment))
                copies.append(Assignment(variable, symbol(new), comment))
            else:
                body.append(Assignment(variable, expr, comment))
        body = common_subexpressions(body, self.name)
        return tuple(Assignment(a.target, integral_exponents(a.expr), a.comment) for a in body + copies)


def _cheap(expr: sympy.Expr) -> bool:
    """Not worth a temporary of its own (and clearer written out): -dt/tau, sqrt(dt)."""
    return not expr.atoms(sympy.Function) and sympy.count_ops(expr) <= 2


def common_subexpressions(body: list[Assignment], new_name: Callable[[str], str]) -> list[Assignment]:
    """Compute each repeated subexpression once, in a temporary placed just before its first use."""
    if not body:
        return body
    scratch = (sympy.Symbol(f"__cse{i}") for i in itertools.count())
    replacements, reduced = sympy.cse([a.expr for a in body], symbols=scratch)
    kept: dict[sympy.Symbol, sympy.Expr] = {}
    inline: dict[sympy.Symbol, sympy.Expr] = {}
    for sym, expr in replacements:
        expr = expr.xreplace(inline)
        if _cheap(expr):
            inline[sym] = expr
        else:
            kept[sym] = expr
    renamed = {sym: symbol(new_name(f"_cse{n}")) for n, sym in enumerate(kept)}
    kept = {renamed[s]: e.xreplace(renamed) for s, e in kept.items()}
    reduced = [e.xreplace(inline).xreplace(renamed) for e in reduced]
    order = {s: n for n, s in enumerate(kept)}
    out: list[Assignment] = []
    placed: set[sympy.Symbol] = set()

    def place(expr: sympy.Expr, comment: str) -> None:
        for s in sorted(expr.free_symbols & kept.keys(), key=order.__getitem__):
            if s not in placed:
                place(kept[s], comment)
                placed.add(s)
                out.append(Assignment(s.name, kept[s], comment))

    for assignment, expr in zip(body, reduced, strict=True):
        place(expr, assignment.comment)
        out.append(Assignment(assignment.target, expr, assignment.comment))
    return out
