"""The cable solver (simcore/kernels/cable.py) against cable theory, an exact solve of Brian 2's linear system,
and Brian 2 (2.11) itself: its recorded numbers here, and a live comparison when $BRIAN2_PYTHON names a Python
with brian2. Geometry is computed by hand from Brian 2's definitions (soma: area pi d^2, r_length 1 m; a
truncated cone of length l between diameters d1 and d2: area pi (r1 + r2) sqrt(l^2 + (r1 - r2)^2), r_length_1
pi/2 d1 dm/l and r_length_2 pi/2 dm d2/l with the midpoint diameter dm = (d1 + d2)/2)."""

import json
import math
import os
import subprocess

import mpmath
import numpy as np
import pytest

from simcore.errors import ModelValueError
from simcore.kernels.cable import build_cable_tree, cable_step, cable_step_neurons

RI, CM = 1.5, 0.01  # 150 ohm*cm, 1 uF/cm^2
EL = -0.07


def soma(diameter):
    return {"area": [math.pi * diameter**2], "r1": [1.0], "r2": [1.0], "length": [0.0]}


def cone(lengths, diameters):
    """A section of truncated cones: len(lengths) compartments between len(lengths) + 1 diameters."""
    geometry = {"area": [], "r1": [], "r2": [], "length": list(lengths)}
    for length, d1, d2 in zip(lengths, diameters[:-1], diameters[1:], strict=True):
        middle = (d1 + d2) * 0.5
        geometry["area"].append(math.pi * (d1 + d2) / 2 * math.sqrt(length**2 + ((d1 - d2) / 2) ** 2))
        geometry["r1"].append(math.pi / 2 * (d1 * middle) / length)
        geometry["r2"].append(math.pi / 2 * (middle * d2) / length)
    return geometry


def cylinder(n, length, diameter):
    return cone([length / n] * n, [diameter] * (n + 1))


def flatten(sections):
    """Per-compartment arrays and section structure of ``[(geometry, parent section), ...]`` (parents first),
    with Brian 2's distances (a compartment's midpoint from the root; the soma's ends are at 0)."""
    arrays = {key: np.concatenate([g[key] for g, _ in sections]) for key in ("area", "r1", "r2", "length")}
    counts = np.array([len(g["area"]) for g, _ in sections])
    first = np.concatenate([[0], np.cumsum(counts)[:-1]])
    parents = np.array([p for _, p in sections])
    ends, distance = [], []
    for g, parent in sections:
        start = ends[parent] if parent >= 0 else 0.0
        lengths = np.array(g["length"])
        distance.extend(start + np.cumsum(lengths) - lengths / 2)
        ends.append(start + lengths.sum())
    return arrays, first, counts, parents, np.array(distance)


UM = 1e-6
BRANCHED = [  # the morphology of BRIAN2_SCRIPT, in Brian 2's flat order
    (soma(20 * UM), -1),
    (cylinder(4, 60 * UM, 2 * UM), 0),  # dend1
    (cylinder(2, 20 * UM, 1 * UM), 1),  # dend1.tip: the only child of dend1
    (cone([10 * UM, 15 * UM, 20 * UM], [3 * UM, 2.5 * UM, 2 * UM, 1.5 * UM]), 0),  # dend2
    (cylinder(3, 45 * UM, 2.5 * UM), 0),  # dend3
    (cylinder(4, 80 * UM, 1.5 * UM), 4),  # dend3.L
    (cone([20 * UM] * 3, [1.5 * UM, 1.2 * UM, 1.0 * UM, 0.8 * UM]), 4),  # dend3.R
]


def branched():
    arrays, first, counts, parents, distance = flatten(BRANCHED)
    return arrays, build_cable_tree(arrays["r1"], arrays["r2"], first, counts, parents, RI), distance


def run(tree, area, v, gtot, I0, Ipoint, dt, steps, record=None):
    """``steps`` steps of one neuron from ``v`` (changed in place); the recorded compartments after each."""
    n = tree.compartments
    a, b = np.zeros(tree.nodes), np.zeros(tree.nodes)
    Cm = np.full(n, CM)
    trace = []
    for _ in range(steps):
        cable_step_neurons(1, n, tree.parent, tree.conductance, tree.compartment, v, Cm, gtot, I0, Ipoint, area, dt,
                           a, b)
        if record is not None:
            trace.append(v[record].copy())
    return np.array(trace)


