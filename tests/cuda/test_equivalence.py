"""The cuda backend gives the CPU backend's results, bit for bit, on tiny networks (numba's CUDA
simulator in CI: each GPU thread is a Python thread, so sizes stay small)."""

import re

import numpy as np
import pytest

from simcore import (
    BackendError,
    EventMonitor,
    ModelError,
    Network,
    NeuronGroup,
    PoissonGroup,
    PoissonInput,
    PopulationRateMonitor,
    SpikeGeneratorGroup,
    SpikeMonitor,
    StateMonitor,
    Synapses,
    TimedArray,
    farad,
    get_device,
    linked_var,
    load_output,
    ms,
    mV,
    network_operation,
    prefs,
    run,
    second,
    seed,
    set_device,
    siemens,
    start_scope,
)
from simcore.backends import cuda as cuda_backend
from simcore.backends.select import building_for
from simcore.codegen import cuda_kernels, fusion
from simcore.ir import array_arg, internal_arg
from simcore.plan import build_plan
from simcore.plan.schedule import slot_ranks


@pytest.fixture(autouse=True, params=["fused", "kernels"])
def launch(request, monkeypatch):
    """Each test with the whole chunk in one cooperative kernel, and with one launch per operation and step."""
    monkeypatch.setenv("SIMCORE_CUDA_LAUNCH", request.param)
    return request.param


def on_both(build, duration=8 * ms, runs=1):
    """``build()`` -> (objects, {name: recorded values}) run on the CPU and on cuda; both results."""
    results = []
    for device in ("cpu", "cuda"):
        start_scope()
        seed(11)
        objects, read = build()
        network = Network(*objects, device=device)
        for _ in range(runs):
            network.run(duration)
        results.append({name: np.asarray(value()) for name, value in read.items()})
    return results


def assert_same(cpu, cuda, rtol=0.0):
    """Equal; with ``rtol``, floats within it (the simulator computes ``x**3`` with pow(), numba with
    multiplications, and a GPU's exp may differ from the C library's in the last bit), but spike times equal."""
    for name in cpu:
        if rtol and cpu[name].dtype.kind == "f" and name != "t":
            np.testing.assert_allclose(cuda[name], cpu[name], rtol=rtol, atol=0, err_msg=name)
        else:
            np.testing.assert_array_equal(cuda[name], cpu[name], err_msg=name)


def excitatory_inhibitory(group, first_inhibitory: int, excite: str, inhibit: str, delay, p: float):
    """Synapses from the group's first neurons and from the rest, onto all of it, with probability ``p``."""
    made = []
    for sources, code in ((group[:first_inhibitory], excite), (group[first_inhibitory:], inhibit)):
        synapses = Synapses(sources, group, on_pre=code, delay=delay)
        synapses.connect(p=p)
        made.append(synapses)
    return made


def spikes_of(monitor):
    return {"i": lambda: monitor.i[:], "t": lambda: monitor.t_[:]}


def build_noisy_lif():
    group = NeuronGroup(12, """dv/dt = (1.1 - v)/(10*ms) + 0.4*xi/sqrt(ms) : 1 (unless refractory)
                               crossings : 1""",
                        threshold="v > 1", reset="v = 0", refractory=2 * ms, method="euler",
                        events={"half": "v > 0.5 and crossings < 3"})
    group.v = "rand()"
    group.run_on_event("half", "crossings += 1")
    spikes, trace = SpikeMonitor(group), StateMonitor(group, "v", record=[0, 7])
    rate, halves = PopulationRateMonitor(group), EventMonitor(group, "half")
    middle = SpikeMonitor(group[3:9], variables="crossings")
    middle_rate = PopulationRateMonitor(group[3:9])
    return [group, spikes, trace, rate, halves, middle, middle_rate], {
        **spikes_of(spikes), "v": lambda: trace.v_, "rate": lambda: rate.rate_, "count": lambda: spikes.count[:],
        "half_i": lambda: halves.i[:], "half_t": lambda: halves.t_[:], "crossings": lambda: group.crossings_,
        "middle_i": lambda: middle.i[:], "middle_t": lambda: middle.t_[:],
        "middle_crossings": lambda: middle.crossings[:], "middle_rate": lambda: middle_rate.rate_}


