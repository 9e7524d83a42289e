"""Synapses on tiny networks, each result computed by hand: delays, pathways, summed and
event-driven variables, connect() through the Synapses API, indexing, errors."""

import math

import numpy as np
import pytest

from simcore import (
    ModelError,
    Network,
    NeuronGroup,
    SpikeMonitor,
    StateMonitor,
    Synapses,
    TimedArray,
    UnknownNameError,
    ms,
    mV,
    second,
    seed,
    start_scope,
)
from simcore.units import DimensionMismatchError

DT = 0.1e-3


def spikes_at(n, steps_by_neuron: dict[int, list[int]]) -> NeuronGroup:
    """Neurons that spike exactly at the given time steps."""
    terms = [f"(i == {k} and ({' or '.join(f't_in_timesteps == {s}' for s in steps)}))"
             for k, steps in steps_by_neuron.items()]
    return NeuronGroup(n, "", threshold=" or ".join(terms), method="exact")


def test_homogeneous_delay_arrives_round_d_over_dt_steps_later():
    start_scope()
    source = spikes_at(2, {0: [3], 1: [7, 20]})
    target = NeuronGroup(2, "v : 1")
    # 1.26 ms / 0.1 ms rounds to 13 steps
    syn = Synapses(source, target, "arrival : second\ncount : 1", on_pre="arrival = t\ncount += 1\nv += 1",
                   delay=1.26 * ms)
    syn.connect(j="i")
    with pytest.warns(UserWarning, match=r"the delay of the 'pre' pathway .* not a multiple of dt .* 13 time steps"):
        Network(source, target, syn).run(4 * ms)
    assert syn.arrival_ / DT == pytest.approx([3 + 13, 20 + 13])
    assert syn.count_.tolist() == [1, 2]
    assert target.v_.tolist() == [1, 2]
    assert float(syn.delay / ms) == pytest.approx(1.26)


def test_heterogeneous_delays_per_synapse():
    start_scope()
    source = spikes_at(2, {0: [0], 1: [5]})
    target = NeuronGroup(3, "v : 1")
    syn = Synapses(source, target, "arrival : second", on_pre="arrival = t\nv += 1")
    syn.connect()
    syn.delay = "(2*i + j) * 0.1*ms"
    assert syn.delay[1, 2] / ms == pytest.approx([0.4])
    Network(source, target, syn).run(2 * ms)
    expected = np.array([0 + (2 * i + j) if i == 0 else 5 + (2 * i + j) for i in range(2) for j in range(3)])
    np.testing.assert_allclose(syn.arrival_ / DT, expected, atol=1e-9)
    assert target.v_.tolist() == [2, 2, 2]
    with pytest.raises(ValueError, match="read-only"):
        syn.delay_[0] = 0  # delays change through the group, which then rebuilds its tables
    net = Network(source, target, syn)
    net.t_ = 0.0
    syn.delay[0, 2] = 1 * ms
    syn.delay_ = syn.delay_ * 2
    net.run(2.5 * ms)  # the source spikes again at steps 0 and 5 (t restarted)
    np.testing.assert_allclose(syn.arrival_ / DT, [0, 2, 20, 9, 11, 13], atol=1e-9)


def test_zero_delay_acts_in_the_same_step_and_pathway_order():
    start_scope()
    source = spikes_at(1, {0: [4]})
    target = NeuronGroup(1, "x : 1\ny : 1", threshold="x > 0", reset="y = 10*x\nx = 0")
    pre = Synapses(source, target, on_pre="x += 1")
    pre.connect()
    # a post pathway runs on the target's spikes of the same step, after the pre pathway (orders -1, 1)
    back = Synapses(target, target, "w : 1", on_pre="w += 1", on_post="w *= 3")
    back.connect()
    monitor = SpikeMonitor(target)
    Network(source, target, pre, back, monitor).run(1 * ms)
    assert monitor.i_.tolist() == [0] and monitor.count_.tolist() == [1]
    assert target.y_[0] == 10
    assert monitor.t_ / DT == pytest.approx([5])  # x changes in the synapses slot of step 4, after thresholds
    assert back.w_[0] == 3  # (0 + 1) * 3: the pre pathway first