def test_nodes_of_a_branched_tree():
    arrays, tree, _ = branched()
    # junctions (-1) after the soma (three children) and after dend3 (two); dend1.tip hangs on dend1's last
    assert tree.compartment.tolist() == [0, -1, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, -1, 13, 14, 15, 16, 17, 18, 19]
    assert tree.parent.tolist() == [-1, 0, 1, 2, 3, 4, 5, 6, 1, 8, 9, 1, 11, 12, 13, 14, 15, 16, 17, 14, 19, 20]
    r1, r2 = arrays["r1"], arrays["r2"]
    conductance = tree.conductance
    assert conductance[0] == 0 and conductance[1] == pytest.approx(1 / RI, rel=1e-15)  # soma to its end node
    assert conductance[2] == pytest.approx(r1[1] / RI, rel=1e-15)  # end node to dend1's first half compartment
    assert conductance[3] == pytest.approx(1 / (RI * (1 / r2[1] + 1 / r1[2])), rel=1e-15)
    assert conductance[6] == pytest.approx(1 / (RI * (1 / r2[4] + 1 / r1[5])), rel=1e-15)  # dend1 -> tip, in series
    assert conductance[14] == pytest.approx(r2[12] / RI, rel=1e-15)  # dend3's last compartment to its end node
    assert conductance[19] == pytest.approx(r1[17] / RI, rel=1e-15)
    assert tree.nodes == 22 and tree.compartments == 20 and not tree.parent.flags.writeable


@pytest.mark.parametrize(("change", "message"), [
    ({"r1": [1.0, 0.0, 1.0]}, "r_length_1 must be positive and finite in every compartment; compartment 1"),
    ({"r2": [1.0, 1.0]}, "r_length_2 must be a one-dimensional array of 3 compartments"),
    ({"Ri": -1.0}, "Ri must be positive and finite, not -1.0"),
    ({"first": [0, 2]}, "section 1 starts at compartment 2, not 1"),
    ({"parent": [-1, 1]}, "section 1 has parent 1: every section but the root"),
    ({"parent": [0, -1]}, "section 0 must be the root"),
    ({"count": [1, 0]}, "section 1 has 0 compartments"),
    ({"count": [1, 3]}, "the sections hold 4 compartments, the geometry arrays 3"),
])
def test_bad_structures_are_refused(change, message):
    given = {"r1": [1.0] * 3, "r2": [1.0] * 3, "first": [0, 1], "count": [1, 2], "parent": [-1, 0], "Ri": 1.0}
    given.update(change)
    with pytest.raises(ModelValueError, match=message):
        build_cable_tree(given["r1"], given["r2"], given["first"], given["count"], given["parent"], given["Ri"])


def _uniform_cable(n, length, diameter):
    geometry = cylinder(n, length, diameter)
    area = np.array(geometry["area"])
    return area, build_cable_tree(geometry["r1"], geometry["r2"], [0], [n], [-1], RI)


def test_sealed_cylinder_steady_state_is_cable_theory():
    n, length, diameter, gL, current = 100, 500 * UM, 2 * UM, 1.0, 0.1e-9
    lam = math.sqrt(diameter / (4 * RI * gL))  # 577 um: L = 0.87 lambda
    area, tree = _uniform_cable(n, length, diameter)
    v = np.zeros(n)
    Ipoint = np.zeros(n)
    Ipoint[0] = current
    run(tree, area, v, np.full(n, gL), np.zeros(n), Ipoint, dt=100.0, steps=3)  # dt = 1e4 tau: the steady state
    ra = 4 * RI / (math.pi * diameter**2)
    input_resistance = ra * lam / math.tanh(length / lam)
    x = (np.arange(n) + 0.5) * length / n
    expected = current * input_resistance * np.cosh((length - x) / lam) / math.cosh(length / lam)
    assert np.max(np.abs(v / expected - 1)) < 0.01
    assert v[0] / current == pytest.approx(input_resistance, rel=0.01)


def _semi_infinite(x, t, current, ra, lam, tau):
    """Cable theory: a semi-infinite cable, sealed at x = 0 where ``current`` starts at t = 0."""
    X, s = x / lam, math.sqrt(t / tau)
    return current * ra * lam / 2 * (math.exp(-X) * math.erfc(X / (2 * s) - s)
                                     - math.exp(X) * math.erfc(X / (2 * s) + s))


