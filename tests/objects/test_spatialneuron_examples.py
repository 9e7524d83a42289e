"""What Brian 2's published SpatialNeuron example scripts need beyond the basics, in small models whose
results are known without Brian 2 (compat/brian2_examples.py runs the scripts themselves)."""

import numpy as np
import pytest

from simcore import (
    Cylinder,
    Network,
    NeuronGroup,
    SpatialNeuron,
    Synapses,
    cm,
    ms,
    mV,
    nA,
    ohm,
    siemens,
    uF,
    um,
    volt,
)
from simcore.errors import ModelError

PASSIVE = """
Im = gL*(EL - v) : amp/meter**2
I : amp (point current)
"""
NAMESPACE = {"gL": 1e-4 * siemens / cm**2, "EL": -70 * mV}


def _membrane_sum(when: str | None) -> tuple[float, float]:
    """One step of a passive cable at rest with a current injected at one end, and a group that sums
    area*(Ic - Im) over its compartments (as the local field potential example's synapses do); the sum, and
    the same figure computed from the neuron's state after the step."""
    neuron = SpatialNeuron(Cylinder(n=10, length=200 * um, diameter=2 * um), PASSIVE, Cm=1 * uF / cm**2,
                           Ri=100 * ohm * cm, namespace=NAMESPACE, method="exponential_euler")
    neuron.v = -70 * mV
    neuron.I[0] = 0.1 * nA
    probe = NeuronGroup(1, "v : volt")
    links = Synapses(neuron, probe, "v_post = area_pre*ohm*(Ic_pre - Im_pre) : volt (summed)", namespace=NAMESPACE)
    if when is not None:
        links.summed_updaters["v_post"].when = when
    links.connect()
    Network(neuron, probe, links).run(0.1 * ms)  # one step
    im = NAMESPACE["gL"] * (NAMESPACE["EL"] - neuron.v[:]) + neuron.I[:] / neuron.area[:]
    return float(probe.v[0] / volt), float(np.sum(neuron.area[:] * (neuron.Ic[:] - im)) * ohm / volt)


def test_summed_variable_after_groups_sees_the_new_membrane_currents():
    # the axial currents cancel over the whole cell, so after the cable's step the sum of area*(Ic - Im) is 0
    # (Ic and Im both of the new v): what the LFP example relies on when it schedules its summed variable
    # 'after_groups'
    summed, own = _membrane_sum("after_groups")
    assert abs(summed) < 1e-22 and abs(own) < 1e-22  # in volt (ohm * amp); 0.1 nA is injected
    # by default the sum comes before the group's update: the state before the step, Ic = 0 and Im = I/area
    # at the injection site, so -0.1 nA * 1 ohm
    before, _ = _membrane_sum(None)
    assert before == pytest.approx(-1e-10, rel=1e-9)


def test_summed_updater_schedule_is_checked():
    neuron = SpatialNeuron(Cylinder(n=2, length=20 * um, diameter=2 * um), PASSIVE, namespace=NAMESPACE)
    probe = NeuronGroup(1, "v : volt")
    links = Synapses(neuron, probe, "v_post = area_pre*ohm*Im_pre : volt (summed)")
    assert links.summed_updaters["v_post"].when == "groups"
    with pytest.raises(ModelError, match="when="):
        links.summed_updaters["v_post"].when = 3
    with pytest.raises(ModelError, match="whole number"):
        links.summed_updaters["v_post"].order = 0.5
    with pytest.raises(AttributeError, match="only 'when' and 'order'"):
        links.summed_updaters["v_post"].dt = 1 * ms


def test_codegen_target_set_by_a_script_is_reported_as_unused():
    # Brian 2's 'from brian2 import *' gives its codegen package, and one example sets codegen.target on it
    namespace: dict = {}
    exec("from simcore import *", namespace)
    with pytest.warns(UserWarning, match="prefs.codegen.target .* has no effect"):
        exec("codegen.target = 'numpy'", namespace)
