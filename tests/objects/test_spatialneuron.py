"""SpatialNeuron: the cable equation through the user API, against cable theory, against Brian 2 2.11 (live when
BRIAN2_PYTHON names a Python with brian2, and figures recorded from it otherwise), many neurons in one group,
and the errors of a bad model."""

import json
import os
import runpy
import subprocess

import numpy as np
import pytest
from shape_models import HH_SQUID_AXON

from simcore import (
    Cylinder,
    Equations,
    ModelError,
    Network,
    Soma,
    SpatialNeuron,
    SpikeMonitor,
    StateMonitor,
    cm,
    defaultclock,
    load_output,
    ms,
    msiemens,
    mV,
    nA,
    ohm,
    siemens,
    start_scope,
    uF,
    um,
)
from simcore.errors import DimensionMismatchError

BRIAN2_PYTHON = os.environ.get("BRIAN2_PYTHON")

# the squid giant axon of Brian 2's example, shortened: 3 cm in 300 compartments, a 10 uA pulse at one end
HH_AXON = '''
defaultclock.dt = 0.01*ms
morpho = Cylinder(length=3*cm, diameter=2*238*um, n=300, type='axon')
El = 10.613*mV; ENa = 115*mV; EK = -12*mV
gl = 0.3*msiemens/cm**2; gNa0 = 120*msiemens/cm**2; gK = 36*msiemens/cm**2
eqs = {equations!r}
neuron = SpatialNeuron(morphology=morpho, model=eqs, method="exponential_euler", refractory="m > 0.4",
                       threshold="m > 0.5", Cm=1*uF/cm**2, Ri=35.4*ohm*cm)
neuron.v = 0*mV; neuron.h = 1; neuron.m = 0; neuron.n = .5; neuron.I = 0*amp; neuron.gNa = gNa0
M = StateMonitor(neuron, 'v', record=[0, 100, 200])
spikes = SpikeMonitor(neuron)
neuron.I[0] = 10*uA; run(1*ms); neuron.I = 0*amp; run(9*ms)
result = {"v": (M.v/mV).tolist(), "i": [int(k) for k in spikes.i], "t": [float(x) for x in spikes.t/ms]}
'''.replace("{equations!r}", repr(HH_SQUID_AXON))
# Brian 2.11.0 (numpy target) on HH_AXON: v (mV) at compartments 0, 100, 200 (rows) after 100, 300, 600 steps
BRIAN2_V = [[109.002135, 15.879582, -10.510092], [8.670787, 56.638233, -10.870096],
            [-7.470336, 98.438519, -11.113615]]
BRIAN2_FIRST_SPIKE_MS = {100: 1.42, 200: 2.41}  # and 300 spikes in all, one per compartment


@pytest.fixture(scope="module")
def hh_axon(tmp_path_factory) -> dict:
    """HH_AXON run as a user's script (``from simcore import *`` in place of Brian 2's import)."""
    start_scope()
    script = tmp_path_factory.mktemp("axon") / "axon.py"
    script.write_text("from simcore import *\n" + HH_AXON)
    result = runpy.run_path(str(script))["result"]
    start_scope()
    return result


def _first_spikes(result: dict) -> dict[int, float]:
    i, t = np.array(result["i"]), np.array(result["t"])
    return {k: t[i == k].min() for k in (100, 200)}


def test_hh_axon_equals_brian2s_recorded_trace_and_propagates(hh_axon):
    v = np.array(hh_axon["v"])
    np.testing.assert_allclose(v[:, [100, 300, 600]], BRIAN2_V, atol=1e-5)  # recorded to 6 decimals
    assert len(hh_axon["i"]) == 300 and sorted(set(hh_axon["i"])) == list(range(300))
    first = _first_spikes(hh_axon)
    assert first == pytest.approx(BRIAN2_FIRST_SPIKE_MS, abs=1e-9)
    velocity = 1 * cm / ((first[200] - first[100]) * ms)
    assert 9.5 < float(velocity) < 10.5  # m/s: the squid axon's conduction velocity at this temperature


@pytest.mark.skipif(not BRIAN2_PYTHON, reason="set BRIAN2_PYTHON to a Python with brian2")
def test_hh_axon_equals_brian2_live(hh_axon, tmp_path):
    script = tmp_path / "axon.py"
    script.write_text("import json\nfrom brian2 import *\nprefs.codegen.target = 'numpy'\n" + HH_AXON
                      + f"\njson.dump(result, open({str(tmp_path / 'out.json')!r}, 'w'))\n")
    subprocess.run([BRIAN2_PYTHON, str(script)], check=True, cwd=tmp_path, capture_output=True, timeout=600)
    theirs = json.loads((tmp_path / "out.json").read_text())
    np.testing.assert_allclose(hh_axon["v"], theirs["v"], rtol=0, atol=1e-9)
    assert hh_axon["i"] == theirs["i"]
    np.testing.assert_allclose(hh_axon["t"], theirs["t"], atol=1e-9)


