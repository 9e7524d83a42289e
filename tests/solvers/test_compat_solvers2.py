"""Brian 2 behaviours of 'exact' and of noise: triangular linear systems with per-element coefficients
(Tsodyks-Markram) in closed form, and white noise in subexpressions substituted into the equations."""

import numpy as np
import pytest

from simcore import (
    DimensionMismatchError,
    Network,
    NeuronGroup,
    StateMonitor,
    TimedArray,
    ms,
    mV,
    second,
    seed,
    start_scope,
    volt,
)
from simcore.errors import ModelError
from simcore.solvers import SolverError, integrate

TSODYKS_MARKRAM = """dx/dt = (1 - x - y)/tau_rec : 1
                     dy/dt = -y/tau_in : 1
                     tau_rec : second (constant)
                     tau_in : second"""
TAU_REC = np.array([800.0, 5.0, 20.0]) * 1e-3
TAU_IN = np.array([3.0, 5.0, 400.0]) * 1e-3  # the second element: equal time constants


def tsodyks_markram(t, x0, y0):
    """The closed form of TSODYKS_MARKRAM (x - 1 relaxes at 1/tau_rec, driven by y's exponential decay)."""
    y = y0 * np.exp(-t / TAU_IN)
    equal = np.isclose(TAU_REC, TAU_IN)
    safe = np.where(equal, 1.0, 1 / TAU_REC - 1 / TAU_IN)
    drive = np.where(equal, t * np.exp(-t / TAU_REC), (np.exp(-t / TAU_IN) - np.exp(-t / TAU_REC)) / safe)
    x = 1 + (x0 - 1) * np.exp(-t / TAU_REC) - y0 / TAU_REC * drive
    return x, y


def run_model(model, method, duration, dt=0.1 * ms, **values):
    start_scope()
    group = NeuronGroup(3, model, method=method, dt=dt)
    for name, value in values.items():
        setattr(group, name, value)
    Network(group).run(duration)
    return group


def test_exact_integrates_tsodyks_markram_with_per_element_time_constants():
    group = run_model(TSODYKS_MARKRAM, "exact", 10 * ms, x=0.25, y=0.5, tau_rec=TAU_REC * second,
                      tau_in=TAU_IN * second)
    x, y = tsodyks_markram(10e-3, 0.25, 0.5)
    np.testing.assert_allclose(np.asarray(group.y[:], float), y, rtol=1e-12)
    np.testing.assert_allclose(np.asarray(group.x[:], float), x, rtol=1e-12)


def test_exact_triangular_chain_with_inputs_matches_rk4():
    model = """dx/dt = (1 - x - y)/tau_rec : 1
               dy/dt = (2 - y)/tau_in : 1
               dz/dt = (x - z)/tau_rec + y/tau_in : 1
               tau_rec : second
               tau_in : second"""
    values = dict(x=0.25, y=0.5, z=-1.0, tau_rec=TAU_REC * second, tau_in=TAU_IN * second)
    exact = run_model(model, "exact", 5 * ms, **values)
    reference = run_model(model, "rk4", 5 * ms, dt=0.001 * ms, **values)
    for name in "xyz":
        np.testing.assert_allclose(np.asarray(getattr(exact, name)[:], float),
                                   np.asarray(getattr(reference, name)[:], float), rtol=1e-9, atol=1e-12)


def test_exact_uses_a_readable_closed_form_for_a_triangular_system():
    update = integrate(TSODYKS_MARKRAM, "exact")
    assert not update.run_constants
    text = "\n".join(f"{s.target} = {s.expr}" for s in update.statements)
    assert "exprel" in text and "Piecewise" not in text
    assert "exp(-dt/tau_in)" in text and "exp(-dt/tau_rec)" in text


def test_exact_refuses_a_cycle_with_per_element_coefficients():
    with pytest.raises(SolverError, match=r"x -> y -> x depend on each other in a cycle"):
        integrate("""dx/dt = (y - x)/tau : 1
                     dy/dt = -x/tau : 1
                     tau : second""", "exact")


