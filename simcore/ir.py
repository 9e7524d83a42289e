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


# Targets of the two Assignments that delimit a loop in per-element code (an adaptive method's steps within dt):
# the statements after ``Assignment(LOOP_WHILE, condition)`` up to ``Assignment(LOOP_END, true)`` repeat while
# the condition holds.
LOOP_WHILE = "_while"
LOOP_END = "_end_while"


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
        return array_arg(self.owner, self.name)

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
    # statements that set shared variables (run_regularly): they run once per step, before ``statements``,
    # and read no per-element value
    shared_statements: tuple[Assignment, ...] = ()


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


# Kernel names. Every name in generated code that derives from users' names is built here, so that two
# different things never get one name (group 'a' with variable 'b_c' and group 'a_b' with variable 'c'):
# - a user's name inside a kernel name is written with each '_' as '_0' (``part``). No name starts with a
#   digit, so an '_' that is not followed by '0' always ends a part;
# - arrays start with '__' (``__<owner>_<variable>``, and ``__<owner>__<tag>_...`` for the owner's own
#   arrays: spike lists, tables, buffers), which no other name in generated code does: the code's locals
#   and placeholders start with one '_' (``_i``, ``_sub_v``, ``_mon_n``), the model's names with a letter;
# - a run-time constant is ``<owner>__<name>``, a generated function ``<owner>_<tag>_<part>...``.
# The variable or constant name ends its kernel name and never starts with '_', so it needs no escaping.
# ``array_arg`` and ``internal_arg`` give the names without their first '_' (templates write ``_{arg}``).


def part(name: str) -> str:
    """A user's name as one part of a kernel name (``exc_pop`` -> ``exc_0pop``)."""
    return name.replace("_", "_0")


def array_arg(owner: str, variable: str) -> str:
    """``owner``'s array of ``variable`` (its kernel name without the first '_')."""
    return f"_{part(owner)}_{variable}"


def internal_arg(owner: str, tag: str, *parts: str) -> str:
    """One of ``owner``'s own arrays (its kernel name without the first '_'): ``tag``, a word of simcore's,
    then further parts (users' names passed through ``part``, or simcore's words)."""
    return "_".join((f"_{part(owner)}__{tag}", *parts))


def constant_name(owner: str, name: str) -> str:
    """The kernel name of the run-time constant ``name`` as ``owner``'s code sees it."""
    return f"{part(owner)}__{name}"


def function_name(owner: str, tag: str, *parts: str) -> str:
    """The name of a generated function (an operation of ``owner``); parts as for ``internal_arg``."""
    return "_".join((f"{part(owner)}_{tag}", *parts))


def readable(name: str) -> str:
    """A generated function's name as the user's names spell it (``exc_0pop_stateupdater`` ->
    ``exc_pop_stateupdater``), for summaries: in such names every '_0' is an escaped '_'."""
    return name.replace("_0", "_")


def event_arrays(owner: str, event: str) -> tuple[str, str]:
    """Kernel names of ``owner``'s list of elements that had ``event`` this step, and its length."""
    if event == "spike":
        return f"_{internal_arg(owner, 'spikes')}", f"_{internal_arg(owner, 'nspikes')}"
    return f"_{internal_arg(owner, 'events', part(event))}", f"_{internal_arg(owner, 'nevents', part(event))}"
