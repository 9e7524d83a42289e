"""Compartment views of a SpatialNeuron (simcore/objects/spatial_views.py): which elements each view holds, checked
against the tree's numbering by hand and (when BRIAN2_PYTHON is set) against Brian 2.11; writes through views; a
point current placed by length; monitors, synapses and threshold_location on compartments; N neurons; errors."""

import ast
import json
import os
import subprocess
from pathlib import Path

import numpy as np
import pytest

import simcore
from simcore import (
    Cylinder,
    ModelError,
    Network,
    SpatialNeuron,
    SpikeGeneratorGroup,
    SpikeMonitor,
    StateMonitor,
    Synapses,
    cm,
    defaultclock,
    meter,
    ms,
    msiemens,
    mV,
    nA,
    siemens,
    start_scope,
    uF,
    um,
    volt,
)

BRIAN2_PYTHON = os.environ.get("BRIAN2_PYTHON")

# soma (compartment 0), dend (1-5, 20 um each) with children L (6-8) and R (9-10), axon (11-14, 50 um each)
TREE = """
morpho = Soma(30*um)
morpho.dend = Cylinder(length=100*um, diameter=2*um, n=5)
morpho.dend.L = Cylinder(length=50*um, diameter=1*um, n=3)
morpho.dend.R = Cylinder(length=50*um, diameter=1*um, n=2)
morpho.axon = Cylinder(length=200*um, diameter=1*um, n=4)
"""
MODEL = """Im = gL*(EL - v) : amp/meter**2
gL : siemens/meter**2
EL : volt
I : amp (point current)"""
COMPARTMENTS = 15

# each view's compartments, from the numbering above (Brian 2 gives the same where it has the view: LIVE_VIEWS)
VIEWS = {
    "neuron.main": [0],
    "neuron.dend": list(range(1, 11)),
    "neuron.dend.main": [1, 2, 3, 4, 5],
    "neuron.dend.L": [6, 7, 8],
    "neuron.dend.R": [9, 10],
    "neuron.axon": [11, 12, 13, 14],
    "getattr(neuron, '1L')": [6, 7, 8],  # shorthand of automatic names: dend is '1', its L is '1'
    "neuron.dend.L.main": [6, 7, 8],
    "neuron[5]": [5],
    "neuron[2:8]": [2, 3, 4, 5, 6, 7],
    "neuron[[3, 4, 5]]": [3, 4, 5],
    "neuron[morpho.axon]": [11, 12, 13, 14],
    "neuron[morpho.dend[30*um]]": [2],
    "neuron[0*um:30*um]": [0],
    "neuron.dend[2]": [3],
    "neuron.dend[2:4]": [3, 4],
    "neuron.dend[10*um:50*um]": [1, 2, 3],
    "neuron.axon[60*um:110*um]": [12, 13],
    "neuron.dend[morpho.dend.L]": [6, 7, 8],
    "neuron.dend.L[1]": [7],
    "neuron.dend.L[-1]": [8],
    # beyond Brian 2 (which refuses these): a string key, and one position by length
    "neuron['dend']": list(range(1, 11)),
    "neuron['1R']": [9, 10],
    "neuron.dend[30*um]": [2],
    "neuron.dend[40*um]": [3],  # a boundary belongs to the compartment starting there
    "neuron.axon[10*um]": [11],
}
LIVE_VIEWS = [view for view in VIEWS if not view.startswith(("neuron['", "neuron.dend[30", "neuron.dend[40",
                                                              "neuron.axon[10", "neuron.dend.L[-"))]
INDICES = ["neuron.dend", "neuron.dend.main", "neuron.dend.L", "neuron.axon[60*um:110*um]"]


def _neuron(neurons: int = 1):
    namespace: dict = {}
    exec("from simcore import *\n" + TREE, namespace)
    morpho = namespace["morpho"]
    return morpho, SpatialNeuron(morpho, MODEL, Cm=1 * uF / cm**2, N=neurons)


@pytest.fixture()
def one():
    start_scope()
    return _neuron()


def _view(expression: str, morpho, neuron):
    return eval(expression, {"um": um}, {"morpho": morpho, "neuron": neuron})


def _elements(view) -> list[int]:
    return list(range(view.offset, view.offset + view.N))


def test_objects_do_not_import_backends_or_codegen():
    path = Path(simcore.__file__).parent / "objects" / "spatial_views.py"
    imported = [node.module for node in ast.walk(ast.parse(path.read_text())) if isinstance(node, ast.ImportFrom)]
    assert not [name for name in imported if name.startswith(("simcore.backends", "simcore.codegen"))]


