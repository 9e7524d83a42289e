"""simcore.random: Philox known answers, the same numbers on every path (plain Python,
njit, njit+prange on 1 and 2 threads, the CUDA simulator), and statistical checks with
fixed seeds (deterministic: a defect fails them, chance does not)."""

from __future__ import annotations

import hashlib
import json
import math
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numba
import numpy as np
import pytest
from scipy import stats

from simcore import random as sr

M32 = 0xFFFFFFFF

# Random123's kat_vectors, philox4x32 10: counter (4 words), key (2 words) -> output.
KNOWN_ANSWERS = [
    ((0, 0, 0, 0), (0, 0), (0x6627E8D5, 0xE169C58D, 0xBC57AC4C, 0x9B00DBD8)),
    ((M32, M32, M32, M32), (M32, M32), (0x408F276D, 0x41C83B0E, 0xA20BC7C6, 0x6D5451FD)),
    (
        (0x243F6A88, 0x85A308D3, 0x13198A2E, 0x03707344),
        (0xA4093822, 0x299F31D0),
        (0xD16CFE09, 0x94FDCCEB, 0x5001E420, 0x24126EA1),
    ),
]

# Counter fields at their edges (the layout's limits included), and Poisson means on
# both sides of the switch from inversion to PTRS.
STEPS = [0, 1, 2, 999, 2**32 - 1, 2**32, sr.MAX_STEP - 1]
INDICES = [0, 1, 2, 3, 2**31, 2**32 - 1, 2**32, sr.MAX_INDEX - 1]
STREAMS = [0, 1, 7, sr.MAX_STREAM - 1]
SEEDS = [0, 1, 12345, 2**63 - 1]
LAMS = [0.0, 0.1, 3.0, 9.99, 10.0, 30.0, 1e3, 1e7]

uniform_njit, normal_njit, poisson_njit = sr.uniform_njit, sr.normal_njit, sr.poisson_njit


@numba.njit(error_model="numpy")  # no cache: it would keep stale inlined copies of simcore.random
def _fill_serial(seed, steps, indices, streams, lams, u, z, k):
    for j in range(u.size):
        u[j] = uniform_njit(seed, steps[j], indices[j], streams[j])
        z[j] = normal_njit(seed, steps[j], indices[j], streams[j])
        k[j] = poisson_njit(lams[j], seed, steps[j], indices[j], streams[j])


@numba.njit(error_model="numpy", parallel=True)
def _fill_prange(seed, steps, indices, streams, lams, u, z, k):
    for j in numba.prange(u.size):
        u[j] = uniform_njit(seed, steps[j], indices[j], streams[j])
        z[j] = normal_njit(seed, steps[j], indices[j], streams[j])
        k[j] = poisson_njit(lams[j], seed, steps[j], indices[j], streams[j])


def _draw(seed, steps, indices, streams, lams=0.0, fill=_fill_serial):
    steps, indices, streams, lams = np.broadcast_arrays(
        np.asarray(steps, np.int64),
        np.asarray(indices, np.int64),
        np.asarray(streams, np.int64),
        np.asarray(lams, float),
    )
    shape = steps.shape
    flat = [np.ascontiguousarray(a).ravel() for a in (steps, indices, streams, lams)]
    u, z, k = np.empty(flat[0].size), np.empty(flat[0].size), np.empty(flat[0].size, np.int64)
    fill(seed, *flat, u, z, k)
    return u.reshape(shape), z.reshape(shape), k.reshape(shape)


def _grid():
    step, index, stream = (a.ravel() for a in np.meshgrid(STEPS, INDICES, STREAMS, indexing="ij"))
    lams = np.resize(LAMS, step.size)
    return step, index, stream, lams


def _plain(seed, step, index, stream, lams):
    u = np.array([sr.uniform(seed, int(s), int(i), int(c)) for s, i, c in zip(step, index, stream, strict=True)])
    z = np.array([sr.normal(seed, int(s), int(i), int(c)) for s, i, c in zip(step, index, stream, strict=True)])
    k = np.array(
        [sr.poisson(lam, seed, int(s), int(i), int(c)) for s, i, c, lam in zip(step, index, stream, lams, strict=True)],
        dtype=np.int64,
    )
    return u, z, k


# --- the generator itself -----------------------------------------------------------------


@pytest.mark.parametrize("function", [sr.philox4x32, sr.philox4x32_njit], ids=["plain", "njit"])
@pytest.mark.parametrize("counter, key, expected", KNOWN_ANSWERS)
def test_philox_known_answers(function, counter, key, expected):
    assert tuple(int(word) for word in function(*counter, *key)) == expected


