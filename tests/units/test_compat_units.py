"""Brian 2's unit behaviours that scripts rely on: SI values from float()/numpy, comparisons in asserts,
Brian 2's helper names, singleton Dimensions, Quantity(dim=...), powers of every unit, best units."""

from __future__ import annotations

import copy
import pickle

import numpy as np
import pytest

from simcore import (
    DIMENSIONLESS,
    DimensionMismatchError,
    ModelError,
    Quantity,
    TimedArray,
    Unit,
    amp,
    amp2,
    arange,
    candle,
    dametre,
    farad,
    get_dimensions,
    get_or_create_dimension,
    get_unit,
    in_best_unit,
    in_unit,
    is_dimensionless,
    kilogram,
    meter,
    metre,
    mmetre,
    mmol,
    ms,
    mV,
    mvolt,
    nS,
    ohm,
    pfarad,
    register_new_unit,
    second,
    second3,
    siemens,
    volt,
)
from simcore.units import helpers


# --- SI values --------------------------------------------------------------------------------
def test_float_and_int_give_the_si_value():
    assert float(0.1 * ms) == pytest.approx(1e-4)
    assert float(mV) == pytest.approx(1e-3)
    assert int(2500 * ms) == 2
    assert f"{0.5 * ms:g}" == f"{float(0.5 * ms)}" == "0.0005"
    assert f"{0.5 * ms}" == str(0.5 * ms) == "0.5 ms"


def test_numpy_arrays_of_quantities_hold_si_values():
    dt = 0.1 * ms
    np.testing.assert_allclose(np.array([0, 1 / dt]), [0.0, 10000.0])
    np.testing.assert_allclose(np.asarray([3 * ms, 4 * ms]), [0.003, 0.004])
    np.testing.assert_allclose(np.asarray([np.array([1, 2]) * mV, np.array([3, 4]) * mV]), [[1e-3, 2e-3], [3e-3, 4e-3]])


# --- comparisons in asserts -------------------------------------------------------------------
def test_equality_of_quantity_arrays_is_true_when_all_elements_are_equal():
    values = np.arange(3) * mV
    assert values == np.array([0.0, 1.0, 2.0]) * mV
    assert not (values == np.array([0.0, 1.0, 5.0]) * mV)
    assert values != np.array([0.0, 1.0, 5.0]) * mV
    assert not (values != values.copy())
    assert np.array([150.0, 150.0]) * mV == 0.15 * volt
    np.testing.assert_array_equal(np.asarray(values == values), [True, True, True])
    assert type(~(values == values)) is np.ndarray  # elementwise operations give plain arrays
    assert (np.array([]) * ms == []) and not (np.array([]) * ms != [])


def test_numpy_testing_assert_equal_compares_quantities():
    values = np.arange(4) * ms
    np.testing.assert_equal(values, np.array([0.0, 1.0, 2.0, 3.0]) * ms)
    np.testing.assert_equal(values, values.to(second))
    np.testing.assert_equal(np.zeros(2) * mV, np.zeros(2) * volt)
    with pytest.raises(AssertionError):
        np.testing.assert_equal(values, np.array([0.0, 1.0, 2.0, 4.0]) * ms)
    pickled = pickle.loads(pickle.dumps(np.arange(12).reshape(4, 3) * mV / ms))
    np.testing.assert_equal(pickled, np.arange(12).reshape(4, 3) * mV / ms)


def test_array_equal_and_functions_pint_lacks():
    values = np.arange(10) * volt
    assert np.array_equal(values, values * 1) and not np.array_equal(values, 2 * values)
    assert not np.array_equal(values, np.arange(10) * second)
    assert np.array_equal(0 * values, np.zeros(10))
    matrix = np.arange(9).reshape(3, 3) * mV
    assert np.trace(matrix) == 12 * mV
    counts, edges = np.histogram(np.arange(5) * ms, bins=2)
    np.testing.assert_array_equal(counts, [2, 3])
    assert edges[-1] == 4 * ms
    with pytest.raises(DimensionMismatchError):
        np.histogram(np.arange(5) * ms, bins=[0, 2, 4] * mV)


def test_numpy_out_argument_takes_a_quantity():
    out = Quantity(np.zeros(3), dim=second.dim)
    assert np.concatenate([np.array([1, 2]) * ms, [3 * ms]], out=out) is out
    np.testing.assert_allclose(np.asarray(out), [0.001, 0.002, 0.003])
    with pytest.raises(DimensionMismatchError):
        np.concatenate([np.array([1, 2]) * ms], out=np.zeros(2))
    with pytest.raises(DimensionMismatchError):
        np.concatenate([np.array([1, 2]) * ms], out=np.zeros(2) * mV)