@pytest.mark.parametrize("expression", list(VIEWS))
def test_each_view_holds_the_compartments_of_the_numbering(one, expression):
    morpho, neuron = one
    view = _view(expression, morpho, neuron)
    assert _elements(view) == VIEWS[expression]
    neuron.v = "i*volt"  # the values read through the view are those elements'
    np.testing.assert_array_equal(np.asarray(view.v / volt), VIEWS[expression])
    np.testing.assert_array_equal(view.indices[:], VIEWS[expression])  # whole-neuron numbers, as Brian 2's


def test_views_of_views_keep_their_sections(one):
    morpho, neuron = one
    assert neuron.dend.morphology is morpho.dend and neuron.dend.L.morphology is morpho.dend.L
    assert _elements(neuron.main.dend.L) == [6, 7, 8]  # .main keeps the section: its children stay reachable
    assert _elements(neuron[morpho.dend].R) == [9, 10]
    assert _elements(neuron.dend.L[1:3]) == [7, 8]
    np.testing.assert_array_equal(neuron.dend.indices[2:4], [3, 4])
    neuron.v = "i*volt"
    np.testing.assert_array_equal(np.asarray(neuron.v[morpho.axon] / volt), [11, 12, 13, 14])
    np.testing.assert_array_equal(np.asarray(neuron.dend.v[morpho.dend.L] / volt), [6, 7, 8])


def test_sections_come_before_variables_but_a_missing_one_leaves_the_variable():
    start_scope()
    morpho = Cylinder(length=10 * um, diameter=1 * um, n=2)
    morpho.L = Cylinder(length=10 * um, diameter=1 * um, n=3)
    neuron = SpatialNeuron(morpho, "Im = 0*amp/meter**2 : amp/meter**2\nL : 1\nR : 1", N=1)
    assert _elements(neuron.L) == [2, 3, 4]  # a section named L, as in Brian 2
    neuron.R = 2  # no section R: the variable
    np.testing.assert_array_equal(neuron.R[:], [2] * 5)
    many = SpatialNeuron(morpho, "Im = 0*amp/meter**2 : amp/meter**2\nR : 1", N=2)
    many.R = 3
    np.testing.assert_array_equal(many.R[:], [3] * 10)


def test_writing_through_a_view_changes_exactly_its_compartments(one):
    morpho, neuron = one
    neuron.gL = 0 * siemens / meter**2
    neuron.dend.L.gL = 5 * siemens / meter**2
    neuron.dend[30 * um].I = 1 * nA
    neuron.main.EL = -70 * mV
    np.testing.assert_array_equal(np.flatnonzero(np.asarray(neuron.gL_)), [6, 7, 8])
    np.testing.assert_array_equal(np.flatnonzero(np.asarray(neuron.I_)), [2])
    np.testing.assert_array_equal(np.flatnonzero(np.asarray(neuron.EL_)), [0])
    neuron.v = 0 * mV
    neuron.dend.v["distance > 80*um"] = 1 * mV  # a condition on a view: dend's last compartment and L, R
    distance = np.asarray(neuron.distance_)
    np.testing.assert_array_equal(np.flatnonzero(np.asarray(neuron.v_)), [5, 6, 7, 8, 9, 10])
    assert distance[5] == pytest.approx(90e-6) and distance[4] == pytest.approx(70e-6)
    neuron.axon.v[2:] = 3 * mV  # indexing a view's variable counts from its first compartment
    np.testing.assert_array_equal(np.flatnonzero(np.asarray(neuron.v_) == 3e-3), [13, 14])


def test_a_point_current_placed_by_length_depolarises_that_compartment_most():
    start_scope()
    defaultclock.dt = 0.025 * ms
    morpho, neuron = _neuron()
    neuron.gL = 0.1 * msiemens / cm**2
    neuron.EL = 0 * mV
    neuron.v = 0 * mV
    neuron.dend[30 * um].I = 1 * nA
    Network(neuron).run(2 * ms)
    v = np.asarray(neuron.v_)
    assert int(np.argmax(v)) == 2 and v[2] > 0
    assert v[1] > v[0] and v[2] > v[3] > v[4]  # decaying away from it on both sides


