"""Bad input is refused before a run starts, with a message that names the value and what is accepted
(issue 12, "Bad input that is accepted or gets a confusing message"). Nothing here compiles a kernel:
every refusal comes before code generation."""

import math

import numpy as np
import pytest

from simcore import (
    Clock,
    ModelError,
    Network,
    NeuronGroup,
    PoissonGroup,
    PoissonInput,
    Synapses,
    defaultclock,
    ms,
    second,
    seed,
    start_scope,
)
from simcore.equations import parse_expression
from simcore.errors import ParseError
from simcore.seeding import current_seed
from simcore.units import Hz

NAN, INF = float("nan"), float("inf")
BAD_STEPS = [0 * ms, -0.1 * ms, NAN * ms, INF * ms]


# --- time steps and durations ----------------------------------------------------------------
@pytest.mark.parametrize("dt", BAD_STEPS, ids=["zero", "negative", "nan", "inf"])
def test_a_time_step_must_be_positive_and_finite_where_it_is_given(dt):
    start_scope()
    with pytest.raises(ModelError, match=r"the dt of clock must be a positive, finite time such as 0\.1\*ms"):
        Clock(dt)
    with pytest.raises(ModelError, match=r"the dt of exc_clock must be a positive, finite time"):
        NeuronGroup(2, "v : 1", dt=dt, name="exc")
    clock = Clock(0.1 * ms, name="mine")
    with pytest.raises(ModelError, match=r"the dt of mine must be a positive"):
        clock.dt = dt
    assert clock.dt_ == pytest.approx(1e-4)
    with pytest.raises(ModelError, match=r"the dt of run_regularly code must be a positive"):
        NeuronGroup(2, "v : 1").run_regularly("v = 1", dt=dt)


def test_defaultclock_dt_is_checked_at_assignment_and_keeps_its_value():
    before = defaultclock.dt_
    for dt in BAD_STEPS:
        with pytest.raises(ModelError, match=r"the dt of defaultclock must be a positive, finite time"):
            defaultclock.dt = dt
    assert defaultclock.dt_ == before


@pytest.mark.parametrize("duration", [NAN * ms, INF * ms, -1 * ms], ids=["nan", "inf", "negative"])
def test_run_refuses_a_duration_that_is_not_a_finite_time(duration):
    start_scope()
    group = NeuronGroup(2, "dv/dt = -v/(10*ms) : 1")
    with pytest.raises(ModelError, match=r"the run duration must be a finite time >= 0, such as 100\*ms"):
        Network(group).run(duration)


def test_run_refuses_a_duration_beyond_the_step_counter():
    start_scope()
    group = NeuronGroup(2, "dv/dt = -v/(10*ms) : 1")
    with pytest.raises(ModelError, match=r"past time step 2\*\*56"):
        Network(group).run(1e20 * second)


# --- conditions --------------------------------------------------------------------------------
def test_a_threshold_must_be_a_condition():
    start_scope()
    with pytest.raises(ParseError, match=r"the threshold must be a condition .* not the value 'v \+ 1'") as error:
        NeuronGroup(2, "v : 1", threshold="v + 1")
    assert (error.value.position.line, error.value.position.column) == (1, 1)
    with pytest.raises(ParseError, match="the threshold must be a condition.*'v'"):
        NeuronGroup(2, "v : 1", threshold="v")
    with pytest.raises(ParseError, match="the threshold must be a condition.*'i'"):
        NeuronGroup(2, "v : 1", threshold="i")
    with pytest.raises(ParseError, match="the condition of event 'up' must be a condition.*'2\\*v'"):
        NeuronGroup(2, "v : 1", events={"up": "2*v"})
    # conditions, boolean variables and boolean subexpressions are accepted
    NeuronGroup(2, "v : 1", threshold="v > 1 and not v > 3")
    NeuronGroup(2, "v : 1\nready : boolean", threshold="ready")
    NeuronGroup(2, "v : 1\nhigh = v > 1 : boolean", threshold="high")
    NeuronGroup(2, "v : 1", threshold="True")


