"""Benchmark of parameter sweeps on a local Dask cluster (issue 17); prints JSON.

Parts (``--parts``):

- ``overhead``: what a run costs beyond its simulation, on ``--workers`` worker processes: a model that returns
  its parameter at once (scheduling and result transfer only) and one that runs one neuron for one step (plus
  a network's plan, generation and cached kernels), ``--overhead-runs`` runs each, after a first sweep that
  starts the workers and compiles; per run = wall time * workers / runs.
- ``cuba``: ``--cuba-runs`` runs of a 4,000-neuron CUBA network (random connectivity, p = 0.02, each run its
  own seed and inhibitory weight), ``--cuba-duration`` simulated seconds each, one after the other in this
  process and as a sweep on the workers (kernels compiled before either is timed); ``speedup`` =
  sequential / sweep.
- ``hh``: the Hodgkin-Huxley sweep of seed 003 (``bench/neurons.py``'s model, dt 0.01 ms, ``--hh-duration``)
  over a grid of ``--hh-side`` x ``--hh-side`` (g_na, I) pairs: as one group of every pair in this process,
  and as a sweep of runs of ``--hh-block`` x ``--hh-block`` pairs each (a 10 x 10 patch of the grid by
  default: 900 runs for the 300 x 300 grid of ``bench/neurons.py``); with Brian 2 (``--brian-python`` or
  ``$BRIAN2_PYTHON``), the same runs as one ``cpp_standalone`` binary of a patch, built once and run once per
  patch with ``device.run(run_args=...)`` (``brian2_run_args.py``: one process, one thread, one run at a time);
  and simcore's version of that idiom on the workers: one patch recorded, ``device.sweep`` over the patches
  (each run's g_na and I arrays, as Brian 2's run_args).

Run:  python bench/sweep.py [--parts overhead cuba hh] [--workers 2] [--quick] [--brian-python PY]
"""

from __future__ import annotations

import argparse
import os
import sys
import time

import harness
import numpy as np
from neurons import HH_EQUATIONS  # seed 003's model, as bench/neurons.py runs it

import simcore
from simcore import NeuronGroup, SpikeMonitor, Synapses, ms, mV, run, sweep


def immediate(x):
    return x


def one_step(x):
    group = NeuronGroup(1, "dv/dt = -v/(10*ms) : 1", method="exact")
    group.v = x
    run(0.1 * ms)
    return float(group.v[0])


CUBA = {"taum": 20 * ms, "taue": 5 * ms, "taui": 10 * ms, "vt": -50 * mV, "vr": -60 * mV, "el": -49 * mV}


def cuba(wi, duration):
    """The CUBA network of Brian 2's examples at 4,000 neurons; ``wi``: the inhibitory weight in mV."""
    namespace = dict(CUBA, wi=wi * mV)
    group = NeuronGroup(4000, """dv/dt = (ge + gi - (v - el))/taum : volt (unless refractory)
                                 dge/dt = -ge/taue : volt
                                 dgi/dt = -gi/taui : volt""", threshold="v > vt", reset="v = vr",
                        refractory=5 * ms, method="exact", namespace=namespace)
    group.v = "vr + rand()*(vt - vr)"
    excitatory = Synapses(group[:3200], group, on_pre="ge += 1.62*mV")
    excitatory.connect(p=0.02)
    inhibitory = Synapses(group[3200:], group, on_pre="gi += wi", namespace=namespace)
    inhibitory.connect(p=0.02)
    spikes = SpikeMonitor(group)
    run(duration * simcore.second)
    return {"spikes": spikes.num_spikes}


