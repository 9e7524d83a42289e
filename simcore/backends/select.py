"""Which device runs a network: ``set_device()`` for every network, ``Network(..., device=...)`` for one."""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import numpy as np

from simcore.errors import BackendError, ModelNotImplementedError, ModelTypeError, ModelValueError
from simcore.objects.base import before_assignment

if TYPE_CHECKING:
    from simcore.connect.request import ConnectRequest
    from simcore.sweep_results import SweepResult

DEVICES = ("cpu", "cuda")
# Brian 2's device names, so that its scripts run unchanged: simcore compiles every run itself
ALIASES = {"runtime": "cpu", "cpp_standalone": "cpu", "cuda_standalone": "cuda", "genn": "cuda"}


def device_name(name) -> str:
    """``name`` (a name, a Brian 2 alias or a Device) as one of DEVICES; BackendError for anything else."""
    if isinstance(name, Device):
        return name.name
    if not isinstance(name, str) or ALIASES.get(name, name) not in DEVICES:
        known = ", ".join(repr(d) for d in (*DEVICES, *ALIASES))
        raise BackendError(f"unknown device {name!r}; simcore's devices are {known}")
    return ALIASES.get(name, name)


class Device:
    """A device as Brian 2 scripts see it (``get_device()``, ``device.build()``, ``device.run(run_args=...)``).

    simcore compiles and runs at each ``run()``, so results are there before ``build()``, which has
    nothing left to do. With ``build_on_run=False``, as Brian 2's standalone device, a ``run()`` is recorded
    (with each network's state before its first) and runs later: ``device.build()`` runs the recorded runs
    (``run=False``: not yet), ``device.run(run_args={G.tau: 5*ms})`` goes back to the state before them, sets
    the given values and runs them with the kernels compiled once (Brian 2's "build once, run many"). A value
    set in Python once runs are recorded would not be part of them: it is refused (set it before the first
    ``run()``, or give it as run_args). A Device equals its name: ``get_device() == 'cpu'``.
    """

    def __init__(self, name: str):
        self.name = name
        self.reinit()

    def reinit(self) -> None:
        """Forget options and recorded runs (a fresh device, as after Brian 2's ``reinit_devices()``)."""
        self.build_on_run = True
        self.build_options: dict = {}
        self.has_been_run = False
        self._runs: list = []
        self._started: list = []
        self._replaying = False

    def activate(self, build_on_run: bool = True, **options) -> None:
        self.build_on_run = bool(build_on_run)
        self.build_options = dict(options)

    def note_run(self, network, duration, options: dict) -> bool:
        """Called by ``Network.run`` before it runs. With ``build_on_run=False`` the run is recorded, and the
        network's state before its first, and True says that it runs later (at ``build()`` or ``run()``)."""
        if self.build_on_run or self._replaying:
            return False
        if network not in self._started:
            network.store(START_STATE)
            self._started.append(network)
        self._runs.append((network, duration, options))
        return True

    def check_settable(self, what: str) -> None:
        """A value set in Python between recorded runs would not be repeated by ``device.run()``: refused."""
        if self._runs and not self._replaying:
            raise ModelNotImplementedError(
                f"cannot set {what}: with set_device(..., build_on_run=False) the runs are recorded, and a value set "
                "in Python after the first run() would not be part of them; set it before the first run(), or give "
                "it to device.run(run_args={...})")

    def build(self, run: bool = True, **options) -> None:
        """Run the recorded runs (``run=False``: not yet; ``device.run()`` runs them). Brian 2's other options
        (``directory``, ``compile``, ...) are reported, not applied: simcore compiles at each run."""
        _no_effect("device.build()", options)
        if run and self._runs:
            self.run()
        self.has_been_run = self.has_been_run or bool(run)

    def run(self, run_args: dict | None = None, **options) -> None:
        """Run the recorded runs again from the state before the first, with ``run_args`` ({G.x: value})
        set first; random numbers repeat unless ``seed()`` changes in between."""
        from simcore.objects.variable_views import VariableView  # objects import this module
        from simcore.seeding import current_seed

        _no_effect("device.run()", options)
        if not self._runs:
            raise ModelValueError("device.run() repeats the runs made after set_device(..., build_on_run=False); "
                                  "there are none")
        values = dict(run_args or {})
        for view in values:
            if not isinstance(view, VariableView):
                raise ModelTypeError(f"run_args maps variables such as G.tau to values, not {view!r}")
        # a seed() since the last run holds; otherwise the start's random numbers repeat
        self.repeat(self._started, values.items(), self._runs, current_seed())
        self.has_been_run = True

    def repeat(self, networks: list, settings: Iterable[tuple[Any, Any]], runs: Iterable[tuple[Any, Any, dict]],
               run_seed: int | None) -> None:
        """Run ``runs`` (network, duration, options) again from each of ``networks``' state before its first
        recorded run, with ``settings`` ((G.x, value)) set first and random numbers from ``run_seed`` (None: as
        stored). Meanwhile runs are not recorded and values may be set. ``device.run`` and the workers of
        ``device.sweep`` (``simcore.device_sweep``) repeat recorded runs this way."""
        from simcore.seeding import seed

        self._replaying = True
        try:
            for network in networks:
                network.restore(START_STATE, restore_random_state=True)
            if run_seed is not None:
                seed(run_seed)
            for view, value in settings:
                view[:] = value
            for network, duration, options in runs:
                network.run(duration, **options)
        finally:
            self._replaying = False

    def sweep(self, run_args: Any, results: Any = None, **options) -> SweepResult:
        """``device.run(run_args=...)`` for many sets of values at once, on the processes of a Dask cluster: each
        set of ``run_args`` (a list of ``{G.tau: value}`` dicts, whose values may be arrays of one value per
        element, or ``{G.tau: [values], ...}`` for every combination) repeats the recorded runs from the start
        state in a worker, which compiles (or loads) the kernels once for all its runs.
        ``results``: what each run returns (monitors, variables such as ``G.v``,
        functions of no arguments defined in the script; a dict by name or a list), by default every monitor.
        The other options are ``sweep()``'s (``client``, ``seeds``, ``trials``, ``output``, ``progress``,
        ``workers``, ``threads``); without ``seeds`` every run repeats the start's random numbers, as
        ``device.run`` does. Returns a SweepResult whose parameters are named 'group.variable'."""
        from simcore.device_sweep import sweep_recorded  # the sweep's machinery imports the objects

        return sweep_recorded(self, self._runs, self._started, run_args, results, **options)

    def connect_pairs(self, request: ConnectRequest, values: Mapping[str, np.ndarray | float], seed: int, stream: int,
                      reserve: Callable[[int], None] | None = None) -> tuple[np.ndarray, np.ndarray]:
        """The (i, j) of the synapses that ``request`` asks for, made now by this device:
        its kernel is compiled and run at once (Brian 2's ``connect()`` creates the synapses before any run)."""
        from simcore.backends.cache import load_module
        from simcore.codegen.connect import connect_pairs

        return connect_pairs(request, values, seed, stream, load_module, reserve=reserve, device=self.name)

    def __eq__(self, other) -> bool:
        if isinstance(other, Device):
            return other is self
        return isinstance(other, str) and ALIASES.get(other, other) == self.name

    def __hash__(self) -> int:
        return hash(self.name)

    def __repr__(self) -> str:
        return f"<simcore device {self.name!r}>"