def _sealed_cable(neurons: int = 1, currents=(0.1 * nA,)):
    """A sealed passive cylinder of 1.2 space constants, a current injected into its first compartment."""
    morpho = Cylinder(length=1000 * um, diameter=1 * um, n=200)
    model = """Im = gL*(EL - v) : amp/meter**2
               gL : siemens/meter**2 (constant)
               EL : volt (constant)
               I : amp (point current)"""
    neuron = SpatialNeuron(morpho, model, Cm=1 * uF / cm**2, Ri=100 * ohm * cm, N=neurons)
    neuron.gL = 2e-4 * siemens / cm**2
    neuron.EL = 0 * mV
    neuron.v = 0 * mV
    for k, current in enumerate(currents):
        neuron.I[k * 200] = current
    return neuron


def test_sealed_cable_steady_state_is_cable_theory():
    start_scope()
    defaultclock.dt = 0.1 * ms
    neuron = _sealed_cable()
    Network(neuron).run(150 * ms)  # 30 membrane time constants: the steady state
    lam = float(neuron.space_constant[0] / um) * 1e-6
    radius, Ri, gL = 0.5e-6, 1.0, 2.0
    assert lam == pytest.approx(np.sqrt(radius / (2 * Ri * gL)), rel=1e-3)  # lambda = sqrt(a/(2 Ri gL))
    x = np.asarray(neuron.distance_)
    length = 1e-3
    v = np.asarray(neuron.v_)
    profile = np.cosh((length - x) / lam) / np.cosh(length / lam)
    np.testing.assert_allclose(v / v[0], profile / profile[0], rtol=0.01)
    input_resistance = Ri * lam / (np.pi * radius**2) / np.tanh(length / lam)  # sealed finite cable
    assert v[0] / 0.1e-9 == pytest.approx(input_resistance * profile[0], rel=0.01)
    assert float(neuron.time_constant[0] / ms) == pytest.approx(5.0)  # Cm/gL


def test_many_neurons_in_one_group_equal_each_neuron_alone():
    start_scope()
    defaultclock.dt = 0.1 * ms
    currents = (0.1 * nA, -0.05 * nA, 0.3 * nA)
    together = _sealed_cable(3, currents)
    Network(together).run(3 * ms)
    for k, current in enumerate(currents):
        start_scope()
        alone = _sealed_cable(1, (current,))
        Network(alone).run(3 * ms)
        np.testing.assert_array_equal(together.v_[k * 200:(k + 1) * 200], alone.v_)
    assert together.N == 600 and together.neurons == 3


def test_capacitive_current_and_charge_balance():
    start_scope()
    defaultclock.dt = 0.05 * ms
    morpho = Soma(20 * um)
    morpho.dend = Cylinder(length=200 * um, diameter=2 * um, n=10)
    neuron = SpatialNeuron(morpho, "Im = 0*amp/meter**2 : amp/meter**2\nI : amp (point current)",
                           Cm=1 * uF / cm**2, Ri=100 * ohm * cm)
    neuron.I[5] = 20 * nA
    Network(neuron).run(1 * ms)
    # no membrane current: all injected charge stays on the capacitance (Ic integrates to it)
    charge = np.sum(np.asarray(neuron.v_) * np.asarray(neuron.area_) * 1e-2)
    assert charge == pytest.approx(20e-9 * 1e-3, rel=1e-9)
    np.testing.assert_allclose(np.sum(np.asarray(neuron.Ic_) * np.asarray(neuron.area_)), 20e-9, rtol=1e-9)


def test_threshold_location_detects_spikes_at_one_compartment():
    start_scope()
    defaultclock.dt = 0.1 * ms
    morpho = Cylinder(length=100 * um, diameter=1 * um, n=4)
    neuron = SpatialNeuron(morpho, "Im = gL*(10*mV - v) : amp/meter**2\ngL : siemens/meter**2",
                           threshold="v > 5*mV", threshold_location=2, refractory=1 * ms, N=2)
    neuron.gL = 1 * msiemens / cm**2
    spikes = SpikeMonitor(neuron)
    net = Network(neuron, spikes)
    net.run(10 * ms)
    assert set(np.asarray(spikes.i)) == {2, 6}  # compartment 2 of each neuron
    # and on the CPU the threshold tests those two compartments alone, not all eight
    assert "for _i in range(2, 8, 4):" in net.source()


