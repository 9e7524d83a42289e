"""What each method emits: exact integration, exponential Euler, noise, readability."""

import numpy as np
import pytest
import scipy.integrate
import scipy.linalg
import sympy
from solver_evaluator import Evaluator, final_expressions, observed_order

from simcore.equations.functions import exprel, rand, randn
from simcore.equations.parser import symbol
from simcore.ir import MatrixExponential
from simcore.solvers import METHODS, SolverError, integrate
from simcore.solvers.analysis import integral_exponents

v, El, tau, dt = (symbol(n) for n in ["v", "El", "tau", "dt"])

CUBA = """
dv/dt = (ge + gi - (v - El))/taum : volt (unless refractory)
dge/dt = -ge/taue : volt
dgi/dt = -gi/taui : volt
"""
CUBA_CONSTANTS = {"El": -0.049, "taum": 0.02, "taue": 0.005, "taui": 0.01}


def cuba_matrix(taum, taue, taui, El):
    """The augmented matrix of CUBA, written out by hand."""
    return np.array([[-1 / taum, 1 / taum, 1 / taum, El / taum],
                     [0, -1 / taue, 0, 0],
                     [0, 0, -1 / taui, 0],
                     [0, 0, 0, 0]])


# --- exact ------------------------------------------------------------------------------

def test_exact_closed_form_uses_exprel():
    update = integrate("dv/dt = (El - v)/tau : volt", "exact")
    assert update.method == "exact" and update.run_constants == ()
    (statement,) = update.statements
    assert statement.target == "v"
    assert statement.comment == "dv/dt = (El - v)/tau"
    expected = v * sympy.exp(-dt / tau) + El / tau * dt * exprel(-dt / tau)
    assert sympy.expand(statement.expr - expected) == 0


def test_exact_with_zero_coefficient_is_a_plain_sum():
    update = integrate("dv/dt = I/C : volt", "linear")
    assert update.method == "exact"
    (statement,) = update.statements
    assert sympy.expand(statement.expr - (v + symbol("I") * dt / symbol("C"))) == 0
    assert not statement.expr.has(exprel, sympy.exp)


def test_exact_pure_decay_and_constant_variable():
    update = integrate("dx/dt = -x/tau : 1\ndy/dt = 0/second : 1", "exact")
    assert [s.target for s in update.statements] == ["x"]  # y = y is left out
    assert update.statements[0].expr == symbol("x") * sympy.exp(-dt / tau)


def test_exact_coupled_system_emits_a_matrix_exponential():
    update = integrate(CUBA, "exact")
    (constant,) = update.run_constants
    assert isinstance(constant, MatrixExponential)
    assert constant.matrix.shape == (4, 4)
    assert not constant.matrix.free_symbols & {dt, v}
    values = {symbol(n): x for n, x in CUBA_CONSTANTS.items()}
    np.testing.assert_allclose(np.array(constant.matrix.xreplace(values), dtype=float),
                               cuba_matrix(**CUBA_CONSTANTS))
    targets = [s.target for s in update.statements]
    assert targets == ["v", "ge", "gi"]
    # ge and gi do not depend on v: only their own decay factor appears
    assert update.statements[1].expr.free_symbols == {symbol("ge"), symbol(constant.names[1][1])}


@pytest.mark.parametrize("taue", [0.005, 0.02])  # 0.02 == taum: the symbolic formula would divide by zero
def test_exact_coupled_system_matches_scipy_expm(taue):
    constants = {**CUBA_CONSTANTS, "taue": taue}
    update = integrate(CUBA, "exact")
    state = {"v": -0.06, "ge": 0.01, "gi": -0.004}
    step = 1e-4
    result = Evaluator(update, constants).run(state, step, 50)
    propagator = scipy.linalg.expm(cuba_matrix(**constants) * step * 50)
    expected = propagator @ np.array([state["v"], state["ge"], state["gi"], 1.0])
    np.testing.assert_allclose([result[n][0] for n in ["v", "ge", "gi"]], expected[:3], rtol=1e-12, atol=1e-15)


