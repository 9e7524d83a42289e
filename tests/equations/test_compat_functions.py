"""User-defined functions (Brian 2's Function, implementation, check_units, declare_types, BinomialFunction):
their units in model strings, their values in kernels and in Python-side expressions, and their errors."""

from fractions import Fraction

import numpy as np
import pytest

from simcore import (
    DimensionMismatchError,
    ModelNotImplementedError,
    NeuronGroup,
    StateMonitor,
    Synapses,
    amp,
    check_units,
    defaultclock,
    ms,
    mV,
    run,
    second,
    start_scope,
    volt,
    watt,
)
from simcore.equations.python_functions import BinomialFunction, Function, declare_types, implementation


@pytest.fixture(autouse=True)
def _scope():
    start_scope()


def _plus_three_volts(x, y):
    return x + y + 3 * volt


def test_function_with_units_in_a_subexpression_in_kernels_and_in_python():
    foo = Function(_plus_three_volts, arg_units=[volt, volt], return_unit=volt)
    assert foo(1 * volt, 2 * volt) == 6 * volt
    group = NeuronGroup(2, "func = foo(x, y) : volt\nx : volt\ny : volt")
    group.x = [1, 2] * volt
    group.y = 2 * volt
    monitor = StateMonitor(group, "func", record=True)
    run(defaultclock.dt)
    assert monitor.func_[:, 0] == pytest.approx([6, 7])  # computed in the compiled kernel
    group.x = "foo(x, y)"  # computed with numpy, outside the run loop
    assert group.x_[:] == pytest.approx([6, 7])


def test_check_units_gives_a_function_its_units_and_it_runs_compiled():
    @implementation("cpp", "inline double usersin(double x) { return sin(x); }")  # kept, never run
    @check_units(x=1, result=1)
    def usersin(x):
        return np.sin(x)

    group = NeuronGroup(4, "func = usersin(variable) : 1\nvariable : 1")
    group.variable = np.arange(4)
    monitor = StateMonitor(group, "func", record=True)
    run(defaultclock.dt)
    assert monitor.func_[:, 0] == pytest.approx(np.sin(np.arange(4)), rel=1e-15)


def test_a_function_calling_another_and_a_numba_implementation():
    @check_units(x=volt, result=volt)
    def base(x):
        return 42 * mV

    @check_units(x=volt, result=volt)
    def doubled(x):
        return 2 * base(x)

    def plain_cube(x):  # on SI values
        return x**3

    cube = implementation("numba", plain_cube)(Function(lambda x: x**3, arg_units=[1], return_unit=1))
    group = NeuronGroup(3, "v : volt\nw : 1", namespace={"doubled": doubled, "cube": cube})
    group.w = [1, 2, 3]
    group.run_regularly("v = doubled(v)\nw = cube(w)")
    run(defaultclock.dt)
    assert group.v_[:] == pytest.approx([0.084] * 3)
    assert group.w[:] == pytest.approx([1, 8, 27])


def test_function_arguments_of_the_wrong_units_are_refused_before_the_run():
    foo = Function(_plus_three_volts, arg_units=[volt, volt], return_unit=volt)  # noqa: F841
    group = NeuronGroup(1, "dv/dt = foo(x, y)/ms : volt\nx : 1\ny : 1")  # noqa: F841
    with pytest.raises(DimensionMismatchError, match="argument 1 of the function 'foo'"):
        run(defaultclock.dt)
    start_scope()
    group = NeuronGroup(1, "dv/dt = foo(x, y)/ms : 1\nx : volt\ny : volt")  # noqa: F841
    with pytest.raises(DimensionMismatchError):
        run(defaultclock.dt)


def test_units_given_as_another_argument_and_as_a_rule_on_dimensions():
    def bar(a, b, c):
        return a * (b + c)

    bar = Function(bar, arg_units=[None, None, "b"], arg_names=["a", "b", "c"], return_unit=lambda a, b, c: a * b)
    assert bar(2, 3 * volt, 5 * volt) == 16 * volt
    assert bar(2 * amp, 3 * volt, 5 * volt) == 16 * watt
    group = NeuronGroup(1, "a : amp\nb : volt\nc : volt\np : watt")
    group.a, group.b, group.c = 2 * amp, 3 * volt, 5 * volt
    group.p = "bar(a, b, c)"
    assert group.p_[:] == pytest.approx([16])
    with pytest.raises(DimensionMismatchError, match="same units as its argument 'b'"):
        group.p = "bar(a, b, a)"
    with pytest.raises(DimensionMismatchError):
        group.b = "bar(a, b, c)"