def test_noisy_lif_with_refractoriness_and_monitors():
    cpu, cuda = on_both(build_noisy_lif, runs=2)
    assert cpu["i"].size > 5 and 0 < cpu["middle_i"].size < cpu["i"].size
    assert_same(cpu, cuda)

HH_EQUATIONS = """
dv/dt = (gl*(El-v) - g_na*(m*m*m)*h*(v-ENa) - g_kd*(n*n*n*n)*(v-EK) + I)/Cm : volt
dm/dt = alpha_m*(1-m) - beta_m*m : 1
dn/dt = alpha_n*(1-n) - beta_n*n : 1
dh/dt = alpha_h*(1-h) - beta_h*h : 1
alpha_m = 0.32*(mV**-1)*(13*mV-v+VT)/(exp((13*mV-v+VT)/(4*mV))-1.)/ms : Hz
beta_m = 0.28*(mV**-1)*(v-VT-40*mV)/(exp((v-VT-40*mV)/(5*mV))-1)/ms : Hz
alpha_h = 0.128*exp((17*mV-v+VT)/(18*mV))/ms : Hz
beta_h = 4./(1+exp((40*mV-v+VT)/(5*mV)))/ms : Hz
alpha_n = 0.032*(mV**-1)*(15*mV-v+VT)/(exp((15*mV-v+VT)/(5*mV))-1.)/ms : Hz
beta_n = .5*exp((10*mV-v+VT)/(40*mV))/ms : Hz
I : amp
"""
HH_NAMESPACE = {"Cm": 2e-10 * farad, "gl": 1e-8 * siemens, "El": -65 * mV, "EK": -90 * mV, "ENa": 50 * mV,
                "g_na": 2e-5 * siemens, "g_kd": 6e-6 * siemens, "VT": -63 * mV}


def build_hodgkin_huxley():
    group = NeuronGroup(6, HH_EQUATIONS, threshold="v > -20*mV", refractory="v > -20*mV",
                        method="exponential_euler", namespace=HH_NAMESPACE)
    group.v = -65 * mV
    group.I = "0.3*nA + 0.1*nA*i"
    group[3:].run_regularly("I = I + 0.05*nA", dt=1 * ms)
    spikes, trace = SpikeMonitor(group), StateMonitor(group, ["v", "m", "I", "alpha_m"], record=[1, 4])
    return [group, spikes, trace], {**spikes_of(spikes), "v": lambda: trace.v_, "m": lambda: trace.m_,
                                    "I": lambda: trace.I_, "alpha_m": lambda: trace.alpha_m_}


def test_hodgkin_huxley_subgroups_and_run_regularly():
    cpu, cuda = on_both(build_hodgkin_huxley, duration=6 * ms)
    assert cpu["i"].size > 0
    assert_same(cpu, cuda, rtol=1e-12)


def build_cobahh():
    """Brette et al. 2007 benchmark 3 (the model of bench/networks.py), 24 neurons, with a 1 ms delay."""
    equations = HH_EQUATIONS.replace("+ I)/Cm", "+ ge*(Ee-v) + gi*(Ei-v))/Cm").replace(
        "I : amp", "dge/dt = -ge/(5*ms) : siemens\ndgi/dt = -gi/(10*ms) : siemens")
    namespace = dict(HH_NAMESPACE, Ee=0 * mV, Ei=-80 * mV)
    group = NeuronGroup(24, equations, threshold="v > -20*mV", refractory=3 * ms, method="exponential_euler",
                        namespace=namespace)
    group.v = "-65*mV + 5*mV*rand()"
    group.ge = "(rand()*4 + 20)*nS"
    excitatory, inhibitory = excitatory_inhibitory(group, 19, "ge += 6*nS", "gi += 67*nS", 1 * ms, 0.4)
    spikes, trace = SpikeMonitor(group), StateMonitor(group, ["v", "ge"], record=[2, 20])
    return [group, excitatory, inhibitory, spikes, trace], {**spikes_of(spikes), "v": lambda: trace.v_,
                                                            "ge": lambda: trace.ge_}


