"""Synapses as Brian 2 scripts use them: 2-D indexing, ``S.indices``, ``S[...]``, neuron variables and
subexpressions read through synapses, generators over ``i``, connect()'s arguments and its errors (the
builtin exception a Brian 2 user catches)."""

import numpy as np
import pytest

from simcore import (
    DimensionMismatchError,
    Network,
    NeuronGroup,
    StateMonitor,
    Synapses,
    defaultclock,
    linked_var,
    ms,
    mV,
    run,
    start_scope,
)


def matrix(syn, rows: int, columns: int) -> np.ndarray:
    """How many synapses connect each (i, j)."""
    counts = np.zeros((rows, columns), dtype=int)
    np.add.at(counts, (np.asarray(syn.i[:]), np.asarray(syn.j[:])), 1)
    return counts


@pytest.fixture()
def groups():
    start_scope()
    source = NeuronGroup(4, "v : volt\nv2 = 2*v : volt\nscalar : 1 (shared)")
    source.v = "i*mV"
    target = NeuronGroup(3, "u : 1\nu2 = u + 10 : 1")
    target.u = "i"
    return source, target


def test_removed_and_doubled_keywords_are_type_errors(groups):
    source, target = groups
    with pytest.raises(TypeError, match=r"S\.connect"):
        Synapses(source, target, "w : 1", connect=True)
    with pytest.raises(TypeError, match="either on_pre= or the older pre="):
        Synapses(source, target, "w : 1", pre="u += w", on_pre="u += w")


def test_names_of_neuron_variables_are_refused_for_synaptic_variables(groups):
    source, target = groups
    for model in ("v : 1", "u : 1", "x_pre : 1", "x_post = 1 : 1", "u2 : 1"):
        with pytest.raises(ValueError, match="choose another"):
            Synapses(source, target, model)
    assert "w_syn" in Synapses(source, target, "w_syn : 1").variables


def test_neuron_variables_and_subexpressions_read_and_set_through_synapses(groups):
    source, target = groups
    syn = Synapses(source, target, "w : 1\nx = v2_pre + 1*mV : volt\ny = u2 + u_post : 1")
    syn.connect(i=[0, 0, 0, 1, 1, 3], j=[0, 1, 2, 1, 2, 0])
    assert syn.N_outgoing_pre.tolist() == [3, 2, 0, 1]
    assert syn.N_incoming_post.tolist() == [2, 2, 2]
    assert np.allclose(np.asarray(syn.v_pre[:]), [0, 0, 0, 1e-3, 1e-3, 3e-3])
    assert np.allclose(np.asarray(syn.v2_pre[:]), [0, 0, 0, 2e-3, 2e-3, 6e-3])
    assert np.allclose(np.asarray(syn.x[:]), [1e-3, 1e-3, 1e-3, 3e-3, 3e-3, 7e-3])
    assert syn.u_post[:].tolist() == [0, 1, 2, 1, 2, 0]
    assert syn.u[:].tolist() == [0, 1, 2, 1, 2, 0]  # a postsynaptic variable without suffix, as in Brian 2
    assert syn.y[:].tolist() == [10, 12, 14, 12, 14, 10]
    syn.u_post[1, :] = "10*i + j"  # the targets of source 1 (neurons 1 and 2)
    assert target.u[:].tolist() == [0, 11, 12]
    syn.scalar_pre = 7
    assert float(source.scalar[:]) == 7


def test_two_dimensional_indices_conditions_and_subgroups(groups):
    source, target = groups
    syn = Synapses(source, target, "w : 1", multisynaptic_index="k")
    syn.connect(n=2)
    syn.w = "10*i + j + 0.5*k"
    assert len(syn.w[0, :]) == 6 and len(syn.w[:, 1]) == 8 and len(syn.w[:, :, 1]) == 12
    assert syn.w[2, 1].tolist() == [21, 21.5]
    assert syn.w[[1, 3], [0, 2], 0].tolist() == [10, 12, 30, 32]
    assert syn.indices[:].tolist() == list(range(24))
    assert syn.indices[3, 2].tolist() == [22, 23]
    assert syn.indices["v_pre > 2.5*mV and j == 0"].tolist() == [18, 19]
    assert syn.indices["u2_post >= 12"].tolist() == syn.indices[:, 2].tolist()
    sub = syn[1:3, :2]
    assert len(sub) == 8
    assert {(int(i), int(j)) for i, j in zip(syn.i[sub], syn.j[sub], strict=True)} == {(1, 0), (1, 1), (2, 0), (2, 1)}
    assert sub.w.tolist() == syn.w["i >= 1 and i < 3 and j < 2"].tolist()
    for bad in ((1, 2, 3, 4), object(), 1.5, 24, [0, 30], (0.5, 1)):
        with pytest.raises(IndexError):
            syn.w[bad]


