"""A SpatialNeuron's cable equation on the cuda device gives the CPU's v and Ic (numba's CUDA simulator unless
SIMCORE_TEST_GPU=1): a passive branched cell with point currents, one neuron and five sharing the morphology,
and a short Hodgkin-Huxley axon that fires; in the fused cooperative kernel and with one launch per device
function. Also: the generated solve is one thread per neuron (no one-thread warning), and a current that is
not finite stops the run with the CPU's error."""

import warnings

import numpy as np
import pytest
from shape_models import HH_SQUID_AXON
from test_launch_writes import operations_of, stored_into

from simcore import (
    Cylinder,
    ModelError,
    Network,
    Soma,
    SpatialNeuron,
    SpikeMonitor,
    StateMonitor,
    amp,
    cm,
    ms,
    msiemens,
    mV,
    nA,
    ohm,
    seed,
    siemens,
    start_scope,
    uA,
    uF,
    um,
)
from simcore.codegen import cuda_kernels, cuda_module

PASSIVE = """Im = gL*(EL - v) : amp/meter**2
             gL : siemens/meter**2 (constant)
             EL : volt (constant)
             I : amp (point current)"""
BRANCHED_COMPARTMENTS = 13  # 1 + 4 + 3 + 2 + 3
HH_DT = 0.01 * ms


@pytest.fixture(autouse=True, params=["fused", "kernels"])
def launch(request, monkeypatch):
    """Each test with the whole chunk in one cooperative kernel, and with one launch per operation and step."""
    monkeypatch.setenv("SIMCORE_CUDA_LAUNCH", request.param)
    return request.param


def on_both(build, schedule):
    """``build()`` -> (objects, {name: recorded values}) run on the CPU and on cuda for each duration of
    ``schedule`` in turn, after its change of the objects (or None); both results."""
    results = []
    for device in ("cpu", "cuda"):
        start_scope()
        seed(5)
        objects, read = build()
        network = Network(*objects, device=device)
        for duration, change in schedule:
            if change is not None:
                change(objects)
            network.run(duration)
        results.append({name: np.asarray(value()) for name, value in read.items()})
    return results


def branched_cell(neurons: int):
    """A soma, a dendrite, and an axon that splits in two (L and R): 13 compartments, 3 with their own point
    current in each neuron (the soma's differs from neuron to neuron)."""
    morpho = Soma(diameter=20 * um)
    morpho.dend = Cylinder(n=4, length=100 * um, diameter=2 * um)
    morpho.axon = Cylinder(n=3, length=80 * um, diameter=1 * um)
    morpho.axon.L = Cylinder(n=2, length=40 * um, diameter=0.7 * um)
    morpho.axon.R = Cylinder(n=3, length=50 * um, diameter=0.5 * um)
    neuron = SpatialNeuron(morpho, PASSIVE, Cm=1 * uF / cm**2, Ri=100 * ohm * cm, N=neurons, name="cell")
    neuron.gL = 1e-4 * siemens / cm**2
    neuron.EL = -70 * mV
    neuron.v = -70 * mV
    for k in range(neurons):
        first = k * BRANCHED_COMPARTMENTS
        neuron.I[first] = (0.1 + 0.05 * k) * nA  # the soma
        neuron.I[first + 7] = -0.02 * nA  # the axon's last compartment, at the branch point
        neuron.I[first + 12] = 0.03 * nA  # the tip of axon.R
    return neuron


def build_branched(neurons: int):
    neuron = branched_cell(neurons)
    trace = StateMonitor(neuron, ["v", "Ic"], record=True)
    return [neuron, trace], {"v": lambda: trace.v_, "Ic": lambda: trace.Ic_, "final": lambda: neuron.v_}


def build_five_branched():
    return build_branched(5)


def build_hh_axon():
    """The HH axon of tests/objects/test_spatialneuron.py, 30 compartments of the same size (3 mm), 50 steps:
    a current pulse into compartment 0 for 20 steps, then none: a spike runs along the axon."""
    morpho = Cylinder(length=3000 * um, diameter=2 * 238 * um, n=30, type="axon")
    namespace = {"El": 10.613 * mV, "ENa": 115 * mV, "EK": -12 * mV, "gl": 0.3 * msiemens / cm**2,
                 "gK": 36 * msiemens / cm**2}
    neuron = SpatialNeuron(morpho, HH_SQUID_AXON, method="exponential_euler", refractory="m > 0.4",
                           threshold="m > 0.5", Cm=1 * uF / cm**2, Ri=35.4 * ohm * cm, namespace=namespace,
                           name="axon", dt=HH_DT)
    neuron.v = 0 * mV
    neuron.h = 1
    neuron.m = 0
    neuron.n = 0.5
    neuron.gNa = 120 * msiemens / cm**2
    neuron.I[0] = 30 * uA
    trace = StateMonitor(neuron, ["v", "Ic", "m"], record=[0, 4, 10, 29], dt=HH_DT)
    spikes = SpikeMonitor(neuron)
    return [neuron, trace, spikes], {"v": lambda: trace.v_, "Ic": lambda: trace.Ic_, "m": lambda: trace.m_,
                                     "i": lambda: spikes.i[:], "t": lambda: spikes.t_[:], "final": lambda: neuron.v_}


