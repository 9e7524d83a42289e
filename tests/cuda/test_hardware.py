"""What only a real GPU can show (marked ``gpu``: skipped unless SIMCORE_TEST_GPU=1), and the refusal of a
network that does not fit the GPU's memory (checked anywhere, with the memory figures mocked)."""

import subprocess
import sys
import textwrap
import warnings

import numpy as np
import pytest

from simcore import BackendError, Network, NeuronGroup, SpikeMonitor, ms, start_scope
from simcore.backends import cuda as cuda_backend


class _Context:
    def get_memory_info(self):
        return 10_000, 20_000  # bytes free, total


def test_a_network_larger_than_the_free_gpu_memory_is_refused(monkeypatch):
    monkeypatch.setattr(cuda_backend, "import_cuda", lambda: _cuda_with(_Context()))
    start_scope()
    group = NeuronGroup(5000, "dv/dt = -v/ms : 1", method="exact")
    with pytest.raises(BackendError, match=r"need 0.00 GiB of GPU memory, and the GPU has 0.00 GiB free of 0.00 GiB"):
        Network(group, device="cuda").run(1 * ms)


def _cuda_with(context):
    from numba import cuda

    class Patched:
        def __getattr__(self, name):
            return getattr(cuda, name)

        def current_context(self):
            return context

    return Patched()


@pytest.mark.gpu
def test_one_cooperative_kernel_per_chunk_without_fallback():
    start_scope()
    group = NeuronGroup(100_000, "dv/dt = (1.1 - v)/(10*ms) : 1", threshold="v > 1", reset="v = 0",
                        method="exact")
    monitor = SpikeMonitor(group)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the fallback to one launch per operation warns
        Network(group, monitor, device="cuda").run(50 * ms)
    assert monitor.num_spikes == 100_000 * 2  # v reaches 1 after 10 ms * ln(11) = 24 ms, twice in 50 ms
    assert np.all(np.diff(monitor.t_[:100_000]) >= 0)


@pytest.mark.gpu
def test_second_process_loads_the_compiled_kernels(tmp_path):
    script = textwrap.dedent("""
        import time
        from simcore import *
        G = NeuronGroup(1000, 'dv/dt = -v/(10*ms) : 1', threshold='v > 1', reset='v = 0', method='exact')
        net = Network(G, SpikeMonitor(G), device='cuda')
        start = time.perf_counter()
        net.run(1*ms)
        print(time.perf_counter() - start)
    """)
    env = {"SIMCORE_CACHE_DIR": str(tmp_path), "SIMCORE_TEST_GPU": "1"}
    cold, warm = (float(subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True,
                                       env={**__import__("os").environ, **env}).stdout.split()[-1]) for _ in range(2))
    assert warm < cold / 2
