"""Benchmark of networks with synapses (issue 4); prints JSON.

Models (dt = 0.1 ms, the default of both simulators; a SpikeMonitor on every group):

- ``cuba``: the current-based network of Brian 2's ``CUBAFixedConnectivity`` benchmark (Brette et
  al. 2007, benchmark 2): N integrate-and-fire neurons, 80 % excitatory, exponential currents,
  refractory 5 ms, method ``exact``. Fixed in-degree: every neuron receives K synapses, 0.8 K from
  excitatory and 0.2 K from inhibitory neurons drawn at random. The weights of the 4,000-neuron,
  p = 2 % original (K = 80: 1.62 mV and -9 mV) times 80/K, so every size sees the same input per
  neuron and stays in the asynchronous irregular regime (about 5 Hz).
- ``cobahh``: Brette et al. 2007 benchmark 3 (Brian 2's ``COBAHHFixedConnectivity``): Hodgkin-Huxley
  neurons with conductance-based exponential synapses, method ``exponential_euler``, refractory 3 ms;
  the same fixed in-degree connectivity; weights 6 nS and 67 nS times 80/K (the same mean
  conductance at every K).
- ``stdp``: Song, Miller & Abbott 2000, as in Brian 2's ``STDP`` benchmark: ``--stdp-inputs`` Poisson
  inputs at 15 Hz, all onto one integrate-and-fire neuron, through synapses with event-driven
  pre- and postsynaptic traces and weights clipped to [0, gmax].

The connectivity (index arrays, in the order generated: by postsynaptic neuron) and the initial
values (membrane potentials, conductances, weights) are drawn with numpy once per configuration,
saved to a file, and loaded by every process, so that both simulators simulate the same network;
the models use no random numbers except the Poisson inputs of ``stdp`` (``seed`` fixed in both, but
the two simulators' streams differ, so stdp's spikes agree only statistically).

Every configuration runs in new processes (clean numba thread pool and caches). For simcore and each
thread count (``SIMCORE_NUM_THREADS``): ``cold``, a process with an empty ``SIMCORE_CACHE_DIR`` that
only builds, and ``warm``, a second process with the same folder that builds and runs ``--repeat``
times. For Brian 2 (when a Python that imports ``brian2`` is found: this interpreter, else
``--brian-python`` or ``$BRIAN2_PYTHON``): the same script in ``cpp_standalone`` mode, a fresh
project folder, ``openmp_threads`` = the thread count, the binary run ``--repeat`` times.
Both run ``run(10*dt)`` (the build) and then ``run(duration)`` (timed).

Figures (per process; bench/README.md says more):

- ``connect_s``: the ``connect(i=..., j=...)`` calls. simcore: their wall time. Brian 2:
  ``connect_python_s`` (recording the arrays for the binary) + ``connect_binary_s`` (creating the
  synapses inside the binary, timed by clock marks put into its ``main``).
- ``build_s``: simcore: wall time of the first ``run(10*dt)`` (code generation, compilation or cache
  load, the propagation structures, 10 steps); Brian 2: code generation and compilation (the wall time
  of everything but the binary); ``binary_outside_run_s`` = the binary's wall time less the timed run
  (loading arrays, creating synapses, spike queues, the 10 steps, writing results).
- ``run_s``: simcore: wall time of each ``run(duration)``; Brian 2: its own timing of the loop
  (``device._last_run_time``). ``run_s_min``: the minimum over the samples.
- ``synaptic_events``: sum over pathways of spikes of the source in the timed run times their
  out-degree; ``synaptic_events_per_s`` = events / run time of the fastest sample.
- ``spikes``, ``rates_hz``: per population, in the (first) timed run.
- memory: ``peak_rss_bytes`` (simcore: the worker process, peak counted from just before the network
  is built; Brian 2: the binary), ``rss_before_network_bytes`` (simcore: after ``import simcore``,
  before loading the arrays; Brian 2: the binary before ``brian_start()``), ``bytes_per_synapse`` =
  (peak - before) / synapses (the index arrays given to ``connect``, neuron state and monitors included);
  simcore's ``synapse_arrays_bytes_per_synapse``: its synaptic arrays (indices, variables, delays,
  propagation structures) / synapses. ``marginal_bytes_per_synapse`` (both simulators, per model and
  in-degree): the growth of (peak - before) from one size to the next, per added synapse. Fixed costs
  cancel in it (simcore's ~40 MB of compiled-code runtime, which dominates ``bytes_per_synapse`` at
  4,000 neurons); it is the figure the memory target is checked against.
- ``comparison``: ``brian2_over_simcore_*`` = Brian 2's figure / simcore's at the same thread count
  (> 1: simcore faster or smaller) and both simulators' spikes.

Run:  python bench/networks.py [--quick] [--models cuba cobahh stdp] [--sizes N ...] [--in-degrees K ...]
                               [--duration S] [--stdp-inputs N] [--threads 1 2] [--repeat R]
                               [--no-brian2] [--brian-python PATH]
"""

