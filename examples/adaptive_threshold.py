"""An integrate-and-fire neuron whose threshold jumps by 3 mV at each spike and relaxes
back to 10 mV (the adaptive-threshold model of the seeds, driven by a constant input).

The interspike intervals grow until the threshold's rise and decay balance.

Run:  python examples/adaptive_threshold.py
"""

import numpy as np

from simcore import NeuronGroup, SpikeMonitor, StateMonitor, ms, mV, run, start_scope


def main(duration=300 * ms):
    start_scope()
    eqs = """
    dv/dt = (I - v)/(10*ms) : volt
    dvt/dt = (10*mV - vt)/(15*ms) : volt
    I : volt (constant)
    """
    reset = """
    v = 0*mV
    vt += 3*mV
    """
    neuron = NeuronGroup(1, eqs, threshold="v > vt", reset=reset, method="exact")
    neuron.I = 25 * mV
    neuron.vt = 10 * mV
    spikes = SpikeMonitor(neuron)
    trace = StateMonitor(neuron, ["v", "vt"], record=0)
    run(duration)
    intervals = np.diff(spikes.t / ms)
    print(f"{spikes.num_spikes} spikes; first intervals {np.round(intervals[:3], 2)} ms, "
          f"last {np.round(intervals[-3:], 2)} ms; threshold settles near {float(trace.vt[0][-1] / mV):.1f} mV")
    return intervals, trace


if __name__ == "__main__":
    main()
