"""Benchmark of simcore.random; prints JSON.

Draws per second (best of 5 runs, after a warm-up run that compiles) for 1e7 draws
written into an array, index = element, one step and stream:

- uniform_serial_per_s, normal_serial_per_s: njit loop calling ``uniform_njit`` /
  ``normal_njit`` (the module-level dispatchers that generated kernels import);
- uniform_prange_per_s, normal_prange_per_s: the same loop as ``prange`` on 2 threads
  (or fewer where the machine has fewer);
- poisson_lam3_serial_per_s, poisson_lam100_serial_per_s: ``poisson_njit`` at lam = 3
  (inversion) and lam = 100 (PTRS);
- *_inline_per_s / *_noinline_per_s: the same loops calling copies of the functions
  compiled with ``inline='always'`` / ``inline='never'`` (their internal helpers always
  inlined), to show what numba-level inlining into the calling kernel gains; the
  exported functions inline ``uniform`` and ``normal`` but not ``poisson``.
"""

from __future__ import annotations

import json
import time

import numba
import numpy as np

from simcore import random as sr

N = 10_000_000
REPEAT = 5


def _loops(uniform, normal, poisson):
    @numba.njit(error_model="numpy")
    def uniform_serial(seed, step, stream, out):
        for i in range(out.size):
            out[i] = uniform(seed, step, i, stream)

    @numba.njit(error_model="numpy", parallel=True)
    def uniform_prange(seed, step, stream, out):
        for i in numba.prange(out.size):
            out[i] = uniform(seed, step, i, stream)

    @numba.njit(error_model="numpy")
    def normal_serial(seed, step, stream, out):
        for i in range(out.size):
            out[i] = normal(seed, step, i, stream)

    @numba.njit(error_model="numpy", parallel=True)
    def normal_prange(seed, step, stream, out):
        for i in numba.prange(out.size):
            out[i] = normal(seed, step, i, stream)

    @numba.njit(error_model="numpy")
    def poisson_serial(lam, seed, step, stream, out):
        for i in range(out.size):
            out[i] = poisson(lam, seed, step, i, stream)

    return uniform_serial, uniform_prange, normal_serial, normal_prange, poisson_serial


def _rate(function, *args) -> float:
    function(*args)  # compile
    best = float("inf")
    for _ in range(REPEAT):
        start = time.perf_counter()
        function(*args)
        best = min(best, time.perf_counter() - start)
    return N / best


def _measure(uniform, normal, poisson, threads: int) -> dict[str, float]:
    uniform_serial, uniform_prange, normal_serial, normal_prange, poisson_serial = _loops(uniform, normal, poisson)
    out = np.empty(N)
    counts = np.empty(N, dtype=np.int64)
    numba.set_num_threads(threads)
    return {
        "uniform_serial_per_s": _rate(uniform_serial, 42, 7, 3, out),
        "uniform_prange_per_s": _rate(uniform_prange, 42, 7, 3, out),
        "normal_serial_per_s": _rate(normal_serial, 42, 7, 3, out),
        "normal_prange_per_s": _rate(normal_prange, 42, 7, 3, out),
        "poisson_lam3_serial_per_s": _rate(poisson_serial, 3.0, 42, 7, 3, counts),
        "poisson_lam100_serial_per_s": _rate(poisson_serial, 100.0, 42, 7, 3, counts),
    }


def main() -> None:
    threads = min(2, numba.config.NUMBA_NUM_THREADS)
    results: dict[str, float | int] = {"draws": N, "prange_threads": threads}
    results.update(_measure(sr.uniform_njit, sr.normal_njit, sr.poisson_njit, threads))
    public = {"uniform", "normal", "poisson"}
    for label, inline in (("inline", "always"), ("noinline", "never")):
        variant = sr._compile_all(
            lambda name, inline=inline: numba.njit(error_model="numpy", inline=inline if name in public else "always")
        )
        for name, value in _measure(variant.uniform, variant.normal, variant.poisson, threads).items():
            results[name.replace("_per_s", f"_{label}_per_s")] = value
    print(json.dumps({key: (f"{value:.4g}" if isinstance(value, float) else value) for key, value in results.items()}))


if __name__ == "__main__":
    main()