def test_a_string_index_and_a_connect_condition_must_be_conditions():
    start_scope()
    group = NeuronGroup(3, "v : 1\nready : boolean")
    with pytest.raises(ParseError, match=r"the index 'v \+ 1' of NeuronGroup .* must be a condition"):
        group.v["v + 1"] = 2
    group.ready = [True, False, True]
    group.v["ready"] = 2
    group.v["i == 1"] = 5
    assert list(group.v_) == [2, 5, 2]
    synapses = Synapses(group, group, "w : 1")
    with pytest.raises(TypeError, match=r"the condition of connect\(\) of Synapses .* must be a condition"):
        synapses.connect("i + j")
    assert synapses.N == 0
    synapses.connect("i != j")
    assert synapses.N == 6


# --- code that writes what it must not --------------------------------------------------------
MODEL = "v : 1\np : 1 (constant)\nn : integer"


@pytest.mark.parametrize("target, reason", [
    ("p", r"declared '\(constant\)': it may be set between runs"),
    ("i", "read-only"),
    ("N", "read-only"),
    ("t", "the clock's time"),
    ("dt", "the clock's time"),
    ("lastspike", "the time of each neuron's last spike"),
])
def test_a_reset_or_run_regularly_cannot_write_a_constant_or_read_only_variable(target, reason):
    start_scope()
    value = "1*ms" if target in ("t", "dt", "lastspike") else "1"
    with pytest.raises(ModelError, match=f"the reset of NeuronGroup .* assigns to '{target}', which is {reason}"):
        NeuronGroup(2, MODEL, threshold="v > 1", reset=f"v = 0\n{target} = {value}", refractory=2 * ms)
    group = NeuronGroup(2, MODEL, threshold="v > 1", refractory=2 * ms)
    with pytest.raises(ModelError, match=f"run_regularly code of .* assigns to '{target}', which is {reason}"):
        group.run_regularly(f"{target} = {value}")
    with pytest.raises(ModelError, match=f"assigns to '{target}', which is {reason}"):
        group.run_on_event("spike", f"{target} = {value}")
    group.p = 3  # from Python, between runs, a constant can be set
    assert group.p_[0] == 3


def test_a_pathway_cannot_write_a_constant():
    start_scope()
    source = NeuronGroup(2, "v : 1", threshold="v > 1")
    target = NeuronGroup(2, MODEL)
    with pytest.raises(ModelError, match=r"the 'pre' pathway of Synapses .* assigns to 'p', which is declared "
                                         r"'\(constant\)'"):
        Synapses(source, target, on_pre="p += 1")
    with pytest.raises(ModelError, match=r"assigns to 'w', which is declared '\(constant\)'"):
        Synapses(source, target, "w : 1 (constant)", on_pre="w = 2")
    with pytest.raises(ModelError, match=r"PoissonInput: 'p' of .* \(constant\)"):
        PoissonInput(target, "p", 10, 5 * Hz, 1)


# --- refractoriness, subgroups, sizes ------------------------------------------------------------
@pytest.mark.parametrize("period", [-1 * ms, NAN * ms, INF * ms], ids=["negative", "nan", "inf"])
def test_a_refractory_period_must_be_a_finite_time_not_below_zero(period):
    start_scope()
    with pytest.raises(ModelError, match=r"the refractory period of NeuronGroup .* must be a finite time >= 0"):
        NeuronGroup(2, "v : 1", threshold="v > 1", refractory=period)


def test_a_boolean_variable_is_a_refractory_condition_not_a_time():
    start_scope()
    group = NeuronGroup(2, "v : 1\nbusy : boolean", threshold="v > 1", refractory="busy")
    assert group.refractory_kind == "condition"


def test_a_subgroup_must_lie_inside_its_group():
    start_scope()
    group = NeuronGroup(3, "v : 1")
    for key in (slice(2, 10), slice(-10, None), slice(0, 4), slice(5, 7)):
        with pytest.raises(ModelError, match=r"the subgroup \[.*\] of NeuronGroup .* reaches outside its 3 elements"):
            group[key]
    for key in (3, -4):
        with pytest.raises(ModelError, match=r"index -?\d is out of range for NeuronGroup .* which has 3 elements"):
            group[key]
    for key in (slice(None, None, 2), slice(None, None, -1), slice(2, 1), slice(1, 1)):
        with pytest.raises(ModelError, match="must be a non-empty contiguous range"):
            group[key]
    # as in Python (and Brian 2), negative numbers count from the end
    assert (group[-1].start, group[-1].N) == (2, 1)
    assert (group[-2:].start, group[-2:].N) == (1, 2)
    assert (group[0:3].start, group[0:3].N) == (0, 3)
    assert group[np.int64(1)].start == 1


