"""Benchmark of the cuda backend (issue 5); prints JSON. Needs an NVIDIA GPU and numba-cuda
(``pip install -e '.[cuda]'``); ``NUMBA_ENABLE_CUDASIM=1 python bench/gpu.py --quick`` runs the
smallest configurations on numba's CUDA simulator, to check the script (its times mean nothing).

Models (dt = 0.1 ms, 0.01 ms for hh; a SpikeMonitor on every group):

- ``cobahh``: the COBAHH network of ``bench/networks.py`` (Brette et al. 2007 benchmark 3, fixed in-degree
  1000) at N = 4,000 / 32,000 / 256,000 / 1,024,000 (published anchor: Brian2GeNN on a V100, 1,024,000
  neurons with 1000 synapses each, about 9.8 s per biological second in float32);
- ``cuba``: the CUBA network of ``bench/networks.py`` (80 synapses each) at N = 40,000 / 400,000;
- ``hh``: the Hodgkin-Huxley sweep of ``bench/neurons.py`` (90,000 neurons, no synapses);
- ``stdp``: the STDP network of ``bench/networks.py`` with 1,000,000 Poisson inputs (1e6 plastic
  synapses onto one neuron);
- ``brunel_hakim``: ``examples/brunel_hakim.py``'s inhibitory network with heterogeneous delays, uniform
  in [0, 4] ms (published anchor: Brian2CUDA on an RTX 2080 Ti, 316,227 neurons, about 8 s per
  biological second), at N = 10,000 / 316,227 with 1000 synapses per neuron on average.

Each configuration runs for each ``--dtypes`` (float64, float32: the state of groups and synapses) in two
new processes sharing a fresh kernel cache: ``cold`` (empty cache) only builds, ``warm`` builds and runs.
Figures: ``connect_s``, ``build_s`` (the first ``run(10*dt)``: code generation, compilation or cache
load, copying the network to the GPU, 10 steps), ``run_s`` (``run(duration)``), ``s_per_biological_s`` =
run_s / duration, ``spikes``.

Without a GPU, ``--ptx`` times what a cold build does before the driver's part: for each model (the small
sizes of ``--quick``; the code does not depend on the size) in a new process with an empty kernel cache,
per launch mode: ``generate_s`` (building the network, resolving, generating the cuda module),
``compile_s`` (numba's typing and NVVM, to PTX for compute capability 8.0; needs ``cuda-toolkit[nvvm]``,
which the test extra installs), the number of kernels and their PTX size.

``--profile`` adds, per configuration, ``profile_s_per_step``: the GPU time per step of each operation over
200 steps run with ``profile=True`` (one launch per operation, each timed after a synchronisation).

Run:  python bench/gpu.py [--quick | --ptx] [--profile] [--models ...] [--dtypes float64 float32] [--duration S]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time

import harness
import networks
import neurons

HERE = os.path.dirname(os.path.abspath(__file__))

DEFAULTS = {
    "cobahh": {"sizes": [4000, 32000, 256000, 1024000], "in_degree": 1000, "duration": 1.0},
    "cuba": {"sizes": [40000, 400000], "in_degree": 80, "duration": 1.0},
    "hh": {"sizes": [90000], "in_degree": None, "duration": 0.1},
    "stdp": {"sizes": [1000000], "in_degree": None, "duration": 1.0},
    "brunel_hakim": {"sizes": [10000, 316227], "in_degree": 1000, "duration": 1.0},
}
QUICK = {
    "cobahh": {"sizes": [200], "in_degree": 20, "duration": 0.002},
    "cuba": {"sizes": [200], "in_degree": 20, "duration": 0.002},
    "hh": {"sizes": [100], "in_degree": None, "duration": 0.0005},
    "stdp": {"sizes": [200], "in_degree": None, "duration": 0.002},
    "brunel_hakim": {"sizes": [200], "in_degree": 20, "duration": 0.002},
}
BUILD_STEPS = 10
PROFILE_STEPS = 200  #: steps of the --profile run (one launch per operation, each timed)


def _brunel_hakim(simcore, n: int, k: int, dtype):
    """The network of examples/brunel_hakim.py with delays uniform in [0, 4] ms."""
    ms, mV = simcore.ms, simcore.mV
    namespace = {"Vr": 10 * mV, "theta": 20 * mV, "tau": 20 * ms, "muext": 25 * mV, "sigmaext": 1 * mV,
                 "J": 0.1 * mV, "sparseness": k / n}
    group = simcore.NeuronGroup(n, "dV/dt = (-V + muext + sigmaext*sqrt(tau)*xi)/tau : volt",
                                threshold="V > theta", reset="V = Vr", refractory=2 * ms, method="euler",
                                namespace=namespace, dtype=dtype)
    group.V = 10 * mV
    synapses = simcore.Synapses(group, group, on_pre="V += -J", namespace=namespace, dtype=dtype)
    synapses.connect(p=k / n)
    synapses.delay = "4*ms*rand()"
    monitor = simcore.SpikeMonitor(group)
    return [group, synapses, monitor], monitor


def _build(simcore, spec: dict) -> tuple[list, list, float]:
    """The objects of ``spec``'s model, its spike monitors and the seconds ``connect`` took."""
    import numpy as np

    dtype = np.float32 if spec["dtype"] == "float32" else None
    simcore.start_scope()
    simcore.seed(1)
    connect_s = 0.0
    model, n, k = spec["model"], spec["n"], spec["k"]
    if model in ("cuba", "cobahh", "stdp"):
        path = os.path.join(spec["folder"], f"{model}_{n}_{k}.npz")
        networks.make_data(model, n, k, path)
        with np.load(path) as stored:
            data = {name: stored[name] for name in stored.files}

        def connect(synapses, i, j):
            nonlocal connect_s
            start = time.perf_counter()
            synapses.connect(i=i, j=j)
            connect_s += time.perf_counter() - start

        network = networks.build_network(simcore, model, n, k, data, connect, dtype=dtype)
        return network["objects"], [m for m, _, _ in network["populations"].values()], connect_s
    if model == "hh":
        group, monitor = neurons._build_model(simcore, "hh", n, dtype=dtype)
        return [group, monitor], [monitor], connect_s
    start = time.perf_counter()
    objects, monitor = _brunel_hakim(simcore, n, k, dtype)
    return objects, [monitor], time.perf_counter() - start


