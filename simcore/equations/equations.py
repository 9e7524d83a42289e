"""``Equations``: the model of a group, as frozen parsed equations."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from typing import Any

import sympy

from simcore.equations.check import check_equation
from simcore.equations.model import FLAGS_BY_OWNER, Equation, EquationKind, is_noise, naming_problem
from simcore.equations.parsed import Expression
from simcore.equations.parser import parse_expression, symbol
from simcore.equations.printer import to_latex, to_text
from simcore.equations.reader import read_equations
from simcore.equations.snippet import Snippet
from simcore.errors import EquationError, EquationSyntaxError, ModelTypeError
from simcore.units import UNIT_NAMES, Quantity, unit_name
from simcore.units.dimension import Dimension


class Equations:
    """A set of model equations, parsed and checked for consistency (not yet for units,
    which need the namespace: see :meth:`check_units`).

    ``Equations(text, tau=10*ms, g='g_e')`` replaces the name ``tau`` by a value and
    renames ``g`` to ``g_e``.

    >>> from simcore import Equations, ms
    >>> eqs = Equations('''dg/dt = (g0 - g)/tau : siemens
    ...                    g0 : siemens (constant)''', tau=10*ms, g='g_e')
    >>> eqs.diff_eq_names
    ('g_e',)
    >>> print(eqs)
    dg_e/dt = 0.1*(g0 - g_e)/ms : siemens
    g0 : siemens (constant)
    """

    def __init__(self, eqns: str | Equations | Iterable[Equation] = "", **replacements: Any):
        if isinstance(eqns, str):
            equations = read_equations(eqns)
        elif isinstance(eqns, Equations):
            equations = eqns.equations
        else:
            equations = tuple(eqns) if isinstance(eqns, Iterable) else (eqns,)
            wrong = [eq for eq in equations if not isinstance(eq, Equation)]
            if wrong:
                raise ModelTypeError(f"Equations takes a string of equations, an Equations object or Equation "
                                     f"objects, not {wrong[0]!r} (join several strings with newlines)")
        _check_consistency(equations)
        self.equations: tuple[Equation, ...] = equations
        if replacements:
            self.equations = self.substitute(**replacements).equations

    # --- container behaviour -------------------------------------------------------
    def __iter__(self) -> Iterator[Equation]:
        return iter(self.equations)

    def __len__(self) -> int:
        return len(self.equations)

    def __getitem__(self, name: str) -> Equation:
        for equation in self.equations:
            if equation.name == name:
                return equation
        raise KeyError(f"no equation defines '{name}'")

    def keys(self) -> tuple[str, ...]:
        """The defined names, in order (as Brian 2's Equations, a mapping from name to equation)."""
        return self.names

    def values(self) -> tuple[Equation, ...]:
        return self.equations

    def items(self) -> tuple[tuple[str, Equation], ...]:
        return tuple((eq.name, eq) for eq in self.equations)

    def __contains__(self, name: object) -> bool:
        return any(eq.name == name for eq in self.equations)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, str):
            other = Equations(other)
        return isinstance(other, Equations) and set(self.equations) == set(other.equations)

    def __hash__(self) -> int:
        return hash(frozenset(self.equations))

    def __add__(self, other: Equations | str) -> Equations:
        return Equations(self.equations + Equations(other).equations)

    def __radd__(self, other: str) -> Equations:
        return Equations(other) + self

    def __str__(self) -> str:
        return "\n".join(str(eq) for eq in self.equations)

    def __repr__(self) -> str:
        return f"Equations('''\n{self}\n''')"

    def _latex(self, printer: Any = None) -> str:
        """The equations typeset, one aligned line each (also what ``sympy.latex(eqs)`` gives)."""
        return r"\begin{aligned}" + r" \\ ".join(_equation_latex(eq) for eq in self.equations) + r"\end{aligned}"

    def _repr_latex_(self) -> str | None:
        """How Jupyter shows the equations (nothing for none)."""
        return f"$${self._latex()}$$" if self.equations else None

    # --- what later stages ask -----------------------------------------------------
    def _names(self, kind: EquationKind) -> tuple[str, ...]:
        return tuple(eq.name for eq in self.equations if eq.kind is kind)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(eq.name for eq in self.equations)

    @property
    def diff_eq_names(self) -> tuple[str, ...]:
        return self._names(EquationKind.DIFFERENTIAL)

    @property
    def subexpr_names(self) -> tuple[str, ...]:
        return self._names(EquationKind.SUBEXPRESSION)

    @property
    def parameter_names(self) -> tuple[str, ...]:
        return self._names(EquationKind.PARAMETER)

    @property
    def eq_names(self) -> tuple[str, ...]:
        """The names defined by an expression: differential equations and subexpressions."""
        return tuple(eq.name for eq in self.equations if eq.expression is not None)

    @property
    def diff_eq_expressions(self) -> list[tuple[str, Expression]]:
        """(name, right-hand side) of each differential equation."""
        return [(eq.name, eq.expression) for eq in self.equations if eq.kind is EquationKind.DIFFERENTIAL]

    @property
    def eq_expressions(self) -> list[tuple[str, Expression]]:
        """(name, expression) of each differential equation and subexpression."""
        return [(eq.name, eq.expression) for eq in self.equations if eq.expression is not None]

    @property
    def ordered(self) -> tuple[Equation, ...]:
        """Subexpressions (each after those it uses), then differential equations, then parameters: the order in
        which they are evaluated."""
        return (self.ordered_subexpressions()
                + tuple(eq for eq in self.equations if eq.kind is EquationKind.DIFFERENTIAL)
                + tuple(eq for eq in self.equations if eq.kind is EquationKind.PARAMETER))

    @property
    def dependencies(self) -> dict[str, list[Dependency]]:
        """For each differential equation and subexpression, the model variables its value depends on: those
        it names directly (``via`` empty), and those reached through the subexpressions it names (``via`` the
        chain of subexpressions, outermost first)."""
        return {eq.name: self.reads(eq.name) for eq in self.equations if eq.expression is not None}

    def reads(self, name: str, through: Callable[[Equation], bool] = lambda equation: True) -> list[Dependency]:
        """The model's equations that ``name``'s expression reads: those it names, then, breadth first, those named
        by the subexpressions it reads that ``through`` accepts (``via``: the shortest such chain)."""
        def named_by(equation: Equation) -> list[Equation]:
            return [eq for eq in self.equations if eq.name in equation.identifiers]

        found, seen = [], set()
        pending = [(eq, ()) for eq in named_by(self[name])]
        while pending:
            equation, via = pending.pop(0)
            if equation.name in seen:
                continue
            seen.add(equation.name)
            found.append(Dependency(equation, via))
            if equation.kind is EquationKind.SUBEXPRESSION and through(equation):
                pending += [(eq, (*via, equation.name)) for eq in named_by(equation)]
        return found

    @property
    def dimensions(self) -> dict[str, Dimension]:
        return {eq.name: eq.dimension for eq in self.equations}

    @property
    def identifiers(self) -> frozenset[str]:
        """Names the equations use but do not define (constants, units, t, ...), noise excluded."""
        used = frozenset().union(*(eq.identifiers for eq in self.equations))
        return frozenset(n for n in used if n not in self and not is_noise(n))

    @property
    def functions(self) -> frozenset[str]:
        """Names called as functions that are not built in (TimedArrays, resolved at run time)."""
        return frozenset().union(*(eq.functions for eq in self.equations))

    @property
    def stochastic_variables(self) -> frozenset[str]:
        used = frozenset().union(*(eq.identifiers for eq in self.equations))
        return frozenset(n for n in used if is_noise(n))

    @property
    def is_stochastic(self) -> bool:
        return bool(self.stochastic_variables)

    @property
    def stochastic_type(self) -> str | None:
        """None without noise; 'multiplicative' if a noise coefficient depends on a variable or on t (after
        substituting subexpressions), else 'additive': the classification that decides which methods apply."""
        if not self.is_stochastic:
            return None
        from simcore.solvers.analysis import build_system  # the solvers build on this module
        return build_system(self).noise_kind()

    def ordered_subexpressions(self) -> tuple[Equation, ...]:
        """Subexpressions in an order where each comes after those it uses."""
        return _ordered_subexpressions(self.equations)

    # --- checks --------------------------------------------------------------------
    def check_units(self, namespace: Mapping[str, Any] | None = None,
                    builtins: Mapping[str, Dimension] | None = None) -> None:
        """Check every equation's units. ``namespace`` maps external names to values (or
        Dimensions); ``builtins`` gives the owner's own names (i, N, lastspike, ...)."""
        own = {**(builtins or {}), **self.dimensions}
        for equation in self.equations:
            check_equation(equation, own, namespace)

    def check_flags(self, owner: str) -> None:
        """Refuse flags that make no sense on ``owner`` ('NeuronGroup', 'Synapses', 'SpatialNeuron')."""
        allowed = FLAGS_BY_OWNER[owner]
        for equation in self.equations:
            wrong = sorted(equation.flags - allowed)
            if wrong:
                raise EquationError(f"the flag '{wrong[0]}' of {equation.where} does not apply in a {owner}",
                                    equation.position, equation.source)

    # --- substitution --------------------------------------------------------------
    def substitute(self, **replacements: Any) -> Equations:
        """Rename names (string values) or replace external names by values (quantities, numbers)."""
        equations = self.equations
        for name, value in replacements.items():
            if isinstance(value, str):
                equations = _rename(equations, name, value)
            else:
                equations = _replace_by_value(equations, name, value)
        return Equations(equations)


