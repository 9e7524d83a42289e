"""The three kinds of section: ``Soma`` (a sphere), ``Cylinder`` and ``Section`` (truncated cones).

Each stores its own geometry in SI floats: the diameters at the n+1 compartment boundaries, the n compartment
lengths, and optionally the n+1 boundary points relative to the end of the parent section (a soma's single point
is absolute). Everything per compartment (area, distance, coordinates...) is derived on request from these and
from the parent's end (see ``Place``), and given as Quantities in Brian 2's units.

What is accepted is what Brian 2 accepts as geometry: a zero diameter at one end of a compartment (a cone ending
in a point), zero lengths (a dummy ``Cylinder(length=0*um)``, coincident points); their r_length values are then
0 or infinite, as in Brian 2. What is never meaningful is refused: negative or non-finite lengths and diameters, a
compartment with zero diameter at both ends, a zero-diameter ``Soma`` or ``Cylinder``. A cable simulation needs
more (no zero lengths, no zero areas, no zero conductance between compartments): ``flat.check_for_cable``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from simcore.errors import ModelTypeError
from simcore.morphology import geometry
from simcore.morphology.arguments import cone_diameters, coordinate_points, metres, non_negative, positive, single_value
from simcore.morphology.tree import Morphology
from simcore.units import from_si, get_dimensions, metre

_LENGTH = get_dimensions(metre)
_AREA = _LENGTH**2
_VOLUME = _LENGTH**3


@dataclass(frozen=True)
class Place:
    """What a section needs from its parent: the path distance at the parent's end, the distance of the parent's
    last compartment midpoint (where a soma attached to a section sits), and the parent's end point (None when the
    parent has no coordinates)."""

    end_distance: float = 0.0
    last_distance: float = 0.0
    end_point: np.ndarray | None = None


@dataclass(frozen=True)
class Values:
    """One section's per-compartment numbers in SI units (arrays of n values); ``points`` are the n+1 absolute
    boundary points, shape (n+1, 3), or None without coordinates."""

    length: np.ndarray
    area: np.ndarray
    volume: np.ndarray
    diameter: np.ndarray
    r_length_1: np.ndarray
    r_length_2: np.ndarray
    distance: np.ndarray
    end_distance: float
    points: np.ndarray | None

    def place_of_children(self) -> Place:
        end_point = None if self.points is None else self.points[-1]
        return Place(self.end_distance, float(self.distance[-1]), end_point)


def _coordinate(axis: int, where: str, with_unit: bool) -> property:
    def get(self: Shaped) -> Any:
        points = self.values().points
        if points is None:
            return None
        start, end = points[:-1, axis], points[1:, axis]
        value = {"start": start, "end": end, "mid": start + 0.5 * (end - start)}[where]
        return from_si(value, _LENGTH) if with_unit else value

    name = "xyz"[axis]
    get.__doc__ = (f"The {name} coordinate at the {where}{'point' if where == 'mid' else ''} of each compartment"
                   f"{'' if with_unit else ' (a plain float in metres)'}; None without coordinates.")
    return property(get)


class Shaped(Morphology):
    """Per-compartment geometry shared by all sections; subclasses say how to compute it (``compute``)."""

    def compute(self, place: Place) -> Values:
        """This section's numbers when it hangs at ``place``."""
        raise NotImplementedError

    def values(self) -> Values:
        """This section's numbers in SI units, in the tree it belongs to."""
        chain = [self]
        while chain[-1].parent is not None:
            chain.append(chain[-1].parent)
        place = Place()
        for section in reversed(chain):
            values = section.compute(place)
            place = values.place_of_children()
        return values

    length = property(lambda self: from_si(self.values().length, _LENGTH), doc="Length of each compartment.")
    area = property(lambda self: from_si(self.values().area, _AREA), doc="Membrane area of each compartment.")
    volume = property(lambda self: from_si(self.values().volume, _VOLUME), doc="Volume of each compartment.")
    diameter = property(lambda self: from_si(self.values().diameter, _LENGTH),
                        doc="Diameter at the midpoint of each compartment.")
    distance = property(lambda self: from_si(self.values().distance, _LENGTH),
                        doc="Path distance from the root to the midpoint of each compartment.")
    end_distance = property(lambda self: from_si(self.values().end_distance, _LENGTH),
                            doc="Path distance from the root to the end of this section.")
    r_length_1 = property(lambda self: from_si(self.values().r_length_1, _LENGTH),
                          doc="Axial conductance factor from the start to the midpoint of each compartment (/Ri).")
    r_length_2 = property(lambda self: from_si(self.values().r_length_2, _LENGTH),
                          doc="Axial conductance factor from the midpoint to the end of each compartment (/Ri).")
    x, y, z = (_coordinate(axis, "mid", True) for axis in range(3))
    start_x, start_y, start_z = (_coordinate(axis, "start", True) for axis in range(3))
    end_x, end_y, end_z = (_coordinate(axis, "end", True) for axis in range(3))
    x_, y_, z_ = (_coordinate(axis, "mid", False) for axis in range(3))
    start_x_, start_y_, start_z_ = (_coordinate(axis, "start", False) for axis in range(3))
    end_x_, end_y_, end_z_ = (_coordinate(axis, "end", False) for axis in range(3))

    @property
    def coordinates_(self) -> np.ndarray | None:
        """The n+1 boundary points (start of the first compartment, then the end of each), shape (n+1, 3), plain
        floats in metres; None without coordinates."""
        points = self.values().points
        return None if points is None else points.copy()

    @property
    def coordinates(self) -> Any:
        """The n+1 boundary points, shape (n+1, 3), in metres; None without coordinates."""
        points = self.values().points
        return None if points is None else from_si(points.copy(), _LENGTH)

    @property
    def start_coordinates(self) -> Any:
        """The start point of each compartment, shape (n, 3) (a simcore addition); None without coordinates."""
        points = self.values().points
        return None if points is None else from_si(points[:-1].copy(), _LENGTH)

    @property
    def end_coordinates(self) -> Any:
        """The end point of each compartment, shape (n, 3) (a simcore addition); None without coordinates."""
        points = self.values().points
        return None if points is None else from_si(points[1:].copy(), _LENGTH)

    def copy_section(self) -> Morphology:
        clone = object.__new__(type(self))
        state = {key: value for key, value in self.__dict__.items() if key not in ("_children", "_parent")}
        object.__setattr__(clone, "__dict__", state)
        Morphology.__init__(clone, self.n, self.type)
        return clone


