"""Contiguous subgroups ``G[10:100]``: views on the parent's variables, usable wherever a group is."""

from __future__ import annotations

import numpy as np

from simcore.errors import ModelError
from simcore.objects.base import SimObject
from simcore.objects.group import Group
from simcore.objects.variables import Variable
from simcore.units.dimension import DIMENSIONLESS


class Subgroup(Group):
    """Elements ``start`` to ``stop - 1`` of ``parent``; writing a value writes the parent's."""

    base_name = "subgroup"

    def __init__(self, parent: Group, start: int, stop: int):
        object.__setattr__(self, "variables", {})
        self.parent = parent
        self.start = start
        self.stop = stop
        Group.__init__(self, stop - start, parent.equations, parent.namespace,
                       name=f"{parent.name}_subgroup_{start}_{stop}", clock=parent.clock)
        for name, variable in parent.variables.items():
            if name == "i":
                continue
            array = variable.array if variable.shared else variable.array[start:stop]
            self.variables[name] = Variable(name, variable.dimension, array, variable.shared,
                                            variable.read_only, variable.constant)
        self.variables["i"] = Variable("i", DIMENSIONLESS, np.arange(self.N), read_only=True)
        self._frozen = True

    @property
    def root(self) -> Group:
        return self.parent.root if isinstance(self.parent, Subgroup) else self.parent

    @property
    def offset(self) -> int:
        return self.start + (self.parent.offset if isinstance(self.parent, Subgroup) else 0)

    # A view: its parent simulates and stores everything, so back to SimObject's "nothing".
    operations = SimObject.operations
    kernel_arrays = SimObject.kernel_arrays
    spike_buffers = SimObject.spike_buffers
    state = SimObject.state
    restore_state = SimObject.restore_state

    def dependencies(self) -> list:
        return [self.root]

    def run_regularly(self, code: str, dt=None, when: str = "start", order: int = 0, name: str | None = None) -> str:
        """Statements run every ``dt`` on this subgroup's elements only (``i`` counts from 0 here)."""
        root = self.root
        if not hasattr(root, "add_regular"):
            raise ModelError(f"{root.where()} has no run_regularly")
        return root.add_regular(code, dt, when, order, name or f"{self.name}_run_regularly", self.offset, self.N)


def subgroup_of(group: Group, key) -> Subgroup:
    """``group[key]`` for a slice with step 1, or an int (a one-element subgroup). As in Python, negative numbers
    count from the end; unlike a Python slice, a range that reaches past either end of the group is refused, not
    shortened (``G[2:10]`` of 3 neurons would silently be one neuron)."""
    size = group.N
    if isinstance(key, int | np.integer) and not isinstance(key, bool | np.bool_):
        if not -size <= key < size:
            raise ModelError(f"index {int(key)} is out of range for {group.where()}, which has {size} elements "
                             f"(0 to {size - 1}, or -{size} to -1 from the end)")
        start = int(key) % size
        return Subgroup(group, start, start + 1)
    if not isinstance(key, slice):
        raise ModelError(f"subgroups are contiguous: index {group.name} with a slice such as [10:100] or one "
                         f"index, not {key!r}")
    text = f"[{'' if key.start is None else key.start}:{'' if key.stop is None else key.stop}" \
           f"{'' if key.step is None else f':{key.step}'}]"
    bounds = []
    for bound, default in ((key.start, 0), (key.stop, size)):
        if bound is None:
            bounds.append(default)
        elif isinstance(bound, int | np.integer) and not isinstance(bound, bool | np.bool_) and -size <= bound <= size:
            bounds.append(int(bound) + (size if bound < 0 else 0))
        else:
            raise ModelError(f"the subgroup {text} of {group.where()} reaches outside its {size} elements: "
                             f"start and stop must be whole numbers from 0 to {size} (or -{size} to -1 from the end)")
    start, stop = bounds
    if key.step not in (None, 1) or stop <= start:
        raise ModelError(f"the subgroup {text} of {group.where()} must be a non-empty contiguous range "
                         "[start:stop] with start < stop (no step: subgroups are contiguous, as in Brian 2)")
    return Subgroup(group, start, stop)
