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
              "hh_sweep.py", "hh_fi_curve.py", "cuba.py", "cobahh.py", "brunel_hakim.py", "synfire.py", "stdp.py",
              "topographic.py", "long_run_to_hdf5.py", "thalamocortical_cell.py", "many_cells.py",
              "sweep_fi_curve.py"}
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
    picture = tmp_path / "lif_raster.png"
    measured, predicted, trace = module["main"](duration=module["second"] * 0.2, N=20, plot_file=str(picture))
    assert measured[0] == 0  # v0 = 0.5 never reaches the threshold
    assert measured.max() > 50
    assert abs(measured - predicted).max() < 1e-9
    assert picture.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and picture.stat().st_size > 10_000


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


def test_cobahh_statistics_match_brian2():
    """Brian 2.9.0 on the same script for 0.2 s, seeds 1-18: rate 34.3 Hz (26.0-39.1), 35.3 Hz (24.3-42.3) in the
    second 0.1 s, ISI CV 0.91 (0.85-0.97); simcore, seeds 1-18: 34.2 Hz (29.3-38.3), 36.0 Hz (27.8-40.8), 0.92
    (0.84-0.98). Seed 1: Brian 2 37.0 Hz, CV 0.93; simcore 37.7 Hz, CV 0.97. Seeds 1-24: 2480-2947 neurons fire,
    the most active 47-62 times (simcore, seeds 1-40: 2363-2867, 49-59)."""
    module = runpy.run_path(str(EXAMPLES / "cobahh.py"))
    rate, cv, spikes = module["main"](duration=module["second"] * 0.2, plot_file=None)
    assert 24 < rate < 42
    assert 0.80 < cv < 1.03
    late = np.sum(spikes.t_ >= 0.1) / 4000 / 0.1
    assert late > 20  # self-sustained: no input, and the activity does not die out
    counts = np.bincount(np.asarray(spikes.i), minlength=4000)
    assert 2300 < np.sum(counts > 0) < 3100  # a third of the neurons stay silent, a few fire at ~270 Hz
    assert 42 <= counts.max() <= 68


def test_brunel_hakim_fast_oscillation_matches_brian2():
    """Brian 2.9.0 on the same script for 0.3 s, seeds 1-6: rate 3.43-3.46 Hz, spectral peak of the population
    rate at 132-140 Hz, 66-68 % of the power (to 1 kHz) in 100-180 Hz; simcore: 3.42-3.47 Hz, 136-140 Hz, 65-69 %."""
    module = runpy.run_path(str(EXAMPLES / "brunel_hakim.py"))
    ms = module["ms"]
    rate, peak, spikes, population = module["main"](duration=module["second"] * 0.3, plot_file=None)
    assert 3.3 < rate < 3.6
    assert 125 <= peak <= 150
    frequencies, power = module["rate_spectrum"](population, skip=50 * ms)
    band = (frequencies > 100) & (frequencies < 180)
    assert power[band].sum() / power.sum() > 0.55
    # weakly synchronised: a neuron fires in about one oscillation cycle out of 40, irregularly
    assert rate / peak < 0.05
    assert np.bincount(np.asarray(spikes.i), minlength=5000).max() <= 8
    # the first spikes come only after the whole population has charged from Vr: no activity before 10 ms
    assert np.min(spikes.t_) > 0.010


def test_synfire_packet_propagates_or_dies():
    """Brian 2.9.0, 85 input spikes, seeds 1-3: 89-100 neurons per layer in the packet, 0.45-0.66 ms from layer to
    layer, layer 9 at 55.55-55.64 ms (simcore, seeds 1-6: 90-100, layer 9 at 55.44-55.67 ms). 40 input spikes, mean
    over seeds 100-139: 31.4, 20.5, 10.4, 6.5, 4.4, then about 3 per layer (simcore 32.4, 19.2, 9.7, 6.2, 4.1,
    then 3)."""
    module = runpy.run_path(str(EXAMPLES / "synfire.py"))
    counts, times, spreads = module["main"](n_input=85, plot_file=None)
    assert counts.min() >= 85  # every layer fires
    assert 0.3e-3 < np.diff(times).min() and np.diff(times).max() < 0.8e-3  # in order, latency growing by layer
    assert 50e-3 < times[0] < 51.5e-3 and 55e-3 < times[-1] < 56.5e-3
    assert spreads[1:].max() < 0.8e-3  # the packet stays synchronous (the input's spread is 1 ms)
    counts, times, spreads = module["main"](n_input=40, plot_file=None)
    assert counts[0] >= 15  # the first layer answers the weak volley (seeds 1-40: Brian 2 >= 16, simcore >= 25)
    # then the packet dies out: in the last three layers only the spontaneous activity is left, 2-8 neurons (Brian 2,
    # seeds 1-40), 3-10 (simcore) within 3 ms of the layer's median spike time, against ~100 for a strong volley
    assert counts[7:].max() <= 12 and counts[-1] < counts[0] / 3


