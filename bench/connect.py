"""Benchmark of synapse creation (``simcore.codegen.connect``); prints JSON.

10,000 x 10,000 candidate pairs (1e8) in three requests:

- ``p_0.02``: ``connect(p=0.02)`` (geometric skips over the candidates);
- ``p_0.02_condition``: ``connect(condition='i != j', p=0.02)`` (the same sample, then the condition);
- ``rand_condition``: ``connect(condition='rand() < 0.02')`` (a draw for every pair).

For each, in one process with an empty ``SIMCORE_CACHE_DIR`` (a fresh temporary folder):
``cold_s`` = the first call (generates, compiles, runs); ``warm_s`` = the minimum of
``--repeat`` further calls; then, in a second process with the same folder, ``cached_s``
= the first call there (loads the compiled kernel from the disk cache, runs). Also the
number of synapses and numba's thread count.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

REQUESTS = {
    "p_0.02": {"p": 0.02},
    "p_0.02_condition": {"p": 0.02, "condition": "i != j"},
    "rand_condition": {"condition": "rand() < 0.02"},
}


def measure(name: str, size: int, repeat: int) -> dict:
    """Times of one request in this process (import inside: SIMCORE_CACHE_DIR is set by then)."""
    import numba

    from simcore.backends.cache import load_module
    from simcore.codegen.connect import ConnectRequest, connect_pairs
    from simcore.equations.parser import parse_expression

    spec = REQUESTS[name]
    condition = parse_expression(spec["condition"]).expr if "condition" in spec else None
    request = ConnectRequest(size, size, condition=condition, p=spec.get("p", 1.0))
    began = time.perf_counter()
    i, _ = connect_pairs(request, {}, seed=1, stream=1, load=load_module)
    first = time.perf_counter() - began
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        connect_pairs(request, {}, seed=1, stream=1, load=load_module)
        times.append(time.perf_counter() - began)
    return {"first_s": first, "warm_s": min(times) if times else None, "synapses": int(i.size),
            "threads": numba.get_num_threads()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=10_000, help="neurons in each group")
    parser.add_argument("--repeat", type=int, default=5, help="warm calls per request")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args.child, args.size, args.repeat)))
        return
    results = {"pairs": args.size**2}
    for name in REQUESTS:
        with tempfile.TemporaryDirectory() as cache:
            env = {**os.environ, "SIMCORE_CACHE_DIR": cache}

            def child(repeat: int, request: str = name, environment: dict = env) -> dict:
                command = [sys.executable, __file__, "--child", request, "--size", str(args.size),
                           "--repeat", str(repeat)]
                done = subprocess.run(command, capture_output=True, text=True, check=True, env=environment)
                return json.loads(done.stdout)

            cold = child(args.repeat)
            cached = child(0)
        results[name] = {"cold_s": cold["first_s"], "warm_s": cold["warm_s"], "cached_s": cached["first_s"],
                         "synapses": cold["synapses"], "threads": cold["threads"]}
    results["loadavg_1min"] = os.getloadavg()[0]
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
