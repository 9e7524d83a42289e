"""simcore.kernels.fastmath: accuracy in ulp against numpy (1e7 points over the whole range) and against long double
references, inf/NaN/zero/subnormal edges, the plain-Python path equal to the compiled one bit for bit, and
vectorised (packed ymm/zmm) loops with no libm call."""

import functools
import math
import os
import re
import struct
import subprocess
import sys
import textwrap
import warnings
from pathlib import Path

import numpy as np
import pytest
from numba import njit
from numba.core.errors import NumbaIRAssumptionWarning

from simcore.kernels import fastmath

L = np.longdouble
F64, F32 = np.float64, np.float32
NAMES = ("exp", "log", "expm1", "exprel", "exprel_reciprocal", "tanh", "sigmoid")
#: the bounds this module guarantees (largest errors found, float64 / float32: exp 0.76 / 0.74, log 0.87 / 0.80,
#: expm1 1.01 / 0.95, exprel 1.47 / 1.50, exprel_reciprocal 1.50 / 1.55, tanh 1.78 / 1.81, sigmoid 1.82 / 1.83)
BOUND = {"exp": 1.0, "log": 1.0, "expm1": 1.5, "exprel": 2.0, "exprel_reciprocal": 2.0, "tanh": 2.0, "sigmoid": 2.0}
CPU_INFO = Path("/proc/cpuinfo")
AVX2 = CPU_INFO.exists() and "avx2" in CPU_INFO.read_text()


def _sigmoid(x):
    return np.where(x >= 0, 1 / (1 + np.exp(-x)), np.exp(x) / (1 + np.exp(x)))


def _exprel(x):
    return np.where(x == 0, 1, np.where(x == np.inf, x, np.expm1(x) / np.where(x == 0, 1, x)))


def _exprel_reciprocal(x):
    return np.where(x == 0, 1, np.where(x == np.inf, 0, x / np.where(x == 0, 1, np.expm1(x))))


REFERENCE = {"exp": np.exp, "log": np.log, "expm1": np.expm1, "exprel": _exprel,
             "exprel_reciprocal": _exprel_reciprocal, "tanh": np.tanh, "sigmoid": _sigmoid}


@functools.cache
def compiled(name: str, real):
    """A loop ``out[k] = f(x[k])`` over float64 or float32 arrays, compiled as generated kernels are."""
    function = getattr(fastmath, name + ("_f32" if real is F32 else ""))

    @njit(error_model="numpy")
    def loop(x, out):
        for k in range(x.shape[0]):
            out[k] = function(x[k])

    return loop


def evaluate(name: str, x: np.ndarray) -> np.ndarray:
    out = np.empty_like(x)
    compiled(name, x.dtype.type)(x, out)
    return out


def ulp_error(y: np.ndarray, reference: np.ndarray, real) -> np.ndarray:
    """|y - reference| in units of the last place of ``real`` at the reference (subnormal ulps below the normal
    range), computed in the reference's type; infinite where y is not the inf or NaN the reference rounds to, NaN
    where y is NaN and the reference is not (``np.argmax`` finds it)."""
    digits, lowest = (53, -1074) if real is F64 else (24, -149)
    wide = reference.dtype.type
    rounded = reference.astype(real)
    _, exponent = np.frexp(reference)
    error = np.abs(y.astype(wide) - reference) / np.ldexp(wide(1), np.maximum(exponent - digits, lowest))
    special = np.flatnonzero(~np.isfinite(rounded))
    same = (y[special] == rounded[special]) | (np.isnan(y[special]) & np.isnan(rounded[special]))
    error[special] = np.where(same, 0, np.inf)
    return error