from __future__ import annotations

import argparse
import itertools
import os
import shutil
import sys
import tempfile
import time

import harness

DT = 1e-4  # seconds: the default time step of both simulators
BUILD_STEPS = 10
SEED = 1
REFERENCE_IN_DEGREE = 80  # of the 4,000-neuron networks with p = 2 % whose weights are the reference

DEFAULTS = {
    "cuba": {"sizes": [4000, 40000, 400000], "in_degrees": [80], "duration": 1.0},
    "cobahh": {"sizes": [4000, 40000], "in_degrees": [80, 1000], "duration": 1.0},
    "stdp": {"sizes": [1000], "in_degrees": [None], "duration": 10.0},
}
QUICK = {
    "cuba": {"sizes": [4000], "in_degrees": [80], "duration": 0.2},
    "cobahh": {"sizes": [4000], "in_degrees": [80, 1000], "duration": 0.02},
    "stdp": {"sizes": [1000], "in_degrees": [None], "duration": 1.0},
}

CUBA_EQUATIONS = """
dv/dt  = (ge+gi-(v-El))/taum : volt (unless refractory)
dge/dt = -ge/taue : volt (unless refractory)
dgi/dt = -gi/taui : volt (unless refractory)
"""

COBAHH_EQUATIONS = """
dv/dt = (gl*(El-v)+ge*(Ee-v)+gi*(Ei-v)-g_na*(m*m*m)*h*(v-ENa)-g_kd*(n*n*n*n)*(v-EK))/Cm : volt
dm/dt = alpha_m*(1-m)-beta_m*m : 1
dn/dt = alpha_n*(1-n)-beta_n*n : 1
dh/dt = alpha_h*(1-h)-beta_h*h : 1
dge/dt = -ge*(1./taue) : siemens
dgi/dt = -gi*(1./taui) : siemens
alpha_m = 0.32*(mV**-1)*(13*mV-v+VT)/(exp((13*mV-v+VT)/(4*mV))-1.)/ms : Hz
beta_m = 0.28*(mV**-1)*(v-VT-40*mV)/(exp((v-VT-40*mV)/(5*mV))-1)/ms : Hz
alpha_h = 0.128*exp((17*mV-v+VT)/(18*mV))/ms : Hz
beta_h = 4./(1+exp((40*mV-v+VT)/(5*mV)))/ms : Hz
alpha_n = 0.032*(mV**-1)*(15*mV-v+VT)/(exp((15*mV-v+VT)/(5*mV))-1.)/ms : Hz
beta_n = .5*exp((10*mV-v+VT)/(40*mV))/ms : Hz
"""

STDP_NEURON = """
dv/dt = (ge * (Ee-vr) + El - v) / taum : volt
dge/dt = -ge / taue : 1
"""

STDP_SYNAPSES = """
w : 1
dApre/dt = -Apre / taupre : 1 (event-driven)
dApost/dt = -Apost / taupost : 1 (event-driven)
"""
STDP_ON_PRE = """
ge += w
Apre += dApre
w = clip(w + Apost, 0, gmax)
"""
STDP_ON_POST = """
Apost += dApost
w = clip(w + Apre, 0, gmax)
"""
STDP_GMAX = 0.01


