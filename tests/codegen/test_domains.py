"""Iteration domains: every operation type declares one, each device has a launcher for each, and the per-neuron
domain (for tree solves) runs a body per neuron on the CPU (on the GPU: tests/cuda/test_domain_launchers_gpu.py)."""

import importlib.util

import numpy as np
import pytest

from simcore.codegen.bodies import INDENT
from simcore.codegen.cpu_launchers import CPU_LAUNCHERS, loop
from simcore.codegen.cuda_launchers import CUDA_LAUNCHERS
from simcore.codegen.domains import DOMAINS, PerNeuron
from simcore.codegen.registry import REGISTRY
from simcore.codegen.templates import Function, header

# a tree solve's shape: per neuron, a sweep over its compartments in order (here a running sum)
RUNNING_SUM = ["for _j in range(_neurons):", f"{INDENT}_total = 0.0",
               f"{INDENT}for _c in range(_first + _j * 4, _first + _j * 4 + 4):", f"{INDENT * 2}_total += _x[_c]",
               f"{INDENT * 2}_out[_c] = _total"]


def test_every_operation_type_declares_a_domain_with_a_launcher_on_each_device():
    for details, entry in REGISTRY.items():
        assert entry.domain in DOMAINS, details.__name__
    assert set(CPU_LAUNCHERS) == set(DOMAINS)
    assert set(CUDA_LAUNCHERS) == set(DOMAINS)


def test_each_domain_type_is_frozen():
    assert all(domain.__dataclass_params__.frozen for domain in DOMAINS)


@pytest.mark.parametrize("parallel", [False, True])
@pytest.mark.parametrize("block", [1, 2])
def test_per_neuron_launcher_runs_a_body_per_block_of_neurons_on_the_cpu(parallel, block, tmp_path):
    function = Function("running_sums", loop(PerNeuron(neurons=3, compartments=4, block=block), RUNNING_SUM,
                                             parallel), ["_x", "_out"], parallel, writes=frozenset({"_out"}), bound={})
    path = tmp_path / "per_neuron.py"
    path.write_text("\n".join(["from numba import njit, prange", "", "", *header(function), *function.lines, ""]))
    spec = importlib.util.spec_from_file_location("per_neuron", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    x, out = np.arange(12.0), np.zeros(12)
    module.running_sums(x, out)
    assert out.tolist() == [0, 1, 3, 6, 4, 9, 15, 22, 8, 17, 27, 38]  # block 2: the last block has one neuron
    blocks = 3 if block == 1 else 2
    assert (f"for _block in prange({blocks}):" if parallel else f"for _block in range({blocks}):") in function.lines[0]
