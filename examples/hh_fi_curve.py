"""The f-I curve of a Hodgkin-Huxley neuron (Traub-Miles kinetics of the seeds' HH
network): one neuron per input current, firing rate against current.

The Traub-Miles neuron is a type-I-like model here: silent up to a rheobase, then its
rate grows with the current.

Run:  python examples/hh_fi_curve.py   (saves hh_fi_curve.png; plotting needs the [plot] extra)
"""

from simcore import (
    NeuronGroup,
    SpikeMonitor,
    cm,
    ms,
    msiemens,
    mV,
    nA,
    plot,
    run,
    savefig,
    second,
    siemens,
    start_scope,
    ufarad,
    umetre,
    xlabel,
    ylabel,
)

area = 20000 * umetre**2
Cm = (1 * ufarad * cm**-2) * area
gl = (5e-5 * siemens * cm**-2) * area
El = -65 * mV
EK = -90 * mV
ENa = 50 * mV
g_na = (100 * msiemens * cm**-2) * area
g_kd = (30 * msiemens * cm**-2) * area
VT = -63 * mV

MODEL = """
dv/dt = (gl*(El-v) - g_na*(m*m*m)*h*(v-ENa) - g_kd*(n*n*n*n)*(v-EK) + I)/Cm : volt
dm/dt = 0.32*(mV**-1)*(13.*mV-v+VT)/(exp((13.*mV-v+VT)/(4.*mV))-1.)/ms*(1-m)
        - 0.28*(mV**-1)*(v-VT-40.*mV)/(exp((v-VT-40.*mV)/(5.*mV))-1.)/ms*m : 1
dn/dt = 0.032*(mV**-1)*(15.*mV-v+VT)/(exp((15.*mV-v+VT)/(5.*mV))-1.)/ms*(1.-n)
        - .5*exp((10.*mV-v+VT)/(40.*mV))/ms*n : 1
dh/dt = 0.128*exp((17.*mV-v+VT)/(18.*mV))/ms*(1.-h) - 4./(1+exp((40.*mV-v+VT)/(5.*mV)))/ms*h : 1
I : amp (constant)
"""


def main(N=100, duration=1 * second, max_current=2 * nA, plot_file: str | None = "hh_fi_curve.png"):
    start_scope()
    neurons = NeuronGroup(N, MODEL, threshold="v > -20*mV", refractory=3 * ms, method="exponential_euler",
                          dt=0.01 * ms)
    neurons.v = El
    neurons.h = 1
    neurons.I = "max_current*i/(N - 1)"
    spikes = SpikeMonitor(neurons)
    run(duration)
    currents = neurons.I_ / 1e-9
    rates = spikes.count / float(duration / second)
    firing = rates > 0
    rheobase = currents[firing][0] if firing.any() else float("nan")
    print(f"rheobase about {rheobase:.2f} nA; {rates.max():.0f} Hz at {currents[-1]:.2f} nA")
    if plot_file:
        _plot(currents, rates, plot_file)
    return currents, rates


def _plot(currents, rates, filename):
    plot(currents, rates, ".-")
    xlabel("I (nA)")
    ylabel("rate (Hz)")
    savefig(filename, dpi=100)
    print(f"f-I curve saved to {filename}")

if __name__ == "__main__":
    main()
