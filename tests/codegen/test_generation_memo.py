"""A network run again with the same structure gets the same generated Source without generating it again
(``codegen.module.remembered``); what changes the operations or the preference that generation reads does not."""

from simcore import Network, NeuronGroup, SpikeMonitor, ms, prefs


def test_a_run_again_reuses_the_source_and_a_change_makes_a_new_one():
    group = NeuronGroup(5, "dv/dt = (drive - v)/(10*ms) : 1\ndrive : 1", threshold="v > 1", reset="v = 0",
                        method="exact")
    group.drive = 2
    spikes = SpikeMonitor(group)
    net = Network(group, spikes)
    net.store()
    net.run(5 * ms)
    first = net._source
    net.restore()
    group.drive = 3  # a value: the same kernels
    net.run(5 * ms)
    assert net._source is first
    group.run_regularly("drive = drive + 0.1", dt=1 * ms)  # a new operation: new source
    net.run(1 * ms)
    assert net._source is not first and "drive + 0.1" in net.source()
    regular = net._source
    previous = prefs.codegen.vector_math
    try:
        prefs.codegen.vector_math = not previous
        net.run(1 * ms)
        assert net._source is not regular and net._source.text != regular.text
    finally:
        prefs.codegen.vector_math = previous
    net.run(1 * ms)
    assert net._source is regular
