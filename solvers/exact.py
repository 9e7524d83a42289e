"""Exact integration of linear systems: dx/dt = A x + b, with A and b free of t and of the
integrated variables (they may use parameters, constants and units).

The variables are split into groups that are coupled through A.

A variable on its own (a diagonal entry a, no coupling) gets its closed form

    x_new = x*exp(a*dt) + b*dt*exprel(a*dt)          (a == 0 gives x + b*dt)

A coupled group x_1..x_n (e.g. CUBA: v driven by ge and gi) gets a ``MatrixExponential``
that the run stage evaluates once per run, numerically (no symbolic exponential, which is
slow and divides by differences such as taue - taum). What is emitted:

* ``b`` the same for all elements: ``matrix = [[A, b], [0, 0]]``, (n+1)x(n+1); with
  ``M = expm(matrix*dt)``, the update is ``x_new[i] = sum_j M[i, j]*x[j] + M[i, n]``.
* ``b`` per element (it uses a parameter): ``matrix = [[A, I], [0, 0]]``, 2n x 2n; with
  ``M = expm(matrix*dt)`` (top-left exp(A*dt), top-right the integral of exp(A*s) over
  [0, dt]), the update is ``x_new[i] = sum_j M[i, j]*x[j] + sum_j M[i, n + j]*b[j]``.

``names[i][j]`` names entry (i, j) of M; entries that are zero whatever the constants'
values (no path from x_i to x_j in A) are left out of the statements.

A coupled group whose A differs between elements (per-element parameters, or a TimedArray held
over the step) is solved in closed form when it is triangular: no variable depends, through
others, on itself (Tsodyks-Markram: dy/dt = -y/tau_in, dx/dt = (1 - x - y)/tau_rec). Solved in
the order of those dependencies, by variation of constants, each new value is a sum of terms

    coefficient * x_j * E(a_1, ..., a_k)      (or coefficient * b_j * E(a_1, ..., a_k, 0))

where E(a_1..a_k) is the convolution of exp(a_1*s), ..., exp(a_k*s) over the step, the rates
a being the diagonal entries of A along the path from x_j to the variable:

    E(a) = exp(a*dt)
    E(a, c) = dt*exp(c*dt)*exprel((a - c)*dt)           (finite for a == c: dt*exp(a*dt))
    E(a_1..a_k) = (E(a_2..a_k) - E(a_1..a_k-1))/(a_k - a_1), or, where a_1 == a_k at run time,
                  E with a_k replaced by a_1 (rates equal in the equations merge: dt**(k-1)/(k-1)!*exp(a*dt))

so Tsodyks-Markram's x becomes x*exp(-dt/tau_rec) + dt/tau_rec*exprel(-dt/tau_rec) -
y*dt/tau_rec*exp(-dt/tau_in)*exprel((1/tau_in - 1/tau_rec)*dt). For three or more distinct rates
along one path, rates that differ by a relative 1e-10 lose digits to cancellation (exactly equal
rates are exact). A cycle of per-element coefficients (x reads y, y reads x) is refused.
"""

from __future__ import annotations

import math

import sympy

from simcore.equations import to_text
from simcore.equations.functions import exprel
from simcore.equations.parser import symbol
from simcore.equations.user_functions import user_calls
from simcore.ir import MatrixExponential
from simcore.solvers.analysis import (
    DT,
    RANDOM_FUNCTIONS,
    OdeSystem,
    T,
    affine_parts,
    is_scalar,
    nonlinear_reason,
    term_with,
)
from simcore.solvers.base import Block, IntegrationMethod

OTHER_METHODS = "use 'exponential_euler', 'rk4' or 'euler'"