#: the name under which a device keeps each network's state before its first recorded run
START_STATE = "__device_start__"
_devices = {name: Device(name) for name in DEVICES}


def _refuse_values_between_recorded_runs(what: str) -> None:
    get_device().check_settable(what)


before_assignment.append(_refuse_values_between_recorded_runs)
_state: dict = {"device": _devices["cpu"], "building": None, "previous": []}


def set_device(name: str | Device, build_on_run: bool = True, **options) -> None:
    """Run every network on ``name``: 'cpu' (default) or 'cuda' (an NVIDIA GPU through numba-cuda).
    Brian 2's 'runtime' and 'cpp_standalone' mean 'cpu', 'cuda_standalone' and 'genn' mean 'cuda'.
    ``build_on_run=False`` lets ``device.run(run_args=...)`` repeat the runs; other options (``directory``,
    ...) have no use here: they are reported and kept in ``device.build_options``."""
    chosen = name if isinstance(name, Device) else _devices[device_name(name)]
    if isinstance(name, str) and name != chosen.name:
        warnings.warn(f"set_device({name!r}): simcore runs this as its '{chosen.name}' device", stacklevel=2)
    _no_effect(f"set_device({name!r})", options)
    _state["previous"].append(_state["device"])
    chosen.activate(build_on_run, **options)
    _state["device"] = chosen