def test_named_pathways_with_their_own_delays():
    start_scope()
    source = spikes_at(1, {0: [0]})
    target = NeuronGroup(1, "fast : 1\nslow : 1\nwhen_fast : second\nwhen_slow : second")
    syn = Synapses(source, target, on_pre={"quick": "fast += 1\nwhen_fast = t", "late": "slow += 1\nwhen_slow = t"},
                   delay={"quick": 0.2 * ms, "late": 0.9 * ms})
    syn.connect()
    assert float(syn.quick.delay / ms) == pytest.approx(0.2)
    syn.late.delay = 1.1 * ms
    Network(source, target, syn).run(2 * ms)
    assert target.when_fast_[0] / DT == pytest.approx(2)
    assert target.when_slow_[0] / DT == pytest.approx(11)


def test_summed_variable_sums_over_synapses_into_a_subgroup():
    start_scope()
    source = NeuronGroup(3, "x : 1")
    source.x = [1, 2, 3]
    target = NeuronGroup(4, "s : 1")
    target.s = 99
    syn = Synapses(source, target[1:3], "s_post = w*x_pre : 1 (summed)\nw : 1")
    syn.connect()
    syn.w = "j + 1"
    Network(source, target, syn).run(0.1 * ms)
    # target 1 gets 1*(1+2+3), target 2 gets 2*(1+2+3); the others keep their values
    assert target.s_.tolist() == [99, 6, 12, 99]


def test_summed_current_drives_a_membrane_like_a_shared_input():
    start_scope()
    source = NeuronGroup(2, "dg/dt = -g/(5*ms) : 1")
    source.g = [1, 2]
    target = NeuronGroup(1, "dv/dt = I/(1*ms) : 1\nI : 1", method="euler")
    syn = Synapses(source, target, "I_post = g_pre : 1 (summed)")
    syn.connect()
    Network(source, target, syn).run(1 * ms)
    # the sum is taken before the target's update in every step: v = sum_k 3*exp(-k dt/5ms) dt/1ms
    k = np.arange(10)
    expected = np.sum(3 * np.exp(-k * DT / 5e-3)) * DT / 1e-3
    assert target.v_[0] == pytest.approx(expected, rel=1e-12)


def test_clock_driven_synaptic_equation_reads_postsynaptic_values():
    start_scope()
    source = NeuronGroup(1, "")
    target = NeuronGroup(2, "v : 1")
    target.v = [1, 2]
    syn = Synapses(source, target, "dy/dt = (v_post - y)/(2*ms) : 1 (clock-driven)")
    syn.connect()
    Network(source, target, syn).run(1 * ms)
    np.testing.assert_allclose(syn.y_, [1, 2] * np.asarray(1 - math.exp(-0.5)), rtol=1e-12)


def test_run_regularly_on_synapses_reads_both_sides_and_keeps_to_its_period():
    """w <- w/2 + v_pre + 10*v_post at t = 0, 1, 2 ms of a 2.5 ms run (three times), synapse by synapse."""
    start_scope()
    source, target = NeuronGroup(2, "v : 1"), NeuronGroup(3, "v : 1")
    source.v, target.v = [1, 2], [0.1, 0.2, 0.3]
    syn = Synapses(source, target, "w : 1")
    syn.connect(condition="i != j")
    syn.w = "i + 10*j"
    name = syn.run_regularly("w = w/2 + v_pre + 10*v_post", dt=1 * ms)
    Network(source, target, syn).run(2.5 * ms)
    i, j = syn.i[:], syn.j[:]
    expected = i + 10.0 * j
    for _ in range(3):
        expected = expected / 2 + np.array([1, 2])[i] + 10 * np.array([0.1, 0.2, 0.3])[j]
    np.testing.assert_allclose(syn.w_, expected, rtol=1e-12)
    assert name == f"{syn.name}_run_regularly"  # Brian 2's name for an object's first run_regularly


