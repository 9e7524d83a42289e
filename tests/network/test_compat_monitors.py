"""Monitors as Brian 2 scripts use them: get_states(), variables, mon[k] views, dtype=, record_single_timestep(),
binned and smoothed rates, event_trains()/values(), the errors Brian 2 users catch, and recording linked
variables and neuron variables through Synapses. One small network, run once for most tests."""

import numpy as np
import pytest

from simcore import (
    Hz,
    ModelError,
    Network,
    NeuronGroup,
    PopulationRateMonitor,
    SpikeGeneratorGroup,
    SpikeMonitor,
    StateMonitor,
    Synapses,
    linked_var,
    ms,
    second,
    start_scope,
)
from simcore.objects.monitors import EventMonitor

DT = 1e-4


@pytest.fixture(scope="module")
def run_once():
    """Spikes at known steps, a decaying v, a linked variable and synapses onto a group: 2 ms."""
    start_scope()
    spikes = SpikeGeneratorGroup(3, [0, 0, 1, 2, 2], [0.2, 1.0, 0.5, 0.2, 1.5] * ms)
    group = NeuronGroup(3, """dv/dt = -v / (10*ms) : 1
                              k : integer
                              on : boolean
                              double = 2*v : 1""", method="exact")
    group.v = [1.0, 2.0, 3.0]
    group.k = [4, 5, 6]
    group.on = [True, False, True]
    reader = NeuronGroup(3, "y : 1 (linked)")
    reader.y = linked_var(group, "v")
    synapses = Synapses(spikes, group, "w : 1")
    synapses.connect(j="2 - i")
    synapses.w = [10.0, 20.0, 30.0]
    mons = {
        "spikes": SpikeMonitor(spikes),
        "hidden": SpikeMonitor(spikes, record=False),
        "events": EventMonitor(spikes, "spike"),
        "rate": PopulationRateMonitor(spikes),
        "state": StateMonitor(group, ["v", "double", "k", "on"], record=[0, 2]),
        "single": StateMonitor(group, "v", record=True, dtype=np.float32),
        "ints": StateMonitor(group, ["k", "on"], record=True, dtype={"k": np.int8}),
        "linked": StateMonitor(reader, "y", record=True),
        "through": StateMonitor(synapses, ["v_post", "w"], record=True),
    }
    net = Network(spikes, group, reader, synapses, *mons.values())
    net.run(2 * ms)
    return net, group, mons


# --- StateMonitor ---------------------------------------------------------------------------------------


def test_an_element_view_has_the_time_array_and_its_own_traces(run_once):
    _, _, mons = run_once
    state = mons["state"]
    times = np.arange(20) * DT
    np.testing.assert_allclose(state[2].t / second, times)
    np.testing.assert_allclose(state[2].t_, times)
    np.testing.assert_allclose(state[2].v, 3.0 * np.exp(-times / 0.01))
    np.testing.assert_allclose(state[[2, 0]].v, state.v[[1, 0]])
    np.testing.assert_array_equal(state[np.array([0])].k, [[4] * 20])


@pytest.mark.parametrize("index, error", [(1, IndexError), ("v", TypeError), (2.0, TypeError),
                                          ([0.0, 2.0], TypeError), ([0, 1], IndexError)])
def test_an_element_view_refuses_other_indices_as_brian2_does(run_once, index, error):
    with pytest.raises(error) as caught:
        run_once[2]["state"][index]
    assert isinstance(caught.value, ModelError)


