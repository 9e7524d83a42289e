"""Brian 2's side of ``bench/sweep.py``'s HH grid: one ``cpp_standalone`` binary of a block x block patch, built
once and run once per patch with ``device.run(run_args={G.g_na: ..., G.I: ...})`` (Brian 2's build-once,
run-many idiom). Runs in a Python that imports brian2, as a worker of ``harness.call_worker``; prints JSON."""

from __future__ import annotations

import shutil
import tempfile
import time

import harness
import numpy as np
from neurons import HH_EQUATIONS


def _worker(spec: dict) -> dict:
    import brian2

    side, block, duration = spec["side"], spec["block"], spec["duration"]
    project = tempfile.mkdtemp(prefix="bench_brian2_run_args_")
    try:
        brian2.set_device("cpp_standalone", directory=project, build_on_run=False)
        brian2.prefs.devices.cpp_standalone.openmp_threads = spec["threads"]
        ms, mV, cm = brian2.ms, brian2.mV, brian2.cm
        area = 20000 * brian2.umetre**2
        namespace = {"Cm": (1 * brian2.ufarad * cm**-2) * area, "gl": (5e-5 * brian2.siemens * cm**-2) * area,
                     "EI": -60 * mV, "EK": -90 * mV, "ENa": 50 * mV,
                     "g_kd": (30 * brian2.msiemens * cm**-2) * area, "VT": -63 * mV}
        group = brian2.NeuronGroup(block * block, HH_EQUATIONS, method="exponential_euler", threshold="v > -20*mV",
                                   refractory="v > -20*mV", dt=0.01 * ms, namespace=namespace)
        group.v = -60 * mV
        spikes = brian2.SpikeMonitor(group)
        brian2.run(duration * brian2.second)
        began = time.perf_counter()
        brian2.get_device().build(directory=project, compile=True, run=False, with_output=False)
        built = time.perf_counter()
        g_na_values, i_values = np.linspace(10, 100, side), np.linspace(0, 20, side)
        total = 0
        for a in range(0, side, block):
            for b in range(0, side, block):
                g_na, current = np.meshgrid(g_na_values[a:a + block], i_values[b:b + block])
                brian2.get_device().run(run_args={
                    group.g_na: g_na.ravel() * brian2.msiemens * cm**-2 * area, group.I: current.ravel() * brian2.nA})
                total += spikes.num_spikes
        runs = (side // block) ** 2
        return {"build_s": built - began, "runs_s": time.perf_counter() - built, "runs": runs,
                "per_run_s": (time.perf_counter() - built) / runs, "spikes": int(total)}
    finally:
        shutil.rmtree(project, ignore_errors=True)


if __name__ == "__main__":
    harness.worker_main(_worker)
