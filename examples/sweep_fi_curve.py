"""An f-I curve as a parameter sweep: one small network per drive and refractory period, each run in a worker
process of a local Dask cluster (``sweep``), the firing periods against the leaky integrate-and-fire formula.

Run it as a script (the ``__main__`` guard is needed: Dask starts its worker processes by importing this file
again, and the guard keeps them from starting a sweep of their own)."""

import numpy as np

from simcore import NeuronGroup, SpikeMonitor, ms, mV, run, sweep

TAU = 10 * ms
THRESHOLD = 15 * mV


def firing(drive, refractory):
    """The period of a LIF neuron under a constant drive (the interval between its first two spikes)."""
    group = NeuronGroup(1, "dv/dt = (drive - v)/TAU : volt (unless refractory)", threshold="v > THRESHOLD",
                        reset="v = 0*mV", refractory=refractory, method="exact")
    spikes = SpikeMonitor(group)
    run(100 * ms)
    times = spikes.t_
    return {"spikes": len(times), "period": times[1] - times[0] if len(times) > 1 else np.nan}


def predicted_period(drive: float, refractory: float) -> float:
    """Refractory period + the time to charge from 0 to the threshold, in seconds (volts and seconds in)."""
    return refractory + float(TAU / ms) * 1e-3 * np.log(drive / (drive - float(THRESHOLD / mV) * 1e-3))


def main(drives=(16, 20, 30, 50), refractories=(2, 5), workers=2, output=None):
    result = sweep(firing, {"drive": [d * mV for d in drives], "refractory": [r * ms for r in refractories]},
                   workers=workers, output=output, progress=False)
    table = result.table
    table["predicted"] = [predicted_period(d, r) for d, r in zip(table["drive"], table["refractory"], strict=True)]
    return table


if __name__ == "__main__":
    table = main()
    print(table[["drive", "refractory", "spikes", "period", "predicted", "seconds"]].to_string())
    worst = np.max(np.abs(table["period"] - table["predicted"]))
    print(f"largest difference from the formula: {worst * 1e3:.3f} ms (the time step is 0.1 ms)")
