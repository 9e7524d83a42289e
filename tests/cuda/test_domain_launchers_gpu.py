"""The per-neuron domain on the GPU (numba's simulator): one thread per neuron runs the body over its
compartments, as a kernel of its own and in the fused kernel's grid-stride loop."""

import importlib.util

import numpy as np
from numba import cuda

from simcore.codegen.bodies import INDENT, RandomStreams
from simcore.codegen.cuda_kernels import Kernels, in_grid, wrapper
from simcore.codegen.cuda_launchers import launch
from simcore.codegen.domains import PerNeuron

RUNNING_SUM = ["for _j in range(_neurons):", f"{INDENT}_total = 0.0",
               f"{INDENT}for _c in range(_first + _j * 4, _first + _j * 4 + 4):", f"{INDENT * 2}_total += _x[_c]",
               f"{INDENT * 2}_out[_c] = _total"]
EXPECTED = [0, 1, 3, 6, 4, 9, 15, 22, 8, 17, 27, 38]


def _module(tmp_path, lines):
    path = tmp_path / "per_neuron_cuda.py"
    path.write_text("\n".join(["from numba import cuda", "", "", *lines, ""]))
    spec = importlib.util.spec_from_file_location("per_neuron_cuda", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _running_sums() -> Kernels:
    kernels = Kernels(RandomStreams({}))
    launch(kernels, PerNeuron(neurons=3, compartments=4), "running_sums", ["_x", "_out", "_ctl"], [], RUNNING_SUM,
           {"_out"}, bound={})
    return kernels


def test_per_neuron_launcher_runs_one_thread_per_neuron(tmp_path):
    kernels = _running_sums()
    (only,) = kernels.launches
    assert only.threads == 3 and only.written == {"_out"}
    kernel, shape = wrapper(only)
    module = _module(tmp_path, kernels.lines + kernel)
    out = cuda.to_device(np.zeros(12))
    blocks, threads = (int(part) for part in shape.split(","))
    module.running_sums__kernel[blocks, threads](cuda.to_device(np.arange(12.0)), out,
                                                 cuda.to_device(np.array([-1, 0, -1, -1])))
    assert out.copy_to_host().tolist() == EXPECTED


def test_per_neuron_launcher_in_the_fused_grid(tmp_path):
    kernels = _running_sums()
    stride = [f"{INDENT}{line}" for line in in_grid(kernels.launches[0], ["_x", "_out", "_ctl"])]
    fused = ["@cuda.jit", "def fused(_x, _out, _ctl):", f"{INDENT}_g0 = cuda.grid(1)",
             f"{INDENT}_stride = cuda.gridsize(1)", *stride]
    module = _module(tmp_path, kernels.lines + fused)
    out = cuda.to_device(np.zeros(12))
    module.fused[1, 2](cuda.to_device(np.arange(12.0)), out, cuda.to_device(np.array([-1, 0, -1, -1])))
    assert out.copy_to_host().tolist() == EXPECTED  # two threads: one of them takes a second neuron