def test_counter_layout():
    seed, step, index, stream, sub = 0x0123456789ABCDEF, 0xAB_CDEF_0123_4567, 0xFE_DCBA_9876, 0xC0FFEE, 0x5A
    expected = sr.philox4x32(
        index & M32,
        (index >> 32) | (stream << 8),
        step & M32,
        (step >> 32) | (sub << 24),
        seed & M32,
        seed >> 32,
    )
    assert sr.philox_block(seed, step, index, stream, sub) == expected
    assert sr.philox_block_njit(seed, step, index, stream, sub) == expected
    # Fields are masked to their widths: out-of-range values wrap (callers check ranges).
    assert sr.philox_block(1, 2, 3 + sr.MAX_INDEX, 4, 0) == sr.philox_block(1, 2, 3, 4, 0)
    assert sr.philox_block(1, 2 + sr.MAX_STEP, 3, 4, 0) == sr.philox_block(1, 2, 3, 4, 0)
    assert sr.philox_block(1, 2, 3, 4 + sr.MAX_STREAM, 0) == sr.philox_block(1, 2, 3, 4, 0)


def test_counter_fields_never_collide():
    blocks = set()
    for step in STEPS:
        for index in INDICES:
            for stream in STREAMS:
                for sub in (0, 1, 255):
                    blocks.add(tuple(int(w) for w in sr.philox_block_njit(7, step, index, stream, sub)))
    assert len(blocks) == len(STEPS) * len(INDICES) * len(STREAMS) * 3


def test_unit53_bounds():
    assert sr._unit53(np.uint64(0), np.uint64(0)) == 0.0
    top = sr._unit53(np.uint64(M32), np.uint64(M32))
    assert top == 1.0 - 2.0**-53 and top < 1.0
    assert sr.jit_functions().unit53(np.uint64(M32), np.uint64(M32)) == top
    assert 1.0 - top > 0.0  # normal's log(1 - u) stays finite


def test_log_factorial_matches_lgamma():
    ks = list(range(200)) + [10**3, 12345, 10**6, 10**9, 10**12]
    for k in ks:
        reference = math.lgamma(k + 1)
        assert abs(sr._log_factorial(k) - reference) <= 1e-14 * max(1.0, abs(reference)), k
        assert sr.jit_functions().log_factorial(k) == sr._log_factorial(k)


# --- the same numbers everywhere ------------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
def test_plain_python_equals_njit_and_prange(seed):
    step, index, stream, lams = _grid()
    expected = _plain(seed, step, index, stream, lams)
    serial = _draw(seed, step, index, stream, lams)
    previous = numba.get_num_threads()
    try:
        for threads in sorted({1, min(2, numba.config.NUMBA_NUM_THREADS)}):
            numba.set_num_threads(threads)
            parallel = _draw(seed, step, index, stream, lams, fill=_fill_prange)
            for want, got_serial, got_parallel in zip(expected, serial, parallel, strict=True):
                assert want.tobytes() == got_serial.tobytes()
                assert want.tobytes() == got_parallel.tobytes()
    finally:
        numba.set_num_threads(previous)
    scalar = (uniform_njit(seed, 5, 6, 7), normal_njit(seed, 5, 6, 7), poisson_njit(30.0, seed, 5, 6, 7))
    assert scalar == (sr.uniform(seed, 5, 6, 7), sr.normal(seed, 5, 6, 7), sr.poisson(30.0, seed, 5, 6, 7))


def test_prange_large_equals_serial_on_one_and_two_threads():
    index = np.arange(200_000)
    lams = np.resize(LAMS, index.size)
    serial = _draw(99, 17, index, 3, lams)
    previous = numba.get_num_threads()
    try:
        for threads in sorted({1, min(2, numba.config.NUMBA_NUM_THREADS)}):
            numba.set_num_threads(threads)
            parallel = _draw(99, 17, index, 3, lams, fill=_fill_prange)
            assert all(a.tobytes() == b.tobytes() for a, b in zip(serial, parallel, strict=True))
    finally:
        numba.set_num_threads(previous)


