"""Contiguous subgroups ``G[10:100]``, ``G[[3, 4, 5]]``, ``G[3:8][1:3]``: views on the parent's variables, usable
wherever a group is."""

from __future__ import annotations

import numpy as np

from simcore.errors import ModelError, ModelIndexError, ModelTypeError
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
                                            variable.read_only, variable.constant, linked=variable.linked,
                                            view_of=(variable, start, stop) if variable.linked else None)
        self.variables["i"] = Variable("i", DIMENSIONLESS, np.arange(self.N), read_only=True)
        self._frozen = True

    @property
    def root(self) -> Group:
        return self.parent.root if isinstance(self.parent, Subgroup) else self.parent

    @property
    def offset(self) -> int:
        return self.start + (self.parent.offset if isinstance(self.parent, Subgroup) else 0)

    @property
    def source(self) -> Group:
        """The group whose elements these are (for a subgroup of a subgroup, the outermost), as Brian 2 names it."""
        return self.root

    def __getitem__(self, key) -> Subgroup:
        return subgroup_of(self, key)

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
    """``group[key]`` for a slice with step 1, an int (a one-element subgroup), or a list or array of consecutive
    increasing ints (``G[[3, 4, 5]]``). As in Python, negative numbers count from the end; unlike a Python slice, a
    range that reaches past either end of the group is refused, not shortened (``G[2:10]`` of 3 neurons would
    silently be one neuron). Subgroups are contiguous, as in Brian 2."""
    size = group.N
    if _whole(key):
        if not -size <= key < size:
            raise ModelIndexError(f"index {int(key)} is out of range for {group.where()}, which has {size} elements "
                                  f"(0 to {size - 1}, or -{size} to -1 from the end)")
        start = int(key) % size
        return Subgroup(group, start, start + 1)
    if isinstance(key, list | tuple | np.ndarray):
        return _listed_subgroup(group, np.asarray(key))
    if not isinstance(key, slice):
        raise ModelTypeError(f"a subgroup of {group.where()} is selected with a slice such as [10:100], one index, "
                             f"or a list of consecutive indices, not {key!r}")
    text = f"[{'' if key.start is None else key.start}:{'' if key.stop is None else key.stop}" \
           f"{'' if key.step is None else f':{key.step}'}]"
    bounds = []
    for bound, default in ((key.start, 0), (key.stop, size)):
        if bound is None:
            bounds.append(default)
        elif _whole(bound) and -size <= bound <= size:
            bounds.append(int(bound) + (size if bound < 0 else 0))
        else:
            raise ModelIndexError(f"the subgroup {text} of {group.where()} reaches outside its {size} elements: "
                                  f"start and stop must be whole numbers from 0 to {size} (or -{size} to -1 from "
                                  "the end)")
    start, stop = bounds
    if key.step not in (None, 1) or stop <= start:
        raise ModelIndexError(f"the subgroup {text} of {group.where()} must be a non-empty contiguous range "
                              "[start:stop] with start < stop (no step: subgroups are contiguous, as in Brian 2)")
    return Subgroup(group, start, stop)


def _whole(value) -> bool:
    return isinstance(value, int | np.integer) and not isinstance(value, bool | np.bool_)


def _listed_subgroup(group: Group, indices: np.ndarray) -> Subgroup:
    """``G[[3, 4, 5]]``: the subgroup of consecutive, increasing elements; anything else is refused."""
    if indices.size and not np.issubdtype(indices.dtype, np.integer):
        raise ModelTypeError(f"the indices of a subgroup of {group.where()} must be whole numbers, not "
                             f"{indices.tolist()!r}")
    size = group.N
    if indices.ndim != 1 or indices.size == 0 or np.any(np.diff(indices) != 1) or indices[0] < 0 \
            or indices[-1] >= size:
        raise ModelIndexError(f"the subgroup {indices.tolist()!r} of {group.where()} must list consecutive, "
                              f"increasing elements from 0 to {size - 1} (subgroups are contiguous, as in Brian 2; "
                              "for scattered elements, index the variables: G.v[[2, 4, 6]])")
    return Subgroup(group, int(indices[0]), int(indices[-1]) + 1)
