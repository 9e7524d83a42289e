"""Brian 2's unit behaviours that scripts meet: display strings, user-defined units, concatenate and arange
argument rules, the text of dimensionless."""

import numpy as np
import pytest
import sympy

from simcore import (
    DIMENSIONLESS,
    DimensionMismatchError,
    Quantity,
    Unit,
    amp,
    arange,
    cm,
    concatenate,
    get_dimensions,
    get_or_create_dimension,
    in_unit,
    metre,
    ms,
    mV,
    newton,
    nS,
    ohm,
    second,
    uF,
    volt,
)
from simcore.errors import ModelError

# --- display --------------------------------------------------------------------------------------------------

def test_products_of_units_are_written_with_a_space():
    assert in_unit(10 * mV, ohm * amp) == "0.01 ohm A"
    assert str(mV * ms) == "mV ms"
    assert str(3 * mV * ms) == "3. mV ms"
    assert str(nS / (cm**2 * ms)) == "nS/(cm^2 ms)"
    assert str(uF / cm**2) == "uF/cm^2"  # unchanged: one unit below the line


def test_in_unit_of_a_dimensionless_value_is_numpys_text_of_the_ratio():
    assert in_unit(3 * mV / mV, 1) == "3.0"
    assert in_unit(Quantity(2.5), 1) == "2.5"
    assert in_unit(np.array([1.0, 2.0]), 1) == "[1. 2.]"
    assert in_unit(1 / 3, 1, 2) == "0.33"


def test_dimensionless_is_written_1_and_messages_still_say_dimensionless():
    assert str(DIMENSIONLESS) == "1" and repr(DIMENSIONLESS) == "Dimension()"
    with pytest.raises(DimensionMismatchError, match=r"Cannot add mV/V \(dimensionless\) and s \(second\)"):
        (mV / volt) + 1 * second


def test_latex_of_units():
    assert mV.latexname == r"\mathrm{mV}" and mV._repr_latex_() == r"$\mathrm{mV}$"
    assert (mV * ms).latexname == r"\mathrm{mV}\,\mathrm{ms}"
    assert sympy.latex(nS / cm**2) == r"\frac{\mathrm{nS}}{\mathrm{cm}^{2}}"
    assert (1 / ms).latexname == r"\frac{1}{\mathrm{ms}}"
    assert mV.dispname == "mV" and mV.name == "mV" and (volt / second).name == "volt/second"


# --- units defined by the user ----------------------------------------------------------------------------------

def test_unit_with_a_display_name_and_latex_name():
    dim = get_or_create_dimension(length=5, time=2)
    omega = Unit(1, dim=dim, dispname="O", latexname=r"\Omega")
    assert str(omega) == "O" and str(3 * omega) == "3. O"
    assert omega.dispname == "O" and omega.latexname == r"\Omega" and sympy.latex(omega) == r"\Omega"
    assert get_dimensions(omega) is dim and float(omega) == 1.0
    assert float((2 * omega) / (metre**5 * second**2)) == 2.0
    again = eval(repr(omega), {"Unit": Unit})
    assert again == omega and str(again) == "O"
    # the same definition again is the same unit
    assert Unit(1, dim=dim, dispname="O", latexname=r"\Omega")._units == omega._units


def test_unit_with_a_scale():
    ten = Unit(10.0, scale=1)
    assert float(ten) == 10.0 and get_dimensions(ten) is DIMENSIONLESS
    assert in_unit(10.0, ten) == "1.0"
    kvolt2 = Unit.create(volt.dim, "kvolt2", "kV2", scale=3)
    assert float(kvolt2) == 1000.0 and str(kvolt2) == "kV2" and kvolt2.name == "kvolt2"
    assert (5000 * volt).in_unit(kvolt2) == "5. kV2"
    assert kvolt2.latexname == r"\mathrm{kV2}"


def test_a_name_pint_knows_already_is_kept_for_display():
    # pint knows 'Nm' (its number_meter): the unit gets another pint name but keeps the given name and display
    newton_metre = Unit.create((newton * metre).dim, "Nm", "N m")
    assert newton_metre.name == "Nm" and str(newton_metre) == "N m"
    assert (3 * newton * metre).in_unit(newton_metre) == "3. N m"


@pytest.mark.parametrize("make, error, message", [
    (lambda: Unit(2, dim=volt.dim, dispname="2V"), ValueError, r"a unit has the value 10\*\*scale"),
    (lambda: Unit(1, scale=-3), ValueError, r"Unit\(1, scale=-3\)"),
    (lambda: Unit(1, dim="volt", dispname="V"), TypeError, "needs a Dimension"),
    (lambda: Unit("mV", dispname="x"), TypeError, "go with a value"),
    (lambda: Unit(1, dim=volt.dim, dispname=3), TypeError, "takes a string"),
])
def test_bad_unit_definitions_are_refused(make, error, message):
    with pytest.raises(error, match=message) as info:
        make()
    assert isinstance(info.value, ModelError)


# --- numpy functions ------------------------------------------------------------------------------------------

def test_concatenate_takes_out_or_dtype_not_both():
    arrays = [np.array([1, 2]) * ms, [3 * ms]]
    out = Quantity(np.zeros(3), dim=second.dim)
    assert concatenate(arrays, out=out) is out
    assert np.asarray(out) == pytest.approx([0.001, 0.002, 0.003])
    assert concatenate(arrays, dtype=np.float32).dtype == np.float32
    with pytest.raises(TypeError, match="out= or dtype=, not both") as info:
        concatenate(arrays, dtype=np.float32, out=out)
    assert isinstance(info.value, ModelError)


def test_arange_reads_positional_arguments_as_brian2_does():
    assert arange(stop=3).tolist() == [0, 1, 2]
    assert arange(start=1, stop=3).tolist() == [1, 2]
    assert arange(10, step=4).tolist() == [0, 4, 8]
    assert np.asarray(arange(start=0, stop=5 * ms, step=2 * ms)) == pytest.approx([0, 0.002, 0.004])
    for args, kwargs, message in [
        ((), {}, "needs a stop value"),
        ((0, 5, 1, float), {}, "at most 3 positional arguments"),
        ((0,), {"stop": 1}, r"'stop' is given twice.*a single positional argument is the stop"),
        ((0, 5), {"start": 1}, "'start' is given twice"),
        ((0, 5, 1), {"step": 2}, "'step' is given twice"),
    ]:
        with pytest.raises(TypeError, match=message) as info:
            arange(*args, **kwargs)
        assert isinstance(info.value, ModelError)
