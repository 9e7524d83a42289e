"""Removable singularities of rate functions (x/(exp(x) - 1)) are written with exprel before integration."""

import numpy as np
import pytest
import sympy

from simcore import Network, NeuronGroup, ms, mV, nA, pfarad, siemens
from simcore.equations import parse_expression
from simcore.equations.functions import exprel
from simcore.solvers.analysis import without_removable_singularities


def rewritten(text: str) -> sympy.Expr:
    return without_removable_singularities(parse_expression(text).expr)


@pytest.mark.parametrize("text, gone", [
    ("0.32*(mV**-1)*(13*mV - v + VT)/(exp((13*mV - v + VT)/(4*mV)) - 1)/ms", True),
    ("a*v/(1 - exp(-v/k))", True),
    ("(exp(v/w) - 1)/v", True),
    ("(g + 0.032*(15*mV - v + VT)/(exp((15*mV - v + VT)/(5*mV)) - 1)/mV)*(1 - n)", True),
    ("v/(exp(u) - 1)", False),  # v does not cancel the zero of u
    ("x*(exp(x) - 1)", False),  # no singularity
    ("4/(1 + exp((40*mV - v)/(5*mV)))", False),
])
def test_rate_functions_lose_their_zero_over_zero(text, gone):
    original, new = parse_expression(text).expr, rewritten(text)
    assert new.has(exprel) is gone and (new == original) is not gone
    rng = np.random.default_rng(3)
    names = sorted(s.name for s in original.free_symbols)
    for _ in range(5):  # the same function where both are defined
        values = {sympy.Symbol(n, real=True): float(rng.uniform(0.5, 2.0)) for n in names}
        exact = float(original.xreplace(values).evalf())
        assert float(new.xreplace(values).evalf()) == pytest.approx(exact, rel=1e-12)


def test_the_rate_is_finite_where_the_original_is_zero_over_zero():
    new = rewritten("0.32*(mV**-1)*(13*mV - v + VT)/(exp((13*mV - v + VT)/(4*mV)) - 1)/ms")
    at_zero = new.xreplace({sympy.Symbol("v", real=True): sympy.Symbol("VT", real=True) + 13 * sympy.Symbol(
        "mV", real=True)})
    assert sympy.simplify(at_zero - 1.28 / sympy.Symbol("ms", real=True)) == 0


HH = """dv/dt = (gl*(El - v) - g_na*m**3*h*(v - ENa) - g_k*n**4*(v - EK) + I)/Cm : volt
dm/dt = alpha_m*(1 - m) - beta_m*m : 1
dn/dt = alpha_n*(1 - n) - beta_n*n : 1
dh/dt = alpha_h*(1 - h) - beta_h*h : 1
alpha_m = 0.32*(mV**-1)*(13*mV - v + VT)/(exp((13*mV - v + VT)/(4*mV)) - 1)/ms : Hz
beta_m = 0.28*(mV**-1)*(v - VT - 40*mV)/(exp((v - VT - 40*mV)/(5*mV)) - 1)/ms : Hz
alpha_h = 0.128*exp((17*mV - v + VT)/(18*mV))/ms : Hz
beta_h = 4./(1 + exp((40*mV - v + VT)/(5*mV)))/ms : Hz
alpha_n = 0.032*(mV**-1)*(15*mV - v + VT)/(exp((15*mV - v + VT)/(5*mV)) - 1)/ms : Hz
beta_n = .5*exp((10*mV - v + VT)/(40*mV))/ms : Hz
I : amp
"""
NAMESPACE = {"gl": 5e-5 * siemens, "El": -60 * mV, "ENa": 50 * mV, "EK": -90 * mV, "g_na": 0.01 * siemens,
             "g_k": 0.003 * siemens, "Cm": 200 * pfarad, "VT": -63 * mV}


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_hodgkin_huxley_runs_through_the_singular_voltages(dtype):
    """Neurons starting exactly where alpha_m, beta_m and alpha_n are 0/0 as written (-50, -23, -48 mV): a
    NaN at the first step before; now the same trajectories as neurons started a hair away."""
    group = NeuronGroup(6, HH, method="exponential_euler", threshold="v > -20*mV", refractory=3 * ms,
                        namespace=NAMESPACE, dtype=dtype)
    group.v = np.array([-50, -23, -48, -50 + 1e-6, -23 + 1e-6, -48 + 1e-6]) * mV
    group.I = 0.5 * nA
    Network(group).run(1 * ms)
    v = group.v_
    assert np.all(np.isfinite(v))
    np.testing.assert_allclose(v[:3], v[3:], rtol=1e-4)