def test_generators_over_sources_with_underscore_sample_and_certain_p(groups):
    source, target = groups
    over_sources = Synapses(source, source)
    over_sources.connect(i="j + k for k in range(-1, 2) if j + k >= 0 and j + k < N_pre")
    expected = np.eye(4, dtype=int) + np.eye(4, k=1, dtype=int) + np.eye(4, k=-1, dtype=int)
    assert (matrix(over_sources, 4, 4) == expected).all()
    doubled = Synapses(source, target)
    doubled.connect(j="i for _ in range(2) if i < N_post")
    assert (matrix(doubled, 4, 3) == 2 * np.eye(4, 3, dtype=int)).all()
    sampled = Synapses(source, target)
    sampled.connect(j="k for k in sample(N_post, size=i + 1)", skip_if_invalid=True)
    assert sampled.N_outgoing_pre.tolist() == [1, 2, 3, 3]
    emptied = Synapses(source, target)
    emptied.connect(j="k for k in sample(N_post, size=1 - i)", skip_if_invalid=True)
    assert emptied.N_outgoing_pre.tolist() == [1, 0, 0, 0]
    certain = Synapses(source, target)
    certain.connect(p=1.5)
    assert len(certain) == 12
    certain_expression = Synapses(source, target)
    certain_expression.connect("i != j", p="2 + i")
    assert len(certain_expression) == 9
    with pytest.raises(ValueError, match=">= 0"):
        certain.connect(p=-0.5)


def test_connect_with_index_arrays_takes_p_and_n(groups):
    source, target = groups
    syn = Synapses(source, target)
    syn.connect(i=[0, 3], j=[2, 1], n=2)
    assert syn.i[:].tolist() == [0, 0, 3, 3] and syn.j[:].tolist() == [2, 2, 1, 1]
    never = Synapses(source, target)
    never.connect(i=[0, 1, 2], j=[0, 1, 2], p=0)
    assert len(never) == 0
    some = Synapses(source, target)
    some.connect(i=np.repeat(np.arange(4), 3), j=np.tile(np.arange(3), 4), p=0.5)
    assert 0 < len(some) < 12


def test_connect_conditions_read_subexpressions_and_refuse_synaptic_variables(groups):
    source, target = groups
    syn = Synapses(source, target, "a = v_pre/mV : 1\nw : 1")
    syn.connect("a == u_post - 1 or u2_post == a + 10")
    assert sorted(zip(syn.i[:].tolist(), syn.j[:].tolist(), strict=True)) == [(0, 0), (0, 1), (1, 1), (1, 2), (2, 2)]
    for condition in ("N_incoming < 5", "w > 0"):
        with pytest.raises(ValueError, match="synaptic variable"):
            syn.connect(condition)


