"""Errors and properties of Equations as Brian 2 users meet them: syntax errors that are both SyntaxError and
EquationError, checked renames and replacements, and the properties Brian 2 documents (expressions, evaluation
order, noise kind, dependencies). Nothing here compiles a network."""

import numpy as np
import pytest

from simcore import Equations, NeuronGroup, mV
from simcore.equations import Dependency, Expression
from simcore.errors import (
    EquationError,
    EquationSyntaxError,
    ModelTypeError,
    ParseError,
    SourcePosition,
    UnknownNameError,
    UnknownUnitError,
)
from simcore.units import Hz, volt
from simcore.units.dimension import DIMENSIONLESS

MISSING_COLON = "expected ':' before unit declaration"


@pytest.mark.parametrize("text, position", [
    ("dv/dt = -v / tau volt", (1, 1)),
    ("dv/dt = -v / tau foobaz", (1, 1)),
    ("tau second", (1, 1)),
    ("\n  # comment\n  length = (d/(4*Ri*g))**.5\n", (3, 3)),
    ("dv/dt = -v/tau\ndw/dt = -w/tau : 1", (1, 1)),
])
def test_a_forgotten_colon_is_named(text, position):
    with pytest.raises(EquationSyntaxError, match=MISSING_COLON) as error:
        Equations(text)
    assert error.value.position == SourcePosition(*position)
    assert isinstance(error.value, SyntaxError) and isinstance(error.value, EquationError)
    assert isinstance(error.value, ValueError) and isinstance(error.value, ParseError)


@pytest.mark.parametrize("text", ["dv/d = -v / tau : 1", "dv/d = -v / tau", "dv/dx = 1 : 1", "dv/dtt = 1 : 1"])
def test_a_derivative_not_in_time_asks_for_dt(text):
    with pytest.raises(EquationSyntaxError, match="Expected 'dt' after '/'") as error:
        Equations(text)
    assert MISSING_COLON not in str(error.value)
    assert error.value.position == SourcePosition(1, 1)


@pytest.mark.parametrize("text, message", [
    ("x = (", "'\\(' was never closed"),
    ("this is not equation", "cannot read this equation"),
    ("dv/dt = -v / tau : volt second", "invalid syntax"),
    ("dv/dt = -v / tau : 1.0*volt", "is not a unit"),
])
def test_other_syntax_errors_keep_their_own_message(text, message):
    with pytest.raises(EquationSyntaxError, match=message) as error:
        Equations(text)
    assert MISSING_COLON not in str(error.value)


@pytest.mark.parametrize("text, name", [
    ("ddt/dt = -dt / tau : volt", "dt"),
    ("dt/dt = -t / tau : volt", "t"),
    ("dxi/dt = -xi / tau : volt", "xi"),
    ("for : volt", "for"),
    ("d_x/dt = -_x / tau : volt", "_x"),
])
def test_names_a_variable_cannot_have_are_syntax_errors(text, name):
    with pytest.raises(SyntaxError, match=f"'{name}'.*choose another variable name") as error:
        Equations(text)
    assert isinstance(error.value, EquationError)


def test_an_unknown_unit_is_an_equation_error_and_an_unknown_name():
    with pytest.raises(UnknownUnitError, match="unknown unit 'voltage'; did you mean 'volt'") as error:
        Equations("dv/dt = -v / tau : voltage")
    assert isinstance(error.value, EquationError) and isinstance(error.value, UnknownNameError)
    assert isinstance(error.value, KeyError) and error.value.name == "voltage"


def test_a_group_with_a_broken_model_raises_an_equation_error():
    with pytest.raises(EquationError, match=MISSING_COLON):
        NeuronGroup(1, "dv/dt = -v / (10*ms) volt")


@pytest.mark.parametrize("value", [None, 42, ["dv/dt = -v / tau : volt"]])
def test_equations_refuse_what_is_no_equation(value):
    with pytest.raises(ModelTypeError, match="Equations takes a string of equations") as error:
        Equations(value)
    assert isinstance(error.value, TypeError)


@pytest.mark.parametrize("new, reason", [
    ("illegal name", "is not a valid name"),
    ("_reserved", "starts with '_'"),
    ("t", "is defined by every group"),
])
def test_renaming_a_variable_checks_the_new_name(new, reason):
    with pytest.raises(EquationSyntaxError, match=f"cannot rename 'v' to '{new}': '{new}' {reason}"):
        Equations("dv/dt = -v / tau : 1", v=new)


