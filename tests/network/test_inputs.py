"""Input groups: PoissonGroup, SpikeGeneratorGroup and PoissonInput, against exact spike lists and the
binomial statistics they must have. Small sizes, short runs: every model compiles once and is cached."""

import logging
import math

import numpy as np
import pytest

from simcore import (
    Hz,
    ModelError,
    Network,
    NeuronGroup,
    PoissonGroup,
    PoissonInput,
    PopulationRateMonitor,
    SpikeGeneratorGroup,
    SpikeMonitor,
    StateMonitor,
    TimedArray,
    ms,
    mV,
    nA,
    second,
    seed,
    start_scope,
)
from simcore.units import DimensionMismatchError

DT = 1e-4


def _within(value, expected, sd, k=5.0):
    assert abs(value - expected) < k * sd, (value, expected, sd)


# --- PoissonGroup -------------------------------------------------------------------------------


def _poisson_spikes(rates, N=200, duration=0.5 * second, seed_value=11, **kwargs):
    start_scope()
    seed(seed_value)
    group = PoissonGroup(N, rates, **kwargs)
    spikes = SpikeMonitor(group)
    rate = PopulationRateMonitor(group)
    Network(group, spikes, rate).run(duration)
    return group, spikes, rate


def test_poisson_group_rate_is_binomial_and_reproducible():
    group, spikes, rate = _poisson_spikes(40 * Hz)
    p, steps = 40 * DT, 5000
    _within(spikes.num_spikes, 200 * steps * p, math.sqrt(200 * steps * p * (1 - p)))
    assert np.mean(rate.rate_) == pytest.approx(spikes.num_spikes / (200 * 0.5))
    _, again, _ = _poisson_spikes(40 * Hz)
    assert np.array_equal(spikes.i, again.i) and np.array_equal(spikes.t_, again.t_)
    _, other, _ = _poisson_spikes(40 * Hz, seed_value=12)
    assert not np.array_equal(spikes.i[:50], other.i[:50])


def test_poisson_group_rates_per_neuron_can_change_between_runs():
    group, spikes, _ = _poisson_spikes(np.array([0.0, 100.0, 400.0, 0.0]) * Hz, N=4, duration=1 * second)
    counts = spikes.count
    assert counts[0] == counts[3] == 0
    for k, r in ((1, 100.0), (2, 400.0)):
        _within(counts[k], 1e4 * r * DT, math.sqrt(1e4 * r * DT * (1 - r * DT)))
    group.rates = 0 * Hz
    Network(group, spikes).run(100 * ms)
    assert np.array_equal(spikes.count, counts)
    assert np.asarray(group.rates / Hz) == pytest.approx([0, 0, 0, 0])


def test_poisson_group_rate_expressions_with_i_t_and_a_timed_array():
    # per neuron: (i % 4 + 1) * 50 Hz, and silent in the second half of the run
    start_scope()
    gate = TimedArray([1.0, 0.0], dt=250 * ms)  # noqa: F841  (found by name at run time)
    seed(3)
    group = PoissonGroup(400, "(i % 4 + 1)*50*Hz*gate(t)*(t < 1*second)", when="start", order=2)
    spikes = SpikeMonitor(group)
    Network(group, spikes).run(0.5 * second)
    assert spikes.t_.max() < 0.25
    per_class = spikes.count.reshape(-1, 4).sum(axis=0)
    for k in range(4):
        p = (k + 1) * 50 * DT
        _within(per_class[k], 100 * 2500 * p, math.sqrt(100 * 2500 * p * (1 - p)))
    assert np.asarray(group.rates / Hz)[:4] == pytest.approx([0, 0, 0, 0])  # gate(0.5 s) is 0
    assert "thresholds" not in Network(group).scheduling_summary()  # when= moves the spike draw


def test_thresholds_and_resets_read_subexpressions():
    """What a string-rate PoissonGroup relies on: a subexpression in a threshold or reset is its expression."""
    start_scope()
    group = NeuronGroup(2, "dv/dt = 1/ms : 1\nlevel = 0.32 + 0.1*i : 1", threshold="v > level",
                        reset="v = -level", method="euler")
    spikes = SpikeMonitor(group)
    Network(group, spikes).run(2 * ms)
    # v climbs 0.1 per step; neuron 0 passes 0.32 at v = 0.4 (step 3), then 7 steps after each reset to
    # -0.32; neuron 1 passes 0.42 at v = 0.5 (step 4), then 9 steps after each reset to -0.42
    assert spikes.spike_trains()[0] / ms == pytest.approx([0.3, 1.0, 1.7])
    assert spikes.spike_trains()[1] / ms == pytest.approx([0.4, 1.3])


def test_poisson_group_refuses_rates_without_hertz():
    start_scope()
    with pytest.raises(DimensionMismatchError, match="rates"):
        PoissonGroup(3, 5 * mV)
    group = PoissonGroup(3, "5*mV")
    with pytest.raises(DimensionMismatchError, match="'rates' is declared as Hz"):
        Network(group).run(1 * ms)
    with pytest.raises(ModelError, match="positive whole number"):
        PoissonGroup(0, 5 * Hz)


