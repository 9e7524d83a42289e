"""Parameter sweeps on a local Dask cluster of two processes: results equal sequential runs, kernels compiled
once, failures reported with their parameters, seeds, the forms of the parameters, units, an interrupted sweep
resumed from its file, and the kernel cache shared by processes that compile at once."""

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
import warnings

import cloudpickle
import numpy as np
import pandas
import pytest

from simcore import (
    ModelError,
    ModelTypeError,
    ModelValueError,
    NeuronGroup,
    SpikeMonitor,
    StateMonitor,
    device,
    ms,
    mV,
    reinit_devices,
    reset_device,
    run,
    seed,
    set_device,
    start_scope,
    sweep,
)
from simcore.units.helpers import to_si

cloudpickle.register_pickle_by_value(sys.modules[__name__])  # the workers cannot import this test module


def noisy_lif(drive, tau):
    """A small LIF group with noise: its spikes depend on the drive, the time constant and the seed."""
    group = NeuronGroup(20, """dv/dt = (drive - v)/tau + 2*mV*xi/sqrt(tau) : volt""", threshold="v > 10*mV",
                        reset="v = 0*mV", method="euler")
    group.v = "rand()*10*mV"
    spikes = SpikeMonitor(group)
    trace = StateMonitor(group, "v", record=[0, 1])
    run(10 * ms)
    return {"rate": spikes.num_spikes / (20 * 10 * ms), "spikes": spikes, "trace": trace, "v_end": group.v[:],
            "count": spikes.num_spikes}


def arithmetic(x, y):
    if x == 3:
        raise ValueError("x = 3 is refused")
    return {"sum": x + y, "product": x * y * mV}


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    """Two worker processes of one thread, with a kernel cache folder of their own (empty at the start)."""
    distributed = pytest.importorskip("distributed")
    cache = str(tmp_path_factory.mktemp("sweep_cache"))
    previous = os.environ.get("SIMCORE_CACHE_DIR")
    os.environ["SIMCORE_CACHE_DIR"] = cache  # the workers inherit it
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0")
    with distributed.Client(cluster) as connected:
        yield connected
    cluster.close()
    if previous is None:
        os.environ.pop("SIMCORE_CACHE_DIR")
    else:
        os.environ["SIMCORE_CACHE_DIR"] = previous


@pytest.fixture(scope="module")
def lif_sweep(client):
    grid = {"drive": [12 * mV, 15 * mV, 20 * mV], "tau": [5 * ms, 10 * ms]}
    return grid, sweep(noisy_lif, grid, client=client, seeds=7, progress=False)


