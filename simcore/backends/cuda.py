"""The cuda backend: the network's arrays on an NVIDIA GPU, kernels compiled by numba.cuda, launched
step after step by a host loop (``simcore.codegen.cuda_module``).

Arrays go to the device when a run starts and stay there; each chunk copies back at its end the ones
kernels write, so that monitors, ``G.v`` and Python network operations (which run between chunks) see the
current state (connectivity and other tables, which only the host changes, are not copied back).
A chunk uploads the arrays again only after the host changed them: all of them after Python network
operations, the buffers only after monitors' buffers grew or were flushed to a file (the network says
which: ``host_changed``); every new run starts from the host's values.
"""

from __future__ import annotations

import os
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np

from simcore.backends.cache import load_module
from simcore.codegen import cuda_module
from simcore.codegen.module import Source
from simcore.codegen.status import STATUS_DONE, STATUS_NOT_FINITE
from simcore.errors import BackendError
from simcore.ir import Operation


def import_cuda():
    """numba.cuda, or a BackendError that says what is missing and how to go on without it."""
    try:
        from numba import cuda
    except ImportError as error:
        raise BackendError(f"the cuda device needs numba's CUDA support, which cannot be imported ({error}); "
                           "install it with pip install 'simcore[cuda]' (numba-cuda), or use set_device('cpu')") \
            from error
    if not cuda.is_available():
        raise BackendError("the cuda device needs an NVIDIA GPU, and numba.cuda finds none (no CUDA driver "
                           "library, or no device). Install the NVIDIA driver and numba-cuda (pip install "
                           "'simcore[cuda]'); to run the cuda backend on numba's CUDA simulator instead (slow, "
                           "for tests) start Python with NUMBA_ENABLE_CUDASIM=1; or use set_device('cpu').")
    return cuda


def launch_mode() -> str:
    """$SIMCORE_CUDA_LAUNCH: 'fused' (default: one cooperative kernel per chunk) or 'kernels' (one launch per
    operation and step, from a host loop)."""
    mode = os.environ.get("SIMCORE_CUDA_LAUNCH", "fused")
    if mode not in ("fused", "kernels"):
        raise BackendError(f"SIMCORE_CUDA_LAUNCH={mode!r}; use 'fused' or 'kernels'")
    return mode


@dataclass
class CompiledNetwork:
    run_chunk: Any
    run_chunk_fused: Any
    source: Source
    fused: bool
    proven: bool = False  # a cooperative launch of it has run


class CudaBackend:
    """Generates a numba.cuda module for a network and runs its chunks on the GPU."""

    name = "cuda"

    def __init__(self):
        self.cuda = import_cuda()
        self._on_device: dict[int, tuple[np.ndarray, Any]] = {}  # position of an argument -> (host, device)
        self._kernel_written: set[int] = set()  # positions of the arguments kernels store into

    def host_changed(self, buffers_only: bool = False) -> None:
        """Python code ran between chunks and may have changed arrays in place: upload them again. With
        ``buffers_only`` (simcore's monitors and rings grew or were flushed), only those kernels also write:
        grown buffers are new arrays anyway, and the connectivity (gigabytes) did not change."""
        if not buffers_only:
            self._on_device.clear()
        for position in self._kernel_written:
            self._on_device.pop(position, None)

    def _device_arguments(self, arguments: list) -> list:
        out = []
        for position, value in enumerate(arguments):
            if not isinstance(value, np.ndarray):
                out.append(value)
                continue
            cached = self._on_device.get(position)
            if cached is None or cached[0] is not value:
                cached = (value, self.cuda.to_device(value))
                self._on_device[position] = cached
            out.append(cached[1])
        return out

    def generate(self, operations: list[Operation], title: str, version: str,
                 pauses: frozenset[int] = frozenset(), fuse: bool = True) -> Source:
        """(``pauses`` within a step: refused, ``check_supported``; ``fuse``: the GPU always fuses.)"""
        return cuda_module.generate(operations, title, version)

    def compile(self, source: Source, profile: bool = False) -> CompiledNetwork:
        """The chunk runner; with ``profile``, one kernel launch per operation and step, each timed (the GPU
        waits for each: slower than a normal run, but the shares of the operations are what they are)."""
        module = load_module(source.text, source.digest)
        if profile:
            self.timers = np.zeros(len(source.operation_names))
            timed = lambda *args: module.profile_chunk(*args, self.timers)  # noqa: E731
            return CompiledNetwork(timed, None, source, False)
        return CompiledNetwork(module.run_chunk, module.run_chunk_fused, source, launch_mode() == "fused")

    def run_chunk(self, kernel: CompiledNetwork, start: int, stop: int, dt: float, seed, err: np.ndarray,
                  arguments: list) -> tuple[int, int]:
        cuda = self.cuda
        if not self._on_device:
            self._check_memory(arguments)
        on_device = self._device_arguments(arguments)
        written = kernel.source.device_written
        self._kernel_written = {position for position, name in enumerate(kernel.source.params)
                                if written is None or name in written}
        control = cuda.to_device(cuda_module.control_array())
        if kernel.fused:
            try:
                kernel.run_chunk_fused(start, stop, dt, seed, control, *on_device)
                kernel.proven = True
            except Exception as error:  # cooperative launches unsupported, the device runtime library missing
                if kernel.proven:  # it ran before: this is not about launching cooperatively
                    raise
                warnings.warn(f"the cuda backend cannot run this network as one cooperative kernel "
                              f"({type(error).__name__}: {error}); it launches one kernel per operation and step "
                              "instead", stacklevel=2)
                kernel.fused = False
                control = cuda.to_device(cuda_module.control_array())
        if not kernel.fused:
            kernel.run_chunk(start, stop, dt, seed, control, *on_device)
        for position, (host, device) in enumerate(zip(arguments, on_device, strict=True)):
            if isinstance(host, np.ndarray) and position in self._kernel_written:
                device.copy_to_host(host)  # what no kernel writes (connectivity, indices, tables) stays as it is
        halt, status, number = cuda_module.halt(control.copy_to_host())
        if halt < 0:
            return stop, STATUS_DONE
        if status == STATUS_NOT_FINITE:
            _locate_not_finite(kernel.source, number, dict(zip(kernel.source.params, arguments, strict=True)), err)
        return halt, status

    def _check_memory(self, arguments: list) -> None:
        """Refuse, before allocating, a network whose arrays do not fit the GPU's free memory."""
        needed = sum(a.nbytes for a in arguments if isinstance(a, np.ndarray))
        try:
            free, total = self.cuda.current_context().get_memory_info()
        except Exception:  # the simulator, or a driver that cannot say: the allocation itself will tell
            return
        if needed > free:
            raise BackendError(f"the network's arrays need {needed / 2**30:.2f} GiB of GPU memory, and the GPU has "
                               f"{free / 2**30:.2f} GiB free of {total / 2**30:.2f} GiB; make the network smaller, "
                               "record less, or use float32 state")


def _locate_not_finite(source: Source, number: int, arrays: dict[str, np.ndarray], err: np.ndarray) -> None:
    """Fill ``err`` as the CPU's kernels do: the first written variable of operation ``number`` (1-based, in the
    order of its stores) with a NaN or infinity in its range of elements, that first such element, and
    ``number``."""
    err[2] = number
    for position, (array_name, start, stop) in enumerate(source.error_arrays[number], start=1):
        values = arrays[array_name][start:stop]
        if values.dtype.kind != "f":
            continue
        bad = np.flatnonzero(~np.isfinite(values))
        if bad.size:
            err[0], err[1] = position, start + int(bad[0])
            return
