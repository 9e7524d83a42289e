"""Files are data (issue 12): a stored state read back by ``restore(filename=)`` is checked before any object
takes it. The compiled kernels index arrays unchecked, so a crafted snapshot (a synapse's ``j`` of 10**8)
crashed the process at the next run; now each hostile change is refused with the file, the object and the
variable named, and the network is left as it was."""

import shutil
import subprocess
import sys
import textwrap

import h5py
import numpy as np
import pytest

from simcore import ModelError, ms

NETWORK = textwrap.dedent("""
    from simcore import *

    def build():
        start_scope()
        seed(2)
        cells = NeuronGroup(4, 'dv/dt = -v/(10*ms) : 1', threshold='v > 1', reset='v = 0', refractory=1*ms,
                            method='exact', name='cells')
        gen = SpikeGeneratorGroup(3, [0, 1, 2, 0, 1, 2], [0.5, 1, 1.5, 2, 2.5, 2.9]*ms, name='gen')
        inputs = Synapses(gen, cells, 'w : 1', on_pre='v_post += w', name='inputs')
        inputs.connect(i=[0, 1, 2, 2], j=[0, 1, 2, 3])
        inputs.w = 2
        inputs.delay = '0.1*ms + 0.2*ms*j'
        links = Synapses(cells, cells, 'w : 1', on_pre='v_post += w', multisynaptic_index='k', name='links')
        links.connect(j='(i + 1) % 4', n=2)
        links.w = 0.6
        links.delay = '(1 + i)*0.3*ms'
        spikes = SpikeMonitor(cells, name='spikes')
        trace = StateMonitor(cells, 'v', record=[0, 2], name='trace')
        rate = PopulationRateMonitor(cells, name='rate')
        return Network(cells, gen, inputs, links, spikes, trace, rate), spikes
""")
namespace: dict = {}
exec(NETWORK, namespace)
build = namespace["build"]
S = "snapshots/s/"


@pytest.fixture(scope="module")
def stored(tmp_path_factory):
    """A network after 3 ms (spikes in flight in both pathways, records in all monitors), stored to a file."""
    net, _ = build()
    net.run(3 * ms)
    path = tmp_path_factory.mktemp("snapshots") / "good.h5"
    net.store("s", filename=path)
    with h5py.File(path, "r") as f:
        assert f[S + "links/history/pre/count"][:].sum() > 0 and f[S + "inputs/history/pre/count"][:].sum() > 0
        assert f[S + "spikes/buffers/_n"][0] > 0
    return net, path


def _state(net) -> dict:
    return {"t": net.t_, **{obj.name: obj.state() for obj in net.objects}}


def _assert_same(before, after, where="state") -> None:
    assert type(before) is type(after), where
    if isinstance(before, dict):
        assert before.keys() == after.keys(), where
        for key in before:
            _assert_same(before[key], after[key], f"{where}/{key}")
    elif isinstance(before, list | tuple):
        assert len(before) == len(after), where
        for position, (old, new) in enumerate(zip(before, after, strict=True)):
            _assert_same(old, new, f"{where}/{position}")
    elif isinstance(before, np.ndarray):
        assert before.dtype == after.dtype, where
        np.testing.assert_array_equal(before, after, err_msg=where)
    else:
        assert before == after, where


def _replace(f: h5py.File, name: str, data) -> None:
    del f[name]
    f[name] = data


def _set(name: str, value):
    def change(f):
        data = f[name][()]
        data[...] = value
        f[name][...] = data
    return change


def _set_at(name: str, position, value):
    def change(f):
        data = f[name][()]
        data[position] = value
        f[name][...] = data
    return change


def _start_outside(f):
    count = f[S + "links/history/pre/count"][()]
    slot = int(np.flatnonzero(count)[0])
    _set_at(S + "links/history/pre/start", slot, f[S + "links/history/pre/head"][0] + 5)(f)


def _twice_in_a_step(f):
    times = f[S + "gen/spikes/1"][()]
    times[3] = times[0] + 1e-6  # neuron 0 again, within the time step of its first spike
    f[S + "gen/spikes/1"][...] = times


def _extra_object(f):
    f[S].create_group("ghost").attrs["type"] = "dict"


def _bad_group_type(f):
    f[S + "gen/spikes"].attrs["type"] = "set"