def test_stdp_weights_become_bimodal():
    """Brian 2.9.0 on the same script, 30 s, seeds 1-6: weights below 0.1 gmax 16.9-18.8 %, above 0.9 gmax
    12.3-14.5 %, within 0.3-0.7 gmax 29.8-34.8 % (uniform at the start: 10, 10, 40 %); end bins of the 10-bin
    histogram 1.6-2.2 times the mean of the middle six; output rate 26-45 Hz in the first 5 s, 19-29 Hz in the last
    5 s. simcore, seeds 1-6: 16.1-18.4 %, 13.2-14.9 %, 31.4-34.0 %, 33-42 Hz -> 24-29 Hz (seed 23: 20 -> 25 Hz)."""
    module = runpy.run_path(str(EXAMPLES / "stdp.py"))
    w, output = module["main"](duration=module["second"] * 30, plot_file=None)
    counts = np.histogram(w, bins=10, range=(0, 1))[0] / len(w)
    middle = counts[2:8].mean()
    assert counts[0] > 1.35 * middle and counts[-1] > 1.35 * middle  # U-shaped: most change at the two ends
    # the bounds allow for the binomial spread of 1000 weights (standard deviation about 1.2 %)
    assert 0.13 < np.mean(w < 0.1) < 0.22 and 0.105 < np.mean(w > 0.9) < 0.18
    assert 0.28 < np.mean((w > 0.3) & (w < 0.7)) < 0.38
    assert w.min() >= 0 and w.max() <= 1  # clipped to [0, gmax]
    assert 0.46 < w.mean() < 0.50  # depression slightly outweighs potentiation
    assert 15 < np.sum(output.t_ >= 25) / 5 < 35  # the output rate settles (whatever the initial weights gave)


def test_topographic_map():
    """Brian 2.9.0 on the same script, 1 s, seeds 1-20: centre of layer 2 (40-59) 14.1 Hz (7.6-19.8), 1.1 Hz for
    30-39 and 60-69, no spike in the outer 20 neurons on either side; simcore: 13.0 Hz (7.7-20.8), 1.0 Hz, none."""
    module = runpy.run_path(str(EXAMPLES / "topographic.py"))
    rates, feedforward, recurrent = module["main"](plot_file=None)
    for synapses, scale, length in ((feedforward, 3e-3, 10), (recurrent, 0.5e-3, 20)):
        i, j, w = synapses.i_, synapses.j_, synapses.w_
        distance = abs(i - j)
        assert np.allclose(w, scale * np.exp(-distance / length))  # the weight falls with the distance
        connected = np.zeros((100, 100), bool)
        connected[i, j] = True
        assert 0.47 < connected.mean() < 0.53 and len(i) == connected.sum()  # p = 0.5, one synapse per pair
        pair_distance = abs(np.arange(100)[:, None] - np.arange(100)[None, :])
        for near in (pair_distance < 10, pair_distance >= 50):  # the probability does not depend on distance
            assert 0.4 < connected[near].mean() < 0.6
    # the input's active centre (20 neurons around 50) is mapped onto the same place in layer 2
    assert 5 < rates[40:60].mean() < 25
    assert rates[30:40].mean() + rates[60:70].mean() < rates[40:60].mean() / 2
    assert rates[:20].sum() == 0 and rates[80:].sum() == 0


def test_long_run_to_hdf5(tmp_path):
    module = runpy.run_path(str(EXAMPLES / "long_run_to_hdf5.py"))
    ms = module["ms"]
    recording, spikes, same = module["main"](duration=60 * ms, crash_at=35 * ms, every=15 * ms, neurons=400,
                                             output=str(tmp_path / "run.h5"), checkpoint=str(tmp_path / "ckpt.h5"))
    assert same and spikes.num_spikes > 100
    assert recording.traces.v.shape == (10, 600)


def test_sweep_fi_curve(tmp_path):
    pytest.importorskip("distributed")
    module = runpy.run_path(str(EXAMPLES / "sweep_fi_curve.py"))
    table = module["main"](drives=(16, 30), refractories=(2, 5), output=tmp_path / "fi.h5")
    assert len(table) == 4 and table["error"].isna().all()
    # the period of a LIF neuron, from t_ref + tau*log(I/(I - threshold)), to within the time step
    assert np.abs(table["period"] - table["predicted"]).max() < 1e-4
    charging = table["predicted"] - table["refractory"]  # the first spike comes after charging only
    assert table["spikes"].tolist() == (np.floor((0.1 - charging) / table["predicted"]) + 1).astype(int).tolist()
    again = module["main"](drives=(16, 30), refractories=(2, 5), output=tmp_path / "fi.h5")  # read back: no runs
    assert again["period"].tolist() == table["period"].tolist()
    assert again["seconds"].tolist() == table["seconds"].tolist()  # the times of the runs in the file