def test_a_scalar_cycle_still_uses_the_matrix_exponential():
    update = integrate("""dx/dt = (y - x)/(5*ms) : 1
                          dy/dt = -x/(7*ms) : 1""", "exact")
    assert update.run_constants


NOISY_SUBEXPRESSION = """dv/dt = (-v + I_noise)/tau : volt
                         I_noise = sigma*xi_in*tau**0.5 : volt"""
NOISE_NAMESPACE = {"sigma": 2 * mV, "tau": 10 * ms}


def noisy_run(model, **kwargs):
    start_scope()
    seed(11)
    group = NeuronGroup(4000, model, method="euler", namespace=NOISE_NAMESPACE, **kwargs)
    Network(group).run(20 * ms)
    return group


def test_noise_in_a_subexpression_is_substituted_into_the_equation():
    through_subexpression = np.asarray(noisy_run(NOISY_SUBEXPRESSION).v[:] / mV, float)
    direct = np.asarray(noisy_run("dv/dt = -v/tau + sigma*xi_in*tau**-0.5 : volt").v[:] / mV, float)
    np.testing.assert_allclose(through_subexpression, direct, rtol=1e-12, atol=1e-12)
    # Ornstein-Uhlenbeck: the spread after 2 time constants is sigma*sqrt((1 - exp(-4))/2)
    assert abs(through_subexpression.std() - 2 * np.sqrt((1 - np.exp(-4)) / 2)) < 0.05
    assert abs(through_subexpression.mean()) < 0.06


def test_plain_xi_in_a_chain_of_subexpressions_is_noise():
    model = """dv/dt = (-v + I)/tau : volt
               I = 0.5*I_noise + 0.5*I_noise : volt
               I_noise = sigma*xi*tau**0.5 : volt"""
    values = np.asarray(noisy_run(model).v[:] / mV, float)
    assert abs(values.std() - 2 * np.sqrt((1 - np.exp(-4)) / 2)) < 0.05


@pytest.mark.parametrize("where", [dict(threshold="I_noise > 1*mV"), dict(threshold="v > 1*mV", reset="v = I_noise")])
def test_reading_a_noisy_subexpression_from_code_is_refused(where):
    with pytest.raises(ValueError, match="subexpression 'I_noise' .* contains white noise 'xi_in'"):
        noisy_run(NOISY_SUBEXPRESSION, **where)


def test_monitoring_or_reading_a_noisy_subexpression_is_refused():
    start_scope()
    group = NeuronGroup(1, NOISY_SUBEXPRESSION, method="euler", namespace=NOISE_NAMESPACE)
    monitor = StateMonitor(group, "I_noise", record=True)
    with pytest.raises(ValueError, match="contains white noise 'xi_in'"):
        Network(group, monitor).run(1 * ms)
    with pytest.raises(ValueError, match="contains white noise 'xi_in'"):
        group.I_noise[:]


@pytest.mark.parametrize("model, message", [
    ("dv/dt = -v/tau + I : 1\nI = xi**2*second**-0.5/tau : second**-1", "must enter .* linearly"),
    ("dv/dt = -v/tau + I : 1\nI = xi/tau**0.5 : second**-1 (constant over dt)", "noise may only appear"),
])
def test_noise_that_cannot_be_substituted_is_refused(model, message):
    with pytest.raises(ModelError, match=message):
        NeuronGroup(1, model, namespace={"tau": 10 * ms})


def test_the_units_of_a_noisy_subexpression_are_checked():
    with pytest.raises(DimensionMismatchError):
        noisy_run("""dv/dt = (-v + I_noise)/tau : volt
                     I_noise = sigma*xi : volt""")


