"""Many neurons with a shape in one group: the f-I curve of a ball-and-stick neuron measured on 1000 copies at
once, each with its own injected current.

Brian 2's SpatialNeuron holds one neuron: an f-I curve there takes one run per current (or a rewrite of the
model as one tree). simcore's ``SpatialNeuron(morpho, model, N=1000)`` holds 1000 neurons with the same
morphology, each with its own state and parameters; compartment ``c`` of neuron ``k`` is element
``k*compartments + c``. The neurons are solved together, and each computes exactly what it would alone.

The neuron: a soma of 20 um with Hodgkin-Huxley channels (Traub-Miles kinetics) and a passive dendrite of
500 um in 99 compartments. Spikes are detected at the soma (``threshold_location``).

Run:  python examples/many_cells.py   (about a minute on 2 cores; saves many_cells.png when matplotlib is
      installed)
"""
# ruff: noqa: F403, F405  (written as a Brian 2 user writes a script: everything from one star import)

import numpy as np

from simcore import *

EL = -65 * mV
ENa = 50 * mV
EK = -90 * mV
VT = -63 * mV

eqs = """
Im = gL*(EL - v) - g_Na*m**3*h*(v - ENa) - g_K*n**4*(v - EK) : amp/meter**2
I_inj : amp (point current)
gL : siemens/meter**2 (constant)
g_Na : siemens/meter**2 (constant)
g_K : siemens/meter**2 (constant)
dm/dt = 1.28/exprel((13*mV - v + VT)/(4*mV))/ms*(1 - m) - 1.4/exprel((v - VT - 40*mV)/(5*mV))/ms*m : 1
dn/dt = 0.16/exprel((15*mV - v + VT)/(5*mV))/ms*(1 - n) - 0.5*exp((10*mV - v + VT)/(40*mV))/ms*n : 1
dh/dt = 0.128*exp((17*mV - v + VT)/(18*mV))/ms*(1 - h) - 4/(1 + exp((40*mV - v + VT)/(5*mV)))/ms*h : 1
"""


def ball_and_stick():
    """The morphology shared by every neuron: 100 compartments."""
    morpho = Soma(diameter=20 * um)
    morpho.dendrite = Cylinder(length=500 * um, diameter=1 * um, n=99)
    return morpho


def make_neurons(currents):
    """One ball-and-stick neuron per current (amp), the current injected into its soma, spikes recorded there."""
    morpho = ball_and_stick()
    N = len(currents)
    neurons = SpatialNeuron(morpho, eqs, N=N, Cm=1 * uF / cm**2, Ri=100 * ohm * cm, method="exponential_euler",
                            threshold="v > -20*mV", threshold_location=0, refractory="v > -20*mV")
    C = morpho.total_compartments
    # the soma of every neuron at once (neurons[k].main is neuron k's soma alone)
    somata = np.arange(N) * C + morpho.indices[0]
    neurons.v = EL
    neurons.h = 1
    neurons.gL = 5e-5 * siemens / cm**2
    neurons.g_Na[somata] = 100 * msiemens / cm**2  # Na and K channels in the somata only
    neurons.g_K[somata] = 30 * msiemens / cm**2
    neurons.I_inj[somata] = currents
    return neurons, SpikeMonitor(neurons)


def simulate(currents, duration):
    """Runs one group of ``len(currents)`` neurons; returns the rates (Hz), the SpikeMonitor and the group."""
    start_scope()
    defaultclock.dt = 0.025 * ms
    neurons, spikes = make_neurons(currents)
    run(duration)
    counts = np.bincount(np.asarray(spikes.i) // neurons.compartments, minlength=len(currents))
    return counts / float(duration / second), spikes, neurons


def main(N=1000, duration=200 * ms, max_current=0.1 * nA, plot_file: str | None = "many_cells.png"):
    """Returns the currents (nA), the rates (Hz), the SpikeMonitor (``i``: the soma's element, k*100) and the
    group."""
    currents = max_current * np.linspace(0, 1, N)
    rates, spikes, neurons = simulate(currents, duration)
    nA_values = np.asarray(currents / nA)
    firing = rates > 0
    print(f"{N} neurons of {neurons.compartments} compartments in one group, {duration / ms:g} ms")
    if firing.any():
        below = nA_values[~firing].max() if (~firing).any() else 0
        print(f"rheobase between {below:.4f} and {nA_values[firing][0]:.4f} nA; {rates.max():.0f} Hz at "
              f"{nA_values[-1]:.3f} nA")
    for k in np.linspace(0, N - 1, min(N, 11)).astype(int):
        print(f"  I = {nA_values[k]:.4f} nA: {rates[k]:6.1f} Hz")
    if plot_file:
        _plot(nA_values, rates, plot_file)
    return nA_values, rates, spikes, neurons


def _plot(currents, rates, filename):
    try:
        import matplotlib.pyplot as plt
    except ImportError:
        print("no plot: matplotlib is not installed (pip install 'simcore[plot]')")
        return
    plt.plot(currents, rates, ".-")
    plt.xlabel("I (nA)")
    plt.ylabel("rate (Hz)")
    plt.savefig(filename, dpi=100)
    print(f"f-I curve saved to {filename}")


if __name__ == "__main__":
    main()