def test_results_equal_sequential_runs_with_units(lif_sweep):
    grid, result = lif_sweep
    table = result.table
    assert list(table.columns[:2]) == ["drive", "tau"] and len(table) == 6 and table["error"].isna().all()
    assert table["drive"].tolist() == pytest.approx([0.012] * 2 + [0.015] * 2 + [0.02] * 2)
    assert result.units["drive"] == "volt" and result.units["tau"] == "second"
    assert result.units["spikes.t"] == "second" and result.units["trace.v"] == "volt"
    assert result.units["v_end"] == "volt" and result.units["rate"] == "hertz" and result.units["count"] == "1"
    assert table.attrs["units"] == result.units
    for row, (_, entry) in enumerate(table.iterrows()):
        start_scope()
        seed(int(entry["seed"]))
        expected = noisy_lif(grid["drive"][row // 2], grid["tau"][row % 2])
        np.testing.assert_array_equal(result.arrays["spikes.t"][row], expected["spikes"].t_)
        np.testing.assert_array_equal(result.arrays["spikes.i"][row], expected["spikes"].i[:])
        np.testing.assert_array_equal(result.arrays["trace.v"][row], expected["trace"].v_)
        np.testing.assert_array_equal(result.arrays["v_end"][row], to_si(expected["v_end"])[0])
        assert entry["count"] == expected["count"] and entry["rate"] == pytest.approx(float(expected["rate"]))
    assert table["count"].iloc[-1] > table["count"].iloc[0] > 0  # a stronger drive, more spikes


def test_kernels_are_compiled_by_the_first_run_only(lif_sweep):
    _, result = lif_sweep
    compiled = result.table["compiled"]
    assert compiled.iloc[0] > 0 and compiled.iloc[1:].sum() == 0 and result.compiled == compiled.iloc[0]


def test_the_dataset_is_keyed_by_the_parameters(lif_sweep):
    _, result = lif_sweep
    dataset = result.to_xarray()
    assert dataset["trace.v"].attrs["unit"] == "volt" and dataset["trace.v"].shape[0] == 6
    assert "spikes.t" not in dataset  # a different number of spikes in each run
    grid = dataset.unstack("run")
    assert grid["count"].shape == (3, 2)
    strongest = float(grid["count"].sel(drive=0.02, tau=0.005))
    assert strongest == result.table.query("drive == 0.02 and tau == 0.005")["count"].item()


def test_the_same_sweep_again_gives_the_same_results_and_trials_differ(client):
    first = sweep(noisy_lif, {"drive": [15 * mV], "tau": [10 * ms]}, client=client, seeds=3, trials=3,
                  progress=False)
    again = sweep(noisy_lif, [{"drive": 15 * mV, "tau": 10 * ms}], client=client, seeds=3, trials=3, progress=False)
    assert first.table["trial"].tolist() == [0, 1, 2] and len(set(first.table["seed"])) == 3
    pandas.testing.assert_series_equal(first.table["count"], again.table["count"])
    for one, other in zip(first.arrays["spikes.t"], again.arrays["spikes.t"], strict=True):
        np.testing.assert_array_equal(one, other)
    assert not np.array_equal(first.arrays["v_end"][0], first.arrays["v_end"][1])


def test_a_failing_run_is_reported_with_its_parameters_and_the_others_finish(client):
    frame = pandas.DataFrame({"x": [1, 2, 3, 4], "y": [10, 20, 30, 40]})
    result = sweep(arithmetic, frame, client=client, progress=False)
    failed = result.failed
    assert failed[["x", "y"]].values.tolist() == [[3, 30]]
    assert failed["error"].item() == "ValueError: x = 3 is refused"
    done = result.table[result.table["error"].isna()]
    assert done["sum"].tolist() == [11, 22, 44] and done["product"].tolist() == pytest.approx([0.01, 0.04, 0.16])
    assert result.units["product"] == "volt"
    grid = sweep(arithmetic, {"x": [1, 2, 3, 4], "y": [10]}, client=client, progress=False)
    assert grid.table["sum"].tolist()[:2] == [11, 12]


def test_bad_requests_are_refused_before_anything_runs(tmp_path):
    with pytest.raises(ModelTypeError, match="list of dicts, a dict of lists"):
        sweep(arithmetic, 3)
    with pytest.raises(ModelValueError, match="not a Python name"):
        sweep(arithmetic, [{"x y": 1}])
    with pytest.raises(ModelValueError, match="2 seeds for 3 runs"):
        sweep(arithmetic, {"x": [1, 2, 3], "y": [1]}, seeds=[1, 2])
    with pytest.raises(ModelValueError, match="trials must be"):
        sweep(arithmetic, {"x": [1], "y": [1]}, trials=0)
    foreign = tmp_path / "foreign.h5"
    import h5py

    with h5py.File(foreign, "w") as handle:
        handle["data"] = [1, 2]
    with pytest.raises(ModelError, match="not a file of sweep results"):
        sweep(arithmetic, {"x": [1], "y": [1]}, output=foreign)


@pytest.fixture
def recorded_drives():
    """Brian 2's build once, run many: noisy LIF neurons whose drive a run sets, two runs recorded."""
    start_scope()
    reinit_devices()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        set_device("cpp_standalone", build_on_run=False)
    group = NeuronGroup(10, """dv/dt = (drive - v)/(10*ms) + 2*mV*xi/sqrt(10*ms) : volt
                               drive : volt""", threshold="v > 10*mV", reset="v = 0*mV", method="euler", name="cells")
    group.v = "rand()*10*mV"
    group.drive = 15 * mV
    spikes = SpikeMonitor(group, name="spikes")
    trace = StateMonitor(group, "v", record=[0, 3], name="trace")
    run(5 * ms)
    run(5 * ms)
    yield group, spikes, trace
    reinit_devices()
    reset_device("cpu")


def test_device_sweep_equals_device_run_one_set_after_the_other(client, recorded_drives):
    group, spikes, trace = recorded_drives
    drives = [12 * mV, 15 * mV, 20 * mV]
    result = device.sweep({group.drive: drives}, client=client, progress=False)
    assert result.parameters == ("cells.drive",) and result.units["cells.drive"] == "volt"
    assert result.table["cells.drive"].tolist() == pytest.approx([0.012, 0.015, 0.02])
    assert result.table["compiled"].iloc[1:].eq(0).all()  # the first run compiled; the others loaded its kernels
    for k, drive in enumerate(drives):
        device.run(run_args={group.drive: drive})
        np.testing.assert_array_equal(result.arrays["spikes.i"][k], spikes.i[:])
        np.testing.assert_array_equal(result.arrays["spikes.t"][k], spikes.t_[:])
        np.testing.assert_array_equal(result.arrays["trace.v"][k], trace.v_)
    assert "spikes.count" not in result.table and len(result.arrays["spikes.count"][0]) == 10
    assert len(set(map(len, result.arrays["spikes.i"]))) == 3  # more drive, more spikes: the values were set


def test_device_sweep_returns_what_it_is_asked_with_the_seed_of_each_run(client, recorded_drives):
    group, spikes, _ = recorded_drives
    sets = [{group.drive: 15 * mV}, {group.drive: 20 * mV}, {group.drive: 15 * mV}]
    result = device.sweep(sets, results={"count": lambda: spikes.num_spikes, "v": group.v}, seeds=[5, 5, 6],
                          client=client, progress=False)
    assert result.units["v"] == "volt"
    for k, (entry, run_seed) in enumerate(zip(sets, [5, 5, 6], strict=True)):
        seed(run_seed)  # device.run keeps a seed() given since the last run
        device.run(run_args=entry)
        assert result.table["count"][k] == spikes.num_spikes
        np.testing.assert_array_equal(result.arrays["v"][k], group.v_)
    assert not np.array_equal(result.arrays["v"][0], result.arrays["v"][2])  # same drive, other seed


def test_device_sweep_sets_arrays_as_brian2s_run_args(client, recorded_drives):
    group, spikes, _ = recorded_drives
    drives = [np.linspace(20, 40, 10) * mV, np.full(10, 11.0) * mV]
    result = device.sweep([{group.drive: drive} for drive in drives], results={"count": lambda: spikes.num_spikes},
                          seeds=[3, 3], client=client, progress=False)
    labels = result.table["cells.drive"].tolist()
    assert labels[0].startswith("array of 10 values in volt, sha256 ") and labels[0] != labels[1]
    for k, drive in enumerate(drives):
        seed(3)
        device.run(run_args={group.drive: drive})
        assert result.table["count"][k] == spikes.num_spikes
    assert result.table["count"][0] != result.table["count"][1]


def test_device_sweep_on_worker_threads_of_the_script_s_process(recorded_drives):
    """Workers that are threads of this process share its device, which recorded the runs: it repeats them."""
    distributed = pytest.importorskip("distributed")
    group, spikes, _ = recorded_drives
    with distributed.LocalCluster(n_workers=1, processes=False, dashboard_address=":0") as cluster, \
            distributed.Client(cluster) as threads:
        result = device.sweep({group.drive: [12 * mV, 20 * mV]}, results={"count": lambda: spikes.num_spikes},
                              seeds=[4, 4], client=threads, progress=False)
    assert result.table["error"].isna().all()
    for k, drive in enumerate([12 * mV, 20 * mV]):
        seed(4)
        device.run(run_args={group.drive: drive})
        assert result.table["count"][k] == spikes.num_spikes


def test_device_sweep_reports_a_failing_set_and_refuses_bad_requests(client, recorded_drives):
    group, spikes, _ = recorded_drives
    result = device.sweep({group.drive: [15 * mV, 3 * ms]}, results=[spikes], client=client, progress=False)
    assert pandas.isna(result.table["error"][0])
    assert "DimensionMismatchError" in result.table["error"][1] and "volt" in result.table["error"][1]
    with pytest.raises(ModelTypeError, match="G.tau"):
        device.sweep([{"drive": 15 * mV}])
    with pytest.raises(ModelTypeError, match="list of {G.x: value} dicts"):
        device.sweep(15 * mV)
    with pytest.raises(ModelTypeError, match="not a monitor, a variable"):
        device.sweep({group.drive: [15 * mV]}, results=[42])
    reinit_devices()
    with pytest.raises(ModelValueError, match="there are none"):
        device.sweep({group.drive: [15 * mV]})


SCRIPT = textwrap.dedent("""
    import json, signal, sys, time
    from simcore import *

    # Ctrl+C interrupts, even where the process running the tests ignores SIGINT (a background job, nohup)
    signal.signal(signal.SIGINT, signal.default_int_handler)

    def slow(x, y):
        time.sleep(float(sys.argv[2]))
        return {"sum": x + y, "scaled": x * ms}

    if __name__ == "__main__":
        result = sweep(slow, {"x": list(range(12)), "y": [1, 2]}, output=sys.argv[1], workers=2, seeds=1,
                       progress=False)
        table = result.table.drop(columns=["seconds", "compiled"])
        print(json.dumps(table.reset_index().to_dict("records")))
""")


def _sweep_script(tmp_path, output: str, seconds_a_run: float = 0.05) -> subprocess.Popen:
    script = tmp_path / "sweep_script.py"
    script.write_text(SCRIPT)
    return subprocess.Popen([sys.executable, str(script), output, str(seconds_a_run)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, cwd=tmp_path)


def _records_in(path) -> int:
    import h5py

    try:
        with h5py.File(path, "r") as handle:
            return len(handle["runs"])
    except (OSError, KeyError):
        return 0


def test_an_interrupted_sweep_goes_on_from_its_file(tmp_path):
    pytest.importorskip("distributed")
    interrupted = _sweep_script(tmp_path, "resumed.h5", seconds_a_run=1.0)  # 12 s of runs on two workers
    deadline = time.monotonic() + 120
    while _records_in(tmp_path / "resumed.h5") < 3 and time.monotonic() < deadline and interrupted.poll() is None:
        time.sleep(0.1)
    interrupted.send_signal(signal.SIGINT)
    _, errors = interrupted.communicate(timeout=120)
    assert "sweep interrupted" in errors, errors
    kept = _records_in(tmp_path / "resumed.h5")
    assert 3 <= kept < 24
    resumed = _sweep_script(tmp_path, "resumed.h5")
    whole = _sweep_script(tmp_path, "whole.h5")
    resumed_table = json.loads(resumed.communicate(timeout=180)[0])
    whole_table = json.loads(whole.communicate(timeout=180)[0])
    assert len(whole_table) == 24 and resumed_table == whole_table
    assert _records_in(tmp_path / "resumed.h5") == 24  # the runs it had were not run again


CONCURRENT = textwrap.dedent("""
    import warnings
    warnings.simplefilter("error")
    from simcore import *
    from simcore.backends.cache import compilations
    group = NeuronGroup(7, "dv/dt = (1.1 - v)/(3*ms) : 1", threshold="v > 1", reset="v = 0", method="exact")
    spikes = SpikeMonitor(group)
    run(5*ms)
    print(compilations(), spikes.num_spikes)
""")


def test_processes_that_compile_one_model_at_once_share_the_cache(tmp_path):
    env = dict(os.environ, SIMCORE_CACHE_DIR=str(tmp_path / "cache"))
    started = [subprocess.Popen([sys.executable, "-c", CONCURRENT], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True, env=env) for _ in range(3)]
    outputs = [process.communicate(timeout=300) for process in started]
    assert all(process.returncode == 0 for process in started), [errors for _, errors in outputs]
    counts = {output.split()[1] for output, _ in outputs}
    assert len(counts) == 1
    later = subprocess.run([sys.executable, "-c", CONCURRENT], capture_output=True, text=True, env=env, check=True)
    assert later.stdout.split() == ["0", counts.pop()]  # nothing compiled: every kernel loads, verified


def dies_at_two(x):
    if x == 2:
        os._exit(3)  # the worker process dies, as one killed by the system
    return {"square": x * x}


def test_a_killed_worker_fails_its_run_only(tmp_path):
    distributed = pytest.importorskip("distributed")
    import dask

    with dask.config.set({"distributed.scheduler.allowed-failures": 0}), \
            distributed.LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=":0") as cluster, \
            distributed.Client(cluster) as connected:
        result = sweep(dies_at_two, {"x": [1, 2, 3, 4]}, client=connected, output=tmp_path / "killed.h5",
                       progress=False)
    assert result.failed["x"].tolist() == [2] and "KilledWorker" in result.failed["error"].item()
    assert result.table["square"].dropna().tolist() == [1, 9, 16]