def test_exact_coupled_system_with_per_element_input():
    update = integrate("dv/dt = (ge - v + I)/tau : volt\ndge/dt = -ge/taue : volt\nI : volt", "exact")
    (constant,) = update.run_constants
    assert constant.matrix.shape == (4, 4)  # [[A, 1], [0, 0]]: the input enters per element
    drive = np.array([0.0, 0.01, 0.02])
    result = Evaluator(update, {"tau": 0.01, "taue": 0.003, "I": drive}, size=3).run(
        {"v": 0.0, "ge": 0.005}, 1e-4, 30)
    matrix = np.array([[-100.0, 100.0], [0.0, -1 / 0.003]])
    for index, current in enumerate(drive):
        augmented = np.zeros((3, 3))
        augmented[:2, :2] = matrix
        augmented[0, 2] = current / 0.01
        expected = scipy.linalg.expm(augmented * 3e-3) @ np.array([0.0, 0.005, 1.0])
        np.testing.assert_allclose([result["v"][index], result["ge"][index]], expected[:2], rtol=1e-12)


def test_exact_solves_triangular_coupling_through_a_per_element_parameter_in_closed_form():
    update = integrate(CUBA + "taum : second", "exact")
    assert update.run_constants == ()
    constants = {"El": -0.049, "taue": 0.005, "taui": 0.01}
    taum = np.array([0.02, 0.005, 0.01])  # equal to taue, then to taui, in two of the elements
    state = {"v": np.full(3, -0.06), "ge": np.full(3, 0.01), "gi": np.full(3, -0.02)}
    result = Evaluator(update, {**constants, "taum": taum}, size=3).run(state, 1e-4, 50)
    for k, tau in enumerate(taum):
        expected = scipy.linalg.expm(cuba_matrix(tau, **constants) * 5e-3) @ [-0.06, 0.01, -0.02, 1]
        np.testing.assert_allclose([result[n][k] for n in ("v", "ge", "gi")], expected[:3], rtol=1e-11)


def test_exact_refuses_a_cycle_through_a_per_element_parameter():
    with pytest.raises(SolverError, match=r"v -> w -> v depend on each other in a cycle.*exponential_euler"):
        integrate("dv/dt = (w - v)/taum : volt\ndw/dt = (v - w)/(5*ms) : volt\ntaum : second", "exact")


def test_exact_allows_per_element_parameters_without_coupling():
    update = integrate("dv/dt = (El - v)/tau : volt\ntau : second", "exact")
    assert update.run_constants == ()


def test_exact_refuses_nonlinear_equations_and_says_why():
    with pytest.raises(SolverError) as info:
        integrate("dv/dt = -v**2/tau : volt", "exact")
    message = str(info.value)
    assert "'exact' cannot integrate these equations: dv/dt is not linear in v (term" in message
    assert "v**2" in message


def test_exact_refuses_time_dependence_and_noise():
    with pytest.raises(SolverError, match="depends on time t"):
        integrate("dv/dt = (sin(t/ms)*mV - v)/tau : volt", "exact")
    with pytest.raises(SolverError, match="stochastic.*'xi'.*euler"):
        integrate("dv/dt = -v/tau + sigma*xi : volt", "exact")


def test_exact_refuses_step_functions_of_state():
    with pytest.raises(SolverError, match="not linear"):
        integrate("dv/dt = floor(v/mV)*mV/tau : volt", "exact")


# --- exponential Euler ---------------------------------------------------------------

HH_LIKE = """
dv/dt = (gl*(El - v) - gk*n**4*(v - Ek) + I)/C : volt
dn/dt = alpha*(1 - n) - beta*n : 1
alpha = 0.032*(mV**-1)*(15*mV - v + VT)/(exp((15*mV - v + VT)/(5*mV)) - 1)/ms : Hz
beta = 0.5*exp((10*mV - v + VT)/(40*mV))/ms : Hz
"""
HH_CONSTANTS = {"gl": 1e-8, "El": -0.06, "gk": 6e-6, "Ek": -0.09, "I": 5e-10, "C": 2e-10, "VT": -0.063,
                "mV": 1e-3, "ms": 1e-3}


