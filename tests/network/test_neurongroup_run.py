"""NeuronGroup + run: spike times, traces and refractoriness against closed forms.

Models are compiled once per module (fixtures) and cached on disk, to keep CI fast.
"""

import math

import numpy as np
import pytest

from simcore import (
    EventMonitor,
    ModelError,
    Network,
    NeuronGroup,
    PopulationRateMonitor,
    SpikeMonitor,
    StateMonitor,
    UnknownNameError,
    linked_var,
    ms,
    mV,
    nS,
    second,
    start_scope,
)
from simcore.units import DimensionMismatchError

TAU = 10 * ms
DT = 0.1e-3


def lif_network(v0=1.2, refractory=5 * ms, method="exact", N=1):
    start_scope()
    group = NeuronGroup(N, "dv/dt = (v0 - v)/tau : 1 (unless refractory)", threshold="v > 1", reset="v = 0",
                        refractory=refractory, method=method, namespace={"v0": v0, "tau": TAU})
    spikes = SpikeMonitor(group)
    trace = StateMonitor(group, "v", record=0)
    return Network(group, spikes, trace), group, spikes, trace




def test_lif_spike_times_match_closed_form():
    net, group, spikes, trace = lif_network()
    net.run(100 * ms)
    crossing = 0.01 * math.log(1.2 / 0.2)
    first = (math.ceil(crossing / DT) - 1) * DT
    assert spikes.t_[0] == pytest.approx(first, abs=1e-12)
    intervals = np.diff(spikes.t_)
    # after a spike at t_s, v stays 0 until t_s + 5 ms, then integrates from there: same steps again
    assert np.allclose(intervals, 5e-3 + first, atol=1e-12)
    assert spikes.num_spikes == len(spikes.t_) == spikes.count[0]


def test_spike_records_survive_full_buffers_and_restore():
    """6,600 spikes through a 1,024-record buffer: every flush keeps order, and restore forgets them."""
    net, group, spikes, trace = lif_network(N=300)
    net.store()
    net.run(500 * ms)
    crossing = (math.ceil(0.01 * math.log(1.2 / 0.2) / DT) - 1) * DT
    expected = np.arange(crossing, 0.5, 5e-3 + crossing)
    assert len(expected) == 22
    assert len(spikes.buffers["i"]) > 1024  # the buffer filled and was emptied at least once
    assert spikes.num_spikes == spikes.n == 300 * 22
    for times in spikes.spike_trains().values():
        np.testing.assert_allclose(times / second, expected, atol=1e-12)
    assert np.all(np.diff(spikes.t_) >= 0) and spikes.i[:300].tolist() == list(range(300))
    net.restore()
    assert spikes.n == 0 and len(spikes.t) == 0
    net.run(30 * ms)
    assert spikes.n == 300


def test_trace_matches_exact_solution_before_first_spike():
    net, group, spikes, trace = lif_network(v0=0.9)  # never reaches threshold
    net.run(20 * ms)
    t = trace.t_
    assert len(t) == 200 and t[1] == pytest.approx(DT)
    np.testing.assert_allclose(trace.v[0], 0.9 * (1 - np.exp(-t / 0.01)), rtol=1e-12, atol=1e-14)
    assert spikes.num_spikes == 0


def test_runs_continue_and_constants_change_without_recompiling():
    net, group, spikes, trace = lif_network(v0=0.9)
    net.run(5 * ms)
    digest = net._source.digest
    group.namespace["v0"] = 0.5
    net.run(5 * ms)
    assert net._source.digest == digest
    assert float(net.t / ms) == pytest.approx(10)
    v5 = 0.9 * (1 - math.exp(-0.5))
    expected = 0.5 + (v5 - 0.5) * math.exp(-0.5)
    assert group.v_[0] == pytest.approx(expected, rel=1e-12)


def test_euler_converges_to_the_same_spikes():
    net, group, spikes, trace = lif_network(method="euler")
    net.run(30 * ms)
    crossing = 0.01 * math.log(1.2 / 0.2)
    assert abs(spikes.t_[0] - crossing) < 2e-4


def test_state_access_and_string_values():
    start_scope()
    group = NeuronGroup(5, "v : volt\nx : 1", namespace={})
    group.v = -70 * mV
    group.v["i >= 3"] = "-50*mV + i*mV"
    group.x = "i*2"
    assert np.allclose(group.v_, [-0.07, -0.07, -0.07, -0.047, -0.046])
    assert np.allclose(group.v[3:5] / mV, [-47, -46])
    assert np.allclose(group.x_, [0, 2, 4, 6, 8])
    with pytest.raises(DimensionMismatchError, match="volt"):
        group.v = 5 * ms
    with pytest.raises(DimensionMismatchError):
        group.v = "3*ms"
    with pytest.raises(AttributeError, match="no such variable"):
        group.V = 3
    sub = group[1:3]
    sub.v = -60 * mV
    assert np.allclose(group.v_[:4], [-0.07, -0.06, -0.06, -0.047])


