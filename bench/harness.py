"""What the benchmark scripts share: worker processes, memory figures, the Brian 2 side
(finding a Python that imports it, a ``cpp_standalone`` project with probes in its binary),
git state, progress lines and ratios.

Standard library only at import time: the Brian 2 workers run in Brian's own environment,
which has neither simcore nor numba.

A benchmark script runs each measured configuration in a new process: the driver calls
``call_worker(python, script, spec)``, which runs ``python script --worker '<spec as JSON>'``;
the script's ``__main__`` hands ``sys.argv`` to ``worker_main(worker)``, which calls
``worker(spec)`` and prints the returned dict as JSON on the last line of stdout.
"""

from __future__ import annotations

import gc
import hashlib
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
SIMCORE_FOLDERS = ("simcore", "units", "solvers", "morphology")


# --- memory --------------------------------------------------------------------------------
def maxrss_bytes() -> int:
    """Peak resident memory of this process (``ru_maxrss``)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _status_bytes(field: str) -> int | None:
    try:
        with open("/proc/self/status") as stream:
            for line in stream:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


def current_rss_bytes() -> int:
    """Resident memory now (``VmRSS``; ``ru_maxrss`` where /proc is missing)."""
    value = _status_bytes("VmRSS")
    return value if value is not None else maxrss_bytes()


def peak_rss_bytes() -> int:
    """Peak resident memory since the start or the last ``reset_peak_rss()`` (``VmHWM``)."""
    value = _status_bytes("VmHWM")
    return value if value is not None else maxrss_bytes()


def reset_peak_rss() -> bool:
    """Collect garbage and start the peak (``VmHWM``, ``ru_maxrss``) again from the current
    resident memory (Linux ``clear_refs``); False where that is not possible."""
    gc.collect()
    try:
        with open("/proc/self/clear_refs", "w") as stream:
            stream.write("5")
        return True
    except OSError:
        return False


# --- worker processes -----------------------------------------------------------------------
def call_worker(python: str, script: str, spec: dict, env: dict | None = None) -> dict:
    """Run ``python script --worker <spec>`` and return its JSON result, with the process's wall
    time and the load average before and after; on failure ``error`` and the tail of stderr."""
    command = [python, os.path.abspath(script), "--worker", json.dumps(spec)]
    load_before = os.getloadavg()[0]
    began = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True, env=env if env is not None else dict(os.environ),
                            cwd=ROOT)
    wall = time.perf_counter() - began
    lines = [line for line in result.stdout.splitlines() if line.startswith("{")]
    if result.returncode != 0 or not lines:
        return {"error": f"exit code {result.returncode}", "stderr_tail": result.stderr[-2000:],
                "process_wall_s": wall}
    out = json.loads(lines[-1])
    out["process_wall_s"] = wall
    out["loadavg_1min_before_after"] = [load_before, os.getloadavg()[0]]
    return out


def worker_main(worker: Callable[[dict], dict], argv: list[str] | None = None) -> bool:
    """In a worker process (``--worker <spec>``): run ``worker(spec)``, print its result as JSON and
    return True; otherwise return False (the driver goes on)."""
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 2 or argv[0] != "--worker":
        return False
    print(json.dumps(worker(json.loads(argv[1]))))
    return True


def simcore_cold_warm(script: str, spec: dict, threads: int) -> dict:
    """simcore in two new processes sharing a fresh, empty ``SIMCORE_CACHE_DIR``: ``cold`` builds only
    (``repeat`` = 0), ``warm`` builds from the cache of the first and runs ``spec['repeat']`` times."""
    cache = tempfile.mkdtemp(prefix="bench_simcore_cache_")
    env = dict(os.environ, SIMCORE_CACHE_DIR=cache, SIMCORE_NUM_THREADS=str(threads))
    try:
        cold = call_worker(sys.executable, script, {**spec, "repeat": 0}, env)
        warm = call_worker(sys.executable, script, spec, env)
    finally:
        shutil.rmtree(cache, ignore_errors=True)
    out = {"cold": cold, "warm": warm}
    if "source_digest" in cold and "source_digest" in warm:
        # simcore is edited while the benchmark runs: a changed source makes the warm build a cold one
        out["same_simcore_source_cold_and_warm"] = cold["source_digest"] == warm["source_digest"]
    return out


# --- what a simcore worker reports about itself ---------------------------------------------
def source_digest() -> str:
    """A hash of simcore's Python sources (to tell whether two processes ran the same code)."""
    digest = hashlib.sha256()
    for folder in SIMCORE_FOLDERS:
        for path in sorted(Path(ROOT, folder).rglob("*.py")):
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def numba_threads() -> dict:
    """simcore's thread count and numba's (imports both: call it in a simcore worker only)."""
    import numba

    from simcore.backends.cpu import thread_count

    return {"simcore_thread_count": thread_count(), "numba_num_threads": numba.config.NUMBA_NUM_THREADS}