def _worker(spec: dict) -> dict:
    if spec.get("ptx"):
        return _ptx_worker(spec)
    began = time.perf_counter()
    import simcore

    objects, monitors, connect_s = _build(simcore, spec)
    net = simcore.Network(*objects, device="cuda")
    dt = float(objects[0].dt_)
    set_up = time.perf_counter()
    net.run(BUILD_STEPS * dt * simcore.second)
    built = time.perf_counter()
    runs = []
    for _ in range(spec["repeat"]):
        start = time.perf_counter()
        net.run(spec["duration"] * simcore.second)
        runs.append(time.perf_counter() - start)
    profile = None
    if spec.get("profile") and spec["repeat"]:
        net.run(PROFILE_STEPS * dt * simcore.second, profile=True)
        profile = {name: seconds / PROFILE_STEPS for name, seconds in net._profile.items()}
    return {"setup_s": set_up - began - connect_s, "connect_s": connect_s, "build_s": built - set_up,
            "run_s": runs, "s_per_biological_s": [r / spec["duration"] for r in runs],
            "spikes": sum(int(m.num_spikes) for m in monitors),
            "synapses": sum(len(o) for o in objects if isinstance(o, simcore.Synapses)),
            "profile_s_per_step": profile, "source_digest": harness.source_digest()}


def _ptx_worker(spec: dict) -> dict:
    """Without a GPU: the model's code generated for cuda and compiled by numba and NVVM to PTX (compute
    capability 8.0), as a cold build does before the driver turns PTX into machine code; timed per launch
    mode (the cooperative ``run_steps`` alone, or every per-operation kernel)."""
    sys.path.insert(0, os.path.join(os.path.dirname(HERE), "tests", "cuda"))
    import ptx_check
    from numba import cuda

    import simcore

    began = time.perf_counter()
    calls = ptx_check.launches(lambda: (_build(simcore, spec)[0], {}))
    generated = time.perf_counter()
    size, count = 0, 0
    for kernel, types in dict.fromkeys(calls):
        if (kernel.py_func.__name__ == "run_steps") == (spec["mode"] == "fused"):
            ptx, _ = cuda.compile_ptx(kernel.py_func, types, cc=ptx_check.CAPABILITY)
            size, count = size + len(ptx), count + 1
    return {"generate_s": generated - began, "compile_s": time.perf_counter() - generated, "kernels": count,
            "ptx_bytes": size}


