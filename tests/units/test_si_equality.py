"""Equality of quantities compares their SI values, the values simcore stores: the same answer whichever side is
written first (pint alone converts one side into the other's unit and rounds differently each way)."""

import numpy as np

from simcore.units import meter, mV, um, volt
from simcore.units.conversion import si_magnitude


def test_equality_is_symmetric_and_in_si():
    stored = si_magnitude(30 * um) * meter  # what a variable set to 30*um holds: 30*1e-6 m
    assert stored == 30 * um and 30 * um == stored
    literal = 3e-05 * meter  # a different float: 3e-05 != 30*1e-6
    assert (literal == 30 * um) is False and (30 * um == literal) is False
    assert (literal != 30 * um) is True and (30 * um != literal) is True
    assert 1 * mV == 0.001 * volt and 0.001 * volt == 1 * mV


def test_equality_of_arrays_is_elementwise_in_si():
    values = np.array([1.0, 2.0, 3.0]) * mV
    assert list(values == np.array([1e-3, 2.5e-3, 3e-3]) * volt) == [True, False, True]
    assert list(np.array([1e-3, 2.5e-3, 3e-3]) * volt == values) == [True, False, True]
