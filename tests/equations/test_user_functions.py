"""TimedArray: model strings call it like a function, against closed forms; its errors."""

import numpy as np
import pytest
import scipy.linalg
from numba.core import event

from simcore import (
    ModelError,
    Network,
    NeuronGroup,
    SpikeMonitor,
    StateMonitor,
    TimedArray,
    UnknownNameError,
    ms,
    mV,
    nA,
    second,
    start_scope,
)
from simcore.units import DimensionMismatchError

DT = 1e-4  # the default clock's dt


def test_voltage_equals_the_analytic_response_to_a_piecewise_constant_input():
    """Between changes of the input (every 1 ms), v relaxes exponentially towards it (exact integration)."""
    start_scope()
    values = np.array([1.0, 3.0, -2.0, 0.5])
    stim = TimedArray(values * mV, dt=1 * ms)  # noqa: F841  (found by name at run time)
    group = NeuronGroup(1, "dv/dt = (stim(t) - v)/(5*ms) : volt")
    trace = StateMonitor(group, "v", record=0)
    net = Network(group, trace)
    net.run(6 * ms)
    assert "exact" in net.source()
    times = np.arange(60) * DT
    expected = np.zeros(60)
    for k in range(1, 60):  # v(t_k) from v(t_{k-1}), input held over the step; past 4 ms the last value
        drive = values[min((k - 1) // 10, 3)] * 1e-3
        expected[k] = drive + (expected[k - 1] - drive) * np.exp(-DT / 5e-3)
    assert trace.t_ == pytest.approx(times)
    assert trace.v_[0] == pytest.approx(expected, rel=1e-9, abs=1e-15)
    # the closed form at 2 ms: the first segment relaxed to 1 mV, then towards 3 mV for 1 ms
    v1 = 1e-3 * (1 - np.exp(-1 / 5))
    assert trace.v_[0][20] == pytest.approx(3e-3 + (v1 - 3e-3) * np.exp(-1 / 5), rel=1e-9)


def test_two_dimensional_values_by_time_and_element_and_clipping_past_the_end():
    start_scope()
    values = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    stim = TimedArray(values * nA, dt=0.5 * ms)
    group = NeuronGroup(3, "I = stim(t, i) : amp\nx : 1")
    group.run_regularly("x = stim(t, 2 - i)/nA")
    trace = StateMonitor(group, ["I", "x"], record=True)
    Network(group, trace).run(1.5 * ms)
    row = np.minimum(np.arange(15) // 5, 1)  # 0 until 0.5 ms, then 1 (the last row) to the end
    assert trace.I_ == pytest.approx(values[row].T * 1e-9)
    assert trace.x_ == pytest.approx(values[row][:, ::-1].T)
    # outside the run loop (numpy): a subexpression, a value string, and a Python call
    assert np.asarray(group.I / nA) == pytest.approx(values[1])
    group.x = "stim(t + 10*second, i)/nA + stim(-1*ms, 0)/nA"
    assert group.x_ == pytest.approx(values[1] + 1.0)
    assert stim(0.7 * ms, 2) / nA == pytest.approx(6.0)
    assert np.asarray(stim(np.array([0.0, 0.6, 9.0]) * ms, 1) / nA) == pytest.approx([2.0, 5.0, 5.0])


def test_threshold_and_reset_use_it_and_new_values_need_no_recompilation():
    start_scope()
    level = TimedArray([0.55, 2.05], dt=2 * ms)
    group = NeuronGroup(2, "dv/dt = 1/ms : 1", threshold="v > level(t)", reset="v = -level(t)*(i + 1)",
                        method="euler")
    spikes = SpikeMonitor(group)
    net = Network(group, spikes)
    net.run(4 * ms)
    # v climbs 0.1 per step: above 0.55 after 6 steps, reset to -0.55 (neuron 0) or -1.1 (neuron 1); from
    # 2 ms on, the threshold is 2.05 and the reset -2.05 or -4.1
    first = spikes.spike_trains()
    assert first[0] / ms == pytest.approx([0.5, 1.7])
    assert first[1] / ms == pytest.approx([0.5, 3.7])
    level.values = [5.0, 5.0]
    source = net.source()
    with event.install_recorder("numba:compile") as recorder:
        net.run(1 * ms)
    # the same kernels, the values as arguments
    assert net.source() == source and not [e for e in recorder.buffer if e.is_start]
    assert spikes.num_spikes == 4  # none below the new threshold of 5


def test_coupled_linear_system_driven_by_a_timed_array_stays_exact():
    """ge and v coupled, the drive in the offset: per-step offsets through the matrix exponential."""
    start_scope()
    drive = np.array([2.0, -1.0, 0.0])
    stim = TimedArray(drive, dt=0.5 * ms)  # noqa: F841
    group = NeuronGroup(1, """dv/dt = (ge - v + stim(t))/(2*ms) : 1
                              dge/dt = -ge/(1*ms) : 1""", method="exact")
    group.ge = 1.0
    trace = StateMonitor(group, ["v", "ge"], record=0)
    Network(group, trace).run(2 * ms)
    a = np.array([[-500.0, 500.0, 500.0], [0.0, -1000.0, 0.0], [0.0, 0.0, 0.0]])
    x = np.array([0.0, 1.0, 0.0])
    for k in range(20):
        assert trace.v_[0][k] == pytest.approx(x[0], abs=1e-12) and trace.ge_[0][k] == pytest.approx(x[1])
        x[2] = drive[min(k // 5, 2)]
        x = scipy.linalg.expm(a * DT) @ x


def test_values_carry_units_and_arguments_are_checked():
    start_scope()
    stim = TimedArray([1, 2] * nA, dt=1 * ms)
    assert stim.arity == 1 and stim.dt == pytest.approx(1e-3) and stim.values == pytest.approx([1e-9, 2e-9])
    wrong_unit = NeuronGroup(1, "dv/dt = stim(t)/(10*ms) : volt")
    with pytest.raises(DimensionMismatchError, match=r"differential equation for 'v'.*amp.*volt"):
        Network(wrong_unit).run(1 * ms)
    start_scope()
    not_a_time = NeuronGroup(1, "v : volt\nI = stim(v) : amp")
    with pytest.raises(DimensionMismatchError, match=r"first argument of the TimedArray 'stim' must be a time "
                                                     r"\(second\), but has units of volt"):
        Network(not_a_time).run(1 * ms)
    with pytest.raises(DimensionMismatchError):
        stim(3)
    with pytest.raises(DimensionMismatchError, match="cannot set the values"):
        stim.values = [1, 2] * mV


@pytest.mark.parametrize("model, error, message", [
    ("I = stim(t, i) : amp", ModelError, r"'stim' in .* is called with 2 argument\(s\), but it takes 1: stim\(t\)"),
    ("I = nothing(t) : amp", UnknownNameError, r"'nothing'"),
    ("I = number(t) : amp", UnknownNameError, r"'number' in .* is called like a function, but it is a value with "
                                              r"units of 1"),
    ("I = stim : amp", ModelError, r"'stim' in .* is a TimedArray: call it, as in stim\(t\)"),
])
def test_run_refuses_bad_calls(model, error, message):
    start_scope()
    stim = TimedArray([1, 2] * nA, dt=1 * ms)  # noqa: F841  (found by name at run time)
    number = 3.0  # noqa: F841
    group = NeuronGroup(1, model)
    with pytest.raises(error, match=message):
        Network(group).run(1 * ms)


def test_constructor_refuses_bad_arrays_and_dt():
    with pytest.raises(ModelError, match="1-D .* or 2-D"):
        TimedArray(np.zeros((2, 2, 2)), dt=1 * ms)
    with pytest.raises(ModelError, match="non-empty"):
        TimedArray([], dt=1 * ms)
    with pytest.raises(ModelError, match="must be a time"):
        TimedArray([1, 2], dt=1)
    with pytest.raises(ModelError, match="positive"):
        TimedArray([1, 2], dt=0 * second)
    with pytest.raises(ModelError, match="2-D"):
        TimedArray([[1, 2]], dt=1 * ms).values = [1, 2]