def test_renaming_an_external_name_only_needs_an_identifier():
    eqs = Equations("dv/dt = -v / tau : 1", tau="tau_post")
    assert eqs["v"].identifiers == {"v", "tau_post"}
    with pytest.raises(EquationSyntaxError, match="cannot rename 'tau' to 'a b'"):
        Equations("dv/dt = -v / tau : 1", tau="a b")


def test_replacements_by_values():
    with pytest.raises(ValueError, match="cannot replace 'v' by a value: it is a variable"):
        Equations("dv/dt = -v / tau : 1", v=3 * mV)
    with pytest.raises(EquationSyntaxError, match="cannot replace 'tau' by array") as error:
        Equations("dv/dt = -v / tau : 1", tau=np.arange(5))
    assert isinstance(error.value, ValueError)
    with pytest.raises(EquationError, match="'x' is defined twice"):
        Equations("dv/dt = -v / tau : 1\ndx/dt = -x / tau : 1", v="x")


@pytest.fixture(scope="module")
def model():
    return Equations("""
        dv/dt = -(v + I)/ tau : volt
        I = sin(2 * 22/7. * f * t)* volt : volt
        f = freq * Hz: Hz
        freq : 1
    """)


def test_expressions_and_names(model):
    assert [(name, str(expr)) for name, expr in model.diff_eq_expressions] == [("v", "-(v + I)/ tau")]
    assert [name for name, _ in model.eq_expressions] == ["v", "I", "f"]
    assert all(isinstance(expr, Expression) for _, expr in model.eq_expressions)
    assert model.eq_expressions[2][1].identifiers == {"freq", "Hz"}
    assert model.eq_names == ("v", "I", "f")
    assert model.diff_eq_names == ("v",)
    assert model.subexpr_names == ("I", "f")
    assert model.parameter_names == ("freq",)
    assert model.dimensions == {"v": volt.dim, "I": volt.dim, "f": Hz.dim, "freq": DIMENSIONLESS}


def test_ordered_is_the_order_of_evaluation(model):
    assert [eq.name for eq in model.ordered] == ["f", "I", "v", "freq"]
    assert [eq.varname for eq in model.ordered] == ["f", "I", "v", "freq"]


@pytest.mark.parametrize("text, variables, kind", [
    ("dv/dt = -v / tau : 1", set(), None),
    ("dv/dt = -v / tau + 0.1*second**-.5*xi : 1", {"xi"}, "additive"),
    ("dv/dt = -v / tau + 0.1*second**-.5*xi_1 + 0.1*second**-.5*xi_2 : 1", {"xi_1", "xi_2"}, "additive"),
    ("dv/dt = -v / tau + 0.1*second**-1.5*xi*t : 1", {"xi"}, "multiplicative"),
    ("dv/dt = -v / tau + 0.1*second**-1.5*xi*v : 1", {"xi"}, "multiplicative"),
    ("dv/dt = -v / tau + s*xi : 1\ns = 0.1*second**-1.5*v : second**-0.5", {"xi"}, "multiplicative"),
])
def test_stochastic_type(text, variables, kind):
    eqs = Equations(text)
    assert eqs.stochastic_variables == variables
    assert eqs.stochastic_type == kind


def test_dependencies_follow_subexpressions():
    eqs = Equations("""
        dv/dt = I_m / C_m : volt
        I_m = I_ext + I_pas : amp
        I_ext = 1*nA + sin(2*pi*100*Hz*t)*nA : amp
        I_pas = g_L*(E_L - v) : amp
        g_L : siemens
    """)
    found = {name: [(d.equation.name, d.via) for d in deps] for name, deps in eqs.dependencies.items()}
    assert found == {
        "v": [("I_m", ()), ("I_ext", ("I_m",)), ("I_pas", ("I_m",)), ("v", ("I_m", "I_pas")),
              ("g_L", ("I_m", "I_pas"))],
        "I_m": [("I_ext", ()), ("I_pas", ()), ("v", ("I_pas",)), ("g_L", ("I_pas",))],
        "I_ext": [],
        "I_pas": [("v", ()), ("g_L", ())],
    }
    assert eqs.dependencies["I_pas"][0] == Dependency(eqs["v"])
