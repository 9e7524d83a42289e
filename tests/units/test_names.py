"""Every exported unit name: its SI value and dimension; unit_name round trips."""

from __future__ import annotations

import math

import numpy as np
import pytest

from simcore.units import UNIT_NAMES, Dimension, Quantity, to_si, unit_name
from simcore.units.numpy_names import NUMPY_EXPORTS

D = Dimension.of
VOLT = D(mass=1, length=2, time=-3, current=-1)
# Independent table: unprefixed name -> (SI value of one unit, dimension).
BASES = {
    "metre": (1.0, D(length=1)),
    "meter": (1.0, D(length=1)),
    "gram": (1e-3, D(mass=1)),
    "gramme": (1e-3, D(mass=1)),
    "second": (1.0, D(time=1)),
    "amp": (1.0, D(current=1)),
    "ampere": (1.0, D(current=1)),
    "kelvin": (1.0, D(temperature=1)),
    "mole": (1.0, D(substance=1)),
    "candela": (1.0, D(luminosity=1)),
    "candle": (1.0, D(luminosity=1)),
    "molar": (1e3, D(substance=1, length=-3)),
    "litre": (1e-3, D(length=3)),
    "liter": (1e-3, D(length=3)),
    "hertz": (1.0, D(time=-1)),
    "newton": (1.0, D(mass=1, length=1, time=-2)),
    "pascal": (1.0, D(mass=1, length=-1, time=-2)),
    "joule": (1.0, D(mass=1, length=2, time=-2)),
    "watt": (1.0, D(mass=1, length=2, time=-3)),
    "coulomb": (1.0, D(current=1, time=1)),
    "volt": (1.0, VOLT),
    "farad": (1.0, D(mass=-1, length=-2, time=4, current=2)),
    "ohm": (1.0, D(mass=1, length=2, time=-3, current=-2)),
    "siemens": (1.0, D(mass=-1, length=-2, time=3, current=2)),
    "weber": (1.0, D(mass=1, length=2, time=-2, current=-1)),
    "tesla": (1.0, D(mass=1, time=-2, current=-1)),
    "henry": (1.0, D(mass=1, length=2, time=-2, current=-2)),
    "radian": (1.0, D()),
    "steradian": (1.0, D()),
    "becquerel": (1.0, D(time=-1)),
    "gray": (1.0, D(length=2, time=-2)),
    "sievert": (1.0, D(length=2, time=-2)),
    "katal": (1.0, D(substance=1, time=-1)),
    "lumen": (1.0, D(luminosity=1)),
    "lux": (1.0, D(luminosity=1, length=-2)),
}
SYMBOLS = {
    "metre": "m", "gram": "g", "second": "s", "amp": "A", "kelvin": "K", "mole": "mol",
    "candela": "cd", "molar": "M", "litre": "l", "hertz": "Hz", "newton": "N", "pascal": "Pa",
    "joule": "J", "watt": "W", "coulomb": "C", "volt": "V", "farad": "F", "ohm": "ohm",
    "siemens": "S", "weber": "Wb", "tesla": "T", "henry": "H", "radian": "rad",
    "steradian": "sr", "becquerel": "Bq", "gray": "Gy", "sievert": "Sv", "katal": "kat",
    "lumen": "lm", "lux": "lx",
}  # fmt: skip
PREFIXES = {"f": 1e-15, "p": 1e-12, "n": 1e-9, "u": 1e-6, "m": 1e-3, "c": 1e-2, "d": 1e-1,
            "k": 1e3, "M": 1e6, "G": 1e9, "T": 1e12}  # fmt: skip
# Brian 2's other prefixes: with full names only.
RARE_PREFIXES = {"y": 1e-24, "z": 1e-21, "a": 1e-18, "da": 1e1, "h": 1e2, "P": 1e15, "E": 1e18, "Z": 1e21,
                 "Y": 1e24}  # fmt: skip
LENGTHS = ("metre", "meter")


def expected_names() -> dict[str, tuple[float, Dimension]]:
    names = {}

    def with_powers(name: str, value: float, dim: Dimension) -> None:
        names[name] = (value, dim)
        names[name + "2"] = (value**2, dim**2)
        names[name + "3"] = (value**3, dim**3)

    full_names = {**BASES, "mol": BASES["mole"]}
    for name, (value, dim) in full_names.items():
        with_powers(name, value, dim)
        for prefix, factor in {**PREFIXES, **RARE_PREFIXES}.items():
            with_powers(prefix + name, factor * value, dim)
    for name, symbol in SYMBOLS.items():
        value, dim = BASES[name]
        for prefix, factor in PREFIXES.items():
            names[prefix + symbol] = (factor * value, dim)
    for name in ("Hz", "mol", "ohm"):
        names[name] = BASES[{"Hz": "hertz", "mol": "mole", "ohm": "ohm"}[name]]
    with_powers("kilogram", 1.0, D(mass=1))
    with_powers("kilogramme", 1.0, D(mass=1))
    for prefix, factor in PREFIXES.items():
        with_powers(prefix + "m", factor, D(length=1))
    return names


