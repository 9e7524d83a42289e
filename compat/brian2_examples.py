"""Run Brian 2's published example scripts that use SpatialNeuron (or all, ``--all``) on simcore (and on Brian 2)
and compare.

    python compat/brian2_examples.py [--work DIR] [--jobs 2] [--timeout 600] [--brian-python PATH]
                                     [--brian-target numpy|cython] [--keep-brian] [--all] [scripts ...]

Downloads the brian2 2.11.0 sdist from PyPI (once; its sha256 checked against the index link), unpacks its
``examples`` folder into a work folder outside the repository and picks the scripts that mention
``SpatialNeuron`` (or the ones named, as paths under ``examples/``). Each script runs in its own process, once
with simcore (its import lines rewritten from ``brian2`` to ``simcore``, ``import brian2 as b2`` too, nothing
else changed) and, when
``--brian-python`` or $BRIAN2_PYTHON names a Python with brian2, once with Brian 2. Brian 2's numpy target is
the default: no compilation, so the quickest for the short scripts; cython is about 20 % quicker on the long
HH axons (hodgkin_huxley_1952: 95 s against 118 s). ``--keep-brian`` reuses Brian 2's results of an earlier
run. A wrapper module runs the script with ``runpy.run_path`` and saves the monitors left in its globals
(StateMonitor, SpikeMonitor, PopulationRateMonitor; and each SpatialNeuron's final ``v``) as SI arrays to an
.npz. Prints one line per script (outcome, time in each simulator, agreement; scripts with noise ``xi`` draw
other random numbers, so their figures are shown but not judged) and a summary; writes ``examples.json``
into the work folder. The scripts plot: matplotlib is installed into the work folder for a Python that lacks
it. A tool, not part of CI.
"""

import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

BRIAN2_VERSION = "2.11.0"
INDEX = "https://pypi.org/simple/brian2/"
SDIST = f"brian2-{BRIAN2_VERSION}.tar.gz"
IMPORT_LINE = re.compile(r"^(\s*from\s+)brian2(\.[\w.]+)?(\s+import\b)", re.MULTILINE)
IMPORT_AS = re.compile(r"^(\s*import\s+)brian2(\s+as\s+\w+)", re.MULTILINE)  # import brian2 as b2
PLOTTING = ("matplotlib", "contourpy", "cycler", "fonttools", "kiwisolver", "packaging", "pillow", "pyparsing",
            "python-dateutil", "six")
NOISE = re.compile(r"\bxi(_\w+)?\b")  # a stochastic model: other random numbers, so only ran/failed counts
TRACE_TOLERANCE = 1e-3
SPIKE_TOLERANCE = 1e-4

WRAPPER = '''"""Runs one example script and saves its monitors (written by compat/brian2_examples.py)."""
import json, os, runpy, sys, time, traceback
import numpy as np

script, output, simulator, target = sys.argv[1:5]
os.chdir(os.path.dirname(script))
sys.path.insert(0, os.path.dirname(script))
import matplotlib
matplotlib.use("Agg")
if simulator == "brian2":
    import brian2
    brian2.prefs.codegen.target = target
KINDS = ("StateMonitor", "SpikeMonitor", "PopulationRateMonitor", "SpatialNeuron")


def kind(obj):
    return next((base.__name__ for base in type(obj).__mro__ if base.__name__ in KINDS), None)


def arrays(name, monitor):
    found = {}
    if kind(monitor) == "StateMonitor":
        found[name + ".t"] = np.asarray(monitor.t_)
        for var in monitor.record_variables:
            found[name + "." + var] = np.asarray(getattr(monitor, var + "_"), dtype=float)
    elif kind(monitor) == "SpikeMonitor":
        found[name + ".i"] = np.asarray(monitor.i)
        found[name + ".t"] = np.asarray(monitor.t_)
    elif kind(monitor) == "PopulationRateMonitor":
        found[name + ".t"] = np.asarray(monitor.t_)
        found[name + ".rate"] = np.asarray(monitor.rate_)
    else:
        found[name + ".v_final"] = np.asarray(monitor.v_, dtype=float)
    return found


start = time.perf_counter()
error = ""
try:
    namespace = runpy.run_path(script, run_name="__main__")
except BaseException as exc:
    error = traceback.format_exception_only(type(exc), exc)[-1].strip()
    frames = traceback.walk_tb(exc.__traceback__)
    namespace = next((frame.f_globals for frame, _ in frames if frame.f_code.co_filename == script
                      and frame.f_code.co_name == "<module>"), {})
seconds = time.perf_counter() - start
found = {}
for name, value in list(namespace.items()):
    if kind(value) is not None:
        try:
            found.update(arrays(name, value))
        except Exception as exc:
            error = error or f"reading monitor {name}: {exc}"
np.savez(output, **found)
with open(output + ".json", "w") as handle:
    json.dump({"error": error, "seconds": seconds}, handle)
'''


