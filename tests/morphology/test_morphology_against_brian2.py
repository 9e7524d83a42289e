"""The same morphologies built by Brian 2 and by simcore, every attribute compared to 1e-12 relative.

Skipped unless $BRIAN2_PYTHON names a Python that imports brian2 (it runs in a subprocess). The figures that
test_morphology_recorded.py asserts without Brian 2 come from this script's output.
"""

import json
import os
import subprocess
import sys

import numpy as np
import pytest
from test_morphology_recorded import POINTS

BRIAN2_PYTHON = os.environ.get("BRIAN2_PYTHON") or None
pytestmark = pytest.mark.skipif(BRIAN2_PYTHON is None, reason="set BRIAN2_PYTHON to a Python with brian2")

# One script for both simulators: argv = simulator, output file.
SCRIPT = '''
import json, sys
import numpy as np
if sys.argv[1] == "brian2":
    from brian2 import *
    prefs.codegen.target = "numpy"
    def laid_out(morpho, seed_value, **kwargs):
        np.random.seed(seed_value)  # what brian2's seed() does for numpy
        return morpho.generate_coordinates(**kwargs)
else:
    from simcore import *
    def laid_out(morpho, seed_value, **kwargs):
        return morpho.generate_coordinates(seed=seed_value, **kwargs)

ATTRIBUTES = ["area", "volume", "length", "diameter", "distance", "r_length_1", "r_length_2",
              "x", "y", "z", "start_x", "start_y", "start_z", "end_x", "end_y", "end_z", "coordinates"]
VIEW_ATTRIBUTES = ATTRIBUTES[:-1]

def si(value):
    return None if value is None else np.asarray(value, dtype=float).tolist()

def walk(section, path=""):
    yield path, section
    for child in section.children:
        yield from walk(child, f"{path}.{section.children.name(child)}" if path else section.children.name(child))

def dump(morpho):
    out = {"total_compartments": morpho.total_compartments, "total_sections": morpho.total_sections,
           "topology": str(morpho.topology()), "sections": {}}
    for path, section in walk(morpho):
        entry = {name: si(getattr(section, name)) for name in ATTRIBUTES}
        entry["end_distance"] = float(np.asarray(section.end_distance))
        entry["n"] = section.n
        entry["type"] = section.type
        entry["kind"] = type(section).__name__
        entry["indices"] = np.asarray(section.indices[:]).tolist()
        if entry["kind"] != "Soma":
            entry["start_diameter"] = si(section.start_diameter)
            entry["end_diameter"] = si(section.end_diameter)
        out["sections"][path] = entry
    return out

def view(part):
    entry = {name: si(getattr(part, name)) for name in VIEW_ATTRIBUTES}
    entry["n"] = int(part.n)
    entry["indices"] = np.asarray(part.indices[:]).tolist()
    return entry

def tree(axon_coordinates):
    morpho = Soma(diameter=30*um)
    morpho.dend = Cylinder(n=5, diameter=2*um, length=100*um)
    morpho.dend.L = Cylinder(n=3, diameter=1*um, length=30*um, type="dend")
    morpho.dend.R = Section(n=3, diameter=[1, 0.8, 0.6, 0.5]*um, x=[0, 10, 20, 25]*um, y=[0, 5, 5, 12]*um,
                            z=[0, 0, 3, 3]*um, type="dend")
    morpho.dend.R.tip = Section(n=2, diameter=[0.5, 0.4, 0.3]*um, length=[4, 6]*um)
    if axon_coordinates:
        morpho.axon = Cylinder(n=4, diameter=1*um, x=[15, 55]*um, y=[0, -30]*um, type="axon")
    else:
        morpho.axon = Cylinder(n=4, diameter=1*um, length=50*um, type="axon")
    morpho.axon.node = Soma(diameter=4*um)
    return morpho

results = {}
morpho = tree(True)
results["tree"] = dump(morpho)
results["tree_views"] = {
    "dend[2]": view(morpho.dend[2]), "dend[-1]": view(morpho.dend[-1]), "dend[1:3]": view(morpho.dend[1:3]),
    "dend[30*um]": view(morpho.dend[30*um]), "dend[20*um]": view(morpho.dend[20*um]),
    "dend[10*um:50*um]": view(morpho.dend[10*um:50*um]), "dend[:45*um]": view(morpho.dend[:45*um]),
    "dend.R[12*um]": view(morpho.dend.R[12*um]), "axon[3:]": view(morpho.axon[3:]),
}
results["tree_indices"] = {
    "dend 30um": int(morpho.dend.indices[30*um]), "dend 2": int(morpho.dend.indices[2]),
    "dend.L -1": int(morpho.dend.L.indices[-1]), "axon.node": int(morpho.axon.node.indices[0]),
    "dend 10um:50um": np.asarray(morpho.dend.indices[10*um:50*um]).tolist(),
}
# Brian 2's Cylinder.copy_section() fails for a cylinder with coordinates: keep them on Sections here
results["generated"] = dump(tree(False).generate_coordinates())
results["generated_overwrite"] = dump(morpho.generate_coordinates(overwrite_existing=True))
results["generated_random"] = dump(laid_out(tree(False), 7, section_randomness=25, compartment_randomness=15))

POINTS = {points!r}
results["points"] = dump(Morphology.from_points(POINTS))
results["points_shorthand"] = {name: dump(getattr(Morphology.from_points(POINTS), name))["sections"][""]
                               for name in ["1", "1L", "1R", "2", "3", "31", "32", "33", "33L"]}
THREE_POINT = [(1, "soma", 0, 0, 0, 10, -1), (2, "soma", 0, 5, 0, 10, 1), (3, "soma", 0, -5, 0, 10, 1),
               *[(k + 3, "dend", 5 * k, 1, 0, 2, k + 2 if k > 1 else 1) for k in range(1, 5)]]
results["three_point"] = dump(Morphology.from_points(THREE_POINT))
SOMA_LINE = [(1, "soma", 0, 0, 0, 10, -1), (2, "soma", 4, 0, 0, 12, 1), (3, "soma", 8, 0, 0, 9, 2),
             (4, "dend", 15, 0, 0, 2, 3), (5, "dend", 25, 2, 0, 1.5, 4), (6, "axon", 8, -6, 0, 1, 3)]
results["soma_line_cylinders"] = dump(Morphology.from_points(SOMA_LINE, spherical_soma=False))
results["soma_line_spherical"] = dump(Morphology.from_points(SOMA_LINE))
# zero sizes Brian 2 accepts: a zero-length dummy cylinder, a cone ending in a point, coincident points
DUMMY = Cylinder(n=1, diameter=10*um, length=0*um)
DUMMY.cone = Section(n=3, diameter=[4, 2, 1, 0]*um, length=[5, 5, 5]*um)
results["zero_sizes"] = dump(DUMMY)
ZERO_POINTS = [(1, "dend", 100, 0, 0, 10, -1), (2, "dend", 100, 0, 0, 10, 1), (3, "soma", 100, 0, 0, 30, 2),
               (4, "dend2", 130, 0, 0, 2, 3), (5, "dend2", 160, 0, 0, 0, 4)]
results["zero_points"] = dump(Morphology.from_points(ZERO_POINTS))
json.dump(results, open(sys.argv[2], "w"))
'''