# --- the networks, written once for both simulators ---------------------------------------
def make_data(model: str, n: int, k: int | None, path: str) -> int:
    """Draw the connectivity and initial values of a configuration and save them to ``path`` (.npz);
    returns the number of synapses."""
    import numpy as np

    rng = np.random.default_rng(SEED)
    if model == "stdp":
        data = {"pre": np.arange(n, dtype=np.int32), "post": np.zeros(n, dtype=np.int32),
                "w": rng.random(n) * STDP_GMAX}
    else:
        ne, ke = int(0.8 * n), int(round(0.8 * k))
        data = {"pre_e": rng.integers(0, ne, size=n * ke, dtype=np.int32),  # indices in the excitatory group
                "post_e": np.repeat(np.arange(n, dtype=np.int32), ke),
                "pre_i": rng.integers(0, n - ne, size=n * (k - ke), dtype=np.int32),  # in the inhibitory one
                "post_i": np.repeat(np.arange(n, dtype=np.int32), k - ke)}
        if model == "cuba":
            data["v"] = -60e-3 + 10e-3 * rng.random(n)  # Vr + rand()*(Vt - Vr)
        else:
            data["v"] = -60e-3 + (rng.standard_normal(n) * 5 - 5) * 1e-3  # El + (randn()*5 - 5)*mV
            data["ge"] = (rng.standard_normal(n) * 1.5 + 4) * 10e-9  # (randn()*1.5 + 4)*10*nS
            data["gi"] = (rng.standard_normal(n) * 12 + 20) * 10e-9
    np.savez(path, **data)
    return sum(len(v) for name, v in data.items() if name.startswith("pre"))


def _excitatory_inhibitory(lib, group, n, namespace, data, connect, dtype, variables=("ge", "gi")):
    ne = int(0.8 * n)
    exc = lib.Synapses(group[:ne], group, on_pre=f"{variables[0]} += we", namespace=namespace, dtype=dtype)
    inh = lib.Synapses(group[ne:], group, on_pre=f"{variables[1]} += wi", namespace=namespace, dtype=dtype)
    connect(exc, data["pre_e"], data["post_e"])
    connect(inh, data["pre_i"], data["post_i"])
    return [exc, inh]


def _out_degree(n: int, data) -> object:
    import numpy as np

    ne = int(0.8 * n)
    return np.bincount(data["pre_e"], minlength=n) + np.bincount(data["pre_i"] + ne, minlength=n)