def test_gsl_holds_t_at_the_start_of_the_step_as_brian2():
    """Brian 2's adaptive methods see the time of the step's start in every stage: dv/dt = f(t) gives euler's."""
    model = "dv/dt = cos(2*pi*freq*t)/ms : 1\nfreq : Hz"
    values = {}
    for method in ("gsl", "euler"):
        start_scope()
        group = NeuronGroup(3, model, method=method)
        group.freq = "i*40*Hz + 10*Hz"
        Network(group).run(5 * ms)
        values[method] = np.asarray(group.v[:], float)
    np.testing.assert_allclose(values["gsl"], values["euler"], rtol=1e-12)
    assert np.all(np.abs(values["gsl"] - np.sin(2 * np.pi * np.array([10, 50, 90]) * 5e-3)
                         / (2 * np.pi * np.array([10, 50, 90]) * 1e-3)) > 1e-4)  # not the exact integral


def test_gsl_meets_its_error_bound_with_a_timed_array_input():
    """A fast variable driven by a TimedArray (held over each step, as 'exact' holds it)."""
    stimulus = TimedArray(np.array([0.3, 2.5, 1.1, 2.9, 0.2]) * volt, dt=5 * ms)
    model = "dv/dt = (stimulus(t) - v)/(0.1*ms) : volt"
    errors = []
    start_scope()
    control = NeuronGroup(1, model, method="exact", dt=1 * ms, namespace={"stimulus": stimulus})
    groups = [NeuronGroup(1, model, method="gsl", dt=1 * ms, namespace={"stimulus": stimulus},
                          method_options={"absolute_error_per_variable": {"v": bound * volt}})
              for bound in (1e-2, 1e-4, 1e-6)]
    monitors = [StateMonitor(g, "v", record=True) for g in [control, *groups]]
    Network(control, *groups, *monitors).run(25 * ms)
    for bound, monitor in zip((1e-2, 1e-4, 1e-6), monitors[1:], strict=True):
        error = np.max(np.abs(np.asarray(monitor.v[0] / volt, float) - np.asarray(monitors[0].v[0] / volt, float)))
        assert error < bound
        errors.append(error)
    assert errors[0] > errors[1] > errors[2]


def test_the_text_form_computes_new_values_into_underscored_names_as_brian2():
    from simcore.solvers.public import euler, rk2
    lines = sorted(euler("""dv/dt = (ge + gi - v)/tau : volt
                            dge/dt = -ge/taue : volt
                            dgi/dt = -gi/taui : volt""").split("\n"))
    assert [line.split(" = ")[0] for line in lines] == ["_ge", "_gi", "_v", "ge", "gi", "v"]
    assert lines[3:] == ["ge = _ge", "gi = _gi", "v = _v"]
    assert "taue" in lines[0] and "taui" in lines[1] and "tau" in lines[2]
    # a new value that later statements read already lives in a temporary: it is renamed, not copied twice
    coupled = rk2("dv/dt = -w/(10*ms) : 1\ndw/dt = v/(10*ms) : 1").split("\n")
    assert coupled[-2:] == ["v = _v", "w = _w"]
    assert sum(line.startswith("_v = ") for line in coupled) == 1


def test_noise_whose_coefficient_depends_on_time_is_multiplicative_as_in_brian2():
    with pytest.raises(SolverError, match=r"depends on state variables or on time t"):
        integrate("dv/dt = (t/ms)*xi*(5*ms)**-0.5 : 1", "euler")
    assert integrate("dv/dt = (t/ms)*xi*(5*ms)**-0.5 : 1").method == "heun"
    # a TimedArray of t is held over the step: additive noise, which euler integrates
    start_scope()
    ta = TimedArray([0.0, 1.0], dt=1 * ms)
    group = NeuronGroup(2000, "dv/dt = ta(t)*xi*(5*ms)**-0.5 : 1", method="euler", namespace={"ta": ta})
    Network(group).run(3 * ms)
    values = np.asarray(group.v[:], float)
    assert abs(values.std() - np.sqrt(2 / 5)) < 0.04  # noise only during the 2 ms where ta is 1


