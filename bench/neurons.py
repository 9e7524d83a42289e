"""Benchmark of neuron updates (issue 3); prints JSON.

Models:

- ``lif``: the leaky integrate-and-fire group of ``examples/lif_constant_drive.py``
  (``dv/dt = (v0 - v)/tau``, refractory 5 ms, drives v0 from 0.5 to 2.5), ``--lif-n``
  neurons (default 1e6), method ``exact``, dt = 0.1 ms, with a SpikeMonitor;
- ``hh``: the Hodgkin-Huxley sweep of seed 003 (``EQUATIONS`` of
  ``examples/hh_sweep.py``), ``--hh-n`` neurons (default 90,000 = 300 x 300, a square
  number is rounded down to a grid), method ``exponential_euler``, dt = 0.01 ms, with a
  SpikeMonitor.

Every configuration runs in its own process (clean numba thread pool and caches).
For simcore and each thread count (``SIMCORE_NUM_THREADS``):

- ``cold``: a new process with an empty ``SIMCORE_CACHE_DIR`` (a fresh temporary folder),
  which only builds (no timed runs);
- ``warm``: a second new process with the same folder, which builds and runs.

simcore's sources may change while the benchmark runs (it takes minutes):
``same_simcore_source_cold_and_warm`` says whether both processes saw the same code
(if not, the warm build was a cold one).

In each process: ``import_s`` (``import simcore``), ``setup_s`` (creating the group,
setting its values, the monitor, the Network), ``build_s`` = wall time of the first
``net.run(10*dt)`` (it generates, compiles or loads the kernels, and runs 10 steps;
``build_minus_steps_s`` subtracts 10 steps at the measured step cost), ``rerun_overhead_s``
= wall time of a following ``net.run(0*ms)`` (the fixed cost of every ``run`` call), then
``run_s`` = wall time of ``--repeat`` further ``net.run(duration)`` calls in the warm
process (each one a sample). ``run_s_min`` is their minimum: these 2-core machines are
shared, so the minimum is the least disturbed figure.
``neuron_updates_per_s`` = N * steps / run_s_min. ``loadavg_1min_before_after`` shows
how busy the machine was around each process. ``peak_rss_bytes`` is
``ru_maxrss`` of the process, ``rss_after_import_bytes`` the same before the model is
built (Python, numpy, numba, LLVM), ``peak_rss_above_import_bytes`` the difference,
``state_bytes`` the group's arrays, ``monitor_bytes`` the SpikeMonitor's records and buffer at
the end.

Brian 2 (when a Python that imports ``brian2`` is found: this interpreter, else
``--brian-python`` or ``$BRIAN2_PYTHON``): the same model, network and schedule
(``run(10*dt)`` then ``run(duration)``) in ``cpp_standalone`` mode, a fresh project
folder per configuration, ``prefs.devices.cpp_standalone.openmp_threads`` = 1 or 2.
``run_s`` is Brian's own timing of the second run (``device._last_run_time``, the
simulation loop, wall clock from ``omp_get_wtime``); ``binary_wall_s`` the wall time of the
whole binary (both runs, allocation, writing results); ``build_s`` the wall time of
code generation and compilation (everything but the binary); ``peak_rss_bytes`` the
binary's peak resident memory (``VmHWM``). With ``--repeat`` > 1 the binary is run again
and ``run_s_min`` is the minimum of the samples.

With the LIF model, ``memory_bandwidth`` (a process per thread count) gives the machine's STREAM-style triad
and read-modify-write bandwidth, and each simcore LIF configuration its ``bytes_per_neuron_step`` (from its
arrays), ``bytes_per_s`` and ``fraction_of_read_modify_write_bandwidth``: how close the memory-bound update
runs to what the machine can move.

Ratios (``brian2_over_simcore_*``): Brian 2's figure divided by simcore's at the same
thread count; above 1 means simcore is faster. ``spikes`` (over both runs) lets one
check that both simulators compute the same thing.

Run:  python bench/neurons.py [--quick] [--duration S] [--lif-duration S] [--hh-duration S]
                              [--lif-n N] [--hh-n N] [--threads 1 2] [--models lif hh]
                              [--repeat R] [--dtype float64|float32] [--no-brian2] [--brian-python PATH]
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time

import harness

BUILD_STEPS = 10

LIF_EQUATIONS = """
dv/dt = (v0 - v)/tau : 1 (unless refractory)
v0 : 1 (constant)
"""

# The model of examples/hh_sweep.py (copied, so that Brian 2 can read it without simcore).
HH_EQUATIONS = """
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
"""

DT_MS = {"lif": 0.1, "hh": 0.01}
METHOD = {"lif": "exact", "hh": "exponential_euler"}


# --- the models, written once for both simulators (same names in both languages) ----------
def _build_model(lib, model: str, n: int, dtype=None):
    """Group and SpikeMonitor of ``model`` with ``lib`` = the simcore or brian2 module (``dtype``: of the state)."""
    import numpy as np

    dtype = np.dtype(dtype).type if dtype else None
    ms, mV, nA, cm, umetre = lib.ms, lib.mV, lib.nA, lib.cm, lib.umetre
    if model == "lif":
        namespace = {"tau": 10 * ms}
        group = lib.NeuronGroup(n, LIF_EQUATIONS, threshold="v > 1", reset="v = 0", refractory=5 * ms,
                                method="exact", dt=DT_MS["lif"] * ms, namespace=namespace, dtype=dtype)
        group.v0 = "0.5 + 2.0*i/(N - 1)"
    else:
        area = 20000 * umetre**2
        namespace = {
            "area": area, "Cm": (1 * lib.ufarad * cm**-2) * area, "gl": (5e-5 * lib.siemens * cm**-2) * area,
            "EI": -60 * mV, "EK": -90 * mV, "ENa": 50 * mV, "g_kd": (30 * lib.msiemens * cm**-2) * area,
            "VT": -63 * mV,
        }
        side = int(round(n**0.5))
        g_na_values, I_values = np.linspace(10, 100, num=side), np.linspace(0, 20, num=n // side if side else 0)
        group = lib.NeuronGroup(n, HH_EQUATIONS, method="exponential_euler", threshold="v>-20*mV",
                                refractory="v>-20*mV", dt=DT_MS["hh"] * ms, namespace=namespace, dtype=dtype)
        group.v = -60 * mV
        all_g_na, all_I = np.meshgrid(g_na_values, I_values)
        g_na = np.resize(all_g_na.ravel(), n)  # n not a product of two sides: repeat the grid's start
        current = np.resize(all_I.ravel(), n)
        group.g_na = g_na * lib.msiemens * cm**-2 * area
        group.I = current * nA
    monitor = lib.SpikeMonitor(group)
    return group, monitor


# --- workers (one process each) ------------------------------------------------------------
def _worker(spec: dict) -> dict:
    if spec["simulator"] == "bandwidth":
        return _bandwidth_worker(spec["threads"])
    if spec["simulator"] == "simcore":
        return _simcore_worker(spec["model"], spec["n"], spec["duration"], spec["repeat"], spec["dtype"])
    return _brian2_worker(spec["model"], spec["n"], spec["duration"], spec["repeat"], spec["threads"], spec["dtype"])


def _simcore_worker(model: str, n: int, duration: float, repeat: int, dtype: str) -> dict:
    began = time.perf_counter()
    import simcore

    imported = time.perf_counter()
    rss_import = harness.maxrss_bytes()
    simcore.start_scope()
    group, monitor = _build_model(simcore, model, n, dtype)
    net = simcore.Network(group, monitor)
    set_up = time.perf_counter()
    dt = DT_MS[model] * simcore.ms
    net.run(BUILD_STEPS * dt)
    built = time.perf_counter()
    net.run(0 * simcore.ms)
    rerun_overhead = time.perf_counter() - built
    runs, spikes = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        net.run(duration * simcore.second)
        runs.append(time.perf_counter() - start)
        if spikes is None:
            spikes = monitor.num_spikes
    steps = int(round(duration / (DT_MS[model] * 1e-3)))
    build = built - set_up
    source = net.source()
    peak = harness.maxrss_bytes()
    return {
        "import_s": imported - began,
        "setup_s": set_up - imported,
        "build_s": build,
        "build_minus_steps_s": build - BUILD_STEPS * min(runs) / max(steps, 1) if runs else None,
        "rerun_overhead_s": rerun_overhead,
        "run_s": runs,
        "spikes": spikes,
        "prange_loops": source.count("prange("),
        "state_bytes": sum(v.array.nbytes for v in group.variables.values()),
        "bytes_per_neuron_step": _lif_bytes_per_neuron_step(group) if model == "lif" else None,
        "monitor_bytes": monitor.nbytes,
        "rss_after_import_bytes": rss_import,
        "peak_rss_bytes": peak,
        "peak_rss_above_import_bytes": peak - rss_import,
        "numba_threads": harness.numba_threads(),
        "source_digest": harness.source_digest(),
    }


def _bandwidth_worker(threads: int) -> dict:
    """STREAM-style memory bandwidth of this machine with ``threads`` threads (numba loops, prange from 2
    threads, over arrays of 64 MB, twice the last-level cache of the machines here): ``triad_bytes_per_s`` for
    c = a + 1.5*b (24 bytes an element, the write-allocate of c not counted) and
    ``read_modify_write_bytes_per_s`` for a = 0.9*a + b (24 bytes: a read and written, b read), the shape of a
    state update; the best of 5 runs each."""
    import numba
    import numpy as np

    numba.set_num_threads(threads)
    n = 8 * 1024 * 1024
    parallel = threads > 1  # a prange loop on one thread measured 35 % below the plain loop

    @numba.njit(parallel=parallel)
    def triad(a, b, c):
        for i in numba.prange(a.shape[0]):
            c[i] = a[i] + 1.5 * b[i]

    @numba.njit(parallel=parallel)
    def read_modify_write(a, b):
        for i in numba.prange(a.shape[0]):
            a[i] = 0.9 * a[i] + b[i]

    a, b, c = np.random.rand(n), np.random.rand(n), np.zeros(n)
    out = {}
    for name, kernel, args in (("triad", triad, (a, b, c)), ("read_modify_write", read_modify_write, (a, b))):
        kernel(*args)
        best = min(_timed(kernel, args) for _ in range(5))
        out[f"{name}_bytes_per_s"] = 24 * n / best
    return out


def _timed(kernel, args) -> float:
    start = time.perf_counter()
    kernel(*args)
    return time.perf_counter() - start


def _lif_bytes_per_neuron_step(group) -> int:
    """What the LIF model moves per neuron and step, from its arrays' item sizes: the state update, with its
    threshold in the same pass, reads lastspike, not_refractory, v, v0 and writes not_refractory, v and a
    one-byte flag (the condition); the spike listing reads the flags (spikes are rare: their writes are left
    out)."""
    size = {name: group.variables[name].array.itemsize for name in ("lastspike", "not_refractory", "v", "v0")}
    return size["lastspike"] + size["v0"] + 2 * (size["v"] + size["not_refractory"]) + 2


def _brian2_worker(model: str, n: int, duration: float, repeat: int, threads: int, dtype: str) -> dict:
    began = time.perf_counter()
    import brian2
    import numpy as np

    imported = time.perf_counter()
    project = tempfile.mkdtemp(prefix="bench_brian2_")
    try:
        harness.brian2_standalone(brian2, project, threads)
        brian2.start_scope()
        group, monitor = _build_model(brian2, model, n, dtype)
        net = brian2.Network(group, monitor)
        set_up = time.perf_counter()
        dt = DT_MS[model] * brian2.ms
        net.run(BUILD_STEPS * dt)  # standalone: generates the code of the run
        net.run(duration * brian2.second)
        device = brian2.get_device()
        device.build(directory=project, compile=True, run=True, with_output=False)
        done = time.perf_counter()
        runs = [device._last_run_time]
        binary = [device.timers["run_binary"]]
        rss = [harness.brian2_probe(brian2)["peak_rss"]]
        for _ in range(repeat - 1):
            device.run(directory=project, with_output=False)
            runs.append(device._last_run_time)
            binary.append(device.timers["run_binary"])
            rss.append(harness.brian2_probe(brian2)["peak_rss"])
        spikes = int(monitor.num_spikes)
        state_bytes = sum(v.size * np.dtype(v.dtype).itemsize for v in group.variables.values()
                          if isinstance(v, brian2.core.variables.ArrayVariable) and v.owner.name == group.name
                          and v.size == n and not v.name.startswith("_"))
    finally:
        shutil.rmtree(project, ignore_errors=True)
    return {
        "version": brian2.__version__,
        "import_s": imported - began,
        "setup_s": set_up - imported,
        "build_s": done - set_up - binary[0],
        "make_s": device.timers["compile"].get("make"),
        "run_s": runs,
        "binary_wall_s": binary,
        "spikes": spikes,
        "state_bytes": state_bytes,
        "peak_rss_bytes": max(rss),
    }


# --- the driver ---------------------------------------------------------------------------
def _simcore_configuration(model: str, n: int, duration: float, threads: int, repeat: int, dtype: str) -> dict:
    spec = {"simulator": "simcore", "model": model, "n": n, "duration": duration, "repeat": repeat, "dtype": dtype}
    out = harness.simcore_cold_warm(__file__, spec, threads)
    cold, warm = out["cold"], out["warm"]
    samples = warm.get("run_s", [])
    if samples:
        steps = int(round(duration / (DT_MS[model] * 1e-3)))
        out["run_s_min"] = min(samples)
        out["neuron_updates_per_s"] = n * steps / min(samples)
        out["build_cold_s"] = cold.get("build_s")
        out["build_warm_s"] = warm.get("build_s")
        out["peak_rss_bytes"] = warm.get("peak_rss_bytes")
    return out


def _brian2_configuration(python: str, model: str, n: int, duration: float, threads: int, repeat: int,
                          dtype: str) -> dict:
    spec = {"simulator": "brian2", "model": model, "n": n, "duration": duration, "repeat": repeat, "threads": threads,
            "dtype": dtype}
    out = harness.call_worker(python, __file__, spec)
    if "run_s" in out:
        steps = int(round(duration / (DT_MS[model] * 1e-3)))
        out["run_s_min"] = min(out["run_s"])
        out["neuron_updates_per_s"] = n * steps / out["run_s_min"]
    return out


def _compare(simcore_result: dict, brian_result: dict) -> dict:
    if "run_s_min" not in simcore_result or "run_s_min" not in brian_result:
        return {}
    out = harness.ratios(brian_result, simcore_result, {
        "runtime": ("run_s_min", "run_s_min"), "build_cold": ("build_s", "build_cold_s"),
        "build_warm": ("build_s", "build_warm_s"), "peak_rss": ("peak_rss_bytes", "peak_rss_bytes")})
    out["spikes_simcore"] = simcore_result["warm"].get("spikes")
    out["spikes_brian2"] = brian_result.get("spikes")
    return out


def _bandwidth_fractions(entry: dict, bandwidth: dict) -> None:
    """``bytes_per_s`` that simcore's LIF run moved (its bytes per neuron-step times its neuron updates per
    second) and its fraction of the read-modify-write bandwidth measured with as many threads."""
    for key, sim in entry["simcore"].items():
        per_step = sim.get("warm", {}).get("bytes_per_neuron_step")
        measured = bandwidth.get(key, {}).get("read_modify_write_bytes_per_s")
        if per_step and measured and "neuron_updates_per_s" in sim:
            sim["bytes_per_s"] = per_step * sim["neuron_updates_per_s"]
            sim["fraction_of_read_modify_write_bandwidth"] = sim["bytes_per_s"] / measured


def _targets(model_result: dict, threads: list[int]) -> dict:
    """The targets of issue 3: warm build < 0.5 s, cold build < 3 s, run time <= Brian 2's."""
    checks = {}
    for t in threads:
        sim = model_result["simcore"].get(f"threads_{t}", {})
        if "build_warm_s" in sim:
            checks[f"threads_{t}_warm_build_under_0.5s"] = sim["build_warm_s"] < 0.5
            checks[f"threads_{t}_cold_build_under_3s"] = sim["build_cold_s"] < 3.0
        ratio = model_result.get("comparison", {}).get(f"threads_{t}", {}).get("brian2_over_simcore_runtime")
        if ratio is not None:
            checks[f"threads_{t}_run_at_least_as_fast_as_brian2"] = ratio >= 1.0
    return checks


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=None, help="simulated seconds for both models (1)")
    parser.add_argument("--lif-duration", type=float, default=None)
    parser.add_argument("--hh-duration", type=float, default=None)
    parser.add_argument("--lif-n", type=float, default=None, help="LIF neurons (1e6)")
    parser.add_argument("--hh-n", type=float, default=None, help="HH neurons (90000)")
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--models", nargs="+", choices=["lif", "hh"], default=["lif", "hh"])
    parser.add_argument("--repeat", type=int, default=2, help="timed runs (samples) per configuration (2)")
    parser.add_argument("--quick", action="store_true",
                        help="0.1 s of LIF with 1e5 neurons, 0.01 s of HH with 10,000 neurons")
    parser.add_argument("--dtype", choices=["float64", "float32"], default="float64",
                        help="of the group's state (simcore then computes in it; Brian 2 computes in double)")
    parser.add_argument("--no-brian2", action="store_true")
    parser.add_argument("--brian-python", default=None, help="a Python that imports brian2 ($BRIAN2_PYTHON)")
    args = parser.parse_args(argv)

    quick = {"lif_duration": 0.1, "hh_duration": 0.01, "lif_n": 1e5, "hh_n": 1e4} if args.quick else {}
    lif_duration = args.lif_duration or args.duration or quick.get("lif_duration", 1.0)
    hh_duration = args.hh_duration or args.duration or quick.get("hh_duration", 1.0)
    sizes = {"lif": int(args.lif_n or quick.get("lif_n", 1e6)), "hh": int(args.hh_n or quick.get("hh_n", 90000))}
    durations = {"lif": lif_duration, "hh": hh_duration}
    brian_python = None if args.no_brian2 else harness.find_brian2_python(args.brian_python)

    results: dict = {
        "parameters": {
            "models": args.models, "threads": args.threads, "timed_runs_per_configuration": args.repeat,
            "quick": args.quick, "build_steps": BUILD_STEPS, "dtype": args.dtype,
            **{m: {"n": sizes[m], "duration_s": durations[m], "dt_ms": DT_MS[m], "method": METHOD[m],
                   "steps": int(round(durations[m] / (DT_MS[m] * 1e-3)))} for m in args.models},
        },
        "simcore_git_at_start": harness.git_state(),
        "machine": harness.machine(),
        "brian2": ("disabled (--no-brian2)" if args.no_brian2 else
                   "not installed" if brian_python is None else {"python": brian_python}),
        "notes": ["build_s = wall time of the first net.run(10*dt) in a new process (code generation, "
                  "compile or cache load, 10 steps)",
                  "run_s_min = minimum over the timed runs of the warm process (shared 2-core machine: "
                  "minima are the least disturbed)",
                  "brian2_over_*: Brian 2's figure / simcore's; > 1 means simcore is faster (or smaller)"],
    }
    if "lif" in args.models:  # LIF is bound by memory: its speed against the machine's bandwidth
        results["memory_bandwidth"] = {}
        for threads in args.threads:
            harness.progress(f"memory bandwidth threads={threads}")
            results["memory_bandwidth"][f"threads_{threads}"] = harness.call_worker(
                sys.executable, __file__, {"simulator": "bandwidth", "threads": threads})
    for model in args.models:
        n, duration = sizes[model], durations[model]
        entry = {"simcore": {}}
        for threads in args.threads:
            harness.progress(f"simcore {model} n={n} duration={duration} threads={threads}")
            entry["simcore"][f"threads_{threads}"] = _simcore_configuration(model, n, duration, threads, args.repeat,
                                                                                args.dtype)
        if brian_python is not None:
            entry["brian2_cpp_standalone"], entry["comparison"] = {}, {}
            for threads in args.threads:
                harness.progress(f"brian2 {model} n={n} duration={duration} openmp_threads={threads}")
                brian = _brian2_configuration(brian_python, model, n, duration, threads, args.repeat, args.dtype)
                entry["brian2_cpp_standalone"][f"threads_{threads}"] = brian
                entry["comparison"][f"threads_{threads}"] = _compare(entry["simcore"][f"threads_{threads}"], brian)
        if model == "lif":
            _bandwidth_fractions(entry, results["memory_bandwidth"])
        entry["targets"] = _targets(entry, args.threads)
        results[model] = entry
    return harness.print_results(results)


if __name__ == "__main__" and not harness.worker_main(_worker):
    main()
