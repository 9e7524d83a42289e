"""NWB export and read-back: a file pynwb's validator accepts, records read back exactly with their units, the
model in the file, and clear errors for bad input before anything is written."""

import datetime
import subprocess
import sys

import h5py
import numpy as np
import pytest

from simcore import (
    EventMonitor,
    Hz,
    ModelError,
    Network,
    NeuronGroup,
    PopulationRateMonitor,
    SpikeMonitor,
    StateMonitor,
    export_nwb,
    ms,
    mV,
    read_nwb,
    second,
    start_scope,
    volt,
)

pynwb = pytest.importorskip("pynwb")

MODEL = "dv/dt = (v_drive - v)/tau : volt (unless refractory)\nv_drive : volt\ngain : 1"


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """Eight neurons for 20 ms, the first never reaching threshold, recorded by every kind of monitor and
    exported once."""
    start_scope()
    tau = 5 * ms  # noqa: F841  (found by the run and by export_nwb in this frame)
    group = NeuronGroup(8, MODEL, threshold="v > 10*mV", reset="v = 0*mV", refractory=1 * ms, method="exact",
                        events={"high": "v > 6*mV"}, name="neurons")
    group.v_drive = "(5 + 3*i)*mV"
    group.gain = 0.5
    spikes = SpikeMonitor(group, name="spikes")
    sub_spikes = SpikeMonitor(group[4:8], variables="v_drive", name="sub_spikes")
    trace = StateMonitor(group, ["v", "gain"], record=[0, 3, 6], name="trace")
    rate = PopulationRateMonitor(group, name="rate")
    high = EventMonitor(group, "high", name="high")
    net = Network(group, spikes, sub_spikes, trace, rate, high)
    net.run(20 * ms)
    path = tmp_path_factory.mktemp("nwb") / "run.nwb"
    export_nwb(path, net, session_description="eight leaky neurons", experimenter=["A. Tester"])
    return {"path": path, "net": net, "group": group, "spikes": spikes, "sub_spikes": sub_spikes, "trace": trace,
            "rate": rate, "high": high}


def test_the_file_passes_the_nwb_validator(run):
    assert pynwb.validate(path=str(run["path"])) == []


def test_spikes_are_one_units_row_per_neuron_with_exact_times(run):
    spikes = run["spikes"]
    assert spikes.count[0] == 0 and spikes.num_spikes > 10
    with pynwb.NWBHDF5IO(run["path"], "r") as io:
        units = io.read().units.to_dataframe()
    rows = units[units["monitor"] == "spikes"]
    assert list(rows["i"]) == list(range(8)) and set(rows["source"]) == {"neurons"}
    for k in range(8):
        np.testing.assert_array_equal(rows["spike_times"].iloc[k], spikes.t_[spikes.i == k])
    assert len(units[units["monitor"] == "sub_spikes"]) == 4  # the subgroup's neurons


def test_spike_trains_read_back_exactly(run):
    stored = read_nwb(run["path"])
    for name in ("spikes", "sub_spikes"):
        monitor, back = run[name], stored[name]
        trains, back_trains = monitor.spike_trains(), back.spike_trains()
        assert sorted(back_trains) == sorted(trains)
        for k in trains:
            np.testing.assert_array_equal(back_trains[k].to("second").magnitude, monitor.t_[monitor.i == k])
            assert back_trains[k].units == second
        np.testing.assert_array_equal(back.count, monitor.count)
    sub = run["sub_spikes"]  # values recorded at the spikes: in spike order, with their unit
    np.testing.assert_array_equal(stored.sub_spikes.i, sub.i)
    np.testing.assert_array_equal(stored.sub_spikes.v_drive_, sub.v_drive_)
    assert stored.sub_spikes.v_drive.units == volt


def test_traces_are_time_series_in_si_units_and_read_back_exactly(run):
    trace = run["trace"]
    with pynwb.NWBHDF5IO(run["path"], "r") as io:
        acquisition = io.read().acquisition
        series = acquisition["trace.v"]
        assert (series.unit, series.conversion, series.offset) == ("volt", 1.0, 0.0)
        assert series.data.shape == (len(trace.t_), 3)  # (time, recorded neurons)
        np.testing.assert_array_equal(series.data[:], trace.v_.T)
        np.testing.assert_array_equal(series.timestamps[:], trace.t_)
        assert "[0, 3, 6]" in series.description and "'neurons'" in series.description
        assert acquisition["trace.gain"].unit == "1"
        assert acquisition["rate.rate"].unit == "hertz"
    stored = read_nwb(run["path"]).trace
    np.testing.assert_array_equal(stored.t_, trace.t_)
    np.testing.assert_array_equal(stored.v_, trace.v_)
    assert stored.v.units == volt and isinstance(stored.gain, np.ndarray)
    np.testing.assert_array_equal(stored[3].v.to("mV").magnitude, trace[3].v / mV)


def test_rates_and_events_read_back_exactly(run):
    stored = read_nwb(run["path"])
    np.testing.assert_array_equal(stored.rate.rate_, run["rate"].rate_)
    assert stored.rate.rate.units == Hz
    high = run["high"]
    assert high.num_events > 0
    np.testing.assert_array_equal(stored.high.i, high.i)
    np.testing.assert_array_equal(stored.high.t_, high.t_)
    np.testing.assert_array_equal(stored.high.count, high.count)