def test_state_monitor_get_states_and_variables(run_once):
    _, group, mons = run_once
    state = mons["state"]
    states = state.get_states()
    assert set(states) == {"t", "v", "double", "k", "on", "N"}
    assert states["N"] == 20 == len(state) == state.N
    np.testing.assert_allclose(states["t"] / ms, np.arange(20) * 0.1)
    np.testing.assert_allclose(states["v"], state.v_.T)  # one row per time point, as Brian 2 stores it
    np.testing.assert_allclose(states["double"], 2 * states["v"])
    raw = state.get_states(["t", "k"], units=False)
    assert set(raw) == {"t", "k"} and raw["t"][-1] == pytest.approx(1.9e-3)
    assert state.variables["v"].size == (20, 2) and state.variables["t"].size == 20
    assert state.variables["k"].dtype == group.variables["k"].array.dtype
    assert state.variables["on"].dtype == np.dtype(bool)
    with pytest.raises(KeyError):
        state.get_states(["w"])


def test_state_monitor_dtype_keeps_records_in_that_type(run_once):
    _, group, mons = run_once
    single, ints = mons["single"], mons["ints"]
    assert single.variables["v"].dtype == np.float32
    np.testing.assert_allclose(single.v_[:, -1], np.array([1, 2, 3]) * np.exp(-0.19), rtol=1e-6)
    assert ints.variables["k"].dtype == np.int8 and ints.variables["on"].dtype == np.dtype(bool)
    np.testing.assert_array_equal(ints.k[:, 0], [4, 5, 6])
    np.testing.assert_array_equal(ints.on[:, 0], [True, False, True])
    with pytest.raises(TypeError, match="same kind"):
        StateMonitor(group, "on", record=True, dtype=np.float32)
    with pytest.raises(TypeError, match="same kind"):
        StateMonitor(group, "k", record=True, dtype=bool)


def test_state_monitor_records_a_linked_variable(run_once):
    _, _, mons = run_once
    np.testing.assert_allclose(mons["linked"].y, mons["single"].v_, rtol=1e-6)
    assert mons["linked"].y.shape == (3, 20)


def test_state_monitor_records_neuron_variables_through_synapses(run_once):
    _, _, mons = run_once
    through = mons["through"]
    # synapse s connects spike source s to neuron 2 - s
    np.testing.assert_allclose(through.v_post, mons["single"].v_[::-1], rtol=1e-6)
    np.testing.assert_array_equal(through.w[:, 0], [10.0, 20.0, 30.0])


def test_record_single_timestep_adds_the_state_after_the_run():
    start_scope()
    group = NeuronGroup(2, "dv/dt = -v / (5*ms) : 1\nhalf = v / 2 : 1", method="exact")
    group.v = [1.0, 4.0]
    mon = StateMonitor(group, ["v", "half"], record=[1])
    with pytest.raises(TypeError, match="run the network first"):
        mon.record_single_timestep()
    net = Network(group, mon)
    net.run(0.5 * ms)
    assert len(mon.t) == 5
    mon.record_single_timestep()
    np.testing.assert_allclose(mon.t / ms, [0, 0.1, 0.2, 0.3, 0.4, 0.5])
    assert mon[1].v[-1] == pytest.approx(4.0 * np.exp(-0.1)) == group.v[1]
    assert mon.half_[0, -1] == pytest.approx(2.0 * np.exp(-0.1))
    net.run(0.2 * ms)  # the next run goes on after the extra record
    np.testing.assert_allclose(mon.t / ms, [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.5, 0.6])


# --- EventMonitor / SpikeMonitor ---------------------------------------------------------------------------


def test_spike_monitor_get_states_values_and_event_trains(run_once):
    _, _, mons = run_once
    spikes, events = mons["spikes"], mons["events"]
    states = spikes.get_states()
    assert set(states) == {"count", "i", "t", "N"} and states["N"] == 5
    np.testing.assert_array_equal(states["count"], [2, 1, 2])
    trains = events.event_trains()
    np.testing.assert_allclose(trains[0] / ms, [0.2, 1.0])
    np.testing.assert_allclose(trains[2] / ms, [0.2, 1.5])
    assert set(trains) == {0, 1, 2}
    np.testing.assert_allclose(spikes.all_values()["t"][1] / ms, [0.5])
    with pytest.raises(KeyError):
        trains[3]


