"""Benchmark of neurons with a shape (issue 15); prints JSON.

Models (the same equations in both simulators, read from examples/many_cells.py and tests/shape_models.py):

- ``ball_and_stick``: one neuron of ``examples/many_cells.py`` (a 20 um soma with Traub-Miles HH channels, a
  passive dendrite of 500 um in 99 compartments), 0.05 nA into the soma, dt = 0.025 ms, spikes at the soma;
- ``hh_axon``: the squid axon of Brian 2's example 'spatialneuron/hh_axon' at full length (Cylinder of 10 cm,
  diameter 476 um, n = 1000), a constant 2 uA into its first compartment (a train of spikes travelling along
  it), dt = 0.01 ms, a spike per compartment and action potential (threshold ``m > 0.5``);
- ``many``: 1000 (``--many-n``) ball-and-stick neurons, currents 0 to 0.1 nA. simcore: one
  ``SpatialNeuron(..., N=1000)``. Brian 2 has no such group: its way is one run per neuron. 1000 runs take too
  long to measure, so ``--many-samples`` (3) of them are timed (currents spread over the range) and the
  total is extrapolated: runtime targets, each neuron a new ``start_scope()`` and network in one process
  (the code is compiled once, later runs reuse it); ``cpp_standalone``, one project compiled once and its
  binary run again per neuron with ``run_args`` (Brian 2 >= 2.6) giving the neuron's current.

simcore: each configuration in a cold and a warm process (``harness.simcore_cold_warm``): ``build_cold_s`` and
``build_warm_s`` = wall time of the first ``run(10*dt)``, ``run_s_min`` = wall time of ``run(duration)``
(minimum over ``--repeat``). Brian 2 (``--brian-python`` or ``$BRIAN2_PYTHON``), for each of
``--brian-targets`` (default cython and cpp_standalone, with ``--quick`` also numpy): runtime targets time the
first ``run(10*dt)`` (``build_s``: code generation and compilation) and ``run(duration)`` (wall time);
``cpp_standalone`` reports
``build_s`` (generation and compilation) and its own loop timing (``device._last_run_time``). Spike counts
of both are given side by side (``many``: of the sampled neurons). ``brian2_over_simcore_*`` > 1: simcore
faster.

Run:  python bench/morphology.py [--quick] [--models ball_and_stick hh_axon many] [--duration S]
                                 [--many-duration S] [--many-n N] [--many-samples K] [--threads 1 2] [--repeat R]
                                 [--brian-targets numpy cython cpp_standalone] [--no-brian2] [--brian-python PATH]
"""

from __future__ import annotations

import argparse
import ast
import shutil
import tempfile
import time
from pathlib import Path

import harness

BUILD_STEPS = 10
DT_MS = {"ball_and_stick": 0.025, "hh_axon": 0.01, "many": 0.025}


def _model_text(path: str, name: str) -> str:
    """The model string assigned to ``name`` in the repository's file ``path``, read from its source as data (the
    Brian 2 workers run this file without simcore, so they cannot import it): the bench runs the models that the
    example and the tests check."""
    source = (Path(__file__).resolve().parent.parent / path).read_text()
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign) and any(getattr(target, "id", None) == name for target in node.targets):
            return ast.literal_eval(node.value)
    raise LookupError(f"{path} assigns no model string {name!r}")


BALL_AND_STICK = _model_text("examples/many_cells.py", "eqs")
# Brian 2's squid axon (tests/objects/test_spatialneuron.py runs it shortened against Brian 2)
HH_AXON = _model_text("tests/shape_models.py", "HH_SQUID_AXON")


def _currents(n: int) -> list[float]:
    """The many-cells currents (amp): 0 to 0.1 nA."""
    return [0.1e-9 * k / max(n - 1, 1) for k in range(n)]


def _samples(n: int, k: int) -> list[int]:
    """``k`` neuron numbers spread over 0..n-1 (the neurons Brian 2 simulates one by one)."""
    return sorted({round((n - 1) * (j + 1) / (k + 1)) for j in range(k)})


