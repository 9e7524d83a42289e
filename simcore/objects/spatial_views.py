"""Compartment views of a SpatialNeuron, as Brian 2 has them: ``neuron.dend`` (a section with its whole sub-tree),
``neuron.main`` (a section's own compartments), ``neuron.dend.L``, ``neuron.LRL``, ``neuron['dend']``,
``neuron.dend[30*um]`` and ``neuron.dend[10*um:50*um]`` (by length along the section), ``neuron[5]`` and
``neuron[2:8]`` (counted from the view's first compartment), ``neuron[morpho.axon]``; each a contiguous subgroup
whose variables are the neuron's. Also the element numbers that a morphology, a view on one or a subgroup stands
for, where ``record=``, ``connect(i=, j=)`` and ``threshold_location=`` take them.

Beyond Brian 2, a SpatialNeuron may hold N neurons (compartment c of neuron k is element k*compartments + c). With
N > 1 the group's own numbers count neurons: ``neuron[k]`` is neuron k (indexed as a one-neuron SpatialNeuron is),
``neuron[2:4]`` neurons 2 and 3. A section of every neuron (``neuron.dend``) is not one contiguous range, and
subgroups are contiguous, so it is refused, pointing to ``neuron[k].dend``; so are lengths and morphologies there.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from simcore.errors import ModelIndexError, ModelTypeError, ModelValueError
from simcore.morphology import FlatMorphology, Morphology, NoSubtreeError, SubMorphology, local_range
from simcore.morphology.tree import describe_section
from simcore.objects.group import Group
from simcore.objects.subgroup import Subgroup
from simcore.objects.variables import whole_number
from simcore.units import Quantity

if TYPE_CHECKING:
    from simcore.objects.spatialneuron import SpatialNeuron

_SHORTHAND = frozenset("LR123456789")


class SectionAccessError(ModelIndexError, AttributeError):
    """A section asked of a view that cannot give it. An AttributeError too, so that ``hasattr`` answers False."""


class ThresholdLocationError(ModelValueError, AttributeError):
    """A threshold_location of several compartments: an AttributeError too, which is what Brian 2 raises."""


@dataclass(frozen=True)
class _Place:
    """What a view is: ``tree``, the section whose sub-tree (or own compartments) it holds, None for a range of
    compartments or of whole neurons; ``neuron``, the neuron it belongs to, None for whole neurons; ``label``,
    how messages name it (``spatialneuron[2].dend``)."""

    tree: Morphology | None
    neuron: int | None
    label: str


class SpatialSubgroup(Subgroup):
    """Compartments ``start`` to ``stop - 1`` of a SpatialNeuron, reached by a section or an index. Its variables
    are the neuron's; ``indices[...]`` gives element numbers of the whole SpatialNeuron, as Brian 2's do."""

    def __init__(self, neuron: SpatialNeuron, start: int, stop: int, place: _Place):
        object.__setattr__(self, "_place", place)
        super().__init__(neuron, start, stop)

    @property
    def morphology(self) -> Morphology | None:
        """The section this view starts at (None for a range of compartments or of neurons)."""
        return self._place.tree

    @property
    def indices(self) -> _ElementNumbers:
        """``view.indices[key]``: numbers of the whole SpatialNeuron's elements, not counted from the view."""
        return _ElementNumbers(self)

    def where(self) -> str:
        return f"{self._place.label} (elements {self.start} to {self.stop - 1} of {self.root.where()})"

    def __getattr__(self, name: str) -> Any:
        return spatial_attribute(self, name)

    def __getitem__(self, item: Any) -> SpatialSubgroup:
        return spatial_item(self, item)

    def indices_for(self, key: Any) -> np.ndarray | slice:
        return super().indices_for(element_numbers(self, key))


class _ElementNumbers:
    def __init__(self, view: SpatialSubgroup):
        self.view = view

    def __getitem__(self, key: Any) -> np.ndarray:
        return self.view.offset + np.arange(self.view.N)[self.view.indices_for(key)]


def _place_of(group: Group) -> _Place:
    if isinstance(group, SpatialSubgroup):
        return group._place
    single = group.neurons == 1
    return _Place(group.morphology if single else None, 0 if single else None, group.name)