def test_record_false_keeps_counts_and_hides_times_and_indices(run_once):
    _, _, mons = run_once
    hidden = mons["hidden"]
    np.testing.assert_array_equal(hidden.count, [2, 1, 2])
    assert hidden.num_spikes == 5
    assert "i" not in hidden.variables and "t" not in hidden.variables and "count" in hidden.variables
    with pytest.raises(AttributeError, match="record=False"):
        assert hidden.t is None
    with pytest.raises(AttributeError, match="record=False"):
        assert hidden.it is None


def test_variables_are_recorded_at_events_with_record_false():
    start_scope()
    group = NeuronGroup(2, "dv/dt = rate : 1\nrate : Hz", threshold="v > 1", reset="v = 0", method="euler")
    group.rate = [1010, 0] * Hz
    mon = SpikeMonitor(group, variables="rate", record=False)
    Network(group, mon).run(2 * ms)
    np.testing.assert_array_equal(mon.count, [2, 0])
    np.testing.assert_allclose(mon.rate / Hz, [1010, 1010])


def test_spike_monitor_refusals_are_the_builtin_errors_brian2_raises(run_once):
    _, group, mons = run_once
    spikes = SpikeGeneratorGroup(1, [0], [0.1] * ms)
    with pytest.raises(ValueError, match="when="):
        SpikeMonitor(spikes, order=1)
    assert SpikeMonitor(spikes, when="thresholds", order=2).order == 2
    with pytest.raises(ValueError, match="threshold"):
        SpikeMonitor(group)
    with pytest.raises(TypeError):
        SpikeMonitor(Synapses(spikes, spikes))
    with pytest.raises(ValueError, match="no stored variable"):
        SpikeMonitor(spikes, variables="nothing")


# --- rates ---------------------------------------------------------------------------------------------------


def test_population_rate_binned_rate_returns_bin_starts_and_rates(run_once):
    _, _, mons = run_once
    rate = mons["rate"]
    bins, rates = rate.binned_rate(0.5 * ms)
    np.testing.assert_allclose(bins / ms, [0, 0.5, 1.0, 1.5])
    # spikes per bin: 2 (t=0.2), 1 (0.5), 1 (1.0), 1 (1.5); 3 neurons, 0.5 ms
    np.testing.assert_allclose(rates / Hz, np.array([2, 1, 1, 1]) / 3 / 5e-4)
    same_bins, same_rates = rate.binned(0.5 * ms)
    np.testing.assert_array_equal(same_rates, rates)
    t, per_step = rate.binned_rate(0.1 * ms)
    np.testing.assert_array_equal(per_step, rate.rate)
    with pytest.raises(ValueError, match="whole multiple of dt"):
        rate.binned_rate(0.15 * ms)


def test_population_rate_bins_start_at_the_first_record():
    start_scope()
    spikes = SpikeGeneratorGroup(1, [0, 0], [0.3, 0.5] * ms)
    net = Network(spikes)
    net.run(0.2 * ms)
    rate = PopulationRateMonitor(spikes)
    net.add(rate)
    net.run(0.4 * ms)
    bins, rates = rate.binned_rate(0.2 * ms)
    np.testing.assert_allclose(bins / ms, [0.2, 0.4])
    np.testing.assert_allclose(rates / Hz, [5000, 5000])


def test_spike_monitor_binned_rate_per_neuron(run_once):
    _, _, mons = run_once
    bins, rates = mons["spikes"].binned_rate(1 * ms)
    np.testing.assert_allclose(bins / ms, [0, 1])
    np.testing.assert_allclose(rates / Hz, [[1000, 1000], [1000, 0], [1000, 1000]])
    _, hidden = mons["hidden"].binned_rate(1 * ms)
    np.testing.assert_array_equal(hidden, np.zeros((3, 2)) * Hz)


