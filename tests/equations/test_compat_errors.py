"""Refusals raise the builtin exception a Brian 2 user catches (and stay ModelErrors)."""

import numpy as np
import pytest

from simcore import ModelError, Network, NeuronGroup, TimedArray, amp, linspace, ms, start_scope


def test_an_unknown_name_at_run_is_a_key_error_as_in_brian2():
    start_scope()
    for model, options in (("dv/dt = -v/tau : 1", {}), ("v : 1", {"threshold": "v > v_th"}),
                           ("v : 1", {"threshold": "False", "reset": "v = v_r"})):
        group = NeuronGroup(1, model, **options)
        with pytest.raises(KeyError) as error:
            Network(group).run(1 * ms)
        assert isinstance(error.value, NameError | ModelError)
        assert "'tau'" in str(error.value) or "'v_th'" in str(error.value) or "'v_r'" in str(error.value)


def test_a_timed_array_used_wrongly_is_a_value_error():
    start_scope()
    ta = TimedArray(linspace(0, 10, 11), 1 * ms)
    ta2d = TimedArray((np.linspace(0, 11, 12) * amp).reshape(4, 3), 1 * ms)  # noqa: F841  (found by name)
    group = NeuronGroup(3, "I : amp")
    for value in ("ta2d(t)*amp", "ta(t, i)*amp", "ta()*amp", "ta*amp"):
        with pytest.raises(ValueError, match="ta"):
            group.I = value
    group.I = "ta(t)*amp"
    assert np.allclose(group.I_, 0.0) and ta.dt == pytest.approx(1e-3)
