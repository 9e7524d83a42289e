"""The CUBA network of the seeds: 4000 integrate-and-fire neurons with exponential
excitatory and inhibitory currents, randomly connected with probability 0.02 (the
script of Brian 2's front page; Brette et al. 2007, benchmark 2).

The network fires irregularly at low rates. For reference, Brian 2.9.0 run on the
same script with seeds 1 to 9 gave a mean rate of 6.24 Hz (range 5.94-6.84 Hz) and a
mean ISI coefficient of variation of 0.58 (0.57-0.60); with the connectivity read from
arrays, simcore and Brian 2 give the same spikes, spike for spike, for the whole second.

Run:  python examples/cuba.py   (saves cuba_raster.png; plotting needs the [plot] extra)
"""

import numpy as np

from simcore import (
    NeuronGroup,
    SpikeMonitor,
    Synapses,
    ms,
    mV,
    plot,
    run,
    savefig,
    second,
    seed,
    start_scope,
    xlabel,
    ylabel,
)


def main(duration=1 * second, random_seed: int = 1, plot_file: str | None = "cuba_raster.png"):
    start_scope()
    seed(random_seed)
    eqs = """
    dv/dt = (ge+gi-(v+49*mV))/(20*ms) : volt
    dge/dt = -ge/(5*ms) : volt
    dgi/dt = -gi/(10*ms) : volt
    """
    P = NeuronGroup(4000, eqs, threshold="v>-50*mV", reset="v=-60*mV")
    P.v = -60 * mV
    Pe = P[:3200]
    Pi = P[3200:]
    Ce = Synapses(Pe, P, on_pre="ge+=1.62*mV")
    Ce.connect(True, p=0.02)
    Ci = Synapses(Pi, P, on_pre="gi-=9*mV")
    Ci.connect(True, p=0.02)
    M = SpikeMonitor(P)
    run(duration)

    seconds = float(duration / second)
    rate = M.num_spikes / len(P) / seconds
    cv = mean_isi_cv(M.spike_trains())
    print(f"{len(Ce) + len(Ci)} synapses; {M.num_spikes} spikes in {seconds:g} s: mean rate {rate:.2f} Hz, "
          f"mean ISI CV {cv:.2f}")
    if plot_file:
        plot(M.t / ms, M.i, ".", markersize=1)
        xlabel("Time (ms)")
        ylabel("Neuron index")
        savefig(plot_file)
        print(f"raster plot saved to {plot_file}")
    return rate, cv, M


def mean_isi_cv(trains) -> float:
    """The mean over neurons (with at least three spikes) of std/mean of their interspike intervals."""
    cvs = []
    for times in trains.values():
        intervals = np.diff(np.asarray(times / second))
        if len(intervals) >= 2:
            cvs.append(intervals.std() / intervals.mean())
    return float(np.mean(cvs))


if __name__ == "__main__":
    main()
