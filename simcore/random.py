"""Counter-based random numbers: the same draws in plain Python, numba njit (serial or
``prange``) and numba.cuda.

The generator is Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as
1, 2, 3", SC 2011), checked against the Random123 known-answer vectors. It has no
state: a draw is a pure function of ``(seed, step, index, stream)``, so any thread, in
any order, on any backend computes the same number for the same element. Which bits of the key
and counter hold the seed, step, element index, stream and sub-block, and their ranges, are set out
in simcore/random_counter.py, with ``check_counter_ranges`` (compiled code masks, it does not check)
and ``make_seed``.

Draws
-----
- ``uniform``: 53 bits, ``((r0 >> 5) * 2**26 + (r1 >> 6)) * 2**-53``: every double
  ``k * 2**-53`` in [0, 1 - 2**-53]; never 1.0. Integer work plus one exact scaling,
  so it is bitwise identical on every backend, real GPUs included (by construction:
  not yet run on a GPU; the CUDA simulator and a PTX compile for cc 8.0 are checked).
- ``normal``: Box-Muller from one block: ``u1`` from words (r0, r1) as in ``uniform``,
  ``u2`` from words (r2, r3); ``sqrt(-2 log(1 - u1)) * cos(2 pi u2)`` (the sine
  partner is discarded). ``|normal| <= 8.58``.
- ``poisson``: exact. For ``lam < 10`` (POISSON_PTRS_MIN_LAM), inversion by
  sequential search of the CDF with the one uniform of block ``sub = 0`` (expected
  lam + 1 steps). For ``lam >= 10``, Hoermann's PTRS transformed rejection ("The
  transformed rejection method for generating Poisson random variables", Insurance:
  Mathematics and Economics 12, 1993), one block per proposal (U from words r0, r1, V
  from r2, r3), blocks ``sub = 0, 1, ...``. A proposal is accepted with probability at
  least 0.75 (measured: 0.75 at lam = 10, 0.89 for large lam), so the 256 blocks run
  out with probability below 1e-150, in which case ``round(lam)`` is returned.
  ``log(k!)`` is computed here (exact products below 16, Stirling series above) rather
  than with ``math.lgamma``, whose CPython and C-library versions differ in the last
  bits. ``lam <= 0`` or NaN gives 0; keep ``lam`` below 1e17 (int64 counts).
- ``binomial``: exact, on ``q = min(p, 1 - p)`` (the count is mirrored for p > 1/2).
  For ``n*q < 10`` (BINOMIAL_BTRD_MIN_MEAN), inversion by sequential search of the CDF
  with the one uniform of block ``sub = 0`` (expected n*q + 1 steps). From 10 on,
  Hoermann's BTRD transformed rejection ("The generation of binomial random variates",
  J. Statist. Comput. Simul. 46, 1993), one block per proposal (V from words r0, r1, U
  from r2, r3), blocks ``sub = 0, 1, ...``; the Stirling corrections it needs are
  computed like ``log(k!)`` above. BTRD accepts a proposal with probability above 0.8, so
  the 256 blocks run out with probability below 1e-170, in which case the mode is
  returned. ``n <= 0``, ``p <= 0`` or NaN give 0, ``p >= 1`` gives ``n``.

Same numbers everywhere
-----------------------
The functions below are written once, on numpy integer scalars (every constant is a
``np.uint64`` so that njit and numba.cuda's simulator type the arithmetic alike), and
run unchanged as plain Python, under ``numba.njit`` (serial or inside ``prange``) and
as ``numba.cuda.jit(device=True)`` functions. ``uniform`` and ``philox4x32`` agree bit
for bit everywhere. ``normal``, ``poisson`` and ``binomial`` also call ``log``/``cos``/
``exp``/``log1p``/``sqrt``: plain Python, njit and the CUDA simulator share the C library's
versions and agree bit for bit; a real GPU's libdevice versions (and its fused multiply-adds)
may differ in the last bit, which can very rarely change a Poisson or binomial count.

Compiled versions: ``uniform_njit``, ``normal_njit``, ``poisson_njit``, ``binomial_njit``,
``philox4x32_njit``, ``philox_block_njit``: module-level ``numba.njit`` functions
(``cache=True``, ``error_model='numpy'``) for kernels generated into module files to
import by name. All but ``poisson_njit`` and ``binomial_njit`` are ``inline='always'`` (numba inlines them
into the calling kernel; see the comment at ``_NJIT_OPTIONS``). ``uniform_array``, ``normal_array``,
``poisson_array`` and ``binomial_array`` draw for an array of element numbers at once (values set from strings
outside kernels); they live here so that numba's cache of them, which inlines the draws, is renewed whenever this
file changes. ``jit_functions()`` returns the scalar ones as a namespace; ``cuda_device_functions()`` returns
``cuda.jit(device=True)`` versions and is the only place that imports numba.cuda.
``SOURCE_HASH`` (sha256 of this file) belongs in the hash of any generated kernel that
calls these: numba's cache of that kernel keeps its own (inlined) copy of this code and
does not notice changes here.
"""

