"""Files are data: a unit attribute in an output file is parsed, never run (issue 12, case 1)."""

import h5py
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from simcore import ModelError, load_output
from simcore.output.hdf5 import FORMAT, FORMAT_VERSION
from simcore.units import UNIT_NAMES, Dimension, unit_name
from simcore.units.names import MAX_UNIT_TEXT, unit_from_name


def _file(path, unit: str):
    """A minimal file in simcore's layout: one StateMonitor 'sm' with a record 'v' of the given unit text."""
    with h5py.File(path, "w") as out:
        out.attrs.update({"format": FORMAT, "format_version": FORMAT_VERSION, "dt": 1e-4})
        monitor = out.create_group("sm")
        monitor.attrs.update({"kind": "StateMonitor", "dt": 1e-4, "record": [0]})
        monitor.create_dataset("t", data=np.arange(3, dtype=np.int64)).attrs["unit"] = "second"
        monitor.create_dataset("v", data=np.zeros((3, 1))).attrs["unit"] = unit
    return path


def test_a_unit_attribute_that_is_code_is_refused_and_not_run(tmp_path):
    marker = tmp_path / "ran"
    path = _file(tmp_path / "hostile.h5", f"(__import__('os').system('touch {marker}'), volt)[1]")
    with pytest.raises(ModelError) as refused:
        print(load_output(path).sm.v)  # reading the record is what ran the command
    assert not marker.exists()
    message = str(refused.value)
    assert str(path) in message and "'sm'" in message and "'v'" in message and "__import__" in message


@pytest.mark.parametrize("unit", ["inch", "2*mV", "mV.real", "__import__", "lambda: mV", "mV if 1 else volt",
                                  "mV**(1/2)", "-mV", "[mV][0]", "mV**1e999", "mV;volt", "mV\n", "x" * 600])
def test_other_bad_unit_attributes_are_refused_with_the_record_named(tmp_path, unit):
    path = _file(tmp_path / "odd.h5", unit)
    if unit == "mV\n":  # surrounding white space is fine
        assert load_output(path).sm.v.dimensions == UNIT_NAMES["mV"].dimensions
        return
    with pytest.raises(ModelError, match="'v' of the monitor 'sm'"):
        load_output(path)


def test_good_unit_attributes_still_give_quantities(tmp_path):
    stored = load_output(_file(tmp_path / "ok.h5", "siemens/metre**2")).sm
    assert stored.v.units == UNIT_NAMES["siemens"] / UNIT_NAMES["metre"] ** 2
    assert isinstance(load_output(_file(tmp_path / "plain.h5", "1")).sm.v, np.ndarray)


ROUND_TRIP = ["mV", "siemens/metre**2", "second**-0.5", "Hz", "kHz", "nS/cm**2", "uF/cm2", "mV*second**-0.5",
              "kg*metre**2/second**3", "joule/(mole*kelvin)", "metre**0.5", "um3", "mM", "ms/second", "pA", "ohm",
              "kohm*cm", "coulomb/mole", "volt**2", "radian", "(mV/ms)**2", "second ** -1"]


@pytest.mark.parametrize("text", ROUND_TRIP)
def test_unit_from_name_reads_what_python_reads(text):
    parsed = unit_from_name(text)
    assert parsed == eval(text, {}, dict(UNIT_NAMES))  # our own, known texts
    assert unit_from_name(unit_name(parsed)) == parsed


def test_one_is_dimensionless():
    assert unit_from_name("1").dimensionless and unit_name(unit_from_name("1")) == "1"
    assert unit_from_name("1/second") == UNIT_NAMES["second"] ** -1


@given(st.lists(st.tuples(st.sampled_from(sorted(UNIT_NAMES)),
                          st.sampled_from([1, 2, 3, -1, -2, 0.5, -0.5, 1.5, 1 / 3])), min_size=1, max_size=4))
def test_unit_name_and_unit_from_name_are_inverse(factors):
    unit = unit_from_name("1")
    for name, power in factors:
        unit = unit * UNIT_NAMES[name] ** power
    assert unit_from_name(unit_name(unit)) == unit


@given(st.builds(Dimension.of, **{base: st.sampled_from([0, 1, -1, 2, -3, 0.5, -1 / 3])
                                 for base in ("mass", "length", "time", "current", "temperature", "substance",
                                              "luminosity")}))
def test_every_dimension_has_a_name_that_reads_back(dimension):
    text = unit_name(dimension)
    assert len(text) <= MAX_UNIT_TEXT
    assert unit_from_name(text).dimensions == dimension


def test_unit_from_name_refuses_with_the_text_named():
    with pytest.raises(ValueError, match="'inch' is not one of simcore's unit names"):
        unit_from_name("mV*inch")
    with pytest.raises(ValueError, match="characters long"):
        unit_from_name("mV*" * 200 + "mV")
    with pytest.raises(ValueError, match="does not parse"):
        unit_from_name("mV*")
    with pytest.raises(ValueError, match="not a unit name"):
        unit_from_name("open('/etc/passwd')")
