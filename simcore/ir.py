"""The frozen data passed between pipeline stages after parsing.

A solver turns Equations into a ``StateUpdate``; code generation reads it. Nothing
here holds code as text.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy


@dataclass(frozen=True)
class Assignment:
    """``target = expr`` for one element (neuron or synapse) in one time step.

    Statements run in order, as straight-line code. A target starting with ``_`` is a
    local temporary; any other target is a state variable written back. Random draws
    appear as ``rand(k)``/``randn(k)`` (simcore.equations.functions): within one
    StateUpdate, the same call (same k) is the same draw for a given element and step.
    """

    target: str
    expr: sympy.Basic
    comment: str = ""


@dataclass(frozen=True)
class MatrixExponential:
    """Constants computed once per run: ``expm(matrix*dt)``, entry [i, j] named ``names[i][j]``.

    ``matrix`` may only contain symbols that are scalar constants at run time (resolved
    from the namespace or shared variables) and ``dt``.
    """

    names: tuple[tuple[str, ...], ...]
    matrix: sympy.ImmutableMatrix


@dataclass(frozen=True)
class StateUpdate:
    """What a solver produces: the statements that advance the state by one step ``dt``."""

    method: str
    statements: tuple[Assignment, ...]
    run_constants: tuple[MatrixExponential, ...] = ()
    description: str = ""
