"""The cuda tests run on numba's CUDA simulator unless SIMCORE_TEST_GPU=1 (a machine with a GPU and
numba-cuda). The simulator must be chosen before numba.cuda is first imported; no test module outside
tests/cuda imports it (tests/test_random.py uses it in a child process)."""

import os

ON_GPU = os.environ.get("SIMCORE_TEST_GPU") == "1"

if not ON_GPU:
    os.environ["NUMBA_ENABLE_CUDASIM"] = "1"
    from numba.core import config

    config.ENABLE_CUDASIM = True