def section_first(morphology: Morphology, flat: FlatMorphology, section: Morphology) -> int:
    """The number (within one neuron) of the first compartment of ``section``, a section of ``morphology``."""
    for k, candidate in enumerate(morphology.sections()):
        if candidate is section:
            return int(flat.first[k])
    raise ModelIndexError(f"{describe_section(section)} ({section!r}) is not a section of this neuron's morphology "
                          f"(a section of another tree?)")


def tree_range(morphology: Morphology, flat: FlatMorphology, part: Morphology | SubMorphology) -> tuple[int, int]:
    """The compartments (within one neuron) of ``part``: a section's own, or those of a view on one
    (``morpho.dend[30*um]``), as ``(start, stop)``."""
    if isinstance(part, SubMorphology):
        first = section_first(morphology, flat, part.section)
        return first + part.start, first + part.stop
    first = section_first(morphology, flat, part)
    return first, first + part.n


def _section_view(group: Group, section: Morphology, own: bool, label: str) -> SpatialSubgroup:
    """The view of ``section`` in the neuron ``group`` belongs to: its own compartments, or its sub-tree (which
    the depth-first numbering keeps contiguous)."""
    neuron, place = group.root, _place_of(group)
    first = place.neuron * neuron.compartments + section_first(neuron.morphology, neuron.flat_morphology, section)
    count = section.n if own else section.total_compartments
    return SpatialSubgroup(neuron, first, first + count, _Place(section, place.neuron, label))


def _names_section(group: Group, place: _Place, name: str) -> bool:
    """Whether ``group.<name>`` asks for a section rather than a variable."""
    if name == "main" or all(c in _SHORTHAND for c in name):
        return True
    trees = [place.tree] if place.tree is not None else list(group.root.morphology.sections())
    return any(name in tree.children for tree in trees)


def section_view(group: Group, name: str) -> SpatialSubgroup:
    """``group.main``, ``group.dend``, ``group.LRL``, ``group['dend']``: a section of the view's tree."""
    place = _place_of(group)
    if place.tree is None:
        if place.neuron is None:
            raise SectionAccessError(
                f"{place.label}.{name}: {place.label} holds several whole neurons ({group.root.neurons} share the "
                f"morphology), and a section of each is not one contiguous range of elements (subgroups are "
                f"contiguous); select one neuron first: {group.root.name}[k].{name}")
        raise SectionAccessError(f"{place.label}.{name}: {place.label} is a range of compartments, not a section, "
                                 f"so it has no sub-trees; take {name!r} from the section it is in")
    if name == "main":
        return _section_view(group, place.tree, True, f"{place.label}.main")
    return _section_view(group, place.tree[name], False, f"{place.label}.{name}")


def spatial_attribute(group: Group, name: str) -> Any:
    """``group.<name>`` on a SpatialNeuron or a view: a section (Brian 2 looks sections up first), else a
    variable; an unknown name is refused naming the section's children."""
    ready = "parent" in group.__dict__ if "_place" in group.__dict__ else "neurons" in group.__dict__
    if name.startswith("_") or not ready:
        return Group.__getattr__(group, name)
    place = _place_of(group)
    if _names_section(group, place, name):
        try:
            return section_view(group, name)
        except (NoSubtreeError, SectionAccessError):
            if name not in group.__dict__.get("variables", {}) and name not in group.equations.subexpr_names:
                raise  # else a variable named like a shorthand (``R``) where there is no such sub-tree
    try:
        return Group.__getattr__(group, name)
    except AttributeError:
        if place.tree is None:
            raise
        names = [repr(place.tree.children.path_name(child)) for child in place.tree.children]
        have = f"its children are named {', '.join(names)}" if names else "it has no children"
        raise NoSubtreeError(f"{place.label} has no variable {name!r}, and {describe_section(place.tree)} has no "
                             f"sub-tree of that name ({have})") from None


def _is_length(item: Any) -> bool:
    if isinstance(item, slice):
        return isinstance(item.start, Quantity) or isinstance(item.stop, Quantity)
    return isinstance(item, Quantity)


