"""Brian 2's "build once, run many" (``device.run(run_args=...)``) spread over a sweep's workers: ``device.sweep``.

With ``set_device(..., build_on_run=False)`` the device records the runs a script makes and each network's state
before the first. ``device.sweep`` packs that (the objects' definitions and states, the constants their code takes
from the namespace), the variables the runs set and the results they return into one payload, pickled once; each
worker of the sweep unpickles it once and, for each of its runs, goes back to the start state, sets the run's
values, repeats the recorded runs with the kernels it compiled (or loaded) for its first, and returns the results
as data. The payload is made in this process and travels only to the sweep's workers: nothing is read from a
file."""

from __future__ import annotations

import hashlib
import os
import pickle
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from simcore.backends.select import START_STATE, device_for
from simcore.errors import ModelTypeError, ModelValueError
from simcore.magic import MagicNetwork
from simcore.network import Network
from simcore.objects.base import scope_instances
from simcore.objects.monitor_base import Monitor
from simcore.objects.variable_views import VariableView
from simcore.parameter_sweep import require_sweep_extras, run_sweep
from simcore.seeding import current_seed
from simcore.sweep_results import SweepResult
from simcore.sweep_runs import plan_runs
from simcore.units import to_si, unit_name


class Recording:
    """What a worker needs to repeat the recorded runs: copies of the networks (their objects, the start state),
    the runs in order, the variables a run may set (by name: 'group.variable'), the results to return, and the
    arrays that runs set, by the label that stands for each in the sweep's table."""

    def __init__(self, networks: list[Network], runs: list[tuple[Network, Any, dict]],
                 variables: dict[str, VariableView], results: dict[str, Any], arrays: dict[str, Any]):
        self.networks, self.runs, self.variables, self.results = networks, runs, variables, results
        self.arrays = arrays

    def repeat(self, values: dict[str, Any], run_seed: int | None) -> dict[str, Any]:
        """The recorded runs from the start state with ``values`` set; random numbers from ``run_seed``, or as
        at the start when it is None."""
        settings = [(self.variables[name], self.arrays.get(value, value) if isinstance(value, str) else value)
                    for name, value in values.items()]
        # the device that recorded them, when the worker is a thread of the script's process: while it repeats,
        # it neither records these runs nor refuses their values
        device_for(self.networks[0].device).repeat(self.networks, settings, self.runs, run_seed)
        return {name: _result(entry) for name, entry in self.results.items()}


def _result(entry: Any) -> Any:
    if isinstance(entry, VariableView):
        return entry[:]
    return entry() if callable(entry) and not isinstance(entry, Monitor) else entry


_unpacked: dict[str, Recording] = {}  # in a worker: the recordings it has unpickled, by their payload's digest


class Replay:
    """The model function of a device's sweep: ``Replay(...)(**values)`` repeats the recorded runs in the worker's
    process with those values. It holds the pickled recording, unpickled once per process. Its networks hold
    their objects: no fresh scope is needed (in a worker thread of the script, one would empty the script's)."""

    fresh_scope = False

    def __init__(self, payload: bytes, seeded: bool, name: str):
        self.payload, self.seeded, self.name = payload, seeded, name
        self.digest = hashlib.sha256(payload).hexdigest()

    def __call__(self, **values: Any) -> dict[str, Any]:
        recording = _unpacked.get(self.digest)
        if recording is None:
            recording = _unpacked[self.digest] = pickle.loads(self.payload)  # made by sweep_recorded, sent by the sweep
        return recording.repeat(values, current_seed() if self.seeded else None)


def sweep_recorded(device, recorded: list, started: list[Network], run_args: Any, results: Any, *, client: Any = None,
                   seeds: int | Iterable[int] | None = None, trials: int = 1, output: str | os.PathLike | None = None,
                   progress: bool = True, workers: int | None = None, threads: int | None = 1) -> SweepResult:
    """``device.sweep``'s work: the recording packed, the runs planned and run on the sweep's machinery."""
    require_sweep_extras()
    import cloudpickle  # Dask's: it pickles the script's functions (results=) by value

    if not recorded:
        raise ModelValueError("device.sweep() repeats the runs made after set_device(..., build_on_run=False); there "
                              "are none")
    variables, sets, arrays = _run_arguments(run_args)
    copies, index = _network_copies(device.name, started)
    runs = []
    for network, duration, options in recorded:
        if options.get("output") is not None or options.get("checkpoint") is not None:
            raise ModelValueError("device.sweep() cannot repeat a run that writes to a file (output= or checkpoint=):"
                                  " every worker would write the same file; return the monitors as results instead")
        copy = copies[index[id(network)]]
        runs.append((copy, duration, _worker_options(options, copy)))
    chosen = _chosen_results(results, copies)
    payload = cloudpickle.dumps(Recording(copies, runs, variables, chosen, arrays))
    names = ", ".join(sorted(obj.name for copy in copies for obj in copy.objects))
    replay = Replay(payload, seeds is not None, f"device.sweep({names})")
    return run_sweep(replay, plan_runs(sets, seeds, trials, keywords=False), replay.name, client=client, output=output,
                     progress=progress, workers=workers, threads=threads)