def test_run_needs_a_time():
    net, *_ = lif_network()
    with pytest.raises(ModelError, match="must be a time"):
        net.run(100)


def test_unknown_identifier_at_run():
    start_scope()
    group = NeuronGroup(1, "dv/dt = (v_unknown_rest - v)/(10*ms) : volt", method="euler")
    with pytest.raises(UnknownNameError, match="v_unknown_rest"):
        Network(group).run(1 * ms)


def test_threshold_unit_mismatch_at_run():
    start_scope()
    group = NeuronGroup(1, "dv/dt = -v/(10*ms) : volt", threshold="v > 3*ms", method="euler")
    with pytest.raises(DimensionMismatchError, match="threshold"):
        Network(group).run(1 * ms)


def test_reset_of_unknown_variable_is_refused_at_creation():
    with pytest.raises(UnknownNameError, match="'w', which is not a variable"):  # 'w = 0' would define a temporary
        NeuronGroup(1, "dv/dt = -v/(10*ms) : 1", threshold="v > 1", reset="w += 1")


def test_not_finite_value_stops_the_run_with_details():
    start_scope()
    group = NeuronGroup(3, "dv/dt = v**2/ms : 1", method="euler")
    group.v = [0, 0, 10]
    with pytest.raises(ModelError, match=r"'v' of neurongroup\w* became NaN or infinite for element 2 at t ="):
        Network(group).run(10 * ms)


def test_store_restore_and_population_rate():
    start_scope()
    group = NeuronGroup(4, "dv/dt = (1.5 - v)/(10*ms) : 1", threshold="v > 1", reset="v = 0", method="exact")
    rate = PopulationRateMonitor(group)
    spikes = SpikeMonitor(group[2:4])
    net = Network(group, rate, spikes)
    net.store()
    net.run(50 * ms)
    first = spikes.t_.copy()
    assert set(spikes.i) == {0, 1}
    assert rate.rate.shape == (500,)
    assert float(np.sum(rate.rate_) * DT * 4) == pytest.approx(len(first) * 2)
    t_bins, binned = rate.binned(10 * ms)
    assert t_bins / ms == pytest.approx([0, 10, 20, 30, 40])
    np.testing.assert_allclose(binned / (1 / second), rate.rate_.reshape(5, 100).mean(axis=1))
    np.testing.assert_allclose(rate.binned_rate(25 * ms)[1] * (25 * ms) * 4,
                               [np.sum(rate.rate_[:250]) * DT * 4, np.sum(rate.rate_[250:]) * DT * 4])
    with pytest.raises(ModelError, match="whole multiple of dt"):
        rate.binned(0.25 * ms)
    net.restore()
    assert float(net.t / second) == 0 and spikes.num_spikes == 0
    net.run(50 * ms)
    np.testing.assert_array_equal(spikes.t_, first)


def test_monitors_record_subexpressions_and_values_at_spikes():
    start_scope()
    group = NeuronGroup(2, """dv/dt = (I_total - v)/(10*ms) : volt
                              I_total = drive + offset : volt
                              drive = amplitude*(i + 1) : volt""",
                        threshold="v > 10*mV", reset="v = 0*mV", method="exact",
                        namespace={"amplitude": 8 * mV, "offset": 4 * mV})
    trace = StateMonitor(group, ["v", "I_total"], record=True)
    spikes = SpikeMonitor(group, variables="v")
    Network(group, trace, spikes).run(20 * ms)
    assert np.allclose(trace.I_total[0] / mV, 12) and np.allclose(trace.I_total[1] / mV, 20)
    assert trace.I_total.dimensions == (1 * mV).dimensions
    # spikes are recorded in the thresholds slot, before the reset: v is still above the threshold
    assert (spikes.v_ > 0.010).all() and len(spikes.v) == spikes.num_spikes > 0


def test_sizes_that_cannot_fit_are_refused_before_allocating():
    with pytest.raises(ModelError, match=r"needs .* TiB, but only .* of memory is available"):
        NeuronGroup(10**13, "v : 1")
    start_scope()
    group = NeuronGroup(100_000, "v : 1")
    trace = StateMonitor(group, "v", record=True)
    with pytest.raises(ModelError, match=r"StateMonitor .* recording 100000 element\(s\) .* needs .* GiB"):
        Network(group, trace).run(10000 * second)
    assert trace.n == 0


