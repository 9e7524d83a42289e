"""Groups as Brian 2 scripts use them: element indices, subgroups, values set through indices and strings,
per-variable dtypes, linked variables (subexpressions, index variables, one-element sources, writes in resets),
input groups, and the builtin exceptions Brian 2 users catch."""

import numpy as np
import pytest

from simcore import (
    DimensionMismatchError,
    Hz,
    ModelError,
    Network,
    NeuronGroup,
    PoissonGroup,
    PoissonInput,
    SpikeGeneratorGroup,
    StateMonitor,
    Synapses,
    linked_var,
    ms,
    mV,
    second,
    start_scope,
    volt,
)


@pytest.fixture
def group():
    start_scope()
    G = NeuronGroup(10, "v : 1\nn : integer\nI = 2*v : 1\nf : Hz (shared)")
    G.v = "i"
    return G


# --- indices and values ---------------------------------------------------------------------------------
def test_indices_from_slices_conditions_and_arrays(group):
    limit = 5  # noqa: F841 (the condition string reads it)
    np.testing.assert_array_equal(group.indices[:], np.arange(10))
    np.testing.assert_array_equal(group.indices["i >= limit"], [5, 6, 7, 8, 9])
    np.testing.assert_array_equal(group.indices["v > 7"], [8, 9])
    np.testing.assert_array_equal(group.indices[2:4], [2, 3])
    np.testing.assert_array_equal(group.indices[[1, 3]], [1, 3])
    assert group.indices[4] == 4
    with pytest.raises(TypeError):
        group.indices[None]
    own = NeuronGroup(2, "indices : 1")  # a model variable of that name comes first
    own.indices = [4, 5]
    np.testing.assert_array_equal(own.indices[:], [4, 5])


def test_values_from_a_range_and_strings_through_an_index(group):
    group.v = range(10, 20)
    np.testing.assert_array_equal(group.v[:], np.arange(10, 20))
    group.v[0:5] = "-i"
    group.v["i > 7"] = "100 + i"
    np.testing.assert_array_equal(group.v[:], [0, -1, -2, -3, -4, 15, 16, 17, 108, 109])
    group.v_["i == 5"] = 50  # the raw values take the same indices
    assert group.v[5] == 50
    np.testing.assert_array_equal(group.v_["v > 100"], [108, 109])


def test_refused_indices_and_sizes_raise_the_builtin_errors(group):
    with pytest.raises(IndexError):
        group.v[0, 0]
    with pytest.raises(IndexError):
        group.v[10]
    with pytest.raises(TypeError):
        group.v[object()]
    with pytest.raises(ValueError, match="2 values given for 10 elements"):
        group.v = [1, 2]
    with pytest.raises(TypeError, match="read-only"):
        group.N = 20
    with pytest.raises(TypeError, match="read-only"):
        group.N_ = 20
    with pytest.raises(IndexError, match="shared"):
        group.f[0]
    group.f[:] = 5 * Hz
    assert group.f[:] == 5 * Hz


def test_in_place_arithmetic_checks_units():
    start_scope()
    G = NeuronGroup(3, "v : volt")
    G.v = [1, 2, 3] * mV
    G.v += 1 * mV
    G.v *= 2
    np.testing.assert_allclose(G.v_, [0.004, 0.006, 0.008])
    with pytest.raises(DimensionMismatchError):
        G.v.__iadd__(3 * second)
    with pytest.raises(TypeError):
        G.v.__iadd__("1*mV")


def test_subexpressions_read_as_views_and_refuse_values(group):
    np.testing.assert_array_equal(group.I[:], 2 * np.arange(10))
    assert group.I[3] == 6
    assert len(group.I) == 10
    with pytest.raises(TypeError, match="subexpression"):
        group.I = 3
    states = group.get_states(["v", "I"], units=False)
    np.testing.assert_array_equal(states["I"], 2 * np.arange(10))
    assert {"v", "n", "t", "dt", "i", "N", "I"} <= set(group.get_states(subexpressions=True))
    with pytest.raises(TypeError):
        group.set_states({"N": 1})