def fetch_sdist(work: Path) -> Path:
    """The sdist from PyPI's simple index, checked against the sha256 in the link's fragment."""
    target = work / SDIST
    page = urllib.request.urlopen(INDEX, timeout=60).read().decode()
    link = re.search(rf'href="([^"#]*/{re.escape(SDIST)})#sha256=([0-9a-f]{{64}})"', page)
    if link is None:
        raise SystemExit(f"{SDIST} not listed on {INDEX}")
    url, digest = link.groups()
    if not target.exists() or hashlib.sha256(target.read_bytes()).hexdigest() != digest:
        data = urllib.request.urlopen(url, timeout=300).read()
        if hashlib.sha256(data).hexdigest() != digest:
            raise SystemExit(f"{SDIST}: sha256 differs from the index's {digest}")
        target.write_bytes(data)
    return target


def unpack(work: Path) -> Path:
    """A fresh copy of the sdist's examples folder; returns it."""
    examples = work / "examples"
    shutil.rmtree(examples, ignore_errors=True)
    prefix = f"brian2-{BRIAN2_VERSION}/examples/"
    with tarfile.open(fetch_sdist(work)) as sdist:
        members = [member for member in sdist.getmembers() if member.name.startswith(prefix) and member.isfile()]
        for member in members:
            member.name = member.name[len(prefix):]
        sdist.extractall(examples, members, filter="data")
    return examples


def simcore_copy(examples: Path, work: Path) -> Path:
    """The examples with only their import lines changed from brian2 to simcore."""
    copy = work / "examples-simcore"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(examples, copy)
    for path in copy.rglob("*.py"):
        path.write_text(IMPORT_AS.sub(r"\1simcore\2", IMPORT_LINE.sub(r"\1simcore\2\3", path.read_text())))
    return copy


def plotting_path(python: str, work: Path) -> str:
    """A folder with matplotlib for ``python`` when it lacks one (the scripts plot), installed without numpy."""
    if subprocess.run([python, "-c", "import matplotlib"], capture_output=True).returncode == 0:
        return ""
    version = subprocess.run([python, "-c", "import sys; print(f'{sys.version_info[0]}.{sys.version_info[1]}')"],
                             capture_output=True, text=True, check=True).stdout.strip()
    target = work / f"plotting-{version}"
    if not (target / "matplotlib").exists():
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--only-binary=:all:",
                        "--python-version", version, "--target", str(target), *PLOTTING], check=True)
    return str(target)