class Soma(Shaped):
    """A spherical, isopotential soma: one compartment with a sphere's area and volume, whose ``length`` is its
    diameter and whose axial resistance is negligible. A section attached to it starts at its centre."""

    def __init__(self, diameter: Any = None, x: Any = None, y: Any = None, z: Any = None,
                 type: str | None = "soma"):
        Morphology.__init__(self, 1, type)
        where = "Soma()"
        given = {name: coordinate for name, coordinate in zip("xyz", (x, y, z), strict=True) if coordinate is not None}
        lengths = {name: metres(where, name, value) for name, value in given.items()}  # units first, as Brian 2
        if diameter is None:
            raise ModelTypeError(f"{where}: the diameter is missing (e.g. Soma(diameter=30*um))")
        value = single_value(where, "diameter", metres(where, "diameter", diameter))
        positive(where, "diameter", np.array([value]))
        point = None
        if given:
            point = np.array([single_value(where, name, lengths[name]) if name in given else 0.0 for name in "xyz"])
        object.__setattr__(self, "_diameter", np.array([value]))
        object.__setattr__(self, "_point", point)

    def compute(self, place: Place) -> Values:
        d = self._diameter
        one = np.array([geometry.SOMA_R_LENGTH])
        points = None if self._point is None else np.vstack([self._point, self._point])
        return Values(length=d.copy(), area=geometry.sphere_area(d), volume=geometry.sphere_volume(d),
                      diameter=d.copy(), r_length_1=one, r_length_2=one.copy(),
                      distance=np.array([place.last_distance]), end_distance=place.end_distance, points=points)

    def __repr__(self) -> str:
        text = f"Soma(diameter={self._diameter[0] * 1e6:g}*um"
        if self._point is not None:
            text += ", " + ", ".join(f"{name}={value * 1e6:g}*um" for name, value in zip("xyz", self._point,
                                                                                         strict=True))
        return text + ("" if self.type == "soma" else f", type={self.type!r}") + ")"


