"""A threshold on the GPU: one thread per element, in the same function as the group's state update when
``fusion.fusions`` allows it (one pass over the group's memory, one launch or grid barrier less), flags a spike and
counts it for its run of ``RUN`` elements and its group of runs (atomic additions: spikes are rare); one block
scans the groups' counts; one thread per run with spikes finds its offset and writes them there, so the spike
list is in increasing order, as on the CPU."""

from __future__ import annotations

from simcore.codegen.bodies import (
    INDENT,
    array_params,
    common_args,
    element_body,
    hoist_invariants,
    on_spike,
    preamble,
    stored_arrays,
)
from simcore.codegen.cuda_kernels import THREADS, Kernels, control_args, simulated
from simcore.codegen.cuda_launchers import launch
from simcore.codegen.cuda_ops import update_element
from simcore.codegen.domains import Elements
from simcore.codegen.handles import code_arguments, events
from simcore.ir import Operation

RUN = 32  #: elements per thread in a threshold


def threshold(kernels: Kernels, op: Operation, number: int) -> None:
    """One thread per element (after the group's state update, when ``kernels.fused`` holds one for ``number``)
    marks a spike in ``flags`` and counts it for its run of ``RUN`` elements and for its group of runs; one
    block scans the groups' counts into offsets and the spike count; one thread per run with spikes adds the
    counts of the runs before it in its group to the group's offset and writes its spikes there, in order.

    A run's count is read by the later runs of its group in the same launch, so no thread can clear it
    there: counts alternate between two rows by the step's parity, and a run clears its row of the step
    before."""
    hoisted, code = hoist_invariants(op.code, "_lit")
    body, _ = element_body(code, op, kernels.streams, "_i")
    runs, group = -(-code.size // RUN), _runs_per_group()
    groups = -(-runs // group)
    flags, counts, totals, offsets, partial = (f"_{op.name}__{part}" for part in
                                               ("flags", "counts", "totals", "offsets", "partial"))
    on_event, refractory = on_spike(op, [f"{flags}[_i] = 1",
                                         f"cuda.atomic.add({counts}, (_step % 2, _i // {RUN}), 1)",
                                         f"cuda.atomic.add({totals}, _i // {RUN * group}, 1)"])
    head, body = [*preamble(code), *hoisted], body + on_event
    args = control_args(common_args(code) + [flags, counts, totals])
    writes = array_params(stored_arrays(code)) | refractory | {flags, counts, totals}
    name, update = op.name, kernels.fused.get(number)
    bound = code_arguments(op, code)
    if update is not None:  # the update's element, then the threshold's: one body
        update_head, update_body, update_args, update_writes = update_element(kernels, *update)
        bound |= code_arguments(update[0], update[0].code)
        body = [*update_body, *(line.removeprefix(INDENT) for line in head if line not in update_head), *body]
        head, args = update_head, list(dict.fromkeys(update_args + args))  # the clock: set already
        writes |= update_writes
        name = f"{update[0].name}__and_threshold"
    launch(kernels, Elements(code.size), name, args, head, body, writes, bound=bound)
    kernels.add(f"{op.name}__count", ["_nspikes", totals, offsets, partial, "_ctl"],
                _scan(totals, offsets, partial, groups), {"_nspikes", totals, offsets, partial}, None,
                shape=f"1, {max(1, min(THREADS, groups))}", block=True, bound=events(op))
    gather = ["_step", "_spikes", flags, counts, offsets, "_ctl"]
    launch(kernels, Elements(runs, index="_g"), f"{op.name}__gather", gather, [],
           ["_row = _step % 2", f"{counts}[1 - _row, _g] = 0", f"if {counts}[_row, _g] == 0:", f"{INDENT}return",
            f"_k = {offsets}[_g // {group}]", f"for _r in range(_g - _g % {group}, _g):",
            f"{INDENT}_k += {counts}[_row, _r]", f"for _i in range(_g * {RUN}, min(_g * {RUN} + {RUN}, {code.size})):",
            f"{INDENT}if {flags}[_i]:", f"{INDENT * 2}_spikes[_k] = _i", f"{INDENT * 2}_k += 1",
            f"{INDENT * 2}{flags}[_i] = 0"], {"_spikes", flags, counts}, bound=events(op))
    kernels.work.update({flags: f"cuda.to_device(np.zeros({max(code.size, 1)}, dtype=np.int8))",
                         counts: f"cuda.to_device(np.zeros((2, {max(runs, 1)}), dtype=np.int32))",
                         totals: f"cuda.to_device(np.zeros({max(groups, 1)}, dtype=np.int32))",
                         offsets: f"cuda.device_array({max(groups, 1)}, dtype=np.int32)",
                         partial: f"cuda.device_array({THREADS}, dtype=np.int64)"})


def _runs_per_group() -> int:
    """Runs of ``RUN`` elements per group of a threshold's count (1024 elements on a GPU; 4 runs on the
    simulator, so that small test groups have several)."""
    return 4 if simulated() else 32


def _scan(counts: str, offsets: str, partial: str, size: int) -> list[str]:
    """The offsets of ``size`` counts (an exclusive prefix sum) and their total, by the threads of one block,
    which also clear the counts: each adds up a stretch of them, thread 0 scans their sums (in ``partial``:
    global memory, not shared, because numba's simulator can give each thread its own "shared" array), each
    then writes the offsets of its stretch (1M neurons: 977 groups of runs, 8 per thread of 128)."""
    return [f"{INDENT}_tid, _threads = cuda.threadIdx.x, cuda.blockDim.x",
            f"{INDENT}_per = ({size} + _threads - 1) // _threads",
            f"{INDENT}_lo, _hi = min(_tid * _per, {size}), min(_tid * _per + _per, {size})",
            f"{INDENT}_sum = 0", f"{INDENT}for _r in range(_lo, _hi):", f"{INDENT * 2}_sum += {counts}[_r]",
            f"{INDENT}{partial}[_tid] = _sum", f"{INDENT}cuda.syncthreads()",
            f"{INDENT}if _tid == 0:", f"{INDENT * 2}_n = 0", f"{INDENT * 2}for _k in range(_threads):",
            f"{INDENT * 3}_sum = {partial}[_k]", f"{INDENT * 3}{partial}[_k] = _n", f"{INDENT * 3}_n += _sum",
            f"{INDENT * 2}_nspikes[0] = _n", f"{INDENT}cuda.syncthreads()",
            f"{INDENT}_n = {partial}[_tid]", f"{INDENT}for _r in range(_lo, _hi):", f"{INDENT * 2}{offsets}[_r] = _n",
            f"{INDENT * 2}_n += {counts}[_r]", f"{INDENT * 2}{counts}[_r] = 0"]