def _build(lib, model: str, neurons: int = 1, current: float | None = None):
    """The group and its SpikeMonitor, with ``lib`` = the simcore or brian2 module."""
    import numpy as np

    ms, mV, um, cm = lib.ms, lib.mV, lib.um, lib.cm
    lib.defaultclock.dt = DT_MS[model] * ms
    if model == "hh_axon":
        morpho = lib.Cylinder(length=10 * cm, diameter=2 * 238 * um, n=1000, type="axon")
        namespace = {"El": 10.613 * mV, "ENa": 115 * mV, "EK": -12 * mV, "gl": 0.3 * lib.msiemens / cm**2,
                     "gK": 36 * lib.msiemens / cm**2}
        group = lib.SpatialNeuron(morpho, HH_AXON, method="exponential_euler", refractory="m > 0.4",
                                  threshold="m > 0.5", Cm=1 * lib.uF / cm**2, Ri=35.4 * lib.ohm * cm,
                                  namespace=namespace)
        group.v = 0 * mV
        group.h = 1
        group.m = 0
        group.n = 0.5
        group.gNa = 120 * lib.msiemens / cm**2
        group.I[0] = 2 * lib.uA
        return group, lib.SpikeMonitor(group)
    morpho = lib.Soma(diameter=20 * um)
    morpho.dendrite = lib.Cylinder(length=500 * um, diameter=1 * um, n=99)
    namespace = {"EL": -65 * mV, "ENa": 50 * mV, "EK": -90 * mV, "VT": -63 * mV}
    extra = {"N": neurons} if neurons > 1 else {}
    group = lib.SpatialNeuron(morpho, BALL_AND_STICK, Cm=1 * lib.uF / cm**2, Ri=100 * lib.ohm * cm,
                              method="exponential_euler", threshold="v > -20*mV", threshold_location=0,
                              refractory="v > -20*mV", namespace=namespace, **extra)
    somata = np.arange(neurons) * 100
    group.v = -65 * mV
    group.h = 1
    group.gL = 5e-5 * lib.siemens / cm**2
    group.g_Na[somata] = 100 * lib.msiemens / cm**2
    group.g_K[somata] = 30 * lib.msiemens / cm**2
    if model == "many" and neurons > 1:
        group.I_inj[somata] = np.array(_currents(neurons)) * lib.amp
    else:
        group.I_inj[0] = (0.05e-9 if current is None else current) * lib.amp
    return group, lib.SpikeMonitor(group)


# --- workers (one process each) ------------------------------------------------------------
def _worker(spec: dict) -> dict:
    if spec["simulator"] == "simcore":
        return _simcore_worker(spec)
    if spec["target"] == "cpp_standalone":
        return _brian2_standalone_worker(spec)
    return _brian2_runtime_worker(spec)


