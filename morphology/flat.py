"""The whole tree as flat arrays, for the cable solver and SpatialNeuron.

``flatten(morphology)`` numbers compartments as Brian 2 does (see indexing.py) and gives one frozen
``FlatMorphology`` of read-only numpy arrays in SI units (metres, square metres, cubic metres).
``check_for_cable(flat)`` refuses what a morphology may hold but a cable simulation cannot use (zero lengths,
zero areas, zero conductance between compartments); a SpatialNeuron calls it before running.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simcore.errors import ModelValueError
from simcore.morphology.sections import Place, Soma, Values
from simcore.morphology.tree import Morphology


@dataclass(frozen=True)
class FlatMorphology:
    """A morphology flattened to arrays.

    Per compartment (arrays of ``n`` values, compartment ``i`` as numbered by Brian 2):
    ``area`` (m^2, lateral membrane area; a soma's sphere area), ``length`` (m; a soma's diameter), ``diameter``
    (m, at the midpoint), ``volume`` (m^3), ``distance`` (m, path distance from the root to the midpoint),
    ``r_length_1`` and ``r_length_2`` (m, axial conductance factors start->midpoint and midpoint->end: divide by
    Ri for siemens; 1 m for a soma), ``x``/``y``/``z`` (midpoints), ``start_x``... and ``end_x``... (compartment
    ends), all in m and NaN in sections without coordinates, and ``section`` (the index of the section holding
    the compartment).

    Per section (arrays of ``sections`` values, sections in compartment order, the root first): ``names`` (the
    dotted path of names from the flattened root, '' for it, e.g. 'dend.L'), ``types`` (each section's ``type``,
    e.g. 'soma', 'dend', or None), ``first`` (the number of its first compartment), ``count`` (its compartments),
    ``parent`` (the index of its parent section, -1 for the root), ``is_soma`` (whether it is a ``Soma``) and
    ``end_distance`` (m, path distance from the root to its end).

    ``has_coordinates``: whether any section has coordinates.
    """

    n: int
    area: np.ndarray
    length: np.ndarray
    diameter: np.ndarray
    volume: np.ndarray
    distance: np.ndarray
    r_length_1: np.ndarray
    r_length_2: np.ndarray
    x: np.ndarray
    y: np.ndarray
    z: np.ndarray
    start_x: np.ndarray
    start_y: np.ndarray
    start_z: np.ndarray
    end_x: np.ndarray
    end_y: np.ndarray
    end_z: np.ndarray
    section: np.ndarray
    sections: int
    names: tuple[str, ...]
    types: tuple[str | None, ...]
    first: np.ndarray
    count: np.ndarray
    parent: np.ndarray
    is_soma: np.ndarray
    end_distance: np.ndarray
    has_coordinates: bool


_PER_COMPARTMENT = ("area", "length", "diameter", "volume", "distance", "r_length_1", "r_length_2")


def _frozen(values: list, dtype: type) -> np.ndarray:
    array = np.array(values, dtype=dtype)
    array.flags.writeable = False
    return array


def flatten(morphology: Morphology) -> FlatMorphology:
    """``morphology`` and everything below it as a ``FlatMorphology`` (one pass over the tree)."""
    columns: dict[str, list[np.ndarray]] = {name: [] for name in _PER_COMPARTMENT}
    coordinates: list[np.ndarray] = []
    names, types, first, count, parents, somas, ends, owners = [], [], [], [], [], [], [], []
    has_coordinates = False
    places: dict[int, Place] = {}
    numbers: dict[int, int] = {}
    offset = 0
    for k, section in enumerate(morphology.sections()):
        parent = section.parent if section is not morphology else None
        values: Values = section.values() if parent is None else section.compute(places[id(parent)])
        places[id(section)] = values.place_of_children()
        numbers[id(section)] = k
        for name in _PER_COMPARTMENT:
            columns[name].append(getattr(values, name))
        if values.points is None:
            coordinates.append(np.full((section.n, 9), np.nan))
        else:
            has_coordinates = True
            start, end = values.points[:-1], values.points[1:]
            coordinates.append(np.hstack([start + 0.5 * (end - start), start, end]))
        names.append("" if parent is None else ".".join(filter(None, [names[numbers[id(parent)]],
                                                                      parent.children.path_name(section)])))
        types.append(section.type)
        first.append(offset)
        count.append(section.n)
        parents.append(-1 if parent is None else numbers[id(parent)])
        somas.append(isinstance(section, Soma))
        ends.append(values.end_distance)
        owners.extend([k] * section.n)
        offset += section.n
    points = np.vstack(coordinates)
    flat = {name: _frozen(np.concatenate(parts), float) for name, parts in columns.items()}
    axes = ("x", "y", "z", "start_x", "start_y", "start_z", "end_x", "end_y", "end_z")
    flat.update({name: _frozen(points[:, column], float) for column, name in enumerate(axes)})
    return FlatMorphology(n=offset, section=_frozen(owners, np.int64), sections=len(names), names=tuple(names),
                          types=tuple(types), first=_frozen(first, np.int64), count=_frozen(count, np.int64),
                          parent=_frozen(parents, np.int64), is_soma=_frozen(somas, bool),
                          end_distance=_frozen(ends, float), has_coordinates=has_coordinates, **flat)


def _compartment(flat: FlatMorphology, i: int) -> str:
    section = int(flat.section[i])
    name = flat.names[section]
    where = f"section '{name}'" if name else "the root section"
    return f"compartment {i - int(flat.first[section])} of {where} (compartment {i} of the tree)"


def check_for_cable(flat: FlatMorphology) -> None:
    """Refuse what a cable simulation cannot use, though it is geometry Brian 2 accepts (see sections.py): a
    zero-length compartment (an infinite axial conductance), a zero-area compartment (no membrane: its voltage
    has no capacitance), and a zero diameter where two compartments meet (a zero axial conductance that cuts the
    tree in two). A zero diameter at a tip, where nothing is attached, is fine."""
    for i in np.flatnonzero(~(flat.length > 0)):
        raise ModelValueError(f"{_compartment(flat, i)} has zero length: its axial conductance would be infinite; "
                              f"a cable model needs every compartment longer than 0")
    for i in np.flatnonzero(~(flat.area > 0)):
        raise ModelValueError(f"{_compartment(flat, i)} has zero membrane area: a cable model needs every "
                              f"compartment to have a membrane")
    before = np.arange(flat.n) - 1  # the compartment each one is attached to: the one before it in its section,
    children = np.flatnonzero(flat.parent >= 0)  # or the last of the parent section; -1 for the root's first
    before[flat.first[children]] = (flat.first + flat.count - 1)[flat.parent[children]]
    before[flat.first[0]] = -1
    for i in np.flatnonzero(before >= 0):
        if not (flat.r_length_2[before[i]] > 0 and flat.r_length_1[i] > 0):
            raise ModelValueError(f"{_compartment(flat, before[i])} and {_compartment(flat, i)} meet where the "
                                  f"diameter is 0: the axial conductance between them would be 0")
