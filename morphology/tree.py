"""The tree of sections: the ``Morphology`` base class, its named children, and the errors of tree edits.

A morphology is a tree whose nodes are unbranched sections (``Soma``, ``Cylinder``, ``Section``), each cut into
``n`` compartments. Children are attached by name (``morpho.dend = Cylinder(...)``, ``morpho['dend'] = ...``),
get an automatic number too (``'1'``, ``'2'``, ... in the order added), and a string of ``L``, ``R`` and ``1``-``9``
walks several levels at once (``morpho.LRL`` is ``morpho.L.R.L``), as in Brian 2.
"""

from __future__ import annotations

import numbers
from abc import ABC, abstractmethod
from collections.abc import Iterator
from typing import Any

import numpy as np

from simcore.errors import ModelKeyError, ModelNotImplementedError, ModelTypeError, ModelValueError
from simcore.units import Quantity, fail_for_dimension_mismatch

_SHORTHAND = frozenset("LR123456789")


class NoSubtreeError(ModelKeyError, AttributeError):
    """A name that no child of a section has. An AttributeError (``morpho.axon``) and a KeyError
    (``morpho['axon']``), which are what Brian 2 raises."""


def is_shorthand(name: str) -> bool:
    """Whether ``name`` walks several levels (``'LRL'``, ``'12'``) rather than naming one child."""
    return len(name) > 1 and all(c in _SHORTHAND for c in name)


def describe_section(section: Morphology) -> str:
    """How messages name a section: its path from the root (``'dend.L'``) or ``'the root section'``."""
    path = section_path(section)
    return f"section '{path}'" if path else "the root section"


def section_path(section: Morphology) -> str:
    """The dotted path of given names from the root (``''`` for the root), as ``topology()`` shows it."""
    names = []
    while section.parent is not None:
        names.append(section.parent.children.path_name(section))
        section = section.parent
    return ".".join(reversed(names))


class Children:
    """The sub-trees of one section. Iterates over them in the order they were added; looks them up by any of
    their names (the given one, aliases, and the automatic number)."""

    def __init__(self, owner: Morphology):
        self._owner = owner
        self._order: list[Morphology] = []
        self._by_name: dict[str, Morphology] = {}
        self._given: dict[int, str | None] = {}
        self._number: dict[int, str] = {}

    def __iter__(self) -> Iterator[Morphology]:
        return iter(list(self._order))

    def __len__(self) -> int:
        return len(self._order)

    def __contains__(self, item: object) -> bool:
        if isinstance(item, str):
            return item in self._by_name
        return any(child is item for child in self._order)

    def __getitem__(self, name: str) -> Morphology:
        if not isinstance(name, str):
            raise ModelTypeError(f"children are looked up by name (a string), not by {name!r}")
        try:
            return self._by_name[name]
        except KeyError:
            raise NoSubtreeError(self._missing(name)) from None

    def _missing(self, name: str) -> str:
        names = sorted(self._by_name)
        have = f"its children are named {', '.join(repr(n) for n in names)}" if names else "it has no children"
        return f"{describe_section(self._owner)} has no sub-tree {name!r} ({have})"

    def name(self, child: Morphology) -> str | None:
        """The name ``child`` was first added with (None when it was added without one)."""
        return self._given.get(id(child))

    def path_name(self, child: Morphology) -> str:
        """The name of ``child`` in paths: its given name, or its automatic number when it has none."""
        given = self._given.get(id(child))
        return given if given is not None else self._number[id(child)]

    def add(self, name: str | None, subtree: Morphology, automatic_name: bool = False) -> None:
        """Attach ``subtree`` under ``name`` (with ``automatic_name``, a taken name becomes ``name2``, ``name3``...).
        Adding a child again under another name makes an alias. A section already attached elsewhere, and a
        section that is this one or one of its ancestors, are refused: each section has one place in one tree."""
        if not isinstance(subtree, Morphology):
            raise ModelTypeError(f"only a Soma, Cylinder or Section can be attached to {describe_section(self._owner)}"
                                 f", not {subtree!r}")
        self._check_place(name, subtree)
        taken = self._by_name.get(name) if name is not None else None
        if taken is not None and taken is not subtree:
            if not automatic_name:
                raise ModelValueError(f"{describe_section(self._owner)} already has a sub-tree named {name!r}; "
                                      f"delete it first (del morpho.{name}) or use another name")
            base, counter = name, 1
            while name in self._by_name:
                counter += 1
                name = f"{base}{counter}"
        if subtree not in self:
            number = str(len(self._number) + 1)
            while number in self._by_name:
                number = str(int(number) + 1)
            self._order.append(subtree)
            self._by_name[number] = subtree
            self._number[id(subtree)] = number
            self._given[id(subtree)] = name
        if name is not None:
            self._by_name[name] = subtree
        subtree._parent = self._owner

    def _check_place(self, name: str | None, subtree: Morphology) -> None:
        where = describe_section(self._owner)
        if subtree.parent is not None and subtree.parent is not self._owner:
            raise ModelValueError(f"cannot attach a section as {name!r} of {where}: it is already "
                                  f"{describe_section(subtree)} of another section (a section has one parent; "
                                  f"attach a copy made with copy_section())")
        ancestor: Morphology | None = self._owner
        while ancestor is not None:
            if ancestor is subtree:
                raise ModelValueError(f"cannot attach a section as {name!r} of {where}: it is that section or one "
                                      f"of its ancestors, which would make a loop")
            ancestor = ancestor.parent

    def remove(self, name: str) -> None:
        """Detach the sub-tree called ``name`` (all its names go)."""
        subtree = self[name]
        self._order = [child for child in self._order if child is not subtree]
        self._by_name = {key: child for key, child in self._by_name.items() if child is not subtree}
        del self._given[id(subtree)], self._number[id(subtree)]
        subtree._parent = None

    def __repr__(self) -> str:
        shown = ", ".join(f"{self.path_name(child)!r}: {child!r}" for child in self._order)
        return f"<{len(self._order)} children{': {' + shown + '}' if shown else ''}>"


