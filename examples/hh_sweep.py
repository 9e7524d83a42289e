"""The Hodgkin-Huxley parameter sweep of seed 003: 300 x 300 neurons, each with its
own sodium conductance and input current, one second of activity, firing rates as a map.

Two typos of the seed (lost minus signs in ``(mV**-1)`` and ``cm**-2``) are corrected:
with them the model has inconsistent units, which simcore refuses. The input range is
0-20 nA (with pA, as the seed prints it, the input hardly matters), and the time step
0.01 ms, as in the benchmark the seed reports (at 0.1 ms exponential Euler misses the
depolarisation block of low-sodium neurons at strong input).

Run:  python examples/hh_sweep.py   (saves hh_sweep.png; plotting needs the [plot] extra)
"""

import numpy as np

from simcore import (
    Equations,
    NeuronGroup,
    SpikeMonitor,
    cm,
    colorbar,
    imshow,
    ms,
    msiemens,
    mV,
    nA,
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
EI = -60 * mV
EK = -90 * mV
ENa = 50 * mV
g_kd = (30 * msiemens * cm**-2) * area
VT = -63 * mV

EQUATIONS = Equations("""
dv/dt = (gl*(EI-v)- g_na*(m*m)*h*(v-ENa)- g_kd*(n*n*n*n)*(v-EK) + I)/Cm : volt
dm/dt = alpha_m*(1-m)-beta_m*m : 1
dn/dt = alpha_n*(1-n)-beta_n*n : 1
dh/dt = alpha_h*(1-h)-beta_h*h : 1
alpha_m = 0.32*(mV**-1)*(13*mV-v+VT)/ (exp((13*mV-v+VT)/(4*mV))-1)/ms : Hz
beta_m = 0.28*(mV**-1)*(v-VT-40*mV)/ (exp((v-VT-40*mV)/(5*mV))-1)/ms : Hz
alpha_h = 0.128*exp((17*mV-v+VT)/(18*mV))/ms : Hz
beta_h = 4./(1+exp((40*mV-v+VT)/(5*mV)))/ms : Hz
alpha_n = 0.032*(mV**-1)*(15*mV-v+VT)/ (exp((15*mV-v+VT)/(5*mV))-1)/ms : Hz
beta_n = .5*exp((10*mV-v+VT)/(40*mV))/ms : Hz
I : amp (constant)
g_na : siemens (constant)
""")


def main(n_values=300, duration=1 * second, plot_file: str | None = "hh_sweep.png"):
    start_scope()
    g_na_values, I_values = np.linspace(10, 100, num=n_values), np.linspace(0, 20, num=n_values)
    neuron = NeuronGroup(len(g_na_values) * len(I_values), EQUATIONS, method="exponential_euler",
                         threshold="v>-20*mV", refractory="v>-20*mV", dt=0.01 * ms)
    neuron.v = EI
    spike_mon = SpikeMonitor(neuron)
    all_g_na_values, all_I_values = np.meshgrid(g_na_values, I_values)
    all_g_na_values, all_I_values = all_g_na_values.flat[:], all_I_values.flat[:]
    neuron.g_na, neuron.I = all_g_na_values * msiemens * cm**-2 * area, all_I_values * nA
    run(duration)
    rates = (spike_mon.count / float(duration / second)).reshape(n_values, n_values)
    print(f"{len(neuron)} neurons, {spike_mon.num_spikes} spikes; rate range {rates.min():.0f}-{rates.max():.0f} Hz")
    if plot_file:
        _plot(rates, g_na_values, I_values, plot_file)
    return rates, g_na_values, I_values


def _plot(rates, g_na_values, I_values, filename):
    imshow(rates, origin="lower", aspect="auto", extent=(g_na_values[0], g_na_values[-1], I_values[0], I_values[-1]))
    xlabel("g_Na (mS/cm^2)")
    ylabel("I (nA)")
    colorbar(label="rate (Hz)")
    savefig(filename, dpi=100)
    print(f"rate map saved to {filename}")

if __name__ == "__main__":
    main()