def test_cobahh_with_delays():
    cpu, cuda = on_both(build_cobahh, duration=15 * ms)
    assert cpu["i"].size > 10
    assert_same(cpu, cuda, rtol=1e-9)


def build_cobahh_float32():
    prefs.core.default_float_dtype = np.float32
    try:
        return build_cobahh()
    finally:
        prefs.core.default_float_dtype = np.float64


def test_cobahh_in_float32():
    """float32 arithmetic on both; the simulator's math.exp is float64 rounded, a GPU's and numba's expf are
    float32's own: the same spikes, states equal to float32 accuracy."""
    cpu, cuda = on_both(build_cobahh_float32, duration=15 * ms)
    assert cpu["i"].size > 10 and cuda["v"].dtype == np.float32
    np.testing.assert_array_equal(cuda["i"], cpu["i"])
    np.testing.assert_array_equal(cuda["t"], cpu["t"])
    # float32 accuracy on the scale of v (tens of mV): 1e-4 relative, or 1 uV for a v that crosses zero mid-spike
    np.testing.assert_allclose(cuda["v"], cpu["v"], rtol=1e-4, atol=1e-6)


def build_linked_groups():
    """B's state update reads A's v (a linked variable) and runs between A's state update and A's threshold:
    A's update must not move down into A's threshold kernel (B would read the new v), B's may."""
    a = NeuronGroup(12, "dv/dt = (1.3 - v)/(8*ms) : 1", threshold="v > 1", reset="v = 0", method="exact", name="a")
    b = NeuronGroup(12, """dw/dt = (2*x - w)/(3*ms) : 1
                           x : 1 (linked)""", threshold="w > 1.5", reset="w = 0", method="exact", name="b")
    b.x = linked_var(a, "v")
    a.v = "i/12"
    spikes_a, spikes_b = SpikeMonitor(a), SpikeMonitor(b)
    return [a, b, spikes_a, spikes_b], {"a": lambda: spikes_a.count[:], "b": lambda: spikes_b.count[:],
                                        "w": lambda: b.w_}


def test_state_updates_fuse_with_thresholds_only_when_nothing_between_uses_their_arrays():
    start_scope()
    objects, _ = build_linked_groups()
    with building_for("cuda"):
        network = Network(*objects)
        operations = list(build_plan(network.objects, None, {}, slot_ranks(network.schedule)).operations)
    names = {number: op.name for number, op in enumerate(operations)}
    fused = {names[update]: names[threshold] for update, threshold in fusion.fusions(operations).items()}
    assert fused == {"b_stateupdater": "b_thresholder"}
    cpu, cuda = on_both(build_linked_groups, duration=10 * ms)
    assert cpu["b"].sum() > 0
    assert_same(cpu, cuda)


def test_the_fused_kernel_waits_only_where_a_launch_needs_an_earlier_ones_results():
    barriers = cuda_kernels.Barriers()
    assert barriers.before({"_v", "_ge", "_ctl"}, {"_v", "_ctl"}) == []
    assert barriers.before({"_gi", "_spikes", "_ctl"}, {"_gi", "_ctl"}) == []  # other arrays; _ctl: stops only
    assert barriers.before({"_spikes", "_mon_i"}, {"_mon_i"}) == []  # reads what nothing wrote
    assert barriers.before({"_v", "_x"}, {"_x"}) == ["_grid.sync()"]  # reads _v, written above
    assert barriers.before({"_x"}, set()) == ["_grid.sync()"]
    assert barriers.before({"_y"}, {"_spikes"}) == []  # _spikes was read before the last barrier only
    assert barriers.before({"_ge"}, {"_ge"}) == []
    assert barriers.before({"_ge"}, set()) == ["_grid.sync()"]  # read after a write
    assert barriers.flush() == ["_grid.sync()"] and barriers.flush() == []