class Morphology(ABC):
    """A neuron's shape: a tree of unbranched sections, each made of ``n`` compartments. Build one from ``Soma``,
    ``Cylinder`` and ``Section`` objects, or load one with ``Morphology.from_file`` / ``from_points``."""

    def __init__(self, n: Any, type: str | None = None):
        object.__setattr__(self, "_n", _compartment_count(n))
        object.__setattr__(self, "type", type)
        object.__setattr__(self, "_children", Children(self))
        object.__setattr__(self, "_parent", None)

    # -- the tree ---------------------------------------------------------------------------------------------
    @property
    def n(self) -> int:
        """The number of compartments of this section."""
        return self._n

    def __len__(self) -> int:
        raise ModelTypeError("the 'length' of a Morphology is ambiguous: use .n for the compartments of this "
                             "section or .total_compartments for the whole sub-tree")

    @property
    def total_compartments(self) -> int:
        """Compartments of this section and of every section below it."""
        return sum(section.n for section in self.sections())

    @property
    def total_sections(self) -> int:
        """This section and every section below it."""
        return sum(1 for _ in self.sections())

    @property
    def parent(self) -> Morphology | None:
        """The section this one is attached to (None for a root)."""
        return self._parent

    @property
    def children(self) -> Children:
        """The sections attached to this one, in the order added."""
        return self._children

    def sections(self) -> Iterator[Morphology]:
        """This section and all below it in compartment order: each section before its children, children in the
        order they were added (depth first)."""
        stack: list[Morphology] = [self]
        while stack:
            section = stack.pop()
            yield section
            stack.extend(reversed(list(section.children)))

    def _child(self, name: str) -> Morphology:
        if is_shorthand(name):
            return self._child(name[0])._child(name[1:])
        return self.children[name]

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        try:
            return self._child(name)
        except NoSubtreeError as error:
            raise NoSubtreeError(f"{error.message}; {type(self).__name__} has no attribute {name!r} either") from None

    def __setattr__(self, name: str, value: Any) -> None:
        if isinstance(value, Morphology) and not name.startswith("_"):
            self[name] = value
        else:
            object.__setattr__(self, name, value)

    def __delattr__(self, name: str) -> None:
        del self[name]

    def __setitem__(self, name: Any, child: Morphology) -> None:
        name = str(name)
        if is_shorthand(name):
            self._child(name[:-1])[name[-1]] = child
        else:
            self.children.add(name, child)

    def __delitem__(self, name: Any) -> None:
        name = str(name)
        if is_shorthand(name):
            del self._child(name[:-1])[name[-1]]
        else:
            self.children.remove(name)

    def __getitem__(self, item: Any) -> Any:
        """A child by name or shorthand (``morpho['dend']``, ``morpho['LR']``), or a view on some compartments of
        this section: ``morpho[5]``, ``morpho[2:4]``, ``morpho[10*um]``, ``morpho[10*um:50*um]``."""
        from simcore.morphology.indexing import SubMorphology, local_range

        if isinstance(item, str):
            return self._child(item)
        start, stop = local_range(self, item)
        return SubMorphology(self, start, stop)

    @property
    def indices(self) -> Any:
        """``morpho.indices[item]``: absolute compartment indices in the whole tree (see indexing.py)."""
        from simcore.morphology.indexing import IndexView

        return IndexView(self)

    def topology(self) -> Any:
        """A printable picture of the tree: one line per section, ``( )`` for a soma, one dash per compartment."""
        from simcore.morphology.topology import Topology

        return Topology(self)

    def generate_coordinates(self, section_randomness: float = 0.0, compartment_randomness: float = 0.0,
                             overwrite_existing: bool = False, seed: int | None = None) -> Morphology:
        """A copy of the tree with coordinates for the sections that have none (all of them with
        ``overwrite_existing``), laid out as Brian 2 does. The randomness arguments are in degrees (the mean of
        exponentially distributed deviations); the draws come from ``numpy.random.RandomState(seed)``, or from
        numpy's global random state when ``seed`` is None, as in Brian 2 (so its ``seed(s)`` and ``seed=s`` here
        give the same shape)."""
        from simcore.morphology.topology import generate_coordinates

        return generate_coordinates(self, section_randomness, compartment_randomness, overwrite_existing, seed)

    @abstractmethod
    def copy_section(self) -> Morphology:
        """This section alone (no parent, no children), with the same geometry."""

    # -- loading ----------------------------------------------------------------------------------------------
    @staticmethod
    def from_points(points: Any, spherical_soma: bool = True) -> Morphology:
        """A morphology from SWC-like points ``(index, type name, x, y, z, diameter, parent index or -1)`` in
        micrometres (see points.py)."""
        from simcore.morphology.points import morphology_from_points

        return morphology_from_points(points, spherical_soma=spherical_soma)

    @staticmethod
    def from_swc_file(filename: str, spherical_soma: bool = True) -> Morphology:
        """A morphology from an SWC file (errors name the line of the file)."""
        from simcore.morphology.swc import load_swc

        return load_swc(filename, spherical_soma=spherical_soma)

    @staticmethod
    def from_file(filename: str, spherical_soma: bool = True) -> Morphology:
        """A morphology from a file; SWC (``.swc``) is the format read, as in Brian 2."""
        if not str(filename).lower().endswith(".swc"):
            raise ModelNotImplementedError(f"cannot read {filename!r}: SWC files (ending in .swc) are the only "
                                           f"morphology files read")
        return Morphology.from_swc_file(filename, spherical_soma=spherical_soma)


def _compartment_count(n: Any) -> int:
    """``n`` checked: a whole number of at least 1 (a string is a file name given to the wrong function)."""
    if isinstance(n, str):
        raise ModelTypeError(f"the number of compartments n must be a whole number, not the string {n!r}; to load "
                             f"a morphology from a file use Morphology.from_file({n!r})")
    if isinstance(n, Quantity):
        fail_for_dimension_mismatch(n, None, "the number of compartments n must be a plain number")
    if isinstance(n, bool) or not isinstance(n, numbers.Real) and not (isinstance(n, np.ndarray) and n.ndim == 0):
        raise ModelTypeError(f"the number of compartments n must be a whole number, not {n!r}")
    if float(n) != int(n):
        raise ModelTypeError(f"the number of compartments n must be a whole number, not {n!r}")
    if int(n) < 1:
        raise ModelValueError(f"the number of compartments n must be at least 1, not {int(n)}")
    return int(n)
