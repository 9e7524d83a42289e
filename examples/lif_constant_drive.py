"""Leaky integrate-and-fire neurons driven by constant inputs: firing rates against
the closed form, and a raster plot.

Each neuron gets its own drive v0 (a parameter); it fires regularly with period
refractory + tau*log(v0/(v0 - 1)) (rounded to the time step), and not at all for v0 <= 1.

Run:  python examples/lif_constant_drive.py   (saves lif_raster.png; plotting needs the [plot] extra)
"""

import math

import numpy as np

from simcore import NeuronGroup, SpikeMonitor, StateMonitor, ms, run, second, start_scope


def main(duration=1 * second, N=50, plot_file: str | None = "lif_raster.png"):
    start_scope()
    tau = 10 * ms  # noqa: F841 (the equations find it in this frame, as in Brian 2)
    eqs = """
    dv/dt = (v0 - v)/tau : 1 (unless refractory)
    v0 : 1 (constant)
    """
    group = NeuronGroup(N, eqs, threshold="v > 1", reset="v = 0", refractory=5 * ms, method="exact")
    group.v0 = "0.5 + 2.0*i/(N - 1)"
    spikes = SpikeMonitor(group)
    trace = StateMonitor(group, "v", record=[N - 1])
    run(duration)

    drives = group.v0_
    seconds = float(duration / second)
    dt = 0.1e-3
    measured = spikes.count / seconds
    predicted = np.array([_rate(v0, 0.01, 0.005, dt, seconds) for v0 in drives])
    print(f"{N} neurons, {spikes.num_spikes} spikes in {seconds:g} s")
    print(f"rates from {measured.min():.1f} to {measured.max():.1f} Hz; largest difference to the closed form "
          f"{np.abs(measured - predicted).max():.2f} Hz")
    if plot_file:
        _plot(spikes, trace, plot_file)
    return measured, predicted, trace


def _rate(v0, tau, refractory, dt, duration):
    """Spikes per second of the discretised closed form (see tests for the schedule)."""
    if v0 <= 1:
        return 0.0
    first = math.ceil(tau * math.log(v0 / (v0 - 1)) / dt) - 1
    period = int(round(refractory / dt)) + first
    steps = int(round(duration / dt))
    return (1 + (steps - 1 - first) // period) / duration if first < steps else 0.0


def _plot(spikes, trace, filename):
    """The raster and the last neuron's trace, drawn by brian_plot (units on the axes)."""
    import matplotlib.pyplot as plt

    from simcore.plotting import brian_plot

    figure, (top, bottom) = plt.subplots(2, 1, figsize=(7, 5))
    brian_plot(spikes, axes=top, color="k")
    brian_plot(trace, axes=bottom)
    bottom.set_xlim(0, 100)  # in ms, the axis' unit
    bottom.set_title("the neuron with the largest drive, first 100 ms")
    figure.tight_layout()
    figure.savefig(filename, dpi=90)
    plt.close(figure)
    print(f"raster plot saved to {filename}")


if __name__ == "__main__":
    main()