MIDPOINT = """k = dt*f(x, t)
              x_new = x + dt*f(x + k/2, t + dt/2)"""
OSCILLATOR = "dv/dt = -w/(10*ms) + cos(t/ms)/ms : 1\ndw/dt = v/(10*ms) : 1"


def test_a_described_method_integrates_as_the_same_builtin_method():
    from simcore import ExplicitStateUpdater
    results = []
    for method in (ExplicitStateUpdater(MIDPOINT, order=2), "rk2"):
        start_scope()
        group = NeuronGroup(1, OSCILLATOR, method=method)
        group.v = 1
        Network(group).run(2 * ms)
        results.append((float(group.v[0]), float(group.w[0])))
    np.testing.assert_allclose(results[0], results[1], rtol=1e-13)
    assert results[0][0] != 1


def test_a_described_method_integrates_noise_with_one_draw_per_step():
    from simcore import ExplicitStateUpdater
    heun = ExplicitStateUpdater("""x_support = x + dt*f(x, t) + g(x, t)*dW
                                   x_new = x + (dt*(f(x, t) + f(x_support, t + dt))/2
                                                + (g(x, t) + g(x_support, t + dt))*dW/2)""",
                                stochastic="multiplicative")
    model = "dv/dt = -v/(10*ms) + 0.5*v*xi*(10*ms)**-0.5 : 1"
    results = []
    for method in (heun, "heun"):
        start_scope()
        seed(5)
        group = NeuronGroup(50, model, method=method)
        group.v = 1
        Network(group).run(3 * ms)
        results.append(np.asarray(group.v[:], float))
    np.testing.assert_allclose(results[0], results[1], rtol=1e-12)
    assert np.std(results[0]) > 0.05


def test_a_description_is_checked():
    from simcore import ExplicitStateUpdater
    with pytest.raises(SyntaxError, match="x_new"):
        ExplicitStateUpdater("x = x + dt*f(x, t)")
    with pytest.raises(SyntaxError):
        ExplicitStateUpdater("2*x\nx_new = x + dt*f(x, t)")
    with pytest.raises(SyntaxError, match="only f.x, t. and g.x, t."):
        ExplicitStateUpdater("x_new = x + dt*h(x, t)")
    with pytest.raises(ValueError, match="does not separate"):
        ExplicitStateUpdater("x_new = x + dt*f(x, t)*g(x, t)*dW")("")
    with pytest.raises(SolverError, match="stochastic"):
        ExplicitStateUpdater("x_new = x + dt*f(x, t)")("dv/dt = -v/(10*ms) + xi/ms**0.5 : 1")


def test_state_update_method_registers_and_sets_the_default_order():
    from simcore import ExplicitStateUpdater, StateUpdateMethod
    from simcore.solvers import DEFAULT_METHODS, METHODS
    lazy = ExplicitStateUpdater("x_new = x")
    try:
        StateUpdateMethod.register("solvers2_lazy", lazy, index=0)
        assert StateUpdateMethod.stateupdaters["solvers2_lazy"] is lazy
        assert integrate("dv/dt = -v/(10*ms) : 1").method == "solvers2_lazy"
        with pytest.raises(ValueError, match="already registered"):
            StateUpdateMethod.register("solvers2_lazy", lazy)
        with pytest.raises(ValueError):
            StateUpdateMethod.register("solvers2_other", "just a string")
        with pytest.raises(TypeError):
            StateUpdateMethod.register("solvers2_other", lazy, index="first")
    finally:
        METHODS.pop("solvers2_lazy", None)
        if "solvers2_lazy" in DEFAULT_METHODS:
            DEFAULT_METHODS.remove("solvers2_lazy")
    assert integrate("dv/dt = -v/(10*ms) : 1").method == "exact"