def build_network(lib, model: str, n: int, k: int | None, data, connect, dtype=None) -> dict:
    """The network with ``lib`` = the simcore or brian2 module; ``connect(synapses, i, j)`` makes the
    synapses; ``dtype``: of the groups' and synapses' state (None: the simulator's default). Returns its
    objects, its synapses and, per population: (SpikeMonitor, size, out-degree of each element summed over
    the pathways it triggers)."""
    import numpy as np

    ms, mV = lib.ms, lib.mV
    if model == "cuba":
        scale = REFERENCE_IN_DEGREE / k
        namespace = {"taum": 20 * ms, "taue": 5 * ms, "taui": 10 * ms, "Vt": -50 * mV, "Vr": -60 * mV,
                     "El": -49 * mV, "we": 1.62 * mV * scale, "wi": -9 * mV * scale}
        group = lib.NeuronGroup(n, CUBA_EQUATIONS, threshold="v > Vt", reset="v = Vr", refractory=5 * ms,
                                method="exact", namespace=namespace, dtype=dtype)
        group.v = data["v"] * lib.volt
        synapses = _excitatory_inhibitory(lib, group, n, namespace, data, connect, dtype)
    elif model == "cobahh":
        scale = REFERENCE_IN_DEGREE / k
        area = 20000 * lib.umetre**2
        namespace = {"Cm": (1 * lib.ufarad * lib.cm**-2) * area, "gl": (5e-5 * lib.siemens * lib.cm**-2) * area,
                     "El": -60 * mV, "EK": -90 * mV, "ENa": 50 * mV, "VT": -63 * mV,
                     "g_na": (100 * lib.msiemens * lib.cm**-2) * area, "g_kd": (30 * lib.msiemens * lib.cm**-2) * area,
                     "taue": 5 * ms, "taui": 10 * ms, "Ee": 0 * mV, "Ei": -80 * mV,
                     "we": 6 * lib.nS * scale, "wi": 67 * lib.nS * scale}
        group = lib.NeuronGroup(n, COBAHH_EQUATIONS, threshold="v > -20*mV", refractory=3 * ms,
                                method="exponential_euler", namespace=namespace, dtype=dtype)
        group.v = data["v"] * lib.volt
        group.ge = data["ge"] * lib.siemens
        group.gi = data["gi"] * lib.siemens
        synapses = _excitatory_inhibitory(lib, group, n, namespace, data, connect, dtype)
    else:
        namespace = {"taum": 10 * ms, "taupre": 20 * ms, "taupost": 20 * ms, "Ee": 0 * mV, "vt": -54 * mV,
                     "vr": -60 * mV, "El": -74 * mV, "taue": 5 * ms, "gmax": STDP_GMAX,
                     "dApre": 0.01 * STDP_GMAX, "dApost": -0.01 * 1.05 * STDP_GMAX}
        inputs = lib.PoissonGroup(n, rates=15 * lib.Hz)
        neuron = lib.NeuronGroup(1, STDP_NEURON, threshold="v > vt", reset="v = vr", method="exact",
                                 namespace=namespace, dtype=dtype)
        neuron.v = -60 * mV
        plastic = lib.Synapses(inputs, neuron, STDP_SYNAPSES, on_pre=STDP_ON_PRE, on_post=STDP_ON_POST,
                               namespace=namespace, dtype=dtype)
        connect(plastic, data["pre"], data["post"])
        plastic.w = data["w"]
        synapses = [plastic]
        monitors = {"inputs": (lib.SpikeMonitor(inputs), n, np.ones(n, dtype=np.int64)),
                    "neuron": (lib.SpikeMonitor(neuron), 1, np.array([n]))}
        return {"objects": [inputs, neuron, plastic] + [m for m, _, _ in monitors.values()],
                "synapses": synapses, "populations": monitors}
    monitor = lib.SpikeMonitor(group)
    return {"objects": [group, *synapses, monitor], "synapses": synapses,
            "populations": {"neurons": (monitor, n, _out_degree(n, data))}}


def _window(populations: dict, start: int, stop: int) -> dict:
    """Spikes per population and synaptic events in the time steps [start, stop)."""
    import numpy as np

    spikes, events = {}, 0
    for name, (monitor, _size, out_degree) in populations.items():
        steps = np.rint(np.asarray(monitor.t_) / DT).astype(np.int64)
        chosen = np.asarray(monitor.i)[(steps >= start) & (steps < stop)]
        spikes[name] = int(chosen.size)
        events += int(out_degree[chosen].sum())
    return {"spikes": spikes, "synaptic_events": events}


# --- workers (one process each) -----------------------------------------------------------
def _worker(spec: dict) -> dict:
    return (_simcore_worker if spec["simulator"] == "simcore" else _brian2_worker)(spec)


