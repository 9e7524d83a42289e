"""A population of Ornstein-Uhlenbeck membranes: dv/dt = (El - v)/tau + sigma*sqrt(2/tau)*xi.

Its stationary standard deviation is sigma (exactly sigma/sqrt(1 - dt/(2 tau)) for the
Euler-Maruyama scheme); the example measures it across neurons and time.

Run:  python examples/noisy_lif_population.py
"""

import numpy as np

from simcore import NeuronGroup, StateMonitor, ms, mV, run, seed, start_scope


def main(N=2000, duration=200 * ms, sigma=2 * mV, tau=10 * ms):
    start_scope()
    seed(2024)
    El = -65 * mV
    group = NeuronGroup(N, "dv/dt = (El - v)/tau + sigma*sqrt(2/tau)*xi : volt", method="euler")
    group.v = El
    trace = StateMonitor(group, "v", record=True, dt=1 * ms)
    run(duration)
    settled = trace.v_[:, trace.t_ >= 5 * float(tau / ms) * 1e-3]
    measured = float(np.std(settled))
    dt_over_tau = 0.1 / float(tau / ms)
    expected = float(sigma / mV) * 1e-3 / np.sqrt(1 - dt_over_tau / 2)
    print(f"stationary std of v: {measured * 1e3:.3f} mV (expected {expected * 1e3:.3f} mV), "
          f"mean {np.mean(settled) * 1e3:.2f} mV")
    return measured, expected, float(np.mean(settled))


if __name__ == "__main__":
    main()
