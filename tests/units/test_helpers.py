"""get_dimensions, get_unit, to_si, from_si, dimension checks and check_units."""

from __future__ import annotations

import numpy as np
import pytest

from simcore.units import (
    DIMENSIONLESS,
    Dimension,
    DimensionMismatchError,
    Quantity,
    amp,
    check_units,
    cm2,
    fail_for_dimension_mismatch,
    from_si,
    get_dimensions,
    get_unit,
    have_same_dimensions,
    is_dimensionless,
    metre,
    mM,
    mole,
    ms,
    mV,
    nA,
    nS,
    ohm,
    second,
    siemens,
    to_si,
    volt,
)

D = Dimension.of
VOLT = D(mass=1, length=2, time=-3, current=-1)


@pytest.mark.parametrize(
    "value, dim",
    [
        (3 * mV, VOLT),
        (mV, VOLT),
        (np.ones(3) * ms, D(time=1)),
        (3, DIMENSIONLESS),
        (2.5, DIMENSIONLESS),
        (np.ones(3), DIMENSIONLESS),
        ([1, 2], DIMENSIONLESS),
        (True, DIMENSIONLESS),
        ([1 * mV, 2 * volt], VOLT),
        (VOLT, VOLT),
        (mV / volt, DIMENSIONLESS),
        (nS / cm2, D(mass=-1, length=-4, time=3, current=2)),
    ],
)
def test_get_dimensions(value, dim):
    assert get_dimensions(value) == dim


def test_quantities_of_another_pint_registry():
    import pint

    other = pint.UnitRegistry()
    assert get_dimensions(other.Quantity(3, "mV")) == VOLT
    assert to_si(other.Quantity(3, "mV"))[0] == pytest.approx(3e-3)
    assert to_si(other.Unit("ms")) == (pytest.approx(1e-3), D(time=1))


def test_get_dimensions_of_objects_with_a_dimensions_attribute():
    class View:
        dimensions = VOLT

    assert get_dimensions(View()) == VOLT
    with pytest.raises(TypeError):
        get_dimensions("mV")


@pytest.mark.parametrize(
    "value, unit_text",
    [
        (3 * mV, "volt"),
        (mV / ms, "volt/second"),
        (nS / cm2, "siemens/metre**2"),
        (nA / cm2, "amp/metre**2"),
        (mM, "mole/metre**3"),
        (second**-0.5, "second**-0.5"),
        (1 / ms, "hertz"),
        (3, "1"),
        (ohm * metre, "ohm*metre"),
        (mV * second**-0.5, "volt/second**0.5"),
    ],
)
def test_get_unit_is_the_coherent_si_unit(value, unit_text):
    from simcore.units import UNIT_NAMES, unit_name

    unit = get_unit(value)
    assert unit == eval(unit_text, {}, dict(UNIT_NAMES))
    assert to_si(unit)[0] == pytest.approx(1.0)
    assert get_dimensions(unit) == get_dimensions(value)
    assert unit_name(unit) == unit_text


def test_same_dimensions_and_dimensionless():
    assert have_same_dimensions(3 * mV, volt)
    assert not have_same_dimensions(3 * mV, 3 * ms)
    assert have_same_dimensions(3, np.ones(2))
    assert is_dimensionless(4.0) and is_dimensionless(mV / volt)
    assert not is_dimensionless(mV)


def test_to_si():
    value, dim = to_si(3 * mV)
    assert type(value) is float and value == pytest.approx(3e-3) and dim == VOLT
    value, dim = to_si(np.arange(3) * mV)
    assert value.dtype == np.float64 and dim == VOLT
    np.testing.assert_allclose(value, [0, 1e-3, 2e-3])
    value, dim = to_si([1 * ms, 2 * ms])
    np.testing.assert_allclose(value, [1e-3, 2e-3])
    assert dim == D(time=1)
    assert to_si(mV) == (pytest.approx(1e-3), VOLT)
    assert to_si(5) == (5.0, DIMENSIONLESS) and type(to_si(5)[0]) is float
    value, dim = to_si([1, 2])
    assert value.dtype == np.float64 and dim == DIMENSIONLESS
    assert to_si(np.float32(2.0)) == (2.0, DIMENSIONLESS)
    assert to_si(2 * mole / metre**3)[0] == pytest.approx(2.0)
    with pytest.raises(TypeError):
        to_si("3 mV")


