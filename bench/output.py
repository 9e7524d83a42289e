"""Benchmark of streaming monitors to HDF5 (issue 6); prints JSON.

The CUBA network of bench/networks.py (40,000 neurons, 80 synapses each) with a SpikeMonitor on all
neurons and a StateMonitor of v on 1000 of them, run for ``--duration`` (10 s) twice in new processes:
records kept in memory, and streamed into an HDF5 file (``--compression``, 'auto' by default: lzf for
the spikes, none for the traces). Figures: the
run's wall time in each (and their ratio: the target is at most 1.10), peak memory, spikes, the file's
size and its bytes per spike (spike datasets only) and per trace value.

Run:  python bench/output.py [--duration S] [--neurons N] [--traces K] [--compression auto|lzf|gzip|none]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time

import harness
import networks


def _worker(spec: dict) -> dict:
    import h5py
    import numpy as np

    import simcore

    data_path = os.path.join(spec["folder"], "cuba.npz")
    with np.load(data_path) as stored:
        data = {name: stored[name] for name in stored.files}
    simcore.start_scope()
    network = networks.build_network(simcore, "cuba", spec["n"], 80, data, lambda s, i, j: s.connect(i=i, j=j))
    group = network["objects"][0]
    trace = simcore.StateMonitor(group, "v", record=range(spec["traces"]))
    output = None
    if spec["file"]:
        output = simcore.Output(spec["file"], overwrite=True, compression=spec["compression"])
    net = simcore.Network(*network["objects"], trace, output=output)
    net.run(10 * simcore.defaultclock.dt)
    harness.reset_peak_rss()
    before = harness.current_rss_bytes()
    start = time.perf_counter()
    net.run(spec["duration"] * simcore.second)
    run_s = time.perf_counter() - start
    spikes = int(network["populations"]["neurons"][0].num_spikes)
    result = {"run_s": run_s, "spikes": spikes, "peak_rss_above_start_bytes": harness.peak_rss_bytes() - before}
    if spec["file"]:
        with h5py.File(spec["file"], "r") as stored:
            spike_group = stored["spikemonitor"]
            spike_bytes = sum(spike_group[name].id.get_storage_size() for name in ("i", "t"))
            trace_bytes = stored["statemonitor"]["v"].id.get_storage_size()
            values = stored["statemonitor"]["v"].size
        result.update({"file_bytes": os.path.getsize(spec["file"]), "bytes_per_spike": spike_bytes / max(spikes, 1),
                       "bytes_per_trace_value": trace_bytes / max(values, 1)})
    return result


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument("--neurons", type=int, default=40000)
    parser.add_argument("--traces", type=int, default=1000)
    parser.add_argument("--compression", default="auto", choices=["auto", "lzf", "gzip", "none"])
    args = parser.parse_args(argv)
    folder = tempfile.mkdtemp(prefix="bench_output_")
    networks.make_data("cuba", args.neurons, 80, os.path.join(folder, "cuba.npz"))
    spec = {"n": args.neurons, "traces": args.traces, "duration": args.duration, "folder": folder,
            "compression": None if args.compression == "none" else args.compression}
    results = {"machine": harness.machine(), "simcore_git": harness.git_state(), "parameters": vars(args)}
    harness.progress("in memory")
    results["in_memory"] = harness.call_worker(sys.executable, __file__, {**spec, "file": None})
    harness.progress("streamed to HDF5")
    results["hdf5"] = harness.call_worker(sys.executable, __file__, {**spec, "file": os.path.join(folder, "run.h5")})
    results["hdf5_over_in_memory_run_s"] = results["hdf5"]["run_s"] / results["in_memory"]["run_s"]
    harness.progress(f"run: in memory {results['in_memory']['run_s']:.2f} s, HDF5 {results['hdf5']['run_s']:.2f} s "
                     f"(x{results['hdf5_over_in_memory_run_s']:.3f}); {results['hdf5'].get('bytes_per_spike', 0):.2f} "
                     f"bytes per spike, {results['hdf5'].get('bytes_per_trace_value', 0):.2f} per trace value")
    print(json.dumps(results, indent=1))
    return results


if __name__ == "__main__" and not harness.worker_main(_worker):
    main()