def test_run_regularly_on_synapses_refuses_writing_a_neuron_and_unit_errors():
    start_scope()
    group = NeuronGroup(2, "v : volt")
    syn = Synapses(group, group, "w : 1")
    syn.connect()
    with pytest.raises(UnknownNameError, match="run_regularly code of Synapses .* assigns to 'v_post'"):
        syn.run_regularly("v_post = 0*mV")
    syn.run_regularly("w = w + v_pre")
    with pytest.raises(DimensionMismatchError, match="run_regularly code of Synapses"):
        Network(group, syn).run(1 * ms)


def test_event_driven_stdp_pair():
    start_scope()
    pre = spikes_at(1, {0: [10]})
    post = spikes_at(1, {0: [30]})
    syn = Synapses(pre, post, """w : 1
                                 dapre/dt = -apre/taupre : 1 (event-driven)
                                 dapost/dt = -apost/taupost : 1 (event-driven)""",
                   on_pre="apre += 0.01\nw = w + apost", on_post="apost -= 0.012\nw = w + apre",
                   namespace={"taupre": 20 * ms, "taupost": 20 * ms})
    syn.connect()
    Network(pre, post, syn).run(5 * ms)
    assert syn.w_[0] == pytest.approx(0.01 * math.exp(-2 / 20), rel=1e-12)
    assert syn.lastupdate_[0] == pytest.approx(3e-3)


def test_event_driven_that_cannot_be_solved_exactly_is_refused():
    start_scope()
    group = NeuronGroup(1, "", threshold="True")
    syn = Synapses(group, group, "dx/dt = -x**2/ms : 1 (event-driven)", on_pre="x += 1")
    syn.connect()
    with pytest.raises(ModelError, match="event-driven equations .* cannot be solved exactly.*clock-driven"):
        Network(group, syn).run(1 * ms)


def test_connect_forms_indexing_and_values():
    start_scope()
    seed(3)
    source = NeuronGroup(4, "x : 1")
    source.x = [0, 10, 20, 30]
    target = NeuronGroup(5, "y : 1")
    syn = Synapses(source, target, "w : 1", multisynaptic_index="k")
    syn.connect(i=[0, 3], j=[4, 1])
    syn.connect(condition="i == j and i > 0", n=2)
    syn.connect(j="k2 for k2 in range(i-1, i+2) if k2 >= 0", skip_if_invalid=True)
    assert len(syn) == 2 + 6 + 11
    assert syn.i[:8].tolist() == [0, 3, 1, 1, 2, 2, 3, 3]
    assert syn.k[:8].tolist() == [0, 0, 0, 1, 0, 1, 0, 1]
    syn.w = "x_pre + j"
    assert syn.w[3, 1].tolist() == [31]
    assert syn.w[1, 1].tolist() == [11, 11, 11]  # twice from the condition with n=2, once from the generator
    assert syn.w[0, 4].tolist() == [4]
    assert syn.w[1, 1, 1].tolist() == [11]
    syn.w["i > j"] = 0
    assert np.all(syn.w_[syn.i > syn.j] == 0)
    assert syn.N_incoming.tolist() == [np.bincount(syn.j, minlength=5)[j] for j in syn.j]
    assert syn.N_outgoing[:1].tolist() == [np.sum(syn.i == 0)]


def test_probabilistic_connect_is_reproducible_and_independent_between_synapses():
    start_scope()
    group = NeuronGroup(200, "")
    seed(11)
    first = Synapses(group, group)
    first.connect(p=0.1)
    second_ = Synapses(group, group)
    second_.connect(p=0.1)
    assert abs(len(first) - 4000) < 5 * math.sqrt(4000 * 0.9)
    assert not np.array_equal(first.j, second_.j)
    seed(11)
    again = Synapses(group, group)
    again.connect(p=0.1)
    np.testing.assert_array_equal(first.i, again.i)
    np.testing.assert_array_equal(first.j, again.j)


