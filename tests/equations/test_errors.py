"""Every bad input gets a clear error, with the position in the string where there is one."""

import pytest

from simcore.equations import (
    Equations,
    check_expression,
    check_statements,
    parse_expression,
    parse_statements,
)
from simcore.errors import EquationError, ModelError, ParseError, SourcePosition, UnknownNameError
from simcore.units import DimensionMismatchError, ms, mV
from simcore.units.dimension import DIMENSIONLESS, Dimension

VOLT = Dimension.of(mass=1, length=2, time=-3, current=-1)


def raises(kind, text, *fragments, position=None, **kwargs):
    with pytest.raises(kind) as info:
        Equations(text, **kwargs)
    for fragment in fragments:
        assert fragment in str(info.value)
    if position is not None:
        assert info.value.position == SourcePosition(*position)
    return info.value


def test_syntax_error_position_in_equation():
    error = raises(ParseError, "dv/dt = -v/tau : volt\ndw/dt = (w - * 2)/tau : 1", "invalid syntax",
                   position=(2, 14))
    assert "^" in str(error) and "(w - * 2)" in str(error)
    assert isinstance(error, SyntaxError) and isinstance(error, ModelError)


def test_syntax_error_in_continued_line():
    raises(ParseError, "dv/dt = (-v +\n        2*)/tau : volt", "invalid syntax", position=(2, 11))


def test_unknown_flag_with_suggestion():
    raises(ParseError, "dv/dt = -v/tau : volt (unless refactory)", "unknown flag 'unless refactory'",
           "did you mean 'unless refractory'", position=(1, 24))


def test_flag_not_for_this_kind():
    raises(ParseError, "dv/dt = -v/tau : volt (constant)", "'constant' does not apply to a differential")


def test_incompatible_flags():
    raises(ParseError, "x : 1 (linked, constant)", "cannot be combined")


def test_flag_given_twice():
    raises(ParseError, "x : 1 (constant, constant)", "given twice")


def test_flag_not_for_owner():
    eqs = Equations("g_post = w : siemens (summed)\nw : siemens")
    with pytest.raises(EquationError, match="'summed' .* does not apply in a NeuronGroup"):
        eqs.check_flags("NeuronGroup")
    eqs.check_flags("Synapses")


def test_summed_variable_names_its_target():
    raises(EquationError, "g = w : siemens (summed)", "must end in '_post' or '_pre'", position=(1, 1))


def test_variable_defined_twice():
    raises(EquationError, "v : volt\ndv/dt = -v/tau : volt", "'v' is defined twice", "first defined on line 1",
           position=(2, 2))


def test_missing_unit():
    raises(ParseError, "dv/dt = -v/tau\ndw/dt = -w/tau : 1", "'dv/dt' has no unit", position=(1, 1))
    raises(ParseError, "dv/dt = -v/tau", "has no unit")


def test_unknown_unit_with_suggestion():
    raises(UnknownNameError, "v : vlot", "unknown unit 'vlot'", "did you mean 'volt'", position=(1, 5))


def test_unit_with_a_number_is_refused():
    raises(ParseError, "v : 2*volt", "is not a unit")


def test_subexpression_refers_to_itself():
    raises(EquationError, "x = 2*x : 1", "refers to itself")


def test_subexpression_cycle():
    raises(EquationError, "a = b : 1\nb = c : 1\nc = a : 1", "cycle", "a -> b -> c -> a")


def test_noise_outside_differential_equation():
    # a subexpression may hold noise (substituted into the equations), but not one evaluated once per step
    raises(EquationError, "I = xi*amp*second**0.5 : amp (constant over dt)", "white noise 'xi'",
           "only appear in differential")


def test_reserved_and_bad_names():
    raises(EquationError, "t : second", "'t' is defined by every group")
    raises(EquationError, "ms : second", "name of a unit")
    raises(EquationError, "exp : 1", "built-in function")
    raises(EquationError, "w_post : 1", "'_pre' or '_post'")
    raises(EquationError, "xi_1 : 1", "reserved for white noise")


def test_unreadable_equation():
    raises(ParseError, "dv/dt + 1 = v : volt", "cannot read this equation")


def test_boolean_cannot_be_integrated():
    raises(EquationError, "db/dt = 1/second : boolean", "only floating-point")


def test_unit_mismatch_in_differential_equation_names_both_units():
    eqs = Equations("dv/dt = -v : volt")
    with pytest.raises(DimensionMismatchError) as info:
        eqs.check_units()
    message = str(info.value)
    assert "'v' (line 1)" in message and "has units of volt" in message and "volt/second" in message


def test_unit_mismatch_inside_expression():
    eqs = Equations("dv/dt = (v + tau)/tau : volt")
    with pytest.raises(DimensionMismatchError, match="'v'.*volt.*'tau'.*second|'tau'.*second.*'v'.*volt"):
        eqs.check_units({"tau": 10 * ms})


def test_unknown_identifier_position():
    eqs = Equations("dv/dt = -v/tau : volt\ndw/dt = (v - Vr)/tau/mV : 1")
    with pytest.raises(UnknownNameError) as info:
        eqs.check_units({"tau": 10 * ms})
    assert info.value.name == "Vr"
    assert info.value.position == SourcePosition(2, 14)
    assert isinstance(info.value, NameError)


def test_unknown_function():
    eqs = Equations("dv/dt = f(v)/tau : volt")
    with pytest.raises(UnknownNameError, match="unknown function 'f'"):
        eqs.check_units({"tau": 10 * ms})


def test_threshold_and_reset_units():
    own = {"v": VOLT, "w": DIMENSIONLESS}
    check_expression(parse_expression("v > -50*mV"), own)
    with pytest.raises(DimensionMismatchError, match="volt.*second|second.*volt"):
        check_expression(parse_expression("v > 10*ms"), own)
    check_statements(parse_statements("v = -60*mV\nw += 0.1"), own)
    with pytest.raises(DimensionMismatchError, match="target 'v': volt"):
        check_statements(parse_statements("v = 5*ms"), own)
    with pytest.raises(DimensionMismatchError, match="factor"):
        check_statements(parse_statements("v *= 2*mV"), own)
    with pytest.raises(UnknownNameError, match="'u', which is not a variable"):
        check_statements(parse_statements("u = 3"), own)


def test_statement_errors():
    with pytest.raises(ParseError, match="must assign"):
        parse_statements("v == 3")
    with pytest.raises(ParseError, match=r"only the operators =, \+=, -=, \*= and /="):
        parse_statements("v **= 2")
    with pytest.raises(ParseError) as info:
        parse_statements("v = 0*mV\nw = (1 +")
    assert info.value.position.line == 2


def test_expression_errors():
    with pytest.raises(ParseError, match="use 'and'"):
        parse_expression("v > 1 & w < 2")
    with pytest.raises(ParseError, match=r"exp\(\) takes 1 argument \(2 given\)"):
        parse_expression("exp(1, 2)")
    with pytest.raises(ParseError, match="conditional expression"):
        parse_expression("1 if v > 0 else 2")
    with pytest.raises(ParseError, match="division by zero"):
        parse_expression("v + 1 % 0")
    with pytest.raises(ParseError, match="empty expression"):
        parse_expression("   ")


def test_substitution_errors():
    raises(EquationError, "dv/dt = -v/tau : volt", "do not use that name", nothing=3)
    raises(EquationError, "dv/dt = -v/tau : volt", "is a variable of the equations", v=3 * mV)
    raises(EquationError, "dv/dt = -v/tau : volt", "only scalar", tau=[1, 2] * ms)