from __future__ import annotations

import functools
import hashlib
import math
import types
from pathlib import Path

import numba
import numpy as np

from simcore.random_counter import MAX_INDEX, MAX_STEP, MAX_STREAM, MAX_SUB, SEED_LIMIT, check_counter_ranges, make_seed

# random_counter.py's names are part of this module's API (tests and codegen/connect.py use them from here).
__all__ = [
    "BINOMIAL_BTRD_MIN_MEAN", "MAX_INDEX", "MAX_STEP", "MAX_STREAM", "MAX_SUB", "POISSON_PTRS_MIN_LAM", "SEED_LIMIT",
    "SOURCE_HASH", "binomial", "binomial_array", "binomial_njit", "check_counter_ranges", "cuda_device_functions",
    "jit_functions", "make_seed", "normal", "normal_array", "normal_njit", "philox4x32", "philox4x32_njit",
    "philox_block", "philox_block_njit", "poisson", "poisson_array", "poisson_njit", "uniform", "uniform_array",
    "uniform_njit",
]

SOURCE_HASH = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()

POISSON_PTRS_MIN_LAM = 10.0  #: ``poisson`` uses inversion below this mean and PTRS from it on
BINOMIAL_BTRD_MIN_MEAN = 10.0  #: ``binomial`` uses inversion below this n*min(p, 1-p) and BTRD from it on


# ---------------------------------------------------------------------------------------
# The single source: plain functions on numpy integer scalars (see the module docstring).
# ---------------------------------------------------------------------------------------


def philox4x32(c0, c1, c2, c3, k0, k1):
    """Philox4x32-10 of counter (c0, c1, c2, c3) under key (k0, k1).

    Arguments are integers below 2**32 (higher bits are ignored); returns four 32-bit
    words, each held in a ``np.uint64``.
    """
    m32 = np.uint64(0xFFFFFFFF)
    s32 = np.uint64(32)
    x0 = np.uint64(c0) & m32
    x1 = np.uint64(c1) & m32
    x2 = np.uint64(c2) & m32
    x3 = np.uint64(c3) & m32
    key0 = np.uint64(k0) & m32
    key1 = np.uint64(k1) & m32
    for _ in range(10):
        p0 = np.uint64(0xD2511F53) * x0  # 32 x 32 -> 64 bits: the high and low words
        p1 = np.uint64(0xCD9E8D57) * x2
        y0 = (p1 >> s32) ^ x1 ^ key0
        y2 = (p0 >> s32) ^ x3 ^ key1
        x1 = p1 & m32
        x3 = p0 & m32
        x0 = y0
        x2 = y2
        key0 = (key0 + np.uint64(0x9E3779B9)) & m32  # Weyl key schedule
        key1 = (key1 + np.uint64(0xBB67AE85)) & m32
    return x0, x1, x2, x3


def philox_block(seed, step, index, stream, sub):
    """The four 32-bit words of block ``sub`` of draw (seed, step, index, stream)."""
    m32 = np.uint64(0xFFFFFFFF)
    s32 = np.uint64(32)
    key = np.uint64(seed)
    t = np.uint64(step)
    i = np.uint64(index)
    c0 = i & m32
    c1 = ((i >> s32) & np.uint64(0xFF)) | ((np.uint64(stream) & np.uint64(0xFFFFFF)) << np.uint64(8))
    c2 = t & m32
    c3 = ((t >> s32) & np.uint64(0xFFFFFF)) | ((np.uint64(sub) & np.uint64(0xFF)) << np.uint64(24))
    return philox4x32(c0, c1, c2, c3, key & m32, key >> s32)


