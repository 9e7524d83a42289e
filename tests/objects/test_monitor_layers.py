"""The monitors are specs: their modules import neither simcore.backends nor simcore.codegen, and their records
live in a runtime state (RecordBuffers) that grows without losing any (issue 14, objects as specs)."""

import ast
from pathlib import Path

import numpy as np
import pytest

import simcore
from simcore.ir import internal_arg
from simcore.runtime.monitor_buffers import MAX_STAGING, RecordBuffers

OBJECTS = Path(simcore.__file__).parent / "objects"
MONITOR_MODULES = sorted(path.name for path in OBJECTS.glob("*monitor*.py"))


def test_the_monitor_modules_are_found():
    assert {"monitors.py", "monitor_base.py", "state_monitor.py"} <= set(MONITOR_MODULES)


@pytest.mark.parametrize("module", MONITOR_MODULES)
def test_monitor_modules_import_neither_backends_nor_codegen(module):
    tree = ast.parse((OBJECTS / module).read_text())
    imported = [node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)]
    imported += [alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names]
    assert [name for name in imported if name.startswith(("simcore.backends", "simcore.codegen"))] == []


def _write(buffers: RecordBuffers, times: list[float], indices: list[int]) -> None:
    """What the compiled loop does: records after the staged ones, and the count."""
    staged = buffers.staged
    buffers.arrays["t"][staged:staged + len(times)] = times
    buffers.arrays["i"][staged:staged + len(indices)] = indices
    buffers.arrays["_n"][0] = staged + len(times)


def test_growth_keeps_the_records_and_doubles_the_buffers():
    buffers = RecordBuffers("mon", ("t", "i"), None)
    buffers.allocate("t", 4, np.float64)
    buffers.allocate("i", 4, np.int32)
    buffers.allocate("_n", 1, np.int64)
    _write(buffers, [0.1, 0.2, 0.3, 0.4], [3, 1, 4, 1])
    buffers.grow()
    assert buffers.staged == 0 and buffers.arrays["t"].shape == (8,) and buffers.arrays["i"].dtype == np.int32
    _write(buffers, [0.5, 0.6], [5, 9])
    assert buffers.total() == 6
    assert buffers.records("t").tolist() == [0.1, 0.2, 0.3, 0.4, 0.5, 0.6]
    assert buffers.records("i").tolist() == [3, 1, 4, 1, 5, 9]
    assert buffers.nbytes == 4 * 8 + 4 * 4 + 8 * 8 + 8 * 4 + 8
    assert set(buffers.kernel_arrays()) == {f"_{internal_arg('mon', name)}" for name in ("t", "i", "n")}


def test_full_buffers_stop_doubling_at_the_largest_size():
    buffers = RecordBuffers("mon", ("t",), None)
    buffers.allocate("t", MAX_STAGING, np.float64)
    buffers.allocate("_n", 1, np.int64)
    buffers.arrays["_n"][0] = MAX_STAGING
    buffers.grow()
    assert buffers.arrays["t"].shape == (MAX_STAGING,) and buffers.total() == MAX_STAGING


def test_a_restored_state_gives_the_records_back():
    buffers = RecordBuffers("mon", ("t", "i"), None)
    buffers.allocate("t", 2, np.float64)
    buffers.allocate("i", 2, np.int32)
    buffers.allocate("_n", 1, np.int64)
    _write(buffers, [0.1, 0.2], [0, 1])
    stored = buffers.state()
    buffers.grow()
    _write(buffers, [0.3], [2])
    buffers.check_state(stored)
    buffers.restore_state(stored)
    assert buffers.records("i").tolist() == [0, 1] and buffers.arrays["t"].shape == (2,)
