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
values (no path from x_i to x_j in A) are left out of the statements. A coupled group's A
must have one value for all elements (no per-element parameter): otherwise this method
refuses and says which coefficient is to blame.
"""

from __future__ import annotations

import math

import sympy

from simcore.equations import to_text
from simcore.equations.functions import exprel
from simcore.equations.parser import symbol
from simcore.equations.user_functions import user_calls
from simcore.ir import MatrixExponential
from simcore.solvers.analysis import DT, OdeSystem, T, affine_parts, is_scalar, nonlinear_reason, term_with
from simcore.solvers.base import Block, IntegrationMethod

OTHER_METHODS = "use 'exponential_euler', 'rk4' or 'euler'"


class ExactLinear(IntegrationMethod):
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
            else:
                constants.append(self._coupled(system, block, group, coupling, offset, len(constants)))
        return constants

    def _coupled(self, system: OdeSystem, block: Block, group: list[str], coupling, offset,
                 index: int) -> MatrixExponential:
        for row in group:
            for column in group:
                a = coupling[row][column]
                if not is_scalar(a, system) or user_calls(a):
                    culprits = (sorted({s.name for s in a.free_symbols} & system.per_element)
                                + sorted(to_text(c) for c in user_calls(a)) or ["a random draw"])
                    raise self.fail(system, row, f"the variables {', '.join(group)} are coupled, and exact "
                                    "integration of a coupled system needs coefficients that are the same for all "
                                    f"elements, but the coefficient of {column} in d{row}/dt ({to_text(a)}) "
                                    f"depends on {', '.join(culprits)}; {OTHER_METHODS}")
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
