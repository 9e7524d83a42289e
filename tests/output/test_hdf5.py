"""Monitors streamed into HDF5 files: the same records as in memory, a documented layout, bounded memory,
files that survive a killed process, and refusals of bad targets."""

import os
import signal
import subprocess
import sys
import textwrap
import time

import h5py
import numpy as np
import pytest

from simcore import (
    ModelError,
    Network,
    NeuronGroup,
    Output,
    PopulationRateMonitor,
    SpikeMonitor,
    StateMonitor,
    load_output,
    ms,
    mV,
    seed,
    start_scope,
)

MODEL = "dv/dt = (1.1 - v)/(10*ms) + 0.2*xi/sqrt(ms) : 1 (unless refractory)\nx : volt"


def network(output=None, file=None):
    start_scope()
    seed(7)
    group = NeuronGroup(30, MODEL, threshold="v > 1", reset="v = 0; x += 1*mV", refractory=2 * ms, method="euler")
    group.v = "rand()"
    spikes = SpikeMonitor(group, variables="x", file=file, name="spikes")
    trace = StateMonitor(group, ["v", "x"], record=[0, 4, 29], name="trace")
    rate = PopulationRateMonitor(group[10:20], name="rate")
    return Network(group, spikes, trace, rate, output=output), spikes, trace, rate


def test_streamed_records_equal_the_in_memory_ones_and_follow_the_layout(tmp_path):
    path = tmp_path / "run.h5"
    in_memory = network()
    streamed = network(output=str(path))
    for net in (in_memory[0], streamed[0]):
        net.run(40 * ms)
        net.run(25 * ms)
    (_, spikes, trace, rate), (_, spikes_f, trace_f, rate_f) = in_memory, streamed
    assert spikes.num_spikes > 50
    np.testing.assert_array_equal(spikes_f.i, spikes.i)
    np.testing.assert_array_equal(spikes_f.t_, spikes.t_)
    np.testing.assert_array_equal(spikes_f.x_, spikes.x_)
    np.testing.assert_array_equal(spikes_f.count, spikes.count)
    np.testing.assert_array_equal(trace_f.v_, trace.v_)
    np.testing.assert_array_equal(rate_f.rate_, rate.rate_)
    with h5py.File(path, "r") as stored:  # plain h5py
        assert stored.attrs["format"] == "simcore-hdf5" and stored.attrs["dt"] == pytest.approx(1e-4)
        assert "simcore_version" in stored.attrs and "seed" in stored.attrs
        group = stored["spikes"]
        assert group.attrs["kind"] == "SpikeMonitor" and "dv/dt" in group.attrs["model"]
        assert group["t"].attrs["unit"] == "second" and group["t"].attrs["scale"] == 1.0  # times in seconds
        assert group["t"].dtype == np.float64
        assert group["x"].attrs["unit"] == "volt" and group["i"].dtype == np.int32
        np.testing.assert_array_equal(group["t"][:] * group["t"].attrs["scale"], spikes.t_)
        assert stored["trace"]["v"].shape == (650, 3)
        # 'auto' compression: integer records lzf, floating-point values as they are
        assert group["i"].compression == "lzf" and stored["trace"]["v"].compression is None
        assert stored["rate"]["rate"].attrs["unit"] == "Hz"
        assert list(stored["rate"].attrs["source"]) and stored["rate"].attrs["first_element"] == 10
    recording = load_output(path)
    assert recording.spikes.num_spikes == spikes.num_spikes
    np.testing.assert_array_equal(recording.spikes.t / ms, spikes.t / ms)
    np.testing.assert_array_equal(recording.trace[4].v_, trace[4].v_)
    assert recording["trace"].x.shape == (3, 650) and float(recording.trace.x[0][-1] / mV) >= 0
    trains = recording.spikes.spike_trains()
    assert sum(len(train) for train in trains.values()) == spikes.num_spikes


def test_a_monitor_with_its_own_file_and_bounded_memory(tmp_path, monkeypatch):
    monkeypatch.setattr(StateMonitor, "_STREAM_BUFFER_BYTES", 4096)
    path = tmp_path / "spikes.h5"
    net, spikes, trace, _ = network(output=tmp_path / "rest.h5", file=Output(str(path), compression="gzip"))
    net.run(100 * ms)
    assert trace.buffers["v"].shape[0] == 256  # the records of one flush, not of the run
    assert trace.v_.shape == (3, 1000)
    assert sorted(load_output(path).monitors) == ["spikes"]
    assert sorted(load_output(tmp_path / "rest.h5").monitors) == ["rate", "trace"]
    with h5py.File(path, "r") as stored:
        assert stored["spikes"]["i"].compression == "gzip"


