"""Pictures and layouts of a tree: ``topology()`` (text, in the style of NEURON's ``topology``) and
``generate_coordinates()`` (a 3-D layout for sections that lack one, with Brian 2's deterministic rules)."""

from __future__ import annotations

import numpy as np

from simcore.morphology.sections import Cylinder, Section, Soma
from simcore.morphology.tree import Morphology
from simcore.units import from_si, get_dimensions, metre

_LENGTH = get_dimensions(metre)


class Topology:
    """The tree drawn as text: a soma is ``( )``, another section one dash per compartment and a ``|``; each
    child is indented under its parent's end and marked with a backtick; the path of names ends each line."""

    def __init__(self, morphology: Morphology):
        self.morphology = morphology

    def __str__(self) -> str:
        lines = []
        stack: list[tuple[Morphology, int, str]] = [(self.morphology, 0, "")]
        while stack:
            section, indent, path = stack.pop()
            width = max(1, section.n)
            shape = "( )" if isinstance(section, Soma) else "-" * width + "|"
            lines.append(" " * indent + ("`" if path else "") + shape + (f"  {path}" if path else "  [root] "))
            children = section.children
            stack.extend((child, indent + 2 + width, f"{path}.{children.path_name(child)}")
                         for child in reversed(list(children)))
        return "\n".join(lines) + "\n"

    __repr__ = __str__


def _rotate(vector: np.ndarray, axis: np.ndarray, angle: float) -> np.ndarray:
    """Rodrigues' rotation of ``vector`` about ``axis`` (Brian 2's sign convention)."""
    cos, sin = np.cos(angle), np.sin(angle)
    return vector * cos - np.cross(axis, vector) * sin + axis * np.dot(axis, vector) * (1 - cos)


def _perturb(vector: np.ndarray, sigma: float, rng: np.random.RandomState) -> np.ndarray:
    """``vector`` tilted by an exponentially distributed angle (mean ``sigma``, radians) in a random plane."""
    if sigma == 0:
        return vector
    if vector[0] != 0 or vector[1] != 0:
        side = np.array([vector[1], vector[0], 0.0])
    else:
        side = np.array([1.0, 0.0, 0.0])
    side = _rotate(side, vector, rng.rand() * np.pi * 2)
    return _rotate(vector, side, rng.exponential(sigma, 1))


def _direction(parent: Morphology | None, nth: int, siblings: int, section_sigma: float,
               rng: np.random.RandomState) -> np.ndarray:
    """The unit direction of a new section: its parent's direction turned by the child's rank among its
    siblings (in the x-y plane around a soma or root), then randomly tilted."""
    direction = np.zeros(3)
    if parent is not None:
        points = parent.values().points
        direction = points[-1] - points[0]
        norm = np.sqrt(np.sum(direction**2))
        direction = direction / norm if norm != 0 else np.zeros(3)
    if np.sum(direction**2) == 0:
        step = 2 * np.pi / siblings
        direction = _rotate(np.array([1.0, 0.0, 0.0]), np.array([0.0, 0.0, 1.0]), np.pi / 2 + step * nth)
    else:
        if section_sigma == 0 and direction[2] == 0:
            axis = np.array([0.0, 0.0, 1.0])
        else:
            axis = np.array([-direction[1], direction[2], 0.0])
        if section_sigma == 0:
            direction = _rotate(direction, axis, -np.pi / 2 + np.pi / (siblings + 1) * (nth + 1))
    if section_sigma > 0:
        direction = _perturb(direction, section_sigma, rng)
    return direction / np.sqrt(np.sum(direction**2))


def _laid_out(original: Morphology, parent: Morphology | None, nth: int, siblings: int, section_sigma: float,
              compartment_sigma: float, overwrite: bool, rng: np.random.RandomState) -> Morphology:
    values = original.values()
    if not overwrite and values.points is not None:
        return original.copy_section()
    if isinstance(original, Soma):
        direction = np.zeros(3)
        if parent is not None:
            points = parent.values().points
            step = points[-1] - points[0]
            norm = np.sqrt(np.sum(step**2))
            direction = step / norm if norm != 0 else direction
        x, y, z = (from_si(float(c), _LENGTH) for c in direction)
        return Soma(diameter=from_si(float(values.diameter[0]), _LENGTH), x=x, y=y, z=z, type=original.type)
    direction = _direction(parent, nth, siblings, section_sigma, rng)
    start = parent.values().diameter[0] / 2 * direction if isinstance(parent, Soma) else np.zeros(3)
    points = [start]
    for length in values.length:
        step = _perturb(direction, compartment_sigma, rng)
        points.append(points[-1] + length * (step / np.sqrt(np.sum(step**2))))
    points = np.array(points)
    if isinstance(original, Cylinder) and compartment_sigma == 0:
        x, y, z = (from_si(points[[0, -1], axis], _LENGTH) for axis in range(3))
        return Cylinder(diameter=from_si(float(values.diameter[0]), _LENGTH), n=original.n, x=x, y=y, z=z,
                        type=original.type)
    assert isinstance(original, Section)
    x, y, z = (from_si(points[:, axis], _LENGTH) for axis in range(3))
    return Section(diameter=from_si(original._d.copy(), _LENGTH), n=original.n, x=x, y=y, z=z, type=original.type)


def generate_coordinates(morphology: Morphology, section_randomness: float = 0.0,
                         compartment_randomness: float = 0.0, overwrite_existing: bool = False,
                         seed: int | None = None) -> Morphology:
    """A new tree equal to ``morphology`` but with coordinates everywhere (see Morphology.generate_coordinates).
    A root section without coordinates points along -y, like a first child of a soma (Brian 2 fails there with
    a division by zero)."""
    rng = np.random if seed is None else np.random.RandomState(seed)
    section_sigma = section_randomness * np.pi / 180
    compartment_sigma = compartment_randomness * np.pi / 180
    root = _laid_out(morphology, None, 0, 1, section_sigma, compartment_sigma, overwrite_existing, rng)
    stack = _children_of(morphology, root)
    while stack:  # depth first, in order: the random draws come in Brian 2's order
        original, parent, name, nth, siblings = stack.pop()
        new = _laid_out(original, parent, nth, siblings, section_sigma, compartment_sigma, overwrite_existing, rng)
        parent.children.add(name, new)
        stack.extend(_children_of(original, new))
    return root


def _children_of(original: Morphology, copy: Morphology) -> list[tuple[Morphology, Morphology, str | None, int, int]]:
    """The children still to lay out under ``copy``, last first (for a stack)."""
    children = list(original.children)
    return [(child, copy, original.children.name(child), nth, len(children))
            for nth, child in reversed(list(enumerate(children)))]