CUDASIM_SCRIPT = textwrap.dedent(
    """
    import json, sys
    import numpy as np
    import simcore.random as sr
    imported_cuda_early = "numba.cuda" in sys.modules
    try:
        from numba import cuda
    except ImportError as error:
        print(json.dumps({"no_cuda": repr(error)}))
        raise SystemExit(0)
    d = sr.cuda_device_functions()
    uniform, normal, poisson = d.uniform, d.normal, d.poisson

    @cuda.jit
    def kernel(seed, steps, indices, streams, lams, u, z, k):
        j = cuda.grid(1)
        if j < u.size:
            u[j] = uniform(seed, steps[j], indices[j], streams[j])
            z[j] = normal(seed, steps[j], indices[j], streams[j])
            k[j] = poisson(lams[j], seed, steps[j], indices[j], streams[j])

    args = json.loads(sys.argv[1])
    steps, indices, streams = (np.array(args[name], dtype=np.int64) for name in ("steps", "indices", "streams"))
    lams = np.array(args["lams"])
    n = steps.size
    u, z, k = np.zeros(n), np.zeros(n), np.zeros(n, dtype=np.int64)
    kernel[(n + 63) // 64, 64](args["seed"], steps, indices, streams, lams, u, z, k)
    print(json.dumps({"imported_cuda_early": imported_cuda_early, "u": u.tobytes().hex(),
                      "z": z.tobytes().hex(), "k": k.tobytes().hex()}))
    """
)


def test_cuda_simulator_equals_plain_python():
    step, index, stream, lams = (a[:224] for a in _grid())
    seed = 2**63 - 25
    args = {
        "seed": seed,
        "steps": step.tolist(),
        "indices": index.tolist(),
        "streams": stream.tolist(),
        "lams": lams.tolist(),
    }
    env = dict(os.environ, NUMBA_ENABLE_CUDASIM="1")
    result = subprocess.run(
        [sys.executable, "-c", CUDASIM_SCRIPT, json.dumps(args)], capture_output=True, text=True, env=env, timeout=300
    )
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout.strip().splitlines()[-1])
    if "no_cuda" in answer:
        pytest.skip(f"numba.cuda cannot be imported: {answer['no_cuda']}")
    assert answer["imported_cuda_early"] is False  # `import simcore.random` must not import numba.cuda
    u, z, k = _plain(seed, step, index, stream, lams)
    assert answer["u"] == u.tobytes().hex()
    assert answer["z"] == z.tobytes().hex()
    assert answer["k"] == k.tobytes().hex()


# --- statistics (fixed seeds) ---------------------------------------------------------------

N_STEPS, N_INDICES = 1000, 1000  # 1e6 draws: 1000 steps x 1000 elements


@pytest.fixture(scope="module")
def big_draws():
    step, index = np.meshgrid(np.arange(N_STEPS), np.arange(N_INDICES), indexing="ij")
    u, z, _ = _draw(20240601, step, index, 5)
    return u, z


def _within(value, expected, sigma, n_sigma=5.0):
    assert abs(value - expected) < n_sigma * sigma, (value, expected, sigma)


def test_uniform_range_and_resolution(big_draws):
    u, _ = big_draws
    assert u.min() >= 0.0 and u.max() < 1.0
    scaled = u * 2.0**53
    assert np.array_equal(scaled, np.floor(scaled))  # multiples of 2**-53
    assert np.unique(u).size == u.size


def test_uniform_moments_and_histogram(big_draws):
    u, _ = big_draws
    n = u.size
    _within(u.mean(), 0.5, math.sqrt(1 / 12 / n))
    _within(u.var(), 1 / 12, math.sqrt((1 / 80 - 1 / 144) / n))
    counts = np.histogram(u, bins=100, range=(0.0, 1.0))[0]
    assert stats.chisquare(counts).pvalue > 1e-4
    # the low bits too: the 32 lowest bits of the 53 behave like fair coin flips
    low = (u.ravel() * 2.0**53).astype(np.uint64) & np.uint64(0xFF)
    assert stats.chisquare(np.bincount(low.astype(np.int64), minlength=256)).pvalue > 1e-4


def test_normal_moments_and_ks(big_draws):
    _, z = big_draws
    n = z.size
    assert np.isfinite(z).all() and np.abs(z).max() < 8.58
    _within(z.mean(), 0.0, math.sqrt(1 / n))
    _within(z.var(), 1.0, math.sqrt(2 / n))
    _within(np.mean(z**3), 0.0, math.sqrt(15 / n))
    _within(np.mean(z**4), 3.0, math.sqrt(96 / n))
    assert stats.kstest(z.ravel(), "norm").pvalue > 1e-4


@pytest.mark.parametrize("lam", [0.1, 3.0, 9.99, 10.0, 30.0, 1e3, 1e6])
def test_poisson_mean_and_variance(lam):
    k = _draw(777, 3, np.arange(1_000_000), 11, lam)[2]
    n = k.size
    assert k.min() >= 0
    _within(k.mean(), lam, math.sqrt(lam / n))
    _within(k.var(), lam, math.sqrt((lam + 2 * lam**2) / n))


