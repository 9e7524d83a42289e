"""The frozen data passed between pipeline stages after parsing.

A solver turns Equations into a ``StateUpdate``; code generation reads it. Nothing
here holds code as text.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

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

    @property
    def constants(self) -> list[str]:
        """The names of the matrix's symbols other than ``dt`` (sorted): the constants it is computed from."""
        return sorted(s.name for s in self.matrix.free_symbols if s.name != "dt")


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


# What each kind of operation needs beyond its code: one frozen class per kind, so that a template reads fields
# that exist (a missing or misspelt one fails where the operation is made, not in a generated kernel).
# ``range`` is (first, one past the last) element of the group the operation reads or records.


@dataclass(frozen=True, slots=True)
class StateUpdateDetails:
    """The integration ``method`` chosen ('exact', 'euler', ...; 'none' without differential equations) and
    what it did (``description``), for the generated source's comment and error messages."""

    method: str
    description: str = ""


@dataclass(frozen=True, slots=True)
class ThresholdDetails:
    """``event``: the event the condition detects; ``refractory``: a spike also sets lastspike and
    not_refractory; ``every``: (first, step) when only elements first, first + step, ... can meet the condition
    (a SpatialNeuron's threshold_location, one compartment a neuron): the CPU then tests those alone, the GPU
    (where the threshold shares the state update's pass over every element) all, the condition deciding."""

    event: str
    refractory: bool
    every: tuple[int, int] | None = None


@dataclass(frozen=True, slots=True)
class ResetDetails:
    """``event``: the event whose elements the code runs for."""

    event: str = "spike"


@dataclass(frozen=True, slots=True)
class RegularDetails:
    """run_regularly code (a PoissonInput's too): its user-facing ``name`` ('': none of its own), and the
    ``times`` in seconds at which it runs (run_at; None: every tick of its clock)."""

    name: str = ""
    times: tuple[float, ...] | None = None


@dataclass(frozen=True, slots=True)
class SpikeMonitorDetails:
    """The ``event``s of elements ``range`` of group ``source`` (of ``source_size`` elements); with ``record``,
    their indices, times and ``variables``, else only their counts."""

    source: str
    range: tuple[int, int]
    record: bool
    variables: tuple[ArrayRef, ...]
    event: str
    source_size: int


@dataclass(frozen=True, slots=True)
class StateMonitorDetails:
    """``recorded`` elements' stored ``variables`` (the others are computed by the operation's code), with
    shared constants of group ``scalar_owner``; ``times`` as for ``RegularDetails``."""

    variables: tuple[ArrayRef, ...]
    scalar_owner: str
    recorded: int
    times: tuple[float, ...] | None = None


@dataclass(frozen=True, slots=True)
class RateMonitorDetails:
    """The spike rate of elements ``range`` of group ``source`` (of ``source_size`` elements)."""

    source: str
    range: tuple[int, int]
    source_size: int


@dataclass(frozen=True, slots=True)
class SpikeGeneratorDetails:
    """``event``: the event the generator's spikes are."""

    event: str = "spike"


@dataclass(frozen=True, slots=True)
class PathwayDetails:
    """A synaptic pathway triggered by ``event``s of elements ``range`` (``sources`` of them) of group
    ``source`` (``source_size`` elements; ``whole_source``: the range is all of it). Its tables are named
    ``{prefix}_ptr`` etc.; ``indirect``: ``_syn`` maps table positions to synapses. ``delays``: 'none',
    'homogeneous' (all ``steps``) or 'heterogeneous', with a ring of ``slots`` steps; ``blocks``: target blocks
    that run in parallel."""

    source: str
    event: str
    range: tuple[int, int]
    whole_source: bool
    prefix: str
    delays: Literal["none", "homogeneous", "heterogeneous"]
    slots: int
    steps: int
    indirect: bool
    blocks: int
    sources: int
    source_size: int


@dataclass(frozen=True, slots=True)
class SummedDetails:
    """Sums into ``target``'s elements ``range``, over the synapses listed per target in ``{prefix}_ptr``,
    ``{prefix}_syn``."""

    target: ArrayRef
    range: tuple[int, int]
    prefix: str