def hh_block(g_na_first, g_na_last, i_first, i_last, block, duration):
    """A block x block patch of the (g_na, I) grid of seed 003's sweep."""
    area = 20000 * simcore.umetre**2
    namespace = {"Cm": (1 * simcore.ufarad * simcore.cm**-2) * area, "gl": (5e-5 * simcore.siemens * simcore.cm**-2)
                 * area, "EI": -60 * mV, "EK": -90 * mV, "ENa": 50 * mV,
                 "g_kd": (30 * simcore.msiemens * simcore.cm**-2) * area, "VT": -63 * mV}
    group = NeuronGroup(block * block, HH_EQUATIONS, method="exponential_euler", threshold="v > -20*mV",
                        refractory="v > -20*mV", dt=0.01 * ms, namespace=namespace)
    group.v = -60 * mV
    g_na, current = np.meshgrid(np.linspace(g_na_first, g_na_last, block), np.linspace(i_first, i_last, block))
    group.g_na = g_na.ravel() * simcore.msiemens * simcore.cm**-2 * area
    group.I = current.ravel() * simcore.nA
    spikes = SpikeMonitor(group)
    run(duration * simcore.second)
    return {"spikes": spikes.num_spikes}


def hh_recorded(block, duration):
    """One block x block patch recorded for ``device.sweep`` (Brian 2's build once, run many)."""
    simcore.start_scope()
    simcore.set_device("cpu", build_on_run=False)
    hh_block(10, 100, 0, 20, block, duration)
    simcore.device.build(run=False)
    group = next(obj for obj in simcore.collect() if isinstance(obj, NeuronGroup))
    spikes = next(obj for obj in simcore.collect() if isinstance(obj, SpikeMonitor))
    return group, spikes


def patch_values(group, g_na_values, i_values) -> dict:
    """A patch's run_args as ``hh_block`` sets its values (and Brian 2's loop in ``brian2_run_args.py``): arrays."""
    area = 20000 * simcore.umetre**2
    g_na, current = np.meshgrid(g_na_values, i_values)
    return {group.g_na: g_na.ravel() * simcore.msiemens * simcore.cm**-2 * area, group.I: current.ravel() * simcore.nA}


def _timed_sweep(model, params, workers: int, **options) -> tuple[float, object]:
    began = time.perf_counter()
    result = sweep(model, params, workers=workers, progress=False, seeds=1, **options)
    return time.perf_counter() - began, result


def _overhead(args) -> dict:
    from distributed import Client, LocalCluster

    out = {}
    for name, model in (("immediate", immediate), ("one_step", one_step)):
        params = {"x": list(np.linspace(0, 1, args.overhead_runs))}
        with LocalCluster(n_workers=args.workers, threads_per_worker=1, dashboard_address=":0") as cluster, \
                Client(cluster) as client:
            sweep(model, {"x": [0.1, 0.2, 0.3, 0.4]}, client=client, progress=False)  # compiled, workers warm
            began = time.perf_counter()
            result = sweep(model, params, client=client, progress=False)
            wall = time.perf_counter() - began
        out[name] = {"runs": args.overhead_runs, "wall_s": wall, "per_run_s": wall * args.workers / args.overhead_runs,
                     "errors": int(result.table["error"].notna().sum()),
                     "median_run_s": float(result.table["seconds"].median())}
    return out


def _cuba(args) -> dict:
    weights = list(np.linspace(-9, -6, args.cuba_runs))
    cuba(weights[0], 0.001)  # compiles, in this process and into the cache the workers load
    began = time.perf_counter()
    sequential = []
    for number, weight in enumerate(weights):
        simcore.start_scope()
        simcore.seed(number)
        sequential.append(cuba(weight, args.cuba_duration)["spikes"])
    sequential_s = time.perf_counter() - began
    wall, result = _timed_sweep(cuba, {"wi": weights, "duration": [args.cuba_duration]}, args.workers)
    return {"runs": args.cuba_runs, "duration_s": args.cuba_duration, "sequential_s": sequential_s,
            "sweep_s": wall, "speedup": sequential_s / wall, "workers": args.workers,
            "errors": int(result.table["error"].notna().sum()), "compiled_by_runs": result.compiled,
            "spikes_sequential_mean": float(np.mean(sequential)),
            "spikes_sweep_mean": float(result.table["spikes"].mean())}