def test_the_model_and_session_are_in_the_file(run):
    attrs = read_nwb(run["path"]).attrs
    model = attrs["models"]["neurons"]
    assert model["equations"] == str(run["group"].equations) and "dv/dt" in model["equations"]
    assert (model["threshold"], model["reset"], model["method"]) == ("v > 10*mV", "v = 0*mV", "exact")
    assert model["events"] == {"high": "v > 6*mV"} and model["dt"] == pytest.approx(1e-4)
    assert model["refractory"] == {"value": pytest.approx(1e-3), "unit": "second"}
    assert model["constants"] == {"tau": {"value": pytest.approx(5e-3), "unit": "second"}}
    assert model["parameters"]["gain"] == {"value": 0.5, "unit": "1"}
    assert model["parameters"]["v_drive"] == {"min": pytest.approx(5e-3), "max": pytest.approx(26e-3),
                                              "unit": "volt"}
    assert attrs["simcore_version"] and attrs["session_description"] == "eight leaky neurons"
    with pynwb.NWBHDF5IO(run["path"], "r") as io:
        assert list(io.read().experimenter) == ["A. Tester"]


def test_one_monitor_exports_alone_with_the_given_session(run, tmp_path):
    start = datetime.datetime(2024, 5, 1, 9, 30, tzinfo=datetime.UTC)
    path = tmp_path / "rate.nwb"
    export_nwb(path, run["rate"], session_description="rate only", identifier="rate-1", session_start_time=start)
    stored = read_nwb(path)
    assert list(stored) == ["rate"] and stored.attrs["identifier"] == "rate-1"
    assert stored.attrs["session_start_time"] == start.isoformat()
    assert pynwb.validate(path=str(path)) == []
    with pytest.raises(ModelError, match="exists; pass overwrite=True"):
        export_nwb(path, run["rate"], session_description="again")
    export_nwb(path, [run["rate"], run["high"]], session_description="again", overwrite=True)
    assert list(read_nwb(path)) == ["rate", "high"]


def test_bad_input_is_refused_before_writing(run, tmp_path):
    path = tmp_path / "bad.nwb"
    rate = run["rate"]
    refusals = [
        (lambda: export_nwb(path, run["group"], session_description="x"), "not .*NeuronGroup"),
        (lambda: export_nwb(path, [rate, "spikes"], session_description="x"), "exports monitors; 'spikes'"),
        (lambda: export_nwb(path, [], session_description="x"), "empty list"),
        (lambda: export_nwb(path, rate), "needs session_description="),
        (lambda: export_nwb(path, rate, session_description=" "), "non-empty text"),
        (lambda: export_nwb(tmp_path / "missing" / "bad.nwb", rate, session_description="x"), "does not exist"),
        (lambda: export_nwb(path, rate, session_description="x", experimentor="me"), "'experimentor' is not a field"),
        (lambda: export_nwb(path, rate, session_description="x", session_start_time="today"), "datetime"),
    ]
    for call, message in refusals:
        with pytest.raises(ModelError, match=message):
            call()
    start_scope()
    group = NeuronGroup(2, "v : 1", threshold="v > 1")
    with pytest.raises(ModelError, match="has not run"):
        export_nwb(path, StateMonitor(group, "v", record=True), session_description="x")
    uncounted = SpikeMonitor(group, record=False)
    Network(group, uncounted).run(1 * ms)
    with pytest.raises(ModelError, match="record=False"):
        export_nwb(path, uncounted, session_description="x")
    assert list(tmp_path.iterdir()) == []


def test_read_nwb_refuses_files_it_did_not_write_and_runs_nothing_from_them(run, tmp_path):
    text = tmp_path / "text.nwb"
    text.write_text("not HDF5")
    with pytest.raises(ModelError, match="not a readable NWB file"):
        read_nwb(text)
    with pytest.raises(ModelError, match="no such file"):
        read_nwb(tmp_path / "none.nwb")
    plain = tmp_path / "plain.nwb"
    with pynwb.NWBHDF5IO(plain, "w") as io:
        io.write(pynwb.NWBFile(session_description="x", identifier="x",
                               session_start_time=datetime.datetime.now().astimezone()))
    with pytest.raises(ModelError, match="not one simcore's export_nwb wrote"):
        read_nwb(plain)
    hostile, marker = tmp_path / "hostile.nwb", tmp_path / "ran"
    hostile.write_bytes(run["path"].read_bytes())
    with h5py.File(hostile, "r+") as stored:
        stored["acquisition/trace.v/data"].attrs["unit"] = f"(__import__('os').system('touch {marker}'), volt)[1]"
    with pytest.raises(ModelError, match="'v' of the monitor 'trace'"):
        read_nwb(hostile)
    assert not marker.exists()


def test_pynwb_is_imported_only_when_needed(run, monkeypatch):
    checked = subprocess.run([sys.executable, "-c", "import sys, simcore; print('pynwb' in sys.modules)"],
                             capture_output=True, text=True, check=True)
    assert checked.stdout.strip() == "False"
    monkeypatch.setitem(sys.modules, "pynwb", None)  # as if not installed
    with pytest.raises(ModelError, match=r"pip install 'simcore\[nwb\]'"):
        export_nwb(run["path"].with_name("none.nwb"), run["rate"], session_description="x")
    with pytest.raises(ModelError, match=r"pip install 'simcore\[nwb\]'"):
        read_nwb(run["path"])
