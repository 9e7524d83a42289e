"""Choosing a method: the registry, the default choice and its log message, user tableaux."""

import logging
from fractions import Fraction

import pytest

import simcore.solvers as solvers
from simcore.errors import ModelError
from simcore.solvers import (
    METHODS,
    ExplicitRungeKutta,
    IntegrationMethod,
    SolverError,
    get_method,
    integrate,
    register_method,
)

LINEAR = "dv/dt = (El - v)/tau : volt"
NONLINEAR = "dv/dt = (El - v)/tau + v**2/(tau*mV) : volt"
ADDITIVE = "dv/dt = (El - v)/tau + sigma*xi/sqrt(tau) : volt"
MULTIPLICATIVE = "dv/dt = (El - v)/tau + sigma*v*xi : volt"


def test_public_interface():
    for name in ["integrate", "get_method", "register_method", "METHODS", "ExplicitRungeKutta", "SolverError"]:
        assert name in solvers.__all__
    assert issubclass(SolverError, ModelError) and issubclass(SolverError, ValueError)


def test_every_method_declares_its_properties():
    expected = {"exact": (float("inf"), None), "euler": (1, 1.0), "rk2": (2, None), "rk4": (4, None),
                "heun": (2, 1.0), "milstein": (1, 0.5), "exponential_euler": (1, None)}
    for name, (order, strong) in expected.items():
        method = get_method(name)
        assert (method.order, method.strong_order) == (order, strong), name
    assert get_method("linear") is get_method("exact")
    assert get_method("euler").noise == {"additive"}
    assert get_method("heun").noise == get_method("milstein").noise == {"additive", "multiplicative"}
    assert not get_method("rk4").noise and not get_method("exact").noise


@pytest.mark.parametrize(("equations", "expected"), [
    (LINEAR, "exact"), (NONLINEAR, "euler"), (ADDITIVE, "euler"), (MULTIPLICATIVE, "heun"),
])
def test_default_choice_follows_brian2_and_is_logged(equations, expected, caplog):
    with caplog.at_level(logging.INFO, logger="simcore.solvers"):
        update = integrate(equations, owner="neurongroup")
    assert update.method == expected
    (record,) = [r for r in caplog.records if r.name == "simcore.solvers"]
    assert record.levelno == logging.INFO
    assert record.getMessage().startswith(
        f"No numerical integration method specified for neurongroup, using method '{expected}' (took ")


def test_explicit_method_is_not_logged_at_info(caplog):
    with caplog.at_level(logging.INFO, logger="simcore.solvers"):
        integrate(LINEAR, "euler")
    assert not caplog.records


def test_a_list_is_tried_in_order():
    assert integrate(NONLINEAR, ["exact", "rk4", "euler"]).method == "rk4"
    assert integrate(LINEAR, ["exact", "rk4"]).method == "exact"


def test_a_list_that_fails_gives_every_reason():
    with pytest.raises(SolverError) as info:
        integrate(MULTIPLICATIVE, ["exact", "euler", "rk4"])
    message = str(info.value)
    assert "none of the methods 'exact', 'euler', 'rk4'" in message
    assert "exact:" in message and "euler: " in message and "additive noise only" in message


def test_unknown_method_lists_the_known_ones():
    with pytest.raises(SolverError) as info:
        integrate(LINEAR, "rk5")
    message = str(info.value)
    assert "unknown integration method 'rk5' (did you mean 'rk4'?)" in message
    for name in ["euler", "exact", "exponential_euler", "heun", "milstein", "rk2", "rk4"]:
        assert name in message


def test_no_differential_equations_give_no_statements():
    assert integrate("x : 1\ny = 2*x : 1").statements == ()


def test_register_a_user_tableau():
    ralston = ExplicitRungeKutta([[0, 0], ["2/3", 0]], [0.25, 0.75], order=2)
    register_method("ralston_test", ralston)
    try:
        assert METHODS["ralston_test"] is ralston and ralston.name == "ralston_test"
        update = integrate(NONLINEAR, "ralston_test")
        assert update.method == "ralston_test"
        assert ralston.c == (0, Fraction(2, 3))
        with pytest.raises(SolverError, match="already registered"):
            register_method("ralston_test", ExplicitRungeKutta([[0]], [1], order=1))
        register_method("ralston_test", ralston)  # the same object again: fine
    finally:
        del METHODS["ralston_test"]


def test_register_refuses_non_methods_and_bad_names():
    with pytest.raises(SolverError, match="IntegrationMethod"):
        register_method("mine", lambda eqs: None)
    with pytest.raises(SolverError, match="identifier"):
        register_method("my method", get_method("euler"))
    assert isinstance(get_method("euler"), IntegrationMethod)


@pytest.mark.parametrize(("a", "b", "c", "order", "message"), [
    ([[0, 1], [0, 0]], [0.5, 0.5], None, 1, "not explicit: a\\[0\\]\\[1\\]"),
    ([[0, 0], [1, 0]], [0.5, 0.5], [0, 0.5], 2, "c\\[1\\] = 0.5 but row 1 of a sums to 1"),
    ([[0, 0], [1, 0]], [0.5, 0.6], None, 1, "order-1 condition sum\\(b\\) = 1 fails"),
    ([[0, 0], [1, 0]], [1, 0], None, 2, "declared order 2: the order-2 condition"),
    ([[0, 0], [0.5, 0]], [0, 1], None, 3, "order-3 condition"),
    ([[0, 0]], [1, 0], None, 1, "2x2 matrix"),
    ([[0]], [1], None, 0, "positive integer"),
    ([["x"]], [1], None, 1, "real number"),
])
def test_bad_tableaux_are_refused(a, b, c, order, message):
    with pytest.raises(SolverError, match=message):
        ExplicitRungeKutta(a, b, c, order=order)


def test_tableau_cannot_claim_multiplicative_noise():
    with pytest.raises(SolverError, match="multiplicative"):
        ExplicitRungeKutta([[0]], [1], order=1, noise=("multiplicative",), strong_order=0.5)
    with pytest.raises(SolverError, match="strong order"):
        ExplicitRungeKutta([[0]], [1], order=1, noise=("additive",))
