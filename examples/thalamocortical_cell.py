"""Rebound burst of a thalamocortical relay cell with a dendritic T-type calcium current (seed 003's model:
Destexhe, Neubig, Ulrich & Huguenard 1998, J. Neurosci. 18:3574, as in Brian 2's example
'frompapers/Destexhe_et_al_1998_full_morphology').

The cell is read from an SWC file. Seed 003 loads NeuroMorpho's 'tc200.CNG.swc', which simcore does not ship;
this example reads examples/data/tc_like.CNG.swc instead (a synthetic thalamocortical-like tree, 78
compartments, also simcore's SWC test data). Na and K channels (Traub-Miles kinetics) are in the soma only; the
T-type calcium current (Goldman-Hodgkin-Katz flux, written with exprel so that it is finite at v = 0) has a
five times higher permeability in the distal dendrites.

The protocol: a small holding current keeps the soma near -64 mV (the T-current inactivated, the cell silent); a
hyperpolarising current step (to about -86 mV for 200 ms) removes the inactivation; release. The de-inactivated
T-current then produces a low-threshold calcium spike with a burst of sodium spikes on top of it (about 45 ms
after the release: the membrane time constant Cm/gl is 23 ms); the somatic voltage is recorded and the burst's
spikes are counted.

Seed 003 writes the sodium activation rate with ``0.32*(mV**1)``, a unit error (examples/hh_model_check.py shows
it refused); the rates here are the published ones.

Run:  python examples/thalamocortical_cell.py   (saves thalamocortical_cell.png when matplotlib is installed)
"""
# ruff: noqa: F403, F405  (written as a Brian 2 user writes a script: everything from one star import)

from pathlib import Path

import numpy as np

from simcore import *

SWC_FILE = Path(__file__).resolve().parent / "data" / "tc_like.CNG.swc"

# Constants (the values of the published NEURON model; 34 degC)
EI = -76.5 * mV
ENa = 50 * mV
EK = -100 * mV
gl = 0.0379 * msiemens / cm**2
VT = -52 * mV
tadj_HH = 3.0 ** ((34 - 36) / 10.0)  # Na and K kinetics measured at 36 degC
tadj_T = 2.5 ** ((34 - 24) / 10.0)  # T-current kinetics measured at 24 degC
temperature = zero_celsius + 34 * kelvin
gamma = faraday_constant / (gas_constant * temperature)
Z_Ca = 2
Ca_i = 240 * nM
Ca_o = 2 * mM

eqs = Equations("""
Im = gl*(EI - v) - I_Na - I_K - I_T : amp/meter**2
I_inj : amp (point current)

# HH-type currents for spike initiation (Traub convention: rates of the shifted potential v2)
g_Na : siemens/meter**2
g_K : siemens/meter**2
I_Na = g_Na * m**3 * h * (v - ENa) : amp/meter**2
I_K = g_K * n**4 * (v - EK) : amp/meter**2
v2 = v - VT : volt
dm/dt = tadj_HH * (alpha_m*(1 - m) - beta_m*m) : 1
dh/dt = tadj_HH * (alpha_h*(1 - h) - beta_h*h) : 1
dn/dt = tadj_HH * (alpha_n*(1 - n) - beta_n*n) : 1
alpha_m = 1.28/exprel((13*mV - v2)/(4*mV))/ms : Hz
beta_m = 1.4/exprel((v2 - 40*mV)/(5*mV))/ms : Hz
alpha_h = 0.128*exp((17*mV - v2)/(18*mV))/ms : Hz
beta_h = 4/(1 + exp((40*mV - v2)/(5*mV)))/ms : Hz
alpha_n = 0.16/exprel((15*mV - v2)/(5*mV))/ms : Hz
beta_n = 0.5*exp((10*mV - v2)/(40*mV))/ms : Hz

# Low-threshold calcium current: permeability times the GHK flux term
I_T = P_Ca * m_T**2 * h_T * G_Ca : amp/meter**2
P_Ca : meter/second
G_Ca = Z_Ca*faraday_constant*(Ca_i - Ca_o*exp(-Z_Ca*gamma*v))/exprel(-Z_Ca*gamma*v) : coulomb/meter**3
dm_T/dt = (m_T_inf - m_T)/tau_m_T : 1
dh_T/dt = (h_T_inf - h_T)/tau_h_T : 1
m_T_inf = 1/(1 + exp(-(v/mV + 56)/6.2)) : 1
h_T_inf = 1/(1 + exp((v/mV + 80)/4)) : 1
tau_m_T = (0.612 + 1/(exp(-(v/mV + 131)/16.7) + exp((v/mV + 15.8)/18.2)))*ms/tadj_T : second
tau_h_T = (int(v < -81*mV)*exp((v/mV + 466)/66.6)
           + int(v >= -81*mV)*(28 + exp(-(v/mV + 21)/10.5)))*ms/tadj_T : second
""")