def test_raw_values_print_and_refuse_what_brian2_refuses(group):
    assert str(group.v_) == str(np.arange(10.0)) and "0." in repr(group.v_)
    with pytest.raises(IndexError):
        group.v_[0, 0]
    with pytest.raises(TypeError):
        group.v_[object()]


def test_shared_and_random_subexpressions_are_refused_as_in_brian2():
    start_scope()
    with pytest.raises(SyntaxError, match="'sub' .* reads a"):
        NeuronGroup(2, "a : 1\nf : Hz (shared)\nsub = f + a*Hz : Hz (shared)")
    fine = NeuronGroup(2, "f : Hz (shared)\nn : 1 (shared)\nsub = f + n*Hz : Hz (shared)")
    fine.f = 100 * Hz
    fine.n = 50
    assert fine.sub[:] == 150 * Hz
    drawing = NeuronGroup(1, "dv/dt = -v/(10*ms) : 1\ny = rand() : 1")
    with pytest.raises(SyntaxError, match="constant over dt"):
        Network(drawing).run(0 * ms)


def test_per_variable_dtypes():
    start_scope()
    G = NeuronGroup(2, "v : volt\nx : 1\nn : integer", dtype={"v": np.float32, "n": np.int32, "other": np.int8})
    assert (G.v_.dtype, G.x_.dtype, G.n_.dtype) == (np.float32, np.float64, np.int32)
    with pytest.raises(TypeError):
        NeuronGroup(2, "v : 1", dtype={"v": np.int32})
    with pytest.raises(TypeError):
        NeuronGroup(2, "n : integer", dtype={"n": np.float32})
    with pytest.raises(TypeError):
        NeuronGroup(2, "v : 1", dtype=np.int32)


def test_bad_construction_raises_the_builtin_errors():
    start_scope()
    with pytest.raises(TypeError):
        NeuronGroup("dv/dt = 5*Hz : 1", 1)
    with pytest.raises(ValueError):
        NeuronGroup(0, "v : 1")
    with pytest.raises(TypeError):
        NeuronGroup(1, object())
    with pytest.raises(TypeError):
        NeuronGroup(1, "", events={"1event": "True"})
    with pytest.raises(ValueError):
        NeuronGroup(1, "", threshold="True", events={"spike": "False"})
    with pytest.raises(ValueError):
        NeuronGroup(1, "", threshold="True").run_on_event("another", "")


def test_an_event_checked_in_another_slot():
    start_scope()
    G = NeuronGroup(2, "x : 1\nevent_time : second",
                    events={"first": "x > 0", "second": "t >= (i + 1)*ms and t < (i + 1)*ms + dt"})
    G.set_event_schedule("first", when="after_resets")
    G.run_on_event("second", "x = 1", when="resets")
    G.run_on_event("first", "event_time = t\nx = 0", when="after_resets", order=1)
    with pytest.raises(ValueError):
        G.set_event_schedule("third")
    Network(G).run(2.1 * ms)
    np.testing.assert_allclose(G.event_time_, [0.001, 0.002])  # both events in the same step
    assert "NeuronGroup" in G._repr_html_() and "event_time" in G._repr_html_()


# --- subgroups -------------------------------------------------------------------------------------------
def test_subgroups_from_lists_nested_and_as_indices(group):
    np.testing.assert_array_equal(group[[3, 4, 5]].v[:], [3, 4, 5])
    inner = group[3:8][2:4]
    np.testing.assert_array_equal(inner.v[:], [5, 6])
    assert inner.source is group and inner.offset == 5
    group.v[group[4:6]] = -1
    np.testing.assert_array_equal(group.v[3:7], [3, -1, -1, 6])
    group.v[group[7:9]] = "10*v"
    np.testing.assert_array_equal(group.v[7:9], [70, 80])


@pytest.mark.parametrize("key, error", [([2, 4, 6], IndexError), ([5, 4, 3], IndexError), ([-1, 0, 1], IndexError),
                                        ([9, 10], IndexError), ([2.5, 3.5], TypeError), ("string", TypeError),
                                        (slice(None, None, 2), IndexError), (10, IndexError)])
def test_subgroups_that_brian2_refuses(group, key, error):
    with pytest.raises(error):
        group[key]


