"""The dimension walker on right and wrong expressions (parsed by the model language)."""

import pytest

from simcore.equations.parser import parse_expression
from simcore.equations.printer import to_text
from simcore.units.dimension import DIMENSIONLESS, Dimension
from simcore.units.errors import DimensionMismatchError
from simcore.units.walker import dimension_of

VOLT = Dimension.of(mass=1, length=2, time=-3, current=-1)
SECOND = Dimension.of(time=1)
AMP = Dimension.of(current=1)
SIEMENS = Dimension.of(mass=-1, length=-2, time=3, current=2)
FARAD = Dimension.of(mass=-1, length=-2, time=4, current=2)
METRE = Dimension.of(length=1)
HERTZ = SECOND**-1
ONE = DIMENSIONLESS

DIMS = {
    "v": VOLT, "El": VOLT, "mV": VOLT, "ENa": VOLT, "tau": SECOND, "ms": SECOND, "t": SECOND, "dt": SECOND,
    "g": SIEMENS, "C": FARAD, "I": AMP, "x": ONE, "y": ONE, "w": ONE, "p": ONE, "freq": HERTZ,
    "x_pre": METRE, "x_post": METRE, "umeter": METRE, "xi": SECOND**-0.5, "m": ONE, "h": ONE,
    "pi": ONE, "inf": ONE,
}

RIGHT = [
    ("(v - El)/tau", VOLT / SECOND),
    ("g*(v - El)/C", VOLT / SECOND),
    ("I/C", VOLT / SECOND),
    ("g*m**3*h*(v - ENa)", AMP),
    ("exp(v/mV)", ONE),
    ("exprel((v - El)/(4*mV))", ONE),
    ("log(1 + x)", ONE),
    ("sin(2*pi*freq*t)", ONE),
    ("v > -20*mV", ONE),
    ("v > 0", ONE),
    ("v < inf", ONE),
    ("clip(v, 0, El)", VOLT),
    ("clip(w + p, 0, 1)", ONE),
    ("sqrt(v*v)", VOLT),
    ("abs(v - El)", VOLT),
    ("floor(t/dt)", ONE),
    ("ceil(v)", VOLT),
    ("sign(v)", ONE),
    ("rand() < p", ONE),
    ("randn()*v", VOLT),
    ("poisson(x)", ONE),
    ("(v > El) and (x < 1)", ONE),
    ("not (v > El)", ONE),
    ("tau**-0.5", SECOND**-0.5),
    ("v*xi*tau**0.5/tau", VOLT / SECOND),
    ("int(v > El)*v", VOLT),
    ("v % mV", VOLT),
    ("timestep(t, dt)", ONE),
    ("(x_pre - x_post)**2/umeter**2", ONE),
    ("1.5*exp(-((x_pre - x_post)**2)/(2*(60*umeter)**2))", ONE),
    ("0.32*(mV**-1)*(13*mV - v)/(exp((13*mV - v)/(4*mV)) - 1)/ms", HERTZ),
    ("v**2/mV**2", ONE),
]

WRONG = [
    ("v + tau", ["volt", "second"]),
    ("v - t", ["volt", "second"]),
    ("exp(v)", ["exp(v)", "volt"]),
    ("log(tau)", ["log(tau)", "second"]),
    ("sin(t)", ["second"]),
    ("v > tau", ["volt", "second"]),
    ("v > 1", ["volt"]),
    ("v**x", ["must be a number", "volt"]),
    ("x**v", ["exponent", "volt"]),
    ("clip(v, 0, tau)", ["volt", "second"]),
    ("g*v + tau", ["amp", "second"]),
    ("int(v)", ["volt"]),
    ("exprel(v)", ["volt"]),
    ("(v > El) and tau", ["second"]),
    ("v % tau", ["volt", "second"]),
    ("timestep(t, v)", ["second", "volt"]),
    ("poisson(freq)", ["hertz"]),
]


@pytest.mark.parametrize("text, expected", RIGHT)
def test_dimension_of_consistent_expressions(text, expected):
    assert dimension_of(parse_expression(text).expr, DIMS, to_text) == expected


@pytest.mark.parametrize("text, fragments", WRONG)
def test_inconsistent_expressions_name_units(text, fragments):
    with pytest.raises(DimensionMismatchError) as info:
        dimension_of(parse_expression(text).expr, DIMS, to_text)
    for fragment in fragments:
        assert fragment in str(info.value)


def test_there_are_at_least_thirty_cases():
    assert len(RIGHT) + len(WRONG) >= 30


def test_noise_exponent_is_exact():
    # (second**-0.5)**2 must be exactly 1/second, not a float approximation
    assert dimension_of(parse_expression("xi*xi").expr, DIMS) == HERTZ
    assert str(SECOND**-0.5) == "s^-1/2"


def test_dimension_names():
    assert str(VOLT) == "volt"
    assert str(VOLT / SECOND) == "volt/second"
    assert str(SIEMENS / METRE**2) == "siemens/metre^2"
    assert str(ONE) == "1"
    assert str(VOLT**2) == "m^4 kg^2 s^-6 A^-2"