def test_connect_errors_are_the_builtins_brian2_raises(groups):
    source, target = groups
    syn = Synapses(source, target)
    type_errors = [(("i*2",), {}), (("1*mV",), {}), (([1, 2],), {}), ((object(),), {}),
                   ((), {"i": [1.5], "j": [1]}), ((), {"i": [1, 2], "j": "i"}),
                   ((), {"i": [1, 2], "j": [1, 2], "n": "i"}),
                   (("i == j",), {"n": object()}), (("i == j",), {"p": object()}),
                   ((), {"j": "k for k in range(3.0)"}), ((), {"j": "k for k in range(0, 3, True)"})]
    for args, kwargs in type_errors:
        with pytest.raises(TypeError):
            syn.connect(*args, **kwargs)
    value_errors = [((), {"i": [1, 2, 3], "j": [1, 2]}), (("i == j",), {"j": np.arange(3)}),
                    (("k for k in range(1)",), {})]
    for args, kwargs in value_errors:
        with pytest.raises(ValueError):
            syn.connect(*args, **kwargs)
    for kwargs in ({"i": [0, 4], "j": [0, 1]}, {"i": [0, -1], "j": [0, 1]}, {"i": [0], "j": [3]}, {"j": "3"}):
        with pytest.raises(IndexError):
            syn.connect(**kwargs)
    with pytest.raises(SyntaxError):
        syn.connect("sin(3, 4) > 1")
    assert len(syn) == 0


def test_pathway_arguments(groups):
    source, target = groups
    with pytest.raises(ValueError, match="no event 'spike'"):
        Synapses(source, target, on_pre="u += 1")
    spiking = NeuronGroup(2, "v : 1", threshold="v > 1", dt=0.05 * ms)
    with pytest.raises(ValueError, match="unknown pathway"):
        Synapses(spiking, target, "w : 1", delay=1 * ms)
    with pytest.raises(ValueError, match="unknown pathway"):
        Synapses(spiking, target, "w : 1", on_pre="u += w", delay={"post": 1 * ms})
    with pytest.raises(TypeError, match="must be a time"):
        Synapses(spiking, target, "w : 1", on_pre="u += w", delay=object())
    with pytest.raises(DimensionMismatchError, match="must be a time"):
        Synapses(spiking, target, "w : 1", on_pre="u += w", delay=5 * mV)
    deferred = Synapses(spiking, target, on_pre="nowhere += 1")  # as in Brian 2: refused when it runs
    deferred.connect()
    with pytest.raises(NameError, match="nowhere"):
        Network(spiking, target, deferred).run(0 * ms)
    syn = Synapses(spiking, spiking, "w : 1", on_pre={"pre": "v += w", "nothing": ""}, on_post="v -= w")
    assert (syn.pre.code, syn.nothing.code) == ("v += w", "")
    assert syn.pre.clock is spiking.clock and syn.post.clock is spiking.clock


def test_shared_subexpressions(groups):
    source, target = groups
    syn = Synapses(source, target, "s : 1 (shared)\nsub = scalar_pre + s : 1 (shared)")
    syn.connect()
    syn.s = 100
    source.scalar = 50
    assert float(syn.sub) == 150
    with pytest.raises(SyntaxError, match="shared subexpression 'sub'"):
        Synapses(source, target, "s : 1 (shared)\nsub = u_post + s : 1 (shared)")


def test_synapses_without_connect_are_refused(groups):
    source, target = groups
    syn = Synapses(source, target, "w : 1\nc : 1 (shared)")
    syn.c = 2  # shared: one value, there before any synapse
    with pytest.raises(TypeError, match="before its synapses exist"):
        syn.w = 1
    with pytest.raises(TypeError, match="connect"):
        Network(source, target, syn).run(0 * ms)


def test_run_reads_neuron_subexpressions_and_empty_code_does_nothing():
    start_scope()
    source = NeuronGroup(3, "x : 1\nx3 = 3*x : 1", threshold="True")
    source.x = "i + 1"
    target = NeuronGroup(3, "v : 1\nlevel = 2*v + 1 : 1", threshold="False")
    syn = Synapses(source, target, "w = x3_pre : 1", on_pre="v += w + level", on_post="")
    syn.connect(j="i")
    silent = Synapses(source, target, on_pre="")
    silent.connect()
    Network(source, target, syn, silent).run(0.2 * ms)  # two steps: v = 3x + 1, then 2 * (3x + 1) + 3x + 1
    assert target.v[:].tolist() == [16, 28, 40]
    assert syn.w[:].tolist() == [3, 6, 9]
    assert syn.level_post[:].tolist() == [33, 57, 81]


