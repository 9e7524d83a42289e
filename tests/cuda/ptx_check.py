"""Compile every kernel of the test networks for a real GPU (PTX for compute capability 8.0) without
one: numba's CUDA simulator runs Python semantics and misses typing errors that NVVM reports.

Run in a process of its own, without NUMBA_ENABLE_CUDASIM, with NVRTC/NVVM installed
(``cuda-toolkit[nvrtc,nvvm]``). Prints one JSON line: the kernels compiled, or the first failure.
"""

import json
import sys
from pathlib import Path

import numba
import numpy as np
from numba import cuda
from numba.cuda import dispatcher

sys.path[:0] = [str(Path(__file__).parent), str(Path(__file__).parents[1])]  # as pytest's: this folder, tests/

import test_connect_gpu  # noqa: E402  (after the paths)
import test_equivalence  # noqa: E402
import test_spatialneuron_gpu  # noqa: E402

from simcore import Network, seed, start_scope  # noqa: E402
from simcore.backends.cache import load_module  # noqa: E402
from simcore.backends.select import building_for  # noqa: E402
from simcore.codegen import connect, cuda_module  # noqa: E402
from simcore.plan import build_plan  # noqa: E402
from simcore.plan.schedule import slot_ranks  # noqa: E402

CAPABILITY = (8, 0)


class _Device:
    """Device functions ask the current device for its compute capability; there is none here."""

    compute_capability = CAPABILITY


dispatcher.get_current_device = lambda: _Device()


class _Launch:
    """Stands for a kernel in ``run_chunk``: records the types of its arguments instead of launching."""

    def __init__(self, kernel, calls):
        self.kernel, self.calls = kernel, calls

    def __getitem__(self, shape):
        return lambda *args: self.calls.append((self.kernel, tuple(numba.typeof(a) for a in args)))

    def specialize(self, *args):
        return self


def launches(build) -> list:
    """(kernel, argument types) of every launch of one step of the network ``build()`` makes, in both ways of
    launching (a kernel per operation, one cooperative kernel)."""
    start_scope()
    seed(1)
    objects, _ = build()
    network = Network(*objects)
    with building_for("cuda"):
        plan = build_plan(network.objects, None, {}, slot_ranks(network.schedule))
        constants, operations = plan.constants, list(plan.operations)
    source = cuda_module.generate(operations, "ptx check", "check")
    module = load_module(source.text, source.digest)
    for obj in network.objects:
        obj.prepare_run(1)
    buffers = {}
    for obj in network.objects:
        buffers.update(obj.spike_buffers())
    arguments = network._arguments(source, constants, buffers, 0, len(operations))
    calls = []
    for name, value in list(vars(module).items()):
        if isinstance(value, dispatcher.CUDADispatcher) and not value.targetoptions.get("device"):
            setattr(module, name, _Launch(value, calls))
    control = cuda_module.control_array()
    allocate, upload = cuda.device_array, cuda.to_device
    cuda.device_array = lambda size, dtype: np.zeros(size, dtype=dtype)  # the work arrays, on the host
    cuda.to_device = lambda array: array
    try:
        module.run_chunk(0, 1, 1e-4, np.uint64(1), control, *arguments)
        module.run_chunk_fused(0, 1, 1e-4, np.uint64(1), control, *arguments)
    finally:
        cuda.device_array, cuda.to_device = allocate, upload
    return calls


def connect_launches(request: dict) -> list:
    """(kernel, argument types) of the kernels ``connect(**request)`` launches on the GPU (they make no
    synapses here)."""
    calls = []

    def record(kernel, n_pre):
        return lambda *args: calls.append((kernel, tuple(numba.typeof(a) for a in args)))

    original = connect._on_gpu
    connect._on_gpu = record
    try:
        test_connect_gpu.synapses("cuda", request)
    finally:
        connect._on_gpu = original
    return calls


def main() -> None:
    compiled = 0
    everything = [(build.__name__, launches(build)) for build in test_equivalence.BUILDERS]
    everything += [(f"connect({request})", connect_launches(request)) for request in test_connect_gpu.REQUESTS]
    everything += [(build.__name__, launches(build)) for build in test_spatialneuron_gpu.PTX_BUILDERS]
    for name, calls in everything:
        for kernel, types_ in calls:
            try:
                cuda.compile_ptx(kernel.py_func, types_, cc=CAPABILITY)
            except (ImportError, OSError, cuda.cudadrv.error.NvvmSupportError) as error:
                print(json.dumps({"unavailable": f"{type(error).__name__}: {error}"}))
                return
            except Exception as error:  # report the kernel and the compiler's message
                print(json.dumps({"failed": f"{name}: {kernel.py_func.__name__}{types_}",
                                  "error": f"{type(error).__name__}: {error}"}))
                return
            compiled += 1
    print(json.dumps({"compiled": compiled}))


if __name__ == "__main__":
    main()