EXPECTED = expected_names()


def test_the_exported_names_are_exactly_the_expected_ones():
    assert set(UNIT_NAMES) == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_si_value_and_dimension_of_every_name(name):
    unit = UNIT_NAMES[name]
    value, dim = to_si(unit)
    expected_value, expected_dim = EXPECTED[name]
    assert value == pytest.approx(expected_value, rel=1e-12)
    assert dim == expected_dim
    # pint's own conversion agrees with the cached factor
    assert Quantity(1.0, unit).to_base_units().magnitude == pytest.approx(expected_value, rel=1e-12)


@pytest.mark.parametrize(
    "name, value",
    [("mV", 1e-3), ("ms", 1e-3), ("us", 1e-6), ("nS", 1e-9), ("pA", 1e-12), ("uF", 1e-6),
     ("cm2", 1e-4), ("um2", 1e-12), ("um3", 1e-18), ("mM", 1.0), ("uM", 1e-3), ("kg", 1.0),
     ("mg", 1e-6), ("ml", 1e-6), ("kohm", 1e3), ("Mohm", 1e6), ("kHz", 1e3), ("mmol", 1e-3),
     ("umolar", 1e-3), ("cmetre", 1e-2), ("mmeter", 1e-3), ("umetre2", 1e-12), ("metre3", 1.0)],
)  # fmt: skip
def test_common_names(name, value):
    assert to_si(UNIT_NAMES[name])[0] == pytest.approx(value, rel=1e-12)


def test_no_one_letter_names_are_exported():
    assert not [name for name in UNIT_NAMES if len(name) == 1]
    for name in ("s", "m", "g", "A", "K", "V", "S", "F", "C", "J", "W", "N", "M", "l", "T", "H"):
        assert name not in UNIT_NAMES


def test_unit_names_do_not_clash_with_numpy_names():
    assert not set(UNIT_NAMES) & set(NUMPY_EXPORTS)


ROUND_TRIP = [
    "mV", "ms", "second", "metre", "siemens/metre**2", "nS/cm**2", "uF/cm**2", "mV/ms",
    "second**-0.5", "mV*second**-0.5", "amp/metre**2", "mM", "umolar", "mol", "kg",
    "kg*metre**2/second**3", "Hz", "kHz", "ohm", "kohm*cm", "mole/metre**3", "volt/second",
    "pA", "nA/um**2", "farad/metre**2", "coulomb/mole", "joule/(mole*kelvin)", "metre**0.5",
    "second**-1", "um**3", "mV**2", "pF", "msiemens/cm2", "gram/litre", "radian", "uS",
    "newton/amp**2", "ms/second",
]  # fmt: skip


@pytest.mark.parametrize("text", ROUND_TRIP)
def test_unit_name_round_trips(text):
    unit = eval(text, {}, dict(UNIT_NAMES))
    name = unit_name(unit)
    back = eval(name, {}, dict(UNIT_NAMES))
    assert back == unit
    assert to_si(back) == (pytest.approx(to_si(unit)[0], rel=1e-12), to_si(unit)[1])


def test_unit_name_texts():
    assert unit_name(UNIT_NAMES["mV"]) == "mV"
    assert unit_name(UNIT_NAMES["siemens"] / UNIT_NAMES["metre"] ** 2) == "siemens/metre**2"
    assert unit_name(UNIT_NAMES["second"] ** -0.5) == "second**-0.5"
    assert unit_name(UNIT_NAMES["ms"] / UNIT_NAMES["ms"]) == "1"
    assert unit_name(1) == "1"
    assert unit_name(UNIT_NAMES["cm2"]) == "cm**2"
    assert unit_name(UNIT_NAMES["Hz"]) == "hertz"
    assert unit_name(UNIT_NAMES["kilogram"]) == "kg"


def test_unit_name_of_a_dimension_uses_its_si_unit():
    assert unit_name(VOLT) == "volt"
    assert unit_name(D(time=-0.5)) == "second**-0.5"
    assert unit_name(Dimension()) == "1"


def test_unit_name_refuses_units_without_a_simcore_name():
    from simcore.units import ureg

    with pytest.raises(ValueError, match="inch"):
        unit_name(ureg.Unit("inch"))
    with pytest.raises(TypeError):
        unit_name("mV")


def test_every_name_round_trips_through_unit_name():
    namespace = dict(UNIT_NAMES)
    for unit in UNIT_NAMES.values():
        assert eval(unit_name(unit), {}, namespace) == unit


def test_units_are_pint_units_with_exact_powers():
    cm2 = UNIT_NAMES["cm2"]
    assert cm2 == UNIT_NAMES["cm"] ** 2
    assert math.isclose(float(cm2 / UNIT_NAMES["metre2"]), 1e-4)
    assert np.asarray(UNIT_NAMES["mV"]) == pytest.approx(1e-3)
