"""Synapses as Brian 2 scripts use them: raw string assignment, summed-variable refusals, summed variables that
set linked variables, event-driven/clock-driven dependencies, and 'lastupdate' without event-driven equations."""

import numpy as np
import pytest

from simcore import Network, NeuronGroup, Synapses, linked_var, ms, volt
from simcore.errors import EquationError, ModelError
from simcore.units.errors import DimensionMismatchError


@pytest.fixture
def neurons():
    return NeuronGroup(4, """
        dv/dt = -v / (10*ms) : volt
        sub = 2*v : volt
        p : volt
        """)


def test_raw_string_assignment_evaluates_without_units():
    group = NeuronGroup(3, "v : volt")
    group.v = "i*mV"
    synapses = Synapses(group, group, "w : volt")
    synapses.connect()
    synapses.w_ = "i + 2*j"
    np.testing.assert_allclose(synapses.w_, synapses.i[:] + 2 * synapses.j[:])
    synapses.w = 0 * volt
    synapses.w_[:] = "i"
    np.testing.assert_allclose(synapses.w_, synapses.i[:])
    synapses.w_["i == 1"] = "v_post / volt * 1000"  # v_post: the target's v, in SI (volt)
    np.testing.assert_allclose(synapses.w_, np.where(synapses.i[:] == 1, synapses.j[:], synapses.i[:]), atol=1e-12)
    group.v_[1:] = "10*i"
    np.testing.assert_allclose(group.v_, [0, 10, 20])


@pytest.mark.parametrize("model, error, words", [
    ("q_post = 3*volt : volt (summed)", ValueError, "needs a parameter 'q'"),
    ("sub_post = 3*volt : volt (summed)", ValueError, "needs a parameter 'sub'"),
    ("v_post = 3*volt : volt (summed)", ValueError, "must be a parameter"),
    ("p_post = 3*ms : second (summed)", DimensionMismatchError, "has units of second"),
    ("p_post = 3*volt : volt (summed)\np_pre = 3*volt : volt (summed)", ValueError,
     "'p_post' and 'p_pre' .* both set 'p'"),
])
def test_summed_variable_refusals_are_brian_types(neurons, model, error, words):
    with pytest.raises(error, match=words) as info:
        Synapses(neurons, neurons, model)
    assert isinstance(info.value, ModelError) or error is DimensionMismatchError


def test_summed_variables_of_disjoint_subgroups_are_accepted(neurons):
    synapses = Synapses(neurons[:2], neurons[2:], "p_post = 1*mV : volt (summed)\np_pre = 2*mV : volt (summed)")
    assert synapses.N == 0


@pytest.mark.parametrize("model, words", [
    ("ds/dt = -s/(3*ms) : volt (event-driven)\np_post = s : volt (summed)",
     r"summed variable 'p_post' .* event-driven variable 's'"),
    ("ds/dt = -s/(3*ms) : volt (event-driven)\nx = s : volt\ny = x : volt\np_post = y : 1 (summed)",
     r"summed variable 'p_post' .* event-driven variable 's' \(through 'y', 'x'\)"),
    ("da/dt = -a/(5*ms) : 1 (clock-driven)\ndb/dt = -b/(5*ms) : 1 (clock-driven)\n"
     "dc/dt = a*b/(5*ms) : 1 (event-driven)", r"event-driven variable 'c' .* clock-driven variable 'a'"),
    ("da/dt = -a/(5*ms) : 1\nb = a : 1\ndc/dt = b/(5*ms) : 1 (event-driven)",
     r"event-driven variable 'c' .* clock-driven variable 'a' \(through 'b'\)"),
    ("ds/dt = -s/(3*ms) : 1 (event-driven)\ndf/dt = f*s/(5*ms) : 1 (clock-driven)",
     r"clock-driven variable 'f' .* event-driven variable 's'"),
])
def test_event_and_clock_driven_variables_cannot_depend_on_each_other(neurons, model, words):
    # the neurons have no threshold: the equations are refused first, as in Brian 2
    with pytest.raises(EquationError, match=words):
        Synapses(neurons, neurons, model, on_pre="s += 1" if "ds/dt" in model else "a += 1")


def test_event_driven_reading_event_driven_is_accepted():
    group = NeuronGroup(1, "v : 1", threshold="False")
    synapses = Synapses(group, group, "da/dt = -a/(5*ms) : 1 (event-driven)\ndc/dt = a/(5*ms) : 1 (event-driven)\n"
                        "x = a + c : 1", on_pre="a += 1")
    assert "lastupdate" in synapses.variables


@pytest.fixture(scope="module")
def linked_targets():
    """One compiled model: a summed variable that sets a linked parameter (reused by the tests below)."""
    source = NeuronGroup(1, "")
    target1 = NeuronGroup(3, "v : 1")
    target2 = NeuronGroup(3, "v : 1 (linked)")
    target2.v = linked_var(target1.v)
    synapses = Synapses(source, target2, "v_post = 2 : 1 (summed)")
    synapses.connect(i=[0, 0], j=[0, 2])
    net = Network(source, target1, target2, synapses)
    net.run(0.1 * ms)
    return target1, target2


def test_summed_variable_sets_the_variable_a_link_reads(linked_targets):
    target1, target2 = linked_targets
    np.testing.assert_array_equal(target1.v[:], [2, 0, 2])
    np.testing.assert_array_equal(target2.v[:], [2, 0, 2])


def test_two_summed_variables_setting_one_variable_through_a_link_are_refused():
    source = NeuronGroup(1, "")
    target1 = NeuronGroup(3, "v : 1")
    target2 = NeuronGroup(3, "v : 1 (linked)")
    target2.v = linked_var(target1.v)
    first = Synapses(source, target1, "v_post = 1 : 1 (summed)")
    first.connect()
    second = Synapses(source, target2, "v_post = 1 : 1 (summed)")
    second.connect()
    with pytest.raises(NotImplementedError, match="both set 'v'"):
        Network(source, target1, target2, first, second).run(0 * ms)


def test_summed_variable_through_an_indexed_link_is_refused():
    source = NeuronGroup(1, "")
    target1 = NeuronGroup(3, "v : 1")
    target2 = NeuronGroup(2, "v : 1 (linked)")
    target2.v = linked_var(target1.v, index=np.array([2, 0]))
    synapses = Synapses(source, target2, "v_post = 1 : 1 (summed)")
    synapses.connect()
    with pytest.raises(NotImplementedError, match="linked to 'v'"):
        Network(source, target1, target2, synapses).run(0 * ms)


@pytest.mark.parametrize("regularly", [False, True])
def test_lastupdate_without_event_driven_equations_is_explained(regularly):
    group = NeuronGroup(1, "v : 1", threshold="False")
    code = "w += exp(-lastupdate/dt)"
    synapses = Synapses(group, group, "w : 1", on_pre=None if regularly else code)
    synapses.connect()
    if regularly:
        synapses.run_regularly(code)
    with pytest.raises(KeyError, match=r"'lastupdate : second'.*'lastupdate = t'"):
        Network(group, synapses).run(0 * ms)
