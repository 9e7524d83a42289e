"""connect() on the GPU (set_device('cuda')) makes exactly the synapses it makes on the CPU."""

import numpy as np
import pytest

from simcore import ModelError, NeuronGroup, Synapses, seed, set_device, start_scope

REQUESTS = [
    {"p": 0.3},
    {"condition": "i != j", "p": "0.2 + 0.5*x_pre*x_post"},
    {"condition": "abs(i - j) < 4", "n": "1 + i % 3"},
    {"j": "k for k in sample(N_post, p=0.4) if k != i"},
    {"j": "k for k in range(i - 2, i + 3)", "skip_if_invalid": True},
    {"j": "i"},
]


def synapses(device: str, request: dict):
    set_device(device)
    try:
        start_scope()
        seed(5)
        group = NeuronGroup(17, "x : 1")
        group.x = "i / 17"
        made = Synapses(group, group, "w : 1")
        made.connect(**request)
        return np.asarray(made.i[:]), np.asarray(made.j[:])
    finally:
        set_device("cpu")


@pytest.mark.parametrize("request_", REQUESTS, ids=[str(r) for r in REQUESTS])
def test_same_synapses_on_both_devices(request_):
    cpu_i, cpu_j = synapses("cpu", request_)
    cuda_i, cuda_j = synapses("cuda", request_)
    assert cpu_i.size > 0
    np.testing.assert_array_equal(cuda_i, cpu_i)
    np.testing.assert_array_equal(cuda_j, cpu_j)


def test_bad_values_found_on_the_gpu_give_the_cpu_message():
    messages = []
    for device in ("cpu", "cuda"):
        with pytest.raises(ModelError, match=r"connection probability p = -0.125 for source i=5 is negative") \
                as error:
            synapses(device, {"p": "0.5 - 0.125 * i"})
        messages.append(str(error.value))
    assert messages[0] == messages[1]