@dataclass(frozen=True)
class Dependency:
    """One entry of :attr:`Equations.dependencies`: the equation depended on, and the subexpressions in between."""

    equation: Equation
    via: tuple[str, ...] = ()


def _equation_latex(equation: Equation) -> str:
    """One line of the aligned equations: the defined name (``\\frac{\\mathrm{d}v}{\\mathrm{d}t}`` for a
    differential equation), '=' and the right-hand side, then the unit and the flags."""
    name = to_latex(symbol(equation.name))
    if equation.kind is EquationKind.DIFFERENTIAL:
        name = rf"\frac{{\mathrm{{d}}{name}}}{{\mathrm{{d}}t}}"
    right = "" if equation.expr is None else f"= {to_latex(equation.expr)}"
    unit = rf"\text{{{equation.var_type}}}" if equation.var_type != "float" else \
        to_latex(parse_expression(equation.unit_text).expr)  # a unit's names print as its symbols
    flags = rf"\ \text{{({', '.join(sorted(equation.flags))})}}" if equation.flags else ""
    return rf"{name} &{right} && \text{{unit: }}{unit}{flags}"


def _check_consistency(equations: tuple[Equation, ...]) -> None:
    seen: dict[str, Equation] = {}
    for equation in equations:
        if equation.name in seen:
            first = seen[equation.name]
            at = f" (first defined on line {first.position.line})" if first.position else ""
            raise EquationError(f"'{equation.name}' is defined twice{at}", equation.position, equation.source)
        seen[equation.name] = equation
    # noise in a subexpression is substituted into the differential equations that use it (as Brian 2 does)
    noisy: set[str] = set()
    subexpressions = [eq for eq in equations if eq.kind is EquationKind.SUBEXPRESSION]
    for _ in subexpressions:  # one pass per subexpression reaches the end of every chain of them
        noisy |= {eq.name for eq in subexpressions if eq.identifiers & noisy or any(map(is_noise, eq.identifiers))}
    for equation in equations:
        noise = sorted(n for n in equation.identifiers if is_noise(n))
        if noise and (equation.kind is not EquationKind.DIFFERENTIAL and equation.kind is not EquationKind.SUBEXPRESSION
                      or "constant over dt" in equation.flags):
            raise EquationError(f"white noise '{noise[0]}' appears in {equation.where}; noise may only "
                                "appear in differential equations and in the subexpressions they use",
                                equation.position, equation.source)
        if noise and equation.kind is EquationKind.SUBEXPRESSION and _nonlinear_noise(equation.expr, noise):
            raise EquationError(f"white noise '{_nonlinear_noise(equation.expr, noise)}' must enter "
                                f"{equation.where} linearly (as g*xi), since it is substituted into the "
                                "differential equations", equation.position, equation.source)
        noise += sorted(equation.identifiers & noisy)
        if equation.kind is EquationKind.SUBEXPRESSION and equation.name in equation.identifiers:
            raise EquationError(f"{equation.where} refers to itself", equation.position, equation.source)
        if equation.kind is EquationKind.DIFFERENTIAL and equation.var_type != "float":
            raise EquationError(f"{equation.where} integrates a variable of type {equation.var_type}; "
                                "only floating-point variables can have a derivative",
                                equation.position, equation.source)
        if "event-driven" in equation.flags and noise:
            raise EquationError(f"{equation.where} is event-driven and cannot contain noise",
                                equation.position, equation.source)
    _ordered_subexpressions(equations)