def test_custom_events_run_on_event_and_event_monitor():
    start_scope()
    group = NeuronGroup(2, """dv/dt = (2 - v)/(10*ms) : 1
                              crossings : 1""", threshold="v > 1.5", reset="v = 0",
                        events={"half": "v > 1 and crossings < 1"}, method="exact")
    group.run_on_event("half", "crossings += 1")
    group.v = [0, 1.2]
    half = EventMonitor(group, "half", variables="v")
    spikes = SpikeMonitor(group)
    Network(group, half, spikes).run(30 * ms)
    # the event fires once per neuron (crossings stops it), when v first exceeds 1
    assert list(half.count) == [1, 1]
    assert (half.v_ > 1).all()  # the variable is recorded when the event happens
    assert half.t_[half.i == 1][0] == 0  # neuron 1 starts above 1
    t_cross = 0.01 * math.log(2 / 1)  # v(t) = 2 (1 - exp(-t/tau)) from 0 reaches 1
    assert half.t_[half.i == 0][0] == pytest.approx(math.ceil(t_cross / DT - 1e-9) * DT - DT, abs=1e-12)
    assert group.crossings_.tolist() == [1, 1]
    with pytest.raises(ModelError, match="no event 'other'"):
        EventMonitor(group, "other")
    with pytest.raises(ModelError, match="no event 'other'"):
        group.run_on_event("other", "v = 0")


def test_linked_variables():
    start_scope()
    source = NeuronGroup(4, "dv/dt = (1 - v)/(10*ms) : 1", method="exact")
    source.v = [0, 0.25, 0.5, 0.75]
    follower = NeuronGroup(2, """dx/dt = (v - x)/(1*ms) : 1
                                 v : 1 (linked)""", method="exact")
    with pytest.raises(ModelError, match="not linked yet"):
        Network(source, follower).run(1 * ms)
    follower.v = linked_var(source, "v", index=[3, 1])
    assert np.allclose(np.asarray(follower.v), [0.75, 0.25])
    follower.x = [0.75, 0.25]
    Network(source, follower).run(5 * ms)
    # v_k(t) = 1 - (1 - v0) exp(-t/10ms); x' = (v - x)/1ms with x(0) = v0 has the closed form
    # x(t) = 1 - c exp(-t/10ms) + (c - (1 - v0)) exp(-t/1ms), c = 10 (1 - v0)/9
    v0 = np.array([0.75, 0.25])
    expected_v = 1 - (1 - v0) * np.exp(-0.5)
    c = 10 * (1 - v0) / 9
    expected_x = 1 - c * np.exp(-0.5) + (c - (1 - v0)) * np.exp(-5)
    assert np.allclose(np.asarray(follower.v), expected_v, rtol=1e-12)
    # the source updates first in the slot: x sees v one step (0.1 ms) ahead, off by at most dt*dv/dt
    assert np.allclose(follower.x_, expected_x, atol=1e-4 * 75)
    with pytest.raises(ModelError, match="linked variable"):
        follower.v = 3
    third = NeuronGroup(2, "w : 1 (linked)")
    third.w = linked_var(source[2:4].v)
    assert np.allclose(np.asarray(third.w), source.v_[2:4])
    with pytest.raises(ModelError, match="without index"):
        third.w = linked_var(source.v)


def test_coupled_linear_system_is_integrated_exactly():
    """CUBA's neuron: dv/dt couples to two decaying currents; 'exact' uses a matrix exponential."""
    start_scope()
    group = NeuronGroup(1, """dv/dt = (ge + gi - (v - El))/taum : volt
                              dge/dt = -ge/taue : volt
                              dgi/dt = -gi/taui : volt""", method="exact",
                        namespace={"El": -49 * mV, "taum": 20 * ms, "taue": 5 * ms, "taui": 10 * ms})
    group.v, group.ge, group.gi = -60 * mV, 10 * mV, -4 * mV
    trace = StateMonitor(group, "v", record=0)
    Network(group, trace).run(30 * ms)
    t = trace.t_
    # closed form: v = El + a exp(-t/taum) + b exp(-t/taue) + c exp(-t/taui)
    b = 0.010 * 0.005 / (0.005 - 0.020)
    c = -0.004 * 0.010 / (0.010 - 0.020)
    a = -0.060 + 0.049 - b - c
    expected = -0.049 + a * np.exp(-t / 0.02) + b * np.exp(-t / 0.005) + c * np.exp(-t / 0.01)
    np.testing.assert_allclose(trace.v[0] / mV * 1e-3, expected, rtol=0, atol=1e-14)


def test_variables_print_in_the_unit_that_reads_best():
    start_scope()
    group = NeuronGroup(2, "v : volt\ng : siemens\nx : 1")
    group.v = [-70, -65] * mV
    group.g = 3 * nS
    assert str(group.v) == "[-70. -65.] mV"
    assert repr(group.g) == f"<{group.name}.g: array([3., 3.]) * nS>"
    assert str(group.x) == "[0. 0.]"


def test_constant_over_dt_subexpression_is_held_for_the_step():
    start_scope()
    group = NeuronGroup(1, """dv/dt = drive/ms : 1
                              drive = sin(2*pi*t/(10*ms)) : 1 (constant over dt)""", method="rk4")
    Network(group).run(3 * ms)
    steps = np.arange(30) * DT
    # rk4 with the drive held over each step advances exactly by dt*drive(t_n)/ms
    assert group.v_[0] == pytest.approx(np.sum(DT / 1e-3 * np.sin(2 * np.pi * steps / 0.01)), rel=1e-12)