def _unit53(a, b):
    """A double in [0, 1 - 2**-53] from 27 bits of word ``a`` and 26 bits of word ``b``."""
    bits = ((a >> np.uint64(5)) << np.uint64(26)) | (b >> np.uint64(6))
    return np.float64(bits) * 1.1102230246251565e-16  # 2**-53, exact


def _log_factorial(k):
    """log(k!) for an integer k >= 0, to about 1e-16 relative, using only ``log``."""
    if k < 16:
        f = 1.0
        for j in range(2, k + 1):
            f = f * j  # exact: 15! < 2**53
        return math.log(f)
    x = k + 1.0
    r2 = 1.0 / (x * x)
    series = (
        0.08333333333333333 - r2 * (0.002777777777777778 - r2 * (0.0007936507936507937 - r2 * 0.0005952380952380953))
    ) / x
    return (x - 0.5) * math.log(x) - x + 0.9189385332046728 + series


def uniform(seed, step, index, stream):
    """Uniform double in [0, 1) (53 random bits; never 1.0)."""
    r0, r1, r2, r3 = philox_block(seed, step, index, stream, 0)
    return _unit53(r0, r1)


def normal(seed, step, index, stream):
    """Standard normal double (Box-Muller on the four words of one block)."""
    r0, r1, r2, r3 = philox_block(seed, step, index, stream, 0)
    u1 = 1.0 - _unit53(r0, r1)  # in (0, 1]: log is finite
    u2 = _unit53(r2, r3)
    return math.sqrt(-2.0 * math.log(u1)) * math.cos(6.283185307179586 * u2)


def poisson(lam, seed, step, index, stream):
    """Poisson-distributed int64 with mean ``lam`` (exact; see the module docstring)."""
    if not lam > 0.0:  # also NaN
        return np.int64(0)
    small = lam < POISSON_PTRS_MIN_LAM
    loglam = b = a = log_invalpha = vr = 0.0
    if not small:  # PTRS constants
        loglam = math.log(lam)
        b = 0.931 + 2.53 * math.sqrt(lam)
        a = -0.059 + 0.02483 * b
        log_invalpha = math.log(1.1239 + 1.1328 / (b - 3.4))
        vr = 0.9277 - 3.6224 / (b - 2.0)
    for sub in range(256):  # MAX_SUB; one call site of philox_block keeps inlined code small
        r0, r1, r2, r3 = philox_block(seed, step, index, stream, sub)
        if small:  # inversion: X = k where F(k-1) <= u < F(k)
            u = _unit53(r0, r1)
            p = math.exp(-lam)
            cdf = p
            k = 0
            while u >= cdf and p > 0.0:
                k += 1
                p = p * lam / k
                cdf = cdf + p
            return np.int64(k)
        u = _unit53(r0, r1) - 0.5
        v = _unit53(r2, r3)
        us = 0.5 - abs(u)
        if us == 0.0:  # u == -0.5 exactly: the transform is undefined there
            continue
        x = (2.0 * a / us + b) * u + lam + 0.43
        if not 0.0 <= x < 9.0e18:  # k < 0: rejected (never in the squeeze); k beyond int64: pmf ~ 0
            continue
        kf = math.floor(x)
        if us >= 0.07 and v <= vr:  # squeeze: accept at once
            return np.int64(kf)
        if us < 0.013 and v > us:
            continue
        if v == 0.0:  # log(v) = -inf: accept
            return np.int64(kf)
        lhs = math.log(v) + log_invalpha - math.log(a / (us * us) + b)
        if lhs <= -lam + kf * loglam - _log_factorial(kf):
            return np.int64(kf)
    return np.int64(math.floor(lam + 0.5))  # all 256 proposals rejected: p < 1e-150