def test_subgroups_select_sources_and_targets_in_synapse_indices():
    start_scope()
    first, second = NeuronGroup(5, "x : 1"), NeuronGroup(10, "y : 1")
    syn = Synapses(first, second, "w : 1")
    syn.connect()
    syn.w[first[2:5], second[4:9]] = 1
    chosen = (np.asarray(syn.i[:]) >= 2) & (np.asarray(syn.j[:]) >= 4) & (np.asarray(syn.j[:]) < 9)
    assert np.array_equal(syn.w[:], chosen.astype(float))
    syn.w = 0
    syn.w[first[2:5], :] = 2
    assert np.array_equal(syn.w[:], np.where(np.asarray(syn.i[:]) >= 2, 2.0, 0.0))
    assert len(syn[:, second[4:9]]) == 25
    assert len(syn.w[first, second[0]]) == 5
    with pytest.raises(IndexError, match="does not lie within"):
        syn.w[second[0:2], :]


def test_subgroup_indices_count_from_a_subgroup_source_and_target():
    start_scope()
    first, second = NeuronGroup(10, "v : 1"), NeuronGroup(20, "v : 1")
    sources, targets = first[:5], second[10:]
    syn = Synapses(sources, targets, "w : 1")
    syn.connect()
    syn.w = "i + 100*j"
    assert len(syn.w[sources, targets]) == 50
    assert np.array_equal(syn.w[sources, 1], syn.w[:, 1])
    assert np.array_equal(syn.w[1, targets], syn.w[1, :])
    assert np.array_equal(np.sort(syn.w[first[1:3], second[12]]), [201.0, 202.0])
    assert len(syn.w[sources, 10]) == 0
    with pytest.raises(IndexError, match="does not lie within"):
        syn.w[first, :]


def test_linked_synaptic_parameters_read_shared_values_and_indexed_elements():
    start_scope()
    single = NeuronGroup(1, "x : 1")
    single.x = 0.5
    shared = NeuronGroup(3, "x : 1 (shared)")
    shared.x = 0.25
    decaying = NeuronGroup(10, "dx/dt = -x / (10*ms) : 1")
    decaying.x = "i * 0.1"
    neurons = NeuronGroup(10, "")
    syn = Synapses(neurons, neurons, "a : 1 (linked)\nb : 1 (linked)\nc : 1 (linked)\nk : integer\ns : 1")
    syn.a = linked_var(single.x)
    syn.c = linked_var(decaying.x, index="k")  # linked before connect(): follows k's array as it grows
    syn.connect(i=[0, 5], j=[3, 6])
    syn.b = linked_var(shared.x)
    syn.k = [3, 5]
    assert np.allclose(syn.c[:], [0.3, 0.5])
    syn.run_regularly("s = a + b + c")
    monitor = StateMonitor(syn, ["a", "c"], record=True)
    run(2 * defaultclock.dt)
    decay = np.exp(-0.1 / 10)
    assert np.allclose(monitor.a[:], 0.5)
    assert np.allclose(monitor.c[:], [[0.3, 0.3 * decay], [0.5, 0.5 * decay]])
    assert np.allclose(syn.s[:], [0.75 + 0.3 * decay, 0.75 + 0.5 * decay])


def test_links_of_synapses_need_an_integer_synaptic_index_variable():
    start_scope()
    source = NeuronGroup(4, "x : 1")
    neurons = NeuronGroup(4, "y : 1")
    syn = Synapses(neurons, neurons, "x : 1 (linked)\nk : integer\nf : 1")
    syn.connect(i=[0, 1, 2, 3], j=0)
    with pytest.raises(TypeError, match="index array"):
        syn.x = linked_var(source.x, index=[0, 1, 2, 3])
    for name in ("absent", "y_post"):
        with pytest.raises(ValueError, match="integer synaptic variable"):
            syn.x = linked_var(source.x, index=name)
    with pytest.raises(TypeError, match="integer variable"):
        syn.x = linked_var(source.x, index="f")
    with pytest.raises(ValueError, match="without index="):
        syn.x = linked_var(source.x)
    syn.x = linked_var(source.x, index="k")
    with pytest.raises(TypeError, match="cannot write through a link"):
        syn.run_regularly("x = 1")
        run(defaultclock.dt)
