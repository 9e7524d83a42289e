"""The cable solver's one source on three drivers: njit serial, njit prange over neurons and the numba.cuda kernel
(one neuron per thread, grid-stride; numba's simulator unless SIMCORE_TEST_GPU=1), for 64 neurons of one
morphology (a soma with two dendrites and a dendrite that branches in two) with their own currents and
conductances: the three agree, and each neuron equals the same neuron solved alone."""

import math

import numpy as np
import pytest
from numba import cuda

from simcore.kernels import cable_cuda
from simcore.kernels.cable import (
    build_cable_tree,
    cable_step_neurons,
    cable_step_neurons_parallel,
)

UM, RI, CM, DT = 1e-6, 1.5, 0.01, 25e-6
NEURONS, STEPS = 61, 3  # 61: the last block of 8 neurons on the CPU is partial


def _cylinder(n, length, diameter):
    """Brian 2's Cylinder: area pi d l, r_length_1 = r_length_2 = pi/2 d^2/l per compartment of length l."""
    piece = length / n
    return [math.pi * diameter * piece] * n, [math.pi / 2 * diameter**2 / piece] * n


@pytest.fixture(scope="module")
def cell():
    sections = [([math.pi * (20 * UM) ** 2], [1.0]), _cylinder(5, 100 * UM, 2 * UM), _cylinder(3, 50 * UM, 1 * UM),
                _cylinder(4, 60 * UM, 3 * UM), _cylinder(6, 120 * UM, 1.5 * UM), _cylinder(2, 40 * UM, 1.2 * UM)]
    parents = [-1, 0, 0, 0, 3, 3]  # soma; dend1, dend2, dend3 on it; dend3's two branches
    counts = [len(area) for area, _ in sections]
    area = np.concatenate([area for area, _ in sections])
    r_length = np.concatenate([r for _, r in sections])
    tree = build_cable_tree(r_length, r_length, np.cumsum([0, *counts[:-1]]), counts, parents, RI)
    return tree, area


def _state(tree, area):
    """Per-neuron currents and conductances, tiled compartments of neuron k at k*n ... k*n + n - 1."""
    n = tree.compartments
    rng = np.random.default_rng(3)
    v = -0.07 + 0.01 * rng.random(NEURONS * n)
    gtot = (1 + rng.random(NEURONS * n))
    I0 = gtot * -0.07
    Ipoint = np.zeros(NEURONS * n)
    Ipoint[::n] = np.linspace(-0.2e-9, 0.3e-9, NEURONS)  # each neuron's soma
    Ipoint[n - 1::n] = 0.05e-9  # the tip of the last branch
    return v, np.full(NEURONS * n, CM), gtot, I0, Ipoint, np.tile(area, NEURONS)


def _on_cpu(step_neurons, tree, state):
    v, *rest = state
    v = v.copy()
    a, b = np.zeros(NEURONS * tree.nodes), np.zeros(NEURONS * tree.nodes)
    for _ in range(STEPS):
        step_neurons(NEURONS, tree.compartments, tree.parent, tree.conductance, tree.compartment, v, *rest, DT,
                     a, b)
    return v


def test_serial_parallel_and_cuda_agree_and_equal_single_neurons(cell):
    tree, area = cell
    state = _state(tree, area)
    serial = _on_cpu(cable_step_neurons, tree, state)
    parallel = _on_cpu(cable_step_neurons_parallel, tree, state)
    assert parallel.tolist() == serial.tolist()

    kernel = cable_cuda.step_neurons
    device = [cuda.to_device(np.ascontiguousarray(x)) for x in (tree.parent, tree.conductance, tree.compartment,
                                                                 *state)]
    a, b = cuda.device_array(NEURONS * tree.nodes), cuda.device_array(NEURONS * tree.nodes)
    for _ in range(STEPS):
        kernel[2, 16](NEURONS, tree.compartments, *device, DT, a, b)  # 2 neurons a thread
    on_gpu = device[3].copy_to_host()
    np.testing.assert_allclose(on_gpu, serial, rtol=1e-12, atol=0)

    n = tree.compartments
    v, Cm, gtot, I0, Ipoint, _ = state
    for neuron in (0, 17, NEURONS - 1):
        part = slice(neuron * n, (neuron + 1) * n)
        alone = v[part].copy()
        a1, b1 = np.zeros(tree.nodes), np.zeros(tree.nodes)
        for _ in range(STEPS):
            cable_step_neurons(1, n, tree.parent, tree.conductance, tree.compartment, alone, Cm[part], gtot[part],
                               I0[part], Ipoint[part], area, DT, a1, b1)
        assert alone.tolist() == serial[part].tolist()
    assert np.ptp(serial[::n]) > 1e-3  # the somas' currents made the neurons differ