def build_stdp_and_gap_junctions():
    inputs = PoissonGroup(10, rates="200*Hz + 20*Hz*i")
    neurons = NeuronGroup(4, """dv/dt = (-v + I_gap)/(5*ms) : 1
                                I_gap : 1""", threshold="v > 0.5", reset="v = 0", method="exact")
    plastic = Synapses(inputs, neurons, """w : 1
                       dApre/dt = -Apre/(10*ms) : 1 (event-driven)
                       dApost/dt = -Apost/(10*ms) : 1 (event-driven)""",
                       on_pre="v += w\nApre += 0.01\nw = clip(w + Apost, 0, 0.5)",
                       on_post="Apost -= 0.012\nw = clip(w + Apre, 0, 0.5)")
    plastic.connect(p=0.6)
    plastic.w = "0.1 + 0.02*j"
    plastic.delay = "(i % 4) * 0.3*ms"
    plastic.run_regularly("w = w*(1 - 0.05*v_post)", dt=1 * ms)  # synapses' run_regularly, reading the target
    gap = Synapses(neurons, neurons, "I_gap_post = 0.2*(v_pre - v_post) : 1 (summed)")
    gap.connect(condition="i != j")
    spikes, weights = SpikeMonitor(neurons), StateMonitor(plastic, "w", record=[0, 3, 5])
    return [inputs, neurons, plastic, gap, spikes, weights], {
        **spikes_of(spikes), "w": lambda: plastic.w_, "trace": lambda: weights.w_, "gap": lambda: neurons.I_gap_}


def test_synapses_with_delays_stdp_and_summed_variables():
    cpu, cuda = on_both(build_stdp_and_gap_junctions, duration=6 * ms)
    assert cpu["i"].size > 0
    # many synapses add to one neuron's v at once: atomic additions, in any order
    assert_same(cpu, cuda, rtol=1e-12)


def build_cuba():
    group = NeuronGroup(24, """dv/dt = (1.5 + ge + gi - v)/(5*ms) : 1 (unless refractory)
                              dge/dt = -ge/(5*ms) : 1
                              dgi/dt = -gi/(10*ms) : 1""",
                        threshold="v > 1", reset="v = 0", refractory=2 * ms, method="exact")
    group.v = "0.9 + 0.2*rand()"
    group.ge = "2*rand()"
    excitatory, inhibitory = excitatory_inhibitory(group, 18, "ge += 0.25", "gi -= 0.5", 0.5 * ms, 0.3)
    spikes, trace = SpikeMonitor(group), StateMonitor(group, ["v", "ge", "gi"], record=[0, 5, 20])
    return [group, excitatory, inhibitory, spikes, trace], {
        **spikes_of(spikes), "v": lambda: trace.v_, "ge": lambda: trace.ge_, "gi": lambda: trace.gi_}


def test_cuba_with_subgroup_sources_and_a_homogeneous_delay():
    cpu, cuda = on_both(build_cuba, duration=10 * ms)
    assert cpu["i"].size > 30
    assert_same(cpu, cuda, rtol=1e-12)


def build_converging_synapses():
    sources = SpikeGeneratorGroup(12, np.arange(12), np.zeros(12) * ms)
    target = NeuronGroup(1, "v : 1")
    synapses = Synapses(sources, target, "w : 1", on_pre="v += w", delay=0.3 * ms)
    synapses.connect(n=2)
    synapses.w = "0.25 * (1 + i % 3)"
    return [sources, target, synapses], {"v": lambda: target.v_}


def test_atomic_additions_from_many_synapses_onto_one_neuron():
    cpu, cuda = on_both(build_converging_synapses, duration=1 * ms)
    assert cuda["v"][0] == cpu["v"][0] == 2 * 0.25 * (4 * 1 + 4 * 2 + 4 * 3)


def build_inputs():
    stimulus = TimedArray(np.array([0.0, 2.0, 0.5, 3.0]), dt=1.5 * ms)
    generator = SpikeGeneratorGroup(3, [0, 1, 2, 1], [0.5, 1.0, 1.0, 3.2] * ms, period=4 * ms)
    neurons = NeuronGroup(3, "dv/dt = (stimulus(t) - v)/(4*ms) : 1", threshold="v > 0.8", reset="v = 0",
                          method="euler", namespace={"stimulus": stimulus})
    drive = PoissonInput(neurons, "v", 20, 300 * second**-1, weight=0.05)
    link = Synapses(generator, neurons, on_pre="v += 0.3")
    link.connect(j="i")
    spikes, trace = SpikeMonitor(neurons), StateMonitor(neurons, "v", record=True)
    from_generator = SpikeMonitor(generator)
    return [generator, neurons, drive, link, spikes, trace, from_generator], {
        **spikes_of(spikes), "v": lambda: trace.v_, "generator": lambda: from_generator.t_[:]}


