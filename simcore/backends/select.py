"""Which device runs a network: ``set_device()`` for every network, ``Network(..., device=...)`` for one."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager

from simcore.errors import BackendError

DEVICES = ("cpu", "cuda")
# Brian 2's device names, so that its scripts run unchanged: simcore compiles every run itself
ALIASES = {"runtime": "cpu", "cpp_standalone": "cpu", "cuda_standalone": "cuda", "genn": "cuda"}
_state: dict[str, str | None] = {"device": "cpu", "building": None}


def device_name(name: str) -> str:
    """``name`` or its Brian 2 alias as one of DEVICES; BackendError for anything else."""
    if not isinstance(name, str) or ALIASES.get(name, name) not in DEVICES:
        known = ", ".join(repr(d) for d in (*DEVICES, *ALIASES))
        raise BackendError(f"unknown device {name!r}; simcore's devices are {known}")
    return ALIASES.get(name, name)


def set_device(name: str, **options) -> None:
    """Run every network on ``name``: 'cpu' (default) or 'cuda' (an NVIDIA GPU through numba-cuda).
    Brian 2's 'runtime' and 'cpp_standalone' mean 'cpu', 'cuda_standalone' and 'genn' mean 'cuda'; their
    options (``directory``, ``build_on_run``, ...) have no use here and are reported, not applied."""
    chosen = device_name(name)
    _no_effect(f"set_device({name!r})", options)
    if name != chosen:
        warnings.warn(f"set_device({name!r}): simcore runs this as its '{chosen}' device", stacklevel=2)
    _state["device"] = chosen


def _no_effect(call: str, options: dict) -> None:
    if options:
        warnings.warn(f"{call}: simcore compiles and runs each run() itself; the options {sorted(options)} have "
                      "no effect", stacklevel=3)


def get_device() -> str:
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
    return _state["building"] or _state["device"]


class StandaloneDevice:
    """Brian 2's ``device`` for standalone scripts (``set_device('cpp_standalone', build_on_run=False)``, then
    ``run()``s, then ``device.build()``): simcore compiles and runs at each ``run()``, so the results are there
    before ``build()``, which has nothing left to do; ``reinit()`` and ``activate()`` have nothing to reset
    (``start_scope()`` starts a new model)."""

    def build(self, **options) -> None:
        _no_effect("device.build()", options)

    def reinit(self) -> None:
        """Nothing to reset."""

    def activate(self, **options) -> None:
        """Nothing to switch on: ``set_device`` chose the device."""
        _no_effect("device.activate()", options)

    def __repr__(self) -> str:
        return f"<simcore device: {get_device()}>"


device = StandaloneDevice()


def backend_for(name: str):
    """A backend object for device ``name``."""
    if device_name(name) == "cuda":
        from simcore.backends.cuda import CudaBackend

        return CudaBackend()
    from simcore.backends.cpu import CpuBackend

    return CpuBackend()