# --- linked variables --------------------------------------------------------------------------------------
def test_links_through_an_index_variable_and_from_one_element(group):
    target = NeuronGroup(10, "y : 1 (linked)\nk : integer\nz : 1 (linked)\nw : 1")
    with pytest.raises(TypeError):
        target.y = linked_var(group, "v", index="w")
    target.y = linked_var(group, "v", index="k")
    target.k = np.arange(10)[::-1]
    np.testing.assert_array_equal(target.y[:], np.arange(10)[::-1])
    single = NeuronGroup(1, "x : 1")
    single.x = 4
    target.z = linked_var(single.x)
    assert np.isscalar(target.z[:]) and target.z[:] == 4
    assert target[:5].z == 4 and target[5:].y[0] == 4


def test_bad_links_raise_the_builtin_errors(group):
    target = NeuronGroup(10, "y : 1 (linked)\nu : volt (linked)\nplain : 1")
    with pytest.raises(DimensionMismatchError):
        target.u = linked_var(group.v)
    with pytest.raises(ValueError):
        target.y = linked_var(NeuronGroup(20, "x : 1").x)
    with pytest.raises(ValueError):
        linked_var(group.v, "v")
    with pytest.raises(ValueError):
        linked_var(group)
    with pytest.raises(TypeError):
        target.plain = linked_var(group.v)
    with pytest.raises(TypeError):
        target.y = linked_var(group.v, index=np.arange(10) * 1.0)
    with pytest.raises(TypeError):
        target.y = linked_var(group.v, index=np.arange(5))
    with pytest.raises(ValueError):
        target.y = linked_var(group.v, index=np.arange(10) + 1)
    synapses = Synapses(group, group, "w : 1")
    with pytest.raises(NotImplementedError):
        target.y = linked_var(synapses, "w")
    with pytest.raises(TypeError, match="linked"):
        target.y = 3


def test_a_link_to_a_subexpression_reads_it_from_python(group):
    target = NeuronGroup(4, "J : 1 (linked)")
    target.J = linked_var(group.I, index=[0, 1, 9, 9])
    np.testing.assert_array_equal(target.J[:], [0, 2, 18, 18])


def test_links_in_a_run_subexpressions_monitors_and_resets():
    start_scope()
    scale = 3.0  # noqa: F841 (the subexpression reads it)
    source = NeuronGroup(2, "dv/dt = 100*Hz : 1\nI = scale*v : 1")
    source.v = [0, 0.5]
    reader = NeuronGroup(4, "I_l : 1 (linked)\nx_l : 1 (linked)\ny : 1", threshold="y > 1",
                         reset="y = 0; x_l += 1")
    reader.I_l = linked_var(source.I, index=[0, 0, 1, 1])
    counts = NeuronGroup(4, "x : 1")
    reader.x_l = linked_var(counts, "x")
    reader.y = [0, 2, 0, 2]
    monitor = StateMonitor(reader, ["I_l", "x_l"], record=True)
    Network(source, reader, counts, monitor).run(0.3 * ms)
    # v grows by 0.01 per step from 0 and 0.5; the monitor records at the start of each step
    expected = 3.0 * (np.array([0.0, 0.5])[:, None] + 0.01 * np.arange(3))
    np.testing.assert_allclose(monitor.I_l[:], expected[[0, 0, 1, 1]])
    np.testing.assert_array_equal(counts.x[:], [0, 1, 0, 1])  # the reset wrote the linked-to variable
    np.testing.assert_array_equal(monitor.x_l[:, -1], [0, 1, 0, 1])


def test_a_reset_may_not_write_a_link_that_reads_one_value_for_many_elements():
    start_scope()
    single = NeuronGroup(1, "x : 1")
    reader = NeuronGroup(2, "x_l : 1 (linked)\ny : 1", threshold="y > 1", reset="y = 0; x_l += 1")
    reader.x_l = linked_var(single, "x")
    with pytest.raises(SyntaxError, match="x_l"):
        Network(single, reader).run(0 * ms)


