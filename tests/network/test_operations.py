"""network_operation, stop(), run_regularly and several clocks."""

import math
import os
import signal

import numpy as np
import pytest

from simcore import (
    ModelError,
    Network,
    NeuronGroup,
    PopulationRateMonitor,
    SpikeMonitor,
    StateMonitor,
    UnknownNameError,
    defaultclock,
    ms,
    mV,
    network_operation,
    run,
    start_scope,
    stop,
)
from simcore.units import DimensionMismatchError


def test_network_operation_runs_every_dt_and_can_change_state():
    start_scope()
    group = NeuronGroup(2, "dv/dt = -v/(10*ms) : 1", method="exact")
    group.v = 1
    calls = []

    @network_operation(dt=1 * ms)
    def kick(t):
        calls.append(float(t / ms))
        group.v_[1] = 1.0

    run(5 * ms)
    assert calls == pytest.approx([0, 1, 2, 3, 4])
    # neuron 1 is reset to 1 at every ms, so it has decayed for 1 ms at the end; neuron 0 for 5 ms
    assert group.v_ == pytest.approx([np.exp(-0.5), np.exp(-0.1)], rel=1e-12)


def test_stop_from_a_network_operation():
    start_scope()
    group = NeuronGroup(1, "dv/dt = 1/ms : 1", method="exact")

    @network_operation(dt=1 * ms)
    def halt(t):
        if t >= 3 * ms:
            stop()

    run(10 * ms)
    # as in Brian 2, the step in which stop() is called runs to its end: the group's update at t = 3 ms too
    assert group.v_[0] == pytest.approx(3.1)


def test_run_regularly_and_monitor_clock():
    start_scope()
    group = NeuronGroup(3, "dv/dt = -v/(1*ms) : 1\nI : 1", method="exact")
    group.run_regularly("I = i + 1", dt=2 * ms)
    group.run_regularly("v += I", dt=2 * ms, when="end")
    trace = StateMonitor(group, ["v", "I"], record=[0, 2], dt=1 * ms)
    net = Network(group, trace)
    net.run(6 * ms)
    assert trace.t / ms == pytest.approx([0, 1, 2, 3, 4, 5])
    # in the start slot the run_regularly operation (created first) runs before the monitor records
    assert trace.I[1] == pytest.approx([3, 3, 3, 3, 3, 3])
    # v jumps by I at the end of the steps at 0, 2 and 4 ms and decays with tau = 1 ms in between
    v_at_2ms = 3 * np.exp(-(2 - 0.1))
    assert trace.v[1][2] == pytest.approx(v_at_2ms, rel=1e-9)


def test_run_regularly_on_a_subgroup_sees_its_own_i_and_n():
    start_scope()
    group = NeuronGroup(6, "x : 1\ny : 1")
    group[2:5].run_regularly("x = i + 10*N + rand()", dt=1 * ms)
    group[1:3].run_regularly("y = i + 1")
    Network(group).run(2 * ms)
    assert np.floor(group.x_).tolist() == [0, 0, 30, 31, 32, 0]
    assert group.y_.tolist() == [0, 1, 2, 0, 0, 0]


def test_run_regularly_errors():
    start_scope()
    group = NeuronGroup(1, "v : volt")
    with pytest.raises(UnknownNameError, match="'w', which is not a variable"):  # 'w = 1' would define a temporary
        group.run_regularly("w += 1")
    group.run_regularly("v = 3*ms")
    with pytest.raises(DimensionMismatchError, match="run_regularly"):
        Network(group).run(1 * ms)


def test_monitors_of_a_slower_group_report_its_times():
    start_scope()
    fast = NeuronGroup(1, "v : 1")
    slow = NeuronGroup(2, "dv/dt = 1/ms : 1", threshold="v > 2.5", reset="v = 0", method="euler", dt=1 * ms)
    spikes = SpikeMonitor(slow)
    rate = PopulationRateMonitor(slow)
    trace = StateMonitor(slow, "v", record=0)
    Network(fast, slow, spikes, rate, trace).run(8 * ms)
    # v = 1, 2, 3 -> spike at the steps of 2, 5 ms (the threshold sees the value after the update)
    assert spikes.t / ms == pytest.approx([2, 2, 5, 5])
    assert trace.t / ms == pytest.approx(np.arange(8))
    assert trace.v[0].tolist() == [0, 1, 2, 0, 1, 2, 0, 1]
    assert rate.t / ms == pytest.approx(np.arange(8)) and rate.rate_[2] == pytest.approx(1000)


