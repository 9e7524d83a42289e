"""A sparsely connected network of inhibitory integrate-and-fire neurons (Brunel & Hakim
1999, Neural Computation 11: 1621-1671; the seeds' Brian 1 script in Brian 2 syntax).

5000 neurons, each receiving on average 1000 inhibitory synapses (J = 0.1 mV, 2 ms
delay), are driven by a noisy external input above threshold. Single neurons fire
irregularly at low rates, but the population rate oscillates fast: the neurons are
weakly synchronised. The script measures the mean single-neuron rate and the frequency
of the peak of the population rate's power spectrum (after a 50 ms transient).

For reference, Brian 2.9.0 on the same script (0.3 s, seeds 1 to 6) gave a mean rate of
3.43-3.46 Hz, a spectral peak at 132-140 Hz (4 Hz resolution) and 66-68 % of the power
(up to 1 kHz) between 100 and 180 Hz; simcore, seeds 1 to 6: 3.42-3.47 Hz, 136-140 Hz,
65-69 %.

Run:  python examples/brunel_hakim.py   (saves brunel_hakim.png; plotting needs the [plot] extra)
"""

# ruff: noqa: F841  (the model's constants are locals that run() finds by name in this frame, as in Brian 2)

import numpy as np

from simcore import (
    Hz,
    NeuronGroup,
    PopulationRateMonitor,
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
    subplot,
    tight_layout,
    xlabel,
    ylabel,
)


def main(duration=0.3 * second, N: int = 5000, random_seed: int = 1, plot_file: str | None = "brunel_hakim.png"):
    start_scope()
    seed(random_seed)
    Vr = 10 * mV
    theta = 20 * mV
    tau = 20 * ms
    delta = 2 * ms
    taurefr = 2 * ms
    C = 1000  # mean number of presynaptic neurons (the sparseness is C/N)
    sparseness = float(C) / N
    J = 0.1 * mV
    muext = 25 * mV
    sigmaext = 1 * mV

    eqs = "dV/dt = (-V + muext + sigmaext*sqrt(tau)*xi)/tau : volt"
    group = NeuronGroup(N, eqs, threshold="V > theta", reset="V = Vr", refractory=taurefr, method="euler")
    group.V = Vr
    conn = Synapses(group, group, on_pre="V += -J", delay=delta)
    conn.connect(p=sparseness)
    spikes = SpikeMonitor(group)
    population = PopulationRateMonitor(group)
    run(duration)

    seconds = float(duration / second)
    rate = spikes.num_spikes / N / seconds
    frequencies, power = rate_spectrum(population, skip=50 * ms)
    peak = float(frequencies[np.argmax(power)])
    print(f"{len(conn)} synapses; {spikes.num_spikes} spikes in {seconds:g} s: mean rate {rate:.2f} Hz; "
          f"population rate spectrum peaks at {peak:.0f} Hz")
    if plot_file:
        figure()
        subplot(311)
        plot(spikes.t / ms, spikes.i, ".", markersize=1)
        ylabel("Neuron index")
        subplot(312)
        plot(population.t / ms, population.smooth_rate(width=0.5 * ms) / Hz)
        xlabel("Time (ms)")
        ylabel("Rate (Hz)")
        subplot(313)
        plot(frequencies, power)
        xlabel("Frequency (Hz)")
        ylabel("Power")
        tight_layout()
        savefig(plot_file)
        print(f"raster, population rate and spectrum saved to {plot_file}")
    return rate, peak, spikes, population


def rate_spectrum(population, skip):
    """Frequencies (Hz, up to 1 kHz) and power of the population rate after `skip`, mean removed."""
    rates = np.asarray(population.rate / Hz)[np.asarray(population.t / ms) >= float(skip / ms)]
    dt = float((population.t[1] - population.t[0]) / second)
    power = np.abs(np.fft.rfft(rates - rates.mean())) ** 2
    frequencies = np.fft.rfftfreq(len(rates), dt)
    keep = (frequencies > 0) & (frequencies <= 1000)
    return frequencies[keep], power[keep]


if __name__ == "__main__":
    main()