def _stirling_correction(k):
    """log(k!) - ((k + 1/2) log(k + 1) - (k + 1) + log(2 pi)/2), the remainder of Stirling's formula."""
    x = k + 1.0
    if k < 16:
        return _log_factorial(k) - ((k + 0.5) * math.log(x) - x + 0.9189385332046728)
    r2 = 1.0 / (x * x)
    return (0.08333333333333333 - r2 * (0.002777777777777778 - r2 * 0.0007936507936507937)) / x


def binomial(n, p, seed, step, index, stream):
    """Binomial(n, p)-distributed int64: successes in ``n`` trials (exact; see the module docstring)."""
    trials = np.int64(n)
    if trials <= 0 or not p > 0.0:  # also NaN
        return np.int64(0)
    if p >= 1.0:
        return trials
    mirrored = p > 0.5
    q = 1.0 - p if mirrored else p
    count = np.int64(0)
    if trials * q < BINOMIAL_BTRD_MIN_MEAN:  # inversion: X = k where F(k-1) <= u < F(k)
        r0, r1, r2, r3 = philox_block(seed, step, index, stream, 0)
        u = _unit53(r0, r1)
        s = q / (1.0 - q)
        a = (trials + 1.0) * s
        f = math.exp(trials * math.log1p(-q))
        cdf = f
        while u >= cdf and count < trials and f > 0.0:
            count += 1
            f = f * (a / count - s)
            cdf = cdf + f
        return trials - count if mirrored else count
    # BTRD set-up
    m = np.int64(math.floor((trials + 1.0) * q))
    r = q / (1.0 - q)
    nr = (trials + 1.0) * r
    npq = trials * q * (1.0 - q)
    spq = math.sqrt(npq)
    b = 1.15 + 2.53 * spq
    a = -0.0873 + 0.0248 * b + 0.01 * q
    c = trials * q + 0.5
    alpha = (2.83 + 5.1 / b) * spq
    vr = 0.92 - 4.2 / b
    urvr = 0.86 * vr
    count = m  # returned if every proposal is rejected (p < 1e-170)
    for sub in range(256):  # MAX_SUB
        r0, r1, r2, r3 = philox_block(seed, step, index, stream, sub)
        v = _unit53(r0, r1)
        if v <= urvr:  # the triangle in the middle: accept at once
            u = v / vr - 0.43
            count = np.int64(math.floor((2.0 * a / (0.5 - abs(u)) + b) * u + c))
            break
        if v >= vr:
            u = _unit53(r2, r3) - 0.5
        else:
            u = v / vr - 0.93
            u = (0.5 if u > 0.0 else -0.5) - u
            v = _unit53(r2, r3) * vr
        us = 0.5 - abs(u)
        if us == 0.0:
            continue
        kf = math.floor((2.0 * a / us + b) * u + c)
        if kf < 0.0 or kf > trials:
            continue
        k = np.int64(kf)
        v = v * alpha / (a / (us * us) + b)
        km = abs(k - m)
        if km <= 15:  # the ratio f(k)/f(m), by recursion
            f = 1.0
            if m < k:
                for i in range(m + 1, k + 1):
                    f = f * (nr / i - r)
            elif m > k:
                for i in range(k + 1, m + 1):
                    v = v * (nr / i - r)
            if v <= f:
                count = k
                break
            continue
        v = math.log(v) if v > 0.0 else -math.inf
        rho = (km / npq) * (((km / 3.0 + 0.625) * km + 1.0 / 6.0) / npq + 0.5)
        t = -km * km / (2.0 * npq)
        if v < t - rho:  # squeeze: accept
            count = k
            break
        if v > t + rho:  # squeeze: reject
            continue
        nm = trials - m + 1.0
        h = (m + 0.5) * math.log((m + 1.0) / (r * nm)) + _stirling_correction(m) + _stirling_correction(trials - m)
        nk = trials - k + 1.0
        if v <= (h + (trials + 1.0) * math.log(nm / nk) + (k + 0.5) * math.log(nk * r / (k + 1.0))
                 - _stirling_correction(k) - _stirling_correction(trials - k)):
            count = k
            break
    return trials - count if mirrored else count


# Dependency order: each function calls only those before it.
_SOURCES = (philox4x32, philox_block, _unit53, _log_factorial, uniform, normal, poisson, _stirling_correction,
            binomial)