def test_smooth_rate_windows_as_brian2_defines_them(run_once):
    _, _, mons = run_once
    rate = mons["rate"]
    raw = rate.rate_
    # gaussian: standard deviation = width, the window spans +-2 widths
    offsets = np.arange(-4, 5)
    kernel = np.exp(-offsets ** 2 / (2 * 2.0 ** 2))
    np.testing.assert_allclose(rate.smooth_rate("gaussian", width=0.2 * ms) / Hz,
                               np.convolve(raw, kernel / kernel.sum(), mode="same"))
    np.testing.assert_allclose(rate.smooth_rate(window="flat", width=0.1 * ms), rate.rate)
    # a flat width of 5.4 steps becomes 7 steps (the nearest odd number of steps above)
    np.testing.assert_allclose(rate.smooth_rate(window="flat", width=0.54 * ms) / Hz,
                               np.convolve(raw, np.ones(7) / 7, mode="same"))
    np.testing.assert_allclose(rate.smooth_rate(window=[1, 2, 1]) / Hz,
                               np.convolve(raw, np.array([1, 2, 1]) / 4, mode="same"))
    per_neuron = mons["spikes"].smooth_rate(window="flat", width=0.4 * ms)
    assert per_neuron.shape == (3, 20)
    np.testing.assert_allclose(per_neuron[1] / Hz, np.convolve((np.arange(20) == 5) * 1e4, np.ones(5) / 5,
                                                               mode="same"))


@pytest.mark.parametrize("kwargs, error", [
    ({"window": "flat"}, TypeError),
    ({"window": "gaussian"}, TypeError),
    ({"window": np.ones(5), "width": 1 * ms}, TypeError),
    ({"window": "unknown", "width": 1 * ms}, NotImplementedError),
    ({"window": object()}, TypeError),
    ({"window": np.ones((2, 3))}, TypeError),
    ({"window": np.ones(4)}, TypeError),
])
def test_smooth_rate_refusals(run_once, kwargs, error):
    for monitor in (run_once[2]["rate"], run_once[2]["spikes"]):
        with pytest.raises(error):
            monitor.smooth_rate(**kwargs)


def test_monitor_records_are_read_only_states(run_once):
    _, _, mons = run_once
    assert mons["rate"].get_states(read_only_variables=False) == {}
    mons["rate"].set_states({})
    with pytest.raises(TypeError, match="read-only"):
        mons["rate"].set_states({"rate": [1, 2] * Hz})
    states = mons["rate"].get_states(units=False)
    assert set(states) == {"rate", "t", "N"} and states["N"] == 20
    np.testing.assert_allclose(states["rate"], mons["rate"].rate_)


def test_state_monitor_of_pathway_delays_and_of_selected_synapses():
    start_scope()
    group = NeuronGroup(2, "v : 1", threshold="False")
    synapses = Synapses(group, group, "w : 1", on_pre="v_post += w", on_post="v_pre += w")
    synapses.connect()
    synapses.delay = "(i + 2*j)*ms"
    synapses.post.delay = "(4 + i + j)*ms"
    synapses.w = "10*i + j"
    pre = StateMonitor(synapses.pre, "delay", record=True)
    post = StateMonitor(synapses.post, "delay", record=True)
    onto_one = StateMonitor(synapses, "w", record=synapses[:, 1])
    Network(group, synapses, pre, post, onto_one).run(0.2 * ms)
    order = np.lexsort((synapses.j[:], synapses.i[:]))
    i, j = synapses.i[:][order], synapses.j[:][order]
    np.testing.assert_allclose(pre.delay[order] / ms, np.tile((i + 2 * j)[:, None], (1, 2)))
    np.testing.assert_allclose(post.delay[order] / ms, np.tile((4 + i + j)[:, None], (1, 2)))
    np.testing.assert_allclose(onto_one.w[:, 0], sorted(10 * synapses.i[synapses.j[:] == 1] + 1))
    np.testing.assert_allclose(onto_one[synapses[1, 1]].w, [[11, 11]])