def _simcore_worker(spec: dict) -> dict:
    began = time.perf_counter()
    import numpy as np

    import simcore

    imported = time.perf_counter()
    reset = harness.reset_peak_rss()
    rss_before = harness.current_rss_bytes()
    with np.load(spec["data"]) as stored:
        data = {name: stored[name] for name in stored.files}
    connect_s = [0.0]

    def connect(synapses, i, j):
        start = time.perf_counter()
        synapses.connect(i=i, j=j)
        connect_s[0] += time.perf_counter() - start

    loaded = time.perf_counter()
    simcore.start_scope()
    simcore.seed(SEED)
    network = build_network(simcore, spec["model"], spec["n"], spec["k"], data, connect)
    net = simcore.Network(*network["objects"])
    set_up = time.perf_counter()
    net.run(BUILD_STEPS * DT * simcore.second)
    built = time.perf_counter()
    net.run(0 * simcore.second)
    rerun_overhead = time.perf_counter() - built
    runs, weights = [], None
    for _ in range(spec["repeat"]):
        start = time.perf_counter()
        net.run(spec["duration"] * simcore.second)
        runs.append(time.perf_counter() - start)
        if weights is None and spec["model"] == "stdp":
            weights = float(np.mean(network["synapses"][0].w_)) / STDP_GMAX
    peak = harness.peak_rss_bytes()
    synapses = sum(len(s) for s in network["synapses"])
    synapse_bytes = sum(a.nbytes for s in network["synapses"] for a in s.kernel_arrays().values())
    steps = int(round(spec["duration"] / DT))
    windows = [_window(network["populations"], BUILD_STEPS + r * steps, BUILD_STEPS + (r + 1) * steps)
               for r in range(len(runs))]
    return {
        "import_s": imported - began,
        "load_data_s": loaded - imported,
        "setup_s": set_up - loaded - connect_s[0],
        "connect_s": connect_s[0],
        "build_s": built - set_up,
        "rerun_overhead_s": rerun_overhead,
        "run_s": runs,
        "synapses": synapses,
        "windows": windows,
        "w_mean_over_gmax": weights,
        "rss_before_network_bytes": rss_before,
        "peak_rss_bytes": peak,
        "peak_counted_from_before_network": reset,
        "bytes_per_synapse": (peak - rss_before) / synapses,
        "synapse_arrays_bytes": synapse_bytes,
        "synapse_arrays_bytes_per_synapse": synapse_bytes / synapses,
        "prange_loops": net.source().count("prange("),
        "numba_threads": harness.numba_threads(),
        "source_digest": harness.source_digest(),
    }


def _brian2_worker(spec: dict) -> dict:
    began = time.perf_counter()
    import brian2
    import numpy as np

    imported = time.perf_counter()
    project = tempfile.mkdtemp(prefix="bench_brian2_")
    connect_s, calls = [0.0], [0]

    def connect(synapses, i, j):
        harness.brian2_mark(brian2, f"connect{calls[0]}_start")
        start = time.perf_counter()
        synapses.connect(i=i, j=j)
        connect_s[0] += time.perf_counter() - start
        harness.brian2_mark(brian2, f"connect{calls[0]}_end")
        calls[0] += 1

    try:
        harness.brian2_standalone(brian2, project, spec["threads"])
        brian2.start_scope()
        brian2.seed(SEED)
        with np.load(spec["data"]) as stored:
            data = {name: stored[name] for name in stored.files}
        loaded = time.perf_counter()
        network = build_network(brian2, spec["model"], spec["n"], spec["k"], data, connect)
        net = brian2.Network(*network["objects"])
        set_up = time.perf_counter()
        net.run(BUILD_STEPS * DT * brian2.second)  # standalone: generates the code of the runs
        net.run(spec["duration"] * brian2.second)
        device = brian2.get_device()
        device.build(directory=project, compile=True, run=True, with_output=False)
        done = time.perf_counter()
        runs, binary, probes = [], [], []
        for repeat in range(max(spec["repeat"], 1)):
            if repeat:
                device.run(directory=project, with_output=False)
            runs.append(device._last_run_time)
            binary.append(device.timers["run_binary"])
            probes.append(harness.brian2_probe(brian2))
        marks = probes[0]["marks"]
        connect_binary = sum(marks[f"connect{c}_end"] - marks[f"connect{c}_start"] for c in range(calls[0]))
        synapses = sum(len(s) for s in network["synapses"])
        steps = int(round(spec["duration"] / DT))
        window = _window(network["populations"], BUILD_STEPS, BUILD_STEPS + steps)
        weights = float(np.mean(network["synapses"][0].w_[:])) / STDP_GMAX if spec["model"] == "stdp" else None
    finally:
        shutil.rmtree(project, ignore_errors=True)
    peak = max(p["peak_rss"] for p in probes)
    before = probes[0]["rss_before_start"]
    return {
        "version": brian2.__version__,
        "import_s": imported - began,
        "load_data_s": loaded - imported,
        "setup_s": set_up - loaded - connect_s[0],
        "connect_python_s": connect_s[0],
        "connect_binary_s": connect_binary,
        "connect_s": connect_s[0] + connect_binary,
        "build_s": done - set_up - binary[0],
        "make_s": device.timers["compile"].get("make"),
        "run_s": runs,
        "binary_wall_s": binary,
        "binary_outside_run_s": binary[0] - runs[0],
        "synapses": synapses,
        "windows": [window] * len(runs),  # every binary run simulates the same
        "w_mean_over_gmax": weights,
        "rss_before_network_bytes": before,
        "peak_rss_bytes": peak,
        "bytes_per_synapse": (peak - before) / synapses,
    }