def test_inputs_generator_poisson_input_and_timed_array():
    cpu, cuda = on_both(build_inputs, duration=9 * ms)
    assert cuda["generator"].size == 9  # 0.5, 1, 1, 3.2 ms, then again every 4 ms
    assert_same(cpu, cuda)


def build_random_users(poisson_first: bool):
    """Every kind of random call site in the run loop: a PoissonGroup's threshold, noise (xi) in a state update
    that the cuda generator fuses with its threshold, rand() in a reset and in a pathway, a PoissonInput."""
    def build():
        made = []
        for kind in ("poisson", "neurons") if poisson_first else ("neurons", "poisson"):
            if kind == "poisson":
                made.append(PoissonGroup(3, 600 * second**-1))
            else:
                made.append(NeuronGroup(4, "dv/dt = -v/(10*ms) + 0.5*xi/sqrt(ms) : 1", threshold="v > 1",
                                        reset="v = 0.3*rand()", method="euler"))
        inputs, neurons = made if poisson_first else made[::-1]
        link = Synapses(inputs, neurons, on_pre="v += 0.4*rand()")
        link.connect(p=0.7)
        drive = PoissonInput(neurons, "v", 4, 200 * second**-1, weight=0.1)
        spikes, from_inputs = SpikeMonitor(neurons), SpikeMonitor(inputs)
        trace = StateMonitor(neurons, "v", record=True)
        return [*made, link, drive, spikes, from_inputs, trace], {
            **spikes_of(spikes), "inputs_i": lambda: from_inputs.i[:], "inputs_t": lambda: from_inputs.t_[:],
            "v": lambda: trace.v_}
    return build


@pytest.mark.parametrize("poisson_first", [True, False], ids=["poisson_first", "neurons_first"])
def test_random_streams_do_not_depend_on_the_creation_order_or_the_device(poisson_first):
    """The cuda generator writes a state update into its group's threshold kernel, after the operations
    between them: stream numbers follow the schedule, not the order the code is written in."""
    cpu, cuda = on_both(build_random_users(poisson_first), duration=6 * ms)
    assert cpu["i"].size > 2 and cpu["inputs_i"].size > 2
    assert_same(cpu, cuda)


def build_busy_monitor():
    group = NeuronGroup(20, "dv/dt = 5/ms : 1", threshold="v > 0.3", reset="v = 0", method="exact")
    spikes = SpikeMonitor(group)
    return [group, spikes], spikes_of(spikes)


def test_monitor_buffers_grow_without_losing_a_step():
    cpu, cuda = on_both(build_busy_monitor, duration=20 * ms)
    assert cpu["i"].size == 20 * 200  # v += 0.5 per step: every neuron spikes in each of the 200 steps
    assert_same(cpu, cuda)


def build_clipping_synapses():
    """A pathway that sets the target's v (not an addition): one GPU thread, in the CPU's order."""
    sources = NeuronGroup(15, "dv/dt = (1.5 - v)/(3*ms) : 1", threshold="v > 1", reset="v = 0", method="exact")
    sources.v = "i/15"
    target = NeuronGroup(4, "dv/dt = -v/(10*ms) : 1", method="exact")
    synapses = Synapses(sources, target, "w : 1", on_pre="v_post = clip(v_post + w, 0, 0.8)")
    synapses.connect(p=0.7)
    synapses.w = "0.05*(1 + j) - 0.01*i"
    synapses.delay = "(i % 3)*0.2*ms"
    trace = StateMonitor(target, "v", record=True)
    return [sources, target, synapses, trace], {"v": lambda: trace.v_}


def test_a_pathway_that_sets_neuron_variables_runs_on_one_thread_with_a_warning():
    with pytest.warns(UserWarning, match=r"pathway 'pre' .*Synapses .* changes neuron variables other than by "
                                         r"adding to them.*one thread"):
        cpu, cuda = on_both(build_clipping_synapses, duration=8 * ms)
    assert cpu["v"].max() > 0.3
    assert_same(cpu, cuda)


