"""A second process running the same model compiles nothing (kernels come from the disk cache)."""

import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent("""
    from numba.core import event
    from simcore import *
    with event.install_recorder("numba:compile") as recorder:
        G = NeuronGroup(5, "dv/dt = (2 - v)/(tau_cache_test*ms) : 1", threshold="v > 1", reset="v = 0",
                        method="exact", namespace={"tau_cache_test": 10})
        M = SpikeMonitor(G)
        run(10*ms)
    print(sum(1 for _, e in recorder.buffer if e.is_start), M.num_spikes)
""")


def _compilations(cache: str) -> tuple[int, int]:
    result = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, check=True,
                            env={"SIMCORE_CACHE_DIR": cache, "PATH": "/usr/bin:/bin"})
    compiled, spikes = result.stdout.split()
    return int(compiled), int(spikes)


def test_second_process_compiles_nothing(tmp_path):
    first, spikes = _compilations(str(tmp_path))
    second, spikes_again = _compilations(str(tmp_path))
    assert first > 0 and second == 0
    assert spikes == spikes_again == 5  # each neuron fires once, at 10 ms * log(2) = 6.9 ms
    assert any(p.suffix == ".py" for p in (tmp_path / "kernels").iterdir())
