"""COBAHH: 4000 Hodgkin-Huxley neurons with conductance-based exponential synapses,
3200 excitatory and 800 inhibitory, randomly connected with probability 0.02 (Brette
et al. 2007, benchmark 3; the parameters of the seeds' Hodgkin-Huxley network and of
Brian 2's COBAHH example).

The network is self-sustained: it starts from random potentials and conductances and
settles into irregular firing at a few tens of Hz. For reference, Brian
2.9.0 on the same script (0.2 s, seeds 1 to 18) gave a mean rate of 34.3 Hz (range
26.0-39.1 Hz), 35.3 Hz (24.3-42.3 Hz) in the second 0.1 s, and a mean ISI coefficient
of variation of 0.91 (0.85-0.97); simcore, seeds 1 to 18: 34.2 Hz (29.3-38.3 Hz),
36.0 Hz (27.8-40.8 Hz) and 0.92 (0.84-0.98). Over the whole second (seeds 1 to 16; the
CV grows as neurons alternate between bursts and silence): Brian 2 35.5 Hz (27.3-40.4 Hz),
CV 1.95 (1.83-2.05); simcore 35.9 Hz (31.3-41.8 Hz), CV 1.94 (1.87-2.06).

Run:  python examples/cobahh.py   (1 s; saves cobahh_traces.png; plotting needs the [plot] extra)
"""

# ruff: noqa: F841  (the model's constants are locals that run() finds by name in this frame, as in Brian 2)

import numpy as np

from simcore import (
    Equations,
    NeuronGroup,
    SpikeMonitor,
    StateMonitor,
    Synapses,
    cm,
    figure,
    legend,
    ms,
    msiemens,
    mV,
    nS,
    plot,
    run,
    savefig,
    second,
    seed,
    siemens,
    start_scope,
    ufarad,
    umetre,
    xlabel,
    ylabel,
)


def main(duration=1 * second, random_seed: int = 1, plot_file: str | None = "cobahh_traces.png"):
    start_scope()
    seed(random_seed)
    # membrane and channel parameters for a 20000 um^2 patch
    area = 20000 * umetre**2
    Cm = (1 * ufarad * cm**-2) * area
    gl = (5e-5 * siemens * cm**-2) * area
    El = -60 * mV
    EK = -90 * mV
    ENa = 50 * mV
    g_na = (100 * msiemens * cm**-2) * area
    g_kd = (30 * msiemens * cm**-2) * area
    VT = -63 * mV
    # synapses: time constants, reversal potentials, weights
    taue = 5 * ms
    taui = 10 * ms
    Ee = 0 * mV
    Ei = -80 * mV
    we = 6 * nS
    wi = 67 * nS

    eqs = Equations("""
    dv/dt = (gl*(El-v) + ge*(Ee-v) + gi*(Ei-v) - g_na*(m*m*m)*h*(v-ENa) - g_kd*(n*n*n*n)*(v-EK))/Cm : volt
    dm/dt = alpha_m*(1-m) - beta_m*m : 1
    dn/dt = alpha_n*(1-n) - beta_n*n : 1
    dh/dt = alpha_h*(1-h) - beta_h*h : 1
    dge/dt = -ge*(1./taue) : siemens
    dgi/dt = -gi*(1./taui) : siemens
    alpha_m = 0.32*(mV**-1)*4*mV/exprel((13*mV-v+VT)/(4*mV))/ms : Hz
    beta_m = 0.28*(mV**-1)*5*mV/exprel((v-VT-40*mV)/(5*mV))/ms : Hz
    alpha_h = 0.128*exp((17*mV-v+VT)/(18*mV))/ms : Hz
    beta_h = 4./(1+exp((40*mV-v+VT)/(5*mV)))/ms : Hz
    alpha_n = 0.032*(mV**-1)*5*mV/exprel((15*mV-v+VT)/(5*mV))/ms : Hz
    beta_n = .5*exp((10*mV-v+VT)/(40*mV))/ms : Hz
    """)
    P = NeuronGroup(4000, model=eqs, threshold="v>-20*mV", refractory=3 * ms, method="exponential_euler")
    Pe = P[:3200]
    Pi = P[3200:]
    Ce = Synapses(Pe, P, on_pre="ge+=we")
    Ci = Synapses(Pi, P, on_pre="gi+=wi")
    Ce.connect(p=0.02)
    Ci.connect(p=0.02)

    P.v = "El + (randn() * 5 - 5)*mV"
    P.ge = "(randn() * 1.5 + 4) * 10.*nS"
    P.gi = "(randn() * 12 + 20) * 10.*nS"

    spikes = SpikeMonitor(P)
    trace = StateMonitor(P, "v", record=[1, 10, 100])
    run(duration)

    seconds = float(duration / second)
    rate = spikes.num_spikes / len(P) / seconds
    cv = mean_isi_cv(spikes.spike_trains())
    print(f"{len(Ce) + len(Ci)} synapses; {spikes.num_spikes} spikes in {seconds:g} s: mean rate {rate:.2f} Hz, "
          f"mean ISI CV {cv:.2f}")
    if plot_file:
        figure()
        for k in range(3):
            plot(trace.t / ms, trace.v[k] / mV, label=f"neuron {trace.record[k]}")
        xlabel("Time (ms)")
        ylabel("v (mV)")
        legend()
        savefig(plot_file)
        print(f"membrane traces saved to {plot_file}")
    return rate, cv, spikes


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