def build_busy_monitor_with_synapses():
    objects, read = build_busy_monitor()
    counter = NeuronGroup(20, "x : 1", name="counter")
    synapses = Synapses(objects[0], counter, "w : 1", on_pre="x_post += w", name="links")
    synapses.connect(p=0.3)
    synapses.w = "1 + i"
    return [*objects, counter, synapses], {**read, "x": lambda: counter.x_}


def test_buffers_that_grow_are_uploaded_again_and_the_connectivity_is_not(monkeypatch):
    cpu, _ = on_both(build_busy_monitor_with_synapses, duration=20 * ms)
    uploads = []
    upload = cuda_backend.CudaBackend._device_arguments

    def counting(self, arguments):
        uploads.append({position for position, value in enumerate(arguments) if isinstance(value, np.ndarray)
                        and (self._on_device.get(position) or (None,))[0] is not value})
        return upload(self, arguments)

    monkeypatch.setattr(cuda_backend.CudaBackend, "_device_arguments", counting)
    start_scope()
    seed(11)
    objects, read = build_busy_monitor_with_synapses()
    network = Network(*objects, device="cuda")
    network.run(20 * ms)
    assert_same(cpu, {name: np.asarray(value()) for name, value in read.items()})
    params = network._source.params
    targets = params.index(f"_{array_arg('links', 'j')}")
    recorded = params.index(f"_{internal_arg(objects[1].name, 'i')}")
    assert len(uploads) > 2  # the spike monitor's buffer grew, chunk after chunk
    assert targets in uploads[0] and not any(targets in later for later in uploads[1:])
    assert all(recorded in later for later in uploads[1:])


def build_with_network_operation():
    group = NeuronGroup(3, "dv/dt = 1/ms : 1", method="exact")
    seen = []

    @network_operation(dt=2 * ms)
    def nudge():
        seen.append(group.v_.copy())
        group.v_[1] = -5.0

    return [group, nudge], {"v": lambda: group.v_, "seen": lambda: np.array(seen)}


def test_network_operations_see_and_change_the_state_between_chunks():
    cpu, cuda = on_both(build_with_network_operation, duration=5 * ms)
    assert_same(cpu, cuda)
    assert cuda["v"][1] == pytest.approx(-5.0 + 1.0)


def build_many_neurons():
    """Enough neurons (300: 10 runs of 32) that the threads of the threshold's scan each add up several."""
    group = NeuronGroup(300, "dv/dt = (2 - v)/(1*ms) : 1", threshold="v > 1", reset="v = 0",
                        method="euler")
    group.v = "rand()"
    spikes = SpikeMonitor(group)
    return [group, spikes], {**spikes_of(spikes), "count": lambda: spikes.count[:]}


def test_spike_lists_of_many_runs():
    cpu, cuda = on_both(build_many_neurons, duration=1.5 * ms)
    assert cpu["i"].size > 300
    assert_same(cpu, cuda)


def build_float32():
    group = NeuronGroup(10, """dv/dt = (1.2 - v + ge)/(10*ms) : 1
                               dge/dt = -ge/(5*ms) : 1""",
                        threshold="v > 1", reset="v = 0", method="exact", dtype=np.float32)
    group.v = "rand()"
    synapses = Synapses(group, group, "w : 1", on_pre="ge += w\nv += 0.001", dtype=np.float32)
    synapses.connect(p=0.5)
    synapses.w = "0.05 + 0.01*i"
    spikes = SpikeMonitor(group)
    return [group, synapses, spikes], {"count": lambda: spikes.count[:], "v": lambda: group.v_,
                                       "ge": lambda: group.ge_}


def test_float32_state():
    cpu, cuda = on_both(build_float32, duration=20 * ms)
    assert cuda["v"].dtype == np.float32 and cpu["count"].sum() > 5
    # float32 arithmetic on both (constants rounded to float32 once); only the order of the atomic additions
    # of simultaneous spikes may differ (a float32 rounding)
    np.testing.assert_array_equal(cuda["count"], cpu["count"])
    np.testing.assert_allclose(cuda["v"], cpu["v"], rtol=3e-7)
    np.testing.assert_allclose(cuda["ge"], cpu["ge"], rtol=3e-7)


