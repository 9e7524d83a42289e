"""The runs of a parameter sweep (``parameter_sweep``): which runs a sweep makes, and one run in a worker's process.

A run is ``model(**parameters)`` in a fresh scope, after ``seed()`` with the run's own seed. What it returns
(a dict of numbers, arrays, quantities and monitors, or one such value) becomes plain values in SI units with
their unit names, so that results travel between processes and into files as data. A run that raises is
recorded with its parameters and its error; the others go on. Runs that differ only in constants and initial
values use the same compiled kernels: the first run goes alone, so that the workers, which share the kernel
cache folder on one machine, load what it compiled instead of compiling it each."""

from __future__ import annotations

import gc
import hashlib
import itertools
import json
import os
import time
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from numbers import Number
from typing import Any

import numpy as np

from simcore.backends.cache import compilations
from simcore.errors import ModelTypeError, ModelValueError
from simcore.objects.base import start_scope
from simcore.objects.monitor_base import Monitor
from simcore.seeding import seed as set_seed
from simcore.units import Quantity, Unit, unit_name
from simcore.units.helpers import to_si

#: results and parameters as data: name -> (value in SI units, unit name; '1' for plain numbers and text)
Values = dict[str, tuple[Any, str]]


@dataclass(frozen=True)
class RunSpec:
    """One run of a sweep: its place in the sweep, its parameters (as given), its trial and seed, and ``key``,
    what identifies it in a file of results (its parameters in SI units, trial and seed)."""

    number: int
    params: dict[str, Any]
    trial: int
    seed: int | None
    key: str


@dataclass
class Outcome:
    """What a run gave: its results (``Values``), or its error (type and message) and traceback; its wall time,
    the kernels its process compiled for it, and that process."""

    results: Values = field(default_factory=dict)
    error: str | None = None
    details: str = ""
    seconds: float = 0.0
    compiled: int = 0
    worker: str = ""


def parameter_sets(params: Any, keywords: bool = True) -> list[dict[str, Any]]:
    """The parameter sets of ``params``: a list of dicts (as they are), a dict of lists (every combination, the
    first name varying slowest), or a pandas DataFrame (its rows). ``keywords``: the names are a model function's
    keyword arguments (Python names); otherwise any text ('group.variable')."""
    if hasattr(params, "to_dict") and hasattr(params, "columns"):  # a DataFrame
        sets = [dict(row) for row in params.to_dict("records")]
    elif isinstance(params, dict):
        values = [list(value) if _is_sequence(value) else [value] for value in params.values()]
        sets = [dict(zip(params, combination, strict=True)) for combination in itertools.product(*values)]
    elif isinstance(params, list | tuple) and all(isinstance(entry, dict) for entry in params):
        sets = [dict(entry) for entry in params]
    else:
        raise ModelTypeError(f"sweep() takes the parameters as a list of dicts, a dict of lists (a grid) or a pandas "
                             f"DataFrame, not {type(params).__name__}")
    for entry in sets:
        for name in entry:
            if not isinstance(name, str) or (keywords and not name.isidentifier()):
                raise ModelValueError(f"sweep(): the parameter name {name!r} is not a Python name; the model "
                                      "function receives the parameters as keyword arguments")
    return sets


def _is_sequence(value: Any) -> bool:
    return not isinstance(value, str | bytes) and np.ndim(value) >= 1


def plain_value(value: Any, what: str) -> tuple[Any, str]:
    """``value`` as data, with its unit's name: a string, a bool, an integer or an integer array as it is, a
    number, quantity or array of them in SI units (floats)."""
    if isinstance(value, str | bool | np.bool_ | int | np.integer):
        return (value.item() if isinstance(value, np.generic) else value), "1"
    if isinstance(value, np.ndarray) and not np.issubdtype(value.dtype, np.floating):
        return value, "1"
    try:
        magnitude, dimension = to_si(value)
    except Exception as error:
        raise ModelTypeError(f"{what} is a {type(value).__name__}; a sweep keeps numbers, quantities, arrays of "
                             "them, strings and monitors") from error
    return magnitude, unit_name(dimension)


def plain_results(value: Any) -> Values:
    """A run's return value as ``Values``: a dict by its keys (a monitor gives ``<key>.<record>`` for each of
    its records: a SpikeMonitor's ``i``, ``t`` and ``count``, a StateMonitor's ``t`` and traces, as ``mon.v_``),
    anything else as ``result``."""
    entries = value if isinstance(value, dict) else {"result": value}
    results: Values = {}
    for key, entry in entries.items():
        if not isinstance(key, str):
            raise ModelTypeError(f"the model function returned a dict with the key {key!r}; use strings")
        if isinstance(entry, Monitor):
            for name, record in entry.get_states(units=False).items():
                if name != "N":  # a StateMonitor's traces one row per element, as ``mon.v_`` gives them
                    record = np.asarray(record)
                    results[f"{key}.{name}"] = (record.T if record.ndim == 2 else record), entry._unit(name)
        else:
            results[key] = plain_value(entry, f"the result {key!r}")
    return results


