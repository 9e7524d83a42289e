"""A synfire chain (Diesmann, Gewaltig & Aertsen 1999, Nature 402: 529-533; the seeds'
Brian 1 script in Brian 2 syntax).

Ten layers of 100 noisy integrate-and-fire neurons with alpha-shaped synaptic currents;
every neuron of a layer excites every neuron of the next one. A volley of `n_input`
spikes, spread in time with standard deviation `sigma` around 50 ms, is sent to all
neurons of the first layer. A strong volley (85 spikes, 1 ms) starts a packet of
synchronous spikes that travels along the whole chain, layer after layer; a weak one
(here 40 spikes) dies out after a few layers. The script reports, per layer, how many
of its neurons fired in the packet and the packet's mean time and spread.

For reference, Brian 2.9.0 on the same script: with 85 input spikes (seeds 1 to 3)
89-100 neurons of every layer fire in the packet, 0.45-0.66 ms after those of the layer
before (layer 0 at 50.7-50.9 ms, layer 9 at 55.55-55.64 ms); with 40 input spikes (mean
over seeds 100 to 139) 31.4, 20.5, 10.4, 6.5, 4.4 neurons of layers 0 to 4 fire near the
packet's time, then about 3 (the spontaneous activity). simcore gives the same: 90-100
neurons, layer 9 at 55.44-55.67 ms (seeds 1 to 6), and 32.4, 19.2, 9.7, 6.2, 4.1, then
about 3 (seeds 100 to 139). With the noise switched off and the same initial potentials,
the two give the same spikes, spike for spike.

Run:  python examples/synfire.py   (saves synfire_raster.png; plotting needs the [plot] extra)
"""

# ruff: noqa: F841  (the model's constants are locals that run() finds by name in this frame, as in Brian 2)

import numpy as np

from simcore import (
    Equations,
    NeuronGroup,
    SpikeGeneratorGroup,
    SpikeMonitor,
    Synapses,
    figure,
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


def main(n_input: int = 85, sigma=1 * ms, duration=100 * ms, random_seed: int = 1,
         plot_file: str | None = "synfire_raster.png"):
    start_scope()
    seed(random_seed)
    np.random.seed(random_seed)
    Vr = -70 * mV
    Vt = -55 * mV
    taum = 10 * ms
    taupsp = 0.325 * ms
    weight = 4.86 * mV
    eqs = Equations("""
    dV/dt = (-(V-Vr)+x)*(1./taum) : volt
    dx/dt = (-x+y)*(1./taupsp) : volt
    dy/dt = -y*(1./taupsp)+25.27*mV/ms+(39.24*mV/ms**0.5)*xi : volt
    """)
    n_layers = 10
    layer_size = 100
    P = NeuronGroup(n_layers * layer_size, eqs, threshold="V>Vt", reset="V=Vr", refractory=1 * ms,
                    method="euler")
    P.V = "Vr + rand()*(Vt - Vr)"
    # the input volley: n_input spikes at normally distributed times around 50 ms
    volley = SpikeGeneratorGroup(n_input, np.arange(n_input), np.random.randn(n_input) * sigma + 50 * ms)
    # every neuron of layer k excites every neuron of layer k + 1
    chain = Synapses(P, P, on_pre="y += weight")
    chain.connect(j="k for k in range((i//layer_size + 1)*layer_size, (i//layer_size + 2)*layer_size) "
                    "if i < N_pre - layer_size")
    feed = Synapses(volley, P[:layer_size], on_pre="y += weight")
    feed.connect()
    spikes = SpikeMonitor(P)
    run(duration)

    counts, times, spreads = packet(spikes, n_layers, layer_size, start=float(40 * ms / second))
    print(f"input volley of {n_input} spikes (sigma {float(sigma / ms):g} ms); {len(chain)} synapses in the chain")
    for k in range(n_layers):
        where = f"at {times[k] * 1000:6.2f} ms, spread {spreads[k] * 1000:.2f} ms" if counts[k] else ""
        print(f"layer {k}: {counts[k]:3d} neurons fired {where}")
    if plot_file:
        figure()
        plot(spikes.t / ms, spikes.i, ".", markersize=2)
        xlabel("Time (ms)")
        ylabel("Neuron index (layer = index // 100)")
        savefig(plot_file)
        print(f"raster plot saved to {plot_file}")
    return counts, times, spreads


def packet(spikes, n_layers: int, layer_size: int, start: float, window: float = 0.003):
    """Per layer: how many of its neurons fired within `window` (seconds) of the median time of the layer's
    spikes after `start`, and the mean and standard deviation of those spike times. The spontaneous rate is
    low (a few spikes per layer in the whole run), so a packet stands out; without one, few neurons count."""
    t = np.asarray(spikes.t / second)
    i = np.asarray(spikes.i)
    counts, times, spreads = np.zeros(n_layers, dtype=int), np.full(n_layers, np.nan), np.full(n_layers, np.nan)
    for k in range(n_layers):
        mine = (i // layer_size == k) & (t >= start)
        if not mine.any():
            continue
        near = mine & (abs(t - np.median(t[mine])) <= window)
        if not near.any():
            continue
        counts[k] = len(np.unique(i[near]))
        times[k], spreads[k] = t[near].mean(), t[near].std()
    return counts, times, spreads


if __name__ == "__main__":
    main()
