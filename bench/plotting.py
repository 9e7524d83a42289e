"""Benchmark of simcore.plotting's raster; prints JSON.

A raster of ``--spikes`` (10 million) random spikes of ``--neurons`` neurons over ``--duration-s`` seconds, given as
a SpikeMonitor gives them (indices, and times as a Quantity in seconds), drawn by ``plot_raster`` into a new
figure and written as a PNG with Agg (the issue's target: under 5 s for 10 million spikes):

- plot_s: the ``plot_raster`` call (unit conversion, one Line2D);
- savefig_s: rendering and writing the PNG;
- total_s: both (the figure: minimum over ``--repeat``), with the PNG's size and the load average.

Run:  python bench/plotting.py [--spikes N] [--neurons N] [--duration-s S] [--repeat R] [--dpi D]
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (after choosing the backend)
import numpy as np  # noqa: E402

from simcore.plotting import plot_raster  # noqa: E402
from simcore.units import Quantity, second  # noqa: E402


def time_raster(indices: np.ndarray, times, path: Path, dpi: int) -> tuple[float, float]:
    """Seconds spent in plot_raster and in savefig for one figure."""
    figure, axes = plt.subplots(figsize=(8, 5))
    start = time.perf_counter()
    plot_raster(indices, times, axes=axes)
    plotted = time.perf_counter()
    figure.savefig(path, dpi=dpi)
    saved = time.perf_counter()
    plt.close(figure)
    return plotted - start, saved - plotted


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--spikes", type=int, default=10_000_000)
    parser.add_argument("--neurons", type=int, default=100_000)
    parser.add_argument("--duration-s", type=float, default=10.0)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--dpi", type=int, default=100)
    args = parser.parse_args()

    rng = np.random.default_rng(0)
    times = Quantity(np.sort(rng.random(args.spikes)) * args.duration_s, second)
    indices = rng.integers(0, args.neurons, args.spikes).astype(np.int32)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "raster.png"
        runs = [time_raster(indices, times, path, args.dpi) for _ in range(args.repeat)]
        png_bytes = path.stat().st_size
    best = min(runs, key=sum)
    print(json.dumps({
        "spikes": args.spikes,
        "neurons": args.neurons,
        "dpi": args.dpi,
        "plot_s": round(best[0], 3),
        "savefig_s": round(best[1], 3),
        "total_s": round(sum(best), 3),
        "total_s_all": [round(sum(run), 3) for run in runs],
        "png_bytes": png_bytes,
        "matplotlib": matplotlib.__version__,
        "load_average_1min": round(os.getloadavg()[0], 2),
    }, indent=2))


if __name__ == "__main__":
    main()