def test_monitors_record_compartments_given_by_the_morphology_or_a_view(one):
    morpho, neuron = one
    neuron.gL = "i*siemens/meter**2"  # a constant, so the records show which elements they read
    monitors = {"morpho[0]": StateMonitor(neuron, "gL", record=morpho[0]),
                "morpho.dend": StateMonitor(neuron, "gL", record=morpho.dend),
                "neuron.dend[30*um]": StateMonitor(neuron, "gL", record=neuron.dend[30 * um]),
                "neuron.dend.L": StateMonitor(neuron, "gL", record=neuron.dend.L),
                "within dend": StateMonitor(neuron.dend, "gL", record=morpho.dend.L[1])}
    Network(neuron, *monitors.values()).run(0.1 * ms)
    expected = {"morpho[0]": [0], "morpho.dend": [1, 2, 3, 4, 5], "neuron.dend[30*um]": [2],
                "neuron.dend.L": [6, 7, 8], "within dend": [7]}
    for name, monitor in monitors.items():
        np.testing.assert_array_equal(np.asarray(monitor.gL_)[:, -1], expected[name])
    np.testing.assert_array_equal(monitors["within dend"].record, [6])  # counted from the subgroup's first
    dend = monitors["morpho.dend"]
    trace = np.asarray(dend[morpho.dend[30 * um]].gL_)
    assert trace.ndim == 1 and trace.size >= 1 and np.all(trace == 2.0)  # one compartment: one trace
    assert np.asarray(dend[neuron.dend[10 * um:50 * um]].gL_)[:, 0].tolist() == [1.0, 2.0, 3.0]


def test_threshold_location_given_by_the_morphology():
    start_scope()
    defaultclock.dt = 0.1 * ms
    namespace: dict = {}
    exec("from simcore import *\n" + TREE, namespace)
    morpho = namespace["morpho"]
    neuron = SpatialNeuron(morpho, "Im = gL*(10*mV - v) : amp/meter**2\ngL : siemens/meter**2",
                           threshold="v > 5*mV", threshold_location=morpho.axon[110 * um], refractory=1 * ms, N=2)
    neuron.gL = 1 * msiemens / cm**2
    spikes = SpikeMonitor(neuron)
    Network(neuron, spikes).run(10 * ms)
    assert set(np.asarray(spikes.i)) == {13, 28}  # axon's compartment 2 in each neuron
    soma = SpatialNeuron(morpho, "Im = 0*amp/meter**2 : amp/meter**2", threshold="v > 0*mV",
                         threshold_location=morpho)  # a one-compartment section is a location, as in Brian 2
    assert soma.N == COMPARTMENTS
    with pytest.raises(ModelError, match=r"threshold_location must be one compartment, not <section 'dend'>, "
                                         r"which has 5"):
        SpatialNeuron(morpho, "Im = 0*amp/meter**2 : amp/meter**2", threshold="v > 0*mV",
                      threshold_location=morpho.dend)
    with pytest.raises(ModelError, match="not a section of this neuron's morphology"):
        SpatialNeuron(morpho, "Im = 0*amp/meter**2 : amp/meter**2", threshold="v > 0*mV",
                      threshold_location=Cylinder(length=10 * um, diameter=1 * um, n=1))
    with pytest.raises(AttributeError, match=r"threshold_location must be one compartment, not 2 \(\[2, 3\]\)"):
        SpatialNeuron(morpho, "Im = 0*amp/meter**2 : amp/meter**2", threshold="v > 0*mV", threshold_location=[2, 3])
    with pytest.raises(ModelError, match="threshold_location 15 is outside the morphology"):
        SpatialNeuron(morpho, "Im = 0*amp/meter**2 : amp/meter**2", threshold="v > 0*mV", threshold_location=[15])


def test_synapses_onto_compartments():
    start_scope()
    defaultclock.dt = 0.025 * ms
    morpho, neuron = _neuron()
    neuron.v = 0 * mV
    source = SpikeGeneratorGroup(1, [0], [0.5] * ms)
    onto_v = Synapses(source, neuron, on_pre="v_post += 10*mV")
    onto_v.connect(i=0, j=morpho.dend[30 * um])
    onto_dend = Synapses(source, neuron.dend, on_pre="I_post += 1*pA")
    onto_dend.connect(i=0, j=morpho.dend.L[1])  # a morphology onto a subgroup: counted from its first
    assert list(np.asarray(onto_v.j)) == [2] and list(np.asarray(onto_dend.j)) == [6]
    Network(neuron, source, onto_v, onto_dend).run(0.525 * ms)  # up to the step the spike arrives in
    v = np.asarray(neuron.v_)
    assert v[2] == pytest.approx(10e-3) and np.all(np.delete(v, 2) == 0)  # the cable acts before the synapses
    np.testing.assert_array_equal(np.flatnonzero(np.asarray(neuron.I_)), [7])
    assert neuron.I_[7] == pytest.approx(1e-12)


