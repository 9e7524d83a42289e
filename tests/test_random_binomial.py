"""simcore.random.binomial: the distribution (chi-square against the exact pmf, moments) on both
sides of the switch from inversion to BTRD, the mirrored p > 1/2, edge cases, and the same draws
in plain Python, njit and numba's CUDA simulator."""

import json
import math
import os
import subprocess
import sys

import numba
import numpy as np
import pytest
from scipy import stats

from simcore import random as sr

binomial_njit = sr.binomial_njit


@numba.njit(error_model="numpy")  # no cache: it would keep stale inlined copies of simcore.random
def _draws(n, p, seed, count):
    out = np.empty(count, np.int64)
    for k in range(count):
        out[k] = binomial_njit(n, p, seed, 7, k, 3)
    return out


# n*min(p, 1-p): 6 and 9.9 (inversion), 10, 50 and 2500 (BTRD); p > 1/2 mirrored; tiny p with huge n
CASES = [(20, 0.3), (100, 0.099), (100, 0.1), (1000, 0.05), (5000, 0.5), (40, 0.9), (1_000_000, 1e-5),
         (200, 0.75)]


@pytest.mark.parametrize("n, p", CASES)
def test_pmf_chi_square(n, p):
    count = 200_000
    k = _draws(n, p, 2024, count)
    assert k.min() >= 0 and k.max() <= n
    lo, hi = int(stats.binom.ppf(1e-4, n, p)), int(stats.binom.isf(1e-4, n, p))
    inner = np.arange(lo + 1, hi)
    observed = np.concatenate([[np.sum(k <= lo)], np.bincount(k, minlength=hi + 1)[lo + 1: hi], [np.sum(k >= hi)]])
    probabilities = np.concatenate([[stats.binom.cdf(lo, n, p)], stats.binom.pmf(inner, n, p),
                                    [stats.binom.sf(hi - 1, n, p)]])
    assert stats.chisquare(observed, count * probabilities / probabilities.sum()).pvalue > 1e-4


@pytest.mark.parametrize("n, p", [(10**9, 0.4), (10**7, 0.002), (30, 0.34)])
def test_mean_and_variance(n, p):
    count = 200_000
    k = _draws(n, p, 99, count)
    mean, var = n * p, n * p * (1 - p)
    assert abs(k.mean() - mean) < 5 * math.sqrt(var / count)
    assert abs(k.var() / var - 1) < 5 * math.sqrt(2 / count)


def test_edge_cases():
    for n, p, expected in [(0, 0.5, 0), (-3, 0.5, 0), (10, 0.0, 0), (10, -1.0, 0), (10, float("nan"), 0),
                           (10, 1.0, 10), (10, 2.0, 10), (7, math.inf, 7)]:
        assert sr.binomial(n, p, 1, 2, 3, 4) == expected
        assert binomial_njit(n, p, 1, 2, 3, 4) == expected


@pytest.mark.parametrize("n, p", [(20, 0.3), (5000, 0.5), (10**6, 0.3), (50, 0.95)])
def test_plain_python_equals_njit(n, p):
    plain = [int(sr.binomial(n, p, 7, 1, i, 2)) for i in range(200)]
    jitted = [int(binomial_njit(n, p, 7, 1, i, 2)) for i in range(200)]
    assert plain == jitted


def test_exports():
    assert sr.jit_functions().binomial is sr.binomial_njit and "binomial" in sr.__all__
    assert sr.BINOMIAL_BTRD_MIN_MEAN == 10.0


CUDASIM_SCRIPT = """
import json, sys
import numpy as np
import simcore.random as sr
try:
    from numba import cuda
except ImportError as error:
    print(json.dumps({"no_cuda": repr(error)}))
    raise SystemExit(0)
binomial = sr.cuda_device_functions().binomial

@cuda.jit
def kernel(n, p, out):
    j = cuda.grid(1)
    if j < out.size:
        out[j] = binomial(n[j], p[j], 5, 9, j, 4)

n, p = (np.array(a) for a in json.loads(sys.argv[1]))
out = np.zeros(n.size, dtype=np.int64)
kernel[(n.size + 31) // 32, 32](n, p, out)
print(json.dumps(out.tolist()))
"""


def test_cuda_simulator_equals_plain_python():
    n = np.repeat([20, 100, 5000, 10**6, 40], 12)
    p = np.repeat([0.3, 0.1, 0.5, 0.3, 0.9], 12)
    env = dict(os.environ, NUMBA_ENABLE_CUDASIM="1")
    result = subprocess.run([sys.executable, "-c", CUDASIM_SCRIPT, json.dumps([n.tolist(), p.tolist()])],
                            capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout.strip().splitlines()[-1])
    if isinstance(answer, dict):
        pytest.skip(f"numba.cuda cannot be imported: {answer['no_cuda']}")
    assert answer == [int(sr.binomial(a, b, 5, 9, j, 4)) for j, (a, b) in enumerate(zip(n, p, strict=True))]
