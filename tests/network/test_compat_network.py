"""Networks as Brian 2 scripts use them: schedule slots, network operations anywhere in a step, clocks,
the magic network, access by name, states, profiles, reports, dt changes between runs."""

import gc
import math

import numpy as np
import pytest

from simcore import (
    Clock,
    Network,
    NeuronGroup,
    SpikeMonitor,
    StateMonitor,
    defaultclock,
    ms,
    network_operation,
    prefs,
    restore,
    run,
    second,
    start_scope,
    store,
)
from simcore.errors import ModelError, ModelKeyError, ModelTypeError, ModelValueError
from simcore.magic import (
    MagicError,
    MagicNetwork,
    magic_network,
    profiling_summary,
    scheduling_summary,
)
from simcore.objects.base import EventClock, collect
from simcore.objects.network_operation import NetworkOperation

DECAY = "dv/dt = 1/ms : 1"  # v grows by 0.1 per step of 0.1 ms (exact)


@pytest.fixture(autouse=True)
def fresh_scope():
    start_scope()
    defaultclock.dt = 0.1 * ms
    yield
    defaultclock.dt = 0.1 * ms
    prefs.core.network.default_schedule = ["start", "groups", "thresholds", "synapses", "resets", "end"]


def test_a_group_of_parameters_only_runs_and_is_profiled():
    group = NeuronGroup(1, "")
    net = Network(group)
    net.run(1 * ms, profile=True)
    run(0.5 * ms)
    assert float(net.t / ms) == pytest.approx(1.0)
    assert float(magic_network.t / ms) == pytest.approx(1.5)  # the objects continue from their time


def test_network_operations_at_before_and_after_slots_see_the_step_in_between():
    group = NeuronGroup(1, DECAY, method="exact")
    seen = []

    @network_operation(when="before_groups")
    def before():
        seen.append(("before", round(float(group.v_[0]), 6)))

    @network_operation(when="after_groups", order=1)
    def after(t):
        seen.append(("after", round(float(group.v_[0]), 6), round(float(t / ms), 6)))

    @network_operation(when="end", order=-1)
    def last():
        seen.append(("end",))

    Network(group, before, after, last).run(0.2 * ms)
    assert seen == [("before", 0.0), ("after", 0.1, 0.0), ("end",), ("before", 0.1), ("after", 0.2, 0.1), ("end",)]
    assert float(group.v_[0]) == pytest.approx(0.2)


def test_order_then_name_break_ties_as_in_brian2():
    seq = []
    ops = [NetworkOperation(lambda: seq.append("a"), name="op_1"), NetworkOperation(lambda: seq.append("a"),
                                                                                    name="op_3"),
           NetworkOperation(lambda: seq.append("b"), name="op_2"),
           NetworkOperation(lambda: seq.append("c"), when="start", order=-1, name="op_9")]
    Network(*ops).run(0.2 * ms)
    assert "".join(seq) == "cabacaba"


def test_schedule_read_assigned_and_custom_slots():
    seq = []
    group = NeuronGroup(1, DECAY, method="exact")
    first = NetworkOperation(lambda: seq.append(round(float(group.v_[0]), 6)), when="in_between", name="mid")
    net = Network(group, first)
    assert net.schedule == ["start", "groups", "thresholds", "synapses", "resets", "end"]
    with pytest.raises(ModelValueError, match="in_between"):
        net.run(0.1 * ms)
    net.schedule = ["start", "in_between", "groups", "thresholds", "synapses", "resets", "end"]
    net.run(0.2 * ms)
    assert seq == [0.0, 0.1]  # before the group's update
    net.schedule = ["start", "groups", "in_between", "thresholds", "synapses", "resets", "end"]
    net.run(0.1 * ms)
    assert seq[-1] == pytest.approx(0.3)  # after it
    net.schedule = None
    assert net.schedule == list(prefs.core.network.default_schedule)
    prefs.core.network.default_schedule = ["end", "resets", "synapses", "thresholds", "groups", "start"]
    assert net.schedule[0] == "end"  # the preference is read when the schedule is
    with pytest.raises(ModelValueError):
        prefs.core.network.default_schedule = ["start", "after_start"]