# N = 3 neurons of 15 compartments: neuron k's compartment c is element 15*k + c
MANY = {
    "neuron[1]": list(range(15, 30)),
    "neuron[-1]": list(range(30, 45)),
    "neuron[0:2]": list(range(0, 30)),
    "neuron[1].main": [15],
    "neuron[1].dend": list(range(16, 26)),
    "neuron[2].dend.L": [36, 37, 38],
    "neuron[2].dend[30*um]": [32],
    "neuron[1][5]": [20],
    "neuron[1][2:8]": list(range(17, 23)),
    "neuron[1][morpho.axon]": [26, 27, 28, 29],
    "neuron[2].axon[60*um:110*um]": [42, 43],
    "neuron[1]['dend']": list(range(16, 26)),
}


@pytest.fixture(scope="module")
def three():
    start_scope()
    return _neuron(3)


@pytest.mark.parametrize("expression", list(MANY))
def test_views_of_one_of_many_neurons(three, expression):
    morpho, neuron = three
    view = _view(expression, morpho, neuron)
    assert _elements(view) == MANY[expression]
    np.testing.assert_array_equal(view.indices[:], MANY[expression])


def test_writing_and_recording_one_of_many_neurons(three):
    morpho, neuron = three
    neuron.gL = 0 * siemens / meter**2
    neuron[1].dend.L.gL = 2 * siemens / meter**2
    np.testing.assert_array_equal(np.flatnonzero(np.asarray(neuron.gL_)), [21, 22, 23])
    neuron.gL = "i*siemens/meter**2"
    monitor = StateMonitor(neuron, "gL", record=neuron[2].dend[30 * um])
    within = StateMonitor(neuron[2], "gL", record=morpho.dend[30 * um])  # the morphology within one neuron
    source = SpikeGeneratorGroup(1, [], [] * ms)
    synapses = Synapses(source, neuron, "w : 1")
    synapses.connect(i=0, j=neuron[2].dend[30 * um])
    assert list(monitor.record) == [32] and list(within.record) == [2] and list(np.asarray(synapses.j)) == [32]
    np.testing.assert_array_equal(np.asarray(neuron[1].gL_), np.arange(15, 30))


def test_a_point_current_in_one_of_many_neurons():
    start_scope()
    defaultclock.dt = 0.025 * ms
    morpho, neuron = _neuron(3)
    neuron.gL = 0.1 * msiemens / cm**2
    neuron.EL = 0 * mV
    neuron.v = 0 * mV
    neuron[1].dend[30 * um].I = 1 * nA
    Network(neuron).run(1 * ms)
    v = np.asarray(neuron.v_)
    assert int(np.argmax(v)) == 17
    assert np.all(v[:15] == 0) and np.all(v[30:] == 0)


def _refused(error: str, expression: str, morpho, neuron) -> None:
    with pytest.raises(ModelError) as caught:
        _view(expression, morpho, neuron)
    assert error in str(caught.value), str(caught.value)


@pytest.mark.parametrize(("expression", "error"), [
    ("neuron.dend[20]", "compartment 20 is outside NAME.dend, which has 10 compartments (0 to 9"),
    ("neuron[15]", "compartment 15 is outside NAME, which has 15 compartments (0 to 14"),
    ("neuron.dend[3:12]", "NAME.dend[3:12] goes beyond NAME.dend, which has 10 compartments"),
    ("neuron.dend[150*um]", "the position 150 um is outside the interval [0 um, 100 um] of section 'dend'"),
    ("neuron.axon[0*um:250*um]", "the slice 0*um:250*um goes beyond the interval [0 um, 200 um] of section 'axon'"),
    ("neuron[10*um:50*um]", "goes beyond the interval [0 um, 30 um] of the root section"),
    ("neuron.dend.foo", "NAME.dend has no variable 'foo', and section 'dend' has no sub-tree of that name "
                        "(its children are named 'L', 'R')"),
    ("neuron['zz']", "the root section has no sub-tree 'zz' (its children are named '1', '2', 'axon', 'dend')"),
    ("neuron.axon.L", "section 'axon' has no sub-tree 'L' (it has no children)"),
    ("neuron.dend[30*um].L", "NAME.dend[30. um] is a range of compartments, not a section"),
    ("neuron.dend[2:4][30*um]", "is a range of compartments, not a section: positions are measured along a section"),
    ("neuron.dend[morpho.axon]", "those compartments (elements 11 to 14) are not within NAME.dend"),
    ("neuron[[2, 4]]", "a list of compartments must be consecutive increasing whole numbers"),
    ("neuron[2:8:2]", "must be a non-empty range of compartments without a step"),
    ("neuron[1.5]", "cannot index NAME with 1.5"),
])
def test_bad_items_are_refused_naming_the_section_and_its_range(one, expression, error):
    morpho, neuron = one
    _refused(error.replace("NAME", neuron.name), expression, morpho, neuron)


