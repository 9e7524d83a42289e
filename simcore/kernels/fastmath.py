"""Branch-free exp, log, expm1, exprel, tanh and sigmoid for float64 and float32 (``*_f32``): arithmetic, bit
operations and selects only, so that LLVM vectorises a numba loop that calls them (numba from PyPI has no SVML:
``math.exp`` in a loop is a scalar libm call that keeps the loop scalar).

Each function is plain Python on numpy scalars (``np.float64``/``np.float32``: ``apply`` maps one over an array)
and, through ``register_jitable``, callable from njit and numba.cuda code: the public ones with ``inline='always'``,
their helpers inlined by LLVM (numba-level inlining of the helpers too made compiling 7x slower, and numba.cuda
fails to type an inlined call inside an inlined function). Bits are
reinterpreted by ``np.ndarray.view`` in Python and by an LLVM ``bitcast`` (``_bitcast``) in njit code. Integer
results (the exponent ``k``) stay in the float unit (round-to-integer by adding 1.5*2**52) so that no int64 <->
double conversion, which AVX2 lacks, is needed. Compile callers without ``reassoc`` fast-math flags: they would fold
that rounding away; ``nnan``/``ninf`` would break the inf/NaN selects; ``contract`` alone (FMA) is safe.

Polynomial coefficients are Chebyshev-interpolation fits (mpmath ``chebyfit``, 50 digits) of
q(r) = (exp(r) - 1 - r)/r**2 on [-0.3466, 0.3466] and P(z) = (2 atanh(s) - 2 s)/(s z), z = s**2, on [0, 0.02944].
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numba import types
from numba.extending import intrinsic, overload, register_jitable


def _bits_f64(x):
    return np.float64(x).view(np.int64)


def _from_bits_f64(i):
    return np.int64(i).view(np.float64)


def _bits_f32(x):
    return np.float32(x).view(np.int32)


def _from_bits_f32(i):
    return np.int32(i).view(np.float32)


def _bitcast(source, target):
    """An njit intrinsic that converts its argument to ``source`` and reinterprets the bits as ``target``."""

    @intrinsic
    def bitcast(typingctx, x):
        if not isinstance(x, (types.Integer, types.Float)):
            return None

        def codegen(context, builder, signature, args):
            value = context.cast(builder, args[0], signature.args[0], source)
            return builder.bitcast(value, context.get_value_type(target))

        return target(x), codegen

    return bitcast


def _register_bitcast(python_function, source, target) -> None:
    bitcast = _bitcast(source, target)

    @overload(python_function)
    def implementation(x):
        return lambda x: bitcast(x)


for _function, _source, _target in ((_bits_f64, types.float64, types.int64),
                                    (_from_bits_f64, types.int64, types.float64),
                                    (_bits_f32, types.float32, types.int32),
                                    (_from_bits_f32, types.int32, types.float32)):
    _register_bitcast(_function, _source, _target)


def select(condition, if_true, if_false):
    """``if_true if condition else if_false``, which njit code computes as one LLVM ``select`` of both values, with
    no branch (numba's conditional expressions are branches and phi nodes, which LLVM if-converts, but inlined
    several times into one kernel they made numba's SSA pass warn and compile slower)."""
    return if_true if condition else if_false


@intrinsic
def _select(typingctx, condition, if_true, if_false):
    result = typingctx.unify_types(if_true, if_false)
    if result is None or not isinstance(condition, types.Boolean):
        return None

    def codegen(context, builder, signature, args):
        values = zip(args[1:], signature.args[1:], strict=True)
        return builder.select(args[0], *(context.cast(builder, value, kind, result) for value, kind in values))

    return result(condition, if_true, if_false), codegen


@overload(select)
def _select_implementation(condition, if_true, if_false):
    return lambda condition, if_true, if_false: _select(condition, if_true, if_false)


def _jitable(function: Callable, inline: str = "never") -> Callable:
    """Callable in njit code (a new decorator each time: ``register_jitable`` pops ``inline`` from its keyword
    arguments, so a reused one registers later functions as not inlined)."""
    return register_jitable(inline=inline)(function)


@_jitable
def _q_exp(r):
    """(exp(r) - 1 - r)/r**2 for |r| <= ln2/2, absolute error 1.4e-18."""
    return 0.5 + r * (0.1666666666666667 + r * (0.04166666666666667 + r * (0.008333333333326136 + r * (
        0.001388888888888375 + r * (0.00019841269874815834 + r * (2.480158732554432e-05 + r * (
            2.7557255406285044e-06 + r * (2.7557273647451087e-07 + r * (2.5105214474751413e-08
                                                                         + r * 2.0914685161418067e-09)))))))))


@_jitable
def _p_log(z):
    """(2 atanh(s) - 2 s)/(s z), z = s**2 <= 0.02944, absolute error 3e-16."""
    return 0.666666666666667 + z * (0.3999999999989945 + z * (0.28571428626001427 + z * (0.22222211130560726 + z * (
        0.18182889433757515 + z * (0.15331711346672997 + z * 0.14616576421644387)))))


_F = np.float32
_Q0, _Q1, _Q2, _Q3, _Q4, _Q5 = (_F(c) for c in (0.5000000013463886, 0.16666666681621095, 0.041666464944505696,
                                                0.008333310927615311, 0.0013933647862928863, 0.00019890988455544567))
_P0, _P1, _P2 = (_F(c) for c in (0.6666668504478588, 0.3998877843365144, 0.29580046168312196))


@_jitable
def _q_exp_f32(r):
    """(exp(r) - 1 - r)/r**2 in float32, absolute error 1.4e-9."""
    return _Q0 + r * (_Q1 + r * (_Q2 + r * (_Q3 + r * (_Q4 + r * _Q5))))


@_jitable
def _p_log_f32(z):
    """(2 atanh(s) - 2 s)/(s z) in float32, absolute error 1.9e-7."""
    return _P0 + z * (_P1 + z * _P2)


def _functions(real, bits, from_bits, q_exp, p_log, mantissa: int, bias: int, ln2_hi: float, ln2_lo: float,
               exp_max: float, expm1_min: float, expm1_max: float, tanh_max: float, big_k: int, big_j: int,
               suffix: str) -> dict[str, Callable]:
    """The functions for one float type: constants of type ``real``; ``mantissa`` bits and exponent ``bias``;
    ln2 = ln2_hi + ln2_lo with ln2_hi short enough that k*ln2_hi is exact for every exponent k; inputs of exp and
    expm1 clamped to [-exp_max, expm1_max] (exp underflows below, x/expm1(x) underflows above; exp overflows
    before) and reduced alike, so that LLVM computes the reduction once where a kernel calls both on one argument
    (exponential Euler: x exp(a) + b exprel(a)); expm1 takes k no lower than that of ``expm1_min`` (it is -1
    there); above exponent ``big_k`` expm1 is assembled as 2**(k - big_j) times 2**big_j, so that exprel does
    not overflow before its result does."""
    one, half, two, zero = real(1.0), real(0.5), real(2.0), real(0.0)
    inf, nan = real(np.inf), real(np.nan)
    inv_ln2, ln2_hi, ln2_lo = real(1.0 / np.log(2.0)), real(ln2_hi), real(ln2_lo)
    shifter = real(1.5 * 2.0**mantissa)  # x + shifter - shifter is x rounded to an integer, in its low bits
    shifter_bits = int(bits(shifter))
    exp_max, expm1_min, expm1_max, tanh_max = real(exp_max), real(expm1_min), real(expm1_max), real(tanh_max)
    sign_mask = -(2 ** (63 if real is float else 31))
    min_normal = real(np.finfo(np.float64 if real is float else np.float32).tiny)
    scale_shift = mantissa + 2  # subnormal inputs of log are multiplied by 2**scale_shift
    scale_up, scale_shift_real = real(2.0**scale_shift), real(scale_shift)
    sqrt_half_bits = int(bits(real(np.sqrt(0.5))))
    big_scale, big_unit = real(2.0**big_j), real(2.0**-big_j)
    expm1_k_min = int(np.floor(float(expm1_min) / np.log(2.0)))

    def clamped(x):
        """x in [-exp_max, expm1_max]; NaN -> expm1_max (the callers replace the result)."""
        xc = select(x < expm1_max, x, expm1_max)
        return select(xc > -exp_max, xc, -exp_max)

    def reduce(x):
        """k, rh and tail with x = k ln2 + r (Cody-Waite: rh = x - k ln2_hi exact, r = rh - k ln2_lo, |r| <= ln2/2)
        and expm1(r) = rh + tail, the small tail apart for compensated sums. k, rounded in the float unit, is
        read from the low bits of t."""
        t = x * inv_ln2 + shifter
        k = t - shifter
        rh = x - k * ln2_hi
        c = k * ln2_lo
        r = rh - c
        return bits(t) - shifter_bits, rh, r * r * q_exp(r) - c

    def exp_body(x):
        k, rh, tail = reduce(clamped(x))
        s = one + rh  # exp(r) = s + error + tail: Fast2Sum, |rh| < 1
        half_k = k >> 1  # 2**k as two normal factors: overflow and subnormal results are rounded once, correctly
        scale_1 = from_bits((half_k + bias) << mantissa)
        scale_2 = from_bits((k - half_k + bias) << mantissa)
        y = ((s + (((one - s) + rh) + tail)) * scale_1) * scale_2
        return select(x == x, y, x)

    def exp(x):
        return exp_body(x)

    def log(x):
        subnormal = x < min_normal
        xs = select(subnormal, x * scale_up, x)
        ix = bits(xs) & ~sign_mask  # |x|: no integer overflow for negative x (their result is NaN)
        k = (ix - sqrt_half_bits) >> mantissa  # x = 2**k m, sqrt(1/2) <= m < sqrt(2)
        f = from_bits(ix - (k << mantissa)) - one
        kf = from_bits(k + shifter_bits) - shifter - select(subnormal, scale_shift_real, zero)
        s = f / (two + f)
        z = s * s
        hfsq = half * f * f
        y = kf * ln2_hi + (f - (hfsq - (s * (hfsq + z * p_log(z)) + kf * ln2_lo)))
        y = select(x < inf, y, x)  # inf and NaN
        return select(x > zero, y, select(x == zero, -inf, nan))

    def expm1_parts(x):
        """n and big with expm1(x) = n*2**big_j if big else n: big where exp(x) is near overflow."""
        k, rh, tail = reduce(clamped(x))
        k = select(k > expm1_k_min, k, expm1_k_min)
        big = k > big_k
        h = from_bits((select(big, k - big_j, k) + bias) << mantissa)
        unit = select(big, big_unit, one)
        exact = k <= mantissa  # h - unit is exact: expm1(x) = a + h rh + h tail + (unit if not exact)
        a = select(exact, h - unit, h)
        b = h * rh
        s = a + b  # Fast2Sum: |a| >= |h rh|
        return s + ((((a - s) + b) + h * tail) - select(exact, zero, unit)), big

    def expm1(x):
        n, big = expm1_parts(x)
        y = select(x == x, n * select(big, big_scale, one), x)
        return select(x != zero, y, x)  # -0

    def exprel(x):
        """(exp(x) - 1)/x, 1 at 0."""
        n, big = expm1_parts(x)
        y = select(x < expm1_max, (n / x) * select(big, big_scale, one), inf)  # exp(x)/x overflows above
        y = select(x == x, y, x)
        return select(x != zero, y, one)

    def exprel_reciprocal(x):
        """x/(exp(x) - 1), 1 at 0: the form of Hodgkin-Huxley rate functions."""
        n, big = expm1_parts(x)
        y = select(x < expm1_max, (x / n) * select(big, big_unit, one), zero)  # x exp(-x) underflows above
        y = select(x == x, y, x)
        return select(x != zero, y, one)

    def tanh(x):
        a = abs(x)
        n, _ = expm1_parts(select(a < tanh_max, a + a, tanh_max + tanh_max))
        d = n + two
        d_error = select(n < two, (two - d) + n, zero)  # Fast2Sum: n/(n + 2) = q (1 - d_error/d), d close to 2
        q = n / d
        y = from_bits(bits(q - (q * d_error) * half) | (bits(x) & sign_mask))
        return select(x == x, y, x)

    def sigmoid(x):
        """1/(1 + exp(-x)), as exp(x)/(1 + exp(x)) below 0 (no overflow, subnormal results kept)."""
        e = exp_body(-abs(x))  # not the inlined exp: numba.cuda fails to type an inlined call in one inlined
        d = one + e
        d_error = (one - d) + e  # Fast2Sum: the result is q (1 - d_error/d), and 1/d is q or 1 - q
        positive = x >= zero
        q = select(positive, one, e) / d
        return q - q * select(positive, q, one - q) * d_error

    clamped, reduce, exp_body, expm1_parts = (_jitable(f) for f in (clamped, reduce, exp_body, expm1_parts))
    functions = {"exp": exp, "log": log, "expm1": expm1, "exprel": exprel, "exprel_reciprocal": exprel_reciprocal,
                 "tanh": tanh, "sigmoid": sigmoid}
    for name, function in functions.items():  # numba names its cache files by them
        function.__qualname__ = function.__name__ = f"{name}{suffix}"
        _jitable(function, "always")
    return functions


_F64 = _functions(float, _bits_f64, _from_bits_f64, _q_exp, _p_log, 52, 1023, 0.6931471805598903,
                  5.497923018708371e-14, 750.0, -40.0, 760.0, 22.0, 1000, 128, "")
_F32 = _functions(_F, _bits_f32, _from_bits_f32, _q_exp_f32, _p_log_f32, 23, 127, 0.693145751953125,
                  1.4286068203094173e-06, 104.0, -20.0, 116.0, 10.0, 100, 48, "_f32")
_NAMES = ("exp", "log", "expm1", "exprel", "exprel_reciprocal", "tanh", "sigmoid")
exp, log, expm1, exprel, exprel_reciprocal, tanh, sigmoid = (_F64[name] for name in _NAMES)
exp_f32, log_f32, expm1_f32, exprel_f32, exprel_reciprocal_f32, tanh_f32, sigmoid_f32 = (_F32[name] for name in _NAMES)


def apply(function: Callable, values) -> np.ndarray:
    """``function`` (one of this module's, in plain Python) on each element of ``values``: a reference for tests."""
    values = np.asarray(values)
    real = np.float32 if values.dtype == np.float32 else np.float64
    with np.errstate(all="ignore"):  # overflow to inf and NaN operands are intended, as in njit code
        return np.array([function(real(v)) for v in values.ravel()], dtype=real).reshape(values.shape)
