"""``Morphology.from_points``: a tree from SWC-like points, with Brian 2's rules.

A point is ``(index, type name, x, y, z, diameter, parent index)`` in micrometres; the first point is the root
(parent -1) and parents come before their children. Runs of points without branches and of one type become one
``Section`` (n points after a parent point give n truncated-cone compartments starting at the parent point; a
root run of n+1 points gives n). With ``spherical_soma``, a lone ``'soma'`` point becomes a spherical ``Soma``,
and a three-point soma (a soma point with two leaf soma points one radius away, NeuroMorpho's convention) is
merged into one. A section starting at a soma point starts at the soma's centre with its own first diameter.
Children are named by their type (``dend``, ``dend2``...) and also ``L``/``R`` (one or two children) or
``1``, ``2``, ... (more).

As in Brian 2, a zero diameter is accepted at a point that ends a cone in a point (a dendrite's tip), and
coincident points give zero-length compartments (a cable simulation refuses those, see ``flat.check_for_cable``).
What is refused, with a ``PointError`` naming the point (``from_swc_file`` turns it into the file's line): a
negative diameter, a compartment with zero diameter at both ends, a zero-diameter soma.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from simcore.errors import ModelTypeError, ModelValueError
from simcore.logger import get_logger
from simcore.morphology.sections import Section, Soma
from simcore.morphology.tree import Morphology
from simcore.units import from_si, get_dimensions, metre

_LENGTH = get_dimensions(metre)
_UM = 1e-6
logger = get_logger(__name__)


class PointError(ModelValueError):
    """Bad input that one point is responsible for; ``point`` is its index (an SWC reader maps it to a line)."""

    def __init__(self, point: int, message: str):
        self.point = point
        super().__init__(message)


@dataclass(eq=False)
class _Point:
    index: int
    name: str | None
    xyz: np.ndarray
    diameter: float
    parent: _Point | None = None
    children: list[_Point] = field(default_factory=list)


def _whole(value: Any, what: str, position: int) -> int:
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        return int(value)
    if isinstance(value, numbers.Real) and float(value).is_integer():
        return int(value)
    raise ModelValueError(f"point {position + 1} of the list: the {what} must be a whole number, not {value!r}")


def _read(points: Any) -> list[tuple[int, str | None, np.ndarray, float, int]]:
    """The points checked one by one: 7 values, whole indices, a name, finite coordinates, a diameter >= 0."""
    read = []
    for position, point in enumerate(points):
        if isinstance(point, str) or not hasattr(point, "__len__") or len(point) != 7:
            size = len(point) if hasattr(point, "__len__") else "not a sequence"
            raise ModelValueError(f"point {position + 1} of the list needs 7 values (index, type name, x, y, z, "
                                  f"diameter, parent index), got {size}: {point!r}")
        index = _whole(point[0], "index", position)
        name, parent = point[1], _whole(point[6], "parent index", position)
        if name is not None and not isinstance(name, str):
            raise ModelTypeError(f"point {index}: the type name must be a string such as 'dend' (or None), "
                                 f"not {name!r}")
        try:
            numbers_ = np.array([float(v) for v in point[2:6]])
        except (TypeError, ValueError):
            raise ModelValueError(f"point {index}: x, y, z and diameter must be numbers (in um), "
                                  f"not {tuple(point[2:6])!r}") from None
        if not np.all(np.isfinite(numbers_)):
            raise ModelValueError(f"point {index}: x, y, z and diameter must be finite, not {tuple(point[2:6])!r}")
        if numbers_[3] < 0:
            raise PointError(index, f"point {index}: the diameter must not be negative, but it is {numbers_[3]:g} um")
        read.append((index, name, numbers_[:3], float(numbers_[3]), parent))
    if not read:
        raise ModelValueError("from_points() needs at least one point")
    return read


def _link(read: list[tuple[int, str | None, np.ndarray, float, int]]) -> dict[int, _Point]:
    """The points as a tree, refusing duplicate indices, unknown parents, loops and parents listed too late."""
    position = {}
    for k, (index, *_rest) in enumerate(read):
        if index in position:
            raise ModelValueError(f"two points have the index {index} (points {position[index] + 1} and {k + 1} "
                                  f"of the list)")
        position[index] = k
    parents = {index: parent for index, _name, _xyz, _d, parent in read}
    nodes: dict[int, _Point] = {}
    for k, (index, name, xyz, diameter, parent) in enumerate(read):
        if parent == index:
            raise ModelValueError(f"point {index} lists itself as its parent, a loop")
        if k == 0:
            if parent != -1:
                raise ModelValueError(f"the first point ({index}) must be the root, with parent -1, not {parent}")
        elif parent == -1:
            raise ModelValueError(f"point {index} has parent -1, but point {read[0][0]} is already the root: "
                                  f"a morphology is one tree")
        elif parent not in position:
            raise ModelValueError(f"point {index}: its parent point {parent} does not exist")
        elif position[parent] > k:
            _refuse_loop(index, parents)
            raise ModelValueError(f"point {index}: its parent point {parent} is listed after it; list parents "
                                  f"before their children")
        node = _Point(index, name, xyz, diameter, nodes[parent] if k else None)
        if node.parent is not None:
            node.parent.children.append(node)
        nodes[index] = node
    return nodes


def _refuse_loop(start: int, parents: dict[int, int]) -> None:
    path, index = [start], parents[start]
    while index in parents and index not in path:
        path.append(index)
        index = parents[index]
    if index == start:
        raise ModelValueError(f"points {' -> '.join(str(i) for i in [*path, start])} form a loop (each is the "
                              f"parent of the one before)")


def _merge_three_point_soma(root: _Point, nodes: dict[int, _Point]) -> None:
    """Replace a three-point soma at the root by its centre point, or warn about several soma points."""
    somas = [child for child in root.children if child.name == "soma"]
    if root.name == "soma" and len(somas) == 2 and not any(child.children for child in somas):
        trio = [root, *somas]
        indices = ", ".join(str(p.index) for p in trio)
        for point in somas:
            if abs(point.diameter - root.diameter) >= 1e-15:
                raise PointError(point.index, f"points {indices} form a three-point soma, but not all the diameters "
                                 f"are identical ({', '.join(f'{p.diameter:g}' for p in trio)} um)")
        radius = root.diameter / 2
        distances = [float(np.sqrt(np.sum((p.xyz - root.xyz) ** 2))) for p in somas]
        for point, distance in zip(somas, distances, strict=True):
            if abs(distance - radius) > 0.1:
                raise PointError(point.index, f"points {indices} form a three-point soma, but the second and third "
                                 f"points must lie one radius from the first: their distances are "
                                 f"{distances[0]:.3f}um and {distances[1]:.3f}um, while the radius is {radius:.3f}um")
        root.children = [child for child in root.children if child not in somas]
        for point in somas:
            del nodes[point.index]
        return
    count = sum(1 for point in nodes.values() if point.name == "soma")
    if count > 1:
        logger.warning(f"from_points(): found {count} soma points; a three-point soma must be the first three "
                       f"points (the centre, then two points one radius away)", name_suffix="soma_compartments")


def _section(run: list[_Point], spherical_soma: bool) -> Morphology:
    """One section for a run of points (see the module docstring)."""
    first, parent = run[0], run[0].parent
    parent_is_soma = parent is not None and parent.name is not None and parent.name.lower() == "soma"
    if spherical_soma and len(run) == 1 and first.name == "soma":
        if first.diameter == 0:
            raise PointError(first.index, f"point {first.index}: a soma with diameter 0")
        x, y, z = (from_si(float(c) * _UM, _LENGTH) for c in first.xyz)
        return Soma(diameter=from_si(first.diameter * _UM, _LENGTH), x=x, y=y, z=z)
    if parent is None:
        if len(run) == 1:
            what = ("with spherical_soma=False the soma must be several points in a row, not the single point "
                    f"{first.index}; use spherical_soma=True to model it as a sphere") if first.name == "soma" else (
                    f"the root point {first.index} is followed directly by a branch: a root section needs at least "
                    f"two points in a row")
            raise ModelValueError(f"from_points(): {what}")
        diameters = np.array([p.diameter for p in run])
        points = np.array([p.xyz for p in run])
        labels = [p.index for p in run]
    else:
        diameters = np.array([first.diameter if parent_is_soma else parent.diameter, *(p.diameter for p in run)])
        points = np.vstack([np.zeros(3), [p.xyz - parent.xyz for p in run]])
        labels = [parent.index, *(p.index for p in run)]
    for k in np.flatnonzero((diameters[:-1] == 0) & (diameters[1:] == 0)):
        start, end = labels[k], labels[k + 1]
        why = (f"starts a section at the soma point {start} with its own diameter" if k == 0 and parent_is_soma
               else f"so has point {start}")
        raise PointError(end, f"point {end} has diameter 0 and {why}: the compartment from point {start} to point "
                         f"{end} would have diameter 0 at both ends (only one end of a cone may be 0)")
    x, y, z = (from_si(points[:, axis] * _UM, _LENGTH) for axis in range(3))
    return Section(diameter=from_si(diameters * _UM, _LENGTH), n=len(diameters) - 1, x=x, y=y, z=z,
                   type=run[-1].name)


def morphology_from_points(points: Any, spherical_soma: bool = True) -> Morphology:
    """The tree described by ``points``; see the module docstring for the rules."""
    nodes = _link(_read(points))
    root = next(iter(nodes.values()))
    if spherical_soma:
        _merge_three_point_soma(root, nodes)
    sections: dict[int, Morphology] = {}  # by the index of the section's last point
    order: list[Morphology] = []
    stack = [root]
    while stack:
        run = [stack.pop()]
        while len(run[-1].children) == 1 and run[-1].children[0].name == run[-1].name:
            run.append(run[-1].children[0])
        section = _section(run, spherical_soma)
        if run[0].parent is not None:
            sections[run[0].parent.index].children.add(run[-1].name, section, automatic_name=True)
        sections[run[-1].index] = section
        order.append(section)
        stack.extend(reversed(run[-1].children))
    for section in order[1:]:
        siblings = list(section.parent.children)
        rank = next(k for k, child in enumerate(siblings) if child is section) + 1
        alias = ("L" if rank == 1 else "R") if len(siblings) <= 2 else str(rank)
        section.parent.children.add(alias, section)
    return order[0]