def test_check_units_interplay_and_what_is_refused():
    def nothing(x, y, z):
        return x * (y + z)

    all_specified = check_units(x=1, y=second, z=second, result=second)(nothing)
    no_result = check_units(x=1, y=second, z=second)(nothing)
    group = NeuronGroup(1, "a : 1\nb : second\nc : second",
                        namespace={"all_specified": all_specified, "no_result": no_result, "nothing": nothing})
    group.a, group.b = 2, 3 * ms
    group.c = "all_specified(a, b, b)"
    assert group.c_[:] == pytest.approx([0.012])
    with pytest.raises(ValueError, match="unit of its result"):
        group.c = "no_result(a, b, b)"
    with pytest.raises(KeyError, match="does not give its units"):
        group.c = "nothing(a, b, b)"
    with pytest.raises(DimensionMismatchError):
        group.a = "all_specified(a, b, b)"


def test_function_construction_errors():
    with pytest.raises(ValueError, match="does not say how it deals with units"):
        Function(_plus_three_volts, return_unit=volt)
    with pytest.raises(ValueError, match="unit of its result"):
        Function(_plus_three_volts, arg_units=[volt, volt])
    with pytest.raises(TypeError, match="give arg_names"):
        Function(_plus_three_volts, arg_units=[volt, "x"], return_unit=volt)
    with pytest.raises(TypeError, match="2 arg_units but 1 arg_names"):
        Function(_plus_three_volts, arg_units=[volt, "x"], arg_names=["x"], return_unit=volt)


def test_discard_units_numpy_implementation():
    @implementation("numpy", discard_units=True)
    @check_units(v=volt, result=volt)
    def foo(v):
        return v + 3 * volt

    assert foo(5 * volt) == 8 * volt
    assert foo.implementations["numpy"].get_code(None)(5) == 8
    with pytest.raises(KeyError, match="no implementation for target 'cython'"):
        foo.implementations["cython"]
    group = NeuronGroup(2, "v : volt")
    group.v = [1, 2] * volt
    group.run_regularly("v = foo(v)")
    run(defaultclock.dt)
    assert group.v_[:] == pytest.approx([4, 5])


def test_a_function_numba_cannot_compile_is_refused_when_used_in_a_kernel():
    @implementation("cpp", "double label(double x) { return x; }")
    @check_units(x=1, result=1)
    def label(x):
        return float(Fraction(x).denominator)  # Python only

    group = NeuronGroup(1, "v : 1")
    group.v = "label(3.5)"  # Python-side evaluation needs no compilation: 3.5 = 7/2
    assert group.v[:] == pytest.approx([2])
    group.run_regularly("v = label(v)")
    with pytest.raises(ModelNotImplementedError, match="'label' cannot run in simcore's compiled kernels.*cpp"):
        run(defaultclock.dt)


def test_declare_types():
    @declare_types(a="integer", b="float", result="highest")
    def f(a, b):
        return a * b

    assert f._arg_types == ["integer", "float"]
    assert f._return_type == "highest"

    @declare_types(b="float")
    def g(a, b, c):
        return a * b * c

    assert g._arg_types == ["any", "float", "any"]
    assert g._return_type == "float"
    with pytest.raises(ValueError, match="'floating' is not one of"):
        declare_types(b="floating")(g)
    with pytest.raises(ValueError, match="no argument"):
        declare_types(d="float")(g)
    checked_then_typed = declare_types(a="float", b="integer")(check_units(a=volt, b=1, result=volt)(f))
    typed_then_checked = check_units(a=volt, b=1, result=volt)(declare_types(a="float", b="integer")(f))
    for function in (checked_then_typed, typed_then_checked):
        assert Function(function).arg_types == ["float", "integer"]
        assert function(2 * volt, 3) == 6 * volt
    with pytest.raises(TypeError, match="must be dimensionless"):
        Function(declare_types(a="integer")(check_units(a=volt, b=1, result=volt)(f)))