def run_one(python: str, script: Path, output: Path, simulator: str, timeout: float, work: Path,
            path: str, target: str, keep: bool) -> dict:
    """Runs the wrapper on one script (or, with ``keep``, reads the results of an earlier run); the outcome,
    the time and the monitors."""
    env = dict(os.environ, MPLBACKEND="Agg", PYTHONDONTWRITEBYTECODE="1", PYTHONPATH=path)
    report = Path(str(output) + ".json")
    if not (keep and report.exists()):
        output.unlink(missing_ok=True)
        report.unlink(missing_ok=True)
        command = [python, str(work / "run_example.py"), str(script), str(output), simulator, target]
        try:
            finished = subprocess.run(command, env=env, capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            return {"outcome": "timeout", "error": f"stopped after {timeout:.0f} s", "seconds": timeout, "data": {}}
    if not report.exists():
        lines = (finished.stdout + finished.stderr).strip().splitlines()
        return {"outcome": "failed", "error": lines[-1] if lines else f"exit {finished.returncode}",
                "seconds": None, "data": {}}
    info = json.loads(report.read_text())
    with np.load(output) as saved:
        data = {key: saved[key] for key in saved.files}
    return {"outcome": "failed" if info["error"] else "ran", "error": info["error"], "seconds": info["seconds"],
            "data": data}


def compare(mine: dict, theirs: dict) -> dict:
    """Agreement figures per monitor array: spike counts and times, traces relative to their range (at least
    0.1 % of their largest magnitude)."""
    figures = {}
    for key in sorted(set(mine) | set(theirs)):
        if key not in mine or key not in theirs:
            figures[key] = "only in " + ("simcore" if key in mine else "brian2")
            continue
        a, b = mine[key].astype(float), theirs[key].astype(float)
        if key.endswith(".i"):
            continue
        if key.endswith(".t") and key[:-2] + ".i" in mine:
            same = a.shape == b.shape and np.array_equal(mine[key[:-2] + ".i"], theirs[key[:-2] + ".i"])
            error = float(np.max(np.abs(a - b), initial=0.0)) if same else float("nan")
            figures[key[:-2] + ".spikes"] = {"count": [len(a), len(b)], "max_dt": error, "same_indices": same}
        elif a.shape != b.shape:
            figures[key] = f"shape {a.shape} vs {b.shape}"
        elif not key.endswith(".t"):
            span = max(float(np.ptp(b)), 1e-3 * float(np.max(np.abs(b)))) if b.size else 0.0  # a flat trace: its size
            error = float(np.max(np.abs(a - b), initial=0.0))
            figures[key] = {"max_rel": error / span if span > 0 else error, "range": span}
    return figures


def agrees(figures: dict) -> bool:
    for value in figures.values():
        if isinstance(value, str):
            return False
        if "count" in value and (value["count"][0] != value["count"][1] or not value["same_indices"]
                                 or value["max_dt"] > SPIKE_TOLERANCE):
            return False
        if "max_rel" in value and not value["max_rel"] <= TRACE_TOLERANCE:
            return False
    return True


def summary_line(name: str, runs: dict, figures: dict | None, stochastic: bool) -> str:
    parts = []
    for simulator, run in runs.items():
        took = f"{run['seconds']:.1f} s" if run["seconds"] is not None else "-"
        parts.append(f"{simulator} {run['outcome']} {took}" + (f" [{run['error'][:110]}]" if run["error"] else ""))
    if figures is not None:
        worst = [value["max_rel"] for value in figures.values() if isinstance(value, dict) and "max_rel" in value]
        spikes = [f"{value['count'][0]}/{value['count'][1]} spikes" for value in figures.values()
                  if isinstance(value, dict) and "count" in value]
        shown = ([f"traces max rel {max(worst):.1e}"] if worst else []) + spikes
        shown += [f"{key}: {value}" for key, value in figures.items() if isinstance(value, str)]
        verdict = "STOCHASTIC (not compared) " if stochastic else "AGREE " if agrees(figures) else "DIFFER "
        parts.append(verdict + ", ".join(shown))
    return f"{name:36s} " + " | ".join(parts)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("scripts", nargs="*", help="scripts under examples/ (default: all using SpatialNeuron)")
    parser.add_argument("--all", action="store_true", help="every script of Brian 2's examples")
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "simcore-brian2-examples")
    parser.add_argument("--jobs", type=int, default=2, help="processes run at once")
    parser.add_argument("--timeout", type=float, default=600, help="seconds per script and simulator")
    parser.add_argument("--brian-python", default=os.environ.get("BRIAN2_PYTHON"),
                        help="a Python with brian2 installed (default: $BRIAN2_PYTHON; none: simcore only)")
    parser.add_argument("--brian-target", choices=("numpy", "cython"), default="numpy",
                        help="Brian 2's code generation target")
    parser.add_argument("--keep-brian", action="store_true",
                        help="reuse Brian 2's results from an earlier run in the work folder where there are some")
    args = parser.parse_args()
    work = args.work.resolve()
    if Path(__file__).resolve().parent.parent in [work, *work.parents]:
        parser.error("the work folder must be outside the repository")
    (work / "results").mkdir(parents=True, exist_ok=True)
    (work / "run_example.py").write_text(WRAPPER)
    examples = unpack(work)
    copy = simcore_copy(examples, work)
    names = args.scripts or sorted(str(path.relative_to(examples)) for path in examples.rglob("*.py")
                                   if args.all or "SpatialNeuron(" in path.read_text())
    simulators = {"simcore": (sys.executable, copy, plotting_path(sys.executable, work))}
    if args.brian_python:
        simulators["brian2"] = (args.brian_python, examples, plotting_path(args.brian_python, work))
    tasks = [(name, simulator) for name in names for simulator in simulators]

    def task(item):
        name, simulator = item
        python, folder, path = simulators[simulator]
        output = work / "results" / f"{name.replace('/', '__')[:-3]}.{simulator}.npz"
        return run_one(python, folder / name, output, simulator, args.timeout, work, path, args.brian_target,
                       args.keep_brian and simulator == "brian2")

    start = time.perf_counter()
    with ThreadPoolExecutor(args.jobs) as pool:
        outcomes = dict(zip(tasks, pool.map(task, tasks), strict=True))
    report = {}
    for name in names:
        runs = {simulator: outcomes[name, simulator] for simulator in simulators}
        both = len(runs) == 2 and all(run["outcome"] == "ran" for run in runs.values())
        figures = compare(runs["simcore"]["data"], runs["brian2"]["data"]) if both else None
        stochastic = NOISE.search((examples / name).read_text()) is not None
        print(summary_line(name, runs, figures, stochastic), flush=True)
        report[name] = {simulator: {key: run[key] for key in ("outcome", "error", "seconds")}
                        for simulator, run in runs.items()}
        report[name]["figures"] = figures
        report[name]["agree"] = None if figures is None or stochastic else agrees(figures)
        report[name]["stochastic"] = stochastic
    ran = sum(entry["simcore"]["outcome"] == "ran" for entry in report.values())
    agreeing = sum(bool(entry["agree"]) for entry in report.values())
    print(f"\nsimcore ran {ran} of {len(names)} scripts; {agreeing} agree with Brian 2 "
          f"(traces within {TRACE_TOLERANCE:g} of their range, spikes within {SPIKE_TOLERANCE * 1e3:g} ms) "
          f"({time.perf_counter() - start:.0f} s)")
    (work / "examples.json").write_text(json.dumps(report, indent=1, default=str))
    print(f"details: {work / 'examples.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
