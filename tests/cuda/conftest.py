"""The cuda tests run on numba's CUDA simulator unless SIMCORE_TEST_GPU=1 (a machine with a GPU and
numba-cuda). The simulator must be chosen before numba.cuda is first imported; no test module outside
tests/cuda imports it (tests/test_random.py uses it in a child process)."""

import os
import sys

import pytest

ON_GPU = os.environ.get("SIMCORE_TEST_GPU") == "1"

if not ON_GPU:
    os.environ["NUMBA_ENABLE_CUDASIM"] = "1"
    from numba.core import config

    config.ENABLE_CUDASIM = True


def pytest_collection_modifyitems(config, items):
    if not ON_GPU:
        skip = pytest.mark.skip(reason="needs a real GPU: run with SIMCORE_TEST_GPU=1")
        for item in items:
            if "gpu" in item.keywords:
                item.add_marker(skip)


@pytest.fixture(autouse=True)
def quick_thread_switches():
    """The simulator runs each GPU thread as a Python thread; a grid-wide barrier waits for all of them, and
    Python hands the interpreter over every 5 ms by default (7x slower tests, measured)."""
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-5)
    yield
    sys.setswitchinterval(interval)


@pytest.fixture(autouse=True)
def cpu_with_the_c_librarys_math():
    """The CPU side of a comparison computes exp, log, ... with the C library's functions, as numba.cuda does:
    simcore's vectorised ones (``prefs.codegen.vector_math``, the CPU's default) differ from them by an ulp, and
    these tests ask for the same bits on both devices."""
    from simcore import prefs  # here: numba.cuda's simulator is chosen above, before anything imports it

    before = prefs.codegen.vector_math
    prefs.codegen.vector_math = False
    yield
    prefs.codegen.vector_math = before