@pytest.mark.parametrize("size", [True, False, 1.5, 0, -3, NAN, INF, "3", None])
def test_a_neuron_group_needs_a_positive_whole_number_of_neurons(size):
    start_scope()
    with pytest.raises(ModelError, match=r"the number of neurons N of a NeuronGroup must be a positive whole number, "
                                         r"not"):
        NeuronGroup(size, "v : 1")


def test_a_neuron_group_takes_integers_of_any_kind_and_whole_floats():
    start_scope()
    assert [NeuronGroup(n, "v : 1").N for n in (3, np.int64(3), np.uint8(3), 3.0, 1e1)] == [3, 3, 3, 3, 10]


# --- values of integer variables ------------------------------------------------------------------
def test_an_integer_variable_refuses_values_that_are_not_whole_numbers():
    start_scope()
    group = NeuronGroup(3, MODEL)
    group.n = [1, 2, 3]
    with pytest.raises(ModelError, match=r"'n' of NeuronGroup .* is an integer variable: it cannot hold 1\.5"):
        group.n = 1.5
    with pytest.raises(ModelError, match=r"cannot hold 0\.5 \(element 1 of the values\)"):
        group.n = "i*0.5"
    with pytest.raises(ModelError, match="cannot hold nan"):
        group.n[1] = NAN
    with pytest.raises(ModelError, match="cannot hold 1e"):
        group.n = 1e30
    assert list(group.n_) == [1, 2, 3]  # nothing was written
    group.n = 4.0
    group.n["i > 0"] = "2*i"
    assert list(group.n_) == [4, 2, 4]
    synapses = Synapses(group, group, "count : integer (shared)")
    with pytest.raises(ModelError, match=r"'count' of Synapses .* is an integer variable: it cannot hold 2\.5"):
        synapses.count = 2.5
    synapses.count = 2
    assert synapses.count_ == 2


# --- seeds -------------------------------------------------------------------------------------
@pytest.mark.parametrize("value", [1.5, 2.0, -1, 2**64, 2**64 + 1, True, "3", np.float64(3)])
def test_seed_refuses_what_is_not_a_64_bit_key(value):
    with pytest.raises(ModelError, match=r"seed\(\) takes a whole number from 0 to 2\*\*64 - 1 \(or None"):
        seed(value)


def test_seed_takes_none_and_integers_of_any_kind():
    seed(np.uint64(2**64 - 1))
    assert current_seed() == 2**64 - 1
    seed(np.int32(7))
    assert current_seed() == 7
    seed(None)
    assert 0 <= current_seed() < 2**64
    seed(1)
    assert current_seed() == 1


# --- Poisson inputs ------------------------------------------------------------------------------
@pytest.mark.parametrize("rates", [-5 * Hz, NAN * Hz, INF * Hz, np.array([1, -2, 3]) * Hz, "-5*Hz + i*Hz"])
def test_a_poisson_group_refuses_negative_and_nan_rates(rates):
    start_scope()
    with pytest.raises(ModelError, match=r"the rates of PoissonGroup .* must be finite and >= 0 \(such as 5\*Hz\), "
                                         r"but neuron \d would have"):
        PoissonGroup(3, rates)


def test_poisson_rates_set_later_are_checked_and_kept_on_refusal():
    start_scope()
    group = PoissonGroup(3, 5 * Hz)
    with pytest.raises(ModelError, match=r"neuron 2 would have -1 Hz"):
        group.rates = "(1 - i)*Hz"
    with pytest.raises(ModelError, match=r"neuron 0 would have nan Hz"):
        group.rates[0] = NAN * Hz
    assert list(group.rates_) == [5, 5, 5]
    PoissonGroup(3, "5*Hz + i*Hz*sin(2*pi*t/ms)")  # an expression of i and t: checked, and fine


@pytest.mark.parametrize("N, rate, message", [
    (NAN, 5 * Hz, "the number of inputs N must be a positive whole number, not nan"),
    (INF, 5 * Hz, "the number of inputs N must be a positive whole number, not inf"),
    (True, 5 * Hz, "the number of inputs N must be a positive whole number, not True"),
    (10, INF * Hz, "the rate must be one rate >= 0 and finite"),
    (10, NAN * Hz, "the rate must be one rate >= 0 and finite"),
])
def test_a_poisson_input_refuses_bad_counts_and_rates(N, rate, message):
    start_scope()
    with pytest.raises(ModelError, match=message):
        PoissonInput(NeuronGroup(2, "v : 1"), "v", N, rate, 1)