def _hh(args) -> dict:
    side, block = args.hh_side, args.hh_block
    g_na, current = np.linspace(10, 100, side), np.linspace(0, 20, side)
    hh_block(10, 100, 0, 20, side, 0.0001)  # compiles the one group
    began = time.perf_counter()
    simcore.start_scope()
    whole = hh_block(10, 100, 0, 20, side, args.hh_duration)["spikes"]
    one_group_s = time.perf_counter() - began
    blocks = [{"g_na_first": g_na[a], "g_na_last": g_na[a + block - 1], "i_first": current[b],
               "i_last": current[b + block - 1], "block": block, "duration": args.hh_duration}
              for a in range(0, side, block) for b in range(0, side, block)]
    wall, result = _timed_sweep(hh_block, blocks, args.workers)
    out = {"grid": f"{side} x {side}", "runs": len(blocks), "neurons_per_run": block * block,
           "duration_s": args.hh_duration, "one_group_s": one_group_s, "one_group_spikes": int(whole),
           "sweep_s": wall, "sweep_spikes": int(result.table["spikes"].sum()), "workers": args.workers,
           "sweep_over_one_group": wall / one_group_s, "errors": int(result.table["error"].notna().sum())}
    group, spikes = hh_recorded(block, args.hh_duration)
    run_args = [patch_values(group, g_na[a:a + block], current[b:b + block])
                for a in range(0, side, block) for b in range(0, side, block)]
    began = time.perf_counter()
    recorded = simcore.device.sweep(run_args, results={"spikes": lambda: spikes.num_spikes}, workers=args.workers,
                                    progress=False)
    out.update(device_sweep_s=time.perf_counter() - began, device_sweep_spikes=int(recorded.table["spikes"].sum()),
               device_sweep_errors=int(recorded.table["error"].notna().sum()))
    simcore.reinit_devices()
    simcore.reset_device("cpu")
    brian_python = None if args.no_brian2 else harness.find_brian2_python(args.brian_python)
    if brian_python is not None:  # the same runs as one binary rerun with run_args, one process, one thread
        harness.progress("brian2 hh run_args")
        brian = harness.call_worker(brian_python, os.path.join(os.path.dirname(__file__), "brian2_run_args.py"),
                                    {"side": side, "block": block, "duration": args.hh_duration, "threads": 1})
        out["brian2_cpp_standalone_run_args"] = brian
        if "runs_s" in brian:
            out["brian2_runs_over_device_sweep"] = brian["runs_s"] / out["device_sweep_s"]
            out["brian2_runs_over_sweep"] = brian["runs_s"] / wall
    return out


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--parts", nargs="+", choices=["overhead", "cuba", "hh"], default=["overhead", "cuba", "hh"])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--overhead-runs", type=int, default=200)
    parser.add_argument("--cuba-runs", type=int, default=100)
    parser.add_argument("--cuba-duration", type=float, default=0.1)
    parser.add_argument("--hh-side", type=int, default=300)
    parser.add_argument("--hh-block", type=int, default=10)
    parser.add_argument("--hh-duration", type=float, default=0.02)
    parser.add_argument("--quick", action="store_true", help="20 overhead runs, 10 CUBA runs, a 30 x 30 HH grid")
    parser.add_argument("--no-brian2", action="store_true")
    parser.add_argument("--brian-python", default=None, help="a Python that imports brian2 ($BRIAN2_PYTHON)")
    args = parser.parse_args(argv)
    if args.quick:
        args.overhead_runs, args.cuba_runs, args.hh_side = 20, 10, 30
    os.environ.setdefault("SIMCORE_NUM_THREADS", "1")  # this process's runs, as each worker's
    results = {"parameters": vars(args), "machine": harness.machine(), "simcore_git_at_start": harness.git_state()}
    for part, measure in (("overhead", _overhead), ("cuba", _cuba), ("hh", _hh)):
        if part in args.parts:
            harness.progress(f"sweep {part}")
            results[part] = measure(args)
    return harness.print_results(results)


if __name__ == "__main__":
    sys.exit(0 if main() else 1)