class Section(Shaped):
    """An unbranched section of ``n`` truncated cones: ``diameter`` gives the n+1 diameters at the compartment
    boundaries; either ``length`` gives the n compartment lengths, or ``x``/``y``/``z`` (any of them, the others
    0) give the n+1 boundary points relative to the end of the parent section."""

    def __init__(self, diameter: Any, n: Any = 1, length: Any = None, x: Any = None, y: Any = None, z: Any = None,
                 type: str | None = None):
        Morphology.__init__(self, n, type)
        n = self.n
        where = f"{self._kind()}()"
        diameters = metres(where, "diameter", diameter)
        if diameters.ndim != 1 or diameters.shape[0] != n + 1:
            raise ModelTypeError(f"{where}: diameter must be a one-dimensional array of n+1 = {n + 1} values (the "
                                 f"diameters at the compartment boundaries), not of shape {diameters.shape}")
        cone_diameters(where, diameters)
        self._set_geometry(where, n, diameters, length, (x, y, z), n + 1)

    @classmethod
    def _kind(cls) -> str:
        return cls.__name__

    def _set_geometry(self, where: str, n: int, diameters: np.ndarray, length: Any, axes: tuple, count: int
                      ) -> None:
        """Store the (checked) diameters and either lengths or points (``count`` values per axis)."""
        if length is not None and any(axis is not None for axis in axes):
            raise ModelTypeError(f"{where}: give either length or coordinates (x, y, z), not both")
        if length is not None:
            lengths = self._lengths(where, n, metres(where, "length", length))
            points = None
        elif all(axis is None for axis in axes):
            raise ModelTypeError(f"{where}: give the length, or the coordinates of the compartment boundaries "
                                 f"(at least one of x, y, z)")
        else:
            points = coordinate_points(where, axes, count, n)
            lengths = geometry.point_lengths(points)
        object.__setattr__(self, "_d", diameters)
        object.__setattr__(self, "_length", lengths)
        object.__setattr__(self, "_relative", points)

    def _lengths(self, where: str, n: int, lengths: np.ndarray) -> np.ndarray:
        if lengths.ndim != 1 or lengths.shape[0] != n:
            raise ModelTypeError(f"{where}: length must be a one-dimensional array of the n = {n} compartment "
                                 f"lengths, not of shape {lengths.shape}")
        non_negative(where, "length", lengths)
        return lengths

    def _boundary_points(self, place: Place) -> np.ndarray | None:
        if self._relative is None:
            return None
        return self._relative if place.end_point is None else place.end_point + self._relative

    def compute(self, place: Place) -> Values:
        d1, d2, length = self._d[:-1], self._d[1:], self._length
        distance = geometry.midpoint_distances(place.end_distance, length)
        r_length_1, r_length_2 = geometry.frustum_r_lengths(d1, d2, length)
        return Values(length=length.copy(), area=geometry.frustum_area(d1, d2, length),
                      volume=geometry.frustum_volume(d1, d2, length), diameter=0.5 * (d1 + d2),
                      r_length_1=r_length_1, r_length_2=r_length_2, distance=distance,
                      end_distance=float(distance[-1] + 0.5 * length[-1]), points=self._boundary_points(place))

    @property
    def start_diameter(self) -> Any:
        """The diameter at the start of each compartment."""
        return from_si(self._d[:-1].copy(), _LENGTH)

    @property
    def end_diameter(self) -> Any:
        """The diameter at the end of each compartment."""
        return from_si(self._d[1:].copy(), _LENGTH)

    def __repr__(self) -> str:
        text = f"{self._kind()}(diameter={_um(self._d)}, n={self.n}"
        if self._relative is None:
            text += f", length={_um(self._length)}"
        else:
            text += "".join(f", {name}={_um(self._relative[:, axis])}" for axis, name in enumerate("xyz"))
        return text + ("" if self.type is None else f", type={self.type!r}") + ")"


class Cylinder(Section):
    """An unbranched section of ``n`` equal cylinders: one ``diameter``, and either the total ``length`` or the
    start and end points (``x``/``y``/``z``: two values each, relative to the end of the parent section)."""

    def __init__(self, diameter: Any, n: Any = 1, length: Any = None, x: Any = None, y: Any = None, z: Any = None,
                 type: str | None = None):
        Morphology.__init__(self, n, type)
        n = self.n
        where = "Cylinder()"
        value = single_value(where, "diameter", metres(where, "diameter", diameter))
        positive(where, "diameter", np.array([value]))
        self._set_geometry(where, n, np.full(n + 1, value), length, (x, y, z), 2)
        if self._relative is not None:
            ends = self._relative
            points = np.column_stack([np.linspace(ends[0, axis], ends[1, axis], n + 1) for axis in range(3)])
            object.__setattr__(self, "_relative", points)
            object.__setattr__(self, "_length", geometry.point_lengths(points))

    def _lengths(self, where: str, n: int, lengths: np.ndarray) -> np.ndarray:
        total = single_value(where, "length", lengths)
        non_negative(where, "length", np.array([total]))
        return np.ones(n) * (total / n)

    def compute(self, place: Place) -> Values:
        d, length = self._d[:-1], self._length
        distance = geometry.midpoint_distances(place.end_distance, length)
        r_length = geometry.cylinder_r_length(d, length)
        return Values(length=length.copy(), area=geometry.cylinder_area(d, length),
                      volume=geometry.cylinder_volume(d, length), diameter=d.copy(), r_length_1=r_length,
                      r_length_2=r_length.copy(), distance=distance,
                      end_distance=float(distance[-1] + 0.5 * length[-1]), points=self._boundary_points(place))

    def __repr__(self) -> str:
        text = f"Cylinder(diameter={self._d[0] * 1e6:g}*um, n={self.n}"
        if self._relative is None:
            text += f", length={np.sum(self._length) * 1e6:g}*um"
        else:
            text += "".join(f", {name}={_um(self._relative[[0, -1], axis])}" for axis, name in enumerate("xyz"))
        return text + ("" if self.type is None else f", type={self.type!r}") + ")"


def _um(values: np.ndarray) -> str:
    return "[" + ", ".join(f"{v * 1e6:g}" for v in values) + "]*um"
