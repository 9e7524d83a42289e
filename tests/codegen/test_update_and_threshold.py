"""A group's state update and its threshold run in one pass over its elements on the CPU (``fusion.fusions``):
the same spikes, in the same order, and the same state as the two operations run one after the other."""

import re

import numpy as np
import pytest

from simcore import ModelError, Network, NeuronGroup, SpikeMonitor, ms, network_operation, seed, start_scope

MODEL = """dv/dt = (v0 - v)/(10*ms) + 0.2*xi/sqrt(10*ms) : 1 (unless refractory)
           v0 : 1 (constant)"""


def simulate(n: int, pause: bool = False):
    """A noisy LIF group (random draws in the update and in the threshold, refractoriness, a random start)
    run for 20 ms; with ``pause``, a network operation between its update and its threshold."""
    start_scope()
    seed(11)
    group = NeuronGroup(n, MODEL, threshold="v > 1 or rand() < 0.002", reset="v = 0", refractory=2 * ms,
                        method="euler")
    group.v = "rand()"
    group.v0 = "0.6 + 1.2*i/N"
    monitor = SpikeMonitor(group)
    objects = [group, monitor]
    if pause:
        objects.append(network_operation(when="thresholds", order=-1)(lambda: None))
    net = Network(*objects)
    net.run(20 * ms)
    return net.source(), monitor.i[:], monitor.t_[:], group.v_[:].copy(), group.lastspike_[:].copy()


def assert_same_run(one, other):
    for first, second in zip(one[1:], other[1:], strict=True):
        np.testing.assert_array_equal(first, second)


@pytest.mark.parametrize("n", [13, 200])
def test_one_pass_gives_the_spikes_and_state_of_two(n):
    fused, apart = simulate(n), simulate(n, pause=True)
    assert re.search(r"def neurongroup\w*_stateupdater__and_threshold\(", fused[0])  # named by the group's name
    assert "__and_threshold" not in apart[0]  # Python code runs between them: they stay apart
    assert len(fused[1]) > n // 2  # spikes of most neurons, at different times
    assert np.all(np.diff(fused[2]) >= 0)
    assert_same_run(fused, apart)


def test_the_parallel_pass_lists_events_in_the_serial_order(monkeypatch):
    serial = simulate(1000)
    monkeypatch.setenv("SIMCORE_PARALLEL", "always")
    monkeypatch.setenv("SIMCORE_NUM_THREADS", "2")
    parallel = simulate(1000)
    assert "prange(" in parallel[0] and "prange(" not in serial[0]
    assert_same_run(serial, parallel)


def test_a_value_not_finite_is_reported_for_the_update():
    start_scope()
    group = NeuronGroup(10, "dv/dt = v/(0.001*ms) : volt", threshold="v < -1*volt", reset="v = 0*volt",
                        method="euler")
    group.v = "i*mV"
    net = Network(group)
    not_finite = r"'v' of neurongroup became NaN or infinite for element [1-9] .*integration method euler"
    with pytest.raises(ModelError, match=not_finite):
        net.run(20 * ms)
    assert "__and_threshold" in net.source()
