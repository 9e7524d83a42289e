"""The kernels of the test networks compile for a real GPU (NVVM, compute capability 8.0), not only
run on the simulator: ptx_check.py in a child process without the simulator."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest


def test_every_kernel_of_the_test_networks_compiles_to_ptx():
    environment = {k: v for k, v in os.environ.items() if k != "NUMBA_ENABLE_CUDASIM"}
    script = Path(__file__).with_name("ptx_check.py")
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, env=environment,
                          timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    answer = json.loads(done.stdout.strip().splitlines()[-1])
    if "unavailable" in answer:
        pytest.skip(f"no NVVM/NVRTC to compile with (pip install 'cuda-toolkit[nvrtc,nvvm]'): {answer['unavailable']}")
    assert "failed" not in answer, f"{answer['failed']}\n{answer['error']}"
    assert answer["compiled"] >= 80
