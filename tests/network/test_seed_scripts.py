"""Scripts from the seeds' Brian 2 tutorials run unchanged but for the import line, and give
the numbers an independent reimplementation of the same scheme gives."""

import numpy as np
import pytest

from simcore import Hz, NeuronGroup, SpikeMonitor, ms, mV, run, start_scope


def _seed_tutorial_group():
    # From the CNS tutorial (seed 001), "Variables and equations" and "Expressions".
    start_scope()
    tau = 10 * ms  # noqa: F841 (found by the equations in this frame)
    G = NeuronGroup(5, '''dv/dt = (-v + inp) / tau           : volt (unless refractory)
                        inp = a * clip(sin(2*pi*freq*t), 0, inf) : volt
                        freq                                     : Hz   (constant)
                        a                                       : volt (shared)
                        ''', threshold='v>20*mV', reset='v = 0*mV',
                    refractory=2*ms)
    G.freq = [100, 200, 300, 400, 500] * Hz
    G.a = 100*mV
    G.v = 10*mV
    min_freq = 100*Hz  # noqa: F841
    selected = G.v['freq > min_freq']
    M = SpikeMonitor(G)
    run(100*ms)
    return G, M, selected


def _reference(duration_steps=1000, dt=1e-4):
    """Euler with Brian 2's schedule, written out in numpy."""
    freq = np.array([100, 200, 300, 400, 500.0])
    v = np.full(5, 0.010)
    lastspike = np.full(5, -1e4)
    not_refractory = np.ones(5, dtype=bool)
    spikes = []
    for step in range(duration_steps):
        t = step * dt
        not_refractory = np.floor((t - lastspike + 1e-3 * dt) / dt) >= np.floor((2e-3 + 1e-3 * dt) / dt)
        inp = 0.1 * np.clip(np.sin(2 * np.pi * freq * t), 0, np.inf)
        new = v + dt * (-v + inp) / 0.01
        v = np.where(not_refractory, new, v)
        fired = (v > 0.020) & not_refractory
        spikes += [(step, i) for i in np.flatnonzero(fired)]
        lastspike[fired] = t
        v[fired] = 0.0
    return spikes


def test_tutorial_script_matches_a_numpy_reimplementation():
    G, M, selected = _seed_tutorial_group()
    assert np.allclose(selected / mV, [10, 10, 10, 10])
    reference = _reference()
    assert M.num_spikes == len(reference) > 20
    steps = np.round(M.t_ / 1e-4).astype(int)
    assert sorted(zip(steps.tolist(), M.i.tolist(), strict=True)) == reference
    assert float(G.inp[0] / mV) == pytest.approx(100 * max(np.sin(2 * np.pi * 100 * 0.1), 0), abs=1e-9)