def _nonlinear_noise(expr: sympy.Expr, names: list[str]) -> str | None:
    """The first noise name whose coefficient in ``expr`` is not free of noise, or None if ``expr`` is linear in it."""
    symbols = {symbol(n) for n in names}
    for name in names:
        if expr.diff(symbol(name)).free_symbols & symbols:
            return name
    return None


def _ordered_subexpressions(equations: tuple[Equation, ...]) -> tuple[Equation, ...]:
    subexpressions = {eq.name: eq for eq in equations if eq.kind is EquationKind.SUBEXPRESSION}
    ordered: list[Equation] = []
    state: dict[str, str] = {}

    def visit(name: str, path: list[str]) -> None:
        if state.get(name) == "done":
            return
        if state.get(name) == "active":
            cycle = path[path.index(name):] + [name]
            equation = subexpressions[name]
            raise EquationError(f"the subexpressions {' -> '.join(cycle)} depend on each other in a cycle",
                                equation.position, equation.source)
        state[name] = "active"
        for used in sorted(subexpressions[name].identifiers & subexpressions.keys()):
            visit(used, path + [name])
        state[name] = "done"
        ordered.append(subexpressions[name])

    for name in subexpressions:
        visit(name, [])
    return tuple(ordered)


def _substituted(equation: Equation, mapping: dict[sympy.Symbol, sympy.Basic]) -> Equation:
    if equation.expression is None:
        return equation
    expr = equation.expression.expr.xreplace(mapping)
    names = frozenset(s.name for s in expr.free_symbols)
    expression = replace(equation.expression, expr=expr, text=to_text(expr), identifiers=names)
    return replace(equation, expression=expression)