# --- SpikeGeneratorGroup ------------------------------------------------------------------------

# Times on both sides of step boundaries; each goes to the step timestep(t, dt) = int((t + 1e-3*dt)/dt)
# (the same steps as Brian 2 2.9 for these times).
TIMES = np.array([0.0, 0.04999, 0.09999, 0.0998, 1.04, 1.05, 1.0999999, 2.5]) * 1e-3
STEPS = [0, 0, 1, 0, 10, 10, 11, 25]


def _generator(period=0 * ms, N=8, indices=range(8), times=TIMES * second):
    start_scope()
    group = SpikeGeneratorGroup(N, list(indices), times, period=period)
    spikes = SpikeMonitor(group)
    return Network(group, spikes), group, spikes


def _pairs(spikes):
    return sorted(zip(np.round(spikes.t_ / DT).astype(int).tolist(), spikes.i.tolist(), strict=True))


def test_spike_generator_emits_exactly_the_given_spikes_and_repeats_them():
    net, group, spikes = _generator()
    net.run(5 * ms)
    assert _pairs(spikes) == sorted(zip(STEPS, range(8), strict=True))
    net, group, spikes = _generator(period=3 * ms)
    net.run(7 * ms)
    expected = sorted((s + 30 * r, k) for r in range(3) for k, s in enumerate(STEPS) if s + 30 * r < 70)
    assert _pairs(spikes) == expected
    indices, times = group.spikes
    assert np.array_equal(indices, [0, 1, 3, 2, 4, 5, 6, 7]) and times / ms == pytest.approx(
        np.sort(STEPS) * 0.1)


def test_spike_generator_over_several_runs_with_new_spikes_and_store_restore(caplog):
    net, group, spikes = _generator()
    net.run(0.5 * ms)
    net.run(2 * ms)  # continues up to step 24: the spike at step 25 (2.5 ms) is still to come
    assert _pairs(spikes) == sorted(zip(STEPS[:-1], range(7), strict=True))
    net.store()
    net.run(1 * ms)
    assert spikes.num_spikes == 8
    group.set_spikes([1, 0], [3.5, 1.0] * ms)
    with caplog.at_level(logging.WARNING, logger="simcore.inputs"):
        net.run(1 * ms)
    assert "spikes before the start of this run" in caplog.text
    assert _pairs(spikes)[-1] == (35, 1) and spikes.num_spikes == 9
    net.restore()  # spikes, time and the monitor as they were at 2.5 ms
    net.run(1 * ms)
    assert spikes.num_spikes == 8 and _pairs(spikes)[-1] == (25, 7)


def test_spike_generator_feeds_rate_monitors_and_subgroups():
    net, group, spikes = _generator(N=10, indices=[9, 9, 2], times=[0, 1, 1] * ms)
    rate = PopulationRateMonitor(group)
    sub = SpikeMonitor(group[5:10])
    net.add(rate, sub)
    net.run(2 * ms)
    assert rate.rate_[0] == pytest.approx(1 / (10 * DT)) and rate.rate_[10] == pytest.approx(2 / (10 * DT))
    assert sub.i.tolist() == [4, 4] and sub.t_ == pytest.approx([0, 1e-3])


@pytest.mark.parametrize("arguments, message", [
    (dict(indices=[0, 3], times=[1, 2] * ms), r"neuron index 3, outside the group's 3 neurons"),
    (dict(indices=[0, -1], times=[1, 2] * ms), r"neuron index -1"),
    (dict(indices=[0, 1], times=[1, -2] * ms), r"spike 1 .* \(neuron 1\) has the time -2 ms"),
    (dict(indices=[0, 1], times=[1, 2] * ms, period=2 * ms),
     r"period .* \(2 ms\) must be longer than its last spike time \(2 ms"),
    (dict(indices=[0], times=[1] * ms, period=-1 * ms), r"must not be negative"),
    (dict(indices=[0, 1], times=[1] * ms), r"as many spike times as indices"),
    (dict(indices=[0.5], times=[1] * ms), r"whole numbers"),
])
def test_spike_generator_errors(arguments, message):
    start_scope()
    with pytest.raises(ModelError, match=message):
        SpikeGeneratorGroup(3, **arguments)


@pytest.mark.parametrize("arguments, message", [
    (dict(indices=[0, 1, 0], times=[1.0, 2.0, 1.04] * ms),
     r"neuron 0 of SpikeGeneratorGroup .* spikes twice in the time step at t = 1 ms \(at 1 ms and 1.04 ms"),
    (dict(indices=[0], times=[1] * ms, period=2.05 * ms), r"period .* \(2.05 ms\) must be a whole multiple of its dt"),
])
def test_spike_generator_errors_that_depend_on_dt_come_at_the_run(arguments, message):
    """dt may still change before the run (as in Brian 2, these are refused when it starts)."""
    start_scope()
    group = SpikeGeneratorGroup(3, **arguments)
    with pytest.raises(ModelError, match=message):
        Network(group).run(0 * ms)


