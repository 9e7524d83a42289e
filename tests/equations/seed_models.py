"""Models from the seed documents (../shared/seeds), as users write them."""

LIF = """
dv/dt = (ge + gi - (v - El))/taum : volt (unless refractory)
dge/dt = -ge/taue : volt
dgi/dt = -gi/taui : volt
"""

# Seed 003: the 300x300 HH parameter sweep, written exactly as in the seed.
HH_SWEEP = """
dv/dt = (gl*(EI-v)- g_na*(m*m)*h*(v-ENa)- g_kd*(n*n*n*n)*(v-EK) + I)/Cm : volt
dm/dt = alpha_m*(1-m)-beta_m*m : 1
dn/dt = alpha_n*(1-n)-beta_n*n : 1
dh/dt = alpha_h*(1-h)-beta_h*h : 1
alpha_m = 0.32*(mV**1)*(13*mV-v+VT)/ (exp((13*mV-v+VT)/(4*mV))-1)/ms : Hz
beta_m = 0.28*(mV**1)*(v-VT-40*mV)/ (exp((v-VT-40*mV)/(5*mV))-1)/ms : Hz
alpha_h = 0.128*exp((17*mV-v+VT)/(18*mV))/ms : Hz
beta_h = 4./(1+exp((40*mV-v+VT)/(5*mV)))/ms : Hz
alpha_n = 0.032*(mV**1)*(15*mV-v+VT)/ (exp((15*mV-v+VT)/(5*mV))-1)/ms : Hz
beta_n = .5*exp((10*mV-v+VT)/(40*mV))/ms : Hz
I : amp (constant)
g_na : siemens (constant)
"""

# Seed 004 (HH network): note 'mV**-1', which makes the rate constants consistent.
HH_NETWORK = """
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

# Seed 001: a spatial neuron's currents, with an expression continued over three lines.
THALAMIC = """
Im = gl*(EI-v) - I_Na - I_K - I_T : amp/meter**2
I_inj : amp (point current)
g_Na : siemens/meter**2
I_Na = g_Na * m**3 * h * (v-ENa) : amp/meter**2
v2 = v - VT : volt # shifted membrane potential (Traub convention)
dm/dt = (0.32*(mV**1)*(13.*mV-v2)/
        (exp((13.*mV-v2)/(4.*mV))-1.)*(1-m)-0.28*(mV**1)*(v2-40.*mV)/
        (exp((v2-40.*mV)/(5.*mV))-1.)*m) / ms * tadj_HH : 1
"""

STDP = """
w : 1
dApre/dt = -Apre/taupre : 1 (event-driven)
dApost/dt = -Apost/taupost : 1 (event-driven)
"""

STDP_ON_PRE = """ge += w
                  Apre += dApre
                  w = clip(w+Apost, 0, gmax)"""

STDP_ON_POST = """Apost += dApost
                    w = clip(w+Apre, 0, gmax)"""

SYNFIRE = """
dV/dt=(-(V-Vr)+x)*(1./taum) : volt
dx/dt=(-x+y)*(1./taupsp) : volt
dy/dt=-y*(1./taupsp)+25.27*mV/ms+
(39.24*mV/ms**0.5)*xi : volt
"""

TOPOGRAPHIC_CONDITIONS = [
    "True",
    "i == j",
    "(i/N) == j",
    "abs((i - j + N/2)%N - N/2) == 1",
    "sqrt((x_pre-x_post)**2+(y_pre-y_post)**2) < 250*umeter",
    "i != j",
    "abs(i-j)>2 and abs(i-j) < 5",
    "abs(i-j) /(1.0*n_neurons)",
    "1.5 * exp(-((x_pre-x_post)**2 + (y_pre-y_post)**2)/(2*(60*umeter)**2))",
    "p_max*exp(-(x_pre-x_post)**2+(y_pre-y_post)**2) / (2*(125*umeter)**2)",
]