def _rename(equations: tuple[Equation, ...], old: str, new: str) -> tuple[Equation, ...]:
    if any(eq.name == old for eq in equations):  # a model variable: its new name must be one a variable can have
        problem = naming_problem(new, frozenset(UNIT_NAMES))
    else:
        problem = None if new.isidentifier() else f"'{new}' is not a valid name"
    if problem:
        raise EquationSyntaxError(f"cannot rename '{old}' to '{new}': {problem}")
    used = any(eq.name == old or old in eq.identifiers for eq in equations)
    if not used:
        raise EquationError(f"cannot substitute '{old}': the equations do not use that name")
    mapping = {symbol(old): symbol(new)}
    return tuple(_substituted(replace(eq, name=new) if eq.name == old else eq, mapping) for eq in equations)


def _replace_by_value(equations: tuple[Equation, ...], name: str, value: Any) -> tuple[Equation, ...]:
    if any(eq.name == name for eq in equations):
        raise EquationError(f"cannot replace '{name}' by a value: it is a variable of the equations; "
                            "pass a string to rename it")
    if not any(name in eq.identifiers for eq in equations):
        raise EquationError(f"cannot substitute '{name}': the equations do not use that name")
    mapping = {symbol(name): _value_expression(name, value)}
    return tuple(_substituted(eq, mapping) for eq in equations)


def _value_expression(name: str, value: Any) -> sympy.Basic:
    """A scalar quantity or number as an expression in the model language (``10.0*ms``)."""
    if isinstance(value, Quantity):
        magnitude, unit_text = value.magnitude, unit_name(value.units)
    else:
        magnitude, unit_text = value, "1"
    try:
        number = float(magnitude)
    except (TypeError, ValueError):
        raise EquationSyntaxError(f"cannot replace '{name}' by {value!r}: only scalar numbers and quantities "
                                  "(or a string, to rename) can be substituted") from None
    if getattr(magnitude, "ndim", 0):
        raise EquationSyntaxError(f"cannot replace '{name}' by an array: only scalar values can be substituted")
    unit = parse_expression(Snippet.whole(unit_text)).expr
    value_expr = sympy.Integer(int(number)) if number.is_integer() and isinstance(magnitude, int) \
        else sympy.Float(number)
    return value_expr * unit


__all__ = ["Dependency", "Equations", "Equation", "EquationKind", "Expression"]
