"""Shared variables written by code: run_regularly statements that set them run once per step, before the
per-element ones (Brian 2's rule); code that runs for some elements only (resets, events, pathways) may not
set them."""

import re

import numpy as np
import pytest

from simcore import ModelError, Network, NeuronGroup, SpikeGeneratorGroup, StateMonitor, Synapses, ms


def counting(code: str, **keywords):
    group = NeuronGroup(4, "v : 1\nc : 1 (shared)", name="cells")
    group.run_regularly(code, **keywords)
    return group


def test_a_shared_variable_set_in_run_regularly_changes_once_per_step():
    group = counting("c = c + 1")
    network = Network(group)
    network.run(1 * ms)  # 10 steps
    assert float(group.c_) == 10.0
    network.run(0.5 * ms)
    assert float(group.c_) == 15.0


def test_run_regularly_with_its_own_dt_sets_a_shared_variable_once_per_run():
    group = counting("c += 2", dt=0.5 * ms)
    Network(group).run(2 * ms)  # at 0, 0.5, 1 and 1.5 ms
    assert float(group.c_) == 8.0


def test_per_element_statements_after_shared_ones_read_the_new_value():
    group = counting("c = c + 1\nv = v + c*(i + 1)")
    trace = StateMonitor(group, "c", record=[0])
    Network(group, trace).run(0.3 * ms)
    assert list(group.v_) == [6.0, 12.0, 18.0, 24.0]  # (1 + 2 + 3) * (i + 1)
    assert list(trace.c[0]) == [1.0, 2.0, 3.0]


def test_a_subgroup_and_synapses_set_shared_variables_once_per_step():
    group = NeuronGroup(4, "v : 1\nc : 1 (shared)", name="cells")
    group[1:3].run_regularly("c = c + N")  # N of the subgroup: 2
    synapses = Synapses(group, group, "w : 1\nk : 1 (shared)", name="syn")
    synapses.connect()
    synapses.run_regularly("k = k + 0.5\nw = w + k")
    Network(group, synapses).run(0.4 * ms)
    assert float(group.c_) == 8.0
    assert float(synapses.k_) == 2.0 and np.all(synapses.w_ == 0.5 + 1.0 + 1.5 + 2.0)


def test_a_shared_variable_can_take_a_random_value_once_per_step():
    group = counting("c = rand()\nv = c")
    trace = StateMonitor(group, ["c", "v"], record=True)
    Network(group, trace).run(0.5 * ms)
    values = trace.c[0]
    assert len(set(values)) == 5 and np.all((values >= 0) & (values < 1))
    assert np.array_equal(trace.v_, np.tile(values, (4, 1)))  # the same draw for every element


@pytest.mark.parametrize("code, message", [
    ("v = v + 1\nc = c + 1", "'c = c + 1' sets the shared variable 'c' after a statement that sets a per-element "
                             "variable ('v = v + 1'); statements that set shared variables run once per step, "
                             "before the others: write them first"),
    ("c = c + v", "'c = c + v' sets the shared variable 'c' from per-element values (v)"),
    ("c = i", "'c = i' sets the shared variable 'c' from per-element values (i)"),
])
def test_run_regularly_that_cannot_set_a_shared_variable_once_per_step_is_refused(code, message):
    group = counting(code)
    with pytest.raises(ModelError, match=f"the run_regularly code of NeuronGroup 'cells' .*: {re.escape(message)}"):
        Network(group).run(0.1 * ms)


def test_a_reset_or_event_code_that_sets_a_shared_variable_is_refused():
    with pytest.raises(ModelError, match="the reset of NeuronGroup 'cells' .* assigns to the shared variable 'c'"):
        NeuronGroup(2, "v : 1\nc : 1 (shared)", threshold="v > 1", reset="v = 0\nc = c + 1", name="cells")
    group = NeuronGroup(2, "v : 1\nc : 1 (shared)", events={"high": "v > 1"}, name="cells")
    with pytest.raises(ModelError, match="assigns to the shared variable 'c'.*run_regularly"):
        group.run_on_event("high", "c += 1")


@pytest.mark.parametrize("code", ["c_post += 1", "k += 1"])
def test_a_pathway_that_sets_a_shared_variable_is_refused(code):
    generator = SpikeGeneratorGroup(1, [0], [0.5] * ms)
    group = NeuronGroup(2, "v : 1\nc : 1 (shared)")
    with pytest.raises(ModelError, match="the 'pre' pathway of .* assigns to the shared variable"):
        Synapses(generator, group, "k : 1 (shared)", on_pre=code)