def test_set_device_and_the_magic_network():
    try:
        set_device("cuda")
        assert get_device() == "cuda"
        start_scope()
        group = NeuronGroup(2, "dv/dt = -v/(10*ms) : 1", method="exact")
        group.v = 1
        run(1 * ms)
        assert group.v_ == pytest.approx(np.exp(-0.1) * np.ones(2))
        from simcore import magic_network

        assert "@cuda.jit" in magic_network.source()
    finally:
        set_device("cpu")


@pytest.mark.filterwarnings("ignore:overflow encountered")
def test_not_finite_values_stop_the_run_with_the_cpu_message():
    messages = []
    for device in ("cpu", "cuda"):
        start_scope()
        group = NeuronGroup(4, "dv/dt = v*v/ms : 1", method="euler", name="cells")
        group.v = "0.2*i"
        with pytest.raises(ModelError, match="the variable 'v' of cells became NaN or infinite for element 3") as error:
            Network(group, device=device).run(20 * ms)
        messages.append(str(error.value))
    assert messages[0] == messages[1]


def build_shared_counters():
    """run_regularly statements that set shared variables (once per step, one GPU thread), with random draws in
    them and in the per-element statements after them, on a group, a subgroup and synapses."""
    group = NeuronGroup(5, "v : 1\nc : 1 (shared)\nd : 1 (shared)", name="cells")
    group.run_regularly("c = c + 1\nd = rand()\nv = v + c*d + rand()")
    group[2:4].run_regularly("c = c + N", dt=0.2 * ms)
    synapses = Synapses(group, group, "w : 1\nk : 1 (shared)", name="syn")
    synapses.connect(p=0.5)
    synapses.run_regularly("k = k + 0.5\nw = w + k")
    trace = StateMonitor(group, ["v", "c", "d"], record=[0, 4])
    return [group, synapses, trace], {"v": lambda: trace.v_, "c": lambda: trace.c_, "d": lambda: trace.d_,
                                      "w": lambda: synapses.w_, "k": lambda: synapses.k_}


def test_run_regularly_sets_shared_variables_once_per_step():
    cpu, cuda = on_both(build_shared_counters, duration=1 * ms)
    assert cpu["c"][0, -1] == 10 + 2 * 5 and cpu["k"] == 5.0
    assert_same(cpu, cuda)


def overflow_from(code: dict):
    """A network in which ``code`` stores an infinity at 1 ms ('reset', a pathway's 'on_pre') or at 0 ms (a
    'summed' variable's expression); numba's simulator raises for NaN from math functions (sqrt(-1)), so they
    overflow: source 1 of the generator fires at 1 ms, its synapse (onto neuron 2) and neuron 2 hold 1e300."""
    def build():
        generator = SpikeGeneratorGroup(2, [0, 1], [0.5, 1.0] * ms, name="gen")
        group = NeuronGroup(3, "dv/dt = -v/(10*ms) : 1\ny : 1\nz : 1", method="euler", name="cells",
                            threshold="v > 1", reset=code.get("reset"))
        group.z = [1.0, 1.0, 1e300]
        model = "w : 1\nx : 1" + (f"\ny_post = {code['summed']} : 1 (summed)" if "summed" in code else "")
        synapses = Synapses(generator, group, model, on_pre=code.get("on_pre"), name="syn")
        synapses.connect(i=[0, 1], j=[0, 2])
        synapses.w = [1.0, 1e300]
        return [generator, group, synapses]
    return build


@pytest.mark.filterwarnings("ignore:the pathway:UserWarning", "ignore:overflow encountered")
@pytest.mark.parametrize("code", [{"on_pre": "v += 1.5", "reset": "v = 0\ny = z*z"}, {"on_pre": "v += w*w"},
                                  {"on_pre": "x = w*w"}, {"on_pre": "v = v + 1\nv = w*w"}, {"summed": "w*w"}],
                         ids=["reset", "pathway_adds", "pathway_synapses", "pathway_sets", "summed"])
