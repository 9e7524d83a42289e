"""Per-compartment geometry of the three kinds of section, on plain float arrays in SI units (metres).

These are Brian 2's definitions: a compartment of a ``Section`` is a truncated cone (frustum) with diameters
``d1`` at its start and ``d2`` at its end, a ``Cylinder`` compartment has ``d1 == d2``, and a ``Soma`` is a
sphere seen by the cable equation as one isopotential point. Areas are lateral surfaces only (no end disks).
``r_length_1`` and ``r_length_2`` are the geometric factors of the axial conductance from the start to the
midpoint and from the midpoint to the end of a compartment: the conductance is ``r_length / Ri``. A zero length
gives an infinite r_length (NaN when the diameter at that end is 0 too), a zero diameter at one end gives 0 on
that side, the IEEE results Brian 2 also gives (without numpy's division warnings).
"""

from __future__ import annotations

import numpy as np

#: The r_length of a soma: a fixed large value (1 m) that makes its axial resistance negligible, as in Brian 2.
SOMA_R_LENGTH = 1.0


def frustum_area(d1: np.ndarray, d2: np.ndarray, length: np.ndarray) -> np.ndarray:
    """Lateral area of truncated cones: pi/2 (d1 + d2) sqrt((d1 - d2)^2 / 4 + l^2)."""
    return np.pi / 2 * (d1 + d2) * np.sqrt((d1 - d2) ** 2 / 4 + length**2)


def frustum_volume(d1: np.ndarray, d2: np.ndarray, length: np.ndarray) -> np.ndarray:
    """Volume of truncated cones: pi l (d1^2 + d1 d2 + d2^2) / 12."""
    return np.pi * length * (d1**2 + d1 * d2 + d2**2) / 12


def frustum_r_lengths(d1: np.ndarray, d2: np.ndarray, length: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(start to midpoint, midpoint to end) conductance factors: pi/2 d_a d_b / l with the midpoint diameter
    (d1 + d2)/2 as one of the two."""
    middle = (d1 + d2) * 0.5
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.pi / 2 * (d1 * middle) / length, np.pi / 2 * (middle * d2) / length


def cylinder_area(diameter: np.ndarray, length: np.ndarray) -> np.ndarray:
    """Lateral area of cylinders: pi d l."""
    return np.pi * diameter * length


def cylinder_volume(diameter: np.ndarray, length: np.ndarray) -> np.ndarray:
    """Volume of cylinders: pi (d/2)^2 l."""
    return np.pi * (diameter / 2) ** 2 * length


def cylinder_r_length(diameter: np.ndarray, length: np.ndarray) -> np.ndarray:
    """Both conductance factors of a cylinder compartment: pi/2 d^2 / l."""
    with np.errstate(divide="ignore"):
        return np.pi / 2 * diameter**2 / length


def sphere_area(diameter: np.ndarray) -> np.ndarray:
    """Surface of a sphere: pi d^2."""
    return np.pi * diameter**2


def sphere_volume(diameter: np.ndarray) -> np.ndarray:
    """Volume of a sphere: pi d^3 / 6."""
    return np.pi * diameter**3 / 6


def midpoint_distances(start: float, length: np.ndarray) -> np.ndarray:
    """Path distances from the root to each compartment's midpoint, for a section that starts at ``start``."""
    return start + np.cumsum(length) - 0.5 * length


def point_lengths(points: np.ndarray) -> np.ndarray:
    """Lengths of the straight compartments between consecutive rows of an (n+1, 3) array of points."""
    steps = np.diff(points, axis=0)
    return np.sqrt(steps[:, 0] ** 2 + steps[:, 1] ** 2 + steps[:, 2] ** 2)
