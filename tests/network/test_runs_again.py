"""A network run again after its namespace or model changed: what the plan remembers between runs (printed
expressions, unit checks, expanded subexpressions) never hides a change."""

import numpy as np
import pytest

from simcore import DimensionMismatchError, Network, NeuronGroup, Synapses, ms, mV, start_scope


def test_a_constant_changed_between_runs_is_used_and_its_units_checked_again():
    start_scope()
    group = NeuronGroup(1, "dv/dt = -v/tau : volt", method="exact")
    group.v = 10 * mV
    net = Network(group)
    tau = 10 * ms
    net.run(10 * ms)
    assert group.v_[0] == pytest.approx(10e-3 * np.exp(-1), rel=1e-12)
    tau = 5 * ms  # noqa: F841 (read by the run from this frame)
    net.run(10 * ms)
    assert group.v_[0] == pytest.approx(10e-3 * np.exp(-3), rel=1e-12)
    tau = 5 * mV  # noqa: F841
    with pytest.raises(DimensionMismatchError, match="tau"):
        net.run(1 * ms)


def test_equal_subexpression_names_of_two_groups_keep_their_own_definitions():
    start_scope()
    first = NeuronGroup(2, "dv/dt = (drive - v)/(10*ms) : volt\ndrive = scale*mV : volt\nscale : 1",
                        method="exact")
    second = NeuronGroup(2, "dv/dt = (drive - v)/(10*ms) : volt\ndrive = 5*mV : volt", method="exact")
    first.scale = [1, 4]
    reader = Synapses(second, first, "w : volt")
    reader.connect(i=0, j=[0, 1])
    reader.run_regularly("w = drive_pre - drive_post")
    net = Network(first, second, reader)
    for _ in range(2):  # the second run lowers the same code from what it remembers
        net.run(1 * ms)
        np.testing.assert_allclose(np.asarray(first.drive_), [1e-3, 4e-3])
        np.testing.assert_allclose(np.asarray(second.drive_), [5e-3, 5e-3])
        np.testing.assert_allclose(np.asarray(reader.w_), [4e-3, 1e-3])
    np.testing.assert_allclose(np.asarray(second.v_), 5e-3 * (1 - np.exp(-0.2)), rtol=1e-9)
    np.testing.assert_allclose(np.asarray(first.v_), np.array([1e-3, 4e-3]) * (1 - np.exp(-0.2)), rtol=1e-9)
