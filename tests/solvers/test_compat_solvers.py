"""Brian 2's state updater names and behaviours: method objects, fallbacks, 'independent', exponential Euler
with coefficients frozen over the step, and milstein in the Stratonovich sense."""

import math

import numpy as np
import pytest
from solver_evaluator import Evaluator

from simcore import Network, NeuronGroup, ms, start_scope
from simcore.solvers import SolverError, integrate
from simcore.solvers.public import euler, exact, exponential_euler, independent, linear, milstein, rk4


def run_group(method, model="dv/dt = -v/(10*ms) : 1", v0=1.0, duration=1 * ms, **kwargs):
    start_scope()
    group = NeuronGroup(2, model, method=method, **kwargs)
    group.v = v0
    Network(group).run(duration)
    return np.asarray(group.v[:], dtype=float)


def test_method_objects_are_accepted_and_equal_their_names():
    assert exact is linear
    assert str(rk4) == "rk4" and "rk4" in repr(rk4)
    np.testing.assert_array_equal(run_group(rk4), run_group("rk4"))
    np.testing.assert_allclose(run_group(exact), math.exp(-0.1), rtol=1e-12)


def test_a_method_object_gives_its_update_as_text():
    text = euler("""dv/dt = -v/(10*ms) + xi_1*ms**-0.5 : 1
                    dw/dt = -w/(10*ms) + xi_2*ms**-0.5 : 1""")
    lines = text.split("\n")
    assert any(line.startswith("_v = ") and "xi_1" in line for line in lines)
    assert any(line.startswith("_w = ") and "xi_2" in line for line in lines)
    assert lines[-2:] == ["v = _v", "w = _w"]  # as Brian 2's abstract code: new values copied at the end


def test_a_tuple_of_methods_uses_the_first_that_works():
    model = "dv/dt = -v**2/(10*ms) : 1"
    assert integrate(model, ("linear", "euler")).method == "euler"
    np.testing.assert_allclose(run_group(("linear", "euler"), model), run_group("euler", model), rtol=0)


@pytest.mark.parametrize("bad", [object(), [object(), "euler"], 3])
def test_a_method_that_is_neither_name_nor_method_is_a_type_error(bad):
    with pytest.raises(TypeError):
        integrate("dv/dt = -v/(10*ms) : 1", bad)


def test_an_unknown_method_option_is_a_key_error():
    with pytest.raises(KeyError, match="absolute_error"):
        integrate("dv/dt = -v/(10*ms) : 1", "euler", method_options={"absolute_error": 1e-3})


def test_independent_solves_each_equation_in_closed_form():
    update = integrate("dv/dt = cos(t/ms)/ms : 1", independent)
    result = Evaluator(update, {"ms": 1e-3}).run({"v": 0.0}, 1e-4, 30)["v"]
    np.testing.assert_allclose(result, math.sin(3.0), rtol=1e-10)
    np.testing.assert_allclose(run_group("independent"), math.exp(-0.1), rtol=1e-12)
    with pytest.raises(SolverError, match="depends on w"):
        integrate("dv/dt = -w/(10*ms) : 1\ndw/dt = -w/(10*ms) : 1", "independent")


def test_exponential_euler_freezes_a_coefficient_that_depends_on_the_variable():
    model = """dv/dt = -g*v/(10*ms) + exp(-v)/(10*ms) : 1
               g = exp(v) : 1"""
    dt, v0 = 1e-4, 0.3
    update = integrate(model, exponential_euler)
    result = Evaluator(update, {"ms": 1e-3}).run({"v": v0}, dt, 1)["v"]
    a, b = -math.exp(v0) / 1e-2, math.exp(-v0) / 1e-2  # frozen at the start of the step
    np.testing.assert_allclose(result, v0 * math.exp(a * dt) + b / a * (math.exp(a * dt) - 1), rtol=1e-12)
    with pytest.raises(SolverError, match="A\\*x \\+ B"):
        integrate("dv/dt = -v**2/(10*ms) : 1", "exponential_euler")


def test_milstein_is_stratonovich_a_step_without_noise_is_an_euler_step():
    """Itô's derivative-free Milstein subtracts dt from dW**2: with dW = 0 it would not be an Euler step."""
    update = integrate("dx/dt = mu*x + sigma*x*xi : 1", milstein)
    evaluator = Evaluator(update, {"mu": 0.5, "sigma": 1.0}, normals=lambda step, k: np.zeros(1))
    np.testing.assert_allclose(evaluator.run({"x": 1.0}, 0.01, 1)["x"], 1.005, rtol=1e-14)


def test_milstein_mean_follows_the_stratonovich_solution():
    """E[x(1)] of dx = mu*x dt + sigma*x o dW is exp(mu + sigma**2/2) (Stratonovich), exp(mu) in Itô's sense."""
    update = integrate("dx/dt = mu*x + sigma*x*xi : 1", milstein)
    evaluator = Evaluator(update, {"mu": 0.2, "sigma": 0.5}, size=20000, seed=3)
    mean = evaluator.run({"x": np.ones(20000)}, 1e-3, 1000)["x"].mean()
    assert abs(mean - math.exp(0.2 + 0.125)) < 0.02
