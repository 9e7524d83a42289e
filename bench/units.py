"""Benchmark of simcore.units; prints JSON.

- import_s: wall time of ``import simcore.units`` in a fresh interpreter (median of 5,
  pint's definition cache already on disk), which includes ``simcore/__init__``;
- import_units_only_s: the cumulative time of the ``simcore.units`` package itself
  (``python -X importtime``), without what its parent package imports;
- to_si_1e6_ms: ``to_si`` of a 1e6-element quantity in mV (median);
- wrap_1e6_us: ``Quantity(array_1e6, 'mV')`` (median; wraps without a copy);
- scalar_add_us, scalar_div_collapse_us, array_mul_1e6_ms: costs of ordinary arithmetic.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time

import numpy as np


def _median_time(function, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def import_times(runs: int = 5) -> tuple[float, float]:
    code = "import time; t = time.perf_counter(); import simcore.units; print(time.perf_counter() - t)"
    subprocess.run([sys.executable, "-c", "import simcore.units"], check=True)  # fill the pint cache
    walls, own = [], []
    for _ in range(runs):
        out = subprocess.run([sys.executable, "-X", "importtime", "-c", code], capture_output=True, text=True)
        walls.append(float(out.stdout.strip()))
        for line in out.stderr.splitlines():
            fields = [field.strip() for field in line.split("|")]
            if len(fields) == 3 and fields[2] == "simcore.units":
                own.append(int(fields[1]) * 1e-6)
                break
    return statistics.median(walls), statistics.median(own) if own else float("nan")


def main() -> None:
    from simcore.units import Quantity, ms, mV, to_si

    array = np.random.default_rng(0).random(1_000_000)
    quantity = Quantity(array, "mV")
    a, b = 3 * mV, 2 * mV
    thousand = range(1000)
    wall, own = import_times()
    figures = {
        "import_s": round(wall, 4),
        "import_units_only_s": round(own, 4),
        "to_si_1e6_ms": round(_median_time(lambda: to_si(quantity), 20) * 1e3, 3),
        "wrap_1e6_us": round(_median_time(lambda: Quantity(array, "mV"), 200) * 1e6, 2),
        "array_mul_1e6_ms": round(_median_time(lambda: quantity * 2, 20) * 1e3, 3),
        "scalar_add_us": round(_median_time(lambda: [a + b for _ in thousand], 20) * 1e3, 3),
        "scalar_div_collapse_us": round(
            _median_time(lambda: [(10 * ms) / ms for _ in thousand], 20) * 1e3, 3
        ),
    }
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