@dataclass(frozen=True, slots=True)
class CableDetails:
    """The implicit step of the cable equation (``simcore.kernels.cable``) for ``neurons`` neurons of
    ``compartments`` consecutive compartments each, over a tree of ``nodes`` nodes. The operation's code computes,
    per compartment, the linearised membrane current's ``_gtot`` and ``_I0`` and keeps ``_v_previous``; the
    solve then writes ``v``, and ``Ic`` follows from the change of ``v``."""

    neurons: int
    compartments: int
    nodes: int


Details = (StateUpdateDetails | ThresholdDetails | ResetDetails | RegularDetails | SpikeMonitorDetails
           | StateMonitorDetails | RateMonitorDetails | SpikeGeneratorDetails | PathwayDetails | SummedDetails
           | CableDetails)

# each operation's kind in words, named by its details class (the plan and the generated comments print it)
KIND_OF_DETAILS: dict[type, str] = {
    StateUpdateDetails: "state update", RegularDetails: "regular", ThresholdDetails: "threshold",
    ResetDetails: "reset", SpikeMonitorDetails: "spike monitor", StateMonitorDetails: "state monitor",
    RateMonitorDetails: "rate monitor", SpikeGeneratorDetails: "spike generator", PathwayDetails: "synaptic pathway",
    SummedDetails: "summed variable", CableDetails: "cable equation",
}


@dataclass(frozen=True)
class Operation:
    """One scheduled operation of the network: what every operation has (name, owner, schedule, element code),
    and ``details``, one frozen class per kind, whose type says what the operation does:

    - StateUpdateDetails: ``code`` over all elements (the integration method's); RegularDetails: the same, on its
      own schedule
    - ThresholdDetails: ``condition`` per element -> the owner's spike list
    - ResetDetails: ``code`` for each element in the owner's spike list
    - SpikeMonitorDetails, StateMonitorDetails, RateMonitorDetails: recording into buffers
    - PathwayDetails: ``code`` for each synapse whose presynaptic event arrives now
    - SummedDetails: ``code`` per synapse, its ``_summed`` added into a target variable
    - SpikeGeneratorDetails: the owner's spikes of this step, from its table
    """

    name: str
    owner: str
    when: str
    order: int
    ticks: int
    creation: int
    details: Details
    code: ElementCode | None = None
    condition: sympy.Basic | None = None
    source: str = ""
    comment: str = ""
    dt: float = 0.0  # the operation's own time step in seconds; 0: its owner's

    def __post_init__(self) -> None:
        if type(self.details) not in KIND_OF_DETAILS:
            raise TypeError(f"internal: operation {self.name} has details {type(self.details).__name__}, "
                            f"which no kind of operation has")

    @property
    def kind(self) -> str:
        """The operation's kind in words ('state update', 'threshold', ...)."""
        return KIND_OF_DETAILS[type(self.details)]

    @property
    def times(self) -> tuple[float, ...] | None:
        """The times in seconds at which the operation runs (run_at, a monitor on an EventClock); None: at every
        tick of its clock."""
        return self.details.times if isinstance(self.details, RegularDetails | StateMonitorDetails) else None

    @property
    def events(self) -> tuple[str, str]:
        """The group and the event whose list of elements the operation fills or reads."""
        details = self.details
        source = details.source if isinstance(details, SpikeMonitorDetails | RateMonitorDetails | PathwayDetails) \
            else self.owner
        event = details.event if isinstance(details, ThresholdDetails | ResetDetails | SpikeMonitorDetails
                                            | SpikeGeneratorDetails | PathwayDetails) else "spike"
        return source, event


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


def event_flags(op: Operation) -> str:
    """The kernel argument in which threshold ``op``, run in one pass with its group's state update, flags the
    elements that had its event this step (one byte each)."""
    return f"_{op.name}__flags"


def at_steps(op: Operation) -> str:
    """The kernel argument that holds the time steps at which ``op`` (code with times: run_at) runs."""
    return f"_{op.name}__at"