def test_long_cable_time_course_is_cable_theory():
    """Rallpack 1's cable (1 um thick, Ri = 1 ohm*m, Rm = 4 ohm*m^2: lambda = 1 mm, tau = 40 ms), 8 lambda long so
    that it is semi-infinite, in compartments of lambda/50 with dt = tau/2000 = 20 us for 3 tau: backward Euler's
    error (first order in dt) and the compartments' (second order in dx) are both below 1e-3 of the peak."""
    diameter, Ri, gL, per_lambda = 1 * UM, 1.0, 0.25, 50
    lam, tau, current = math.sqrt(diameter / (4 * Ri * gL)), CM / gL, 0.1e-9
    n = 8 * per_lambda
    geometry = cylinder(n, 8 * lam, diameter)
    tree = build_cable_tree(geometry["r1"], geometry["r2"], [0], [n], [-1], Ri)
    Ipoint = np.zeros(n)
    Ipoint[0] = current
    recorded = [0, per_lambda // 2, per_lambda, 2 * per_lambda]
    steps = 6000
    trace = run(tree, np.array(geometry["area"]), np.zeros(n), np.full(n, gL), np.zeros(n), Ipoint, tau / 2000,
                steps, record=recorded)
    ra = 4 * Ri / (math.pi * diameter**2)
    times = np.arange(1, steps + 1) * tau / 2000
    for column, compartment in enumerate(recorded):
        x = (compartment + 0.5) * lam / per_lambda
        expected = np.array([_semi_infinite(x, t, current, ra, lam, tau) for t in times])
        error = (trace[:, column] - expected) / np.max(np.abs(expected))
        assert np.sqrt(np.mean(error**2)) < 1e-3, x
        assert np.max(np.abs(error)) < 5e-3, x


def test_tree_obeying_rall_rule_has_its_equivalent_cylinder_input_resistance():
    """A 200 um, 2 um trunk with two daughters of d = 2 um / 2**(2/3) (d^3/2 conserved) and 0.5 lambda each: the
    equivalent cylinder is the trunk prolonged to L/lambda = 200 um/lambda + 0.5."""
    gL, d0, per = 1.0, 2 * UM, 80
    d1 = d0 / 2 ** (2 / 3)
    lam0, lam1 = math.sqrt(d0 / (4 * RI * gL)), math.sqrt(d1 / (4 * RI * gL))
    daughter = cylinder(per, 0.5 * lam1, d1)
    sections = [(cylinder(per, 200 * UM, d0), -1), (daughter, 0), (daughter, 0)]
    arrays, first, counts, parents, _ = flatten(sections)
    tree = build_cable_tree(arrays["r1"], arrays["r2"], first, counts, parents, RI)
    n = tree.compartments
    v, Ipoint = np.zeros(n), np.zeros(n)
    Ipoint[0] = 0.1e-9
    run(tree, arrays["area"], v, np.full(n, gL), np.zeros(n), Ipoint, dt=100.0, steps=3)
    ra = 4 * RI / (math.pi * d0**2)
    equivalent = ra * lam0 / math.tanh(200 * UM / lam0 + 0.5)
    assert v[0] / Ipoint[0] == pytest.approx(equivalent, rel=0.02)
    assert v[per + 3] == v[2 * per + 3]  # the two daughters alike


def test_charge_is_conserved_without_membrane_conductance():
    arrays, tree, distance = branched()
    n, dt = tree.compartments, 25e-6
    v = EL + 0.01 * np.cos(distance / (30 * UM))
    charge = lambda: np.sum(CM * arrays["area"] * v)  # noqa: E731
    Ipoint = np.zeros(n)
    before = charge()
    run(tree, arrays["area"], v, np.zeros(n), np.zeros(n), Ipoint, dt, steps=50)
    assert charge() == pytest.approx(before, rel=1e-13)
    assert np.ptp(v) < 1e-3 * np.ptp(EL + 0.01 * np.cos(distance / (30 * UM)))  # it spread out
    Ipoint[[0, 13, 19]] = [0.2e-9, -0.05e-9, 0.01e-9]
    before = charge()
    run(tree, arrays["area"], v, np.zeros(n), np.zeros(n), Ipoint, dt, steps=50)
    assert charge() - before == pytest.approx(50 * dt * 0.16e-9, rel=1e-9)


def _exact_step(arrays, first, counts, parents, v, gtot, I0, Ipoint, dt):
    """Brian 2's system as its documentation states it (an end node for every section with children, none for the
    sealed ends, no merging), assembled apart from build_cable_tree and solved with 40 digits."""
    mpmath.mp.dps = 40
    n = len(v)
    with_children = sorted(set(parents[1:].tolist()))
    end_node = {section: n + k for k, section in enumerate(with_children)}
    size = n + len(end_node)
    matrix, rhs = mpmath.zeros(size, size), mpmath.zeros(size, 1)

    def couple(i, j, g):
        matrix[i, i] += g
        matrix[j, j] += g
        matrix[i, j] -= g
        matrix[j, i] -= g

    for i in range(n):
        capacitance = mpmath.mpf(CM) * mpmath.mpf(arrays["area"][i]) / mpmath.mpf(dt)
        matrix[i, i] += capacitance + mpmath.mpf(gtot[i]) * mpmath.mpf(arrays["area"][i])
        rhs[i] = capacitance * mpmath.mpf(v[i]) + mpmath.mpf(I0[i]) * mpmath.mpf(arrays["area"][i]) + Ipoint[i]
    r1, r2, ri = [mpmath.mpf(x) for x in arrays["r1"]], [mpmath.mpf(x) for x in arrays["r2"]], mpmath.mpf(RI)
    for section, (start, count, parent) in enumerate(zip(first, counts, parents, strict=True)):
        for i in range(start + 1, start + count):
            couple(i - 1, i, 1 / (ri * (1 / r2[i - 1] + 1 / r1[i])))
        if parent >= 0:
            couple(end_node[parent], start, r1[start] / ri)
        if section in end_node:
            couple(start + count - 1, end_node[section], r2[start + count - 1] / ri)
    solution = mpmath.lu_solve(matrix, rhs)
    return np.array([float(solution[i]) for i in range(n)])


def test_one_step_is_the_exact_solution_of_brian2s_system():
    arrays, first, counts, parents, distance = flatten(BRANCHED)
    tree = build_cable_tree(arrays["r1"], arrays["r2"], first, counts, parents, RI)
    n, dt = tree.compartments, 25e-6
    rng = np.random.default_rng(5)
    v, gtot, I0, Ipoint = EL + 0.01 * rng.random(n), rng.random(n), rng.random(n), 1e-10 * rng.random(n)
    exact = _exact_step(arrays, first, counts, parents, v, gtot, I0, Ipoint, dt)
    python, compiled = v.copy(), v.copy()
    cable_step(0, 1, n, tree.parent, tree.conductance, tree.compartment, python, np.full(n, CM), gtot, I0, Ipoint,
               arrays["area"], dt, np.zeros(tree.nodes), np.zeros(tree.nodes), 0, 1)
    run(tree, arrays["area"], compiled, gtot, I0, Ipoint, dt, steps=1)
    assert np.max(np.abs(compiled / exact - 1)) < 1e-14
    assert python.tolist() == compiled.tolist()  # the plain-Python source and its njit compilation


# Brian 2.11.0 (numpy target) running BRIAN2_SCRIPT: v (volt) of compartments RECORDED after 1, 20 and 200 steps.
RECORDED = [0, 4, 6, 9, 13, 16, 19]
BRIAN2_V = {
    1: [-0.061213498344455025, -0.06816933171989993, -0.0716479550618833, -0.06300407967308591,
        -0.07111276383247936, -0.07730293487830207, -0.07708764592408618],
    20: [-0.06417859813227464, -0.06425395825571836, -0.06427166792198315, -0.06420420164515775,
         -0.06581393449203732, -0.06631626084591241, -0.06550982965245239],
    200: [-0.0612873746309112, -0.06143454541581081, -0.061470770946674066, -0.06132682582647539,
          -0.06270824916378984, -0.06295733957556544, -0.06239450904201756],
}
# The model of BRIAN2_SCRIPT, in SI units: gL(distance), v at t = 0 and the point currents.
DT = 25e-6


def _script_model(distance):
    gL = 1.0 * (1 + distance / (50 * UM))
    Ipoint = np.zeros(len(distance))
    Ipoint[[0, 13]] = [0.1e-9, -0.05e-9]
    return gL, EL + 0.01 * np.cos(distance / (30 * UM)), Ipoint


def test_brian2s_recorded_trace():
    arrays, tree, distance = branched()
    gL, v, Ipoint = _script_model(distance)
    trace = run(tree, arrays["area"], v, gL, gL * EL, Ipoint, DT, steps=200, record=RECORDED)
    for step, expected in BRIAN2_V.items():
        # Brian 2's own rounding at the soma (7.6e-12 of v per step, measured against a 40-digit solve: its
        # per-section solves cancel beside the soma's 1 m r_length) adds up to 7e-10 after 200 steps
        np.testing.assert_allclose(trace[step - 1], expected, rtol=1e-9, atol=0)


BRIAN2_SCRIPT = '''
import json, sys
import numpy as np
from brian2 import *
prefs.codegen.target = "numpy"
defaultclock.dt = 25*us
morpho = Soma(diameter=20*um)
morpho.dend1 = Cylinder(n=4, length=60*um, diameter=2*um)
morpho.dend1.tip = Cylinder(n=2, length=20*um, diameter=1*um)
morpho.dend2 = Section(n=3, length=[10, 15, 20]*um, diameter=[3, 2.5, 2, 1.5]*um)
morpho.dend3 = Cylinder(n=3, length=45*um, diameter=2.5*um)
morpho.dend3.L = Cylinder(n=4, length=80*um, diameter=1.5*um)
morpho.dend3.R = Section(n=3, length=[20, 20, 20]*um, diameter=[1.5, 1.2, 1.0, 0.8]*um)
EL = -70*mV
eqs = """
Im = gL*(EL - v) : amp/meter**2
gL : siemens/meter**2
I : amp (point current)
"""
neuron = SpatialNeuron(morpho, eqs, Cm=1*uF/cm**2, Ri=150*ohm*cm)
neuron.gL = "1e-4*siemens/cm**2*(1 + distance/(50*um))"
neuron.v = "EL + 10*mV*cos(distance/(30*um))"
neuron.I[0] = 0.1*nA
neuron.I[13] = -0.05*nA
M = StateMonitor(neuron, "v", record=True)
run(200*defaultclock.dt)
flat = neuron.flat_morphology
trace = np.vstack([np.asarray(M.v_).T, np.asarray(neuron.v_)[None, :]])
json.dump({"area": flat.area.tolist(), "r_length_1": flat.r_length_1.tolist(),
           "r_length_2": flat.r_length_2.tolist(), "distance": flat.distance.tolist(),
           "starts": flat.starts.tolist(), "ends": flat.ends.tolist(), "parent": (flat.morph_parent_i - 1).tolist(),
           "gL": np.asarray(neuron.gL_).tolist(),
           "Cm": np.asarray(neuron.Cm_).tolist(), "I": np.asarray(neuron.I_).tolist(),
           "Ri": float(np.asarray(neuron.Ri_)), "dt": float(defaultclock.dt_), "v": trace.tolist()},
          open(sys.argv[1], "w"))
'''


@pytest.mark.skipif(not os.environ.get("BRIAN2_PYTHON"), reason="set BRIAN2_PYTHON to a Python with brian2")
def test_against_brian2(tmp_path):
    script, output = tmp_path / "cable.py", tmp_path / "cable.json"
    script.write_text(BRIAN2_SCRIPT)
    subprocess.run([os.environ["BRIAN2_PYTHON"], str(script), str(output)], check=True, capture_output=True,
                   timeout=300)
    brian = json.loads(output.read_text())
    arrays, first, counts, parents, distance = flatten(BRANCHED)
    for ours, theirs in ((arrays["area"], "area"), (arrays["r1"], "r_length_1"), (arrays["r2"], "r_length_2"),
                         (distance, "distance")):
        np.testing.assert_allclose(ours, brian[theirs], rtol=1e-12, atol=1e-18)
    assert (brian["starts"], brian["parent"]) == (first.tolist(), parents.tolist())
    assert np.diff([brian["starts"], brian["ends"]], axis=0)[0].tolist() == counts.tolist()
    tree = build_cable_tree(brian["r_length_1"], brian["r_length_2"], brian["starts"], counts, brian["parent"],
                            brian["Ri"])
    area, gL, Ipoint = (np.array(brian[key]) for key in ("area", "gL", "I"))
    np.testing.assert_allclose(gL, _script_model(distance)[0], rtol=1e-12)
    reference = np.array(brian["v"])
    n = tree.compartments
    free = reference[0].copy()
    a, b = np.zeros(tree.nodes), np.zeros(tree.nodes)
    for step in range(1, reference.shape[0]):
        arguments = (tree.parent, tree.conductance, tree.compartment)
        one = reference[step - 1].copy()  # one step from Brian 2's state: its rounding of one step only
        for v in (one, free):
            cable_step_neurons(1, n, *arguments, v, np.array(brian["Cm"]), gL, gL * EL, Ipoint, area, brian["dt"], a,
                               b)
        np.testing.assert_allclose(one, reference[step], rtol=1e-10, atol=0)
        np.testing.assert_allclose(free, reference[step], rtol=1e-9, atol=0)
    for step, expected in BRIAN2_V.items():  # the recorded figures are this script's
        np.testing.assert_allclose(reference[step][RECORDED], expected, rtol=1e-15)