def test_binomial_function_draws_in_kernels():
    draw = BinomialFunction(100, 0.1)  # noqa: F841
    group = NeuronGroup(2000, "x : 1\ny : 1")
    group.run_regularly("x = draw()\ny = draw()")
    run(defaultclock.dt)
    x, y = group.x[:], group.y[:]
    assert np.all(x == np.round(x)) and x.min() >= 0 and x.max() <= 100
    assert x.mean() == pytest.approx(10, abs=0.3)  # n p, with sd 3/sqrt(2000)
    assert x.var() == pytest.approx(9, rel=0.15)  # n p (1 - p)
    assert not np.array_equal(x, y)  # two statements: two draws
    with pytest.raises(ValueError, match="probability"):
        BinomialFunction(10, 1.5)


def test_binomial_function_in_a_value_set_from_python_draws_per_element():
    functions = {"bino": BinomialFunction(10, 0.5), "other": BinomialFunction(10, 0.6)}
    group = NeuronGroup(2000, "x : 1", namespace=functions)
    group.x = "bino() + other()"
    x = group.x[:]
    assert len(np.unique(x)) > 5
    assert x.mean() == pytest.approx(11, abs=0.2)  # 5 + 6, sd sqrt(2.5 + 2.4)/sqrt(2000)
    assert x.var() == pytest.approx(4.9, rel=0.15)


def test_auto_vectorise_functions_get_each_elements_index():
    def with_indices(x, _vectorisation_idx):
        return x + _vectorisation_idx

    shifted = Function(with_indices, arg_units=[1], return_unit=1, auto_vectorise=True)
    assert shifted.auto_vectorise and shifted.arity == 1  # the index is not written in model strings
    group = NeuronGroup(4, "x : 1\ny : 1", namespace={"shifted": shifted})
    group.x = "shifted(0.5)"  # from Python: all the indices at once
    np.testing.assert_array_equal(group.x[:], [0.5, 1.5, 2.5, 3.5])
    synapses = Synapses(group, group, "w : 1", namespace={"shifted": shifted})
    synapses.connect(i=[0, 1, 2], j=[3, 3, 3])
    group.run_regularly("y = shifted(10*x)")
    group[2:4].run_regularly("x = shifted(0.0)", when="end")  # a subgroup's elements keep the group's numbers
    synapses.run_regularly("w = shifted(100.0)")  # per synapse: its number
    run(defaultclock.dt)
    np.testing.assert_array_equal(group.y[:], [5, 16, 27, 38])
    np.testing.assert_array_equal(group.x[:], [0.5, 1.5, 2, 3])
    np.testing.assert_array_equal(synapses.w[:], [100, 101, 102])


def test_auto_vectorise_with_check_units_leaves_the_index_out_of_the_arguments():
    @check_units(result=1)
    def count(_vectorisation_idx):
        return np.ones(len(_vectorisation_idx)) * len(_vectorisation_idx)

    counter = Function(count, auto_vectorise=True)
    assert counter.arity == 0
    group = NeuronGroup(3, "z : 1", namespace={"count": counter})
    group.z = "count()"
    np.testing.assert_array_equal(group.z[:], [3, 3, 3])
    group.run_regularly("z = count()")  # len() of one index: numba cannot compile it for kernels
    with pytest.raises(NotImplementedError, match="numba cannot compile"):
        run(defaultclock.dt)


@declare_types(n="integer", result="integer")
@check_units(n=1, result=1)
def doubled(n):
    return 2 * n


def test_declared_argument_types_are_checked_before_anything_runs():
    @declare_types(a="float", result="float")
    @check_units(a=1, result=1)
    def as_float(a):
        return a

    group = NeuronGroup(3, "a : integer\nb : 1\nk : integer", namespace={"f": as_float, "g": doubled})
    group.b = "f(b + 1) + f(1)"  # a float, and an integer literal (1 is 1.0)
    with pytest.raises(TypeError, match=r"argument 1 of the function 'f' .* declared float .* 'a' is an integer"):
        group.b = "f(a)"
    with pytest.raises(TypeError, match=r"'g' .* declared integer .* 'b' is a float value: convert it \(int\(x\)\)"):
        group.k = "g(b)"
    group.run_regularly("k = g(b)")
    with pytest.raises(TypeError, match="declared integer"):
        run(defaultclock.dt)


def test_declared_integer_arguments_take_indices_integer_variables_and_integer_temporaries():
    group = NeuronGroup(3, "k : integer\nm : integer\nx : 1", namespace={"g": doubled})
    group.x = "2.7 + i"
    group.run_regularly("k = g(i)\nstep = int(x) + 1\nm = g(step)")
    run(defaultclock.dt)
    np.testing.assert_array_equal(group.k[:], [0, 2, 4])
    np.testing.assert_array_equal(group.m[:], [6, 8, 10])