def test_clock_that_is_not_a_multiple():
    start_scope()
    group = NeuronGroup(1, "v : 1")
    trace = StateMonitor(group, "v", record=0, dt=0.25 * ms)
    Network(group, trace).run(1 * ms)  # 0.1 ms and 0.25 ms: the network steps by 0.05 ms
    assert trace.t_ == pytest.approx([0, 0.25e-3, 0.5e-3, 0.75e-3])
    odd = StateMonitor(group, "v", record=0, dt=0.1 * ms * math.pi)
    with pytest.raises(ModelError, match="no common multiple"):
        Network(group, odd).run(1 * ms)


def test_profile_report_and_progress(capsys):
    start_scope()
    group = NeuronGroup(10, "dv/dt = (2 - v)/(10*ms) : 1", threshold="v > 1", reset="v = 0", method="exact")
    net = Network(group)
    seen = []
    net.run(5 * ms, profile=True, report=lambda elapsed, done, start, duration: seen.append(done))
    summary = net.profiling_summary()
    assert "neurongroup" in summary and "stateupdater" in summary and "%" in summary
    assert seen and seen[-1] == 1.0
    net.run(1 * ms, report="text")
    assert "(100%) simulated" in capsys.readouterr().out
    net.run(1 * ms, report="progress")
    assert "step" in capsys.readouterr().err
    with pytest.raises(ModelError, match="unknown report"):
        net.run(1 * ms, report="loud")


def test_ctrl_c_stops_cleanly_keeping_records():
    start_scope()
    group = NeuronGroup(1, "dv/dt = 1/ms : 1", method="exact")
    trace = StateMonitor(group, "v", record=0)

    @network_operation(dt=2 * ms)
    def interrupt(t):
        if t >= 4 * ms:
            os.kill(os.getpid(), signal.SIGINT)

    run(100 * ms)
    assert 4 <= group.v_[0] < 8  # stopped at the next chunk boundary after the interrupt
    assert len(trace.t) == round(group.v_[0] / 0.1)


def test_defaultclock_and_group_dt():
    start_scope()
    previous = defaultclock.dt
    try:
        defaultclock.dt = 0.5 * ms
        slow = NeuronGroup(1, "dv/dt = 1/ms : 1", method="exact", dt=1 * ms)
        fast = NeuronGroup(1, "dv/dt = 1/ms : 1", method="exact")
        trace = StateMonitor(fast, "v", record=0)
        Network(slow, fast, trace).run(3 * ms)
        assert trace.t / ms == pytest.approx([0, 0.5, 1, 1.5, 2, 2.5])
        assert slow.v_[0] == pytest.approx(3) and fast.v_[0] == pytest.approx(3)
        with pytest.raises(ModelError, match="must be a time"):
            defaultclock.dt = 0.1
    finally:
        defaultclock.dt = previous


def test_get_and_set_states():
    start_scope()
    group = NeuronGroup(3, "v : volt\nw : 1")
    group.set_states({"v": [1, 2, 3] * mV, "w": [4, 5, 6]})
    states = group.get_states(["v", "w"])
    assert np.allclose(states["v"] / mV, [1, 2, 3])
    assert np.allclose(states["w"], [4, 5, 6])


def test_clock_variables_in_strings():
    start_scope()
    group = NeuronGroup(1, "steps : 1\nlast_t : second")
    group.run_regularly("steps = t_in_timesteps\nlast_t = t", dt=1 * ms)
    run(3.5 * ms)
    # the operation's own clock (1 ms) counts the steps: it last ran at t = 3 ms, its step 3
    assert group.steps_[0] == 3 and group.last_t_[0] == pytest.approx(3e-3)


def test_scheduling_summary_and_membership():
    start_scope()
    group = NeuronGroup(2, "dv/dt = -v/(10*ms) : 1", threshold="v > 1", reset="v = 0", method="exact")
    trace = StateMonitor(group, "v", record=0)
    summary = Network(group, trace).scheduling_summary()
    rows = [line.split()[0] for line in summary.splitlines()[2:]]
    assert rows == [trace.name, f"{group.name}_stateupdater", f"{group.name}_spike_thresholder",
                    f"{group.name}_spike_resetter"]
    with pytest.raises(ModelError, match="not part of the network"):
        Network(trace).run(1 * ms)
    with pytest.raises(ModelError, match="not a simcore object"):
        Network(group, "v")
