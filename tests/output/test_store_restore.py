"""store()/restore() to and from HDF5 files: a run continued in a new process equals one long run, spike
for spike; Brian 2's random semantics; checkpoints and resuming; refusals of files that do not fit."""

import json
import subprocess
import sys
import textwrap

import h5py
import numpy as np
import pytest

from simcore import (
    ModelError,
    Network,
    NeuronGroup,
    Output,
    SpikeMonitor,
    Synapses,
    load_output,
    ms,
    restore,
    run,
    seed,
    start_scope,
    store,
)

# a noisy network with heterogeneous delays, as the issue asks; written once for this process and children
NETWORK = textwrap.dedent("""
    from simcore import *

    def build():
        start_scope()
        seed(3)
        group = NeuronGroup(40, 'dv/dt = (1.05 - v)/(10*ms) + 0.3*xi/sqrt(ms) : 1', threshold='v > 1',
                            reset='v = 0', refractory=1*ms, method='euler', name='cells')
        group.v = 'rand()'
        synapses = Synapses(group, group, 'w : 1', on_pre='v += w', name='links')
        synapses.connect(p=0.2)
        synapses.w = '0.05 + 0.1*rand()'
        synapses.delay = '(2 + floor(30*rand()))*0.1*ms'
        spikes = SpikeMonitor(group, name='spikes')
        return Network(group, synapses, spikes), spikes
""")
namespace: dict = {}
exec(NETWORK, namespace)
build = namespace["build"]

CONTINUE = NETWORK + textwrap.dedent("""
    import json, sys
    net, spikes = build()
    net.restore(sys.argv[2], filename=sys.argv[1], restore_random_state=True)
    net.run(float(sys.argv[3])*ms)
    print(json.dumps({"i": spikes.i.tolist(), "t": (spikes.t_ / defaultclock.dt_).round().astype(int).tolist()}))
""")


