"""Synapse creation (``Synapses.connect``): the generated kernel gives the right pairs, in order,
reproducibly for a seed and for any thread count; bad requests give clear errors."""

import numba
import numpy as np
import pytest

from simcore.backends.cache import load_module
from simcore.codegen.connect import ConnectRequest, connect_pairs, random_stream_count
from simcore.equations.generator import parse_generator
from simcore.equations.parser import parse_expression
from simcore.errors import ModelError, ParseError, SourcePosition, UnknownNameError


def expr(text):
    return parse_expression(text).expr


def pairs(n_pre, n_post, values=None, seed=1, stream=5, j=None, condition=None, p=1.0, n=1, skip=False, **kwargs):
    request = ConnectRequest(n_pre, n_post, condition=expr(condition) if condition else None,
                             p=expr(p) if isinstance(p, str) else p, n=expr(n) if isinstance(n, str) else n,
                             generator=parse_generator(j) if j else None, skip_if_invalid=skip)
    i_out, j_out = connect_pairs(request, values or {}, seed, stream, load_module, **kwargs)
    assert i_out.dtype == j_out.dtype == np.int32
    return i_out, j_out


def as_list(result):
    return list(zip(result[0].tolist(), result[1].tolist(), strict=True))


def within_binomial(count, trials, p, sigmas=5.0):
    return abs(count - trials * p) <= sigmas * np.sqrt(trials * p * (1 - p))


def test_all_to_all_in_order():
    assert as_list(pairs(3, 4)) == [(a, b) for a in range(3) for b in range(4)]


def test_condition_i_not_j():
    assert as_list(pairs(4, 4, condition="i != j")) == [(a, b) for a in range(4) for b in range(4) if a != b]


def test_one_to_one_and_expression_targets():
    assert as_list(pairs(5, 5, j="i")) == [(a, a) for a in range(5)]
    assert as_list(pairs(5, 10, j="2*i + 1")) == [(a, 2 * a + 1) for a in range(5)]
    assert as_list(pairs(5, 5, j="i + 1 if i < N_pre - 1")) == [(a, a + 1) for a in range(4)]
    assert as_list(pairs(5, 9, j="2*i + 1", skip=True)) == [(a, 2 * a + 1) for a in range(4)]
    with pytest.raises(ModelError, match=r"target j=9 of source i=4 is outside 0\.\.8.*skip_if_invalid"):
        pairs(5, 9, j="2*i + 1")
    with pytest.raises(ModelError, match=r"target j = 0\.5 of source i=1 is not an integer"):
        pairs(3, 3, j="i/2")


def test_range_generator_with_if_and_skip_if_invalid():
    text = "k for k in range(i-2, i+3) if k != i"
    expected = [(a, b) for a in range(6) for b in range(a - 2, a + 3) if b != a and 0 <= b < 6]
    assert as_list(pairs(6, 6, j=text, skip=True)) == expected
    with pytest.raises(ModelError, match=r"target j=-2 of source i=0 is outside 0\.\.5"):
        pairs(6, 6, j=text)
    # a step, a target expression of the loop variable, a condition on j and a postsynaptic array
    result = pairs(4, 20, {"x_post": np.arange(20.0)}, j="3*k + 1 for k in range(i, 10, 2) if x_post != 7 and j < 19",
                   skip=True)
    assert as_list(result) == [(a, 3 * k + 1) for a in range(4) for k in range(a, 10, 2) if 3 * k + 1 not in (7, 19)
                               and 3 * k + 1 < 20]


def test_sample_with_p_and_with_size():
    i_out, j_out = pairs(400, 300, j="k for k in sample(N_post, p=0.2)")
    assert within_binomial(i_out.size, 400 * 300, 0.2)
    assert np.all(np.diff(i_out) >= 0) and np.all((j_out >= 0) & (j_out < 300))
    for source in (0, 17, 399):
        targets = j_out[i_out == source]
        assert np.all(np.diff(targets) > 0)  # ascending, no repeats
    # every candidate position is reachable, the first and last included, each with probability p
    for target in (0, 1, 150, 299):
        assert within_binomial(np.count_nonzero(j_out == target), 400, 0.2)
    # a window around i, partly outside the target group
    i_out, j_out = pairs(50, 50, j="k for k in sample(i-5, i+6, p=0.5)", skip=True)
    assert np.all(np.abs(j_out - i_out) <= 5) and 100 < i_out.size < 450
    i_out, j_out = pairs(30, 40, j="k for k in sample(5, N_post, 3, size=4)")
    assert np.all(np.bincount(i_out) == 4) and np.all((j_out - 5) % 3 == 0)
    assert all(len(set(j_out[i_out == a])) == 4 for a in range(30))
    # as in Brian 2, p >= 1 takes every candidate
    assert np.bincount(pairs(5, 5, j="k for k in sample(N_post, p=0.5*i)")[0], minlength=5)[2:].tolist() == [5, 5, 5]