@pytest.mark.parametrize("bad, error", [(object(), ModelTypeError), (1, ModelTypeError), ({"a", "b"}, ModelTypeError),
                                        (["start", 1], ModelTypeError), (["start", "after_start"], ModelValueError),
                                        (["before_start", "start"], ModelValueError)])
def test_bad_schedules_are_refused_with_brian2s_exceptions(bad, error):
    net = Network()
    with pytest.raises(error):
        net.schedule = bad
    assert net.schedule[0] == "start"


def test_scheduling_summary_lists_brian2_names_in_order_with_inactive_ones():
    group = NeuronGroup(2, DECAY, threshold="v > 1", reset="v = 0", method="exact", name="cells")
    trace = StateMonitor(group, "v", record=0, name="trace")
    idle = StateMonitor(group, "v", record=0, name="idle", when="after_end")
    idle.active = False
    op = NetworkOperation(lambda: None, when="before_end", name="hook", dt=0.2 * ms)
    summary = scheduling_summary(Network(group, trace, idle, op))
    assert [e.name for e in summary.entries] == ["trace", "cells_stateupdater", "cells_spike_thresholder",
                                                 "cells_spike_resetter", "hook", "idle"]
    assert [e.when for e in summary.entries] == ["start", "groups", "thresholds", "resets", "before_end", "after_end"]
    assert [e.active for e in summary.entries] == [True] * 5 + [False]
    assert [float(e.dt / ms) for e in summary.entries] == pytest.approx([0.1] * 4 + [0.2, 0.1])
    assert "cells_stateupdater" in summary and "<table>" in summary._repr_html_()
    assert [e.name for e in scheduling_summary().entries][0] == "trace"  # the magic network's


def test_network_operation_names_arguments_and_clocks():
    gc.collect()
    assert NetworkOperation(lambda: None).name == "networkoperation"  # Brian 2's name: that of no living object

    class Holder:
        def method(self):
            pass

        def two(self, x, y):
            pass

    assert NetworkOperation(Holder().method).name == "method"
    with pytest.raises(ModelTypeError):
        NetworkOperation(Holder().two)
    with pytest.raises(ModelTypeError):
        NetworkOperation(lambda x, y: None)
    with pytest.raises(ModelTypeError):
        NetworkOperation("not callable")


def test_stop_finishes_the_step_and_time_moves_to_the_next_tick_of_any_clock():
    fast, slow = Clock(dt=0.2 * ms), Clock(dt=0.3 * ms)
    times = []

    def record():
        times.append(round(float(fast.t / ms), 6))

    def finish():
        if slow.t >= 0.3 * ms and len(times) < 3:
            net.stop()

    net = Network(NetworkOperation(record, clock=fast), NetworkOperation(finish, clock=slow))
    net.run(1 * ms)
    assert times == [0, 0.2] and float(net.t / ms) == pytest.approx(0.4)
    net.run(0.6 * ms)
    assert times == [0, 0.2, 0.4, 0.6, 0.8] and float(net.t / ms) == pytest.approx(1.0)


def test_event_clock_operations_run_at_its_times():
    ticks = []
    clock = EventClock([0.5, 2.5, 4] * ms)
    regular = NetworkOperation(lambda t: ticks.append(("x", round(float(t / ms), 6))), dt=1 * ms)
    event = NetworkOperation(lambda t: ticks.append(("y", round(float(t / ms), 6))), clock=clock, order=1)
    Network(regular, event).run(5 * ms)
    assert "".join(name for name, _ in ticks) == "xyxxyxxy"
    assert [t for name, t in ticks if name == "y"] == [0.5, 2.5, 4.0]
    assert float(clock[1] / ms) == pytest.approx(2.5)
    off = NetworkOperation(lambda: None, clock=EventClock([0.1 * math.pi] * ms))
    with pytest.raises(ModelValueError, match="not a whole multiple"):
        Network(off, NetworkOperation(lambda: None)).run(1 * ms)


def test_clock_time_interval_and_variables():
    clock = Clock(dt=1 * ms)
    assert clock.t == 0 * second and clock.timestep == 0
    clock.set_interval(0 * ms, 2 * ms)
    clock.advance()
    clock.advance()
    assert float(clock.t / ms) == 2
    with pytest.raises(StopIteration):
        clock.advance()
    assert clock.variables["t"].dtype == np.float64 and clock.variables["t"].get_value()[0] == pytest.approx(2e-3)
    event = EventClock([0, 1] * ms)
    event.advance()
    assert clock.same_time(Clock(dt=2 * ms)) is False and event.same_time(Clock(dt=1 * ms)) is False
    group = NeuronGroup(1, "v : 1")
    Network(group).run(1.5 * ms)
    assert float(defaultclock.t / ms) == pytest.approx(1.5)