HOSTILE = {
    # synapse indices: the kernels write v_post[j] unchecked
    "j out of range": (_set(S + "inputs/variables/j", 10**8), r"Synapses 'inputs'.*'j' \(the postsynaptic neurons, "
                       r"of cells\) must be from 0 to 3; the stored element 0 is 100000000"),
    "negative i": (_set_at(S + "links/variables/i", 2, -1), r"Synapses 'links'.*'i' .* must be from 0 to 3; the "
                   r"stored element 2 is -1"),
    "float i": (lambda f: _replace(f, S + "links/variables/i", np.array([0, 0, 1, 1, 2, 2, 3, 3.5])),
                r"Synapses 'links'.*'i' holds integers \(int32\), the stored array has float64 values"),
    "int64 j beyond int32": (lambda f: _replace(f, S + "links/variables/j", np.array([1, 1, 2, 2, 3, 3, 0, 2**40])),
                             r"'j' holds int32 values; the stored element 7 is 1099511627776, which int32 "
                             "cannot hold"),
    "i as a number": (lambda f: _replace(f, S + "links/variables/i", 3), r"'i' should be an array of shape \(8,\)"),
    # variables of a group
    "wrong shape of v": (lambda f: _replace(f, S + "cells/v", np.zeros(5)),
                         r"NeuronGroup 'cells'.*'v' has shape \(4,\), the stored one \(5,\)"),
    "float for a boolean": (lambda f: _replace(f, S + "cells/not_refractory", np.zeros(4)),
                            r"'not_refractory' holds booleans"),
    "i of a group": (_set_at(S + "cells/i", 1, 7), r"NeuronGroup 'cells'.*'i' must be \[0, 1, 2, 3\]"),
    # counts that must agree with i and j
    "N inconsistent": (lambda f: _replace(f, S + "links/N", 9), r"Synapses 'links'.*has shape \(9,\), the stored "
                       r"one \(8,\)"),
    "N variable inconsistent": (_set(S + "links/variables/N", 9), r"'N' \(the number of synapses\) must be \[8\]"),
    "N_incoming inconsistent": (_set_at(S + "links/variables/N_incoming", 0, 3),
                                r"'N_incoming' \(from 'j'\) must be \[2, 2, 2, 2\]; the stored element 0 is 3, "
                                "expected 2"),
    "multisynaptic index": (_set_at(S + "links/variables/k", 1, 5), r"'k' \(from 'i', 'j'\) must be"),
    "negative delay": (_set_at(S + "links/variables/delay", 0, -1.0), r"'delay' must be finite and >= 0"),
    "NaN delay": (_set_at(S + "inputs/variables/delay", 0, np.nan), r"'delay' must be finite and >= 0"),
    # spikes in flight
    "ring entries out of range": (_set(S + "links/history/pre/ring", 10**6),
                                  r"Synapses 'links'.*spikes in flight of the pathway 'pre': the elements in the "
                                  "ring must be from 0 to 3"),
    "ring count beyond capacity": (_set_at(S + "inputs/history/pre/count", 0, 5000),
                                   r"the counts per slot must be >= 0 and add up to at most the ring's 1024 places"),
    "ring start outside": (_start_outside, r"slot \d+ holds \d+ events from place \d+, outside the last 1024 places"),
    "ring of no pathway": (lambda f: f.copy(f[S + "links/history/pre"], f[S + "links/history"], "post"),
                           r"'history'\) should be a group of some of the pathways \['pre'\]"),
    "empty ring": (lambda f: _replace(f, S + "links/history/pre/ring", np.zeros(0, dtype=np.int32)),
                   r"the ring has 0 places"),
    # the spike generator
    "generator index >= N": (_set_at(S + "gen/spikes/0", 2, 3), r"SpikeGeneratorGroup 'gen'.*the spikes' indices "
                             r"must be from 0 to 2; the stored element 2 is 3"),
    "generator cursor negative": (_set(S + "gen/cursor", -2), r"the cursor \(the next spike to emit\) must be from 0 "
                                  "to 6"),
    "generator cursor beyond": (_set(S + "gen/cursor", 7), r"must be from 0 to 6, the stored one is 7"),
    "generator spikes twice": (_twice_in_a_step, r"neuron 0 of SpikeGeneratorGroup 'gen'.*spikes twice"),
    "generator period negative": (lambda f: _replace(f, S + "gen/spikes/2", -1.0), r"the period \(in seconds\)"),
    "generator times fewer": (lambda f: _replace(f, S + "gen/spikes/1", np.zeros(2)),
                              r"the spikes' times \(one per index\) has shape \(6,\), the stored one \(2,\)"),
    # monitors
    "monitor counter beyond its buffer": (_set(S + "spikes/buffers/_n", 2000), r"SpikeMonitor 'spikes'.*the record "
                                          "count '_n' must be from 0 to 1024"),
    "state monitor counter beyond": (_set(S + "trace/buffers/_n", 257), r"StateMonitor 'trace'.*must be from 0 to "
                                     "256"),
    "recorded index out of range": (_set_at(S + "spikes/buffers/i", 0, 9), r"the recorded indices 'i' \(of cells\) "
                                    "must be from 0 to 3"),
    "recorded elements changed": (_set_at(S + "trace/buffers/_indices", 1, 10**9),
                                  r"the recorded elements '_indices' must be \[0, 2\]"),
    "counts disagree with records": (_set_at(S + "spikes/buffers/_count", 0, 5), r"the event counts '_count'"),
    "buffers of unequal length": (lambda f: _replace(f, S + "rate/buffers/t", np.zeros(10)),
                                  r"the record buffers \['rate', 't'\] must have one length"),
    "buffer of other width": (lambda f: _replace(f, S + "trace/buffers/v", np.zeros((256, 3))),
                              r"the buffer 'v' has shape \(any, 2\), the stored one \(256, 3\)"),
    # time, random state, keys and layout
    "time NaN": (lambda f: _replace(f, S + "t", np.nan), r"the time 't' \(in seconds\) should be a finite number"),
    "time negative": (lambda f: _replace(f, S + "t", -1.0), r"the time 't'"),
    "seed a float": (lambda f: _replace(f, S + "seed", 1.5), r"the random seed 'seed' should be a whole number"),
    "epoch negative": (lambda f: _replace(f, S + "random_epoch", -1), r"'random_epoch'"),
    "missing t": (lambda f: f.__delitem__(S + "t"), r"the state 's' in '.*' is incomplete: it has no \['t'\]"),
    "missing key": (lambda f: f.__delitem__(S + "links/history"), r"Synapses 'links'.*missing \['history'\]"),
    "extra key": (lambda f: f.create_dataset(S + "gen/extra", data=1), r"unexpected \['extra'\]"),
    "missing variable": (lambda f: f.__delitem__(S + "cells/v"), r"missing \['v'\].*another model"),
    "extra object": (_extra_object, r"stored from other objects: missing here \['ghost'\]"),
    "unknown group type": (_bad_group_type, r"has the type 'set'"),
    "a reference dataset": (lambda f: _replace(f, S + "cells/v", np.array([(1, 2.0)] * 4, dtype="i4,f8")),
                            r"holds .* data; a snapshot holds numbers"),
    "huge unwritten dataset": (lambda f: (f.__delitem__(S + "cells/v"),
                                          f.create_dataset(S + "cells/v", shape=(2**50,), dtype="f8")),
                               r"the state 's' stored in .* needs .* but only"),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_a_hostile_snapshot_is_refused_and_changes_nothing(stored, tmp_path, case):
    net, good = stored
    path = tmp_path / "hostile.h5"
    shutil.copy(good, path)
    change, message = HOSTILE[case]
    with h5py.File(path, "a") as f:
        change(f)
    before = _state(net)
    with pytest.raises(ModelError, match=message) as refused:
        net.restore("s", filename=path)
    assert str(path) in str(refused.value)  # the file is named
    _assert_same(before, _state(net))


def test_a_good_snapshot_restores_and_runs_as_one_stored_in_memory(stored, tmp_path):
    net, good = stored
    net.store("memory")
    runs = []
    for source in (None, good):
        net.restore("memory" if source is None else "s", filename=source, restore_random_state=True)
        net.run(2 * ms)
        runs.append(_state(net))
    _assert_same(runs[0], runs[1])
    net.restore("memory")


@pytest.mark.parametrize(("where", "value", "message"), [
    ("file/lengths/i", -1, r"the length of 'i' in the file should be a whole number from 0"),
    ("file/path", "STATE", r"its records went to .*state.h5, which has no records of 'spikes'"),
    ("file/path", "MISSING", r"its records went to .*missing.h5, which no longer exists"),
    ("buffers/_n", 3, r"the record count '_n' must be from 0 to 0"),
])
def test_a_hostile_snapshot_of_a_streaming_monitor_is_refused(tmp_path, where, value, message):
    net, _ = build()
    net.run(1 * ms, output=tmp_path / "run.h5")
    net.store("s", filename=tmp_path / "state.h5")
    value = {"STATE": str(tmp_path / "state.h5"), "MISSING": str(tmp_path / "missing.h5")}.get(value, value)
    with h5py.File(tmp_path / "state.h5", "a") as f:
        _replace(f, S + "spikes/" + where, np.array([value]) if where == "buffers/_n" else value)
    fresh, _ = build()  # a new process resuming: its monitors take the file from the snapshot
    before = _state(fresh)
    with pytest.raises(ModelError, match=message):
        fresh.restore("s", filename=tmp_path / "state.h5")
    _assert_same(before, _state(fresh))


def test_out_of_range_j_does_not_reach_the_kernels(stored):
    """In a child process: on the code before the checks, this run crashed the process (SIGSEGV)."""
    _, good = stored
    script = NETWORK + textwrap.dedent(f"""
        import shutil, h5py
        path = {str(good.parent / "j.h5")!r}
        shutil.copy({str(good)!r}, path)
        with h5py.File(path, "a") as f:
            j = f["{S}inputs/variables/j"]
            j[...] = 10**8
        net, _ = build()
        try:
            net.restore("s", filename=path)
        except ModelError as error:
            print("refused:", error)
        net.run(1*ms)
        print("ran")
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "refused: cannot restore Synapses 'inputs'" in done.stdout and "ran" in done.stdout