# --- the driver ---------------------------------------------------------------------------
def _summarise(out: dict, sizes: dict, duration: float) -> dict:
    """Figures of a finished worker: fastest sample, events per second, spikes and rates."""
    samples, windows = out.get("run_s") or [], out.get("windows") or []
    if not samples or not windows:
        return {}
    fastest = min(range(len(samples)), key=samples.__getitem__)
    spikes = windows[0]["spikes"]
    return {"run_s_min": samples[fastest],
            "synaptic_events": windows[0]["synaptic_events"],
            "synaptic_events_per_s": windows[fastest]["synaptic_events"] / samples[fastest],
            "spikes": spikes,
            "rates_hz": {name: count / (sizes[name] * duration) for name, count in spikes.items()}}


def _configuration(model: str, n: int, k: int | None, duration: float, args, brian_python: str | None,
                   folder: str) -> dict:
    label = f"{model} n={n}" + (f" k={k}" if k else "") + f" duration={duration}"
    data = os.path.join(folder, f"{model}_{n}_{k}.npz")
    synapses = make_data(model, n, k, data)
    sizes = {"inputs": n, "neuron": 1} if model == "stdp" else {"neurons": n}
    spec = {"model": model, "n": n, "k": k, "duration": duration, "repeat": args.repeat, "data": data}
    entry = {"model": model, "n": n, "in_degree": k, "synapses": synapses, "duration_s": duration,
             "steps": int(round(duration / DT)), "simcore": {}}
    try:
        for threads in args.threads:
            harness.progress(f"simcore {label} threads={threads}")
            result = harness.simcore_cold_warm(__file__, {**spec, "simulator": "simcore"}, threads)
            cold, warm = result["cold"], result["warm"]
            summary = _summarise(warm, sizes, duration)
            if summary:
                summary.update({"connect_s": warm["connect_s"], "build_cold_s": cold.get("build_s"),
                                "build_warm_s": warm["build_s"], "peak_rss_bytes": warm["peak_rss_bytes"],
                                "bytes_per_synapse": warm["bytes_per_synapse"],
                                "synapse_arrays_bytes_per_synapse": warm["synapse_arrays_bytes_per_synapse"]})
            entry["simcore"][f"threads_{threads}"] = {**summary, **result}
        if brian_python is not None:
            entry["brian2_cpp_standalone"], entry["comparison"] = {}, {}
            for threads in args.threads:
                harness.progress(f"brian2 {label} openmp_threads={threads}")
                brian = harness.call_worker(brian_python, __file__, {**spec, "simulator": "brian2",
                                                                     "threads": threads})
                brian = {**_summarise(brian, sizes, duration), **brian}
                entry["brian2_cpp_standalone"][f"threads_{threads}"] = brian
                entry["comparison"][f"threads_{threads}"] = _compare(entry["simcore"][f"threads_{threads}"], brian)
    finally:
        os.remove(data)
    return entry


