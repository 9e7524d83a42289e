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


@dataclass(frozen=True)
class ArrayRef:
    """An array the kernel receives: ``owner``'s variable ``name``; scalar if ``shared``."""

    owner: str
    name: str
    dtype: str
    shared: bool = False
    local: str = ""  # the name the code uses, if not ``name`` (a linked variable)
    index: str = ""  # kernel name of an index array mapping elements to ``owner``'s elements
    offset: int = 0  # added to the index (the first element of a subgroup)

    @property
    def arg(self) -> str:
        return f"{self.owner}_{self.name}"

    @property
    def local_name(self) -> str:
        return self.local or self.name

    def element(self, index: str) -> str:
        """The code for the element of this array that element ``index`` of the operation reads."""
        if not self.index:
            return index
        return f"_{self.index}[{index}] + {self.offset}" if self.offset else f"_{self.index}[{index}]"


@dataclass(frozen=True)
class ElementCode:
    """Per-element straight-line code over elements ``start`` to ``start + size - 1`` of one
    group: load ``arrays``, run ``statements`` (targets not starting with '_' are written back
    if in ``written``), with ``scalars`` (names of run-time constants) in scope."""

    size: int
    arrays: tuple[ArrayRef, ...]
    written: tuple[str, ...]
    scalars: tuple[str, ...]
    statements: tuple[Assignment, ...]
    start: int = 0
    # (variable, condition): the variable is stored only where the condition holds ('(unless refractory)')
    conditions: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Operation:
    """One scheduled operation of the network. ``kind`` selects the code template:

    - 'state_update': ``code`` over all elements
    - 'threshold': ``condition`` per element -> the owner's spike list
    - 'reset': ``code`` for each element in the owner's spike list
    - 'spike_monitor', 'state_monitor', 'rate_monitor': recording into buffers
    - 'synaptic_pathway': ``code`` for each synapse whose presynaptic event arrives now
    - 'summed_variable': ``code`` per synapse, its ``_summed`` added into a target variable
    """

    name: str
    kind: str
    owner: str
    when: str
    order: int
    ticks: int
    creation: int
    code: ElementCode | None = None
    condition: sympy.Basic | None = None
    source: str = ""
    details: tuple = ()
    comment: str = ""
    dt: float = 0.0  # the operation's own time step in seconds; 0: its owner's


def event_arrays(owner: str, event: str) -> tuple[str, str]:
    """Kernel names of ``owner``'s list of elements that had ``event`` this step, and its length."""
    if event == "spike":
        return f"_{owner}_spikes", f"_{owner}_nspikes"
    return f"_{owner}_{event}_events", f"_{owner}_{event}_nevents"