def _configuration(model: str, n: int, k, dtype: str, duration: float, repeat: int, folder: str,
                   profile: bool) -> dict:
    spec = {"model": model, "n": n, "k": k, "dtype": dtype, "duration": duration, "repeat": repeat,
            "folder": folder, "profile": profile}
    harness.progress(f"cuda {model} n={n} k={k} {dtype}")
    cache = tempfile.mkdtemp(prefix="bench_gpu_cache_")
    env = dict(os.environ, SIMCORE_CACHE_DIR=cache)
    try:
        cold = harness.call_worker(sys.executable, __file__, {**spec, "repeat": 0}, env)
        warm = harness.call_worker(sys.executable, __file__, spec, env)
    finally:
        shutil.rmtree(cache, ignore_errors=True)
    runs = warm.get("s_per_biological_s") or [None]
    return {"model": model, "n": n, "in_degree": k, "dtype": dtype, "duration_s": duration,
            "build_cold_s": cold.get("build_s"), "build_warm_s": warm.get("build_s"),
            "s_per_biological_s_min": min(runs) if runs[0] is not None else None, "cold": cold, "warm": warm}


def _ptx_configuration(model: str, n: int, k, dtype: str, folder: str) -> dict:
    """Each launch mode in a new process with an empty cache (device functions compiled for one mode would
    be reused by the other)."""
    row = {"model": model, "n": n, "in_degree": k, "dtype": dtype}
    env = {name: value for name, value in os.environ.items() if name != "NUMBA_ENABLE_CUDASIM"}
    for mode in ("fused", "kernels"):
        harness.progress(f"ptx {model} n={n} k={k} {dtype} {mode}")
        spec = {"model": model, "n": n, "k": k, "dtype": dtype, "folder": folder, "ptx": True, "mode": mode}
        cache = tempfile.mkdtemp(prefix="bench_gpu_cache_")
        try:
            row[mode] = harness.call_worker(sys.executable, __file__, spec, dict(env, SIMCORE_CACHE_DIR=cache))
        finally:
            shutil.rmtree(cache, ignore_errors=True)
    return row


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--models", nargs="+", choices=list(DEFAULTS), default=list(DEFAULTS))
    parser.add_argument("--dtypes", nargs="+", choices=["float64", "float32"], default=["float64", "float32"])
    parser.add_argument("--duration", type=float, default=None, help="simulated seconds (per model by default)")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--quick", action="store_true", help="tiny networks, to check the script")
    parser.add_argument("--profile", action="store_true",
                        help=f"after the timed runs, {PROFILE_STEPS} steps with profile=True: GPU seconds per step "
                             "of each operation")
    parser.add_argument("--ptx", action="store_true",
                        help="no GPU needed: time code generation and compilation to PTX of each model (small sizes)")
    args = parser.parse_args(argv)
    table = QUICK if args.quick or args.ptx else DEFAULTS
    folder = tempfile.mkdtemp(prefix="bench_gpu_data_")
    if args.ptx:
        try:
            rows = [_ptx_configuration(model, table[model]["sizes"][0], table[model]["in_degree"], dtype, folder)
                    for model in args.models for dtype in args.dtypes]
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        print(json.dumps({"machine": harness.machine(), "simcore_git": harness.git_state(), "ptx": rows}, indent=1))
        return {"ptx": rows}
    results = {"machine": harness.machine(), "simcore_git_at_start": harness.git_state(),
               "simulator": os.environ.get("NUMBA_ENABLE_CUDASIM") == "1", "configurations": []}
    try:
        for model in args.models:
            entry = table[model]
            for n in entry["sizes"]:
                for dtype in args.dtypes:
                    results["configurations"].append(_configuration(
                        model, n, entry["in_degree"], dtype, args.duration or entry["duration"], args.repeat, folder,
                        args.profile))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    for row in results["configurations"]:
        harness.progress(f"  {row['model']} n={row['n']} {row['dtype']}: build cold {row['build_cold_s']} s, warm "
                         f"{row['build_warm_s']} s; {row['s_per_biological_s_min']} s per biological second")
    print(json.dumps(results, indent=1))
    return results


if __name__ == "__main__" and not harness.worker_main(_worker):
    main()