def _pulse_off(objects):
    objects[0].I = 0 * amp


HH_SCHEDULE = ((0.2 * ms, None), (0.3 * ms, _pulse_off))
PTX_BUILDERS = [build_five_branched]  # compiled to PTX by ptx_check.py: the cable's three kernels and run_steps


@pytest.mark.parametrize("neurons", [1, 5])
def test_passive_branched_cell_equals_the_cpu_bit_for_bit(neurons):
    cpu, cuda = on_both(lambda: build_branched(neurons), ((2 * ms, None),))
    assert cpu["v"].shape == (neurons * BRANCHED_COMPARTMENTS, 20)  # (compartment, step)
    somas = cpu["final"][::BRANCHED_COMPARTMENTS]
    assert np.all(np.diff(somas) > 0) and somas[0] > -0.07  # more current, more depolarised: neurons differ
    # Ic (F/m^2 * V/s): Cm times the change of v over the step before the record (the first record: 0)
    np.testing.assert_allclose(cpu["Ic"][:, 1:], 0.01 * np.diff(cpu["v"], axis=1) / 1e-4, rtol=1e-9, atol=1e-15)
    assert np.all(cpu["Ic"][::BRANCHED_COMPARTMENTS, 1:] > 0)  # the somas charge up
    for name in cpu:
        np.testing.assert_array_equal(cuda[name], cpu[name], err_msg=name)


def test_hh_axon_equals_the_cpu_and_fires():
    cpu, cuda = on_both(build_hh_axon, HH_SCHEDULE)
    assert cpu["v"].shape == (4, 50) and cpu["v"][0].max() > 0.1  # compartment 0 spikes (100 mV above rest)
    assert list(cpu["i"]) == list(range(30)) and np.all(np.diff(cpu["t"]) >= 0)  # from one end to the other
    np.testing.assert_array_equal(cuda["i"], cpu["i"])
    np.testing.assert_array_equal(cuda["t"], cpu["t"])
    for name in ("v", "m", "final"):  # the simulator computes m**3 with pow(), numba by multiplying
        np.testing.assert_allclose(cuda[name], cpu[name], rtol=1e-12, atol=0, err_msg=name)
    # Ic = Cm*(v - v_previous)/dt turns v's differences (1e-16 relative) into 1e-12 of Ic's scale where it is small
    np.testing.assert_allclose(cuda["Ic"], cpu["Ic"], rtol=1e-12, atol=1e-12 * np.abs(cpu["Ic"]).max())


def test_a_current_that_is_not_finite_stops_the_run_as_on_the_cpu():
    messages = []
    for device in ("cpu", "cuda"):
        start_scope()
        neuron = branched_cell(2)
        network = Network(neuron, device=device)
        network.run(0.3 * ms)
        neuron.I[BRANCHED_COMPARTMENTS + 4] = np.inf * amp
        with pytest.raises(ModelError) as error:
            network.run(0.5 * ms)
        messages.append(str(error.value))
    assert messages[0] == messages[1]
    assert "'_I0' of cell became NaN or infinite for element 17 at t = 0.3 ms" in messages[0]


def test_the_solve_runs_one_thread_per_neuron_without_a_warning(monkeypatch):
    """Generated only: three launches (compartments, neurons, compartments), each stating what it stores (the
    solve stores inside the device function: v and the scratch, as simcore.kernels.cable's step does)."""
    bodies, made = {}, []
    add = cuda_kernels.Kernels.add

    def recording(self, name, args, lines, *rest, **options):
        bodies[name] = lines
        made[:] = [self]
        add(self, name, args, lines, *rest, **options)

    monkeypatch.setattr(cuda_kernels.Kernels, "add", recording)
    operations = operations_of(build_five_branched, "cuda")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        source = cuda_module.generate(operations, "cable", "test")
    assert "from simcore.kernels.cable_cuda import step as cable_step_cuda" in source.text
    launches = {launch.name: launch for launch in made[0].launches}
    total = 5 * BRANCHED_COMPARTMENTS
    assert [launches[f"cell_cable{part}"].threads for part in ("", "__solve", "__current")] == [total, 5, total]
    solve = launches["cell_cable__solve"]
    assert solve.written == {"__cell_v", "_cable_a", "_cable_b"}
    assert any("cable_step_cuda(_first," in line and line.endswith(", _g, 5)") for line in bodies[solve.name])
    for name in ("cell_cable", "cell_cable__current"):
        assert launches[name].written == stored_into(bodies[name]) - {"_ctl"}, name
    assert "__cell_v" not in launches["cell_cable"].written