def _cycle_group():
    """A group kept alive only by a reference cycle once the caller drops it."""
    group = NeuronGroup(1, DECAY, method="exact")
    cycle = [group]
    cycle.append(cycle)
    return group


def _loop_of_runs(times: int) -> list[float]:
    """A script's loop that rebinds its names and calls run() each time: each run sees its own group only."""
    values = []
    for _ in range(times):
        group = _cycle_group()
        run(0.3 * ms)
        values += [float(group.v_[0]), float(magic_network.t / ms), len(collect())]
    return values


def test_magic_run_ignores_objects_kept_alive_only_by_cycles():
    assert _loop_of_runs(3) == pytest.approx([0.3, 0.3, 1] * 3)  # a new network each loop, from t = 0
    assert collect() == []  # and none is kept alive by the magic network


def test_magic_network_is_not_an_explicit_network():
    group = NeuronGroup(1, "v : 1")
    with pytest.raises(MagicError):
        magic_network.add(group)
    with pytest.raises(MagicError):
        magic_network.remove(group)
    with pytest.raises(ModelValueError):
        MagicNetwork()
    with pytest.raises(ModelTypeError):
        Network("not an object")
    with pytest.raises(TypeError):
        Network(name="net", unknown=1)


def test_access_by_name_membership_iteration_and_deletion():
    group = NeuronGroup(1, "v : 1", name="cells")
    other = NeuronGroup(1, "v : 1", name="others")
    net = Network(group)
    assert net["cells"] is group and "cells" in net and group in net and "others" not in net and other not in net
    assert list(net) == [group] and len(net) == 1
    with pytest.raises(ModelKeyError):
        net["nothing"]
    with pytest.raises(ModelTypeError):
        net[0]
    del net["cells"]
    assert len(net) == 0
    with pytest.raises(KeyError):
        del net["cells"]


def test_get_and_set_states_of_the_network():
    group = NeuronGroup(3, "v : 1", name="cells")
    group.v = "i"
    net = Network(group)
    states = net.get_states(read_only_variables=False)
    assert set(states) == {"cells"} and list(states["cells"]) == ["v"]
    assert {"i", "N", "t", "dt", "v", "t_in_timesteps"} <= set(net.get_states()["cells"])
    assert set(magic_network.get_states()) == {"cells"}
    group.v = 0
    net.set_states(states)
    assert list(group.v_) == [0, 1, 2]


def test_profiling_info_names_operations_as_brian2():
    group = NeuronGroup(2, DECAY, threshold="v > 1", reset="v = 0", method="exact", name="prof")
    net = Network(group)
    with pytest.raises(ModelValueError):
        profiling_summary(net)
    net.run(0.5 * ms, profile=True)
    names = dict(net.profiling_info)
    # a profiled run keeps the state update and the threshold apart (each its own time, as Brian 2 lists them)
    assert set(names) == {"prof_stateupdater", "prof_spike_thresholder", "prof_spike_resetter"}
    assert all(float(t / second) >= 0 for t in names.values())
    assert "prof_stateupdater" in profiling_summary(net) and "<table>" in profiling_summary(net)._repr_html_()
    assert "__and_threshold" not in net.source()
    net.run(0.1 * ms)
    assert "def prof_stateupdater__and_threshold(" in net.source()


def test_inactive_objects_are_left_out_and_their_events_cleared():
    always = NeuronGroup(1, "", threshold="True")
    spikes = SpikeMonitor(always)
    grows = NeuronGroup(1, DECAY, method="exact")
    net = Network(always, spikes, grows)
    net.run(0.1 * ms)
    always.active = grows.active = False
    net.run(0.2 * ms)
    assert spikes.t_.tolist() == [0.0] and float(grows.v_[0]) == pytest.approx(0.1)