def _run_arguments(run_args: Any) -> tuple[dict[str, VariableView], Any, dict[str, Any]]:
    """The variables the runs set, by name ('group.variable'), ``run_args`` keyed by those names, and the arrays
    among its values by the labels that replace them: a list of ``{G.tau: value}`` dicts (a value may be an array,
    one per element, as in Brian 2's run_args), or a dict of lists ``{G.tau: [...], G.I: [...]}`` (every
    combination of single values)."""
    if isinstance(run_args, dict):
        names, views = _names(run_args)
        return views, dict(zip(names, run_args.values(), strict=True)), {}
    if isinstance(run_args, list | tuple) and run_args and all(isinstance(entry, dict) for entry in run_args):
        views, sets, arrays = {}, [], {}
        for entry in run_args:
            names, found = _names(entry)
            views.update(found)
            sets.append({name: _labelled(value, arrays) for name, value in zip(names, entry.values(), strict=True)})
        return views, sets, arrays
    raise ModelTypeError("device.sweep() takes run_args as a list of {G.x: value} dicts or a dict of lists "
                         f"{{G.x: [values]}} (every combination), not {type(run_args).__name__}")


def _labelled(value: Any, arrays: dict[str, Any]) -> Any:
    """A single value as it is; an array as a label that names its size, unit and contents (what the table shows,
    and what identifies the run in a file), the array kept in ``arrays`` under it."""
    if isinstance(value, str) or np.ndim(value) == 0:
        return value
    magnitude, dimension = to_si(value)
    magnitude = np.ascontiguousarray(magnitude)
    digest = hashlib.sha256(magnitude.tobytes() + str(magnitude.dtype).encode()).hexdigest()[:16]
    label = f"array of {magnitude.size} values in {unit_name(dimension)}, sha256 {digest}"
    arrays[label] = value
    return label


def _view_name(view: VariableView) -> str:
    """A variable's name in a sweep's table: 'group.variable'."""
    return f"{view.group.name}.{view.name}"


def _names(entry: dict) -> tuple[list[str], dict[str, VariableView]]:
    names, views = [], {}
    for view in entry:
        if not isinstance(view, VariableView):
            raise ModelTypeError(f"run_args maps variables such as G.tau to values, not {view!r}")
        name = _view_name(view)
        names.append(name)
        views[name] = view
    return names, views


def _network_copies(device_name: str, started: list[Network]) -> tuple[list[Network], dict[int, int]]:
    """A plain Network for each started one, with its objects (the magic network's: those it would run now),
    its start state only, and the device it ran on."""
    copies, index = [], {}
    for network in started:
        objects = scope_instances() if isinstance(network, MagicNetwork) else list(network.objects)
        copy = Network(*objects, name=network.name, device=device_name)
        copy._stored = {START_STATE: network._stored[START_STATE]}
        index[id(network)] = len(copies)
        copies.append(copy)
    return copies, index


def _worker_options(options: dict, network: Network) -> dict:
    """A recorded run's options for a worker: no report, and of the namespace only the names the objects use
    (the script's whole namespace holds modules, files and clients that neither travel nor matter)."""
    used = set().union(*(obj.external_names() for obj in network.objects if hasattr(obj, "external_names")))
    namespace = options.get("namespace") or {}
    return {**options, "report": None, "namespace": {name: namespace[name] for name in used if name in namespace}}


def _chosen_results(results: Any, copies: list[Network]) -> dict[str, Any]:
    """What each run returns, by name: ``results`` a dict of monitors, variables (``G.v``) and functions of no
    arguments, one monitor or a list of them (by their names), or None (every monitor of the networks)."""
    if results is None:
        return {obj.name: obj for copy in copies for obj in copy.objects if isinstance(obj, Monitor)}
    if isinstance(results, Monitor | VariableView):
        results = [results]
    if isinstance(results, list | tuple):
        return {(_view_name(entry) if isinstance(entry, VariableView) else entry.name): entry
                for entry in _checked(results)}
    if isinstance(results, dict):
        _checked(list(results.values()))
        return dict(results)
    raise ModelTypeError("device.sweep(results=...) takes monitors, variables such as G.v, functions of no arguments "
                         f"(in a dict by name or a list), not {type(results).__name__}")


def _checked(entries: list) -> list:
    for entry in entries:
        if not isinstance(entry, Monitor | VariableView | Callable) or isinstance(entry, type):
            raise ModelTypeError(f"device.sweep(results=...): {entry!r} is not a monitor, a variable (G.v) or a "
                                 "function of no arguments")
    return entries