def main(settle=100 * ms, hyperpolarise=200 * ms, after=100 * ms, holding=10 * pA, step=-20 * pA,
         P_Ca_proximal=1.7e-5 * cm / second, P_Ca_distal=8.5e-5 * cm / second,
         plot_file: str | None = "thalamocortical_cell.png"):
    """Returns the spike times at the soma (ms after the release; negative: before it), the recorded times (ms)
    and the somatic voltage (mV)."""
    start_scope()
    defaultclock.dt = 0.01 * ms
    morpho = Morphology.from_file(str(SWC_FILE))
    neuron = SpatialNeuron(morpho, eqs, Cm=0.88 * uF / cm**2, Ri=173 * ohm * cm, method="exponential_euler")
    # a holding current keeps the cell near -64 mV, where the T-current is inactivated and the cell is silent
    neuron.v = -64 * mV
    neuron.main.I_inj = holding
    # Only the soma has Na/K channels
    neuron.main.g_Na = 100 * msiemens / cm**2
    neuron.main.g_K = 100 * msiemens / cm**2
    neuron.P_Ca = P_Ca_proximal
    # Distal dendrites
    neuron.P_Ca["(distance + length/2) > 11*um"] = P_Ca_distal
    neuron.m_T = "m_T_inf"
    neuron.h_T = "h_T_inf"
    mon = StateMonitor(neuron, ["v"], record=morpho[0])  # Record at soma

    run(settle)
    neuron.main.I_inj = holding + step  # hyperpolarise: the T-current's inactivation is removed
    run(hyperpolarise)
    neuron.main.I_inj = holding  # release
    run(after)

    t = np.asarray(mon.t / ms)
    v = np.asarray(mon.v[0] / mV)
    released = float((settle + hyperpolarise) / ms)
    crossings = np.flatnonzero((v[1:] > -20) & (v[:-1] <= -20)) + 1
    spikes = t[crossings] - released
    burst = spikes[spikes > 0]
    print(f"held at {v[t < float(settle / ms)][-1]:.1f} mV, hyperpolarised to {v.min():.1f} mV; "
          f"{np.sum(spikes <= 0)} spikes before the release")
    if len(burst):
        print(f"rebound burst: {len(burst)} spikes, the first {burst[0]:.1f} ms after the release, "
              f"{1000 * (len(burst) - 1) / max(burst[-1] - burst[0], 1e-9):.0f} Hz within the burst")
    else:
        print("no rebound burst")
    if plot_file:
        _plot(t, v, released, plot_file)
    return spikes, t, v


def _plot(t, v, released, filename):
    try:
        import matplotlib.pyplot as plt
    except ImportError:
        print("no plot: matplotlib is not installed (pip install 'simcore[plot]')")
        return
    plt.plot(t - released, v)
    plt.xlabel("time after the release (ms)")
    plt.ylabel("somatic v (mV)")
    plt.savefig(filename, dpi=100)
    print(f"voltage trace saved to {filename}")


if __name__ == "__main__":
    main()
