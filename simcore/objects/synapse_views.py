"""Views of a Synapses object: a pathway (``S.pre``), a neuron variable as seen per synapse (``S.v_post``), the
synapse numbers an index selects (``S.indices[...]``; ``[i, j]`` indices: ``pair_indices``) and a fixed selection of
synapses (``S[0, :]``)."""

from __future__ import annotations

from dataclasses import dataclass
from numbers import Number
from typing import TYPE_CHECKING

import numpy as np

from simcore.connect.request import matches
from simcore.equations.parser import Statements
from simcore.errors import ModelError, ModelIndexError
from simcore.objects.group import Group
from simcore.objects.variables import Variable, VariableView

if TYPE_CHECKING:
    from simcore.objects.synapses import Synapses


@dataclass
class Pathway:
    """One pathway (``S.pre``, ``S.post`` or a named one): code run per synapse when the
    event of its source element arrives, after the pathway's delay."""

    name: str
    statements: Statements | None  # None: empty code (on_pre=''), which does nothing
    direction: str  # 'pre': triggered by the source group, 'post': by the target group
    event: str
    order: int
    delay_variable: str

    @property
    def trigger_index(self) -> str:
        """The synapse index ('i' or 'j') of the neuron whose event triggers the pathway."""
        return "i" if self.direction == "pre" else "j"

    @property
    def reached_index(self) -> str:
        """The synapse index of the neuron on the other side, which the pathway's code reaches."""
        return "j" if self.direction == "pre" else "i"


class PathwayView:
    """``S.pre``: a pathway's ``delay`` (read and set like a variable) and ``order``."""

    def __init__(self, synapses: Synapses, pathway: Pathway):
        object.__setattr__(self, "_synapses", synapses)
        object.__setattr__(self, "_pathway", pathway)

    @property
    def synapses(self) -> Synapses:
        return self._synapses

    @property
    def delay_variable(self) -> str:
        """The synapses' variable that holds this pathway's delays (what ``StateMonitor(S.pre, 'delay')`` reads)."""
        return self._pathway.delay_variable

    @property
    def delay(self):
        return getattr(self._synapses, self._pathway.delay_variable)

    @delay.setter
    def delay(self, value) -> None:
        setattr(self._synapses, self._pathway.delay_variable, value)

    @property
    def order(self) -> int:
        return self._pathway.order

    @order.setter
    def order(self, value: int) -> None:
        self._pathway.order = int(value)

    @property
    def event(self) -> str:
        return self._pathway.event

    @property
    def code(self) -> str:
        """The pathway's statements as given."""
        statements = self._pathway.statements
        return "" if statements is None else statements.source

    @property
    def clock(self):
        """The clock of the group whose events trigger the pathway (Brian 2 runs a pathway on it)."""
        synapses = self._synapses
        return (synapses.source if self._pathway.direction == "pre" else synapses.target).clock


class NeuronVariableView(VariableView):
    """``S.v_post``, ``S.v_pre``, ``S.v2_post`` (a subexpression): a neuron variable of the target (source) as seen
    by each synapse; setting it sets the neurons' variable (``S.v_post[0, :] = ...``)."""

    @property
    def variable(self) -> Variable:
        return self.group.neuron_variable(self.name)

    def _values(self):
        return self.variable.values()

    @property
    def dimensions(self):
        return self.variable.dimension


class SynapseIndices:
    """``S.indices[...]``: the synapse numbers that an index (``[i, j]``, a condition, ...) selects."""

    def __init__(self, synapses: Synapses):
        self._synapses = synapses

    def __getitem__(self, key) -> np.ndarray:
        return np.arange(self._synapses.N)[self._synapses.indices_for(key)]


class SynapticSubgroup:
    """``S[0, :]``: the synapses an index selected when it was made. Index the variables with it (``S.w[sub]``) or
    read and set them through it (``sub.w``)."""

    def __init__(self, synapses: Synapses, indices: np.ndarray):
        object.__setattr__(self, "synapses", synapses)
        object.__setattr__(self, "synapse_indices", indices)

    def __len__(self) -> int:
        return len(self.synapse_indices)

    def __getattr__(self, name: str):
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self.synapses, name)[self.synapse_indices]

    def __setattr__(self, name: str, value) -> None:
        getattr(self.synapses, name)[self.synapse_indices] = value

    def __repr__(self) -> str:
        return f"<{len(self)} synapses of '{self.synapses.name}'>"


def pair_indices(synapses: Synapses, key: tuple) -> np.ndarray:
    """``S.w[i, j]``, ``S.w[i, j, n]``: the synapses whose source, target (and multisynaptic index) each part of
    ``key`` selects (ints, slices, arrays; a subgroup of the source or target for its neurons)."""
    if len(key) not in (2, 3):
        raise ModelIndexError(f"index the synapses of {synapses.where()} with [i, j] or [i, j, n] (each an "
                              f"integer, a slice or integers), not {len(key)} indices {key!r}")
    mask = np.ones(synapses.N, dtype=bool)
    columns = [synapses.variables["i"].array, synapses.variables["j"].array]
    sizes = [synapses.source.N, synapses.target.N]
    if len(key) == 3:
        if synapses.multisynaptic_index is None:
            raise ModelError("S[i, j, n] needs Synapses(..., multisynaptic_index='name')")
        columns.append(synapses.variables[synapses.multisynaptic_index].array)
        sizes.append(np.iinfo(np.int32).max)
    parts = [_side_range(synapses, part, side, group) if isinstance(part, Group) else part
             for part, side, group in zip(key, ("source", "target"), (synapses.source, synapses.target), strict=False)]
    for part, column, size in zip(parts + list(key[2:]), columns, sizes, strict=True):
        mask &= matches(part, column, size)
    return np.flatnonzero(mask)


def _side_range(synapses: Synapses, group: Group, side: str, own: Group) -> slice:
    """A (sub)group in the i or j place of ``[i, j]`` stands for its neurons, as their numbers within the
    synapses' ``side`` group; it must lie within that group (a partial overlap is refused, not cut)."""
    start = group.offset - own.offset
    if group.root is not own.root or start < 0 or start + group.N > own.N:
        raise ModelIndexError(f"{group.where()} cannot select the {side}s of {synapses.where()}: it does not lie "
                              f"within its {side} {own.where()}")
    return slice(start, start + group.N)


def check_synapse_numbers(synapses: Synapses, key) -> None:
    """Refuse an index of synapses (not a condition or a slice) that is neither integers nor booleans, or an
    integer out of range."""
    values = np.asarray(key) if isinstance(key, Number | np.generic | list | np.ndarray) else None
    if values is None or values.dtype.kind not in "biu" or values.dtype == np.bool_ and values.ndim == 0:
        raise ModelIndexError(f"synapses of {synapses.where()} are indexed by an integer, a slice, integers, "
                              f"booleans, a condition string or [i, j], not {key!r}")
    count = synapses.N
    if values.dtype.kind in "iu" and values.size and not -count <= values.min() <= values.max() < count:
        bad = values[(values < -count) | (values >= count)].ravel()[0]
        raise ModelIndexError(f"synapse {bad} is out of range for {synapses.where()}, which has {count} synapses")
