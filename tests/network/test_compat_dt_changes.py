"""dt changing between runs (issue 13, "Bugs"): records keep the times they were made at, and spikes in flight
in synaptic delay rings arrive at their time (on the new grid)."""

import h5py
import numpy as np
import pytest

from simcore import (
    Network,
    NeuronGroup,
    PoissonGroup,
    PopulationRateMonitor,
    SpikeGeneratorGroup,
    SpikeMonitor,
    StateMonitor,
    Synapses,
    defaultclock,
    load_output,
    ms,
    start_scope,
)
from simcore.errors import ModelError
from simcore.output.hdf5 import FORMAT

# runs of 0.4 ms at 0.1 ms, 0.4 ms at 0.2 ms, 0.2 ms at 0.1 ms: the steps of each run, and their times
STEPS = [(np.arange(0, 4), 1e-4), (np.arange(2, 4), 2e-4), (np.arange(8, 10), 1e-4)]
TIMES = np.concatenate([steps * dt for steps, dt in STEPS])


@pytest.fixture(autouse=True)
def _dt_back():
    yield
    defaultclock.dt = 0.1 * ms


def _three_runs(net):
    for (steps, dt) in STEPS:
        defaultclock.dt = dt * 1e3 * ms
        net.run(len(steps) * dt * 1e3 * ms)


def _monitored(output=None):
    start_scope()
    group = NeuronGroup(2, "v : 1", threshold="True")
    spikes, trace = SpikeMonitor(group, name="spikes"), StateMonitor(group, "v", record=[1], name="trace")
    rate = PopulationRateMonitor(group, name="rate")
    net = Network(group, spikes, trace, rate, output=output)
    _three_runs(net)
    return spikes, trace, rate


def test_recorded_times_stay_those_of_their_runs():
    spikes, trace, rate = _monitored()
    np.testing.assert_array_equal(spikes.t_, np.repeat(TIMES, 2))
    np.testing.assert_array_equal(spikes.i, np.tile([0, 1], len(TIMES)))
    np.testing.assert_array_equal(spikes.spike_trains()[1] / ms, TIMES * 1e3)
    np.testing.assert_array_equal(trace.t_, TIMES)
    np.testing.assert_array_equal(rate.t_, TIMES)
    # every element spikes in every step: the rate is 1/dt of each run
    np.testing.assert_allclose(rate.rate_, np.concatenate([np.full(len(steps), 1 / dt) for steps, dt in STEPS]))


def test_streamed_times_stay_those_of_their_runs(tmp_path):
    path = tmp_path / "runs.h5"
    spikes, trace, rate = _monitored(output=str(path))
    np.testing.assert_array_equal(spikes.t_, np.repeat(TIMES, 2))  # read back from the file
    stored = load_output(path)
    np.testing.assert_array_equal(stored.spikes.t_, np.repeat(TIMES, 2))
    np.testing.assert_array_equal(stored.trace.t_, TIMES)
    np.testing.assert_array_equal(stored.rate.t_, TIMES)
    with h5py.File(path, "r") as raw:  # plain h5py: seconds
        assert raw["spikes"]["t"].dtype == np.float64
        np.testing.assert_array_equal(raw["trace"]["t"][:] * raw["trace"]["t"].attrs["scale"], TIMES)


def test_a_file_of_the_earlier_format_is_refused_not_misread(tmp_path):
    path = tmp_path / "old.h5"
    with h5py.File(path, "w") as out:  # format 1 kept time steps
        out.attrs.update({"format": FORMAT, "format_version": 1, "dt": 1e-4})
        group = out.create_group("spikes")
        group.attrs.update({"kind": "SpikeMonitor", "dt": 1e-4, "elements": 1})
        group.create_dataset("t", data=np.arange(3)).attrs["unit"] = "second"
    with pytest.raises(ModelError, match=r"earlier simcore.*format version 1; this simcore reads and writes version 2"):
        load_output(path)


def test_restore_gives_back_the_records_and_the_dt_of_the_store():
    start_scope()
    defaultclock.dt = 0.5 * ms
    group = NeuronGroup(1, "v : 1")
    trace = StateMonitor(group, "v", record=True)
    net = Network(group, trace)
    net.store()
    net.run(1 * ms)
    defaultclock.dt = 1 * ms
    net.run(2 * ms)
    np.testing.assert_array_equal(trace.t_, [0, 5e-4, 1e-3, 2e-3])
    net.restore()
    assert len(trace.t_) == 0
    net.run(1 * ms)
    assert defaultclock.dt_ == 5e-4
    np.testing.assert_array_equal(trace.t_, [0, 5e-4])


