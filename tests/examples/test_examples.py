"""Every script in examples/ runs, and its result is checked."""

import runpy
from pathlib import Path

import numpy as np
import pytest
import scipy.integrate
import scipy.optimize

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def test_every_example_has_a_test():
    tested = {"hh_model_check.py", "lif_constant_drive.py", "noisy_lif_population.py", "adaptive_threshold.py",
              "hh_sweep.py", "hh_fi_curve.py", "cuba.py"}
    assert {p.name for p in EXAMPLES.glob("*.py")} == tested


def test_hh_model_check(capsys):
    module = runpy.run_path(str(EXAMPLES / "hh_model_check.py"))
    eqs, message = module["main"]()
    assert eqs.diff_eq_names == ("v", "m", "n", "h", "ge", "gi")
    assert "'alpham'" in message and "declared as Hz (hertz)" in message
    printed = capsys.readouterr().out
    assert "12 equations: 6 differential" in printed
    assert "refused as expected" in printed


def test_lif_constant_drive(tmp_path):
    module = runpy.run_path(str(EXAMPLES / "lif_constant_drive.py"))
    measured, predicted, trace = module["main"](duration=module["second"] * 0.2, N=20, plot_file=None)
    assert measured[0] == 0  # v0 = 0.5 never reaches the threshold
    assert measured.max() > 50
    assert abs(measured - predicted).max() < 1e-9


def test_noisy_lif_population():
    module = runpy.run_path(str(EXAMPLES / "noisy_lif_population.py"))
    measured, expected, mean = module["main"](N=1000, duration=module["ms"] * 100)
    assert abs(measured / expected - 1) < 0.05
    assert abs(mean + 0.065) < 0.0005


def test_adaptive_threshold():
    module = runpy.run_path(str(EXAMPLES / "adaptive_threshold.py"))
    intervals, trace = module["main"]()
    assert len(intervals) > 5
    assert intervals[-1] > intervals[0] + 1  # adaptation lengthens the intervals
    # Steady state: v(T) = 25 mV (1 - exp(-T/10 ms)) reaches the threshold just as it has decayed
    # from (its value at the previous spike + 3 mV) towards 10 mV: one equation for the period T.
    def mismatch(T):
        decay = np.exp(-T / 15)
        return 25 * (1 - np.exp(-T / 10)) - (10 - 7 * decay) / (1 - decay)

    period = scipy.optimize.brentq(mismatch, 1, 50)
    assert abs(intervals[-1] - period) < 0.25  # within the time-step discretisation
    assert float(trace.vt_[0].max()) == pytest.approx(1e-3 * ((10 - 7 * np.exp(-period / 15)) /
                                                              (1 - np.exp(-period / 15)) + 3), abs=3e-4)


def test_hh_sweep_small():
    module = runpy.run_path(str(EXAMPLES / "hh_sweep.py"))
    rates, g_na_values, I_values = module["main"](n_values=4, duration=module["ms"] * 200, plot_file=None)
    assert rates[1:, 1:].min() > rates[0].max()  # with enough sodium, input raises the rate
    # Reference: the same model integrated accurately by scipy (corners include depolarisation block).
    for row, column in ((0, 0), (0, -1), (-1, 0), (-1, -1), (1, 2)):
        spikes = _hh_reference_spike_count(g_na_values[column], I_values[row], duration=0.2)
        # exponential Euler is first order: at 0.01 ms the phase drifts by about 2 % over 100 spikes
        assert abs(rates[row, column] * 0.2 - spikes) <= max(1, 0.03 * spikes)


def _hh_reference_spike_count(g_na_ms_cm2, I_nA, duration, m_power=2, EI=-60e-3, h0=0.0):
    """Spikes (upward crossings of -20 mV) of the seeds' Traub-Miles model, integrated by scipy."""
    area = 20000e-12
    Cm, gl, g_kd, g_na = 1e-2 * area, 0.5 * area, 300 * area, g_na_ms_cm2 * 10 * area
    EK, ENa, VT, mV, ms = -90e-3, 50e-3, -63e-3, 1e-3, 1e-3

    def rates(t, y):
        v, m, n, h = y
        am = 0.32 / mV * (13 * mV - v + VT) / (np.exp((13 * mV - v + VT) / (4 * mV)) - 1) / ms
        bm = 0.28 / mV * (v - VT - 40 * mV) / (np.exp((v - VT - 40 * mV) / (5 * mV)) - 1) / ms
        ah = 0.128 * np.exp((17 * mV - v + VT) / (18 * mV)) / ms
        bh = 4.0 / (1 + np.exp((40 * mV - v + VT) / (5 * mV))) / ms
        an = 0.032 / mV * (15 * mV - v + VT) / (np.exp((15 * mV - v + VT) / (5 * mV)) - 1) / ms
        bn = 0.5 * np.exp((10 * mV - v + VT) / (40 * mV)) / ms
        dv = (gl * (EI - v) - g_na * m**m_power * h * (v - ENa) - g_kd * n**4 * (v - EK) + I_nA * 1e-9) / Cm
        return [dv, am * (1 - m) - bm * m, an * (1 - n) - bn * n, ah * (1 - h) - bh * h]

    solution = scipy.integrate.solve_ivp(rates, (0, duration), [EI, 0, 0, h0], max_step=2e-5, rtol=1e-8)
    v = solution.y[0]
    return int(np.sum((v[1:] > -20e-3) & (v[:-1] <= -20e-3)))


def test_hh_fi_curve():
    module = runpy.run_path(str(EXAMPLES / "hh_fi_curve.py"))
    currents, rates = module["main"](N=12, duration=module["ms"] * 300, plot_file=None)
    assert rates[0] == 0 and rates[-1] > 150
    assert (np.diff(rates) >= 0).all()  # type-I-like: the rate grows with the input
    for k in (1, 11):
        spikes = _hh_reference_spike_count(100, currents[k], 0.3, m_power=3, EI=-65e-3, h0=1.0)
        assert abs(rates[k] * 0.3 - spikes) <= max(1, 0.03 * spikes)


def test_cuba_statistics_match_brian2():
    """Brian 2.9.0 on the same script, seeds 1-9: rate 6.24 Hz (5.94-6.84), ISI CV 0.58 (0.57-0.60)."""
    module = runpy.run_path(str(EXAMPLES / "cuba.py"))
    rate, cv, monitor = module["main"](plot_file=None)
    assert 5.5 < rate < 7.2
    assert 0.52 < cv < 0.64
    # the network starts from identical potentials: the first wave is all neurons at 47.9 ms
    first = np.flatnonzero(monitor.t_ < 0.049)
    assert len(first) == 4000 and abs(monitor.t_[0] - 0.0479) < 1e-4