def _run(python: str, simulator: str, tmp_path) -> dict:
    script = tmp_path / "morphology_both.py"
    script.write_text(SCRIPT.replace("{points!r}", repr(POINTS)))
    output = tmp_path / f"{simulator}.json"
    result = subprocess.run([python, str(script), simulator, str(output)], capture_output=True, text=True,
                            cwd=tmp_path, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(output.read_text())


@pytest.fixture(scope="module")
def both(tmp_path_factory):
    folder = tmp_path_factory.mktemp("morphology_both")
    return _run(sys.executable, "simcore", folder), _run(BRIAN2_PYTHON, "brian2", folder)


def _compare(ours, theirs, where: str) -> None:
    if isinstance(theirs, dict):
        assert set(ours) == set(theirs), where
        for key in theirs:
            _compare(ours[key], theirs[key], f"{where}/{key}")
    elif isinstance(theirs, list) and theirs and not isinstance(theirs[0], str):
        np.testing.assert_allclose(np.array(ours, dtype=float), np.array(theirs, dtype=float), rtol=1e-12,
                                   atol=1e-20, err_msg=where)
    elif isinstance(theirs, float):
        np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-20, err_msg=where)
    else:
        assert ours == theirs, where


@pytest.mark.parametrize("case", ["tree", "tree_views", "tree_indices", "generated", "generated_overwrite",
                                  "generated_random", "points", "points_shorthand", "three_point",
                                  "soma_line_cylinders", "soma_line_spherical", "zero_sizes", "zero_points"])
def test_every_attribute_equals_brian2s(both, case):
    ours, theirs = both
    theirs = theirs[case]
    if "topology" in theirs:  # an unnamed section: Brian 2's topology() shows 'None', simcore its number
        theirs["topology"] = theirs["topology"].replace("apic3.None\n", "apic3.1\n")
    _compare(ours[case], theirs, case)