def _simcore_worker(spec: dict) -> dict:
    import numpy as np

    import simcore

    simcore.start_scope()
    began = time.perf_counter()
    neurons = spec["n"] if spec["model"] == "many" else 1
    group, monitor = _build(simcore, spec["model"], neurons)
    net = simcore.Network(group, monitor)
    set_up = time.perf_counter()
    net.run(BUILD_STEPS * DT_MS[spec["model"]] * simcore.ms)
    built = time.perf_counter()
    runs, spikes, sampled = [], None, None
    for _ in range(spec["repeat"]):
        start = time.perf_counter()
        net.run(spec["duration"] * simcore.second)
        runs.append(time.perf_counter() - start)
        if spikes is None:
            spikes = int(monitor.num_spikes)
            if spec["model"] == "many":
                counts = np.bincount(np.asarray(monitor.i) // 100, minlength=neurons)
                sampled = {str(k): int(counts[k]) for k in _samples(neurons, spec["samples"])}
    return {"setup_s": set_up - began, "build_s": built - set_up, "run_s": runs, "spikes": spikes,
            "sampled_neuron_spikes": sampled, "numba_threads": harness.numba_threads(),
            "source_digest": harness.source_digest()}


def _sample_currents(spec: dict) -> list[tuple[int, float | None]]:
    if spec["model"] != "many":
        return [(0, None)]
    currents = _currents(spec["n"])
    return [(k, currents[k]) for k in _samples(spec["n"], spec["samples"])]


def _brian2_runtime_worker(spec: dict) -> dict:
    import brian2

    brian2.prefs.codegen.target = spec["target"]
    out: dict = {"version": brian2.__version__, "target": spec["target"], "build_s": [], "run_s": [],
                 "spikes": []}
    for _, current in _sample_currents(spec):
        brian2.start_scope()
        group, monitor = _build(brian2, spec["model"], 1, current)
        net = brian2.Network(group, monitor)
        start = time.perf_counter()
        net.run(BUILD_STEPS * DT_MS[spec["model"]] * brian2.ms)
        built = time.perf_counter()
        net.run(spec["duration"] * brian2.second)
        out["build_s"].append(built - start)
        out["run_s"].append(time.perf_counter() - built)
        out["spikes"].append(int(monitor.num_spikes))
    return out


def _brian2_standalone_worker(spec: dict) -> dict:
    import brian2
    import numpy as np

    project = tempfile.mkdtemp(prefix="bench_brian2_morphology_")
    try:
        harness.brian2_standalone(brian2, project, spec["threads"])
        samples = _sample_currents(spec)
        group, monitor = _build(brian2, spec["model"], 1, samples[0][1])
        net = brian2.Network(group, monitor)
        start = time.perf_counter()
        net.run(BUILD_STEPS * DT_MS[spec["model"]] * brian2.ms)
        net.run(spec["duration"] * brian2.second)
        device = brian2.get_device()
        device.build(directory=project, compile=True, run=True, with_output=False)
        done = time.perf_counter()
        runs, binary, spikes = [device._last_run_time], [device.timers["run_binary"]], [int(monitor.num_spikes)]
        for _, current in samples[1:]:
            values = np.zeros(100)
            values[0] = current
            device.run(directory=project, with_output=False, run_args={group.I_inj: values * brian2.amp})
            runs.append(device._last_run_time)
            binary.append(device.timers["run_binary"])
            spikes.append(int(monitor.num_spikes))
    finally:
        shutil.rmtree(project, ignore_errors=True)
    return {"version": brian2.__version__, "target": "cpp_standalone", "build_s": [done - start - binary[0]],
            "make_s": device.timers["compile"].get("make"), "run_s": runs, "binary_wall_s": binary, "spikes": spikes}


# --- the driver ---------------------------------------------------------------------------
def _simcore(model: str, spec: dict, threads: int) -> dict:
    out = harness.simcore_cold_warm(__file__, {"simulator": "simcore", "model": model, **spec}, threads)
    cold, warm = out["cold"], out["warm"]
    if warm.get("run_s"):
        out.update(build_cold_s=cold.get("build_s"), build_warm_s=warm["build_s"], run_s_min=min(warm["run_s"]),
                   spikes=warm["spikes"])
    return out


def _brian2(python: str, model: str, spec: dict, target: str, threads: int) -> dict:
    out = harness.call_worker(python, __file__, {"simulator": "brian2", "model": model, "target": target,
                                                 "threads": threads, **spec})
    if "run_s" not in out:
        return out
    out["run_s_min"] = min(out["run_s"])
    if model == "many":
        # one run per neuron: the measured runs stand for all of them; cpp_standalone compiles once
        # cpp_standalone: the binary's wall time (loading, the run, writing results); runtime targets: the run and
        # building the neuron's network again (the least of those after the first: a changed value may recompile)
        runs = out["run_s"]
        if target == "cpp_standalone":
            per_neuron = sum(out["binary_wall_s"]) / len(out["binary_wall_s"])
            out["all_neurons_loop_only_extrapolated_s"] = sum(runs) / len(runs) * spec["n"]
        else:
            per_neuron = sum(runs) / len(runs) + (min(out["build_s"][1:]) if len(runs) > 1 else 0)
        out["per_neuron_s"] = per_neuron
        out["all_neurons_extrapolated_s"] = per_neuron * spec["n"]
    return out


def _compare(model: str, sim: dict, brian: dict) -> dict:
    if "run_s_min" not in sim or "run_s_min" not in brian:
        return {}
    brian_total = brian["all_neurons_extrapolated_s"] if model == "many" else brian["run_s_min"]
    ours = list((sim["warm"].get("sampled_neuron_spikes") or {}).values()) if model == "many" else [sim["spikes"]]
    return {"brian2_over_simcore_runtime": brian_total / sim["run_s_min"],
            "brian2_build_over_simcore_warm_build": brian["build_s"][0] / sim["build_warm_s"],
            "spikes_simcore": ours, "spikes_brian2": brian["spikes"], "same_spike_counts": ours == brian["spikes"]}


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--models", nargs="+", choices=list(DT_MS), default=list(DT_MS))
    parser.add_argument("--duration", type=float, default=None, help="seconds for ball_and_stick and hh_axon (1)")
    parser.add_argument("--many-duration", type=float, default=None, help="seconds for many (0.1)")
    parser.add_argument("--many-n", type=int, default=1000)
    parser.add_argument("--many-samples", type=int, default=3, help="Brian 2's timed single-neuron runs (3)")
    parser.add_argument("--threads", type=int, nargs="+", default=[1])
    parser.add_argument("--repeat", type=int, default=1, help="timed runs per simcore configuration (1)")
    parser.add_argument("--brian-targets", nargs="+", default=None, choices=["numpy", "cython", "cpp_standalone"],
                        help="(cython cpp_standalone; with --quick also numpy, which takes minutes per second)")
    parser.add_argument("--quick", action="store_true",
                        help="0.1 s of ball_and_stick, 0.05 s of hh_axon, 0.02 s of many")
    parser.add_argument("--no-brian2", action="store_true")
    parser.add_argument("--brian-python", default=None, help="a Python that imports brian2 ($BRIAN2_PYTHON)")
    args = parser.parse_args(argv)

    durations = {"ball_and_stick": args.duration or (0.1 if args.quick else 1.0),
                 "hh_axon": args.duration or (0.05 if args.quick else 1.0),
                 "many": args.many_duration or (0.02 if args.quick else 0.1)}
    targets = args.brian_targets or (["numpy"] if args.quick else []) + ["cython", "cpp_standalone"]
    brian_python = None if args.no_brian2 else harness.find_brian2_python(args.brian_python)
    results: dict = {
        "parameters": {"models": args.models, "threads": args.threads, "quick": args.quick,
                       "durations_s": durations, "dt_ms": DT_MS, "many_n": args.many_n,
                       "many_brian2_samples": args.many_samples, "build_steps": BUILD_STEPS,
                       "brian2_targets": targets},
        "simcore_git_at_start": harness.git_state(),
        "machine": harness.machine(),
        "brian2": ("disabled (--no-brian2)" if args.no_brian2 else
                   "not installed" if brian_python is None else {"python": brian_python}),
    }
    for model in args.models:
        spec = {"duration": durations[model], "repeat": args.repeat, "n": args.many_n, "samples": args.many_samples}
        entry: dict = {"simcore": {}}
        for threads in args.threads:
            harness.progress(f"simcore {model} duration={durations[model]} threads={threads}")
            entry["simcore"][f"threads_{threads}"] = _simcore(model, spec, threads)
        if brian_python is not None:
            entry["comparison"] = {}
            for target in targets:
                for threads in args.threads if target == "cpp_standalone" else [1]:
                    key = f"{target}_threads_{threads}" if target == "cpp_standalone" else target
                    harness.progress(f"brian2 {target} {model} duration={durations[model]} threads={threads}")
                    entry[f"brian2_{key}"] = brian = _brian2(brian_python, model, spec, target, threads)
                    entry["comparison"][key] = _compare(model, entry["simcore"][f"threads_{threads}"], brian)
        results[model] = entry
    return harness.print_results(results)


if __name__ == "__main__" and not harness.worker_main(_worker):
    main()