class ExactLinear(IntegrationMethod):
    # Brian 2's option: whether sympy simplifies its symbolic solution; simcore computes no symbolic solution
    # for coupled systems (a numerical matrix exponential), so either value gives the same update
    options = {"simplify": True}

    def __init__(self):
        super().__init__(order=math.inf, description="exact integration of a linear system")

    def build(self, system: OdeSystem, block: Block) -> list[MatrixExponential]:
        symbols = system.symbols
        states = list(symbols.values())
        coupling: dict[str, dict[str, sympy.Expr]] = {}
        offset: dict[str, sympy.Expr] = {}
        for name in system.variables:
            f = system.drift[name]
            if T in _held_over_step(f).free_symbols:
                raise self.fail(system, name, f"d{name}/dt depends on time t (term {to_text(term_with(f, T))}); "
                                f"{OTHER_METHODS}")
            parts = affine_parts(f, states)
            if parts is None:
                raise self.fail(system, name, f"{nonlinear_reason(name, states, f)}; {OTHER_METHODS}")
            coefficients, offset[name] = parts
            coupling[name] = {other: coefficients[symbols[other]] for other in system.variables}
        constants = []
        for group in _groups(system.variables, coupling):
            if len(group) == 1:
                name = group[0]
                a, x = coupling[name][name], symbols[name]
                block.final(name, x * sympy.exp(a * DT) + offset[name] * DT * exprel(a * DT))
            elif all(_uniform(coupling[row][column], system) for row in group for column in group):
                constants.append(self._coupled(system, block, group, coupling, offset, len(constants)))
            else:
                self._triangular(system, block, group, coupling, offset)
        return constants

    def _triangular(self, system: OdeSystem, block: Block, group: list[str], coupling, offset) -> None:
        """The closed form of a triangular group with coefficients that differ between elements (see above)."""
        for row in group:
            for column in group:
                if coupling[row][column].has(*RANDOM_FUNCTIONS):
                    raise self.fail(system, row, f"the coefficient of {column} in d{row}/dt "
                                    f"({to_text(coupling[row][column])}) is a random draw; {OTHER_METHODS}")
        terms: dict[str, dict[tuple[str | None, tuple[sympy.Expr, ...]], sympy.Expr]] = {}
        for name in _dependency_order(system, group, coupling, self.fail):
            rate = coupling[name][name]
            own: dict = {(name, (rate,)): sympy.S.One}
            if offset[name] != 0:
                own[(None, _rates(rate, sympy.S.Zero))] = offset[name]
            for column in group:
                if column == name or coupling[name][column] == 0:
                    continue
                for (source, rates), c in terms[column].items():
                    key = (source, _rates(rate, *rates))
                    own[key] = own.get(key, sympy.S.Zero) + coupling[name][column] * c
            terms[name] = own
        for name in group:
            block.final(name, sympy.Add(*(c * (symbol(source) if source else sympy.S.One) * convolution(rates)
                                          for (source, rates), c in terms[name].items())))

    def _coupled(self, system: OdeSystem, block: Block, group: list[str], coupling, offset,
                 index: int) -> MatrixExponential:
        n = len(group)
        # a TimedArray's value changes from step to step: such an offset is not a constant of the run
        uniform_offset = all(is_scalar(offset[name], system) and not user_calls(offset[name]) for name in group)
        size = n + 1 if uniform_offset else 2 * n
        matrix = sympy.zeros(size, size)
        for i, row in enumerate(group):
            for j, column in enumerate(group):
                matrix[i, j] = coupling[row][column]
            if uniform_offset:
                matrix[i, n] = offset[row]
            else:
                matrix[i, n + i] = sympy.S.One
        names = tuple(tuple(block.name(f"_expm{index}_{i}_{j}") for j in range(size)) for i in range(size))
        reach = _reachable(group, coupling)
        for i, row in enumerate(group):
            new = sympy.Add(*(symbol(names[i][j]) * symbol(column) for j, column in enumerate(group)
                              if column in reach[row]))
            if uniform_offset:
                if any(offset[column] != 0 for column in reach[row]):
                    new += symbol(names[i][n])
            else:
                new += sympy.Add(*(symbol(names[i][n + j]) * offset[column] for j, column in enumerate(group)
                                   if column in reach[row] and offset[column] != 0))
            block.final(row, new)
        return MatrixExponential(names, sympy.ImmutableMatrix(matrix))

    def describe(self, system: OdeSystem) -> str:
        return "exact (linear system: closed form per variable, matrix exponential for coupled variables)"


