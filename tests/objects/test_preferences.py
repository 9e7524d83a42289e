"""prefs: the default float precision, and Brian 2's other preferences reported as having no effect."""

import numpy as np
import pytest

from simcore import ModelError, Network, NeuronGroup, Synapses, ms, prefs, start_scope


@pytest.fixture
def float32_default():
    prefs.core.default_float_dtype = np.float32
    yield
    prefs.core.default_float_dtype = np.float64


def test_default_float_dtype_sets_new_groups_state(float32_default):
    start_scope()
    group = NeuronGroup(3, "dv/dt = -v/(10*ms) : 1\nn : integer", threshold="v > 2", refractory=1 * ms,
                        method="exact")
    synapses = Synapses(group, group, "w : 1", on_pre="v += w")
    own = NeuronGroup(2, "x : 1", dtype=np.float64)
    assert group.v_.dtype == np.float32 and group.n_.dtype == np.int64 and own.x_.dtype == np.float64
    assert synapses.w_.dtype == np.float32
    assert group.lastspike_.dtype == np.float64  # times stay double precision
    group.v = 1
    Network(group).run(1 * ms)
    assert group.v_ == pytest.approx(np.exp(-0.1) * np.ones(3), rel=1e-6)


def test_preference_access_and_errors():
    assert prefs.core.default_float_dtype is np.float64
    prefs["core.default_float_dtype"] = "float32"
    try:
        assert prefs["core.default_float_dtype"] is np.float32
    finally:
        prefs.core.default_float_dtype = np.float64
    with pytest.raises(ModelError, match="must be float64 or float32, not 'int32'"):
        prefs.core.default_float_dtype = "int32"
    with pytest.warns(UserWarning, match="prefs.codegen.target is a Brian 2 preference that simcore does not use"):
        prefs.codegen.target = "numpy"
    with pytest.warns(UserWarning, match="prefs.devices.cpp_standalone.openmp_threads"):
        prefs.devices.cpp_standalone.openmp_threads = 4
