"""Groups as Brian 2 scripts use them (part 2): the method forms ``get_item``/``set_item`` of variable views,
shared variables of Synapses indexed only with ``[:]``, and Brian 2.1.2's refractory timing
(``prefs.legacy.refractory_timing``)."""

import numpy as np
import pytest

from simcore import (
    Hz,
    ModelValueError,
    NeuronGroup,
    SpikeMonitor,
    StateMonitor,
    Synapses,
    defaultclock,
    ms,
    prefs,
    run,
    start_scope,
)


@pytest.fixture
def group():
    start_scope()
    return NeuronGroup(10, "x : 1\nfreq : Hz (shared)")


def test_set_item_and_get_item_are_the_indexing_forms(group):
    group.x.set_item("i >= 7", 2.5)
    group.x.set_item(slice(0, 2), [1, 3])
    np.testing.assert_array_equal(group.x_, [1, 3, 0, 0, 0, 0, 0, 2.5, 2.5, 2.5])
    np.testing.assert_array_equal(group.x.get_item("x > 2"), [3, 2.5, 2.5, 2.5])
    group.freq.set_item(slice(None), 40 * Hz)
    assert group.freq.get_item(slice(None)) == 40 * Hz


@pytest.mark.parametrize("key", [0, 1, slice(0, 1), "i > 5"])
def test_shared_variable_takes_only_the_whole_index(group, key):
    group.freq = 50 * Hz
    with pytest.raises(IndexError, match="'freq' of NeuronGroup .* is shared"):
        group.freq.set_item(key, 100 * Hz)
    with pytest.raises(IndexError, match="index it with \\[:\\] only"):
        group.freq.get_item(key)
    assert group.freq_ == 50


def test_shared_variable_takes_one_value(group):
    with pytest.raises(ValueError, match="2 values given for 1 element"):
        group.freq.set_item(slice(None), [0, 1] * Hz)


def test_shared_synaptic_variable_takes_only_the_whole_index():
    start_scope()
    neurons = NeuronGroup(2, "v : 1")
    synapses = Synapses(neurons, neurons, "w : 1\ns : Hz (shared)")
    synapses.connect(i=[0, 1], j=[1, 0])
    synapses.s[:] = 20 * Hz
    for key in (0, 1, slice(0, 1), "i > 0"):
        with pytest.raises(IndexError, match="'s' of Synapses .* is shared"):
            synapses.s.set_item(key, 100 * Hz)
        with pytest.raises(IndexError, match="'s' of Synapses .* is shared"):
            synapses.s[key] = 100 * Hz
    with pytest.raises(ValueError, match="2 values given for 1 element"):
        synapses.s.set_item(slice(None), [0, 1] * Hz)
    synapses.s.set_item(slice(None), 30 * Hz)
    assert synapses.s_ == 30


def test_legacy_refractory_timing_compares_times():
    """Brian 2.1.2 compared ``t - lastspike > period``: with a period of 10 steps, rounding in ``t`` makes some
    intervals 11 steps (as in Brian 2's own record of that version); today's rule gives 10 steps each."""
    start_scope()
    defaultclock.dt = 0.1 * ms
    prefs.legacy.refractory_timing = True
    try:
        group = NeuronGroup(1, "", threshold="True", refractory=10 * defaultclock.dt)
        spikes = SpikeMonitor(group)
        run(45 * defaultclock.dt)
    finally:
        prefs.legacy.refractory_timing = False
    np.testing.assert_array_equal(np.round(spikes.t_ / defaultclock.dt_), [0, 11, 21, 32, 42])


def test_legacy_refractory_timing_is_a_flag():
    assert prefs.legacy.refractory_timing is False
    with pytest.raises(TypeError, match="prefs.legacy.refractory_timing is True or False, not 'yes'"):
        prefs.legacy.refractory_timing = "yes"
    assert prefs["legacy.refractory_timing"] is False


def test_add_attribute_lets_a_script_keep_its_own_values_on_objects():
    group = NeuronGroup(2, "v : 1")
    monitor = StateMonitor(group, "v", record=True)
    with pytest.raises(AttributeError):
        group.run_time = 1.0  # a misspelt variable is caught
    group.add_attribute("run_time")
    group.run_time = 1.5
    monitor.add_attribute("label")
    monitor.label = "trace"
    assert (group.run_time, monitor.label) == (1.5, "trace")
    with pytest.raises(ModelValueError, match="'v' already"):
        group.add_attribute("v")
