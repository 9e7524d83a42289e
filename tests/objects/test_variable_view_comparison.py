"""A Quantity compared with a group's variable (``G.v``) compares values with units, on either side."""

import numpy as np
import pytest

from simcore import DimensionMismatchError, NeuronGroup, ms, mV, start_scope


def test_quantity_and_variable_view_compare_both_ways():
    start_scope()
    group = NeuronGroup(3, "v : volt\nw : second")
    group.v = "i*mV"
    assert list(group.v[1] == group[1:2].v) == [True]
    assert list(group[1:2].v == group.v[1]) == [True]
    assert list(2 * mV > group.v) == [True, True, False]
    assert list(group.v < 2 * mV) == [True, True, False]
    with pytest.raises(DimensionMismatchError):
        _ = 1 * ms == group.v
    np.testing.assert_array_equal(group.v[:] == group.v, [True, True, True])
