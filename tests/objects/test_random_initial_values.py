"""Values set from strings with random draws use the kernels' counter-based generator, keyed by the seed, the
object, the number of its assignment with draws since seed(), the element and the call site."""

import numpy as np
import pytest

from simcore import BinomialFunction, NeuronGroup, Synapses, seed, start_scope
from simcore.equations import parse_expression
from simcore.equations.evaluate import Draws, evaluate
from simcore.random import normal, poisson, uniform

MODEL = """v : 1
x : 1
k : integer"""


def _group(extra: bool):
    start_scope()
    seed(5)
    group, other = NeuronGroup(1000, MODEL), NeuronGroup(10, MODEL)
    if extra:
        other.x = "rand()"
    group.v = "rand()"
    return group.v_.copy()


def test_a_random_assignment_to_another_object_leaves_later_values_unchanged():
    np.testing.assert_array_equal(_group(extra=False), _group(extra=True))


def test_a_random_assignment_to_another_object_leaves_an_index_condition_unchanged():
    def chosen(extra: bool):
        start_scope()
        seed(5)
        group, other = NeuronGroup(1000, MODEL), NeuronGroup(10, MODEL)
        if extra:
            other.x = "randn()"
        group.v["rand() < 0.3"] = 1
        return np.flatnonzero(group.v_)

    np.testing.assert_array_equal(chosen(False), chosen(True))
    assert 200 < chosen(False).size < 400


def test_the_same_seed_draws_the_same_numbers_for_another_variable():
    start_scope()
    group = NeuronGroup(500, MODEL)
    seed(11)
    group.v = "rand() + randn()"
    seed(11)
    group.x = "rand() + randn()"
    np.testing.assert_array_equal(group.v_, group.x_)
    group.x = "rand() + randn()"  # the next assignment draws anew
    assert not np.any(group.v_ == group.x_)
    assert 0.3 < np.std(group.v_ - group.x_) / np.sqrt(2 * (1 + 1 / 12)) < 3


def test_uniform_values_in_the_unit_interval():
    start_scope()
    seed(2)
    group = NeuronGroup(10_000, MODEL)
    group.v = "rand()"
    values = group.v_
    assert values.min() >= 0 and values.max() < 1
    assert abs(values.mean() - 0.5) < 4 * np.sqrt(1 / 12 / values.size)
    assert abs(np.mean(values < 0.25) - 0.25) < 0.02
    group.x = "randn()"
    assert abs(group.x_.mean()) < 0.04 and abs(group.x_.std() - 1) < 0.03
    group.k = "poisson(4)"
    assert abs(group.k_.mean() - 4) < 0.1 and abs(group.k_.var() - 4) < 0.3


def test_the_draws_are_the_kernels_generator_for_each_element():
    expr = parse_expression("rand() + 10*randn()").expr
    values = evaluate(expr, {}, 5, Draws(lambda: 1234, first=10))
    # call sites in the order of their text: rand() is stream 0, randn() stream 1; the element is the index
    expected = [uniform(np.uint64(1234), 0, 10 + k, 0) + 10 * normal(np.uint64(1234), 0, 10 + k, 1) for k in range(5)]
    np.testing.assert_array_equal(values, expected)
    lam = evaluate(parse_expression("poisson(2 + i)").expr, {"i": np.arange(4)}, 4, Draws(lambda: 99))
    np.testing.assert_array_equal(lam, [poisson(2.0 + k, np.uint64(99), 0, k, 0) for k in range(4)])


def test_same_seed_same_values_and_successive_assignments_differ():
    values = []
    for _ in range(2):
        seed(8)
        group = NeuronGroup(100, MODEL)  # the first group still exists: this one is 'neurongroup_1'
        group.v = "rand()"
        first = group.v_.copy()
        group.v = "rand()"
        values.append((first, group.v_.copy()))
    np.testing.assert_array_equal(values[0][0], values[1][0])
    np.testing.assert_array_equal(values[0][1], values[1][1])
    assert not np.array_equal(values[0][0], values[0][1])


def test_seeding_again_draws_the_same_values_for_an_existing_group():
    group = NeuronGroup(100, MODEL)
    seed(4)
    group.v = "rand()"
    first = group.v_.copy()
    seed(4)
    group.v = "rand()"
    np.testing.assert_array_equal(group.v_, first)
    seed(5)
    group.v = "rand()"
    assert not np.array_equal(group.v_, first)


def test_groups_made_before_and_after_a_seed_draw_differently():
    old = NeuronGroup(100, MODEL)
    seed(4)
    new = NeuronGroup(100, MODEL)
    old.v = "rand()"
    new.v = "rand()"
    assert not np.array_equal(old.v_, new.v_)


def test_two_calls_in_one_expression_and_a_subgroup_draw_independently():
    start_scope()
    seed(3)
    group = NeuronGroup(1000, MODEL)
    group.v = "rand() - rand()"
    assert np.all(group.v_ != 0) and abs(group.v_.mean()) < 0.05
    group.x = "rand()"
    whole = group.x_.copy()
    group.x[:500] = "rand()"
    group[500:].x = "rand()"
    assert not np.any(group.x_ == whole)


@pytest.mark.parametrize("raw", [False, True])
def test_synapses_and_raw_values_draw_per_assignment(raw):
    start_scope()
    seed(6)
    group = NeuronGroup(30, MODEL)
    synapses = Synapses(group, group, "w : 1")
    synapses.connect(p=0.5)
    values = []
    for _ in range(2):
        if raw:
            synapses.w_ = "rand()"
        else:
            synapses.w = "rand()"
        values.append(synapses.w_.copy())
    assert values[0].size == synapses.N > 0
    assert not np.array_equal(*values)
    assert values[0].min() >= 0 and values[0].max() < 1


def test_binomial_function_and_poisson_values_are_keyed_draws():
    def values(extra: bool):
        start_scope()
        seed(9)
        group, other = NeuronGroup(4000, MODEL), NeuronGroup(5, MODEL)
        draw = BinomialFunction(20, 0.25)  # noqa: F841 (found by the string in this frame)
        if extra:
            other.v = "poisson(3)"
        group.k = "draw()"
        counts = group.k_.copy()
        group.x = "poisson(0.5 + i*0)"
        return counts, group.x_.copy()

    (counts, poisson_values), (again, _) = values(False), values(True)
    np.testing.assert_array_equal(counts, again)
    assert counts.min() >= 0 and counts.max() <= 20 and abs(counts.mean() - 5) < 0.15
    assert abs(poisson_values.mean() - 0.5) < 0.05 and np.all(poisson_values == np.round(poisson_values))