def test_existing_files_and_bad_targets_are_refused(tmp_path):
    path = tmp_path / "run.h5"
    path.write_bytes(b"not hdf5")
    with pytest.raises(ModelError, match="exists; pass overwrite=True to replace it or append=True"):
        network(output=str(path))[0].run(1 * ms)
    with pytest.raises(ModelError, match="cannot append to .*: it is not a readable HDF5 file"):
        network(output=Output(str(path), append=True))[0].run(1 * ms)
    with pytest.raises(ModelError, match="not a readable HDF5 file"):
        load_output(path)
    with h5py.File(tmp_path / "other.h5", "w") as other:
        other["x"] = [1, 2]
    with pytest.raises(ModelError, match="not one simcore wrote"):
        load_output(tmp_path / "other.h5")
    with pytest.raises(ModelError, match="not one simcore wrote"):
        network(output=Output(str(tmp_path / "other.h5"), append=True))[0].run(1 * ms)
    with pytest.raises(ModelError, match="the folder .*missing does not exist"):
        network(output=str(tmp_path / "missing" / "run.h5"))[0].run(1 * ms)
    with pytest.MonkeyPatch.context() as patch:  # (tests run as root here, who may write anywhere)
        patch.setattr(os, "access", lambda path, mode: False)
        with pytest.raises(ModelError, match="cannot write the output file .*: permission denied"):
            network(output=str(tmp_path / "locked.h5"))[0].run(1 * ms)
    start_scope()
    group = NeuronGroup(2, "dv/dt = 1/ms : 1", threshold="v > 1", reset="v = 0", method="exact")
    both = [SpikeMonitor(group, file=str(tmp_path / "both.h5")) for _ in range(2)]
    with pytest.raises(ModelError, match="two outputs write to .*both.h5"):
        Network(group, *both).run(1 * ms)
    with pytest.raises(ModelError, match="compression='zip'"):
        Output("x.h5", compression="zip")
    network(output=Output(str(path), overwrite=True))[0].run(1 * ms)
    with pytest.raises(ModelError, match="already has a group 'spikes'"):
        network(output=Output(str(path), append=True))[0].run(1 * ms)


def test_later_runs_go_on_writing_where_the_first_wrote(tmp_path):
    net, spikes, _, _ = network()
    net.run(5 * ms, output=tmp_path / "first.h5")
    net.run(5 * ms)  # no output named: the monitors go on writing to first.h5
    assert load_output(tmp_path / "first.h5").trace.v_.shape == (3, 100)
    with pytest.raises(ModelError, match="already writes to .*first.h5"):
        net.run(1 * ms, output=tmp_path / "second.h5")
    kept, _, _, _ = network()
    kept.run(1 * ms)
    with pytest.raises(ModelError, match="recorded .* records in memory before; give it the output from its first run"):
        kept.run(1 * ms, output=tmp_path / "late.h5")


@pytest.mark.filterwarnings("ignore:overflow")
def test_a_run_that_raises_keeps_its_records(tmp_path):
    start_scope()
    group = NeuronGroup(4, "dv/dt = v*v/ms : 1", method="euler", name="blowup")
    group.v = "0.2*i"
    trace = StateMonitor(group, "v", record=True, name="v_trace")
    with pytest.raises(ModelError, match="became NaN or infinite"):
        Network(group, trace, output=tmp_path / "raised.h5").run(20 * ms)
    stored = load_output(tmp_path / "raised.h5").v_trace
    assert 10 < stored.v_.shape[1] < 200 and np.all(np.isfinite(stored.v_[0]))


def test_counts_read_back_follow_the_complete_records(tmp_path):
    """A run killed between appending a chunk's spikes and rewriting the counts (or between two datasets of one
    chunk): the counts read back are those of the complete records."""
    path = tmp_path / "cut.h5"
    net, spikes, _, _ = network(output=str(path))
    net.run(30 * ms)
    expected = np.asarray(spikes.count)
    assert expected.sum() > 20
    with h5py.File(path, "r+") as stored:
        stored["spikes"]["count"][...] = 0  # the counts not yet rewritten
        i = stored["spikes"]["i"]
        first = int(i[0])
        i.resize(i.shape[0] + 1, axis=0)  # 'i' one record ahead of 't' and 'x': not complete
        i[-1] = first
    recording = load_output(path)
    np.testing.assert_array_equal(recording.spikes.count, expected)
    assert recording.spikes.num_spikes == expected.sum() == len(recording.spikes.i_)


KILLED_RUN = textwrap.dedent("""
    import sys
    from simcore import *
    G = NeuronGroup(2000, 'dv/dt = (1.2 - v)/(10*ms) + 0.3*xi/sqrt(ms) : 1', threshold='v > 1', reset='v = 0',
                    method='euler')
    net = Network(G, SpikeMonitor(G, name='spikes'), StateMonitor(G, 'v', record=range(10), name='trace'),
                  output=sys.argv[1])
    net.run(1000*second)
""")


def test_a_killed_run_leaves_a_readable_file(tmp_path):
    path = tmp_path / "killed.h5"
    child = subprocess.Popen([sys.executable, "-c", KILLED_RUN, str(path)])
    try:
        seen, deadline = 0, time.monotonic() + 120
        while seen == 0 and time.monotonic() < deadline:  # until a chunk has been written
            time.sleep(0.2)
            try:
                with h5py.File(path, "r", swmr=True) as stored:
                    seen = stored["spikes"]["i"].shape[0]
            except (OSError, KeyError):
                continue
        time.sleep(0.5)
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
    assert seen > 0
    recording = load_output(path)
    spikes, trace = recording.spikes, recording.trace
    assert len(spikes.i_) >= seen and np.all(np.diff(spikes.t_) >= 0) and np.all(spikes.i_ < 2000)
    np.testing.assert_array_equal(np.bincount(spikes.i_, minlength=2000), spikes.count)
    assert trace.v_.shape[0] == 10 and trace.v_.shape[1] == len(trace.t_) > 0
