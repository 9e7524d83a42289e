"""An operation without a parallel GPU version runs on one GPU thread and says so in a warning that names it;
only generated, never run."""

import warnings

from test_launch_writes import operations_of

from simcore import NeuronGroup, PopulationRateMonitor, SpikeGeneratorGroup, Synapses, ms
from simcore.codegen import cuda_module


def build_operations_without_parallel_versions():
    stimulus = SpikeGeneratorGroup(3, [0, 2], [1, 2] * ms, name="stimulus")
    target = NeuronGroup(2, "v : 1", name="target")
    clipping = Synapses(stimulus, target, on_pre="v_post = clip(v_post + 0.5, 0, 1)", name="clipping")
    clipping.connect()
    adding = Synapses(stimulus, target, on_pre="v_post += 0.1", name="adding")  # atomic additions: parallel
    adding.connect()
    rate = PopulationRateMonitor(stimulus, name="rate")
    return [stimulus, target, clipping, adding, rate], {}


def test_each_operation_on_one_gpu_thread_warns_naming_itself():
    operations = operations_of(build_operations_without_parallel_versions, "cuda")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        cuda_module.generate(operations, "serial", "test")
    messages = sorted(str(warning.message) for warning in caught)
    assert len(messages) == 3, messages
    clipping, rate, stimulus = messages
    assert clipping.startswith("the pathway 'pre' on spikes of stimulus (Synapses 'clipping') changes neuron "
                               "variables other than by adding to them")
    assert "its operation clipping_pathway_pre (of 'clipping') runs on one thread" in clipping
    assert rate.startswith("the population rate monitor 'rate' has no parallel GPU version")
    assert "its operation rate_record (of 'rate') runs on one thread" in rate
    assert stimulus.startswith("the spike generator 'stimulus' has no parallel GPU version")
    assert "its operation stimulus_spikegenerator (of 'stimulus') runs on one thread" in stimulus
