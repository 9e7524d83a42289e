"""Compartment numbering and indexing, as in Brian 2.

The compartments of a tree are numbered from 0 at the root: all of a section's compartments, then its children's
sub-trees depth first, in the order the children were added. Indexing a section gives a view on some of its
compartments (``SubMorphology``): ``section[5]``, ``section[-1]``, ``section[2:4]`` by compartment number within
the section; ``section[30*um]`` (the compartment containing that path position from the section's start; a
boundary belongs to the compartment that starts there) and ``section[10*um:50*um]`` by length. ``section.indices[
item]`` and ``compartment_indices`` give absolute compartment numbers in the whole tree, which is what a
SpatialNeuron needs for ``neuron[morpho.dend]``, ``S.connect(j=morpho.dend[30*um])`` and monitors.
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from simcore.errors import ModelIndexError, ModelNotImplementedError, ModelTypeError
from simcore.morphology.tree import Morphology, describe_section
from simcore.units import Quantity, get_dimensions, metre, to_si

_LENGTH = get_dimensions(metre)
_CLOSE = 1e-12  # positions within this fraction of the section's length of a boundary are on it


def start_index(section: Morphology) -> int:
    """The absolute number of the first compartment of ``section`` in its whole tree."""
    root = section
    while root.parent is not None:
        root = root.parent
    index = 0
    for candidate in root.sections():
        if candidate is section:
            return index
        index += candidate.n
    raise AssertionError("a section is always below its root")


def _kind(value: Any) -> str:
    if value is None:
        return "none"
    if isinstance(value, Quantity):
        return "length" if get_dimensions(value) == _LENGTH and np.ndim(value) == 0 else "other"
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        return "int"
    if isinstance(value, numbers.Real) and not isinstance(value, bool) and float(value).is_integer():
        return "int"
    return "other"


def local_range(section: Morphology, item: Any) -> tuple[int, int]:
    """The compartments ``item`` selects in ``section``, as a range ``(start, stop)`` of local numbers (0 is the
    section's first compartment). ``item``: an int, a slice of ints, a length, a slice of lengths. Anything outside
    the section, or selecting nothing, is refused with the section's name and range."""
    if isinstance(item, slice):
        kinds = {_kind(item.start), _kind(item.stop)} - {"none"}
        if kinds <= {"length"} and (kinds or item.step is None):
            if item.step is not None:
                raise ModelTypeError(f"a slice of lengths on {describe_section(section)} cannot have a step")
            return _length_range(section, item.start, item.stop)
        if kinds <= {"int"}:
            return _int_range(section, item)
        raise ModelTypeError(f"a slice of {describe_section(section)} must use compartment numbers (2:4) or lengths "
                             f"(10*um:50*um) for both ends, not {item.start!r}:{item.stop!r}")
    kind = _kind(item)
    if kind == "length":
        return _position(section, item)
    if kind == "int" and isinstance(item, numbers.Integral):
        return _compartment(section, int(item))
    raise ModelTypeError(f"cannot index {describe_section(section)} with {item!r}: use a sub-tree name, a "
                         f"compartment number, a slice, a length (30*um) or a slice of lengths")


def _compartment(section: Morphology, item: int) -> tuple[int, int]:
    n = section.n
    if not -n <= item < n:
        raise ModelIndexError(f"compartment {item} is outside {describe_section(section)}, which has {n} "
                              f"compartment{'s' if n != 1 else ''} (0 to {n - 1}, or -{n} to -1 from the end)")
    item %= n
    return item, item + 1


def _int_range(section: Morphology, item: slice) -> tuple[int, int]:
    n = section.n
    for end in (item.start, item.stop):
        if end is not None and not -n <= int(end) <= n:
            raise ModelIndexError(f"the slice {item.start}:{item.stop} goes beyond {describe_section(section)}, "
                                  f"which has {n} compartments (0 to {n - 1})")
    bounds = slice(None if item.start is None else int(item.start), None if item.stop is None else int(item.stop),
                   item.step)
    start, stop, step = bounds.indices(n)
    if step != 1:
        raise ModelTypeError(f"a slice of {describe_section(section)} must be contiguous (no step), not step {step}")
    if stop <= start:
        raise ModelIndexError(f"the slice {item.start}:{item.stop} selects no compartment of "
                              f"{describe_section(section)} (0 to {n - 1})")
    return start, stop


def _ends(section: Morphology) -> np.ndarray:
    return np.cumsum(section.values().length)


def _interval(section: Morphology, ends: np.ndarray) -> str:
    return f"[0 um, {ends[-1] * 1e6:g} um] of {describe_section(section)}"


def _position(section: Morphology, item: Any) -> tuple[int, int]:
    ends = _ends(section)
    total, value = ends[-1], float(to_si(item)[0])
    if not 0 <= value <= (1 + _CLOSE) * total:
        raise ModelIndexError(f"the position {value * 1e6:g} um is outside the interval {_interval(section, ends)}")
    boundaries = np.concatenate([[0.0], ends])
    distance = np.abs(value - boundaries)
    if distance.min() < _CLOSE * total:
        index = int(np.argmin(distance))
    else:
        index = int(np.searchsorted(boundaries, value)) - 1
    index = min(index, section.n - 1)  # the section's end point is in its last compartment
    return index, index + 1


def _length_range(section: Morphology, start: Any, stop: Any) -> tuple[int, int]:
    ends = _ends(section)
    total = ends[-1]
    values = [None if end is None else float(to_si(end)[0]) for end in (start, stop)]
    for value in values:
        if value is not None and not 0 <= value <= (1 + _CLOSE) * total:
            raise ModelIndexError(f"the slice {_show(values)} goes beyond the interval {_interval(section, ends)}")
    first, last = 0, len(ends)
    if values[0] is not None:
        first = _boundary(ends, values[0], total)
        if first is None:
            first = int(np.searchsorted(ends, values[0]))
    if values[1] is not None:
        last = _boundary(ends, values[1], total)
        if last is None:
            last = int(np.searchsorted(ends, values[1])) + 1
    if last <= first:
        raise ModelIndexError(f"the slice {_show(values)} selects no compartment of the interval "
                              f"{_interval(section, ends)}")
    return first, last


def _boundary(ends: np.ndarray, value: float, total: float) -> int | None:
    """One past the compartment whose end ``value`` is on (within the tolerance), or None."""
    distance = np.abs(value - ends)
    return int(np.argmin(distance)) + 1 if distance.min() < _CLOSE * total else None


def _show(values: list[float | None]) -> str:
    return ":".join("" if value is None else f"{value * 1e6:g}*um" for value in values)


class SubMorphology:
    """A view on the compartments ``start`` to ``stop - 1`` of one section: their per-compartment values, and
    their absolute numbers through ``indices[:]``."""

    def __init__(self, section: Morphology, start: int, stop: int):
        self.section = section
        self.start = start
        self.stop = stop

    @property
    def n(self) -> int:
        """The number of compartments in the view."""
        return self.stop - self.start

    def __len__(self) -> int:
        return self.n

    n_sections = 1

    @property
    def indices(self) -> IndexView:
        """``view.indices[:]``: the absolute compartment numbers of the view."""
        return IndexView(self)

    def __repr__(self) -> str:
        return f"<compartments {self.start} to {self.stop - 1} of {describe_section(self.section)}>"


def _sliced(name: str) -> property:
    def get(self: SubMorphology) -> Any:
        value = getattr(self.section, name)
        return None if value is None else value[self.start:self.stop]

    get.__doc__ = f"The section's ``{name}`` for the compartments of this view."
    return property(get)


for _name in ("area", "volume", "length", "r_length_1", "r_length_2", "diameter", "distance",
              "x", "y", "z", "start_x", "start_y", "start_z", "end_x", "end_y", "end_z",
              "x_", "y_", "z_", "start_x_", "start_y_", "start_z_", "end_x_", "end_y_", "end_z_"):
    setattr(SubMorphology, _name, _sliced(_name))


def _everything(item: Any) -> bool:
    return item is None or isinstance(item, slice) and item == slice(None)


def compartment_indices(target: Morphology | SubMorphology, item: Any = None) -> np.ndarray:
    """The absolute compartment numbers (an int array) of a section, of a view (``morpho.dend[30*um]``), or of
    ``target[item]`` for a section and an item as in ``local_range``."""
    if isinstance(target, SubMorphology):
        if not _everything(item):
            raise ModelIndexError(f"cannot index {target!r} further: index the section itself")
        section, start, stop = target.section, target.start, target.stop
    elif isinstance(target, Morphology):
        section = target
        start, stop = (0, target.n) if _everything(item) else local_range(target, item)
    else:
        raise ModelTypeError(f"compartment numbers come from a section or a view on one, not from {target!r}")
    first = start_index(section)
    return np.arange(first + start, first + stop)


class IndexView:
    """``morpho.indices[item]``: absolute compartment numbers, a plain int where Brian 2 gives one (one
    compartment selected by a number or a length), an array for any slice."""

    def __init__(self, target: Morphology | SubMorphology):
        self.target = target

    def __getitem__(self, item: Any) -> Any:
        if isinstance(item, str):
            raise ModelNotImplementedError("morphologies have no string indexing: use morpho.indices[...] with "
                                           "compartment numbers or lengths, or the sub-tree's own .indices")
        indices = compartment_indices(self.target, item)
        if not isinstance(item, slice) and indices.size == 1 and isinstance(self.target, Morphology):
            return int(indices[0])
        return indices