def _delayed(delays_ms, dt_ms, spike_ms=0.0):
    """One source spike at ``spike_ms`` to one synapse per delay; each synapse counts its arrivals and keeps
    the time of the last; the targets spike one step after an arrival."""
    start_scope()
    defaultclock.dt = dt_ms * ms
    source = SpikeGeneratorGroup(1, [0], [spike_ms] * ms)
    targets = NeuronGroup(len(delays_ms), "v : 1", threshold="v > 0.5", reset="v = 0")
    links = Synapses(source, targets, "arrivals : 1\narrival : second", on_pre="v_post += 1\narrivals += 1\n"
                     "arrival = t")
    links.connect(i=0, j=np.arange(len(delays_ms)))
    links.delay = np.asarray(delays_ms) * ms
    spikes = SpikeMonitor(targets)
    return Network(source, targets, links, spikes), links, spikes


def test_spikes_in_flight_arrive_at_their_time_after_dt_changes():
    net, links, spikes = _delayed(np.arange(8.0), 0.25)
    net.run(3 * ms)  # arrivals at 0, 1, 2 ms
    defaultclock.dt = 1 * ms
    net.run(2 * ms)  # at 3, 4 ms
    defaultclock.dt = 0.1 * ms
    net.run(2.5 * ms)  # at 5, 6, 7 ms
    np.testing.assert_array_equal(links.arrivals, np.ones(8))
    np.testing.assert_array_equal(links.arrival_, [0, 4 * 2.5e-4, 8 * 2.5e-4, 3 * 1e-3, 4 * 1e-3, 50 * 1e-4,
                                                  60 * 1e-4, 70 * 1e-4])
    # each target spikes in the step after its arrival (the step of that time's dt)
    np.testing.assert_array_equal(spikes.i, np.arange(8))
    np.testing.assert_array_equal(spikes.t_, [1 * 2.5e-4, 5 * 2.5e-4, 9 * 2.5e-4, 4 * 1e-3, 50 * 1e-4, 51 * 1e-4,
                                              61 * 1e-4, 71 * 1e-4])


def test_spikes_in_flight_between_two_steps_of_a_larger_dt_arrive_once_rounded_to_the_new_grid():
    # a spike at 0.3 ms; at 1 ms dt becomes 0.5 ms: 0.7 ms old, it lies between two of the new steps.
    # Delays 1 and 1.5 ms (due at 1.3 and 1.8 ms): rounded to the nearest new steps, 1.5 and 2 ms
    net, links, _ = _delayed([1.0, 1.5], 0.1, spike_ms=0.3)
    net.run(1 * ms)
    defaultclock.dt = 0.5 * ms
    net.run(2 * ms)
    np.testing.assert_array_equal(links.arrivals, [1, 1])
    np.testing.assert_array_equal(links.arrival_, [3 * 5e-4, 4 * 5e-4])
    # delays 0.5 and 1 ms: the first arrived at 0.8 ms, before the change, and does not arrive again; the
    # second (due at 1.3 ms) arrives at 1 ms, the step the event's age then rounds to
    net, links, _ = _delayed([0.5, 1.0], 0.1, spike_ms=0.3)
    net.run(1 * ms)
    defaultclock.dt = 0.5 * ms
    net.run(2 * ms)
    np.testing.assert_array_equal(links.arrivals, [1, 1])
    np.testing.assert_array_equal(links.arrival_, [8 * 1e-4, 2 * 5e-4])


def test_spikes_in_flight_stored_in_a_file_arrive_at_their_time_with_another_dt(tmp_path):
    net, links, _ = _delayed([0.0, 1.0, 2.0, 3.0], 0.5)
    net.run(1.5 * ms)
    net.store("early", filename=tmp_path / "state.h5")
    net.run(3 * ms)
    net.restore("early", filename=tmp_path / "state.h5")  # the ring has steps of 0.5 ms
    defaultclock.dt = 0.1 * ms
    net.run(2 * ms)
    np.testing.assert_array_equal(links.arrivals, [1, 1, 1, 1])
    np.testing.assert_array_equal(links.arrival_, [0, 2 * 5e-4, 20 * 1e-4, 30 * 1e-4])


def test_delays_of_synapses_on_a_slower_clock_count_its_steps():
    start_scope()
    defaultclock.dt = 0.1 * ms
    source = SpikeGeneratorGroup(1, [0], [0] * ms)
    targets = NeuronGroup(3, "v : 1")
    links = Synapses(source, targets, "arrival : second", on_pre="arrival = t", dt=0.2 * ms)
    links.connect(i=0, j=[0, 1, 2])
    links.delay = [0, 1, 2] * ms
    Network(source, targets, links).run(3 * ms)
    np.testing.assert_array_equal(links.arrival_, [0, 5 * 2e-4, 10 * 2e-4])


def test_poisson_group_runs_in_a_before_or_after_slot():
    start_scope()
    inputs = PoissonGroup(2, rates=0 * ms ** -1, when="before_thresholds")
    group = NeuronGroup(1, "v : 1", threshold="False")
    net = Network(inputs, group)
    order = [(entry.when, entry.owner_name) for entry in net.scheduling_summary().entries]
    assert order.index(("before_thresholds", inputs.name)) < order.index(("thresholds", group.name))