def spatial_item(group: Group, item: Any) -> SpatialSubgroup:
    """``group[item]`` on a SpatialNeuron or a view (see the module's docstring)."""
    neuron, place = group.root, _place_of(group)
    if isinstance(item, str):
        return section_view(group, item)
    if place.neuron is None:
        return _neurons_item(group, place, item)
    base = place.neuron * neuron.compartments
    if isinstance(item, Morphology | SubMorphology):
        start, stop = tree_range(neuron.morphology, neuron.flat_morphology, item)
        start, stop = base + start, base + stop
        if start < group.offset or stop > group.offset + group.N:
            raise ModelIndexError(f"{place.label}[{item!r}]: those compartments (elements {start} to {stop - 1}) "
                                  f"are not within {group.where()}")
        tree = item if isinstance(item, Morphology) else None
        return SpatialSubgroup(neuron, start, stop, _Place(tree, place.neuron, f"{place.label}[{_shown(item)}]"))
    if _is_length(item):
        if place.tree is None:
            raise ModelTypeError(f"{place.label}[{_shown(item)}]: {place.label} is a range of compartments, not a "
                                 f"section: positions are measured along a section (index the section instead)")
        first, stop = local_range(place.tree, item)
        start = base + section_first(neuron.morphology, neuron.flat_morphology, place.tree)
        return SpatialSubgroup(neuron, start + first, start + stop, _Place(None, place.neuron,
                                                                 f"{place.label}[{_shown(item)}]"))
    first, stop = _counted(f"{place.label}", "compartment", group.N, item)
    return SpatialSubgroup(neuron, group.offset + first, group.offset + stop,
                 _Place(None, place.neuron, f"{place.label}[{_shown(item)}]"))


def _neurons_item(group: Group, place: _Place, item: Any) -> SpatialSubgroup:
    """``neuron[k]``, ``neuron[2:4]`` of a SpatialNeuron with N > 1: whole neurons."""
    neuron = group.root
    if group is not neuron:
        raise ModelIndexError(f"{place.label}[{_shown(item)}]: {place.label} holds several whole neurons; select one "
                              f"neuron ({neuron.name}[k]) before indexing its compartments")
    if isinstance(item, Morphology | SubMorphology) or _is_length(item):
        raise ModelIndexError(f"{place.label}[{_shown(item)}]: {place.label} has {neuron.neurons} neurons sharing "
                              f"the morphology, and its numbers count neurons; select one neuron first: "
                              f"{neuron.name}[k][{_shown(item)}]")
    first, stop = _counted(place.label, "neuron", neuron.neurons, item)
    size = neuron.compartments
    one = stop - first == 1
    label = f"{place.label}[{_shown(item)}]"
    return SpatialSubgroup(neuron, first * size, stop * size, _Place(neuron.morphology if one else None,
                                                           first if one else None, label))


def _counted(label: str, what: str, size: int, item: Any) -> tuple[int, int]:
    """The range an int, a slice with step 1 or a list of consecutive ints selects among ``size`` things; beyond
    either end is refused, not shortened."""
    if isinstance(item, int | np.integer) and not isinstance(item, bool | np.bool_):
        if not -size <= item < size:
            raise ModelIndexError(f"{what} {int(item)} is outside {label}, which has {size} {what}s (0 to "
                                  f"{size - 1}, or -{size} to -1 from the end)")
        return int(item) % size, int(item) % size + 1
    if isinstance(item, list | tuple | np.ndarray):
        numbers = np.asarray(item)
        if numbers.ndim != 1 or numbers.size == 0 or not np.issubdtype(numbers.dtype, np.integer) \
                or np.any(np.diff(numbers) != 1):
            raise ModelIndexError(f"{label}[{_shown(item)}]: a list of {what}s must be consecutive increasing whole "
                                  f"numbers (views are contiguous)")
        return _counted(label, what, size, slice(int(numbers[0]), int(numbers[-1]) + 1))
    if not isinstance(item, slice):
        raise ModelTypeError(f"cannot index {label} with {item!r}: use a section name, a {what} number, a slice, "
                             f"a length (30*um), a slice of lengths or a part of the morphology (morpho.dend)")
    for end in (item.start, item.stop):
        if end is not None and not (isinstance(end, int | np.integer) and -size <= end <= size):
            raise ModelIndexError(f"{label}[{_shown(item)}] goes beyond {label}, which has {size} {what}s (0 to "
                                  f"{size - 1})")
    start, stop, step = item.indices(size)
    if step != 1 or stop <= start:
        raise ModelIndexError(f"{label}[{_shown(item)}] must be a non-empty range of {what}s without a step "
                              f"(views are contiguous)")
    return start, stop


