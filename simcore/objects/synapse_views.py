"""Views of a Synapses object: a pathway (``S.pre``), a neuron variable as seen per synapse (``S.v_post``), the
synapse numbers an index selects (``S.indices[...]``) and a fixed selection of synapses (``S[0, :]``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from simcore.equations.parser import Statements
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
        return self.group._gathered(self.name)

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