# --- input groups --------------------------------------------------------------------------------------------
def test_input_groups_refuse_bad_values_with_the_builtin_errors():
    start_scope()
    for N in (0, -1, 1.5):
        with pytest.raises(ValueError):
            PoissonGroup(N, 100 * Hz)
    for N in (0, 1.5):
        with pytest.raises(TypeError):
            SpikeGeneratorGroup(N, [], [] * second)
    with pytest.raises(ValueError):
        SpikeGeneratorGroup(5, [0, 5], [0, 1] * ms)
    with pytest.raises(ValueError):
        SpikeGeneratorGroup(5, [0, 1], [0, -1] * ms)
    with pytest.raises(ValueError):
        SpikeGeneratorGroup(1, [], [] * second, period=-1 * ms)
    with pytest.raises(ValueError):
        SpikeGeneratorGroup(1, [0, 0, 0], [0, 0.9, 0.99999] * ms, period=1 * ms, dt=0.1 * ms)
    G = NeuronGroup(2, "x : volt\ny : 1")
    with pytest.raises(KeyError):
        PoissonInput(G, "z", 100, 100 * Hz, weight=1.0)
    with pytest.raises(DimensionMismatchError):
        PoissonInput(G, "x", 100, 100 * Hz, weight=1.0)
    for N in (0, -1, 1.5):
        with pytest.raises(ValueError):
            PoissonInput(G, "x", N, 100 * Hz, weight=1 * volt)
    with pytest.raises(ValueError):
        PoissonInput(G, "x", 100, -10 * Hz, weight=1 * volt)


def test_spike_generator_checks_that_depend_on_dt_wait_for_the_run():
    start_scope()
    twice = SpikeGeneratorGroup(2, [0, 0], [0, 0.05] * ms, dt=0.1 * ms)  # one step at this dt
    with pytest.raises(ValueError, match="twice"):
        Network(twice).run(0 * ms)
    uneven = SpikeGeneratorGroup(1, [], [] * second, period=1.25 * ms, dt=0.1 * ms)
    with pytest.raises(NotImplementedError, match="multiple"):
        Network(uneven).run(0 * ms)
    short = SpikeGeneratorGroup(1, [], [] * second, period=1 * ms, dt=2 * ms)
    with pytest.raises(ValueError, match="shorter"):
        Network(short).run(0 * ms)
    spikes = SpikeGeneratorGroup(2, [1, 0], [2, 1] * ms)
    np.testing.assert_array_equal(spikes.spike_time, [0.001, 0.002])
    np.testing.assert_array_equal(spikes.neuron_index, [0, 1])


def test_errors_stay_model_errors():
    start_scope()
    with pytest.raises(ModelError):
        NeuronGroup(0, "v : 1")


def test_states_as_a_pandas_table():
    pandas = pytest.importorskip("pandas")
    group = NeuronGroup(4, """v : volt
                              w : 1
                              total = w + v/mV : 1""")
    group.v = "2*i*mV"
    group.w = "i + 0.5"
    table = group.get_states(["v", "w", "total", "N"], units=False, format="pandas")
    assert isinstance(table, pandas.DataFrame) and list(table.columns) == ["v", "w", "total", "N"]
    assert table["v"].tolist() == pytest.approx([0, 0.002, 0.004, 0.006])
    assert table["total"].tolist() == pytest.approx([0.5, 3.5, 6.5, 9.5]) and table["N"].tolist() == [4] * 4
    assert {"v", "w", "i", "N", "t", "dt", "t_in_timesteps"} == set(group.get_states(units=False, format="pandas"))
    with pytest.raises(NotImplementedError, match="units=False"):
        group.get_states(format="pandas")
    group.set_states(pandas.DataFrame({"v": [0.01, 0.02, 0.03, 0.04], "w": [4, 3, 2, 1]}), units=False,
                     format="pandas")
    assert group.v_.tolist() == [0.01, 0.02, 0.03, 0.04] and group.w_.tolist() == [4, 3, 2, 1]
    with pytest.raises(ValueError):
        group.set_states(pandas.DataFrame({"v": [1.0, 2.0]}), units=False, format="pandas")
    with pytest.raises(TypeError):
        group.set_states(pandas.DataFrame({"N": [1]}), units=False, format="pandas")
    with pytest.raises(ValueError, match="'dict' or 'pandas'"):
        group.get_states(format="xarray")