# --- Brian 2 ---------------------------------------------------------------------------------
def find_brian2_python(requested: str | None) -> str | None:
    """A Python that imports brian2: ``requested`` (--brian-python) if given, else this interpreter,
    else ``$BRIAN2_PYTHON``; None if none does."""
    candidates = [requested] if requested else [sys.executable, os.environ.get("BRIAN2_PYTHON")]
    for python in candidates:
        if python and subprocess.run([python, "-c", "import brian2"], capture_output=True).returncode == 0:
            return python
    return None


_PROBE_FILE = "bench_probe.txt"


def brian2_standalone(brian2, project: str, threads: int) -> None:
    """Select ``cpp_standalone`` in ``project`` (built by an explicit ``device.build``) with ``threads``
    OpenMP threads, and put probes into the binary's ``main``: its resident memory before
    ``brian_start()`` allocates anything, its peak at the very end (Linux /proc), and the marks of
    ``brian2_mark``; ``brian2_probe`` reads them after a run."""
    brian2.set_device("cpp_standalone", directory=project, build_on_run=False)
    brian2.prefs.devices.cpp_standalone.openmp_threads = threads
    brian2.prefs.logging.std_redirection = False
    brian2.prefs.codegen.cpp.headers = [*brian2.prefs.codegen.cpp.headers, "<chrono>"]
    device = brian2.get_device()
    # VmRSS / VmHWM of /proc/self/status: ru_maxrss would count the Python process the binary was forked from
    device.insert_code("before_start", f"""
std::ofstream _bench_probe((brian::results_dir + "{_PROBE_FILE}").c_str());
auto _bench_now = []() {{  // nanoseconds
    return (long long)std::chrono::duration_cast<std::chrono::nanoseconds>(
        std::chrono::steady_clock::now().time_since_epoch()).count(); }};
auto _bench_memory = [](const std::string field) {{
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line))
        if (line.compare(0, field.size(), field) == 0) return 1024L * std::stol(line.substr(field.size()));
    return -1L; }};
_bench_probe << "rss_before_start " << _bench_memory("VmRSS:") << std::endl;""")
    device.insert_code("after_end", '_bench_probe << "peak_rss " << _bench_memory("VmHWM:") << std::endl;\n'
                                    "_bench_probe.close();")


def brian2_mark(brian2, name: str) -> None:
    """Record the binary's clock at this point of the script (as ``name`` in ``brian2_probe``)."""
    brian2.get_device().insert_code("main", f'_bench_probe << "mark {name} " << _bench_now() << std::endl;')


def brian2_probe(brian2) -> dict:
    """What the probes of the last binary run wrote: ``rss_before_start``, ``peak_rss`` (bytes) and
    ``marks`` (name -> seconds on a monotonic clock)."""
    out: dict = {"marks": {}}
    with open(os.path.join(brian2.get_device().results_dir, _PROBE_FILE)) as stream:
        for line in stream:
            parts = line.split()
            if parts[0] == "mark":
                out["marks"][parts[1]] = int(parts[2]) * 1e-9
            else:
                out[parts[0]] = int(parts[1])
    return out


# --- the driver ------------------------------------------------------------------------------
def git_state() -> str | None:
    """HEAD and whether simcore's sources differ from it (the figures belong to that code)."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT,
                              check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", *SIMCORE_FOLDERS], capture_output=True,
                               text=True, cwd=ROOT, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None
    return head + (" + uncommitted changes" if dirty else "")


def print_results(results: dict) -> dict:
    """Prints a bench script's figures as JSON, with the code they belong to (``simcore_git_at_end``)."""
    results["simcore_git_at_end"] = git_state()
    print(json.dumps(results, indent=1))
    return results


def machine() -> dict:
    import numba

    return {"cpus": os.cpu_count(), "python": platform.python_version(), "numba": numba.__version__,
            "platform": platform.platform(), "loadavg_1min_at_start": os.getloadavg()[0]}


def progress(text: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)


def ratios(brian: dict, simcore: dict, pairs: dict[str, tuple[str, str]]) -> dict:
    """``brian2_over_simcore_<name>`` = ``brian[b] / simcore[s]`` for each ``name: (b, s)`` where both are
    numbers (> 1: simcore faster or smaller, except for rates such as events per second)."""
    out = {}
    for name, (b, s) in pairs.items():
        numerator, denominator = brian.get(b), simcore.get(s)
        if isinstance(numerator, int | float) and isinstance(denominator, int | float) and denominator:
            out[f"brian2_over_simcore_{name}"] = numerator / denominator
    return out
