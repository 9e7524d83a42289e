"""The launch machinery of the cuda module: device functions and the launches of a step (``Kernels``), the
kernel that runs one launch on its own (``wrapper``), and its place in the fused kernel (``in_grid``, with the
grid-wide barriers of ``Barriers``). The generators of ``cuda_ops``, ``cuda_threshold`` and ``cuda_pathways``
add their device functions here, through the launcher of each one's iteration domain (``cuda_launchers``)."""

from __future__ import annotations

from dataclasses import dataclass, field

from simcore.codegen.bodies import INDENT, RandomStreams, array_param, error_names
from simcore.codegen.handles import Handle
from simcore.codegen.status import STATUS_NOT_FINITE
from simcore.ir import ArrayRef, Operation

THREADS = 128  #: threads per block


def control_args(args: list[str]) -> list[str]:
    """The CPU's arguments with the error array replaced by the control array (always present)."""
    args = ["_ctl" if a == "_err" else a for a in args]
    return args if "_ctl" in args else [*args, "_ctl"]


@dataclass(frozen=True)
class Launch:
    """One device function of a step: over ``threads`` elements (one GPU thread each), or, with ``threads``
    None, on one thread, or with every thread of a ``shape``d grid taking part (pathways)."""

    name: str
    args: tuple[str, ...]
    threads: int | None
    shape: str | None = None
    written: frozenset[str] = frozenset()  # the arguments its code stores into (``_ctl`` aside: see Barriers)
    block: bool = False  # the threads of one block (shared memory, barriers): block 0 of the fused grid
    bound: dict[str, Handle] = field(default_factory=dict)  # what the network passes for parameters (see handles)


class Kernels:
    """The device functions of a module and the launches of one step, as the generators add them. ``fused``:
    {a threshold's number: (its group's state update, that one's number)} for the updates that run in their
    threshold's threads (``fusion.fusions``)."""

    def __init__(self, streams: RandomStreams, fused: dict[int, tuple[Operation, int]] | None = None):
        self.streams = streams
        self.fused = fused or {}
        self.lines: list[str] = []
        self.launches: list[Launch] = []
        self.work: dict[str, str] = {}  # device work arrays: name -> allocation
        self.error_vars: dict[str, tuple] = {}  # as the CPU's: (owner, variable) of what an operation stores
        self.error_arrays: dict[int, tuple] = {}  # operation number -> (array, first, last + 1 or None) per store

    def add(self, name: str, args: list[str], lines: list[str], writes: frozenset[str] | set[str],
            threads: int | None, shape: str | None = None, block: bool = False, *, bound: dict[str, Handle]) -> None:
        """A device function storing into ``writes`` for ``threads`` elements (``_g``: the element; 0: nothing to
        do), or (None) for one thread, or for every thread of a grid of ``shape``, or (``block``) for the threads
        of one block; ``bound``: the handles of its parameters (those of ``work`` and ``_ctl`` are passed as they
        are)."""
        if threads == 0:
            return
        params = ["_g", *args] if threads is not None else args
        self.lines += ["@cuda.jit(device=True)", f"def {name}({', '.join(params)}):", *lines, "", ""]
        self.launches.append(Launch(name, tuple(args), threads, shape, frozenset(writes), block,
                                    {param: bound[param] for param in args if param in bound}))

    def not_finite(self, op: Operation, number: int, writes: list[ArrayRef], start: int = 0,
                   stop: int | None = None) -> list[str]:
        """The lines that stop the run after this step when ``op`` stores a NaN or inf; the host then looks for
        the first one in each written array, from element ``start`` to ``stop`` (None: the end), as the CPU."""
        self.error_vars[op.name] = error_names(writes)
        self.error_arrays[number] = tuple((array_param(ref), 0, 1) if ref.shared else (array_param(ref), start, stop)
                                          for ref in writes)
        return [f"_ctl[1] = {STATUS_NOT_FINITE}", f"_ctl[2] = {number}", "_ctl[3] = _step"]


def simulated() -> bool:
    """Whether numba's CUDA simulator runs the kernels (each GPU thread a Python thread: shapes stay small)."""
    from numba.core import config

    return bool(config.ENABLE_CUDASIM)


def wrapper(launch: Launch) -> tuple[list[str], str]:
    """The kernel that runs ``launch`` on its own, and its launch shape."""
    args = ", ".join(launch.args)
    if launch.threads is None:
        call, head, stop_if = f"{launch.name}({args})", [], "_ctl[0] >= 0"
        shape = launch.shape or "1, 1"
    else:
        block = max(1, min(THREADS, launch.threads))  # small groups: no idle threads (the simulator runs each one)
        shape = f"{-(-launch.threads // block)}, {block}"
        call, head = f"{launch.name}(_g, {args})", [f"{INDENT}_g = cuda.grid(1)"]
        stop_if = f"_g >= {launch.threads} or _ctl[0] >= 0"
    lines = ["@cuda.jit(cache=True)", f"def {launch.name}__kernel({args}):", *head, f"{INDENT}if {stop_if}:",
             f"{INDENT * 2}return", f"{INDENT}{call}", "", ""]
    return lines, shape


class Barriers:
    """Where the fused kernel needs a grid-wide barrier: before a launch that uses an array written since the
    last barrier, or writes one used since (``_ctl`` aside: launches only store a stop into it, and the step's
    start reads it after a barrier)."""

    def __init__(self):
        self.used: set[str] = set()
        self.written: set[str] = set()

    def before(self, used: set[str], written: set[str]) -> list[str]:
        used = used - {"_ctl"}
        sync = self.flush() if written & self.used or used & self.written else []
        self.used |= used
        self.written |= written
        return sync

    def flush(self) -> list[str]:
        """A barrier if anything ran since the last one."""
        sync = ["_grid.sync()"] if self.used else []
        self.used, self.written = set(), set()
        return sync


def in_grid(launch: Launch, actual: list[str]) -> list[str]:
    """``launch`` inside the fused kernel (every thread of the grid runs this)."""
    args = ", ".join(actual)
    if launch.threads is not None:
        lines = [f"for _g in range(_g0, {launch.threads}, _stride):", f"{INDENT}{launch.name}(_g, {args})"]
    elif launch.block:
        lines = ["if cuda.blockIdx.x == 0:", f"{INDENT}{launch.name}({args})"]
    elif launch.shape is None:
        lines = ["if _g0 == 0:", f"{INDENT}{launch.name}({args})"]
    else:
        lines = [f"{launch.name}({args})"]
    return lines
