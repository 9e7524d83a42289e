"""The Hodgkin-Huxley network model of the seeds: written as in Brian 2, parsed,
unit-checked against its constants, and printed back in canonical form.

Simulation arrives with the NeuronGroup and run loop (issue 3); this example shows
the first half of the pipeline, which every simulation goes through.

Run:  python examples/hh_model_check.py
"""

from simcore import DimensionMismatchError, Equations, cm, ms, msiemens, mV, nS, siemens, ufarad, umetre

# Parameters (seed 004)
area = 20000 * umetre**2
Cm = (1 * ufarad * cm**-2) * area
gl = (5e-5 * siemens * cm**-2) * area
El = -60 * mV
EK = -90 * mV
ENa = 50 * mV
g_na = (100 * msiemens * cm**-2) * area
g_kd = (30 * msiemens * cm**-2) * area
VT = -63 * mV
taue = 5 * ms
taui = 10 * ms
Ee = 0 * mV
Ei = -80 * mV
we = 6 * nS

MODEL = """
dv/dt = (gl*(El-v)+ge*(Ee-v)+gi*(Ei-v)-g_na*(m*m*m)*h*(v-ENa)-g_kd*(n*n*n*n)*(v-EK))/Cm : volt
dm/dt = alpham*(1-m)-betam*m : 1
dn/dt = alphan*(1-n)-betan*n : 1
dh/dt = alphah*(1-h)-betah*h : 1
dge/dt = -ge*(1./taue) : siemens
dgi/dt = -gi*(1./taui) : siemens
alpham = 0.32*(mV**-1)*(13*mV-v+VT)/(exp((13*mV-v+VT)/(4*mV))-1.)/ms : Hz
betam = 0.28*(mV**-1)*(v-VT-40*mV)/(exp((v-VT-40*mV)/(5*mV))-1)/ms : Hz
alphah = 0.128*exp((17*mV-v+VT)/(18*mV))/ms : Hz
betah = 4./(1+exp((40*mV-v+VT)/(5*mV)))/ms : Hz
alphan = 0.032*(mV**-1)*(15*mV-v+VT)/(exp((15*mV-v+VT)/(5*mV))-1.)/ms : Hz
betan = .5*exp((10*mV-v+VT)/(40*mV))/ms : Hz
"""


def main() -> tuple[Equations, str]:
    eqs = Equations(MODEL)
    namespace = {name: value for name, value in globals().items() if name in eqs.identifiers}
    eqs.check_units(namespace)
    print(f"{len(eqs)} equations: {len(eqs.diff_eq_names)} differential ({', '.join(eqs.diff_eq_names)}), "
          f"{len(eqs.subexpr_names)} subexpressions")
    print(f"constants taken from the script: {', '.join(sorted(namespace))}")
    print("canonical form:")
    print(eqs)
    # The same model with the typo of seed 003, '(mV**1)' for '(mV**-1)', is refused:
    broken = Equations(MODEL.replace("0.32*(mV**-1)", "0.32*(mV**1)"))
    try:
        broken.check_units(namespace)
    except DimensionMismatchError as error:
        message = str(error)
        print(f"\nrefused as expected:\n  {message}")
    else:
        raise AssertionError("the inconsistent model was accepted")
    return eqs, message


if __name__ == "__main__":
    main()
