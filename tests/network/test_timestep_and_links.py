"""timestep() means one thing everywhere (Brian 2's: (t + 1e-3*dt)/dt truncated toward zero), a TimedArray's row
one thing everywhere (t/dt truncated, with a relative tolerance of 1e-12), and a linked variable never reads past
its source array."""

import numpy as np
import pytest

from simcore import Network, NeuronGroup, ParseError, StateMonitor, TimedArray, linked_var, ms, start_scope

# times in units of dt, and Brian 2's timestep for them: (x + 0.001) truncated toward zero
STEPS = {-2.0: -1, -1.5: -1, -1.0: 0, -0.5: 0, -0.0005: 0, 0.0: 0, 0.0005: 0, 0.9985: 0, 0.9995: 1, 1.0: 1,
         1.5: 1, 2.9999999999: 3, 3.0: 3, 7.0: 7}


def test_timestep_is_the_same_for_initial_values_in_kernels_and_by_hand():
    start_scope()
    times = np.array(list(STEPS))
    expected = np.array(list(STEPS.values()))
    np.testing.assert_array_equal(np.trunc(times + 1e-3).astype(int), expected)
    stimulus = TimedArray(np.arange(10.0), dt=1 * ms)
    group = NeuronGroup(len(times), """tt : second (constant)
                                       initial : integer
                                       kernel : integer
                                       looked_up : 1
                                       looked_up_in_kernel : 1""")
    group.tt = times * ms
    group.initial = "timestep(tt, 1*ms)"
    group.looked_up = "stimulus(tt)"
    group.run_regularly("kernel = timestep(tt, 1*ms)\nlooked_up_in_kernel = stimulus(tt)")
    Network(group).run(0.1 * ms)
    np.testing.assert_array_equal(group.initial[:], expected)
    np.testing.assert_array_equal(group.kernel[:], expected)
    rows = np.clip(np.trunc(times + 1e-12 * (np.abs(times) + 1)), 0, 9)  # 0.9995 ms: row 0; 2.9999999999 ms: row 2
    np.testing.assert_array_equal(group.looked_up[:], rows)
    np.testing.assert_array_equal(group.looked_up_in_kernel[:], rows)
    np.testing.assert_array_equal(stimulus(times * ms), rows)


def test_a_link_to_a_group_of_another_size_needs_an_index_unless_it_has_one_element():
    start_scope()
    source = NeuronGroup(1, "v : 1", name="source")
    source.v = 3
    target = NeuronGroup(4, "w : 1 (linked)\ny : 1", name="target")
    target.w = linked_var(source.v)  # as Brian 2: one element reads as a shared value
    assert target.w[:] == 3
    with pytest.raises(ValueError, match=r"'w' of .*target.*4 elements.*'v' of .*3 elements\).*index="):
        target.w = linked_var(NeuronGroup(3, "v : 1").v)


def test_one_value_reaches_every_element_through_an_index_or_a_shared_source():
    start_scope()
    source = NeuronGroup(1, "v : 1")
    source.v = 5
    shared = NeuronGroup(1, "s : 1 (shared)")
    shared.s = 7
    target = NeuronGroup(4, "w : 1 (linked)\nz : 1 (linked)\ny : 1\nq : 1")
    target.w = linked_var(source, "v", index=np.zeros(4, dtype=int))
    target.z = linked_var(shared.s)
    target.run_regularly("y = w\nq = z")
    Network(source, shared, target).run(0.1 * ms)
    np.testing.assert_array_equal(target.y[:], [5, 5, 5, 5])
    np.testing.assert_array_equal(target.q[:], [7, 7, 7, 7])


def test_a_shared_subexpression_may_read_a_link_to_one_value():
    """Brian 2's Brette & Guigon (2003) example: a shared input of one neuron, read through a link."""
    start_scope()
    source = NeuronGroup(1, "x : 1")
    source.x = 0.3
    group = NeuronGroup(4, """B = 2/(1 + exp(-2*x)) - 1 : 1 (shared)
                              I = p*B : 1
                              p : 1
                              x : 1 (linked)""")
    group.p = "1.0*i"
    group.x = linked_var(source, "x")
    monitor = StateMonitor(group, ["B", "I"], record=[0, 3])
    Network(source, group, monitor).run(0.2 * ms)
    expected = 2 / (1 + np.exp(-0.6)) - 1
    np.testing.assert_allclose(monitor.B[0], expected)
    np.testing.assert_allclose(monitor.I[1], 3 * expected)
    other = NeuronGroup(4, "B = 2*x : 1 (shared)\nx : 1 (linked)")
    with pytest.raises(ParseError, match="shared subexpression 'B'.* reads x"):
        other.x = linked_var(NeuronGroup(4, "y : 1"), "y")  # one value per neuron: not a shared value
    assert other.variables["x"].link is None
