"""Quantity and Unit semantics: arithmetic, dimensionless collapse, SI arrays, errors, text."""

from __future__ import annotations

import copy
import pickle

import numpy as np
import pint
import pytest

from simcore.units import (
    DimensionMismatchError,
    Quantity,
    Unit,
    asarray,
    cm2,
    hertz,
    kelvin,
    metre,
    mM,
    ms,
    mV,
    nS,
    pA,
    radian,
    second,
    siemens,
    uF,
    umetre,
    uV,
    volt,
)
from simcore.units.dimension import Dimension

VOLT = Dimension.of(mass=1, length=2, time=-3, current=-1)


def test_products_and_quotients_keep_units():
    assert (3 * mV) * 2 == 6 * mV
    assert (6 * mV) / 2 == 3 * mV
    assert (3 * mV) / (1 * ms) == 3 * mV / ms
    assert isinstance(3 * mV, Quantity)
    assert isinstance(mV / ms, Unit)
    assert ((2 * nS) * (5 * mV)).m_as(pA) == pytest.approx(10)


def test_sums_convert_units():
    total = 1 * mV + 1 * volt
    assert total.to(mV).magnitude == pytest.approx(1001.0)
    assert (1 * volt - 1 * mV).m_as(volt) == pytest.approx(0.999)
    assert sum([1 * mV, 2 * mV]) == 3 * mV
    assert mV + 1 * mV == 2 * mV