def test_exponential_euler_form_on_gating_equations():
    update = integrate("dn/dt = alpha*(1 - n) - beta*n : 1", "exponential_euler")
    assert all(s.comment == "dn/dt = alpha*(1 - n) - beta*n" for s in update.statements)
    n, alpha, beta = symbol("n"), symbol("alpha"), symbol("beta")
    rate = -(alpha + beta) * dt
    new = final_expressions(update)["n"]
    assert sympy.expand(new - (n * sympy.exp(rate) + alpha * dt * exprel(rate))) == 0


def test_exponential_euler_converges_with_order_one_on_hh_like_model():
    # Reference from scipy with tight tolerances, evaluated through the same equations.
    update = integrate(HH_LIKE, "exponential_euler")
    reference_update = integrate(HH_LIKE, "euler")
    c = HH_CONSTANTS
    # The right-hand side for scipy: the euler update is x + dt*f, so f = (x_new - x)/dt at dt=1.
    rhs = Evaluator(reference_update, c)

    def f(t, y):
        out = rhs.run({"v": y[0], "n": y[1]}, 1.0, 1, t0=t)
        return [out["v"][0] - y[0], out["n"][0] - y[1]]

    end = 2e-3
    solution = scipy.integrate.solve_ivp(f, (0, end), [-0.065, 0.3], method="DOP853", rtol=1e-12, atol=1e-14)
    exact = solution.y[:, -1]
    steps = [20, 40, 80, 160]
    errors = []
    for n in steps:
        final = Evaluator(update, c).run({"v": -0.065, "n": 0.3}, end / n, n)
        errors.append(abs(final["v"][0] - exact[0]) / 0.01 + abs(final["n"][0] - exact[1]))
    assert abs(observed_order([end / n for n in steps], errors) - 1) < 0.3


def test_exponential_euler_is_stable_for_stiff_gating():
    update = integrate("dn/dt = (n_inf - n)/tau_n : 1", "exponential_euler")
    final = Evaluator(update, {"n_inf": 0.7, "tau_n": 1e-5}).run({"n": 0.1}, 1e-3, 5)  # dt = 100 tau
    assert abs(final["n"][0] - 0.7) < 1e-12


def test_exponential_euler_refuses_equations_not_linear_in_their_variable():
    with pytest.raises(SolverError, match=r"dv/dt is not linear in v.*exponential_euler needs"):
        integrate("dv/dt = -v**3/(tau*mV**2) : volt", "exponential_euler")


# --- noise --------------------------------------------------------------------------

def test_euler_refuses_multiplicative_noise_and_names_the_alternatives():
    with pytest.raises(SolverError, match=r"additive noise only.*'heun'.*'milstein'"):
        integrate("dv/dt = -v/tau + sigma*v*xi : 1", "euler")


def test_rk4_refuses_noise():
    with pytest.raises(SolverError, match="'rk4' cannot integrate these equations: they are stochastic"):
        integrate("dv/dt = -v/tau + sigma*xi : 1", "rk4")


def test_noise_sources_get_distinct_draws_and_shared_names_share_them():
    update = integrate("dx/dt = -x/tau + s*xi_1 + s*xi_2 : 1\ndy/dt = -y/tau + s*xi_1 : 1", "euler")
    draws = {name: expr.atoms(randn) for name, expr in final_expressions(update).items()}
    assert len(draws["x"]) == 2 and len(draws["y"]) == 1
    assert draws["y"] < draws["x"]  # xi_1 in both equations: the same draw


def test_user_random_calls_are_renumbered_apart_from_noise():
    update = integrate("dx/dt = (rand() - x)/tau + s*xi : 1\ndy/dt = (rand() - y)/tau : 1", "euler")
    calls = set().union(*(s.expr.atoms(rand, randn) for s in update.statements))
    numbers = [int(c.args[-1]) for c in calls]
    assert len(calls) == 3 and len(set(numbers)) == 3


