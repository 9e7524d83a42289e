"""Benchmark of simcore.kernels.fastmath against numba's ``math.*`` (scalar libm calls); prints JSON.

Nanoseconds per element (best of REPEAT runs, after a run that compiles) of njit loops over N elements, in float64
and float32, compiled as generated kernels are (``error_model='numpy'``, no fast-math flags):

- exp, log, expm1, tanh: ``out[k] = f(x[k])``, ``math.f`` against the fast function;
- hh_rates: alpha_m = 0.1*(v + 40)/(1 - exp(-(v + 40)/10)) and beta_m = 4*exp(-(v + 65)/18), written as simcore
  prints them (``_exprel_reciprocal`` and ``math.exp``): ``simcore.kernels.scalar.LIBM_MATH``'s exprel_reciprocal
  (through ``math.exp``) against fastmath's ``exprel_reciprocal`` and ``exp``; two outputs per element;
- ``*_contract``: the fast loops compiled with ``fastmath={'contract'}`` (FMA; inf and NaN handling kept).
"""

from __future__ import annotations

import json
import math
import platform
import time

import numba
import numpy as np
from numba import njit

from simcore.kernels import fastmath as fm
from simcore.kernels import scalar

N = 1_000_000
REPEAT = 7


def _loops(real, flags):
    """name -> (math loop or None, fast loop) for one float type."""
    single = real is np.float32
    fast = {name: getattr(fm, name + ("_f32" if single else "")) for name in ("exp", "log", "expm1", "tanh",
                                                                                "exprel_reciprocal")}
    libm_exprel_reciprocal = njit(inline="always", error_model="numpy")(
        scalar.LIBM_MATH["_exprel_reciprocal" + ("_f32" if single else "")])
    c01, c10, c40, c4, c65, c18 = (real(c) for c in (0.1, 10.0, 40.0, 4.0, 65.0, 18.0))

    def unary(function):
        @njit(error_model="numpy", fastmath=flags)
        def loop(x, out, _):
            for k in range(x.shape[0]):
                out[k] = function(x[k])
        return loop

    @njit(error_model="numpy")
    def hh_math(v, alpha, beta):
        for k in range(v.shape[0]):
            alpha[k] = c01 * c10 * libm_exprel_reciprocal(-(v[k] + c40) / c10)
            beta[k] = c4 * math.exp(-(v[k] + c65) / c18)

    exprel_reciprocal, exp = fast["exprel_reciprocal"], fast["exp"]

    @njit(error_model="numpy", fastmath=flags)
    def hh_fast(v, alpha, beta):
        for k in range(v.shape[0]):
            alpha[k] = c01 * c10 * exprel_reciprocal(-(v[k] + c40) / c10)
            beta[k] = c4 * exp(-(v[k] + c65) / c18)

    loops = {name: (None if flags else unary(getattr(math, name)), unary(fast[name]))
             for name in ("exp", "log", "expm1", "tanh")}
    loops["hh_rates"] = (None if flags else hh_math, hh_fast)
    return loops


def _inputs(name: str, real) -> np.ndarray:
    rng = np.random.default_rng(0)
    low, high = {"log": (1e-3, 1e3), "hh_rates": (-90.0, 40.0)}.get(name, (-20.0, 20.0))
    return rng.uniform(low, high, N).astype(real)


def _ns_per_element(loop, x: np.ndarray) -> float:
    out, other = np.empty_like(x), np.empty_like(x)
    loop(x, out, other)
    best = math.inf
    for _ in range(REPEAT):
        start = time.perf_counter()
        loop(x, out, other)
        best = min(best, time.perf_counter() - start)
    return best / x.shape[0] * 1e9


def main() -> dict:
    results = {"n": N, "repeat": REPEAT, "numba": numba.__version__, "cpu": numba.config.CPU_NAME
               or __import__("llvmlite.binding", fromlist=["binding"]).get_host_cpu_name(),
               "machine": platform.machine()}
    for real, label in ((np.float64, "float64"), (np.float32, "float32")):
        for flags, suffix in ((False, ""), ({"contract"}, "_contract")):
            for name, (math_loop, fast_loop) in _loops(real, flags).items():
                x = _inputs(name, real)
                entry = results.setdefault(f"{name}_{label}", {})
                if math_loop is not None:
                    entry["math_ns"] = round(_ns_per_element(math_loop, x), 3)
                entry[f"fast{suffix}_ns"] = round(_ns_per_element(fast_loop, x), 3)
                if "math_ns" in entry:
                    entry[f"speedup{suffix}"] = round(entry["math_ns"] / entry[f"fast{suffix}_ns"], 2)
    return results


if __name__ == "__main__":
    print(json.dumps(main(), indent=1))