@pytest.mark.parametrize(
    "expression, value",
    [
        (lambda: (10 * ms) / ms, 10.0),
        (lambda: (10 * ms) / second, 0.01),
        (lambda: (5 * mV) * (2 / mV), 10.0),
        (lambda: ms / (10 * ms), 0.1),
        (lambda: (2 * hertz) * (3 * second), 6.0),
        (lambda: (3 * mV) / (2 * volt), 0.0015),
        (lambda: (4 * ms) ** 0 * 2, 2.0),
        (lambda: 2 ** ((3 * ms) / ms), 8.0),
        (lambda: (7 * ms) // (2 * ms), 3.0),
        (lambda: Quantity(5) + 1, 6.0),
        (lambda: 3 * radian, 3.0),
        (lambda: 5 * (mV / volt), 0.005),
    ],
)
def test_dimensionless_results_are_plain_floats(expression, value):
    result = expression()
    assert type(result) is float
    assert result == pytest.approx(value, rel=1e-14)


def test_dimensionless_arrays_are_plain_reduced_arrays():
    t = np.arange(4) * 0.5 * ms
    result = t / ms
    assert type(result) is np.ndarray
    np.testing.assert_allclose(result, [0, 0.5, 1.0, 1.5])
    np.testing.assert_allclose(t / second, [0, 5e-4, 1e-3, 1.5e-3])
    v = np.array([-70.0, -65.0]) * mV
    np.testing.assert_allclose(np.exp(v / mV / 10), np.exp([-7.0, -6.5]))
    assert isinstance(np.dot(v, 1 / v), float)
    assert type(np.sum(Quantity(np.ones(3)))) in (float, np.float64)


def test_units_collapse_in_arithmetic_with_quantities():
    assert (ms / ms) * (3 * mV) == 3 * mV
    assert float(hertz * second) == 1.0
    assert float(mV / volt) == pytest.approx(1e-3)
    assert (mV / volt) * 2 == pytest.approx(2e-3)


def test_integer_magnitudes_become_floats():
    assert (3 * mV).magnitude == 3.0 and isinstance((3 * mV).magnitude, float)
    assert (np.arange(3) * mV).magnitude.dtype == np.float64


def test_asarray_and_np_asarray_give_si_values():
    assert asarray(10 * ms) == pytest.approx(0.01)
    assert np.asarray(10 * ms) == pytest.approx(0.01)
    np.testing.assert_allclose(np.asarray(np.array([1.0, 2.0]) * mV), [1e-3, 2e-3])
    np.testing.assert_allclose(asarray([1 * mV, 2 * mV]), [1e-3, 2e-3])
    np.testing.assert_allclose(asarray([1, 2]), [1, 2])
    assert np.asarray(mV) == pytest.approx(1e-3)


def test_float_of_a_dimensioned_quantity_is_its_si_value():
    assert float(3 * mV) == pytest.approx(3e-3)
    assert int(3 * second) == 3 and int(999 * ms) == 0
    assert float((3 * mV) / volt) == pytest.approx(3e-3)
    assert float(Quantity(3.0, "ms/second")) == pytest.approx(3e-3)


def test_dimension_mismatch_error_is_pint_and_value_error():
    with pytest.raises(DimensionMismatchError) as info:
        1 * mV + 1 * ms
    assert isinstance(info.value, pint.DimensionalityError)
    assert isinstance(info.value, ValueError)
    message = str(info.value)
    assert "mV" in message and "ms" in message and "volt" in message and "second" in message


@pytest.mark.parametrize(
    "action",
    [
        lambda: 1 * mV + 1 * ms,
        lambda: 1 * mV - 1 * ms,
        lambda: 1 * ms - 1 * mV,
        lambda: 1 * mV + 3,
        lambda: 3 - 1 * mV,
        lambda: 1 * mV < 1 * ms,
        lambda: 1 * mV >= 1 * ms,
        lambda: 1 * mV < 3,
        lambda: 1 * mV == 1 * ms,
        lambda: (1 * mV).to(ms),
        lambda: (1 * mV).m_as(second),
        lambda: np.add(np.ones(2) * mV, np.ones(2) * ms),
        lambda: np.clip(np.ones(2) * mV, 0 * mV, 1 * ms),
        lambda: np.clip(np.ones(2) * mV, 0, 5),
        lambda: (np.ones(2) * mV).clip(0 * ms, 1 * ms),
        lambda: np.exp(1 * mV),
        lambda: np.sin(1 * mV),
        lambda: np.maximum(1 * mV, 1 * ms),
        lambda: np.concatenate([np.ones(2) * mV, np.ones(2) * ms]),
        lambda: np.where([True, False], np.ones(2) * mV, np.ones(2) * ms),
        lambda: 2 ** (1 * mV),
        lambda: (1 * mV) ** (1 * mV),
        lambda: (5 * mV) % (2 * ms),
        lambda: mV < ms,
        lambda: mV + ms,
        lambda: Quantity([1 * mV, 1 * ms]),
    ],
)
def test_every_mismatch_is_a_dimension_mismatch_error(action):
    with pytest.raises(DimensionMismatchError) as info:
        action()
    assert "mV" in str(info.value)


def test_in_place_mismatches():
    v = np.ones(3) * mV
    with pytest.raises(DimensionMismatchError, match="ms"):
        v += 1 * ms
    with pytest.raises(DimensionMismatchError, match=r"ms \(second\).*mV \(volt\)"):
        v[0] = 5 * ms
    v[0] = 1 * volt
    assert v[0] == 1000 * mV
    v *= 2
    np.testing.assert_allclose(v.m_as(mV), [2000, 2, 2])
    v[1:] = 0
    np.testing.assert_allclose(v.m_as(mV), [2000, 0, 0])
    with pytest.raises(DimensionMismatchError, match="plain number"):
        v[0] = 5


def test_comparisons():
    assert 1 * mV < 1 * volt
    assert 1000 * mV == 1 * volt
    assert (np.array([1.0, 3.0]) * mV > 2 * mV).tolist() == [False, True]
    assert (np.array([-1.0, 3.0]) * mV > 0).tolist() == [False, True]
    assert 3 * mV < np.inf and 3 * mV > -np.inf
    assert 0 * mV == 0 and np.inf * mV == np.inf and 3 * mV != np.inf
    assert (np.array([0.0, 1.0]) * mV == 0).tolist() == [True, False]
    assert not (3 * mV == None)  # noqa: E711
    assert mV == mV and mV < volt and mV != volt


def test_numpy_functions_keep_units():
    v = np.array([1.0, 2.0, 4.0]) * mV
    assert np.mean(v).m_as(mV) == pytest.approx(7 / 3)
    assert np.sqrt(v * v)[2].m_as(mV) == pytest.approx(4)
    np.testing.assert_allclose(np.diff(v).m_as(mV), [1.0, 2.0])
    np.testing.assert_allclose(np.clip(v, 1.5 * mV, 3 * mV).m_as(mV), [1.5, 2.0, 3.0])
    np.testing.assert_allclose(np.abs(-v).m_as(mV), [1, 2, 4])
    assert np.std(v).m_as(mV) == pytest.approx(np.std([1.0, 2.0, 4.0]))
    np.testing.assert_allclose(np.cumsum(v).m_as(mV), [1, 3, 7])
    both = np.concatenate([v, np.array([1.0]) * volt])
    np.testing.assert_allclose(both.m_as(mV), [1, 2, 4, 1000])
    np.testing.assert_allclose(np.linspace(0 * ms, 1 * second, 3).m_as(ms), [0, 500, 1000])
    assert np.min(v) == 1 * mV and np.max(v) == 4 * mV
    assert v.min() == 1 * mV and v.max() == 4 * mV and v.sum() == 7 * mV
    assert np.maximum.accumulate(v)[-1] == 4 * mV
    assert np.median(v) == 2 * mV
    assert isinstance(np.var(v), Quantity) and np.var(v).dimensions == VOLT**2


def test_construction():
    assert Quantity(3, "mV") == 3 * mV
    assert Quantity(3, mV) == 3 * mV
    assert Quantity(mV) == 1 * mV
    array = np.linspace(0, 1, 5)
    wrapped = Quantity(array, "mV")
    assert wrapped.magnitude is array  # no copy
    np.testing.assert_allclose(Quantity([1 * mV, 1 * volt]).m_as(mV), [1, 1000])


def test_str_and_repr():
    assert str(-70 * mV) == "-70. mV"
    assert str(-70.5 * mV) == "-70.5 mV"
    assert str(np.array([-70.0, -65.0]) * mV) == "[-70. -65.] mV"
    assert str(3 * uF / cm2) == "3. uF/cm^2"
    assert str(2 * nS / umetre**2) == "2. nS/um^2"
    assert str(2 / ms) == "2. ms^-1"
    assert str(5 * mM) == "5. mM"
    assert str(Quantity(2.5)) == "2.5"
    assert repr(-70 * mV) == "-70. * mV"
    assert repr(np.array([1.0, 2.0]) * mV) == "array([1., 2.]) * mV"
    assert repr(3 * siemens / metre**2) == "3. * (siemens/metre**2)"
    assert (0.07 * volt).in_unit(mV) == "70. mV"
    assert (np.array([1.0, 2.0]) * mV).in_unit(uV) == "[1000. 2000.] uV"
    assert f"{3.14159 * mV:.5f}" == "0.00314"  # a format spec formats the SI value, as in Brian 2


def test_repr_evaluates_back():
    import simcore.units as namespace

    for value in (-70 * mV, np.array([1.0, 2.5]) * nS / cm2, 3 * second**-0.5, 2 * kelvin):
        back = eval(repr(value), vars(namespace))
        assert np.all(back == value)


def test_unit_text():
    assert str(mV) == "mV" and repr(mV) == "mV"
    assert str(uF / cm2) == "uF/cm^2"
    assert str(siemens / metre**2) == "S/m^2"
    assert repr(siemens / metre**2) == "siemens/metre**2"


def test_dimensions_property():
    assert (3 * mV).dimensions == VOLT
    assert (3 * mV).dim == VOLT
    assert mV.dimensions == VOLT
    assert (3 * mV).has_same_dimensions(volt)
    assert not (3 * mV).has_same_dimensions(3)


def test_pickle_and_copy():
    v = np.array([1.0, 2.0]) * mV
    for other in (pickle.loads(pickle.dumps(v)), copy.deepcopy(v), copy.copy(v)):
        assert isinstance(other, Quantity)
        np.testing.assert_array_equal(other.m_as(mV), [1.0, 2.0])
    assert pickle.loads(pickle.dumps(mV)) == mV
    error = pickle.loads(pickle.dumps(DimensionMismatchError("msg", VOLT)))
    assert str(error) == "msg"


def test_pickles_load_in_a_fresh_process_without_importing_simcore_first():
    import subprocess
    import sys

    data = pickle.dumps((np.array([1.0, 2.0]) * mV, nS / cm2))
    code = (
        "import pickle, sys; q, u = pickle.loads(sys.stdin.buffer.read()); "
        "print(type(q).__mro__[1].__module__, q, u)"
    )
    out = subprocess.run([sys.executable, "-c", code], input=data, capture_output=True, check=True)
    assert out.stdout.decode().strip() == "simcore.units.quantity [1. 2.] mV nS/cm^2"


def test_hash_agrees_across_units():
    assert hash(3 * mV) == hash(0.003 * volt)
