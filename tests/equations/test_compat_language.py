"""Brian 2's statement language: empty code, temporaries, booleans, integer subexpressions, exprel in Python."""

import numpy as np
import pytest

from simcore import (
    DimensionMismatchError,
    NeuronGroup,
    ParseError,
    SpikeMonitor,
    StateMonitor,
    Synapses,
    UnknownNameError,
    defaultclock,
    ms,
    mV,
    run,
    start_scope,
    volt,
)
from simcore.equations import Equations, parse_statements
from simcore.equations.numeric import exprel


@pytest.fixture(autouse=True)
def _scope():
    start_scope()


# --- empty code strings ------------------------------------------------------------------------------------

def test_code_of_only_white_space_and_comments_holds_no_statements():
    assert len(parse_statements("")) == 0
    assert len(parse_statements("  \n   # nothing to do\n\n")) == 0
    assert [s.target for s in parse_statements("# first\nv = 1  # set\n\n")] == ["v"]


def test_an_empty_reset_leaves_the_values_and_the_spikes_happen():
    group = NeuronGroup(2, "v : 1\ncount : 1", threshold="v > 0.5", reset="")
    group.v = [0, 1]
    group.run_regularly("count += 1.0*(v > 0.5)", when="end")
    run(3 * defaultclock.dt)
    assert list(group.v[:]) == [0, 1]  # no reset: v stays above threshold
    assert list(group.count[:]) == [0, 3]


def test_empty_run_regularly_code_and_empty_on_pre_do_nothing():
    group = NeuronGroup(2, "v : 1")  # no threshold: on_pre='' must not ask for spikes
    group.v = [1, 2]
    group.run_regularly("   # nothing\n")
    synapses = Synapses(group, group, "w : 1", on_pre="")
    synapses.connect()
    run(2 * defaultclock.dt)
    assert list(group.v[:]) == [1, 2]
    assert len(synapses) == 4


# --- temporaries -------------------------------------------------------------------------------------------

def test_an_assignment_to_an_unknown_name_defines_a_temporary_in_run_regularly():
    r = 99.0  # noqa: F841  (a constant of the same name must not be read: the temporary wins)
    group = NeuronGroup(2, "v : 1\nx : 1")
    group.v = [1, 2]
    group.run_regularly("r = v*2\nx = r + 1\nr = r*10\nv = r")
    run(defaultclock.dt)
    assert list(group.x[:]) == [3, 5]
    assert list(group.v[:]) == [20, 40]


def test_a_temporary_in_on_pre_as_in_tsodyks_markram():
    source = NeuronGroup(1, "dv/dt = 1000/second : 1", threshold="v > 0.5", reset="v = 0")
    target = NeuronGroup(1, "g : 1")
    synapses = Synapses(source, target, "u : 1\nx : 1\nw : 1", on_pre="r = u*x\nx -= r\ng += w*r")
    synapses.connect()
    synapses.u = 0.25
    synapses.x = 1
    synapses.w = 2
    spikes = SpikeMonitor(source)
    run(2 * ms)
    assert spikes.num_spikes >= 2
    x = 1.0
    g = 0.0
    for _ in range(spikes.num_spikes):
        r = 0.25 * x
        x -= r
        g += 2 * r
    assert synapses.x[:] == pytest.approx([x])
    assert target.g[:] == pytest.approx([g])


def test_a_temporary_takes_the_units_of_its_value():
    group = NeuronGroup(2, "v : 1\nx : 1\ny : volt")
    group.v = [1, 2]
    group.run_regularly("q = v*mV\nx = q/volt\ny = q")
    run(defaultclock.dt)
    assert group.x[:] == pytest.approx([1e-3, 2e-3])
    assert group.y[:] / mV == pytest.approx([1, 2])
    start_scope()
    wrong = NeuronGroup(1, "x : 1")
    wrong.run_regularly("q = 3*mV\nx = q")
    with pytest.raises(DimensionMismatchError, match="'x = q'"):
        run(defaultclock.dt)


def test_augmented_assignment_to_an_unknown_name_stays_an_error():
    group = NeuronGroup(1, "v : 1")
    with pytest.raises(UnknownNameError, match="'q', which is not a variable"):
        group.run_regularly("q += 1")
    with pytest.raises(ParseError, match="names a module that generated code uses"):
        group.run_regularly("np = v")
    with pytest.raises(UnknownNameError, match="'q', which is not a variable"):
        NeuronGroup(1, "v : 1", threshold="v > 1", reset="q *= 2")


def test_a_temporary_is_not_looked_up_in_the_namespace():
    group = NeuronGroup(1, "v : 1", threshold="v > 0.5", reset="tmp = v/2\nv = tmp")
    group.v = 3
    run(defaultclock.dt)  # 'tmp' is not defined anywhere: no unknown name
    assert group.v[:] == pytest.approx([1.5])


# --- booleans in statements ---------------------------------------------------------------------------------

def test_true_and_false_as_statement_values():
    group = NeuronGroup(2, "v : 1\nb : boolean", threshold="v > 1", reset="b = False\nv = 0")
    group.run_regularly("b = True\nv += 1", when="start")
    run(defaultclock.dt)
    assert list(group.b[:]) == [True, True]
    run(defaultclock.dt)  # v reaches 2: the reset sets b back
    assert list(group.b[:]) == [False, False]
    assert list(group.v[:]) == [0, 0]


# --- integer subexpressions ---------------------------------------------------------------------------------

def test_an_integer_subexpression_is_truncated_towards_zero():
    group = NeuronGroup(4, "x : 1\nhalf = x/2 : integer\nfloor_half = x//2 : integer\ntwice = 2*half : 1")
    group.x = [1, 3, 5.5, -3]
    assert list(group.half[:]) == [0, 1, 2, -1]
    assert list(group.floor_half[:]) == [0, 1, 2, -2]
    monitor = StateMonitor(group, ["half", "twice"], record=True)
    run(defaultclock.dt)
    assert list(monitor.half[:, 0]) == [0, 1, 2, -1]
    assert list(monitor.twice[:, 0]) == [0, 2, 4, -2]


def test_an_integer_subexpression_prints_and_reads_back_the_same():
    equations = Equations("x : 1\nhalf = x/2 : integer\nwhole = floor(x) : integer")
    assert str(equations["half"]) == "half = int(x/2) : integer"
    assert str(equations["whole"]) == "whole = floor(x) : integer"  # whole already: no int() around it
    assert Equations(str(equations)) == equations


# --- the language's functions in Python ----------------------------------------------------------------------

def test_exprel_in_python_is_unit_aware_and_exact_near_zero():
    values = np.array([-1, -0.5, 0, 0.5, 1])
    assert exprel(values) == pytest.approx(np.where(values == 0, 1, np.expm1(values) / np.where(values, values, 1)))
    assert exprel(0) == 1.0
    assert exprel(1e-20) == 1.0
    assert exprel(2 * mV / volt) == pytest.approx(np.expm1(2e-3) / 2e-3, rel=1e-15)
    with pytest.raises(DimensionMismatchError, match="dimensionless"):
        exprel(2 * mV)


def test_equations_as_a_mapping_from_name_to_equation():
    equations = Equations("dv/dt = -v/(10*ms) : volt\nI = v/(1*ohm) : amp\ntau : second")
    assert equations.keys() == ("v", "I", "tau")
    assert [eq.name for eq in equations.values()] == ["v", "I", "tau"]
    assert dict(equations.items())["I"] is equations["I"]
