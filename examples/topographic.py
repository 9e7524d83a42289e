"""A topographic map (the seeds' Brian 1 script in Brian 2 syntax): two layers of 100
neurons. The first layer is a PoissonGroup in which only the 20 central neurons fire
(30 Hz). It projects to the second layer, a layer of leaky integrate-and-fire neurons
with an exponential synaptic current, through random connections (probability 0.5)
whose weights fall off with the distance |i - j| between the two neurons' positions;
the second layer also has random lateral connections (probability 0.5) with weights
that fall off more slowly. The activity of the input is mapped onto the same place in
the second layer: its central neurons fire, the distant ones stay silent.

The Brian 1 script sends both projections to the first state variable, v.

For reference, Brian 2.9.0 on the same script (1 s, seeds 1 to 20) gave a mean rate of
14.1 Hz (range 7.6-19.8 Hz) for the 20 central neurons of layer 2 (40-59), 1.1 Hz for
neurons 30-39 and 60-69 and no spike at all in the outer 20 on either side; simcore
(seeds 1 to 20): 13.0 Hz (7.7-20.8 Hz), 1.0 Hz, none.

Run:  python examples/topographic.py   (saves topographic.png; plotting needs the [plot] extra)
"""

# ruff: noqa: F841  (the model's constants are locals that run() finds by name in this frame, as in Brian 2)

import numpy as np

from simcore import (
    Hz,
    NeuronGroup,
    PoissonGroup,
    SpikeMonitor,
    Synapses,
    figure,
    imshow,
    ms,
    mV,
    plot,
    run,
    savefig,
    second,
    seed,
    start_scope,
    subplot,
    tight_layout,
    title,
    xlabel,
    ylabel,
)


def main(duration=1 * second, random_seed: int = 1, plot_file: str | None = "topographic.png"):
    start_scope()
    seed(random_seed)
    N = 100
    tau = 10 * ms
    tau_e = 2 * ms  # AMPA synapse
    eqs = """
    dv/dt = (I-v)/tau : volt
    dI/dt = -I/tau_e : volt
    """
    rates = np.zeros(N) * Hz
    rates[N // 2 - 10:N // 2 + 10] = 30 * Hz
    layer1 = PoissonGroup(N, rates=rates)
    layer2 = NeuronGroup(N, eqs, threshold="v>10*mV", reset="v=0*mV", method="exact")
    # weights fall off with the distance between the positions i and j of the two neurons
    feedforward = Synapses(layer1, layer2, "w : volt", on_pre="v += w")
    feedforward.connect(p=0.5)
    feedforward.w = "exp(-abs(i-j)*.1)*3*mV"
    recurrent = Synapses(layer2, layer2, "w : volt", on_pre="v += w")
    recurrent.connect(p=0.5)
    recurrent.w = "exp(-abs(i-j)*.05)*0.5*mV"
    spikes = SpikeMonitor(layer2)
    run(duration)

    seconds = float(duration / second)
    rates2 = np.asarray(spikes.count) / seconds
    print(f"{len(feedforward)} feedforward and {len(recurrent)} lateral synapses; layer 2 fires "
          f"{spikes.num_spikes} spikes in {seconds:g} s: {rates2[40:60].mean():.1f} Hz in its centre (neurons 40-59), "
          f"{rates2[:20].mean() + rates2[80:].mean():.2f} Hz in its outer fifths")
    if plot_file:
        figure()
        subplot(211)
        plot(spikes.t / ms, spikes.i, ".")
        xlabel("Time (ms)")
        ylabel("Layer 2 neuron")
        for k, (synapses, name) in enumerate(((feedforward, "Feedforward"), (recurrent, "Recurrent"))):
            subplot(223 + k)
            W = np.zeros((N, N))
            W[np.asarray(synapses.i), np.asarray(synapses.j)] = np.asarray(synapses.w / mV)
            imshow(W, interpolation="nearest", origin="lower")
            title(f"{name} weights (pre i, post j)")
            xlabel("j")
            ylabel("i")
        tight_layout()
        savefig(plot_file)
        print(f"raster plot and weights saved to {plot_file}")
    return rates2, feedforward, recurrent


if __name__ == "__main__":
    main()
