"""``sweep()``: many runs of one model function, with different parameters, seeds or trials, on the processes of a
Dask cluster: a local one sized to the machine by default, or any cluster through its ``distributed.Client``.

The first run to do goes alone: the kernels it compiles are in the cache folder when the others start, so
workers that share that folder (those of one machine, or of a cluster with a shared file system) load them
instead of each compiling them; a worker without it compiles once. Results come back as they finish, in any
order, and are put back in the sweep's order; with ``output=`` each is written to an HDF5 file as it comes,
and the same sweep given the same file again runs only what the file lacks."""

from __future__ import annotations

import logging
import os
import warnings
from collections.abc import Callable, Iterable
from typing import Any

from simcore.extras import optional_module
from simcore.output.sweep_file import SweepFile
from simcore.sweep_results import SweepResult, collect
from simcore.sweep_runs import Outcome, RunSpec, module_constants, plan_runs, run_one


def sweep(model: Callable[..., Any], params: Any, *, client: Any = None, seeds: int | Iterable[int] | None = None,
          trials: int = 1, output: str | os.PathLike | None = None, progress: bool = True,
          workers: int | None = None, threads: int | None = 1) -> SweepResult:
    """Run ``model(**parameters)`` for every parameter set of ``params`` (a list of dicts, a dict of lists for
    every combination, or a pandas DataFrame), ``trials`` times each, and gather what the runs return.

    ``model`` builds a network from its keyword arguments, runs it, and returns numbers, quantities, arrays or
    monitors (one, or a dict of them by name): they come back in SI units, with the units in the result.
    ``seeds``: a whole number from which every run's seed derives (the same sweep gives the same results
    however many workers run it, in whatever order they finish), one seed per run, or None (runs unseeded).
    ``client``: a ``distributed.Client`` whose cluster runs the sweep, unchanged; without one, a local cluster
    of ``workers`` processes (default: one per core) runs it and is closed after. ``threads``: the threads of
    each run (``SIMCORE_NUM_THREADS`` in its worker; None: as the worker has it); one thread per run on one
    worker per core keeps every core busy without two runs competing for one. ``output``: an HDF5 file that
    gets each finished run as it comes; an interrupted sweep (Ctrl+C, a killed worker) keeps what finished,
    and the same call again skips the runs the file has (a run that failed there is tried again).
    ``progress``: a progress bar (terminal or notebook) with the runs done and failed.

    A run that raises does not stop the others: its parameters and error are in ``result.failed``."""
    name = f"{getattr(model, '__module__', '?')}.{getattr(model, '__qualname__', repr(model))}"
    return run_sweep(model, plan_runs(params, seeds, trials), name, client=client, output=output, progress=progress,
                     workers=workers, threads=threads)


def run_sweep(model: Callable[..., Any], runs: list[RunSpec], name: str, *, client: Any, output, progress: bool,
              workers: int | None, threads: int | None) -> SweepResult:
    """The planned ``runs`` of ``model`` (called ``name`` in the output file) on the cluster, skipping those the
    file has; their results gathered in the sweep's order."""
    require_sweep_extras()
    stored = SweepFile(output, name) if output is not None else None
    outcomes = _finished(stored, runs) if stored is not None else {}
    todo = [spec for spec in runs if spec.number not in outcomes]
    if todo:
        _execute(model, todo, outcomes, stored, client, workers, threads, progress, len(runs))
    return collect(runs, outcomes)


def require_sweep_extras() -> None:
    """Fail before any run, not after them all, when Dask or pandas (the results' table) is missing."""
    optional_module("pandas", "sweep()", "sweep")
    optional_module("distributed", "sweep()", "sweep")


def _finished(stored: SweepFile, runs: list[RunSpec]) -> dict[int, Outcome]:
    """The runs of this sweep that the file has, without error, by run number."""
    records = stored.finished()
    found = {}
    for spec in runs:
        record = records.get(spec.key)
        if record is not None and record["error"] is None:
            found[spec.number] = Outcome(record["results"], None, record["details"], record["seconds"], 0,
                                         record["worker"])
    return found


def _execute(model, todo: list[RunSpec], outcomes: dict[int, Outcome], stored: SweepFile | None, client,
             workers: int | None, threads: int | None, progress: bool, total: int) -> None:
    """Run ``todo`` on the cluster, adding each outcome to ``outcomes`` (and the file) as it comes."""
    from distributed import as_completed
    from tqdm.auto import tqdm

    own = _local_cluster(workers) if client is None else None
    client = own[0] if own else client
    bar = tqdm(total=total, initial=total - len(todo), desc="sweep", unit="run", disable=not progress)
    futures: dict = {}
    failed = 0
    try:
        def finish(spec: RunSpec, future) -> None:
            nonlocal failed
            try:
                outcome = future.result()
            except Exception as error:  # the task itself failed: its worker died (KilledWorker), say
                outcome = Outcome(error=f"{type(error).__name__}: {error}")
            outcomes[spec.number] = outcome
            if stored is not None:
                stored.append(spec.key, spec.number, outcome)
            failed += outcome.error is not None
            bar.set_postfix(failed=failed, refresh=False)
            bar.update(1)

        constants = module_constants(model)
        first, rest = todo[0], todo[1:]  # alone: the others then load the kernels it compiled
        futures[client.submit(run_one, model, first.params, first.seed, threads, constants, pure=False)] = first
        finish(first, next(iter(futures)))
        futures = {client.submit(run_one, model, spec.params, spec.seed, threads, constants, pure=False): spec
                   for spec in rest}
        for future in as_completed(futures):
            finish(futures.pop(future), future)
    except KeyboardInterrupt:
        kept = f"; they are in {stored.path}, and the same call goes on from there" if stored is not None else ""
        warnings.warn(f"sweep interrupted: {len(outcomes)} of {total} runs finished, their results are returned"
                      f"{kept}", stacklevel=3)
    finally:
        bar.close()
        if futures:
            client.cancel(list(futures))
        if own:
            own[0].close()
            own[1].close()


def _local_cluster(workers: int | None):
    """A client and its local cluster: ``workers`` processes (one per core by default) of one thread each."""
    from distributed import Client, LocalCluster

    cluster = LocalCluster(n_workers=workers or os.cpu_count() or 1, threads_per_worker=1, processes=True,
                           dashboard_address=":0", silence_logs=logging.ERROR)  # a free port; quiet cancels
    return Client(cluster), cluster