@pytest.mark.parametrize("lam", [3.0, 10.0, 30.0])
def test_poisson_pmf_chi_square(lam):
    """lam = 3 exercises the inversion, 10 and 30 the PTRS rejection method."""
    n = 1_000_000
    k = _draw(4242, 8, np.arange(n), 2, lam)[2]
    lo, hi = int(stats.poisson.ppf(1e-4, lam)), int(stats.poisson.isf(1e-4, lam))
    inner = np.arange(lo + 1, hi)
    observed = np.concatenate([[np.sum(k <= lo)], np.bincount(k, minlength=hi + 1)[lo + 1 : hi], [np.sum(k >= hi)]])
    probabilities = np.concatenate(
        [[stats.poisson.cdf(lo, lam)], stats.poisson.pmf(inner, lam), [stats.poisson.sf(hi - 1, lam)]]
    )
    assert abs(probabilities.sum() - 1.0) < 1e-12
    assert stats.chisquare(observed, n * probabilities / probabilities.sum()).pvalue > 1e-4


def test_poisson_edge_cases():
    for lam in (0.0, -1.0, float("nan"), -math.inf):
        assert sr.poisson(lam, 1, 2, 3, 4) == 0
        assert poisson_njit(lam, 1, 2, 3, 4) == 0
    big = np.array([poisson_njit(1e12, 5, 0, i, 0) for i in range(1000)])
    _within(big.mean(), 1e12, math.sqrt(1e12 / big.size))


# --- independence ---------------------------------------------------------------------------


def _assert_uncorrelated(a, b):
    a, b = np.ravel(a), np.ravel(b)
    assert abs(np.corrcoef(a, b)[0, 1]) < 5 / math.sqrt(a.size)


def test_neighbours_are_uncorrelated():
    n = 250_000
    index = np.arange(n)
    u0, z0, _ = _draw(31, 10, index, 4)
    u_step, z_step, _ = _draw(31, 11, index, 4)
    u_stream, z_stream, _ = _draw(31, 10, index, 5)
    u_seed, _, _ = _draw(32, 10, index, 4)
    u_swap, _, _ = _draw(31, index, 10, 4)  # step and index exchanged
    _assert_uncorrelated(u0[:-1], u0[1:])  # adjacent elements
    _assert_uncorrelated(z0[:-1], z0[1:])
    _assert_uncorrelated(u0, u_step)  # adjacent steps
    _assert_uncorrelated(z0, z_step)
    _assert_uncorrelated(u0, u_stream)  # adjacent streams
    _assert_uncorrelated(z0, z_stream)
    _assert_uncorrelated(u0, u_seed)  # adjacent seeds
    _assert_uncorrelated(u0, u_swap)
    # the two uniforms inside one normal draw, and uniform against normal on another stream
    _assert_uncorrelated(u0, z_stream)


def test_different_seeds_differ():
    index = np.arange(10_000)
    a = _draw(1, 0, index, 0)[0]
    b = _draw(2, 0, index, 0)[0]
    assert not np.any(a == b)
    assert sr.uniform(2**63 - 1, 0, 0, 0) != sr.uniform(2**63 - 2, 0, 0, 0)


# --- Python-side helpers --------------------------------------------------------------------


def test_make_seed():
    assert sr.make_seed(0) == 0
    assert sr.make_seed(12345) == 12345
    assert sr.make_seed(np.int64(7)) == 7
    fresh = {sr.make_seed(None) for _ in range(8)}
    assert len(fresh) == 8 and all(0 <= s < 2**63 for s in fresh)
    assert 0 <= sr.make_seed() < 2**63
    for bad in (-1, 2**63):
        with pytest.raises(ValueError, match="2\\*\\*63"):
            sr.make_seed(bad)
    for bad in (1.5, "3", True):
        with pytest.raises(TypeError, match="seed must be an integer"):
            sr.make_seed(bad)


def test_check_counter_ranges():
    sr.check_counter_ranges(sr.MAX_STEP, sr.MAX_INDEX, sr.MAX_STREAM - 1)
    with pytest.raises(ValueError, match="time steps"):
        sr.check_counter_ranges(sr.MAX_STEP + 1, 10, 0)
    with pytest.raises(ValueError, match="indices"):
        sr.check_counter_ranges(10, sr.MAX_INDEX + 1, 0)
    with pytest.raises(ValueError, match="stream"):
        sr.check_counter_ranges(10, 10, sr.MAX_STREAM)


def test_exports_and_source_hash():
    jitted = sr.jit_functions()
    assert jitted.uniform is sr.uniform_njit and jitted.normal is sr.normal_njit and jitted.poisson is sr.poisson_njit
    assert sr.SOURCE_HASH == hashlib.sha256(Path(sr.__file__).read_bytes()).hexdigest()
    assert set(sr.__all__) <= set(dir(sr))
