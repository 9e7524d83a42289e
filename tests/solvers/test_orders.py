"""Every method's declared order, measured: errors against known solutions at several dt."""

from fractions import Fraction

import numpy as np
import pytest
from solver_evaluator import Evaluator, observed_order

from simcore.equations import Equations
from simcore.solvers import ExplicitRungeKutta, get_method, integrate

TOLERANCE = 0.3


def forced(t, x0=0.2, tau=0.5):
    s = t / tau
    return {"x": (np.cos(s) + np.sin(s)) / 2 + (x0 - 0.5) * np.exp(-s)}


def logistic(t, x0=0.1, r=3.0):
    return {"x": 1 / (1 + (1 / x0 - 1) * np.exp(-r * t))}


def rotation(t, w=2.0):
    return {"x": np.cos(w * t), "y": np.sin(w * t)}


# name -> (equations, constants, initial state, exact solution)
PROBLEMS = {
    "forced": ("dx/dt = (cos(t/tau) - x)/tau : 1", {"tau": 0.5}, {"x": 0.2}, forced),
    "logistic": ("dx/dt = growth : 1\ngrowth = r*x*(1 - x) : Hz", {"r": 3.0}, {"x": 0.1}, logistic),
    "rotation": ("dx/dt = -w*y : 1\ndy/dt = w*x : 1", {"w": 2.0}, {"x": 1.0, "y": 0.0}, rotation),
}
STEPS = {1: [16, 32, 64, 128], 2: [16, 32, 64, 128], 4: [8, 16, 32, 64]}

RALSTON = ExplicitRungeKutta([[0, 0], [Fraction(2, 3), 0]], [0.25, 0.75], order=2, name="ralston")

CASES = [
    ("euler", ["forced", "logistic", "rotation"]),
    ("rk2", ["forced", "logistic", "rotation"]),
    ("rk4", ["forced", "logistic", "rotation"]),
    ("heun", ["forced", "logistic", "rotation"]),
    ("milstein", ["forced", "logistic", "rotation"]),
    ("exponential_euler", ["forced", "rotation"]),
]


def errors_at(method, problem, steps, end=1.0):
    text, constants, initial, solution = PROBLEMS[problem]
    update = integrate(Equations(text), method)
    exact = solution(end)
    errors = []
    for n in steps:
        final = Evaluator(update, constants).run(initial, end / n, n)
        errors.append(max(abs(final[name][0] - exact[name]) for name in exact))
    return [end / n for n in steps], errors


@pytest.mark.parametrize(("name", "problems"), CASES, ids=[c[0] for c in CASES])
def test_measured_order_matches_declared(name, problems):
    method = get_method(name)
    for problem in problems:
        dts, errors = errors_at(name, problem, STEPS[min(method.order, 4)])
        slope = observed_order(dts, errors)
        assert abs(slope - method.order) < TOLERANCE, (problem, slope, errors)


def test_user_tableau_has_its_order():
    for problem in ["forced", "logistic", "rotation"]:
        dts, errors = errors_at(RALSTON, problem, STEPS[2])
        assert abs(observed_order(dts, errors) - 2) < TOLERANCE


def test_exact_is_exact_at_any_step():
    assert get_method("exact").order == float("inf")
    for n in [1, 3, 10]:
        _, errors = errors_at("exact", "rotation", [n])
        assert errors[0] < 1e-12


# --- stochastic: strong order, driving the exact solution with the same Brownian path ------

PATHS = 2000


def brownian(fine_steps, end=1.0, seed=1):
    rng = np.random.default_rng(seed)
    return rng.normal(0.0, np.sqrt(end / fine_steps), size=(fine_steps, PATHS))


def run_strong(method_name, text, constants, x0, reference, dW_fine, coarse_steps):
    update = integrate(Equations(text), method_name)
    errors, dts = [], []
    for n in coarse_steps:
        dt = 1.0 / n
        increments = dW_fine.reshape(n, -1, PATHS).sum(axis=1)
        evaluator = Evaluator(update, constants, size=PATHS,
                              normals=lambda step, k, dw=increments, h=dt: dw[step] / np.sqrt(h))
        final = evaluator.run({"x": x0}, dt, n)["x"]
        errors.append(np.mean(np.abs(final - reference)))
        dts.append(dt)
    return observed_order(dts, errors)


GBM = "dx/dt = mu*x + sigma*x*xi : 1"
MU, SIGMA = 0.5, 1.0


def test_milstein_strong_order_on_stratonovich_geometric_brownian_motion():
    """milstein integrates in the Stratonovich sense, as Brian 2's (its mean follows exp(mu*t))."""
    dW = brownian(128)
    exact = np.exp(MU + SIGMA * dW.sum(axis=0))
    slope = run_strong("milstein", GBM, {"mu": MU, "sigma": SIGMA}, 1.0, exact, dW, [8, 16, 32, 64, 128])
    assert abs(slope - get_method("milstein").strong_order) < TOLERANCE


def test_heun_strong_order_on_stratonovich_geometric_brownian_motion():
    dW = brownian(128)
    exact = np.exp(MU + SIGMA * dW.sum(axis=0))
    slope = run_strong("heun", GBM, {"mu": MU, "sigma": SIGMA}, 1.0, exact, dW, [8, 16, 32, 64, 128])
    assert abs(slope - get_method("heun").strong_order) < TOLERANCE


def test_euler_strong_order_on_ornstein_uhlenbeck():
    tau, sigma, fine = 0.5, 1.0, 1024
    dW = brownian(fine)
    # Exact propagator over each fine step; its stochastic integral by the trapezoid rule.
    decay = np.exp(-1.0 / fine / tau)
    x = np.ones(PATHS)
    for increment in dW:
        x = decay * x + sigma * increment * (1 + decay) / 2
    slope = run_strong("euler", "dx/dt = -x/tau + sigma*xi : 1", {"tau": tau, "sigma": sigma}, 1.0, x, dW,
                       [8, 16, 32, 64])
    assert abs(slope - get_method("euler").strong_order) < TOLERANCE