def continued_in_a_child(path, name, duration_ms) -> dict:
    done = subprocess.run([sys.executable, "-c", CONTINUE, str(path), name, str(duration_ms)], capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def steps(monitor):
    return np.round(monitor.t_ / 1e-4).astype(int)


def test_stored_to_a_file_and_continued_in_a_new_process_equals_one_long_run(tmp_path):
    whole, whole_spikes = build()
    whole.run(100 * ms)
    half, _ = build()
    half.run(50 * ms)
    half.store("half", filename=tmp_path / "state.h5")
    continued = continued_in_a_child(tmp_path / "state.h5", "half", 50)
    assert len(continued["i"]) == len(whole_spikes.i) > 100  # the restored monitor has the first half too
    np.testing.assert_array_equal(continued["i"], whole_spikes.i)
    np.testing.assert_array_equal(continued["t"], steps(whole_spikes))
    # spikes in flight at 50 ms crossed the store: the delays reach up to 3.2 ms
    with h5py.File(tmp_path / "state.h5", "r") as stored:
        assert stored["snapshots/half/links/history/pre/count"][:].sum() > 0


def test_restore_draws_fresh_random_numbers_unless_asked_not_to(tmp_path):
    net, spikes = build()
    net.store("start", filename=tmp_path / "start.h5")
    trials = []
    for restore_random_state in (False, False, True):
        net.restore("start", filename=tmp_path / "start.h5", restore_random_state=restore_random_state)
        net.run(30 * ms)
        trials.append(spikes.i.tolist())
    first, _ = build()
    first.run(30 * ms)
    assert trials[0] != trials[1]  # fresh numbers for each trial
    assert trials[2] == first.objects[2].i.tolist()  # the stored stream: as the first run


def test_several_names_in_one_file_and_the_magic_functions(tmp_path):
    path = tmp_path / "states.h5"
    start_scope()
    seed(1)
    group = NeuronGroup(3, "dv/dt = 1/ms : 1", method="exact")
    store("zero", filename=path)
    run(2 * ms)
    store("two", filename=path)
    restore("zero", filename=path)
    assert group.v_ == pytest.approx(np.zeros(3))
    restore("two", filename=path)
    assert group.v_ == pytest.approx(2 * np.ones(3))


def test_checkpoints_and_resuming_after_a_crash(tmp_path):
    path = tmp_path / "ckpt.h5"
    whole, whole_spikes = build()
    whole.run(60 * ms)
    checkpointed, _ = build()
    checkpointed.run(45 * ms, checkpoint=path, checkpoint_every=20 * ms)  # stored at 20 and 40 ms
    with h5py.File(path, "r") as stored:
        assert stored["snapshots/checkpoint/t"][()] == pytest.approx(0.04)
    resumed = continued_in_a_child(path, "checkpoint", 20)  # "after a crash": from 40 ms to 60 ms
    np.testing.assert_array_equal(resumed["i"], whole_spikes.i)
    np.testing.assert_array_equal(resumed["t"], steps(whole_spikes))
    with pytest.raises(ModelError, match="checkpoints need both checkpoint= .* and checkpoint_every="):
        checkpointed.run(1 * ms, checkpoint=path)


def test_files_that_do_not_fit_are_refused(tmp_path):
    net, _ = build()
    net.store("s", filename=tmp_path / "state.h5")
    with pytest.raises(ModelError, match=r"has no stored state named 'other'; it has \['s'\]"):
        net.restore("other", filename=tmp_path / "state.h5")
    with pytest.raises(ModelError, match="no such file"):
        net.restore("s", filename=tmp_path / "missing.h5")
    (tmp_path / "junk.h5").write_bytes(b"\x89HDF junk")
    with pytest.raises(ModelError, match="not a readable HDF5 file"):
        net.restore("s", filename=tmp_path / "junk.h5")
    with h5py.File(tmp_path / "foreign.h5", "w") as foreign:
        foreign["x"] = 1
    with pytest.raises(ModelError, match="not one simcore wrote"):
        net.restore("s", filename=tmp_path / "foreign.h5")
    start_scope()
    bigger = NeuronGroup(41, "dv/dt = (1.05 - v)/(10*ms) : 1", threshold="v > 1", reset="v = 0",
                         refractory=1 * ms, method="euler", name="cells")
    links = Synapses(bigger, bigger, "w : 1", on_pre="v += w", name="links")
    with pytest.raises(ModelError, match="'v' has shape \\(41,\\), the stored one \\(40,\\)"):
        Network(bigger, links, SpikeMonitor(bigger, name="spikes")).restore("s", filename=tmp_path / "state.h5")
    with pytest.raises(ModelError, match="stored from other objects: missing here \\['spikes'\\]"):
        Network(bigger, links).restore("s", filename=tmp_path / "state.h5")
    start_scope()
    cells = NeuronGroup(40, "dv/dt = (1.05 - v)/(10*ms) : 1", threshold="v > 1", reset="v = 0", refractory=1 * ms,
                        method="euler", name="cells")
    other_model = Synapses(cells, cells, "w : 1\nu : 1", on_pre="v += w", name="links")
    with pytest.raises(ModelError, match="cannot restore Synapses 'links'.*another model"):
        Network(cells, other_model, SpikeMonitor(cells, name="spikes")).restore("s", filename=tmp_path / "state.h5")


STREAMING_RUN = NETWORK + textwrap.dedent("""
    import sys
    net, spikes = build()
    if sys.argv[1] == 'resume':
        net.restore('checkpoint', filename=sys.argv[3], restore_random_state=True)
        net.run(60*ms - net.t, output=sys.argv[2])
    else:
        net.run(45*ms, output=sys.argv[2], checkpoint=sys.argv[3], checkpoint_every=20*ms)
""")


def test_a_streaming_run_resumes_from_its_checkpoint_and_its_file(tmp_path):
    whole, whole_spikes = build()
    whole.run(60 * ms)
    output, checkpoint = tmp_path / "run.h5", tmp_path / "ckpt.h5"
    for step in ("first", "resume"):  # the first process ends at 45 ms as if it had crashed after 40 ms
        done = subprocess.run([sys.executable, "-c", STREAMING_RUN, step, str(output), str(checkpoint)],
                              capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, done.stderr[-3000:]
    stored = load_output(output).spikes  # 0-40 ms from the first process (40-45 ms cut), 40-60 ms resumed
    np.testing.assert_array_equal(stored.i, whole_spikes.i)
    np.testing.assert_array_equal(np.round(stored.t_ / 1e-4), steps(whole_spikes))
    np.testing.assert_array_equal(stored.count, whole_spikes.count)
    with pytest.raises(ModelError, match="is the run's output file"):
        whole.run(1 * ms, output=Output(str(output), append=True), checkpoint=output, checkpoint_every=1 * ms)


def test_in_memory_store_of_a_streaming_network_cuts_its_file_back_on_restore(tmp_path):
    whole, whole_spikes = build()
    whole.run(20 * ms)
    net, _ = build()
    net.run(10 * ms, output=tmp_path / "run.h5")
    net.store("ten")
    net.run(10 * ms)  # these records are cut again by the restore
    net.restore("ten", restore_random_state=True)
    net.run(10 * ms)
    stored = load_output(tmp_path / "run.h5").spikes
    np.testing.assert_array_equal(stored.i, whole_spikes.i)
    np.testing.assert_array_equal(np.round(stored.t_ / 1e-4), steps(whole_spikes))
    (tmp_path / "run.h5").unlink()
    with pytest.raises(ModelError, match="its records went to .*run.h5, which no longer exists"):
        net.restore("ten")