def parameter_values(params: dict[str, Any]) -> Values:
    """A run's parameters as data (each a number, a quantity or a string)."""
    values = {}
    for name, value in params.items():
        if _is_sequence(value):
            raise ModelTypeError(f"the parameter {name!r} is an array; a sweep's parameters are single numbers, "
                                 "quantities or strings (give arrays as a list of parameter sets)")
        values[name] = plain_value(value, f"the parameter {name!r}")
    return values


def _json_number(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


def run_key(params: dict[str, Any], trial: int, seed: int | None) -> str:
    """What identifies a run (its parameters in SI units with their units, trial and seed) as canonical text."""
    plain = {name: [_json_number(value), unit] for name, (value, unit) in parameter_values(params).items()}
    return json.dumps({"params": plain, "trial": trial, "seed": seed}, sort_keys=True)


def plan_runs(params: Any, seeds: int | Iterable[int] | None, trials: int, keywords: bool = True) -> list[RunSpec]:
    """Every run of a sweep, in order: each parameter set ``trials`` times. ``seeds``: None (runs are not
    seeded), a whole number (each run's seed derives from it, its parameters and its trial, so that a run
    keeps its seed whatever else the sweep holds), or one seed per run."""
    if isinstance(trials, bool) or not isinstance(trials, int | np.integer) or trials < 1:
        raise ModelValueError(f"sweep(): trials must be a whole number >= 1, not {trials!r}")
    combos = [(params_set, trial) for params_set in parameter_sets(params, keywords) for trial in range(int(trials))]
    if seeds is None or isinstance(seeds, int | np.integer):
        chosen = [None if seeds is None else _derived_seed(int(seeds), run_key(p, t, None)) for p, t in combos]
    else:
        chosen = [int(value) for value in seeds]
        if len(chosen) != len(combos):
            raise ModelValueError(f"sweep(): {len(chosen)} seeds for {len(combos)} runs; give one per run, or one "
                                  "whole number from which each run's seed derives")
    return [RunSpec(number, p, t, s, run_key(p, t, s)) for number, ((p, t), s) in enumerate(zip(combos, chosen,
                                                                                                 strict=True))]


def _derived_seed(base: int, key: str) -> int:
    return int.from_bytes(hashlib.sha256(f"{base}|{key}".encode()).digest()[:8], "little")


def module_constants(model: Callable[..., Any]) -> dict[str, Any]:
    """The numbers, quantities, units and arrays defined where ``model`` was (its module's globals): a model
    from a script or a notebook travels to the workers by value with only the globals its own code names,
    not those its equation strings name (``tau`` in ``'dv/dt = -v/tau : volt'``), which a run looks up there."""
    return {name: value for name, value in getattr(model, "__globals__", {}).items()
            if not name.startswith("_") and isinstance(value, Number | np.ndarray | np.generic | Quantity | Unit)}


_runs_in_process = [0]


def _freeze_after_first_run() -> None:
    """Before a worker's second run: what its first left alive (compiled kernels, the memos of the plan's sympy
    work; its network is garbage by then, and collected) moves out of the garbage collector's way, as
    ``import simcore`` does with the libraries. ``run()`` collects garbage (to find the objects of its scope);
    in a worker that walk cost 15-20 ms a run, more than a small run itself (measured: 21 -> 6 ms)."""
    _runs_in_process[0] += 1
    if _runs_in_process[0] == 2:
        gc.collect()
        gc.freeze()


def run_one(model: Callable[..., Any], params: dict[str, Any], seed: int | None, threads: int | None,
            constants: dict[str, Any] | None = None) -> Outcome:
    """One run, in the worker's process: a fresh scope, the seed, the model (with ``constants`` among its
    globals where it lacks them), its results as data. A failure is part of the outcome, not an exception
    (the sweep goes on)."""
    if threads is not None:
        os.environ["SIMCORE_NUM_THREADS"] = str(threads)
    _freeze_after_first_run()
    namespace = getattr(model, "__globals__", None)
    if namespace is not None:
        for name, value in (constants or {}).items():
            namespace.setdefault(name, value)
    before, began = compilations(), time.perf_counter()
    outcome = Outcome(worker=f"{os.uname().nodename}:{os.getpid()}")
    try:
        if getattr(model, "fresh_scope", True):  # a model function's objects are its run's alone
            start_scope()
        if seed is not None:
            set_seed(seed)
        outcome.results = plain_results(model(**params))
        clashes = sorted(set(outcome.results) & set(params))
        if clashes:
            raise ModelValueError(f"the model function returned {clashes[0]!r}, which is also the name of a "
                                  "parameter; rename the result")
    except Exception as error:
        outcome.results, outcome.error = {}, f"{type(error).__name__}: {error}"
        outcome.details = traceback.format_exc()
    outcome.seconds = time.perf_counter() - began
    outcome.compiled = compilations() - before
    return outcome