def _uniform(coefficient: sympy.Expr, system: OdeSystem) -> bool:
    """One value for all elements and the whole run (a matrix exponential computed once per run can use it)."""
    return is_scalar(coefficient, system) and not user_calls(coefficient)


def _rates(*rates: sympy.Expr) -> tuple[sympy.Expr, ...]:
    """A multiset of rates, in a canonical order (so that equal terms are collected)."""
    return tuple(sorted(rates, key=sympy.default_sort_key))


def convolution(rates: tuple[sympy.Expr, ...]) -> sympy.Expr:
    """exp(a_1*s) * ... * exp(a_k*s) (convolved) at s = dt, finite wherever rates coincide (module docstring)."""
    distinct = list(dict.fromkeys(rates))
    k = len(rates)
    if len(distinct) == 1:
        return DT ** (k - 1) / math.factorial(k - 1) * sympy.exp(rates[0] * DT)
    if k == 2:
        a, c = sorted(rates, key=lambda r: (r != 0, sympy.default_sort_key(r)), reverse=True)
        return DT * sympy.exp(c * DT) * exprel((a - c) * DT)
    # a rate of 0 (a constant input) and a decay rate never coincide: divide by their difference if there is one
    first = sympy.S.Zero if sympy.S.Zero in distinct else distinct[0]
    last = distinct[-1] if distinct[-1] != first else distinct[0]
    without_first, without_last = _without(rates, first), _without(rates, last)
    merged = _rates(*(first if rate == last else rate for rate in rates))
    return sympy.Piecewise(((convolution(without_first) - convolution(without_last)) / (last - first),
                            sympy.Ne(last, first)), (convolution(merged), True))


def _without(rates: tuple[sympy.Expr, ...], rate: sympy.Expr) -> tuple[sympy.Expr, ...]:
    """``rates`` with one copy of ``rate`` removed."""
    index = rates.index(rate)
    return rates[:index] + rates[index + 1:]


def _dependency_order(system: OdeSystem, group: list[str], coupling, fail) -> list[str]:
    """The group's variables, each after those its equation reads; a SolverError naming a cycle if there is one."""
    done: list[str] = []
    active: list[str] = []

    def visit(name: str) -> None:
        if name in done:
            return
        if name in active:
            cycle = active[active.index(name):] + [name]
            raise fail(system, name, "the variables " + " -> ".join(cycle) + " depend on each other in a cycle "
                       "with coefficients that differ between elements (a per-element parameter or a TimedArray); "
                       "exact integration needs coefficients that are the same for all elements, or variables "
                       f"that depend on each other in one direction only (triangular); {OTHER_METHODS}")
        active.append(name)
        for column in group:
            if column != name and coupling[name][column] != 0:
                visit(column)
        active.pop()
        done.append(name)

    for name in group:
        visit(name)
    return done


def _held_over_step(expr: sympy.Expr) -> sympy.Expr:
    """``expr`` with each TimedArray call (``stim(t)``) replaced by a stand-in: piecewise constant, it is
    taken as constant over a time step, as Brian 2 does (for a TimedArray dt that is a multiple of dt)."""
    return expr.xreplace({call: sympy.Dummy() for call in user_calls(expr)})


def _groups(variables: tuple[str, ...], coupling) -> list[list[str]]:
    """Variables connected through non-zero off-diagonal coefficients, in equation order."""
    group_of = {name: {name} for name in variables}
    for row in variables:
        for column in variables:
            if row != column and coupling[row][column] != 0 and group_of[row] is not group_of[column]:
                merged = group_of[row] | group_of[column]
                for name in merged:
                    group_of[name] = merged
    groups, seen = [], set()
    for name in variables:
        if name not in seen:
            groups.append([n for n in variables if n in group_of[name]])
            seen |= group_of[name]
    return groups


def _reachable(group: list[str], coupling) -> dict[str, set[str]]:
    """For each variable, the variables its new value can depend on (paths in A)."""
    reach = {}
    for start in group:
        seen, todo = {start}, [start]
        while todo:
            current = todo.pop()
            for other in group:
                if other not in seen and coupling[current][other] != 0:
                    seen.add(other)
                    todo.append(other)
        reach[start] = seen
    return reach


EXACT = ExactLinear()