@functools.cache
def spread(n: int, real, seed: int) -> np.ndarray:
    """n/3 points uniform over the range where the functions change, n/3 log-spaced over every magnitude (both
    signs, subnormal to the largest finite), n/3 uniform on [-2, 2]."""
    rng = np.random.default_rng(seed)
    info = np.finfo(real)
    limit = 800.0 if real is F64 else 120.0
    magnitudes = np.exp(rng.uniform(np.log(float(info.smallest_subnormal)), np.log(float(info.max)), n // 3))
    return np.concatenate([rng.uniform(-limit, limit, n // 3), magnitudes * rng.choice([-1.0, 1.0], n // 3),
                           rng.uniform(-2.0, 2.0, n - 2 * (n // 3))]).astype(real)


def edges(real) -> np.ndarray:
    """Zeros, infinities, NaN, the extremes of the type, and each overflow/underflow threshold with its
    neighbours one ulp either side."""
    info = np.finfo(real)
    thresholds = [np.log(info.max.astype(L)), np.log(L(info.smallest_subnormal) / 2), np.log(L(info.tiny)),
                  np.log(info.max.astype(L)) + np.log(np.log(info.max.astype(L))), -np.log(L(info.eps) / 4), 1.0]
    points = [0.0, -0.0, np.inf, -np.inf, np.nan, info.max, -info.max, info.tiny, info.smallest_subnormal,
              -info.smallest_subnormal, 1e-300 if real is F64 else 1e-40, 0.5, 2.0]
    for t in thresholds:
        for sign in (1, -1):
            v = real(sign * t)
            points += [np.nextafter(v, -np.inf), v, np.nextafter(v, np.inf)]
    return np.array(points, dtype=real)


@pytest.mark.parametrize("name", NAMES)
def test_float64_within_bound_of_long_double(name):
    x = np.concatenate([spread(100_000, F64, 1), edges(F64)])
    with np.errstate(all="ignore"):
        error = ulp_error(evaluate(name, x), REFERENCE[name](x.astype(L)), F64)
    worst = int(np.argmax(error))
    assert error[worst] <= BOUND[name], f"{name}({x[worst]!r}): {float(error[worst])} ulp"


@njit(error_model="numpy")
def _worst_ulp(y, reference, rounded, digits, lowest):
    """``ulp_error``'s maximum and where it is, in one pass (float64 references: 1e7 points)."""
    worst, at = 0.0, 0
    for k in range(y.shape[0]):
        if math.isfinite(rounded[k]):
            exponent = math.frexp(reference[k])[1]
            error = abs(np.float64(y[k]) - reference[k]) / math.ldexp(1.0, max(exponent - digits, lowest))
        else:
            error = 0.0 if y[k] == rounded[k] or (math.isnan(y[k]) and math.isnan(rounded[k])) else math.inf
        if not error <= worst:
            worst, at = (math.inf if math.isnan(error) else error), k
    return worst, at


def worst_error(name: str, x: np.ndarray) -> tuple[float, float]:
    """The largest ulp error of ``name`` over ``x`` against numpy in float64, and the point where it is."""
    real = x.dtype.type
    with np.errstate(all="ignore"):
        reference = REFERENCE[name](x.astype(F64))
        beyond = np.flatnonzero(np.abs(x) > 700)  # exp(x)/x, x/exp(x) are finite where float64 exp is not
        reference[beyond] = REFERENCE[name](x[beyond].astype(L))
        rounded = reference.astype(real)
    digits, lowest = (53, -1074) if real is F64 else (24, -149)
    worst, at = _worst_ulp(evaluate(name, x), reference, rounded, digits, lowest)
    return worst, x[at]


@pytest.mark.parametrize("name", NAMES)
def test_float64_agrees_with_numpy_on_1e7_points(name):
    """numpy's float64 functions are themselves within 1 ulp (the reference above is long double): the sum."""
    worst, at = worst_error(name, spread(10_000_000, F64, 2))
    assert worst <= BOUND[name] + 1, f"{name}({at!r}): {worst} ulp"


@pytest.mark.parametrize("name", NAMES)
def test_float32_within_bound_on_1e7_points(name):
    """float64 numpy is exact for float32 results (error below 1e-7 float32 ulp)."""
    worst, at = worst_error(name, np.concatenate([spread(10_000_000, F32, 3), edges(F32)]))
    assert worst <= BOUND[name], f"{name}({at!r}): {worst} ulp"


@pytest.mark.parametrize("real", [F64, F32])
def test_special_values(real):
    inf, nan = real(np.inf), real(np.nan)
    x = np.array([0.0, -0.0, np.inf, -np.inf, np.nan], dtype=real)
    expected = {"exp": [1, 1, inf, 0, nan], "log": [-inf, -inf, inf, nan, nan], "expm1": [0, -0.0, inf, -1, nan],
                "exprel": [1, 1, inf, 0, nan], "exprel_reciprocal": [1, 1, 0, inf, nan], "tanh": [0, -0.0, 1, -1, nan],
                "sigmoid": [0.5, 0.5, 1, 0, nan]}
    for name, values in expected.items():
        y = evaluate(name, x)
        for k, value in enumerate(values):
            assert y[k] == value or (np.isnan(value) and np.isnan(y[k])), (name, x[k], y[k])
            assert np.signbit(y[k]) == np.signbit(real(value)) or np.isnan(value), (name, x[k], y[k])
    info = np.finfo(real)
    assert np.isnan(evaluate("log", np.array([-1.0, -info.smallest_subnormal], real))).all()
    assert (evaluate("exp", np.array([info.max, -info.max], real)) == [inf, 0]).all()


@pytest.mark.parametrize("real", [F64, F32])
def test_subnormal_results_of_exp(real):
    """exp rounds results below the normal range once: within 1 subnormal ulp down to the smallest."""
    info = np.finfo(real)
    x = np.linspace(np.log(L(info.smallest_subnormal)) - 1, np.log(L(info.tiny)), 50_001).astype(real)
    with np.errstate(all="ignore"):
        error = ulp_error(evaluate("exp", x), np.exp(x.astype(L)), real)
    assert error.max() <= 1.0
    assert evaluate("exp", np.array([np.log(L(info.smallest_subnormal))], real))[0] == info.smallest_subnormal


@pytest.mark.parametrize("real", [F64, F32])
@pytest.mark.parametrize("name", NAMES)
def test_plain_python_equals_compiled(name, real):
    x = np.concatenate([spread(600, real, 4), edges(real)])
    function = getattr(fastmath, name + ("_f32" if real is F32 else ""))
    python = fastmath.apply(function, x)
    assert python.dtype == real
    assert np.array_equal(python.view(np.uint8), evaluate(name, x).view(np.uint8))


def rates_asm(real, fastmath_flags=False) -> str:
    """Assembly of a Hodgkin-Huxley rate loop: alpha_m and beta_m as simcore prints them (exprel and exp)."""
    suffix = "_f32" if real is F32 else ""
    exp, exprel_reciprocal = (getattr(fastmath, n + suffix) for n in ("exp", "exprel_reciprocal"))
    c40, c10, c01, c4, c65, c18 = (real(v) for v in (40.0, 10.0, 0.1, 4.0, 65.0, 18.0))

    @njit(error_model="numpy", fastmath=fastmath_flags)
    def rates(v, alpha, beta):
        for k in range(v.shape[0]):
            alpha[k] = c01 * c10 * exprel_reciprocal(-(v[k] + c40) / c10)
            beta[k] = c4 * exp(-(v[k] + c65) / c18)

    array = np.zeros(8, real)
    rates(array, array.copy(), array.copy())
    return rates.inspect_asm(rates.signatures[0])


LIBM_CALL = re.compile(r"\$(exp|expf|log|logf|expm1|expm1f|tanh|tanhf)\b|call\w*\s+(exp|log|expm1|tanh)f?\b")


@pytest.mark.skipif(not AVX2, reason="the CPU has no AVX2 (flags in /proc/cpuinfo)")
@pytest.mark.parametrize("real", [F64, F32])
def test_loops_vectorise_on_this_cpu(real):
    kind = "pd" if real is F64 else "ps"
    exp_loop = compiled("exp", real)
    exp_loop(np.zeros(4, real), np.zeros(4, real))
    for asm in (exp_loop.inspect_asm(exp_loop.signatures[0]), rates_asm(real)):
        assert len(re.findall(rf"\bv(mul|add|sub)\w*{kind}\s+%[yz]mm", asm)) >= 10
        assert not LIBM_CALL.search(asm)


def test_several_inlined_calls_compile_without_warnings():
    """Conditional expressions inlined three times into one loop made numba's SSA pass warn; ``select`` has none."""
    exprel_reciprocal = fastmath.exprel_reciprocal

    @njit(error_model="numpy")
    def gates(v, out):
        for k in range(v.shape[0]):
            out[k] = exprel_reciprocal(v[k] / 4.0) + exprel_reciprocal(v[k] / 5.0) - exprel_reciprocal(v[k])

    with warnings.catch_warnings():
        warnings.simplefilter("error", NumbaIRAssumptionWarning)
        out = np.empty(3)
        gates(np.array([0.0, 4.0, -8.0]), out)
    assert out[0] == 1.0
    assert out[1] == pytest.approx(1 / np.expm1(1) + 0.8 / np.expm1(0.8) - 4 / np.expm1(4), rel=1e-15)


def test_float32_code_has_no_double():
    for name in NAMES:
        loop = compiled(name, F32)
        loop(np.zeros(4, F32), np.zeros(4, F32))
        body = loop.inspect_llvm(loop.signatures[0])
        assert not re.search(r"\bfp(ext|trunc)\b|<\d+ x double>|fmul double|fadd double", body), name


AVX2_SCRIPT = textwrap.dedent("""
    import re, sys
    import numpy as np
    sys.path.insert(0, "tests/codegen")
    from test_fastmath import rates_asm, LIBM_CALL
    for real, kind, flags in ((np.float64, "pd", {"contract"}), (np.float32, "ps", False)):
        asm = rates_asm(real, flags)
        assert "zmm" not in asm
        assert len(re.findall(rf"\\bv(mul|add|sub)\\w*{kind}\\s+%ymm", asm)) >= 10
        assert not LIBM_CALL.search(asm)
        assert bool(re.search(rf"\\bvfmadd\\w*{kind}\\s+%ymm", asm)) == bool(flags)
    print("ok")
""")
AVX2_FEATURES = "+64bit,+avx,+avx2,+bmi,+bmi2,+cmov,+cx16,+f16c,+fma,+fxsr,+lzcnt,+mmx,+movbe,+popcnt,+sse,+sse2," \
                "+sse3,+sse4.1,+sse4.2,+ssse3,+xsave,-avx512f"


@pytest.fixture(scope="module", autouse=AVX2)
def avx2_check():
    """The AVX2-only compilation, started before this module's first test: it runs beside the others."""
    environment = {**os.environ, "NUMBA_CPU_NAME": "haswell", "NUMBA_CPU_FEATURES": AVX2_FEATURES}
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    process = subprocess.Popen([sys.executable, "-c", AVX2_SCRIPT], env=environment, cwd=root,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    yield process
    process.kill()
    process.communicate()


@pytest.mark.skipif(not AVX2, reason="the CPU has no AVX2 (flags in /proc/cpuinfo)")
def test_loops_vectorise_with_avx2_only(avx2_check):
    """Compiled for an AVX2 + FMA CPU without AVX-512 (Zen 3, Haswell): packed ymm arithmetic, no libm call; with
    the ``contract`` fast-math flag alone (inf/NaN kept) the polynomials become vfmadd."""
    stdout, stderr = avx2_check.communicate(timeout=120)
    assert stdout.strip() == "ok", stderr[-2000:]


@pytest.mark.parametrize("name", ["exprel", "exprel_reciprocal", "expm1"])
def test_exp_and_expm1_of_one_argument_share_their_reduction(name):
    """Exponential Euler calls exp(a) and exprel(a) on one argument: clamped and reduced alike, LLVM computes the
    reduction (x/ln2, the polynomial) once, about 1.5x the cost of exp alone instead of 2x."""
    exp, other = fastmath.exp, getattr(fastmath, name)

    @njit(error_model="numpy")
    def both(x):
        return 2.0 * exp(x) + other(x)

    both(0.5)
    inv_ln2 = f"0x{struct.unpack('<Q', struct.pack('<d', 1 / np.log(2.0)))[0]:016X}"
    assert both.inspect_llvm(both.signatures[0]).count(inv_ln2) == 1
