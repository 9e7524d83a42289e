"""Run Brian 2's own test suite against simcore and report how much of it passes.

    python compat/brian2_suite.py [--work DIR] [--jobs 2] [files ...]

Downloads the brian2 2.11.0 wheel with pip (once), unpacks its ``brian2/tests`` into a work
folder outside the repository, puts the shim package ``brian2`` (compat/shim: Brian 2's public
names mapped to simcore's) beside it, and runs each test file with pytest in its own process,
selecting as Brian 2's runtime suite does (not standalone_only, not long, not gsl). Morphology
and SpatialNeuron files are left out unless ``--all``. Prints one line per file and a summary
``passed / failed / internal / skipped of collected``; writes ``failures.txt`` (each failing test
with its first error line) and ``summary.json`` into the work folder. A tool, not part of CI.
"""

import argparse
import ast
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

BRIAN2_VERSION = "2.11.0"
SHIM = Path(__file__).resolve().parent / "shim"
MARKERS = "not standalone_only and not long and not gsl"
SHAPE_FILES = ("test_morphology.py", "test_spatialneuron.py")
OUTCOMES = ("passed", "failed", "internal", "skipped")


def brian2_wheel(work: Path) -> Path:
    wheels = sorted(work.glob(f"brian2-{BRIAN2_VERSION}-*.whl"))
    if not wheels:
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:", "--python-version", "3.13",
             "--dest", str(work), f"brian2=={BRIAN2_VERSION}"],
            check=True,
        )
        wheels = sorted(work.glob(f"brian2-{BRIAN2_VERSION}-*.whl"))
    return wheels[0]


def prepare(work: Path) -> Path:
    """Fresh tests from the wheel, the shim package and the plugin; returns the tests folder."""
    package = work / "brian2"
    shutil.rmtree(package, ignore_errors=True)
    with zipfile.ZipFile(brian2_wheel(work)) as wheel:
        wheel.extractall(work, [name for name in wheel.namelist() if name.startswith("brian2/tests/")])
    shutil.copy(SHIM / "brian2" / "__init__.py", package / "__init__.py")
    shutil.copy(SHIM / "simcore_brian2_plugin.py", work / "simcore_brian2_plugin.py")
    return package / "tests"


def run_file(work: Path, test_file: Path, timeout: float) -> tuple[list[dict], str]:
    """Each test's outcome in one file, and a note when the file did not run to the end."""
    results = work / "results" / (test_file.stem + ".jsonl")
    results.unlink(missing_ok=True)
    env = dict(os.environ, PYTHONPATH=str(work), SIMCORE_COMPAT_RESULTS=str(results), MPLBACKEND="Agg")
    command = [sys.executable, "-m", "pytest", str(test_file.relative_to(work)), "-p", "simcore_brian2_plugin",
               "-p", "no:cacheprovider", "-c", str(test_file.parent / "pytest.ini"), "--rootdir", str(work),
               "-m", MARKERS, "-q"]
    note = ""
    try:
        finished = subprocess.run(command, cwd=work, env=env, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        note = f"stopped after {timeout:.0f} s"
    entries = [json.loads(line) for line in results.read_text().splitlines()] if results.exists() else []
    if not note and (finished.returncode not in (0, 1, 5) or (not entries and finished.returncode != 5)):
        output = (finished.stdout + finished.stderr).strip().splitlines()
        error = next((line[2:].strip() for line in output if line.startswith("E   ")), output[-1] if output else "")
        note = f"pytest exit {finished.returncode}: {error}"
        if not entries:
            entries = uncollected(test_file, work, error)
    return entries, note


def uncollected(test_file: Path, work: Path, error: str) -> list[dict]:
    """A file that fails to import: each of its test functions, as failed or (for a Brian 2 internal) internal."""
    internal = "InternalNameUsed" in error or "brian2 internal" in error
    names = [node.name for node in ast.parse(test_file.read_text()).body
             if isinstance(node, ast.FunctionDef) and node.name.startswith("test_")]
    return [{"test": f"{test_file.relative_to(work)}::{name}", "outcome": "internal" if internal else "failed",
             "error": f"file not importable: {error}"} for name in names]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="*", help="test files to run (default: all)")
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "simcore-brian2-suite")
    parser.add_argument("--jobs", type=int, default=2, help="test files run at once")
    parser.add_argument("--timeout", type=float, default=1800, help="seconds per test file")
    parser.add_argument("--all", action="store_true", help="include the morphology and spatialneuron files")
    args = parser.parse_args()
    work = args.work.resolve()
    if Path(__file__).resolve().parent.parent in [work, *work.parents]:
        parser.error("the work folder must be outside the repository")
    (work / "results").mkdir(parents=True, exist_ok=True)
    tests = prepare(work)
    files = [tests / name for name in args.files] if args.files else sorted(tests.glob("test_*.py"))
    if not args.all:
        files = [path for path in files if path.name not in SHAPE_FILES]

    start = time.perf_counter()
    with ThreadPoolExecutor(args.jobs) as pool:
        runs = dict(zip(files, pool.map(lambda path: run_file(work, path, args.timeout), files), strict=True))

    totals = dict.fromkeys(OUTCOMES, 0)
    failures = []
    per_file = {}
    for path, (entries, note) in runs.items():
        counts = {outcome: sum(entry["outcome"] == outcome for entry in entries) for outcome in OUTCOMES}
        per_file[path.name] = dict(counts, collected=len(entries), note=note)
        for outcome in OUTCOMES:
            totals[outcome] += counts[outcome]
        failures += [f"{entry['test']}\n    {entry['error']}" for entry in entries if entry["outcome"] == "failed"]
        figures = " ".join(f"{outcome} {counts[outcome]:3d}" for outcome in OUTCOMES)
        print(f"{path.name:34s} {figures}  of {len(entries):3d}  {note}".rstrip())
    collected = sum(totals.values())
    applicable = totals["passed"] + totals["failed"]
    print(f"\n{totals['passed']} passed / {totals['failed']} failed / {totals['internal']} internal / "
          f"{totals['skipped']} skipped of {collected} collected; "
          f"{100 * totals['passed'] / max(applicable, 1):.1f} % of the {applicable} that apply pass "
          f"({time.perf_counter() - start:.0f} s)")
    (work / "failures.txt").write_text("\n".join(failures) + "\n")
    (work / "summary.json").write_text(json.dumps({"totals": totals, "files": per_file}, indent=1))
    print(f"failing tests: {work / 'failures.txt'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