def _compare(simcore_result: dict, brian: dict) -> dict:
    out = harness.ratios(brian, simcore_result, {
        "runtime": ("run_s_min", "run_s_min"), "connect": ("connect_s", "connect_s"),
        "build_cold": ("build_s", "build_cold_s"), "build_warm": ("build_s", "build_warm_s"),
        "peak_rss": ("peak_rss_bytes", "peak_rss_bytes"), "bytes_per_synapse": ("bytes_per_synapse",
                                                                                "bytes_per_synapse")})
    for name in ("spikes", "rates_hz", "w_mean_over_gmax"):
        mine = simcore_result.get(name, simcore_result.get("warm", {}).get(name))
        if mine is not None or brian.get(name) is not None:
            out[f"{name}_simcore"], out[f"{name}_brian2"] = mine, brian.get(name)
    return out


def _network_bytes(result: dict) -> float | None:
    """Peak memory of the network: peak RSS less the RSS before it was built."""
    if result.get("peak_rss_bytes") is None:
        return None
    before = result.get("rss_before_network_bytes", result.get("warm", {}).get("rss_before_network_bytes"))
    return None if before is None else result["peak_rss_bytes"] - before


def _marginal_bytes(results: dict) -> list[dict]:
    """Memory per additional synapse between consecutive sizes of one model and in-degree: the slope of the
    network's peak memory, free of each simulator's fixed costs (simcore's compiled-code runtime, ~40 MB)."""
    rows = []
    entries = sorted(results["configurations"].values(), key=lambda e: (e["model"], e["in_degree"] or 0, e["n"]))
    for small, large in itertools.pairwise(entries):
        if (small["model"], small["in_degree"]) != (large["model"], large["in_degree"]):
            continue
        added = large["synapses"] - small["synapses"]
        for threads_key in large["simcore"]:
            row = {"model": small["model"], "in_degree": small["in_degree"], "from_n": small["n"], "to_n": large["n"],
                   "threads": int(threads_key.split("_")[1])}
            for side, key in (("simcore", "simcore"), ("brian2", "brian2_cpp_standalone")):
                sizes = [_network_bytes(e.get(key, {}).get(threads_key, {})) for e in (small, large)]
                row[f"{side}_bytes"] = None if None in sizes else (sizes[1] - sizes[0]) / added
            rows.append(row)
    return rows


def _summary_rows(results: dict) -> list[dict]:
    rows = []
    for key, entry in results["configurations"].items():
        for threads_key, mine in entry["simcore"].items():
            brian = entry.get("brian2_cpp_standalone", {}).get(threads_key, {})
            row = {"configuration": key, "threads": int(threads_key.split("_")[1])}
            for name in ("run_s_min", "synaptic_events_per_s", "connect_s", "bytes_per_synapse"):
                row[f"simcore_{name}"], row[f"brian2_{name}"] = mine.get(name), brian.get(name)
            row["simcore_build_cold_s"], row["simcore_build_warm_s"] = mine.get("build_cold_s"), mine.get(
                "build_warm_s")
            row["brian2_build_s"] = brian.get("build_s")
            row["simcore_spikes"], row["brian2_spikes"] = mine.get("spikes"), brian.get("spikes")
            rows.append(row)
    return rows