@pytest.mark.parametrize(("expression", "error"), [
    ("neuron.dend", "holds several whole neurons (3 share the morphology), and a section of each is not one "
                    "contiguous range of elements (subgroups are contiguous); select one neuron first: NAME[k].dend"),
    ("neuron.main", "select one neuron first: NAME[k].main"),
    ("neuron['dend']", "select one neuron first: NAME[k].dend"),
    ("neuron[30*um]", "has 3 neurons sharing the morphology, and its numbers count neurons; select one neuron "
                      "first: NAME[k][30. um]"),
    ("neuron[morpho.axon]", "select one neuron first"),
    ("neuron[3]", "neuron 3 is outside NAME, which has 3 neurons (0 to 2"),
    ("neuron[0:2][0]", "NAME[0:2] holds several whole neurons; select one neuron (NAME[k])"),
    ("neuron[0:2].dend", "NAME[0:2] holds several whole neurons"),
    ("neuron[1][morpho.axon][0:2].L", "is a range of compartments, not a section"),
])
def test_ambiguous_items_of_many_neurons_are_refused(three, expression, error):
    morpho, neuron = three
    _refused(error.replace("NAME", neuron.name), expression, morpho, neuron)
    assert not hasattr(neuron, "dend")  # an AttributeError too


def test_compartments_given_where_they_cannot_be_are_refused(one, three):
    morpho, neuron = one
    many_morpho, many = three
    with pytest.raises(ModelError, match="holds several of the 3 neurons sharing the morphology; give the "
                                         "compartments of one neuron"):
        StateMonitor(many, "v", record=many_morpho.dend)
    with pytest.raises(ModelError, match=r"not within spatialneuron\S*\.dend"):
        StateMonitor(neuron.dend, "v", record=morpho.axon)
    with pytest.raises(ModelError, match="not a section of this neuron's morphology"):
        StateMonitor(neuron, "v", record=many_morpho.dend)
    source = SpikeGeneratorGroup(1, [], [] * ms)
    with pytest.raises(ModelError, match="selects compartments of a SpatialNeuron, but SpikeGeneratorGroup"):
        Synapses(neuron, source, on_pre="").connect(i=0, j=morpho.dend)
    with pytest.raises(ModelError, match=r"spatialneuron\S*\.axon\[0\] .* is not within spatialneuron\S*\.dend"):
        Synapses(source, neuron.dend, "w : 1").connect(i=0, j=neuron.axon[0])
    with pytest.raises(ModelError, match="is not part of"):
        StateMonitor(neuron, "v", record=many[0].dend)


LIVE = """import json
from brian2 import *
prefs.codegen.target = 'numpy'
TREE
neuron = SpatialNeuron(morpho, MODEL)
neuron.v = 'i*volt'
views = {expression: [int(round(x)) for x in eval(expression).v / volt] for expression in LIVE_VIEWS}
indices = {expression: [int(x) for x in eval(expression).indices[:]] for expression in INDICES}
monitor = StateMonitor(neuron, 'v', record=morpho.dend)
source = SpikeGeneratorGroup(1, [], [] * ms)
synapses = Synapses(source, neuron, 'w : 1')
synapses.connect(i=0, j=morpho.dend.L[1])
json.dump({'views': views, 'indices': indices, 'record': [int(x) for x in monitor.record],
           'j': [int(x) for x in synapses.j[:]]}, open('out.json', 'w'))
"""


@pytest.mark.skipif(not BRIAN2_PYTHON, reason="set BRIAN2_PYTHON to a Python with brian2")
def test_views_equal_brian2s(tmp_path):
    """The same views of the same tree in Brian 2: values of v = i*volt read through each, ``indices[:]``, and a
    monitor's and a synapse's compartments."""
    script = tmp_path / "views.py"
    script.write_text(LIVE.replace("TREE", TREE).replace("MODEL", repr(MODEL))
                      .replace("LIVE_VIEWS", repr(LIVE_VIEWS)).replace("INDICES", repr(INDICES)))
    subprocess.run([BRIAN2_PYTHON, str(script)], check=True, cwd=tmp_path, capture_output=True, timeout=600)
    theirs = json.loads((tmp_path / "out.json").read_text())
    assert theirs["views"] == {view: VIEWS[view] for view in LIVE_VIEWS}
    assert theirs["indices"] == {view: VIEWS[view] for view in INDICES}
    assert theirs["record"] == [1, 2, 3, 4, 5] and theirs["j"] == [7]