def test_an_empty_network_advances_time_and_bad_durations_are_refused():
    net = Network()
    net.run(1 * second)
    assert float(net.t / second) == 1
    with pytest.raises(ModelValueError):
        net.run(-1 * second)
    NeuronGroup(1, "v : 1")
    with pytest.raises(ValueError):
        run(-1 * ms)


def test_reports_at_the_start_and_the_end(capsys):
    net = Network(NeuronGroup(1, "v : 1"))
    net.run(1 * ms, report="text")
    assert len(capsys.readouterr().out.strip().splitlines()) >= 2
    net.run(1 * ms, report="stderr")
    captured = capsys.readouterr()
    assert len(captured.err.strip().splitlines()) >= 2 and captured.out == ""
    calls = []
    net.run(1 * ms, report=lambda elapsed, done, start, duration: calls.append((done, float(start / ms))))
    assert calls[0] == (0.0, 2.0) and calls[-1][0] == 1.0
    with pytest.raises(ModelValueError):
        net.run(1 * ms, report="unknown")
    with pytest.raises(ModelTypeError):
        net.run(1 * ms, report=object())


def test_a_dt_change_that_leaves_t_off_the_grid_is_refused_and_restore_brings_back_dt():
    group = NeuronGroup(1, DECAY, method="exact")
    trace = StateMonitor(group, "v", record=0)
    net = Network(group, trace)
    defaultclock.dt = 0.5 * ms
    net.store()
    net.run(0.5 * ms)
    defaultclock.dt = 1 * ms
    with pytest.raises(ModelValueError, match="not a whole multiple"):
        net.run(0 * ms)
    defaultclock.dt = 0.25 * ms  # 0.5 ms is on its grid
    net.run(0.5 * ms)
    assert trace.t_ == pytest.approx([0, 0.5e-3, 0.75e-3])
    net.restore()
    assert float(defaultclock.dt / ms) == 0.5 and float(net.t / ms) == 0


def test_runs_shorter_than_dt_continue_on_the_grid():
    defaultclock.dt = 1 * ms
    group = NeuronGroup(1, DECAY, method="exact")
    trace = StateMonitor(group, "v", record=0)
    net = Network(group, trace)
    net.run(0.5 * ms)
    net.run(1.5 * ms)
    assert trace.t_ == pytest.approx([0, 1e-3]) and float(group.v_[0]) == pytest.approx(2.0)


def test_restore_draws_fresh_random_numbers_unless_asked_not_to():
    group = NeuronGroup(3, "dv/dt = xi/sqrt(ms) : 1", method="euler")
    store()
    run(0.5 * ms)
    first = np.array(group.v)  # a copy (it was a view of the values, which the next run changed)
    restore()
    run(0.5 * ms)
    assert not np.allclose(first, group.v_)
    restore(restore_random_state=True)
    run(0.5 * ms)
    again = np.array(group.v_)
    restore(restore_random_state=True)
    run(0.5 * ms)
    assert np.array_equal(again, group.v_)


def test_a_restored_state_of_other_objects_is_a_key_error():
    net = Network(NeuronGroup(1, "v : 1", name="one"))
    net.store()
    other = Network(NeuronGroup(1, "v : 1", name="two"))
    other._stored = net._stored
    with pytest.raises(KeyError):
        other.restore()
    assert isinstance(ModelKeyError("x"), ModelError)


def test_time_steps_without_a_common_multiple_are_refused():
    group = NeuronGroup(1, "v : 1", dt=0.1 * ms * math.pi)
    with pytest.raises(ModelValueError, match="no common multiple"):
        Network(group, NeuronGroup(1, "v : 1")).run(1 * ms)


def test_run_at_runs_code_at_its_times_across_runs():
    group = NeuronGroup(2, "v : 1")
    group.run_at("v += 1 + i", times=[0.2, 0.5] * ms)
    net = Network(group)
    net.run(0.2 * ms)
    assert list(group.v_) == [0, 0]  # 0.2 ms is the first step of the next run
    net.run(0.25 * ms)
    assert list(group.v_) == [1, 2]
    net.run(1 * ms)
    assert list(group.v_) == [2, 4]
    late = NeuronGroup(1, "v : 1")
    late.run_at("v = 1", times=[0.05] * ms)
    with pytest.raises(ModelValueError, match="not a whole multiple"):
        Network(late).run(1 * ms)
