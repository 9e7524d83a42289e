"""The plan stage: a network's objects -> ordered operations with their slots and ticks, and the run-time
constants; printable, and dumped by SIMCORE_DUMP before a run compiles."""

import numpy as np
import pytest
import scipy.linalg

from simcore import (
    Network,
    NeuronGroup,
    SpikeMonitor,
    StateMonitor,
    Synapses,
    defaultclock,
    ms,
    mV,
    network_operation,
    start_scope,
)
from simcore.backends.cpu import CpuBackend
from simcore.errors import ModelError, ModelValueError, UnknownNameError
from simcore.ir import ResetDetails, StateUpdateDetails, ThresholdDetails, constant_name
from simcore.plan import build_plan, check_units, lower, resolve_names, run_constants, schedule
from simcore.plan.schedule import base_dt, slot_ranks

TAU = 10 * ms


@pytest.fixture
def network():
    start_scope()
    defaultclock.dt = 0.1 * ms
    group = NeuronGroup(3, """dv/dt = (w - v)/tau : 1
                              dw/dt = -w/(2*tau) : 1""", threshold="v > 0.5", reset="v = 0", method="exact",
                        namespace={"tau": TAU}, name="cells")
    group.w = 2.0
    synapses = Synapses(group, group, "k : 1", on_pre="v += k", name="links")
    synapses.connect(i=0, j=[1, 2])
    spikes = SpikeMonitor(group, name="spikes")
    trace = StateMonitor(group, "v", record=0, dt=0.2 * ms, name="trace")

    @network_operation(when="end", name="hook")
    def hook():
        pass

    return Network(group, synapses, spikes, trace, hook)


def test_plan_orders_operations_by_slot_and_gives_each_its_ticks(network):
    plan = network.plan()
    assert plan.dt == pytest.approx(1e-4)
    assert [(op.owner, op.when) for op in plan.operations] == [
        ("trace", "start"), ("cells", "groups"), ("cells", "thresholds"), ("spikes", "thresholds"),
        ("links", "synapses"), ("cells", "resets")]
    assert [type(op.details) for op in plan.operations[1:3]] == [StateUpdateDetails, ThresholdDetails]
    assert isinstance(plan.operations[5].details, ResetDetails)
    assert [op.ticks for op in plan.operations] == [2, 1, 1, 1, 1, 1]  # the monitor's 0.2 ms on the 0.1 ms grid
    assert [due.operation.name for due in plan.python_operations] == ["hook"]
    assert plan.python_operations[0].position == 6  # at 'end': after every compiled operation


def test_plan_computes_the_matrix_exponential_of_exact_linear_systems(network):
    plan = network.plan()
    dt, tau = 1e-4, float(TAU / ms) * 1e-3
    expected = scipy.linalg.expm(np.array([[-1 / tau, 1 / tau], [0, -1 / (2 * tau)]]) * dt)
    entries = sorted(name for name in plan.constants if "_expm" in name)
    assert len(entries) == 9  # v, w and the constant term
    values = np.array([plan.constants[name] for name in entries]).reshape(3, 3)
    # the solver orders the variables alphabetically (v, w); row i gives variable i after one step
    np.testing.assert_allclose(values[:2, :2], expected, rtol=1e-12, atol=1e-15)
    np.testing.assert_array_equal(values[2], [0, 0, 1])
    assert plan.constants[constant_name("cells", "tau")] == pytest.approx(tau)


def test_plan_stages_compose_to_build_plan(network):
    objects, ranks = network.objects, slot_ranks(network.schedule)
    base = base_dt(objects)
    names = resolve_names(None, {})
    check_units(objects, names)
    operations = lower(objects, names, ranks, base)
    constants = run_constants(names, operations, objects, base)
    ordered, due = schedule(operations, objects, ranks, base)
    whole = build_plan(objects, None, {}, ranks)
    assert [op.name for op in ordered] == [op.name for op in whole.operations]
    assert constants.keys() == whole.constants.keys()
    assert [d.position for d in due] == [d.position for d in whole.python_operations]


def test_plan_prints_a_table_of_operations_and_constants(network):
    text = str(network.plan())
    lines = text.splitlines()
    assert lines[0] == "Plan: 6 compiled operations per step of 0.1 ms"
    rows = [line.split() for line in lines[4:lines.index("", 2)]]
    assert [row[:2] for row in rows] == [["0", "start"], ["1", "groups"], ["2", "thresholds"], ["3", "thresholds"],
                                         ["4", "synapses"], ["5", "resets"], ["-", "end"]]
    assert rows[0][3:5] == ["0.2", "ms"]  # the monitor every 0.2 ms
    assert "hook" in rows[6] and "(Python)" in rows[6]
    assert "Run-time constants (10):" in text
    assert any(line.split()[:2] == ["cells__tau", "0.01"] for line in lines)


def test_unknown_name_is_reported_by_the_plan_before_anything_compiles():
    start_scope()
    group = NeuronGroup(1, "dv/dt = -v/tau_missing_here : 1", name="lonely")
    with pytest.raises(UnknownNameError, match="tau_missing_here"):
        Network(group).plan()


def test_simcore_dump_prints_plan_and_source_before_the_run(network, monkeypatch, capsys):
    monkeypatch.setenv("SIMCORE_DUMP", "plan,source")
    network.run(1 * ms)
    out = capsys.readouterr().out
    assert out.index("Plan: 6 compiled operations") < out.index("def run_chunk(")
    assert "# dv/dt = (w - v)/tau" in out  # the source shows the equations as comments
    assert network.t == 1 * ms


def test_unknown_simcore_dump_value_is_refused_before_the_run(network, monkeypatch):
    monkeypatch.setenv("SIMCORE_DUMP", "plna")
    with pytest.raises(ModelValueError, match=r"SIMCORE_DUMP='plna': unknown \['plna'\]"):
        network.run(1 * ms)
    assert network.t == 0 * ms


def test_a_kernel_parameter_no_object_provides_fails_before_compiling(network, monkeypatch):
    group = network["cells"]
    arrays = group.kernel_arrays()
    renamed = {name.replace("_v", "_volt") if name.endswith("_v") else name: value for name, value in arrays.items()}
    assert renamed != arrays
    original = type(group).kernel_arrays
    monkeypatch.setattr(type(group), "kernel_arrays", lambda self: renamed if self is group else original(self))
    compiled = []
    monkeypatch.setattr(CpuBackend, "compile", lambda *args: compiled.append(args))
    with pytest.raises(ModelError, match=r"the generated kernels take \['__cells_v'\], which no object"):
        network.run(1 * ms)
    assert not compiled and network.t == 0 * ms


def test_magic_network_plans_what_run_would_simulate():
    start_scope()
    group = NeuronGroup(2, "dv/dt = -v/(5*ms) : volt", threshold="v > 1*mV", reset="v = 0*mV", name="solo")
    group.v = 2 * mV
    from simcore.magic import magic_network
    plan = magic_network.plan()
    assert [op.owner for op in plan.operations] == ["solo"] * 3
