"""The one table of model functions (simcore.equations.functions.FUNCTIONS): the parser, the text printer, the
kernel printer, the unit walker and the evaluation of values set from strings agree with each entry."""

import math

import numpy as np
import pytest
import sympy

from simcore.codegen import runtime
from simcore.codegen.printer import to_numba
from simcore.equations import parse_expression
from simcore.equations.evaluate import Draws, evaluate
from simcore.equations.functions import BUILTIN_FUNCTIONS, DIMENSION_RULES, FUNCTIONS
from simcore.equations.printer import to_text
from simcore.units.dimension import DIMENSIONLESS, Dimension
from simcore.units.errors import DimensionMismatchError
from simcore.units.walker import dimension_of

LANGUAGE = [f for f in FUNCTIONS if f.in_language]
COMPUTED = [f for f in LANGUAGE if not f.draw]
NAMES = ("x", "y", "z")
SECOND = Dimension.of(time=1)
# arguments on which every function of that many arguments is defined, as (x, y, z)
SAMPLES = {1: [(-0.7,), (-1e-9,), (0.0,), (3e-3,), (0.25,), (0.9,)],
           2: [(-0.35, 0.1), (-0.15, 0.1), (0.0, 0.1), (0.3, 0.1), (0.2999999, 0.1), (7.25, 0.5)],
           3: [(-2.0, -0.5, 0.5), (0.2, -0.5, 0.5), (3.0, -0.5, 0.5)]}


def _call(function) -> str:
    return f"{function.name}({', '.join(NAMES[:function.arity])})"


def _defined(function, arguments) -> bool:
    try:
        function.scalar(*arguments)
    except ValueError:  # outside the domain of a math function (log of a negative number)
        return False
    return True


def test_the_parser_knows_the_language_functions_of_the_table():
    assert BUILTIN_FUNCTIONS == {f.name: (f.sympy, f.arity) for f in LANGUAGE}
    assert all(f.dimension in DIMENSION_RULES for f in FUNCTIONS)


@pytest.mark.parametrize("function", LANGUAGE, ids=lambda f: f.name)
def test_text_printer_writes_each_call_as_the_user_does(function):
    assert to_text(parse_expression(_call(function)).expr) == _call(function)


@pytest.mark.parametrize("function", [f for f in COMPUTED if f.name not in ("sqrt", "exprel")], ids=lambda f: f.name)
def test_kernel_printer_calls_the_tables_callable(function):
    assert to_numba(parse_expression(_call(function)).expr) == f"{function.code}({', '.join(NAMES[:function.arity])})"


@pytest.mark.parametrize("function", COMPUTED, ids=lambda f: f.name)
def test_generated_code_computes_the_scalar_implementation(function):
    compiled = {name: getattr(runtime, name).py_func for name in runtime.NAMES}
    source = to_numba(parse_expression(_call(function)).expr)
    for arguments in SAMPLES[function.arity]:
        if not _defined(function, arguments):
            continue
        value = eval(source, {"math": math, "abs": abs, **compiled}, dict(zip(NAMES, arguments, strict=False)))
        assert value == pytest.approx(function.scalar(*arguments), rel=1e-15, abs=0), arguments


@pytest.mark.parametrize("function", COMPUTED, ids=lambda f: f.name)
def test_numpy_implementation_and_evaluation_agree_with_the_scalar_one(function):
    samples = [a for a in SAMPLES[function.arity] if _defined(function, a)]
    columns = [np.array(column) for column in zip(*samples, strict=True)]
    expected = [function.scalar(*arguments) for arguments in samples]
    evaluated = evaluate(parse_expression(_call(function)).expr, dict(zip(NAMES, columns, strict=False)),
                         len(samples), Draws(lambda: 0))
    for values in (function.numpy(*columns), evaluated):
        if function.integer:
            np.testing.assert_array_equal(values, expected)
        else:
            np.testing.assert_allclose(values, expected, rtol=1e-13, atol=0)


def _dimension(function, dimensions) -> Dimension:
    symbols = [sympy.Symbol(n, real=True) for n in NAMES[:len(dimensions)]]
    expr = function.sympy(*symbols, *([sympy.Integer(0)] if function.draw else []))
    return dimension_of(expr, dict(zip(NAMES, dimensions, strict=False)))


@pytest.mark.parametrize("function", FUNCTIONS, ids=lambda f: f.name)
def test_unit_walker_applies_the_rule_the_table_names(function):
    s, one, n = SECOND, DIMENSIONLESS, function.arity
    rule = function.dimension
    if rule == "dimensionless":
        assert _dimension(function, [one] * n) == one
        with pytest.raises(DimensionMismatchError):
            _dimension(function, [s] * n)
    elif rule == "square root":
        assert _dimension(function, [s**2]) == s
    elif rule == "as argument":
        assert _dimension(function, [s]) == s
    elif rule == "any":
        assert _dimension(function, [s]) == one
    elif rule in ("alike", "alike, dimensionless"):
        assert _dimension(function, [s] * n) == (s if rule == "alike" else one)
        with pytest.raises(DimensionMismatchError):
            _dimension(function, [s, *[one] * (n - 1)])
    elif rule == "draw":
        assert _dimension(function, []) == one
    else:
        assert rule == "unchecked"
        with pytest.raises(TypeError):
            _dimension(function, [one] * n)
