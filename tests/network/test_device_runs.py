"""Brian 2's device idioms: set/reset_device, device.build_options, and build once, run many."""

import warnings

import numpy as np
import pytest

from simcore import (
    ModelNotImplementedError,
    ModelValueError,
    NeuronGroup,
    SpikeMonitor,
    StateMonitor,
    device,
    exp,
    get_device,
    ms,
    reinit_devices,
    reset_device,
    run,
    seed,
    set_device,
    start_scope,
)
from simcore.backends.select import Device


@pytest.fixture(autouse=True)
def fresh_devices():
    start_scope()
    reinit_devices()
    yield
    reinit_devices()
    reset_device("cpu")


def test_set_device_remembers_the_previous_device_and_options():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        set_device("cpp_standalone", build_on_run=False, directory="out")
        set_device("cuda_standalone", build_on_run=True)
    assert get_device() == "cuda" and isinstance(get_device(), Device)
    reset_device()
    assert get_device() == "cpu" and device.build_options == {"directory": "out"} and not device.build_on_run
    reset_device()
    assert get_device() == "cpu" and get_device().build_on_run is False  # the CPU device, as it was set
    reinit_devices()
    assert get_device().build_on_run and device.build_options == {}


def test_build_once_run_many_with_other_parameter_values():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        set_device("cpp_standalone", build_on_run=False)
    group = NeuronGroup(2, "dv/dt = (1 - v)/tau : 1\ntau : second", method="exact")
    group.tau = 10 * ms
    monitor = StateMonitor(group, "v", record=0)
    run(5 * ms)
    run(5 * ms)
    assert np.all(group.v_ == 0) and monitor.v.shape == (1, 0)  # recorded, not run yet (Brian 2's standalone)
    with pytest.raises(ModelNotImplementedError, match="build_on_run=False"):
        group.tau = 20 * ms  # set in Python after a recorded run: it would not be part of the runs
    device.build()  # runs them
    first = np.array(group.v_)
    assert np.allclose(first, 1 - exp(-1.0)) and monitor.v.shape == (1, 100)
    for tau_ms in (20.0, 5.0):
        device.run(run_args={group.tau: tau_ms * ms})
        assert np.allclose(group.v[:], 1 - np.exp(-10 / tau_ms))
        assert monitor.v.shape == (1, 100)  # the records start again: two runs of 50 steps
        assert np.allclose(monitor.v[0, 49], 1 - np.exp(-4.9 / tau_ms))
    device.run()
    assert np.allclose(group.v[:], first)  # the values before the first run: tau = 10 ms


def test_a_recorded_run_waits_for_the_values_that_run_args_give():
    """Brian 2's standalone_multiplerun example: tau is 0 when the run is recorded, and set by run_args."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        set_device("cpp_standalone", build_on_run=False)
    group = NeuronGroup(1, "dv/dt = (2 - v)/tau : 1\ntau : second (constant)", threshold="v > 1", reset="v = 0",
                        method="exact")
    spikes = SpikeMonitor(group)
    run(20 * ms)  # tau = 0: dividing by it would stop a run made now
    device.build(run=False)
    counts = []
    for tau_ms in (1.0, 2.0, 4.0):
        device.run(run_args={group.tau: tau_ms * ms})
        counts.append(spikes.num_spikes)
    # period tau*log(2) (exact), rounded up to whole steps of 0.1 ms
    assert counts == [int(20 / (np.ceil(t * np.log(2) / 0.1) * 0.1)) for t in (1.0, 2.0, 4.0)]


def test_device_run_refuses_what_it_cannot_do():
    with pytest.raises(ModelValueError, match="build_on_run=False"):
        device.run()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        set_device("cpp_standalone", build_on_run=False)
    group = NeuronGroup(1, "tau : second")
    run(1 * ms)
    with pytest.raises(TypeError, match="G.tau"):
        device.run(run_args={"tau": 5 * ms})
    assert group.N == 1


def test_device_run_repeats_the_random_numbers_until_seed_changes():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        set_device("cpp_standalone", build_on_run=False)
    group = NeuronGroup(4, "dv/dt = -v/(10*ms) + xi/sqrt(10*ms) : 1", method="euler")
    run(2 * ms)
    device.build(run=False)
    device.run()
    first = np.array(group.v_)
    device.run()
    np.testing.assert_array_equal(group.v[:], first)
    seed(2024)
    device.run()
    chosen = np.array(group.v_)
    assert not np.array_equal(chosen, first)
    device.run()
    np.testing.assert_array_equal(group.v[:], chosen)
    seed(2024)
    device.run()
    np.testing.assert_array_equal(group.v[:], chosen)
