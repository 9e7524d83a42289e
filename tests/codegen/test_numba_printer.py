"""The numba printer's output computes what the model string means (run as plain Python)."""

import math

import pytest

from simcore.codegen import runtime
from simcore.codegen.printer import to_numba
from simcore.equations import parse_expression

VALUES = {"v": 0.7, "w": -1.3, "tau": 2.5, "n": 3.0}
CASES = [
    ("v % (1.5 + abs(v))", 0.7 % 2.2),
    ("-w % (1.5 + abs(v))", 1.3 % 2.2),
    ("-(w % 1.5)", -(-1.3 % 1.5)),
    ("w // 0.4", -1.3 // 0.4),
    ("v**3 + tau**-0.5 + sqrt(tau)", 0.7**3 + 2.5**-0.5 + math.sqrt(2.5)),
    ("exprel(0.0) + exprel(v)", 1 + (math.exp(0.7) - 1) / 0.7),
    ("clip(w, -1, 1) + clip(v, 0, 0.5)", -1 + 0.5),
    ("int(v > 0.5)*2 + int(-2.7)", 2 - 2),
    ("(v > 0.5) and not (w > 0)", True),
    ("sign(w) + abs(w) + floor(w) + ceil(v)", -1 + 1.3 - 2 + 1),
    ("log10(100.0) + expm1(0.0) + log1p(0.0)", 2.0),
    ("1/3*n", 1.0),
    ("2**n", 8.0),
    ("tau**1.5 + tau**-2.5 + tau**(3/2) + n**0.5", 2.5**1.5 + 2.5**-2.5 + 2.5**1.5 + 3.0**0.5),
    ("7 // tau**1.5 + 7 % tau**1.5 + 2**tau**0.5", 7 // 2.5**1.5 + 7 % 2.5**1.5 + 2**2.5**0.5),
]


@pytest.mark.parametrize("text, expected", CASES)
def test_generated_expression_value(text, expected):
    source = to_numba(parse_expression(text).expr)
    helpers = {n: getattr(runtime, n).py_func for n in runtime.NAMES}
    value = eval(source, {"math": math, "__builtins__": {"abs": abs, "int": int}, **helpers}, dict(VALUES))
    assert value == pytest.approx(expected, rel=1e-12, abs=1e-12)


def test_integral_float_exponent_is_an_integer_power():
    assert to_numba(parse_expression("v**3.0").expr) == "v**3"


@pytest.mark.parametrize("text, source", [
    ("v**0.5", "math.sqrt(v)"), ("v**-0.5", "(1.0/math.sqrt(v))"), ("v**1.5", "(v*math.sqrt(v))"),
    ("v**(5/2)", "(v**2*math.sqrt(v))"), ("(v + w)**-1.5", "(1.0/((v + w)*math.sqrt(v + w)))"),
])
def test_half_integer_powers_call_no_pow(text, source):
    """pow() is a call to the C library that stops a loop from vectorising; a square root does not."""
    assert to_numba(parse_expression(text).expr) == source


def test_exprel_and_exp_are_simcores_own_functions():
    source = to_numba(parse_expression("x*exp(a*dt) + b*dt*exprel(a*dt)").expr)
    assert "_exprel(a*dt)" in source and "_exp(a*dt)" in source and "math." not in source
    libm = runtime._exprel.py_func  # the C library's exp (numba.cuda; the CPU without prefs.codegen.vector_math)
    for x in (1e-9, 1e-3, 0.00999, 0.01, 0.5, -3.0, -40.0):
        exact = math.expm1(x) / x
        assert abs(libm(x) - exact) <= 5e-14 * abs(exact)  # (exp(x) - 1)/x cancels: about 2.2e-16/|x|