def test_to_si_avoids_copies_of_si_float_arrays():
    array = np.linspace(0, 1, 10)
    assert to_si(Quantity(array, "volt"))[0] is array
    assert to_si(array)[0] is array


def test_from_si_inverts_to_si():
    q = from_si(np.array([1e-3, 2e-3]), VOLT)
    np.testing.assert_allclose(q.m_as(mV), [1, 2])
    assert from_si(0.5, DIMENSIONLESS) == 0.5


def test_fail_for_dimension_mismatch():
    assert fail_for_dimension_mismatch(3 * mV, volt) == (VOLT, VOLT)
    assert fail_for_dimension_mismatch(3) == (DIMENSIONLESS, DIMENSIONLESS)
    with pytest.raises(DimensionMismatchError, match=r"Bad threshold: mV \(volt\) and ms \(second\)"):
        fail_for_dimension_mismatch(3 * mV, 2 * ms, "Bad threshold")
    with pytest.raises(DimensionMismatchError, match="not dimensionless"):
        fail_for_dimension_mismatch(3 * mV)
    with pytest.raises(DimensionMismatchError, match="plain number"):
        fail_for_dimension_mismatch(3, mV)


@check_units(current=amp, resistance=ohm, result=volt)
def ohms_law(current, resistance):
    return current * resistance


def test_check_units_accepts_good_calls():
    assert ohms_law(2 * nA, 1e6 * ohm).m_as(mV) == pytest.approx(2.0)
    assert ohms_law(current=1 * amp, resistance=1 * ohm) == 1 * volt


def test_check_units_names_argument_and_units():
    with pytest.raises(DimensionMismatchError) as info:
        ohms_law(2 * mV, 1 * ohm)
    message = str(info.value)
    assert "ohms_law" in message and "'current'" in message
    assert "amp" in message and "mV (volt)" in message
    with pytest.raises(DimensionMismatchError, match="'resistance'.*plain number"):
        ohms_law(1 * amp, 3)


def test_check_units_checks_the_result():
    @check_units(x=1, result=second)
    def wrong(x):
        return x * mV

    with pytest.raises(DimensionMismatchError, match="must return dimension second.*mV"):
        wrong(2)


def test_check_units_special_specs():
    @check_units(flag=bool, anything=None, a=siemens, b="a", c=(ms, 1))
    def f(flag, anything, a, b, c=None):
        return True

    assert f(True, "x", 1 * nS, 2 * siemens, 3 * ms)
    assert f(False, 5 * mV, 1 * nS, 2 * nS, 3.0)
    assert f(True, None, 1 * nS, 2 * nS)  # None is not checked
    with pytest.raises(DimensionMismatchError, match="'flag' must have a boolean"):
        f(1, None, 1 * nS, 2 * nS)
    with pytest.raises(DimensionMismatchError, match="argument 'a'"):
        f(True, None, 1 * nS, 2 * mV)
    with pytest.raises(DimensionMismatchError, match="'c'"):
        f(True, None, 1 * nS, 2 * nS, 3 * mV)
    assert f._arg_names == ["flag", "anything", "a", "b", "c"]
    assert f._return_unit is None


def test_check_units_rejects_unknown_arguments():
    with pytest.raises(TypeError, match="wibble"):

        @check_units(wibble=mV)
        def g(x):
            return x


def test_pint_cache_folder(tmp_path, monkeypatch):
    from simcore.units.registry import cache_folder

    monkeypatch.setenv("SIMCORE_CACHE_DIR", str(tmp_path / "cache"))
    assert cache_folder() == tmp_path / "cache" / "pint"
    assert (tmp_path / "cache" / "pint").is_dir()
    monkeypatch.delenv("SIMCORE_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_folder() == tmp_path / "xdg" / "simcore" / "pint"
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("SIMCORE_CACHE_DIR", str(blocker))
    assert cache_folder() is None
