"""A full disk while monitors stream to a file, or while a network stores its state: the run stops with an
OSError that names the file and the free space, the file keeps exactly the records written before (no rows
that were never written), and the process exits normally (HDF5 crashed at exit before)."""

import json
import os
import subprocess
import sys
import textwrap
import uuid

import h5py
import numpy as np
import pytest

from simcore import Network, NeuronGroup, load_output, start_scope
from simcore.output.hdf5 import FORMAT, FORMAT_VERSION


@pytest.fixture
def small_disk(tmp_path):
    """A folder on a 512 kB tmpfs of its own, unmounted afterwards."""
    mount = tmp_path / f"disk-{uuid.uuid4().hex[:8]}"
    mount.mkdir()
    try:
        done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=512k", "tmpfs", str(mount)], capture_output=True,
                              text=True, timeout=30)
    except (FileNotFoundError, subprocess.TimeoutExpired) as error:
        pytest.skip(f"cannot mount a small tmpfs to fill up: {error}")
    if done.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs to fill up (needs root): {done.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], check=True, timeout=30)


STREAMING_RUN = textwrap.dedent("""
    import json, sys
    from simcore import *
    G = NeuronGroup(20, 'dv/dt = (2 - v)/(10*ms) : 1', threshold='v > 1', reset='v = 0.1', method='exact')
    G.v = '0.1 + 0.04*i'
    trace = StateMonitor(G, 'v', record=True, name='trace')
    net = Network(G, trace, SpikeMonitor(G, name='spikes'), output=sys.argv[1])
    try:
        net.run(2000*ms)
        print(json.dumps({"raised": None}))
    except OSError as error:  # the records not written stay in memory
        print(json.dumps({"raised": str(error), "t": float(net.t_), "in_memory": len(trace.t_),
                          "last_row": trace.v_[:, -1].tolist()}))
""")


def test_a_full_disk_stops_the_run_keeps_the_written_records_and_exits_normally(small_disk):
    path = small_disk / "run.h5"
    env = {**os.environ, "PYTHONFAULTHANDLER": "1"}
    child = subprocess.run([sys.executable, "-c", STREAMING_RUN, str(path)], capture_output=True, text=True,
                           timeout=600, env=env)
    assert child.returncode == 0, child.stderr[-3000:]
    assert "Exception ignored" not in child.stderr, child.stderr[-3000:]
    outcome = json.loads(child.stdout.strip().splitlines()[-1])
    message = outcome["raised"]
    assert message is not None, "the run went on after its writes failed"
    assert str(path) in message and "bytes free" in message and "No space left on device" in message
    assert outcome["t"] < 2.0  # it stopped at the failure

    recording = load_output(path)
    trace, spikes = recording.trace, recording.spikes
    steps = trace.t_ / 1e-4
    assert 0 < len(steps) < 20000
    np.testing.assert_allclose(steps, np.arange(len(steps)), atol=1e-6)  # every row a real step, none zero-filled
    assert trace.v_.shape == (20, len(steps))
    assert np.all(trace.v_ >= 0.1 - 1e-12)  # a row that was never written reads as 0
    assert len(spikes.i_) == len(spikes.t_) > 0 and np.all(np.diff(spikes.t_) >= 0)
    assert len(steps) <= outcome["in_memory"] == round(outcome["t"] / 1e-4)  # the monitor kept the rest
    assert np.all(np.array(outcome["last_row"]) >= 0.1 - 1e-12)


def test_records_are_cut_to_those_every_dataset_holds(tmp_path):
    """A run stopped between the writes of a monitor's datasets (killed, or a failed write that HDF5 could not
    undo) leaves some of them longer: the records are those that all of them hold."""
    path = tmp_path / "uneven.h5"
    with h5py.File(path, "w", libver="latest") as out:
        out.attrs.update({"format": FORMAT, "format_version": FORMAT_VERSION})
        group = out.create_group("trace")
        group.attrs.update({"kind": "StateMonitor", "dt": 1e-4, "record": [0, 1]})
        group.create_dataset("t", data=np.arange(7) * 1e-4).attrs["unit"] = "second"
        group.create_dataset("v", data=np.ones((5, 2))).attrs["unit"] = "1"
    trace = load_output(path).trace
    assert len(trace.t_) == 5 and trace.v_.shape == (2, 5)


def test_a_store_on_a_full_disk_raises_and_keeps_the_stored_state(small_disk):
    start_scope()
    group = NeuronGroup(50, "x : 1")
    group.x = "i"
    net = Network(group)
    path = small_disk / "state.h5"
    net.store("good", filename=path)
    before = path.read_bytes()
    group.x = "2*i"
    (small_disk / "filler").write_bytes(b"\0" * (512 * 1024 - len(before) - 8 * 1024))
    big = NeuronGroup(60000, "y : 1")
    big.y = "i"
    with pytest.raises(OSError, match="state.h5.*bytes free"):
        Network(group, big).store("good", filename=path)
    assert path.read_bytes() == before
    assert sorted(os.listdir(small_disk)) == ["filler", "state.h5"]  # no temporary file left behind
    net.restore("good", filename=path)
    np.testing.assert_array_equal(group.x, np.arange(50))
