"""Neuron morphologies: trees of sections (``Soma``, ``Cylinder``, ``Section``) with Brian 2's geometry,
compartment numbering and indexing, loading from points or SWC files, and a flat array view for the solver.

Modules: tree.py (the tree and its names), sections.py (the three kinds of section), geometry.py (per-compartment
formulas), arguments.py (argument checks), indexing.py (compartment numbers and views), points.py
(``Morphology.from_points``), topology.py (``topology()``, ``generate_coordinates()``), flat.py
(``FlatMorphology``, and ``check_for_cable``: what a simulation needs beyond valid geometry), swc.py (SWC files).
"""

from simcore.morphology.flat import FlatMorphology, check_for_cable, flatten
from simcore.morphology.indexing import SubMorphology, compartment_indices, local_range, start_index
from simcore.morphology.sections import Cylinder, Section, Soma
from simcore.morphology.tree import Children, Morphology, NoSubtreeError

__all__ = [
    "Children",
    "Cylinder",
    "FlatMorphology",
    "Morphology",
    "NoSubtreeError",
    "Section",
    "Soma",
    "SubMorphology",
    "check_for_cable",
    "compartment_indices",
    "flatten",
    "local_range",
    "start_index",
]
