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


HH_SWEEP = '''
import json, sys
import numpy as np
if sys.argv[1] == "brian2":
    from brian2 import *
    prefs.codegen.target = "numpy"
else:
    from simcore import *
output = sys.argv[2]
area = 20000*umetre**2
Cm = 1*ufarad*cm**-2 * area
gl = 5e-5*siemens*cm**-2 * area
El = -65*mV
EK = -90*mV
ENa = 50*mV
g_kd = 30*msiemens*cm**-2 * area
VT = -63*mV
defaultclock.dt = 0.01*ms
eqs = """
dv/dt = (gl*(El-v) - g_na*(m*m*m)*h*(v-ENa) - g_kd*(n*n*n*n)*(v-EK) + I)/Cm : volt
dm/dt = 0.32*(mV**-1)*(13.*mV-v+VT)/(exp((13.*mV-v+VT)/(4.*mV))-1.)/ms*(1-m)
        -0.28*(mV**-1)*(v-VT-40.*mV)/(exp((v-VT-40.*mV)/(5.*mV))-1.)/ms*m : 1
dn/dt = 0.032*(mV**-1)*(15.*mV-v+VT)/(exp((15.*mV-v+VT)/(5.*mV))-1.)/ms*(1.-n)-.5*exp((10.*mV-v+VT)/(40.*mV))/ms*n : 1
dh/dt = 0.128*exp((17.*mV-v+VT)/(18.*mV))/ms*(1.-h)-4./(1+exp((40.*mV-v+VT)/(5.*mV)))/ms*h : 1
I : amp
g_na : siemens
"""
group = NeuronGroup(100, eqs, threshold="v > -40*mV", refractory="v > -40*mV", method="exponential_euler")
group.v = El
group.I = "0.7*nA*i/100"
group.g_na = "(50 + 100*(i % 10)/10)*msiemens*cm**-2*area"
M = SpikeMonitor(group)
run(100*ms)
json.dump({"i": np.asarray(M.i).tolist(), "t": np.asarray(M.t/ms).tolist()}, open(output, "w"))
'''


def test_hh_sweep_spikes_match_brian2(tmp_path):
    """The Hodgkin-Huxley sweep of the seeds (exponential Euler, refractory condition) at dt = 10 us."""
    script = tmp_path / "hh_both.py"
    script.write_text(HH_SWEEP)
    runs = {}
    for simulator, python in (("simcore", sys.executable), ("brian2", BRIAN2_PYTHON)):
        output = tmp_path / f"{simulator}.json"
        subprocess.run([python, str(script), simulator, str(output)], check=True, capture_output=True,
                       cwd=tmp_path, timeout=600)
        runs[simulator] = json.loads(output.read_text())
    ours, theirs = runs["simcore"], runs["brian2"]
    assert len(ours["i"]) == len(theirs["i"]) > 100
    order_ours, order_theirs = np.lexsort((ours["t"], ours["i"])), np.lexsort((theirs["t"], theirs["i"]))
    np.testing.assert_array_equal(np.asarray(ours["i"])[order_ours], np.asarray(theirs["i"])[order_theirs])
    # the same time steps (measured: all 563 spikes identical)
    np.testing.assert_allclose(np.asarray(ours["t"])[order_ours], np.asarray(theirs["t"])[order_theirs], atol=1e-9)