def test_spikes_in_flight_survive_between_runs_and_restore():
    start_scope()
    source = spikes_at(1, {0: [2]})
    target = NeuronGroup(1, "v : 1\nwhen : second")
    syn = Synapses(source, target, on_pre="v += 1\nwhen = t", delay=3 * ms)
    syn.connect()
    net = Network(source, target, syn)
    net.store()
    net.run(1 * ms)
    assert target.v_[0] == 0
    net.run(3 * ms)
    assert target.v_[0] == 1 and target.when_[0] / DT == pytest.approx(32)
    net.restore()
    assert target.v_[0] == 0
    net.run(1 * ms)
    syn.delay = 1.5 * ms  # the spike of step 2 is in flight: it now arrives at step 17
    net.run(1 * ms)
    assert target.when_[0] / DT == pytest.approx(17)


def test_state_monitor_on_synapses_and_spike_monitor_source():
    start_scope()
    source = spikes_at(2, {0: [1, 4], 1: [2]})
    target = NeuronGroup(1, "")
    syn = Synapses(source, target, "w : 1", on_pre="w += 1")
    syn.connect()
    trace = StateMonitor(syn, "w", record=[0, 1])
    Network(source, target, syn, trace).run(0.6 * ms)
    assert trace.w[0].tolist() == [0, 0, 1, 1, 1, 2]
    assert trace.w[1].tolist() == [0, 0, 0, 1, 1, 1]


def test_deprecated_keywords_still_work():
    start_scope()
    group = NeuronGroup(3, "v : 1", threshold="v > 1")
    with pytest.warns(DeprecationWarning):
        syn = Synapses(group, group, "w : 1", pre="v += w")
    syn.connect("i != j")
    assert len(syn) == 6
    with pytest.raises(TypeError, match="S.connect"):  # removed in Brian 2 too
        Synapses(group, group, "w : 1", on_pre="v += w", connect="i != j")


def test_bad_synapses_input():
    start_scope()
    group = NeuronGroup(3, "v : volt", threshold="v > 1*mV")
    silent = NeuronGroup(3, "v : volt")
    unknown = Synapses(group, group, on_pre="u += 1")  # as in Brian 2, refused when it runs
    unknown.connect()
    with pytest.raises(UnknownNameError, match="u"):
        Network(group, unknown).run(0 * ms)
    with pytest.raises(ModelError, match="has no event 'spike'.*no threshold"):
        Synapses(silent, group, on_pre="v += 1*mV")
    with pytest.raises(ModelError, match="needs a parameter 'I'"):
        Synapses(group, group, "I_post = 1*mV : volt (summed)")
    syn = Synapses(group, group, "w : 1", on_pre="v += w")
    syn.connect()
    with pytest.raises(DimensionMismatchError, match="volt"):
        Network(group, syn).run(1 * ms)
    with pytest.raises(ModelError, match=">= 0"):
        syn.connect(p=-0.5)
    with pytest.raises(UnknownNameError, match="'nowhere'"):
        syn.connect(condition="nowhere > 0")
    with pytest.raises(IndexError, match="outside"):
        syn.connect(i=[0], j=[3])
    syn2 = Synapses(group, group, on_pre="v += 1*mV")
    syn2.connect()
    syn2.delay = "-1*ms"
    with pytest.raises(ModelError, match="negative delay"):
        Network(group, syn2).run(1 * ms)
    with pytest.raises(ModelError, match="read-only"):
        syn2.i = 0
    assert float(syn2.delay[0] / second) == pytest.approx(-1e-3)


def test_timed_array_inside_a_pathway():
    start_scope()
    source = spikes_at(1, {0: [0, 10, 20]})
    target = NeuronGroup(1, "v : 1")
    stim = TimedArray([1.0, 10.0, 100.0], dt=1 * ms)
    syn = Synapses(source, target, on_pre="v += stim(t)", namespace={"stim": stim})
    syn.connect()
    Network(source, target, syn).run(3 * ms)
    assert target.v_[0] == 111


