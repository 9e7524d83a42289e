"""``prefs.codegen.vector_math``: CPU kernels call simcore's vectorisable exp/log/exprel/... and may fuse
multiply-adds (the default), or call the C library's and round each operation; both give the same model, to
rounding."""

import numpy as np
import pytest

from simcore import Network, NeuronGroup, SpikeMonitor, StateMonitor, ms, mV, pfarad, prefs, siemens
from simcore.errors import ModelTypeError

# Traub-Miles HH neurons: exp and exprel in every rate, driven to fire at different rates
HH = """dv/dt = (gl*(El - v) - g_na*m**3*h*(v - ENa) - g_k*n**4*(v - EK) + I)/Cm : volt
dm/dt = 0.32/mV*4*mV/exprel((13*mV - v + VT)/(4*mV))/ms*(1 - m) - 0.28/mV*5*mV/exprel((v - VT - 40*mV)/(5*mV))/ms*m : 1
dn/dt = 0.032/mV*5*mV/exprel((15*mV - v + VT)/(5*mV))/ms*(1 - n) - 0.5*exp((10*mV - v + VT)/(40*mV))/ms*n : 1
dh/dt = 0.128*exp((17*mV - v + VT)/(18*mV))/ms*(1 - h) - 4/(1 + exp((40*mV - v + VT)/(5*mV)))/ms*h : 1
I : amp
"""
NAMESPACE = {"gl": 1e-8 * siemens, "El": -60 * mV, "ENa": 50 * mV, "EK": -90 * mV, "g_na": 2e-5 * siemens,
             "g_k": 6e-6 * siemens, "Cm": 200 * pfarad, "VT": -63 * mV}  # COBAHH: a 20000 um^2 membrane


@pytest.fixture
def restore_vector_math():
    before = prefs.codegen.vector_math
    yield
    prefs.codegen.vector_math = before


def _run(vector_math: bool):
    prefs.codegen.vector_math = vector_math
    group = NeuronGroup(8, HH, threshold="v > -20*mV", refractory="v > -20*mV", method="exponential_euler",
                        namespace=NAMESPACE, name="hh")
    group.v = -60 * mV
    group.I = "0.2*nA + 0.1*nA*i"
    trace, spikes = StateMonitor(group, "v", record=True), SpikeMonitor(group)
    net = Network(group, trace, spikes)
    net.run(40 * ms)
    return net.source(), np.asarray(trace.v_), np.asarray(spikes.i), np.asarray(spikes.t_)


def test_both_settings_give_the_same_model(restore_vector_math):
    fast_source, fast_v, fast_i, fast_t = _run(True)
    libm_source, libm_v, libm_i, libm_t = _run(False)
    assert "from simcore.kernels.fastmath import exp as _exp" in fast_source
    assert "fastmath" not in libm_source and "_exprel_reciprocal(" in libm_source
    assert 'fastmath={"contract"}' in fast_source  # FMA allowed, no other fast-math flag
    assert len(fast_i) >= 8 and set(fast_i) == set(range(8))  # every neuron fires, at different rates
    np.testing.assert_array_equal(fast_i, libm_i)
    np.testing.assert_array_equal(fast_t, libm_t)  # the same steps
    assert not np.array_equal(fast_v, libm_v)  # different functions: not the same bits ...
    np.testing.assert_allclose(fast_v, libm_v, rtol=0, atol=1e-9 * float(60 * mV))  # ... to rounding


def test_the_setting_is_a_flag(restore_vector_math):
    with pytest.raises(ModelTypeError, match="vector_math"):
        prefs.codegen.vector_math = "yes"
    assert prefs.codegen.vector_math is True
