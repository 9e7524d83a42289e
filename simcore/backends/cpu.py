"""The CPU backend: numpy arrays in host memory, kernels compiled by numba's njit."""

from __future__ import annotations

import functools
import os

import numba
import numpy as np
import sympy

from simcore.backends.cache import load_module
from simcore.codegen.module import Source, generate
from simcore.codegen.registry import operation_type
from simcore.errors import BackendError
from simcore.ir import Operation, PathwayDetails


def thread_count() -> int:
    """Threads for prange loops: $SIMCORE_NUM_THREADS, else numba's default (all cores)."""
    value = os.environ.get("SIMCORE_NUM_THREADS")
    return max(1, min(int(value), numba.config.NUMBA_NUM_THREADS)) if value else numba.config.NUMBA_NUM_THREADS


def parallel_mode() -> str:
    """$SIMCORE_PARALLEL: 'auto' (default: where it pays), 'always' or 'never'."""
    mode = os.environ.get("SIMCORE_PARALLEL", "auto")
    if mode not in ("auto", "always", "never"):
        raise BackendError(f"SIMCORE_PARALLEL={mode!r}; use 'auto', 'always' or 'never'")
    return mode


def pays_to_parallelise(op: Operation) -> bool:
    """prange costs about 13 us per step (FINDINGS): worth it only for large or costly updates (CUBA's
    40,000 neurons, about 20 operations each, ran slower on 2 threads than on 1: measured)."""
    if not operation_type(op).cpu_parallel or op.code is None:
        return False
    return op.code.size * max(_cost(op.code.statements), 1) >= 1_000_000


@functools.lru_cache(maxsize=256)
def _cost(statements: tuple) -> int:
    """The operations of one element's statements, a transcendental function counting 20 (remembered: sympy's
    count is slow, and every run of a network asks again)."""
    return sum(sympy.count_ops(s.expr) + 20 * len(s.expr.atoms(sympy.exp, sympy.log)) for s in statements)


class CpuBackend:
    """Compiles a Source into a module and runs its ``run_chunk``."""

    name = "cpu"

    def parallel_operations(self, operations: list[Operation]) -> frozenset[str]:
        """Names of the operations whose element loop runs as prange."""
        mode = parallel_mode()
        if mode == "never" or (mode == "auto" and thread_count() == 1):
            return frozenset()  # on one thread, prange only adds its overhead (1.5x slower for 1e6 LIF)
        chosen = {op.name for op in operations if operation_type(op).cpu_parallel and
                  (mode == "always" or pays_to_parallelise(op))}
        # a pathway split into target blocks by its Synapses runs the blocks in parallel
        return frozenset(chosen | {op.name for op in operations
                                   if isinstance(op.details, PathwayDetails) and op.details.blocks > 1})

    def generate(self, operations: list[Operation], title: str, version: str,
                 pauses: frozenset[int] = frozenset(), fuse: bool = True) -> Source:
        return generate(operations, self.parallel_operations(operations), title, version, pauses, fuse)

    def compile(self, source: Source, profile: bool = False):
        """The chunk runner; with ``profile`` a version that times each operation into ``self.timers``."""
        module = load_module(source.text, source.digest)
        if not profile:
            return module.run_chunk
        self.timers = np.zeros(len(source.operation_names))
        return lambda *args: module.profile_chunk(*args, self.timers)

    def host_changed(self, buffers_only: bool = False) -> None:
        """The arrays are the host's own: nothing to do when Python code changes them."""

    def run_chunk(self, kernel, start: int, stop: int, dt: float, seed, err: np.ndarray, arguments: list):
        numba.set_num_threads(thread_count())
        step, status = kernel(start, stop, dt, seed, err, *arguments)
        return int(step), int(status)