def test_infinity_stored_by_any_operation_stops_the_run_with_the_cpu_message(code):
    messages, stopped = [], []
    for device in ("cpu", "cuda"):
        start_scope()
        network = Network(*overflow_from(code)(), device=device)
        with pytest.raises(ModelError, match=r"became NaN or infinite for element \d at t = [\d.]+ ms \(in the ") \
                as error:  # found by the operation that stored it, not by the next step's state update
            network.run(2 * ms)
        messages.append(str(error.value))
        stopped.append(network.t_)
    assert messages[0] == messages[1] and stopped[0] == stopped[1]


def test_a_network_that_cannot_run_as_one_cooperative_kernel_runs_kernel_by_kernel(monkeypatch):
    """The first cooperative launch fails (no cooperative launch on this GPU, or no device runtime to link):
    a warning, and the run goes on with one launch per operation, from the state before that chunk."""
    cpu, _ = on_both(build_cuba, duration=3 * ms)
    original = cuda_backend.CudaBackend.compile
    refused = []

    def compile_refusing_cooperation(self, source, profile=False):
        compiled = original(self, source, profile)

        def refuse(*args):
            refused.append(True)
            raise RuntimeError("cooperative launch not supported")

        compiled.run_chunk_fused = refuse
        return compiled

    monkeypatch.setattr(cuda_backend.CudaBackend, "compile", compile_refusing_cooperation)
    monkeypatch.setenv("SIMCORE_CUDA_LAUNCH", "fused")
    start_scope()
    seed(11)
    objects, read = build_cuba()
    with pytest.warns(UserWarning, match="cannot run this network as one cooperative kernel.*RuntimeError"):
        Network(*objects, device="cuda").run(3 * ms)
    assert refused == [True]
    assert_same(cpu, {name: np.asarray(value()) for name, value in read.items()})


def test_profile_on_the_gpu():
    start_scope()
    objects, _ = build_cuba()
    network = Network(*objects, device="cuda")
    network.run(2 * ms, profile=True)
    summary = str(network.profiling_summary())
    info = network.profiling_info
    assert len(info) == len([name for name in network._source.operation_names if name])
    assert re.search(r"neurongroup\w*_stateupdater \+ neurongroup\w*_spike_thresholder", summary)  # one kernel
    assert all(seconds > 0 * ms for _, seconds in info) and "_pre" in summary


def test_cuda_device_errors(monkeypatch):
    with pytest.raises(BackendError, match="unknown device 'gpu'"):
        set_device("gpu")
    with pytest.raises(BackendError, match="unknown device"):
        Network(device="tpu")
    start_scope()
    group = NeuronGroup(1, "dv/dt = -v/ms : 1", method="exact")
    from numba import cuda

    monkeypatch.setattr(cuda, "is_available", lambda: False)
    with pytest.raises(BackendError, match="needs an NVIDIA GPU.*NUMBA_ENABLE_CUDASIM=1.*set_device\\('cpu'\\)"):
        Network(group, device="cuda").run(1 * ms)


def test_brian2_device_names_are_aliases():
    with pytest.warns(UserWarning, match="runs this as its 'cpu' device"):
        set_device("cpp_standalone")
    with pytest.warns(UserWarning, match=r"options \['directory'\] have no effect"):
        set_device("cpu", directory="out")
    assert get_device() == "cpu"


# every network above, for the type check of their kernels by a GPU compiler (test_ptx.py)
BUILDERS = [build_noisy_lif, build_hodgkin_huxley, build_cobahh, build_stdp_and_gap_junctions, build_cuba,
            build_converging_synapses, build_inputs, build_busy_monitor, build_with_network_operation, build_float32,
            build_cobahh_float32, build_many_neurons, build_clipping_synapses]


def test_monitors_stream_to_a_file_from_the_gpu(tmp_path):
    results = []
    for device, output in (("cpu", None), ("cuda", str(tmp_path / "gpu.h5"))):
        start_scope()
        seed(11)
        objects, read = build_noisy_lif()
        Network(*objects, device=device, output=output).run(5 * ms)
        results.append({name: np.asarray(value()) for name, value in read.items()})
    assert_same(*results)
    assert load_output(tmp_path / "gpu.h5").monitors  # written, and readable

