"""float32 state computes in float32: constants rounded once, no float64 operand in the per-element code."""

import inspect
import re

import numpy as np
import pytest
from numba import njit, types

from simcore import Network, NeuronGroup, StateMonitor, Synapses, defaultclock, ms, mV, pfarad, siemens
from simcore.backends.cache import load_module

HH = """dv/dt = (gl*(El - v) - g_na*m**3*h*(v - ENa) - g_k*n**4*(v - EK) + I)/Cm : volt
dm/dt = alpha_m*(1 - m) - beta_m*m : 1
dn/dt = alpha_n*(1 - n) - beta_n*n : 1
dh/dt = alpha_h*(1 - h) - beta_h*h : 1
alpha_m = 0.32*(mV**-1)*4*mV/exprel((13.*mV - v + VT)/(4*mV))/ms : Hz
beta_m = 0.28*(mV**-1)*5*mV/exprel((v - VT - 40.*mV)/(5*mV))/ms : Hz
alpha_h = 0.128*exp((17.*mV - v + VT)/(18.*mV))/ms : Hz
beta_h = 4./(1 + exp((40.*mV - v + VT)/(5.*mV)))/ms : Hz
alpha_n = 0.032*(mV**-1)*5*mV/exprel((15.*mV - v + VT)/(5*mV))/ms : Hz
beta_n = .5*exp((10.*mV - v + VT)/(40.*mV))/ms : Hz
I : amp
"""
NAMESPACE = {"gl": 5e-5 * siemens, "El": -60 * mV, "ENa": 50 * mV, "EK": -90 * mV, "g_na": 0.01 * siemens,
             "g_k": 0.003 * siemens, "Cm": 200 * pfarad, "VT": -63 * mV, "tau": 10 * ms, "sigma": 0.5}


@pytest.fixture(scope="module")
def float32_network():
    hh = NeuronGroup(4, HH, threshold="v > -20*mV", refractory=3 * ms, method="exponential_euler",
                     dtype=np.float32, name="hh")
    hh.v = -60 * mV
    hh.I = "0.7*nA*i/4"
    lif = NeuronGroup(4, "dv/dt = (1.5 - v)/tau + sigma*xi/sqrt(tau) : 1", threshold="v > 1", reset="v = 0",
                      method="euler", dtype=np.float32, name="lif")
    synapses = Synapses(lif, hh, "w : volt", on_pre="v_post += w", dtype=np.float32, name="syn")
    synapses.connect()
    synapses.w = 0.5 * mV
    net = Network(hh, lif, synapses)
    net.run(2 * ms, namespace=dict(NAMESPACE))
    return net, hh


def _float_types_of(net, function_name: str) -> dict[str, types.Type]:
    """The numba types of the float locals a generated function assigns (compiled again, uncached, for its
    type map)."""
    source = net._source
    module = load_module(source.text, source.digest)
    dispatcher = getattr(module, function_name)
    if not dispatcher.signatures:  # run_chunk came from the cache: typing it again gives its callees' types
        njit(error_model="numpy")(module.run_chunk.py_func).compile(module.run_chunk.signatures[0])
    signature = dispatcher.signatures[0]
    fresh = njit(error_model="numpy")(dispatcher.py_func)
    fresh.compile(signature)
    typemap = fresh.overloads[signature].type_annotation.typemap
    assigned = set(re.findall(r"^\s*(\w+) = ", inspect.getsource(dispatcher.py_func), re.MULTILINE))
    return {name: kind for name, kind in typemap.items() if name in assigned and isinstance(kind, types.Float)}


@pytest.mark.parametrize("function", ["hh_stateupdater__and_threshold", "lif_stateupdater__and_threshold",
                                      "syn_pathway_pre"])
def test_float32_code_has_no_float64_locals(float32_network, function):
    """The model's values, temporaries, constants and random draws are float32; only the clock (t, dt as
    passed, lastspike) is float64, and the constants of a threshold (``_lit_``, in the pass of its group's state
    update): a float32 value compared with -20 mV in float64 is compared exactly, as the threshold alone and
    Brian 2's C++ compare it."""
    net, _ = float32_network
    floats = _float_types_of(net, function)
    clock = {"t", "_t", "dt", "_dt", "lastspike", "_refractory"}
    model = {name: kind for name, kind in floats.items() if name not in clock and not name.startswith("_lit_")}
    assert model and not {name: kind for name, kind in model.items() if kind != types.float32}
    assert "_exprel_reciprocal_f32(" in net.source() and "np.float32(" in net.source()


def test_float32_state_stays_near_float64(float32_network):
    """float32 arithmetic follows the float64 trajectory to float32 accuracy over a short run."""
    _, hh32 = float32_network
    hh = NeuronGroup(4, HH, threshold="v > -20*mV", refractory=3 * ms, method="exponential_euler", name="hh64")
    hh.v = -60 * mV
    hh.I = "0.7*nA*i/4"
    Network(hh).run(2 * ms, namespace=dict(NAMESPACE))
    for name in ("v", "m", "n", "h"):
        np.testing.assert_allclose(getattr(hh32, name + "_"), getattr(hh, name + "_"), rtol=1e-4, atol=1e-7)


def test_linear_decay_is_float32_arithmetic():
    """v <- v*c per step, with c = exp(-dt/tau) rounded once to float32: the same bits as NumPy's float32
    product, and not the same as v*c computed in float64 and stored as float32 (what float32 *storage* with
    float64 arithmetic would give)."""
    group = NeuronGroup(3, "dv/dt = -v/(7*ms) : 1", method="exact", dtype=np.float32)
    group.v = [1.0, 0.3, 3.7]
    monitor = StateMonitor(group, "v", record=True)
    Network(group, monitor).run(3 * ms)
    c64 = np.exp(-float(defaultclock.dt / ms) / 7)
    single = np.array([1.0, 0.3, 3.7], dtype=np.float32)
    stored = single.copy()
    for step, recorded in enumerate(monitor.v_.T):
        np.testing.assert_array_equal(recorded, single, err_msg=f"step {step}")
        single = single * np.float32(c64)
        stored = (stored.astype(np.float64) * c64).astype(np.float32)
    assert not np.array_equal(single, stored)  # the two arithmetics do differ over these steps