def reset_device(device: str | Device | None = None) -> None:
    """Go back to the device before the last ``set_device`` (the CPU when there is none), or to ``device``."""
    if device is None:
        _state["device"] = _state["previous"].pop() if _state["previous"] else _devices["cpu"]
    else:
        _state["device"] = device if isinstance(device, Device) else _devices[device_name(device)]


def reinit_devices() -> None:
    """Every device as new: options and recorded runs forgotten (``start_scope()`` starts a new model)."""
    for each in _devices.values():
        each.reinit()


def _no_effect(call: str, options: dict) -> None:
    if options:
        warnings.warn(f"{call}: simcore compiles and runs each run() itself; the options {sorted(options)} have "
                      "no effect", stacklevel=3)


def device_for(name: str | Device | None) -> Device:
    """The Device of a network's ``device=`` choice (None: the current device)."""
    return get_device() if name is None else _devices[device_name(name)]


def get_device() -> Device:
    """The device of networks that do not name one."""
    return _state["device"]


@contextmanager
def building_for(name: str) -> Iterator[None]:
    """While a network's operations are made for device ``name`` (objects ask ``building_device()``)."""
    previous = _state["building"]
    _state["building"] = name
    try:
        yield
    finally:
        _state["building"] = previous


def building_device() -> str:
    """The device the operations being made are for (the global device outside a build)."""
    return _state["building"] or _state["device"].name


def thread_blocks(race_free: bool, synapses: int, dt: float) -> int:
    """How many target blocks a pathway's synapses are split into, to run them in parallel on the device
    being built: one per CPU thread when its code writes only its synapse's variables and its own target's
    (``race_free``) and the pathway is large enough to pay for a parallel loop (or SIMCORE_PARALLEL=always);
    one on the GPU, which parallelises otherwise."""
    from simcore.backends.cpu import parallel_mode, thread_count

    threads, mode = thread_count(), parallel_mode()
    if threads == 1 or mode == "never" or building_device() != "cpu" or not race_free:
        return 1
    # expected events per step at 10 Hz: a parallel loop costs about 13 us per step (FINDINGS)
    large = synapses * dt * 10 >= 20_000
    return threads if mode == "always" or large else 1


class _CurrentDevice:
    """``device``: whatever device is current (Brian 2's device proxy), so ``device.build()`` follows
    ``set_device``."""

    def __getattr__(self, name: str):
        return getattr(get_device(), name)

    def __setattr__(self, name: str, value) -> None:
        setattr(get_device(), name, value)

    def __repr__(self) -> str:
        return repr(get_device())


device = _CurrentDevice()


def backend_for(name: str):
    """A backend object for device ``name``."""
    if device_name(name) == "cuda":
        from simcore.backends.cuda import CudaBackend

        return CudaBackend()
    from simcore.backends.cpu import CpuBackend

    return CpuBackend()
