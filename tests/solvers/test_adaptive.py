"""Adaptive methods (Brian 2's gsl_* names): closed forms, the requested error, the options."""

import math

import numpy as np
import pytest

from simcore import ModelError, Network, NeuronGroup, ms, mV, start_scope
from simcore.solvers import SolverError, integrate
from simcore.solvers.public import gsl, gsl_rkf45
from simcore.units.errors import DimensionMismatchError

LOGISTIC = "dv/dt = v*(1 - v)/(10*ms) : 1"


def logistic_solution(v0, t):
    """The logistic equation dv/dt = v*(1 - v)/tau: v = 1/(1 + (1/v0 - 1)*exp(-t/tau))."""
    return 1 / (1 + (1 / v0 - 1) * math.exp(-t / 10e-3))


def run_logistic(method, options=None, dt=1 * ms, duration=20 * ms):
    start_scope()
    group = NeuronGroup(1, LOGISTIC, method=method, method_options=options, dt=dt)
    group.v = 2.0
    Network(group).run(duration)
    return float(group.v[0])


@pytest.mark.parametrize("method, bound", [("gsl_rk2", 1e-3), ("gsl_rk4", 1e-6), ("gsl_rkf45", 1e-7),
                                           ("gsl_rkck", 1e-7), ("gsl_rk8pd", 1e-12)])
def test_each_method_meets_the_closed_form(method, bound):
    error = abs(run_logistic(method, {"absolute_error": 1e-6}) - logistic_solution(2.0, 20e-3))
    assert error < bound


def test_a_smaller_error_bound_gives_a_smaller_error():
    errors = [abs(run_logistic("gsl_rk2", {"absolute_error": bound, "max_steps": 1000}) - logistic_solution(2.0, 20e-3))
              for bound in (1e-4, 1e-6, 1e-9)]
    assert errors[0] > errors[1] > errors[2]
    assert errors[2] < 1e-6


def test_gsl_is_rkf45_and_adapts_within_a_large_step():
    """One step of 1 ms of a 0.1 ms time constant: a fixed-step rk4 would explode, the adaptive one does not."""
    assert gsl is gsl_rkf45
    start_scope()
    group = NeuronGroup(1, "dv/dt = -v/(0.1*ms) : volt", method="gsl", dt=1 * ms,
                        method_options={"absolute_error_per_variable": {"v": 1e-6 * mV}})
    group.v = 10 * mV
    Network(group).run(2 * ms)
    assert abs(float(group.v[0]) - 0.01 * math.exp(-20)) < 1e-9


def test_too_many_steps_stop_the_run():
    with pytest.raises(ModelError, match="NaN"):
        run_logistic("gsl_rk2", {"absolute_error": 1e-12, "max_steps": 5})
    with pytest.raises(ModelError, match="NaN"):
        run_logistic("gsl_rkf45", {"absolute_error": 1e-14, "adaptable_timestep": False})


@pytest.mark.parametrize("options, error", [
    ({"absolute_error_per_variable": {"v": 1 * mV}}, DimensionMismatchError),
    ({"absolute_error_per_variable": {"w": 1e-3}}, KeyError),
    ({"absolute_error_per_variable": object()}, TypeError),
    ({"absolute_error": "small"}, TypeError),
    ({"max_steps": 0}, TypeError),
    ({"save_step_count": True}, NotImplementedError),
    ({"tolerance": 1e-3}, KeyError),
])
def test_bad_options_are_refused(options, error):
    with pytest.raises(error):
        integrate(LOGISTIC, "gsl", method_options=options)


def test_noise_is_refused():
    with pytest.raises(SolverError, match="deterministic"):
        integrate("dv/dt = -v/(10*ms) + xi/sqrt(ms) : 1", "gsl")


def test_generated_loop_reads_as_the_method():
    update = integrate(LOGISTIC, "gsl_rkf45")
    targets = [s.target for s in update.statements]
    assert targets[:4] == ["_gsl_left", "_gsl_h", "_gsl_steps", "_while"] and targets[-1] == "_end_while"
    assert sum(t.startswith("_k") for t in targets) == 6  # six stages for one variable


def test_refractoriness_holds_the_variable():
    """A constant slope: the adaptive method and euler agree, spikes and refractory periods included."""
    values = []
    for method in ("gsl", "euler"):
        start_scope()
        group = NeuronGroup(1, "dv/dt = 99.99/second : 1 (unless refractory)", threshold="v > 1", reset="v = 0",
                            refractory=3 * ms, method=method)
        Network(group).run(15 * ms)
        values.append(float(group.v[0]))
    assert values[0] > 0.1  # it rose again after the refractory period
    np.testing.assert_allclose(values[0], values[1], rtol=1e-9)
