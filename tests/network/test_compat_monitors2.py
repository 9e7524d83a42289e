"""Brian 2 compatibility of monitors and inputs (issue 13): condition strings as indices of a monitor's records,
a StateMonitor on an EventClock, and TimedArray rows at large times."""

import numpy as np
import pytest

from simcore import (
    EventClock,
    Network,
    NeuronGroup,
    PopulationRateMonitor,
    SpikeGeneratorGroup,
    SpikeMonitor,
    StateMonitor,
    TimedArray,
    defaultclock,
    ms,
    second,
    start_scope,
)
from simcore.errors import ParseError, UnknownNameError
from simcore.units.errors import DimensionMismatchError


@pytest.fixture(scope="module")
def spikes():
    """Spikes of neuron 0 at 0, 1 and 2 ms and of neuron 1 at 1 ms, recorded for 3 ms."""
    start_scope()
    defaultclock.dt = 0.1 * ms
    generator = SpikeGeneratorGroup(3, [0, 0, 0, 1], [0, 1, 2, 1] * ms)
    monitor, rates = SpikeMonitor(generator), PopulationRateMonitor(generator)
    Network(generator, monitor, rates).run(3 * ms)
    return monitor, rates


def test_a_condition_on_the_records_indexes_a_spike_monitors_times_and_indices(spikes):
    monitor, _ = spikes
    np.testing.assert_allclose(monitor.t["i == 1"] / ms, [1.0])
    np.testing.assert_allclose(monitor.t[monitor.i == 1] / ms, [1.0])
    np.testing.assert_array_equal(monitor.i["t > 1.5 * ms"], [0])
    np.testing.assert_array_equal(monitor.i[monitor.t > 1.5 * ms], [0])
    late = 0.5 * ms  # noqa: F841 (the condition string below reads it from this namespace)
    np.testing.assert_allclose(monitor.t_["t > late and i == 0"], [1e-3, 2e-3])
    assert type(monitor.t / ms) is np.ndarray and repr(monitor.i) == "array([0, 0, 1, 0], dtype=int32)"


def test_a_condition_on_a_rate_monitors_records(spikes):
    _, rates = spikes
    np.testing.assert_allclose(rates.t["rate > 5000*Hz"] / ms, [1.0])  # two of three neurons: 6667 Hz
    np.testing.assert_allclose(rates.rate_["t < 0.15*ms"], [1 / 3 / 1e-4, 0])


def test_a_bad_condition_index_names_what_is_wrong(spikes):
    monitor, _ = spikes
    with pytest.raises(ParseError, match="must be a condition"):
        monitor.t["i"]
    with pytest.raises(UnknownNameError, match=r"unknown identifier 'v'.*records \['i', 't'\]"):
        monitor.t["v > 1"]
    with pytest.raises(DimensionMismatchError, match="'t' has units of second"):
        monitor.i["t > 1"]


def test_a_state_monitor_on_an_event_clock_records_at_its_times():
    start_scope()
    defaultclock.dt = 0.1 * ms
    group = NeuronGroup(2, "dv/dt = -v / (10*ms) : 1", method="exact")
    group.v = [1, 2]
    regular = StateMonitor(group, "v", record=True, dt=1 * ms)
    at_times = StateMonitor(group, "v", record=[1], clock=EventClock(times=[0.3, 2.5, 12] * ms))
    network = Network(group, regular, at_times)
    network.run(10 * ms)
    np.testing.assert_allclose(at_times.t / ms, [0.3, 2.5])
    np.testing.assert_allclose(at_times.v[0], 2 * np.exp(-np.array([0.3, 2.5]) / 10))
    assert at_times.buffers["t"].shape[0] == 256  # room for its times, not for every step of the run
    network.run(5 * ms)
    np.testing.assert_allclose(at_times.t / ms, [0.3, 2.5, 12])
    np.testing.assert_allclose(at_times.v[0], 2 * np.exp(-np.array([0.3, 2.5, 12]) / 10))
    np.testing.assert_allclose(regular.t / ms, np.arange(15))
    at_times.record_single_timestep()
    np.testing.assert_allclose(at_times.t / ms, [0.3, 2.5, 12, 15])


def test_a_timed_array_with_a_large_dt_changes_value_on_the_networks_step():
    """With dt = 1 s, the value changes at 16384 s, not 1 ms (10 steps) before it."""
    start_scope()
    defaultclock.dt = 0.1 * ms
    ta = TimedArray(np.arange(16385.0), dt=1 * second)
    np.testing.assert_array_equal(ta([16383.9999, 16384.0, 3.0 - 1e-16] * second), [16383, 16384, 3])
    group = NeuronGroup(1, "value = ta(t) : 1")
    monitor = StateMonitor(group, "value", record=True)
    network = Network(group, monitor)
    network.t_ = 16384 - 0.0005
    network.run(1 * ms)
    assert len(monitor.t) == 10
    np.testing.assert_array_equal(monitor.value[0], [16383] * 5 + [16384] * 5)