def test_constant_p_count_and_reproducibility():
    first = pairs(200, 300, p=0.1, seed=3)
    assert within_binomial(first[0].size, 200 * 300, 0.1)
    again = pairs(200, 300, p=0.1, seed=3)
    other = pairs(200, 300, p=0.1, seed=4)
    assert as_list(first) == as_list(again) and as_list(first) != as_list(other)
    assert as_list(pairs(200, 300, p=0.1, seed=3, stream=9)) != as_list(first)
    # with a condition: the same sample, then the condition on it
    conditioned = as_list(pairs(200, 300, p=0.1, seed=3, condition="i != j"))
    assert conditioned == [(a, b) for a, b in as_list(first) if a != b]
    assert pairs(20, 20, p=0.0)[0].size == 0 and pairs(20, 20, p=1.0)[0].size == 400


def test_p_expression_evaluated_per_pair_and_per_source():
    assert as_list(pairs(6, 7, p="1.0*(j < i)")) == [(a, b) for a in range(6) for b in range(7) if b < a]
    # depends on the source only: odd sources connect to every target, even ones to none
    assert as_list(pairs(5, 3, p="i % 2")) == [(a, b) for a in (1, 3) for b in range(3)]
    # as in Brian 2, a probability of 1 or more is certain; a negative one is refused
    assert len(pairs(4, 4, p="(i + j)/2 + 1")[0]) == 16 and len(pairs(3, 3, p=1.5)[0]) == 9
    with pytest.raises(ValueError, match=r"p = -0\.5 for the pair i=0, j=1 is negative"):
        pairs(4, 4, p="(i - j)/2")
    with pytest.raises(ValueError, match=r"p = -1\.5 for source i=0 is negative"):
        pairs(4, 4, j="k for k in sample(N_post, p=(i - 3)/2)")
    with pytest.raises(ValueError, match=r"p = -1\.5 is negative"):
        pairs(3, 3, p=-1.5)


def test_distance_based_condition_and_p():
    rng = np.random.default_rng(0)
    x_pre, x_post = rng.random(30), rng.random(40)
    values = {"x_pre": x_pre, "x_post": x_post, "width": 0.2}
    expected = [(a, b) for a in range(30) for b in range(40) if abs(x_pre[a] - x_post[b]) < 0.2]
    assert as_list(pairs(30, 40, values, condition="abs(x_pre - x_post) < width")) == expected
    # p = 1 for equal positions, about 1e-22 otherwise
    grid = {"x_pre": np.arange(10.0), "x_post": np.arange(10.0), "s": 0.1}
    assert as_list(pairs(10, 10, grid, p="exp(-(x_pre - x_post)**2/(2*s**2))")) == [(a, a) for a in range(10)]


def test_n_constant_and_expression():
    assert as_list(pairs(2, 2, n=3)) == [(a, b) for a in range(2) for b in range(2) for _ in range(3)]
    assert as_list(pairs(3, 3, n="i + j", condition="i <= j")) == [
        (a, b) for a in range(3) for b in range(3) if a <= b for _ in range(a + b)]
    with pytest.raises(ModelError, match="n = -1"):
        pairs(2, 2, n=-1)
    with pytest.raises(ModelError, match=r"n = -1 synapses for the pair i=0, j=1"):
        pairs(2, 2, n="i - j")
    with pytest.raises(ModelError, match=r"n = 1\.5 synapses for the pair i=0, j=3 is not an integer"):
        pairs(3, 4, j="k for k in range(N_post, 0, -1)", skip=True, n="0.5*j")