def test_bad_models_are_refused_before_the_run():
    start_scope()
    morpho = Soma(10 * um)
    with pytest.raises(ModelError, match="must define the transmembrane current 'Im'"):
        SpatialNeuron(morpho, "gL : siemens/meter**2")
    with pytest.raises(DimensionMismatchError, match=r"'Im' must be a current per area \(amp/meter\*\*2\), not amp"):
        SpatialNeuron(morpho, "Im = 1*nA : amp")
    with pytest.raises(DimensionMismatchError, match="the point current 'I' must be a current"):
        SpatialNeuron(morpho, "Im = 0*amp/meter**2 : amp/meter**2\nI : volt (point current)")
    with pytest.raises(ModelError, match="'v' is defined by every SpatialNeuron"):
        SpatialNeuron(morpho, "Im = 0*amp/meter**2 : amp/meter**2\nv : volt")
    with pytest.raises(ModelError, match="threshold_location 3 is outside the morphology"):
        SpatialNeuron(Cylinder(length=10 * um, diameter=1 * um, n=3), "Im = 0*amp/meter**2 : amp/meter**2",
                      threshold="v > 0*mV", threshold_location=3)
    with pytest.raises(ModelError, match="needs a Morphology"):
        SpatialNeuron("soma", "Im = 0*amp/meter**2 : amp/meter**2")
    with pytest.raises(ModelError, match="has zero length"):
        SpatialNeuron(Cylinder(length=0 * um, diameter=1 * um, n=1), "Im = 0*amp/meter**2 : amp/meter**2")
    wrong = SpatialNeuron(morpho, Equations("Im = gL*(EL - v) : amp/meter**2\ngL : siemens\nEL : volt"))
    with pytest.raises(DimensionMismatchError, match="amp/meter\\*\\*2|A/m"):
        Network(wrong).run(0.1 * ms)


def _charging_pair():
    """Two neurons of a soma and a dendrite, a current into neuron 1's dendrite."""
    morpho = Soma(20 * um)
    morpho.dend = Cylinder(length=200 * um, diameter=2 * um, n=10)
    neuron = SpatialNeuron(morpho, "Im = gL*(-70*mV - v) : amp/meter**2\ngL : siemens/meter**2\n"
                                   "I : amp (point current)", Cm=1 * uF / cm**2, Ri=100 * ohm * cm, N=2,
                           name="pair")
    neuron.gL = 1e-4 * siemens / cm**2
    neuron.v = -70 * mV
    neuron[1].dend[50 * um].I = 0.1 * nA
    return neuron


def test_store_restore_and_streaming_to_hdf5(tmp_path):
    start_scope()
    defaultclock.dt = 0.05 * ms
    neuron = _charging_pair()
    trace = StateMonitor(neuron, "v", record=[0, 16])
    net = Network(neuron, trace)
    net.run(1 * ms)
    net.store("start", filename=tmp_path / "state.h5")
    net.run(2 * ms)
    after = neuron.v_.copy(), neuron.Ic_.copy()
    net.restore("start", filename=tmp_path / "state.h5")
    net.run(2 * ms)
    np.testing.assert_array_equal(neuron.v_, after[0])
    np.testing.assert_array_equal(neuron.Ic_, after[1])
    assert neuron.v_[16] > neuron.v_[5] == pytest.approx(-70e-3)  # only neuron 1 (elements 11-21) gets a current
    streamed = StateMonitor(neuron, "v", record=[16])
    Network(neuron, streamed).run(1 * ms, output=tmp_path / "out.h5")
    recording = load_output(tmp_path / "out.h5")[streamed.name]
    assert np.asarray(recording.v).shape[-1] == 20
    assert np.all(np.diff(np.asarray(recording.v).ravel()) > 0)  # still charging


def test_a_run_resumed_from_its_checkpoint_equals_one_run(tmp_path):
    start_scope()
    defaultclock.dt = 0.05 * ms
    whole = _charging_pair()
    Network(whole).run(3 * ms)
    start_scope()
    first = _charging_pair()
    Network(first).run(2.5 * ms, checkpoint=tmp_path / "ckpt.h5", checkpoint_every=1 * ms)  # then "killed"
    start_scope()  # a new process would build the same network, then restore the last checkpoint
    resumed = _charging_pair()
    net = Network(resumed)
    net.restore("checkpoint", filename=tmp_path / "ckpt.h5")
    assert net.t == 2 * ms
    net.run(1 * ms)
    np.testing.assert_array_equal(resumed.v_, whole.v_)
    assert resumed.v_[16] > resumed.v_[5] + 1e-3  # charging where the current enters


@pytest.mark.parametrize("where, message", [
    (lambda neuron: neuron.I.__setitem__(22, 1 * nA), "index 22 is out of range for SpatialNeuron 'pair'"),
    (lambda neuron: setattr(neuron[1].dend[250 * um], "I", 1 * nA),
     r"the position 250 um is outside the interval \[0 um, 200 um\] of section 'dend'"),
    (lambda neuron: setattr(neuron[0].axon, "I", 1 * nA), "the root section has no sub-tree of that name"),
])
def test_a_point_current_on_a_compartment_that_does_not_exist_is_refused(where, message):
    start_scope()
    neuron = _charging_pair()
    with pytest.raises(ModelError, match=message):
        where(neuron)
    assert np.count_nonzero(np.asarray(neuron.I_)) == 1  # only the current set when it was made