def _print_table(rows: list[dict], marginal: list[dict]) -> None:
    """The summary as a text table on stderr (the JSON on stdout has everything)."""
    def pair(row, name, scale=1.0, digits=3):
        values = [row.get(f"{side}_{name}") for side in ("simcore", "brian2")]
        return " / ".join("-" if v is None else f"{v * scale:.{digits}g}" for v in values)

    harness.progress("configuration, threads: simcore / brian2: run s, synaptic events/s (M), connect s, "
                     "bytes/synapse, spikes; build s: simcore cold, warm / brian2")
    for row in rows:
        spikes = " / ".join(str(sum(v.values())) if v else "-" for v in (row["simcore_spikes"], row["brian2_spikes"]))
        builds = " / ".join("-" if v is None else f"{v:.3g}" for v in (row["simcore_build_cold_s"],
                                                                       row["simcore_build_warm_s"],
                                                                       row["brian2_build_s"]))
        print(f"  {row['configuration']}, {row['threads']}: run {pair(row, 'run_s_min')}; "
              f"events/s {pair(row, 'synaptic_events_per_s', 1e-6)} M; connect {pair(row, 'connect_s')}; "
              f"B/syn {pair(row, 'bytes_per_synapse')}; spikes {spikes}; build {builds}", file=sys.stderr)
    for row in marginal:
        print(f"  {row['model']} k={row['in_degree']} {row['from_n']} -> {row['to_n']}, {row['threads']}: bytes per "
              f"added synapse {pair(row, 'bytes')}", file=sys.stderr)


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--models", nargs="+", choices=list(DEFAULTS), default=list(DEFAULTS))
    parser.add_argument("--sizes", type=float, nargs="+", default=None,
                        help="neurons of cuba and cobahh (4000 40000 400000; cobahh 4000 40000)")
    parser.add_argument("--in-degrees", type=int, nargs="+", default=None,
                        help="synapses per neuron of cuba and cobahh (cuba 80; cobahh 80 1000)")
    parser.add_argument("--stdp-inputs", type=int, default=None, help="Poisson inputs of stdp (1000)")
    parser.add_argument("--duration", type=float, default=None, help="simulated seconds (cuba, cobahh 1; stdp 10)")
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--repeat", type=int, default=1, help="timed runs (samples) per configuration (1)")
    parser.add_argument("--quick", action="store_true",
                        help="4,000 neurons, 0.2 s of cuba, 0.02 s of cobahh (k = 80 and 1000), 1 s of stdp")
    parser.add_argument("--no-brian2", action="store_true")
    parser.add_argument("--brian-python", default=None, help="a Python that imports brian2 ($BRIAN2_PYTHON)")
    args = parser.parse_args(argv)

    table = QUICK if args.quick else DEFAULTS
    plan = []
    for model in args.models:
        sizes = [int(s) for s in args.sizes] if args.sizes and model != "stdp" else table[model]["sizes"]
        if model == "stdp" and args.stdp_inputs:
            sizes = [args.stdp_inputs]
        degrees = args.in_degrees if args.in_degrees and model != "stdp" else table[model]["in_degrees"]
        duration = args.duration or table[model]["duration"]
        plan += [(model, n, k, duration) for n in sizes for k in degrees]
    brian_python = None if args.no_brian2 else harness.find_brian2_python(args.brian_python)

    results: dict = {
        "parameters": {"plan": [{"model": m, "n": n, "in_degree": k, "duration_s": d} for m, n, k, d in plan],
                       "threads": args.threads, "timed_runs_per_configuration": args.repeat, "quick": args.quick,
                       "dt_s": DT, "build_steps": BUILD_STEPS, "seed": SEED},
        "simcore_git_at_start": harness.git_state(),
        "machine": harness.machine(),
        "brian2": ("disabled (--no-brian2)" if args.no_brian2 else
                   "not installed" if brian_python is None else {"python": brian_python}),
        "notes": ["connect_s: the connect(i=, j=) calls (Brian 2: Python side + synapse creation in the binary)",
                  "build_s: simcore = wall time of the first run(10*dt) in a new process (cold: empty kernel "
                  "cache; warm: the cache of the cold process); Brian 2 = code generation and compilation",
                  "run_s_min = minimum over the timed runs; synaptic_events_per_s = spikes x out-degree summed "
                  "over pathways / run time",
                  "bytes_per_synapse = (peak RSS - RSS before the network is built) / synapses",
                  "marginal_bytes_per_synapse: the increase of (peak RSS - RSS before) from one size to the "
                  "next of a model, per added synapse (fixed costs cancel)",
                  "brian2_over_*: Brian 2's figure / simcore's; > 1 means simcore is faster (or smaller)"],
        "configurations": {},
    }
    folder = tempfile.mkdtemp(prefix="bench_networks_data_")
    try:
        for model, n, k, duration in plan:
            key = f"{model}_n{n}" + (f"_k{k}" if k else "")
            results["configurations"][key] = _configuration(model, n, k, duration, args, brian_python, folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    results["summary"] = _summary_rows(results)
    results["marginal_bytes_per_synapse"] = _marginal_bytes(results)
    _print_table(results["summary"], results["marginal_bytes_per_synapse"])
    return harness.print_results(results)


if __name__ == "__main__" and not harness.worker_main(_worker):
    main()