# --- synaptic delays -------------------------------------------------------------------------------
@pytest.mark.parametrize("delay", [NAN * ms, -1 * ms, INF * ms], ids=["nan", "negative", "inf"])
def test_a_single_delay_must_be_finite_and_not_negative(delay):
    start_scope()
    source = NeuronGroup(2, "v : 1", threshold="v > 1")
    with pytest.raises(ModelError, match=r"the delay of pathway 'pre' of Synapses .* must be a finite time >= 0"):
        Synapses(source, source, on_pre="v += 1", delay=delay)


@pytest.mark.parametrize("delays, problem", [
    ([1, NAN], "not a number"),
    ([1, 1e15], "too long a delay"),
    ([-1, 1], "a negative delay"),
], ids=["nan", "astronomical", "negative"])
def test_synaptic_delays_are_checked_before_the_run(delays, problem):
    start_scope()
    source = NeuronGroup(2, "v : 1", threshold="v > 1")
    synapses = Synapses(source, source, on_pre="v += 1")
    synapses.connect(i=[0, 1], j=[1, 0])
    synapses.delay = np.array(delays) * ms
    bad = 1 if math.isnan(delays[1]) or delays[1] > 1 else 0
    with pytest.raises(ModelError, match=fr"the delay of synapse {bad} \(i={bad}, j={1 - bad}\) of the 'pre' pathway "
                                         fr"of Synapses .*, {problem}: delays must be finite, >= 0 and below "):
        Network(source, synapses).run(1 * ms)


def test_a_shared_delay_set_later_is_checked_before_the_run():
    start_scope()
    source = NeuronGroup(2, "v : 1", threshold="v > 1")
    synapses = Synapses(source, source, on_pre="v += 1", delay=1 * ms)
    synapses.connect(i=0, j=1)
    synapses.delay = NAN * ms
    with pytest.raises(ModelError, match=r"the delay of the 'pre' pathway .* not a number"):
        Network(source, synapses).run(1 * ms)


# --- expressions ---------------------------------------------------------------------------------
@pytest.mark.parametrize("text, column, message", [
    ("1/0", 3, "the divisor '0' is zero"),
    ("v + w/(2 - 2)", 8, "the divisor '0' is zero"),
    ("v // 0.0", 6, "the divisor '0.0' is zero"),
    ("v % 0", 5, "the divisor '0' is zero"),
    ("0/0", 3, "the divisor '0' is zero"),
    ("2*mV + 0**-1*mV", 8, "zero to the negative power"),
])
def test_division_by_zero_is_refused_where_it_is(text, column, message):
    with pytest.raises(ParseError, match=f"division by zero: {message}") as error:
        parse_expression(text)
    assert (error.value.position.line, error.value.position.column) == (1, column)


def test_division_by_zero_in_a_model_names_its_position_in_the_model():
    start_scope()
    with pytest.raises(ParseError, match=r"division by zero.*\(line 2, column 12\)"):
        NeuronGroup(1, "v : volt\ndw/dt = (1/0)/ms : 1")
    with pytest.raises(ParseError, match=r"division by zero"):
        NeuronGroup(1, "v : volt", threshold="v > 1/0*mV")
    with pytest.raises(ParseError, match=r"log\(0\) is not a number"):
        NeuronGroup(1, "v = log(0) : 1")
    group = NeuronGroup(1, "v : volt")
    with pytest.raises(ParseError, match="division by zero"):
        group.v = "1*mV/0"


def test_code_that_is_not_a_string_is_refused_and_a_bad_string_every_time():
    with pytest.raises(ModelError, match="statements are a string.*not list"):
        NeuronGroup(1, "v : 1", reset=["v = 0"])
    with pytest.raises(ModelError, match="an expression is a string.*not list"):
        NeuronGroup(1, "v : 1", threshold=["v > 1"])
    for _ in range(2):  # parses are remembered, refusals are not
        with pytest.raises(ParseError, match="line 1, column 5"):
            parse_expression("v > > 1")
    assert parse_expression("v > 1") == parse_expression("v > 1")