def _compile_all(decorator_for) -> types.SimpleNamespace:
    """Compile a copy of every function with ``decorator_for(name)``, the copies calling
    each other.

    Numba resolves a function's globals when it compiles it, and can call only compiled
    functions; so each copy gets a namespace where the names of the functions above
    resolve to their compiled copies. The copies keep their code objects (file, line,
    qualified name), which numba's on-disk cache locates them by.
    """
    namespace = dict(globals())
    compiled = {}
    for function in _SOURCES:
        clone = types.FunctionType(function.__code__, namespace, function.__name__, function.__defaults__)
        clone.__qualname__ = function.__qualname__
        clone.__doc__ = function.__doc__
        compiled[function.__name__] = namespace[function.__name__] = decorator_for(function.__name__)(clone)
    return types.SimpleNamespace(**{name.lstrip("_"): value for name, value in compiled.items()})


# ``inline='always'`` (numba-level inlining into the calling kernel) makes a serial loop
# of ``uniform`` 9x faster and of ``normal`` 1.6x (LLVM left the call to another dispatcher
# in a serial loop) for 0.06-0.08 s more compile time per calling kernel. ``poisson``
# is not inlined: that would gain 1.5x but cost 0.35 s (serial) to 1.6 s (``prange``)
# more per calling kernel; its own helpers are inlined into it. See bench/rng.py.
_NJIT_OPTIONS = {"cache": True, "error_model": "numpy"}
_NOT_INLINED = frozenset({"poisson", "binomial"})


def _njit_decorator(name: str):
    return numba.njit(**_NJIT_OPTIONS, inline="never" if name in _NOT_INLINED else "always")


_njit = _compile_all(_njit_decorator)
philox4x32_njit = _njit.philox4x32
philox_block_njit = _njit.philox_block
uniform_njit = _njit.uniform
normal_njit = _njit.normal
poisson_njit = _njit.poisson
binomial_njit = _njit.binomial


@numba.njit(**_NJIT_OPTIONS)
def uniform_array(seed, step, indices, stream):
    """``uniform`` of each element number in ``indices`` (an int64 array), for whole arrays outside kernels."""
    out = np.empty(indices.shape[0])
    for k in range(indices.shape[0]):
        out[k] = uniform_njit(seed, step, indices[k], stream)
    return out


@numba.njit(**_NJIT_OPTIONS)
def normal_array(seed, step, indices, stream):
    """``normal`` of each element number in ``indices``."""
    out = np.empty(indices.shape[0])
    for k in range(indices.shape[0]):
        out[k] = normal_njit(seed, step, indices[k], stream)
    return out


@numba.njit(**_NJIT_OPTIONS)
def poisson_array(lam, seed, step, indices, stream):
    """``poisson`` of each element number in ``indices``, with the mean ``lam`` of the same position (float64)."""
    out = np.empty(indices.shape[0], np.int64)
    for k in range(indices.shape[0]):
        out[k] = poisson_njit(lam[k], seed, step, indices[k], stream)
    return out


@numba.njit(**_NJIT_OPTIONS)
def binomial_array(n, p, seed, step, indices, stream):
    """``binomial`` of each element number in ``indices``, with ``n`` (int64) and ``p`` (float64) of the same
    position."""
    out = np.empty(indices.shape[0], np.int64)
    for k in range(indices.shape[0]):
        out[k] = binomial_njit(n[k], p[k], seed, step, indices[k], stream)
    return out


def jit_functions() -> types.SimpleNamespace:
    """The njit versions: attributes philox4x32, philox_block, uniform, normal, poisson, binomial
    (and the helpers unit53, log_factorial, stirling_correction). The same objects as ``uniform_njit`` etc."""
    return _njit


@functools.cache
def cuda_device_functions() -> types.SimpleNamespace:
    """``numba.cuda.jit(device=True)`` versions, attributes as in ``jit_functions()``.

    Imports numba.cuda (on first call only; ``import simcore.random`` does not). With
    ``NUMBA_ENABLE_CUDASIM=1`` in the environment before numba is imported, they run
    on numba's CUDA simulator.
    """
    from numba import cuda

    return _compile_all(lambda name: cuda.jit(device=True))