def test_names_that_the_kernel_module_also_uses():
    values = {"math": 2.0, "range": 1.0}
    assert as_list(pairs(3, 3, values, condition="i < math and j >= range")) == [(0, 1), (0, 2), (1, 1), (1, 2)]
    assert as_list(pairs(2, 3, j="max for max in range(i, N_post)")) == [(0, 0), (0, 1), (0, 2), (1, 1), (1, 2)]


def test_random_calls_are_independent_draws():
    request = ConnectRequest(100, 100, condition=expr("rand() < rand()"))
    assert random_stream_count(request) == 3
    i_out, _ = connect_pairs(request, {}, 1, 0, load_module)
    assert within_binomial(i_out.size, 100 * 100, 0.5)
    i_out, _ = pairs(100, 100, j="k for k in range(N_post) if rand() < 0.1")
    assert within_binomial(i_out.size, 100 * 100, 0.1)


def test_same_result_for_one_and_two_threads():
    values = {"x_post": np.linspace(0, 1, 300)}
    requests = [dict(p=0.3, condition="rand() < 0.5 and i != j"), dict(p="0.5*x_post", n="1 + (rand() < 0.3)"),
                dict(j="k for k in sample(i, N_post, p=0.2) if rand() < 0.7")]
    threads = numba.get_num_threads()
    try:
        for kwargs in requests:
            serial = as_list(pairs(200, 300, values, seed=11, parallel=False, **kwargs))
            numba.set_num_threads(1)
            one = as_list(pairs(200, 300, values, seed=11, parallel=True, **kwargs))
            numba.set_num_threads(min(2, numba.config.NUMBA_NUM_THREADS))
            two = as_list(pairs(200, 300, values, seed=11, parallel=True, **kwargs))
            assert serial == one == two and len(serial) > 1000
    finally:
        numba.set_num_threads(threads)


def test_bad_requests():
    with pytest.raises(UnknownNameError, match="'w' is used"):
        pairs(3, 3, condition="i < w")
    with pytest.raises(ModelError, match=r"'x_pre' .* shape \(4,\); expected 3 values"):
        pairs(3, 3, {"x_pre": np.zeros(4)}, condition="x_pre > 0")
    with pytest.raises(ModelError, match="condition cannot be combined"):
        connect_pairs(ConnectRequest(3, 3, condition=expr("i != j"), generator=parse_generator("i")), {}, 1, 0,
                      load_module)
    with pytest.raises(ModelError, match="p cannot be combined"):
        connect_pairs(ConnectRequest(3, 3, p=0.5, generator=parse_generator("i")), {}, 1, 0, load_module)
    with pytest.raises(ModelError, match="sample size 5 for source i=0"):
        pairs(3, 4, j="k for k in sample(N_post, size=5)")


@pytest.mark.parametrize("text, message, column", [
    ("k for k in range(3) for m in range(2)", "only one 'for'", 25),
    ("k for k in range(N_post) if k > 1 if k < 5", "only one 'if'", 38),
    ("k for k in shuffle(N_post)", "unknown iterator function 'shuffle'", 12),
    ("k for k in sample(N_post, p=1.5)", r"p = 1\.5 is outside \[0, 1\]", 29),
    ("k for k in sample(N_post)", "either p=", 12),
    ("k for k in range(k)", "cannot use 'k'", 18),
    ("x_post for k in range(3)", "cannot use 'x_post'", 1),
    ("j for j in range(N_post)", "'j' cannot be the loop variable", 7),
    ("k for k in range(0, 5, 0)", "must not be zero", 24),
    ("k for k in range(i +* 2)", "invalid syntax", 21),
])
def test_generator_parse_errors_have_positions(text, message, column):
    with pytest.raises(ParseError, match=message) as info:
        parse_generator(text)
    assert info.value.position == SourcePosition(1, column)


def test_generator_parts():
    generator = parse_generator("k for k in sample(i - 5, i + 6, p=0.3) if k != i")
    assert (generator.kind, generator.variable) == ("sample", "k")
    assert (str(generator.start), str(generator.stop), str(generator.step)) == ("i - 5", "i + 6", "1")
    assert float(generator.p) == 0.3 and str(generator.condition) == "Ne(k, i)"
    assert generator.identifiers == {"i"}
    assert parse_generator("i").kind == "expression"