def test_heun_reuses_each_draw_for_predictor_and_corrector():
    update = integrate("dv/dt = -v/tau + sigma*v*xi : 1", "heun")
    draws = set().union(*(s.expr.atoms(randn) for s in update.statements))
    assert draws == {randn(sympy.Integer(0))}


def test_milstein_refuses_non_commuting_noise_but_takes_diagonal_noise():
    with pytest.raises(SolverError, match="do not commute"):
        integrate("dx/dt = x*xi_1 : 1\ndy/dt = x*xi_2 : 1", "milstein")
    update = integrate("dx/dt = -x/tau + s*x*xi_1 : 1\ndy/dt = -y/tau + s*y*xi_2 : 1", "milstein")
    assert {s.target for s in update.statements} >= {"x", "y"}


def test_noise_must_enter_linearly():
    with pytest.raises(SolverError, match="white noise must enter linearly"):
        integrate("dv/dt = sigma*xi**2 : 1", "heun")


# --- structure of every update ------------------------------------------------------

COUPLED = """
dx/dt = rate*(y - x*z) : 1
dy/dt = rate*(x - y) + rate*sin(t*rate) : 1
dz/dt = rate*x*y - z*rate : 1
"""


@pytest.mark.parametrize("name", ["euler", "rk2", "rk4", "heun", "milstein", "exponential_euler"])
def test_no_statement_reads_a_variable_after_it_was_updated(name):
    update = integrate(COUPLED, name)
    written: set[str] = set()
    for statement in update.statements:
        reads = {s.name for s in statement.expr.free_symbols}
        assert not reads & written - {statement.target}, (statement, written)
        if not statement.target.startswith("_"):
            written.add(statement.target)
        assert statement.comment, statement
    assert written == {"x", "y", "z"}


# adaptive methods (gsl_*) also have the statements of their step size control, commented as such; 'independent'
# refuses coupled equations
@pytest.mark.parametrize("name", sorted(n for n in set(METHODS) - {"exact", "linear", "independent"}
                                        if not n.startswith("gsl")))
def test_every_comment_quotes_its_equation(name):
    update = integrate(COUPLED, name)
    texts = [f"d{n}/dt = " for n in "xyz"]
    for statement in update.statements:
        assert any(text in statement.comment for text in texts), statement


def test_stages_see_intermediate_times():
    update = integrate("dx/dt = cos(t/tau)/tau : 1", "rk4")
    times = set().union(*(s.expr.atoms(sympy.cos) for s in update.statements))
    assert sympy.cos((symbol("t") + dt / 2) / tau) in times and sympy.cos((symbol("t") + dt) / tau) in times


def test_subexpressions_are_reevaluated_at_each_stage():
    update = integrate("dx/dt = -k*x : 1\nk = x/tau : Hz", "rk2")
    stage = update.statements[0]
    assert stage.target.startswith("_x_stage") and symbol("k") not in stage.expr.free_symbols
    assert symbol(stage.target) in update.statements[-1].expr.free_symbols


def test_event_driven_equations_are_left_out():
    update = integrate("w : 1\ndApre/dt = -Apre/taupre : 1 (event-driven)\ndv/dt = -v/tau : 1", "exact")
    assert [s.target for s in update.statements] == ["v"]


def test_repeated_subexpressions_are_computed_once():
    update = integrate(HH_LIKE, "rk4")
    texts = [sympy.srepr(s.expr) for s in update.statements]
    exponential = sympy.srepr(sympy.exp((15 * symbol("mV") - v + symbol("VT")) / (5 * symbol("mV"))))
    assert sum(exponential in t for t in texts) <= 1


def test_integral_float_exponents_become_integers():
    x = symbol("x")
    assert integral_exponents(x**sympy.Float(3.0) + x**sympy.Float(0.5)) == x**3 + x**sympy.Float(0.5)
