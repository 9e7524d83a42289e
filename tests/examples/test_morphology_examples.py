"""The neurons-with-shape examples (examples/thalamocortical_cell.py, examples/many_cells.py) run shortened, and
their results are checked."""

import runpy
from pathlib import Path

import numpy as np
import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.fixture(scope="module")
def thalamocortical():
    return runpy.run_path(str(EXAMPLES / "thalamocortical_cell.py"))


@pytest.fixture(scope="module")
def many_cells():
    return runpy.run_path(str(EXAMPLES / "many_cells.py"))


def test_thalamocortical_cell_fires_a_rebound_burst(thalamocortical, capsys):
    ms = thalamocortical["ms"]
    spikes, t, v = thalamocortical["main"](settle=50 * ms, hyperpolarise=150 * ms, after=80 * ms, plot_file=None)
    assert not np.any(spikes <= 0)  # silent while held and while hyperpolarised
    before = t < 50
    assert -66 < v[before][-1] < -62  # the holding current keeps it near -64 mV
    assert -88 < v.min() < -84  # 20 pA less: about 20 mV in a cell of 1/(gl*area) = 0.95 GOhm
    assert 3 <= len(spikes) <= 10  # a burst of several spikes ...
    assert 20 < spikes[0] < 60  # ... after the membrane has charged back to the T-current's threshold
    assert np.all(np.diff(spikes[:3]) < 6)  # at over 150 Hz
    assert v[t > 200].max() > 20  # full sodium spikes at the soma
    assert "rebound burst: " in capsys.readouterr().out


def test_thalamocortical_burst_needs_the_t_current(thalamocortical):
    ms, cm, second = thalamocortical["ms"], thalamocortical["cm"], thalamocortical["second"]
    no_t = 0 * cm / second
    spikes, t, v = thalamocortical["main"](settle=50 * ms, hyperpolarise=150 * ms, after=80 * ms,
                                           P_Ca_proximal=no_t, P_Ca_distal=no_t, plot_file=None)
    assert len(spikes) == 0
    assert v[t > 200].max() < -60  # only the passive return towards the held potential


def test_many_cells_f_i_curve(many_cells):
    ms, nA = many_cells["ms"], many_cells["nA"]
    duration = 100 * ms
    currents, rates, spikes, neurons = many_cells["main"](N=21, duration=duration, max_current=0.05 * nA,
                                                           plot_file=None)
    assert neurons.neurons == 21 and neurons.compartments == 100 and neurons.N == 2100
    assert set(np.asarray(spikes.i) % 100) == {0}  # spikes detected at the somata only
    silent = np.flatnonzero(rates == 0)
    rheobase = silent.max() + 1
    assert np.array_equal(silent, np.arange(rheobase))  # silent below a current, firing above it
    assert 1 <= rheobase <= 4  # between 0.0025 and 0.01 nA: the soma of 20 um with its dendrite
    assert (np.diff(rates[rheobase:]) >= 0).all() and rates[-1] > rates[rheobase] + 50
    assert 100 < rates[-1] < 160  # 0.05 nA

    # each neuron of the group computes exactly what it computes alone
    simulate = many_cells["simulate"]
    for k in (rheobase + 1, 20):
        alone_rates, alone_spikes, alone = simulate(currents[k:k + 1] * nA, duration)
        assert alone_rates[0] == rates[k]
        mine = np.asarray(spikes.i) == 100 * k
        np.testing.assert_array_equal(np.asarray(spikes.t_)[mine], np.asarray(alone_spikes.t_))
        np.testing.assert_array_equal(np.asarray(neurons.v_)[100 * k:100 * (k + 1)], np.asarray(alone.v_))
        np.testing.assert_array_equal(np.asarray(neurons.h_)[100 * k:100 * (k + 1)], np.asarray(alone.h_))