# --- Dimension --------------------------------------------------------------------------------
def test_dimensions_are_singletons_with_brian2_attributes():
    dim = (500 * ms).dimensions
    assert dim is second.dim is get_or_create_dimension(dim._dims) is get_or_create_dimension(time=1)
    assert get_or_create_dimension(m=2, kg=1, s=-3, A=-1) is volt.dim
    assert get_or_create_dimension([2, 1, -3, -1, 0, 0, 0]) is volt.dim
    assert pickle.loads(pickle.dumps(volt.dim)) is volt.dim and copy.deepcopy(volt.dim) is volt.dim
    assert dim._dims == (0, 0, 1, 0, 0, 0, 0) and dim.get_dimension("time") == 1 and dim.get_dimension("m") == 0
    assert dim.dim is dim and get_dimensions(5) is DIMENSIONLESS and repr(DIMENSIONLESS) == "Dimension()"
    assert (volt.dim ** 0.5) ** 2 is volt.dim


@pytest.mark.parametrize("bad, error", [
    (lambda: get_or_create_dimension([1, 2, 3]), TypeError), (lambda: get_or_create_dimension(42), TypeError),
    (lambda: get_dimensions("a string"), TypeError), (lambda: get_or_create_dimension(furlong=1), KeyError),
    (lambda: volt.dim.get_dimension("furlong"), KeyError)])
def test_bad_dimension_requests_raise_brian2s_errors(bad, error):
    with pytest.raises(error) as info:
        bad()
    assert isinstance(info.value, ModelError)


def test_a_dimension_cannot_change_in_place():
    dim = volt.dim
    with pytest.raises(TypeError):
        dim *= second.dim
    assert volt.dim == get_or_create_dimension(m=2, kg=1, s=-3, A=-1)


# --- Quantity construction --------------------------------------------------------------------
def test_quantity_with_dim_and_with_dimensions():
    assert Quantity(500, dim=second.dim) == 500 * second
    np.testing.assert_allclose(np.asarray(Quantity([0.5, 1], dim=second.dim)), [0.5, 1.0])
    assert Quantity(0.07, dim=volt.dim).in_unit(mV) == "70. mV"
    assert Quantity.with_dimensions(2, length=1) == 2 * metre
    assert Quantity.with_dimensions(2, volt.dim) == 2 * volt
    assert Quantity(3, second.dim) == 3 * second  # Brian 2's positional dim
    with pytest.raises(TypeError):
        Quantity(1, "ms", dim=second.dim)


def test_quantity_from_quantities_lists_and_copies():
    assert Quantity([500 * ms, 1 * second]) == np.array([500.0, 1000.0]) * ms
    nested = (np.arange(6).reshape(2, 3) * mV).tolist()
    assert nested[1][2] == 5 * mV and Quantity(nested) == np.arange(6).reshape(2, 3) * mV
    assert Quantity([]).shape == (0,)
    original = np.array([0.5, 1.0]) * second
    Quantity(original)[0] = 3 * second  # no copy: shares the values
    assert original[0] == 3 * second
    Quantity(original, copy=True)[0] = 7 * second
    assert original[0] == 3 * second
    assert Quantity(np.array([1, 2]), "ms", dtype=np.float32).magnitude.dtype == np.float32
    with pytest.raises(TypeError):
        Quantity([500 * ms, 1])
    with pytest.raises(DimensionMismatchError):
        Quantity([500 * ms, 1 * volt])
    with pytest.raises(TypeError) as info:
        Quantity(["some", "nonsense"])
    assert isinstance(info.value, ModelError)


def test_unit_one_and_one_over_a_unit_are_units():
    assert isinstance(1 / meter, Unit) and isinstance(1.0 / second, Unit)
    assert not isinstance(2 / meter, Unit) and (2 / meter) == 2 * (1 / meter)
    assert is_dimensionless(Unit(1)) and Unit(1, dim=volt.dim) == volt
    with pytest.raises(ValueError):
        Unit(10)


