"""A NaN or infinity stored by any operation (not only a state update) stops the run, with a message that names
the variable, its owner, the element and the time; the records before it are kept."""

import numpy as np
import pytest

from simcore import ModelError, Network, NeuronGroup, SpikeGeneratorGroup, StateMonitor, Synapses, ms


def neurons(**keywords):
    group = NeuronGroup(3, "dv/dt = -v/(10*ms) : 1\ny : 1", method="euler", name="cells", **keywords)
    group.v = "1.5 - 0.4*i"  # elements 0 and 1 cross v > 1 at t = 0
    return group


def stops(*objects, duration=2 * ms):
    """Run ``objects`` for ``duration``: the error message, the network (its time is where the run stopped)."""
    network = Network(*objects)
    with pytest.raises(ModelError) as error:
        network.run(duration)
    return str(error.value), network


def test_a_reset_that_stores_nan_stops_the_run():
    group = neurons(threshold="v > 1", reset="v = 0\ny = sqrt(-1.0*(i == 1))")
    trace = StateMonitor(group, "v", record=True)
    message, network = stops(group, trace)
    assert message == ("the variable 'y' of cells became NaN or infinite for element 1 at t = 0 ms "
                       "(in the reset of cells)")
    assert network.t_ == 0.0 and trace.t_.size == 1  # the first step's record is kept


def test_code_on_a_custom_event_that_stores_nan_stops_the_run():
    group = neurons(events={"high": "v > 0.5"})
    group.run_on_event("high", "y = log(v - 1.05)")  # element 2 (v = 0.7) gives NaN
    message, _ = stops(group)
    assert message.startswith("the variable 'y' of cells became NaN or infinite for element 2 at t = 0 ms (in the "
                              "code on 'high' events of cells)")


def synapses_from_generator(model, on_pre):
    """Source 0 spikes at 0.5 ms, source 1 at 1 ms; synapse 0: 0 -> 0, synapse 1: 1 -> 2; w = 1, -1."""
    generator = SpikeGeneratorGroup(2, [0, 1], [0.5, 1.0] * ms, name="gen")
    group = neurons()
    synapses = Synapses(generator, group, model, on_pre=on_pre, name="syn")
    synapses.connect(i=[0, 1], j=[0, 2])
    synapses.w = [1.0, -1.0]
    return generator, group, synapses


def test_a_pathway_that_stores_nan_into_a_neuron_variable_stops_the_run():
    generator, group, synapses = synapses_from_generator("w : 1", "v += log(w)")
    trace = StateMonitor(group, "v", record=[0])
    message, network = stops(generator, group, synapses, trace)
    assert message == ("the variable 'v' of cells became NaN or infinite for element 2 at t = 1 ms "
                       "(in the pathway 'pre' on spikes of gen of Synapses syn)")
    assert network.t_ == pytest.approx(1e-3)
    assert trace.t_.size == 11 and np.isfinite(trace.v_).all()  # 0 .. 1 ms: the records before the error


def test_a_pathway_that_stores_nan_into_a_synaptic_variable_stops_the_run():
    generator, group, synapses = synapses_from_generator("w : 1\nx : 1", "x = sqrt(w)")
    message, network = stops(generator, group, synapses)
    assert message.startswith("the variable 'x' of syn became NaN or infinite for element 1 at t = 1 ms")
    assert list(synapses.x_) == [1.0, pytest.approx(np.nan, nan_ok=True)]


def test_an_infinite_value_from_a_pathway_stops_the_run_too():
    generator, group, synapses = synapses_from_generator("w : 1", "v += 1/(w + 1)")
    message, _ = stops(generator, group, synapses)
    assert message.startswith("the variable 'v' of cells became NaN or infinite for element 2 at t = 1 ms")


def test_a_summed_variable_that_is_nan_stops_the_run():
    group = neurons()
    sums = NeuronGroup(3, "total : 1", name="sums")
    synapses = Synapses(group, sums, "w : 1\ntotal_post = sqrt(w) : 1 (summed)", name="syn")
    synapses.connect(i=[0, 1, 2], j=[0, 2, 2])
    synapses.w = [1.0, 4.0, -1.0]
    message, network = stops(group, sums, synapses)
    assert message == ("the variable 'total' of sums became NaN or infinite for element 2 at t = 0 ms "
                       "(in the summed variable total_post of Synapses syn)")
    assert network.t_ == 0.0


def test_run_regularly_that_stores_nan_names_its_code():
    group = neurons()
    group.run_regularly("y = log(v - 1.2)", dt=0.5 * ms)  # elements 1 and 2: the first is named
    message, _ = stops(group)
    assert message == ("the variable 'y' of cells became NaN or infinite for element 1 at t = 0 ms "
                       "(in run_regularly of cells)")


@pytest.mark.filterwarnings("ignore:overflow encountered")
def test_a_nan_in_the_state_update_of_a_later_group_names_that_group():
    calm = NeuronGroup(2, "dv/dt = -v/(10*ms) : 1", method="euler", name="calm")
    wild = NeuronGroup(4, "dv/dt = v*v/ms : 1", method="euler", name="wild")
    wild.v = "0.2*i"
    with pytest.raises(ModelError, match="the variable 'v' of wild became NaN or infinite for element 3"):
        Network(calm, wild).run(20 * ms)


def test_a_state_update_that_overflows_names_its_integration_method():
    group = NeuronGroup(3, "dv/dt = v**2/ms : 1", method="euler", name="cells")
    group.v = [0, 1, 1e200]
    message, _ = stops(group)
    assert message.startswith("the variable 'v' of cells became NaN or infinite for element 2 at t = 0 ms "
                              "(integration method euler); the time step may be too large")