def test_gap_junctions_through_a_summed_variable():
    """Two electrically coupled cells: the currents are opposite, and the difference decays at rate 1/tau + 2w/tau."""
    start_scope()
    cells = NeuronGroup(2, "dv/dt = (-v + Igap)/(10*ms) : 1\nIgap : 1", method="euler")
    cells.v = [1, -1]
    gap = Synapses(cells, cells, "w : 1\nIgap_post = w*(v_pre - v_post) : 1 (summed)")
    gap.connect("i != j")
    gap.w = 0.5
    trace = StateMonitor(cells, ["v", "Igap"], record=True)
    Network(cells, gap, trace).run(5 * ms)
    np.testing.assert_allclose(trace.Igap[0][1:], -trace.Igap[1][1:], rtol=1e-12)
    difference = trace.v[0] - trace.v[1]
    np.testing.assert_allclose(difference, 2 * (1 - DT / 10e-3 * (1 + 2 * 0.5)) ** np.arange(50), rtol=1e-9)


def test_summed_variable_conflicts_and_targets_are_checked():
    start_scope()
    group = NeuronGroup(2, "dv/dt = -v/ms : 1\nI : 1")
    with pytest.raises(ModelError, match="must be a parameter"):
        Synapses(group, group, "v_post = 1 : 1 (summed)")
    first = Synapses(group, group, "I_post = 1 : 1 (summed)")
    first.connect()
    second = Synapses(group, group, "I_post = 2 : 1 (summed)")
    second.connect(j="i")
    with pytest.raises(NotImplementedError, match="both set 'I'"):  # Brian 2's type, and a ModelError
        Network(group, first, second).run(1 * ms)


def test_synaptic_input_to_an_unless_refractory_variable_waits_for_the_end_of_refractoriness():
    """As in Brian 2: code other than resets writes '(unless refractory)' variables only when not refractory."""
    start_scope()
    eqs = """dv/dt = (ge - (v + 49*mV))/(20*ms) : volt (unless refractory)
             dge/dt = -ge/(5*ms) : volt (unless refractory)"""
    group = NeuronGroup(1, eqs, threshold="v > -50*mV", reset="v = -60*mV", refractory=5 * ms, method="exact")
    group.v = -49.99 * mV  # spikes at step 0: refractory until 5 ms
    source = spikes_at(1, {0: [20, 70]})
    syn = Synapses(source, group, on_pre="ge += 1*mV")
    syn.connect()
    trace = StateMonitor(group, ["ge", "v"], record=0)
    Network(group, source, syn, trace).run(8 * ms)
    assert np.all(trace.ge_[0][:71] == 0)  # the spike at 2 ms is lost
    assert trace.ge_[0][71] == pytest.approx(1e-3)  # the one at 7 ms arrives
    assert trace.v_[0][1] == pytest.approx(-60e-3)  # the reset itself is not held back


def test_connect_refuses_units_and_sizes_that_cannot_fit():
    start_scope()
    group = NeuronGroup(10, "v : 1", threshold="v > 1")
    syn = Synapses(group, group, on_pre="v += 1")
    with pytest.raises(ModelError, match="a probability has no unit"):
        syn.connect(p=0.1 * ms)
    with pytest.raises(ModelError, match=r"connect\(\) of Synapses .* new synapses.* needs .* but only"):
        syn.connect(j="i", n=10**13)
    assert len(syn) == 0
    syn.connect(j="i")
    syn.delay = "i*0.1*ms + 0.05*ms*(i == 3)"
    with pytest.warns(UserWarning, match=r"1 synapse\(s\) \(e.g. synapse 3: i=3, j=3\)"):
        Network(group, syn).run(0.1 * ms)


def test_target_major_connectivity_uses_the_target_table_and_counts_every_event():
    """Synapses given target by target (as fixed in-degree networks are) and code that only reads
    targets: the pathway reads targets in table order; every event must still arrive once."""
    start_scope()
    rng = np.random.default_rng(2)
    source = spikes_at(30, {k: [k % 5] for k in range(0, 30, 3)})
    target = NeuronGroup(50, "v : 1")
    post = np.repeat(np.arange(40), 6)
    pre = rng.integers(0, 30, post.size)
    syn = Synapses(source, target[10:], on_pre="v += 1")
    syn.connect(i=pre, j=post)
    net = Network(source, target, syn)
    net.run(1 * ms)
    assert "_targets" in net.source()  # the table of targets, not synapse numbers
    expected = np.bincount(post[pre % 3 == 0] + 10, minlength=50)
    np.testing.assert_array_equal(target.v_, expected)
