"""The same scripts under Brian 2 and simcore. Skipped unless a Python that imports brian2 is
found: this interpreter, or the one named by $BRIAN2_PYTHON (Brian 2.9 needs numpy < 2.4, so
it usually lives in its own virtual environment)."""

import importlib.util
import json
import os
import subprocess
import sys

import numpy as np
import pytest


def _brian2_python() -> str | None:
    if importlib.util.find_spec("brian2") is not None:
        return sys.executable
    return os.environ.get("BRIAN2_PYTHON") or None


BRIAN2_PYTHON = _brian2_python()
pytestmark = pytest.mark.skipif(BRIAN2_PYTHON is None, reason="brian2 not importable; set BRIAN2_PYTHON")

# One script for both simulators: argv = simulator, output file, then script arguments.
CUBA = '''
import json, sys
import numpy as np
if sys.argv[1] == "brian2":
    from brian2 import *
    prefs.codegen.target = "numpy"
else:
    from simcore import *
output, mode, value = sys.argv[2], sys.argv[3], int(sys.argv[4])
eqs = """
dv/dt = (ge+gi-(v+49*mV))/(20*ms) : volt
dge/dt = -ge/(5*ms) : volt
dgi/dt = -gi/(10*ms) : volt
"""
P = NeuronGroup(4000, eqs, threshold="v>-50*mV", reset="v=-60*mV")
Pe, Pi = P[:3200], P[3200:]
Ce = Synapses(Pe, P, on_pre="ge+=1.62*mV")
Ci = Synapses(Pi, P, on_pre="gi-=9*mV")
if mode == "arrays":  # fixed connectivity and initial values: the spikes must be the same
    rng = np.random.default_rng(value)
    e, i = np.nonzero(rng.random((3200, 4000)) < 0.02), np.nonzero(rng.random((800, 4000)) < 0.02)
    Ce.connect(i=e[0], j=e[1])
    Ci.connect(i=i[0], j=i[1])
    P.v = "-60*mV + 10*mV*i/4000"
    duration = 1000*ms
else:  # the seeds' script with random connectivity: statistics must agree
    seed(value)
    Ce.connect(True, p=0.02)
    Ci.connect(True, p=0.02)
    P.v = -60*mV
    duration = 1000*ms
M = SpikeMonitor(P)
run(duration)
i, t = np.asarray(M.i), np.asarray(M.t/ms)
cvs = []
for k in range(4000):
    isi = np.diff(t[i == k])
    if len(isi) >= 2:
        cvs.append(isi.std()/isi.mean())
json.dump({"i": i.tolist(), "t": t.tolist(), "rate": len(i)/4.0, "cv": float(np.mean(cvs))}, open(output, "w"))
'''


def _run(python: str, simulator: str, tmp_path, mode: str, value: int) -> dict:
    script = tmp_path / "cuba_both.py"
    script.write_text(CUBA)
    output = tmp_path / f"{simulator}_{mode}_{value}.json"
    subprocess.run([python, str(script), simulator, str(output), mode, str(value)], check=True,
                   capture_output=True, cwd=tmp_path, timeout=600)
    return json.loads(output.read_text())


def test_cuba_with_fixed_connectivity_gives_brian2s_spikes(tmp_path):
    ours = _run(sys.executable, "simcore", tmp_path, "arrays", 0)
    theirs = _run(BRIAN2_PYTHON, "brian2", tmp_path, "arrays", 0)
    assert len(ours["i"]) == len(theirs["i"]) > 10000
    np.testing.assert_array_equal(ours["i"], theirs["i"])
    np.testing.assert_allclose(ours["t"], theirs["t"], atol=1e-9)


def test_cuba_rate_and_irregularity_agree_over_seeds(tmp_path):
    seeds = range(1, 6)
    ours = [_run(sys.executable, "simcore", tmp_path, "random", s) for s in seeds]
    theirs = [_run(BRIAN2_PYTHON, "brian2", tmp_path, "random", s) for s in seeds]
    for key, tolerance in (("rate", 0.06), ("cv", 0.04)):
        mine, reference = np.mean([r[key] for r in ours]), np.mean([r[key] for r in theirs])
        assert abs(mine - reference) < tolerance * reference, (key, mine, reference)