# --- names -------------------------------------------------------------------------------------
def test_every_power_and_prefix_brian2_defines():
    assert second3 == second**3 and amp2 == amp**2
    assert float(dametre) == pytest.approx(10.0)
    assert candle.dimensionality == {"[luminosity]": 1}
    assert float(mmol) == pytest.approx(1e-3)
    from simcore.units import UNIT_NAMES

    assert float(UNIT_NAMES["Yfarad3"]) == pytest.approx(1e72)
    assert float(UNIT_NAMES["kilogram2"]) == pytest.approx(1.0) and UNIT_NAMES["kilogram2"] == kilogram**2
    assert eval(repr(5 * UNIT_NAMES["Yfarad3"]), dict(UNIT_NAMES)) == 5 * UNIT_NAMES["Yfarad"] ** 3


def test_get_unit_is_a_unit_of_value_one():
    for dim, expected in ((volt.dim, volt), (mV.dim, volt), ((amp / metre**2).dim, amp / metre**2)):
        unit = get_unit(dim)
        assert isinstance(unit, Unit) and unit == expected and float(unit) == 1.0


# --- display -----------------------------------------------------------------------------------
def test_in_unit_and_in_best_unit():
    assert in_unit(3 * volt, mvolt) == "3000. mV"
    assert in_unit(0.5, 1) == "0.5"
    with pytest.raises(DimensionMismatchError):
        in_unit(10 * nS, ohm)
    assert in_best_unit(0.00123456 * volt) == "1.23456 mV"
    assert in_best_unit(0.00123456 * volt, 2) == "1.23 mV"
    assert in_best_unit(0.123456) == "0.123456"
    assert (np.arange(10) * mV).get_best_unit() is mV
    assert ([0.001, 0.002, 0.003] * second).get_best_unit().dimensionality == ms.dimensionality
    long_array = np.ones(10000) * siemens
    long_array[:10] = 1 * nS
    long_array[-10:] = 2 * nS
    assert long_array.get_best_unit() is nS  # the values numpy shows decide


def test_register_new_unit_is_used_for_display(monkeypatch):
    monkeypatch.setattr(helpers, "_REGISTERED", {})
    assert (2.0 * farad / metre**2).in_best_unit() == "2. F/m^2"
    register_new_unit(pfarad / mmetre**2)
    assert (2.0 * farad / metre**2).in_best_unit() == "2000000. pF/mm^2"
    with pytest.raises(TypeError):
        register_new_unit(3 * mV)


def test_arange_takes_numpy_arguments():
    np.testing.assert_array_equal(arange(10, step=2), [0, 2, 4, 6, 8])
    assert arange(5 * mV, step=1 * mV)[-1] == 4 * mV
    with pytest.raises(DimensionMismatchError):
        arange(1, 5 * mV)
    with pytest.raises(DimensionMismatchError, match="step"):
        arange(1 * mV, 5 * mV)  # a default step of 1 would depend on the unit written


# --- TimedArray.dt ------------------------------------------------------------------------------
def test_timedarray_dt_is_seconds_as_a_float():
    stim = TimedArray([1, 2, 3] * mV, dt=0.5 * ms)
    assert type(stim.dt) is float and stim.dt == pytest.approx(5e-4)
    with pytest.raises(ValueError):
        TimedArray([1, 2], dt=0 * ms)
    with pytest.raises(NotImplementedError):
        TimedArray(np.zeros((2, 2, 2)), dt=1 * ms)
    with pytest.raises(TypeError):
        stim(1 * ms, 0)


def test_floor_division_is_brian2s():
    assert (7 * mV) // (2 * mV) == 3.0 and type((7 * mV) // (2 * mV)) is float
    assert (7 * mV) // 0.002 == 3 * volt  # floor of the SI value, in the dividend's dimension
    assert (7 * mV) // (2 * ms) == 3 * volt / second
    values = np.array([1.0, 2.0, 3.0]) * mV
    values //= 0.001
    assert values == np.array([1.0, 2.0, 3.0]) * volt
    with pytest.raises(DimensionMismatchError):
        (7 * mV) % 2


def test_check_units_misuse_is_a_model_type_error():
    from simcore import check_units

    def f(x):
        return x

    with pytest.raises(TypeError) as info:
        check_units(y=volt)(f)
    assert isinstance(info.value, ModelError) and "no argument" in str(info.value)
    with pytest.raises(TypeError) as info:
        check_units(x=3)(f)(3 * volt)  # a unit, 1, bool, None or a name: not 3
    assert isinstance(info.value, ModelError)
