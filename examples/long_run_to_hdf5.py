"""A long run that writes as it goes and survives a crash: the CUBA network of examples/cuba.py streams
every spike and ten voltage traces into an HDF5 file, stores a checkpoint every 0.5 s of simulated time,
and a second part of the script resumes from the last checkpoint as a new process would after a crash.
At the end the file holds the spikes of one uninterrupted run, which the script checks against a run kept
in memory.

Run:  python examples/long_run_to_hdf5.py   (writes cuba_run.h5 and cuba_checkpoint.h5 here)
"""

import numpy as np

from simcore import (
    Network,
    NeuronGroup,
    Output,
    SpikeMonitor,
    StateMonitor,
    Synapses,
    load_output,
    ms,
    second,
    seed,
    start_scope,
)


def build(neurons: int = 4000):
    """The CUBA network; the same script builds it in every process (the state comes from the file)."""
    start_scope()
    seed(1)
    eqs = """
    dv/dt = (ge+gi-(v+49*mV))/(20*ms) : volt
    dge/dt = -ge/(5*ms) : volt
    dgi/dt = -gi/(10*ms) : volt
    """
    group = NeuronGroup(neurons, eqs, threshold="v>-50*mV", reset="v=-60*mV", name="cells")
    group.v = "-60*mV + 10*mV*rand()"
    excitatory = Synapses(group[:int(0.8 * neurons)], group, on_pre="ge+=1.62*mV", name="excitatory")
    excitatory.connect(p=80 / neurons)
    inhibitory = Synapses(group[int(0.8 * neurons):], group, on_pre="gi-=9*mV", name="inhibitory")
    inhibitory.connect(p=80 / neurons)
    spikes = SpikeMonitor(group, name="spikes")
    traces = StateMonitor(group, "v", record=range(10), name="traces")
    return Network(group, excitatory, inhibitory, spikes, traces), spikes


def main(duration=2 * second, crash_at=1.2 * second, every=0.5 * second, neurons: int = 4000,
         output: str = "cuba_run.h5", checkpoint: str = "cuba_checkpoint.h5"):
    # the first process: streams to the output, checkpoints, and "crashes" at crash_at
    net, _ = build(neurons)
    net.run(crash_at, output=Output(output, overwrite=True), checkpoint=checkpoint, checkpoint_every=every)
    # after the crash, a new process runs the same script and resumes from the last checkpoint: the output
    # file is cut back to it, and the monitors go on writing there
    resumed, _ = build(neurons)
    resumed.restore("checkpoint", filename=checkpoint, restore_random_state=True)
    print(f"resumed at {float(resumed.t / ms):g} ms (the crash was at {float(crash_at / ms):g} ms)")
    resumed.run(duration - resumed.t)

    recording = load_output(output)
    in_memory, spikes = build(neurons)
    in_memory.run(duration)
    stored = recording.spikes
    same = np.array_equal(stored.i, spikes.i) and np.array_equal(stored.t_, spikes.t_)
    print(f"{stored.num_spikes} spikes and {recording.traces.v.shape[1]} samples of 10 traces in {output}; "
          f"identical to an uninterrupted run: {same}")
    return recording, spikes, same


if __name__ == "__main__":
    main()