def _shown(item: Any) -> str:
    if isinstance(item, slice):
        return f"{'' if item.start is None else item.start}:{'' if item.stop is None else item.stop}" + (
            "" if item.step is None else f":{item.step}")
    if isinstance(item, Morphology):
        return f"<{describe_section(item)}>"
    return repr(item) if not isinstance(item, Quantity) else str(item)


def element_numbers(group: Group, target: Any) -> Any:
    """``target`` as numbers of ``group``'s elements (counted from its first) when it is a part of a morphology
    (``morpho.dend``, ``morpho[0]``, ``morpho.axon[10*um]``) or a subgroup of the same group (``neuron.dend[30*um]``);
    anything else unchanged. What ``record=``, ``connect(i=, j=)``, ``mon[...]`` and indices of variables accept."""
    if isinstance(target, Morphology | SubMorphology):
        neuron = group.root
        if "flat_morphology" not in neuron.__dict__:
            raise ModelTypeError(f"{_shown(target)} selects compartments of a SpatialNeuron, but {group.where()} is "
                                 f"not one")
        one = _place_of(group).neuron if isinstance(group, SpatialSubgroup) else 0 if neuron.neurons == 1 else None
        if one is None:
            raise ModelIndexError(f"{_shown(target)}: {group.where()} holds several of the {neuron.neurons} neurons "
                                  f"sharing the morphology; give the compartments of one neuron: "
                                  f"{neuron.name}[k][morpho...] or {neuron.name}[k].dend...")
        start, stop = tree_range(neuron.morphology, neuron.flat_morphology, target)
        start, stop = start + one * neuron.compartments, stop + one * neuron.compartments
        what = f"{_shown(target)} (elements {start} to {stop - 1} of {neuron.name})"
    elif isinstance(target, Subgroup):
        if target.root is not group.root:
            raise ModelIndexError(f"{target.where()} is not part of {group.where()}")
        start, stop = target.offset, target.offset + target.N
        what = target.where()
    else:
        return target
    if start < group.offset or stop > group.offset + group.N:
        raise ModelIndexError(f"{what} is not within {group.where()}")
    if stop - start == 1 and not isinstance(target, Subgroup):
        return start - group.offset  # one compartment is one number, as Brian 2 gives it (mon[morpho.soma].v)
    return np.arange(start - group.offset, stop - group.offset)


def threshold_compartment(location: Any, morphology: Morphology, flat: FlatMorphology) -> int:
    """The compartment (of each neuron) where spikes are detected: a compartment number, or a part of the
    morphology that is one compartment (``morpho.axon[10*um]``, a one-compartment section), as Brian 2 takes."""
    if isinstance(location, Morphology | SubMorphology):
        start, stop = tree_range(morphology, flat, location)
        if stop - start != 1:
            raise ThresholdLocationError(f"threshold_location must be one compartment, not {_shown(location)}, "
                                         f"which has {stop - start}")
        return start
    if isinstance(location, list | tuple | np.ndarray):
        if np.size(location) != 1:
            raise ThresholdLocationError(f"threshold_location must be one compartment, not {np.size(location)} "
                                         f"({_shown(location)})")
        location = np.ravel(location)[0]
    if isinstance(location, Group):
        raise ModelTypeError(f"threshold_location takes a compartment number or a part of the morphology "
                             f"(morpho.axon[10*um]), not {location.where()}")
    number = whole_number(location, "threshold_location", 0)
    if number >= flat.n:
        raise ModelValueError(f"threshold_location {number} is outside the morphology (compartments 0 to "
                              f"{flat.n - 1})")
    return number