def test_spike_generator_checks_again_with_the_dt_of_the_run():
    start_scope()
    group = SpikeGeneratorGroup(2, [0, 0], [1.0, 1.3] * ms, dt=0.1 * ms)
    with pytest.raises(DimensionMismatchError, match="must be times"):
        group.set_spikes([0], [1.0])
    group.clock.dt = 0.5 * ms
    with pytest.raises(ModelError, match="spikes twice in the time step at t = 1 ms"):
        Network(group).run(1 * ms)


# --- PoissonInput -------------------------------------------------------------------------------


@pytest.mark.parametrize("inputs, rate", [(1000, 20 * Hz), (100_000, 50 * Hz)])
def test_poisson_input_increments_have_binomial_mean_and_variance(inputs, rate):
    """N*p = 2 (inversion) and 500 (BTRD): after 10 steps each neuron holds the sum of 10 draws."""
    start_scope()
    seed(21)
    group = NeuronGroup(4000, "v : volt")
    Network(group, PoissonInput(group, "v", inputs, rate, 0.5 * mV)).run(10 * DT * second)
    counts = group.v_ / 0.5e-3
    p = float(rate / Hz) * DT
    mean, var = 10 * inputs * p, 10 * inputs * p * (1 - p)
    assert np.allclose(counts, np.round(counts))
    _within(counts.mean(), mean, math.sqrt(var / 4000))
    _within(counts.var(), var, var * math.sqrt(2 / 4000))


def _subgroup_input(seed_value):
    start_scope()
    seed(seed_value)
    group = NeuronGroup(40, "v : 1\nw : 1")
    group.w = "i + 1"
    poisson = PoissonInput(group[10:30], "v", 200, 100 * Hz, "w*(i + 1)")  # i counts from 0 in the subgroup
    Network(group, poisson).run(20 * DT * second)
    return group.v_.copy(), poisson


def test_poisson_input_weight_expressions_subgroups_and_seed():
    v, poisson = _subgroup_input(5)
    assert np.all(v[:10] == 0) and np.all(v[30:] == 0)
    counts = v[10:30] / (np.arange(11, 31) * np.arange(1, 21))  # w = 11..30, i + 1 = 1..20
    assert np.allclose(counts, np.round(counts))
    _within(counts.mean(), 20 * 200 * 0.01, math.sqrt(20 * 200 * 0.01 * 0.99 / 20))
    assert poisson.N == 200 and poisson.rate == 100 * Hz and poisson.weight == "w*(i + 1)"
    assert np.array_equal(_subgroup_input(5)[0], v) and not np.array_equal(_subgroup_input(6)[0], v)


def test_poisson_input_errors():
    start_scope()
    group = NeuronGroup(2, "v : volt\nshared_v : volt (shared)")
    with pytest.raises(DimensionMismatchError, match=r"weight of PoissonInput .* \(for 'v'\).*volt.*amp"):
        PoissonInput(group, "v", 10, 5 * Hz, 1 * nA)
    with pytest.raises(ModelError, match="has no variable 'x'"):
        PoissonInput(group, "x", 10, 5 * Hz, 1 * mV)
    with pytest.raises(ModelError, match="read-only, shared or linked"):
        PoissonInput(group, "shared_v", 10, 5 * Hz, 1 * mV)
    with pytest.raises(DimensionMismatchError, match="must be a rate"):
        PoissonInput(group, "v", 10, 5 * mV, 1 * mV)
    with pytest.raises(ValueError, match="positive whole number"):
        PoissonInput(group, "v", 2.5, 5 * Hz, 1 * mV)
    bad_string = PoissonInput(group, "v", 10, 5 * Hz, "2*second")
    with pytest.raises(DimensionMismatchError, match=r"weight of PoissonInput .* has units of second, expected volt"):
        Network(group, bad_string).run(1 * ms)
    too_fast = PoissonInput(group, "v", 10, 20_000 * Hz, 1 * mV)
    with pytest.raises(ModelError, match=r"rate\*dt = 2 is above 1"):
        Network(group, too_fast).run(1 * ms)


def test_poisson_input_drives_a_leaky_neuron_to_the_shot_noise_mean():
    """The stationary mean of v is (N*rate*dt*w) / (1 - exp(-dt/tau)), about N*rate*w*tau = 2 mV."""
    start_scope()
    seed(8)
    group = NeuronGroup(200, "dv/dt = -v/(10*ms) : volt")
    trace = StateMonitor(group, "v", record=[0])
    Network(group, trace, PoissonInput(group, "v", 50, 20 * Hz, 0.2 * mV)).run(100 * ms)
    expected = 50 * 20 * DT * 0.2e-3 / (1 - math.exp(-DT / 0.01))
    # each neuron's v has a standard deviation of w*sqrt(N*rate*tau/2) = 0.2 mV * sqrt(5) = 0.45 mV
    _within(group.v_.mean(), expected, 0.2e-3 * math.sqrt(5) / math.sqrt(200))
    assert len(trace.t_) == 1000
