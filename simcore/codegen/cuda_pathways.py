"""A synaptic pathway on the GPU: blocks take the arriving events, their threads the events' synapses; what they
add to neuron variables goes through atomic additions (``_as_increments``). Pathway code that does more than add
to neuron variables runs the CPU template's loop on one thread, with a warning. With delays, one thread per
event pushes this step's events into the ring of past events first."""

from __future__ import annotations

from dataclasses import replace

import sympy

from simcore.codegen import templates
from simcore.codegen.bodies import (
    INDENT,
    array_param,
    array_params,
    comment,
    common_args,
    element_body,
    hoist_invariants,
    own_step,
    preamble,
    spikes_in_range,
    stored_arrays,
)
from simcore.codegen.cuda_kernels import Kernels, control_args, simulated
from simcore.codegen.cuda_ops import serial
from simcore.codegen.handles import code_arguments, events
from simcore.ir import ElementCode, Operation, PathwayDetails


def pathway(kernels: Kernels, op: Operation, number: int) -> None:
    """In parallel when the code's writes to neuron variables are additions (``_as_increments``), else on one
    thread."""
    increments = _as_increments(op.code, op.owner)
    if increments is not None:
        _atomic_pathway(kernels, op, number, *increments)
        return
    report = kernels.not_finite(op, number, stored_arrays(op.code))
    serial(kernels, op, templates.synaptic_pathway(op, kernels.streams, False, report),
           f"the {op.comment} (Synapses '{op.owner}') changes neuron variables other than by adding to them, or "
           "reads one its synapses change")


def _atomic_pathway(kernels: Kernels, op: Operation, number: int, increments: list[tuple[str, str]],
                    code: ElementCode) -> None:
    """Blocks take the arriving events in turn (several blocks per event when there are fewer events than
    blocks), their threads the event's synapses; what the synapses add
    to neuron variables (``increments``: (temporary, variable), computed by ``code``) goes through atomic
    additions (the order of the additions, and so the last bits of the sums, may differ from the CPU's)."""
    details: PathwayDetails = op.details
    prefix, (start, stop), slots = details.prefix, details.range, details.slots
    hoisted, code = hoist_invariants(code)
    report = kernels.not_finite(op, number, stored_arrays(op.code))
    body, _ = element_body(code, op, kernels.streams, "_s", report=report)
    refs = {ref.local_name: ref for ref in op.code.arrays}
    conditions = dict(code.conditions)
    writes = array_params(stored_arrays(code) + [refs[variable] for _, variable in increments])
    for local, variable in increments:
        ref = refs[variable]
        add = [f"_old = cuda.atomic.add({array_param(ref)}, {ref.element('_s')}, {local})"]
        if ref.dtype.startswith("float"):  # the sum it stored: the value before it, plus this one
            add += [f"if not math.isfinite(_old + {local}):", *[INDENT + line for line in report]]
        body += [f"if {conditions[variable]}:", *[INDENT + line for line in add]] if variable in conditions \
            else add
    blocks, threads = _pathway_shape()
    synapse = [f"_s = {prefix}_syn[_p]" if details.indirect else "_s = _p", *body]
    args = common_args(code) + ["_spikes", "_nspikes", f"{prefix}_ptr"]
    args += [f"{prefix}_syn"] if details.indirect else []
    span = spikes_in_range(start, stop, details.source_size)
    lines = [INDENT + comment(op.comment), *preamble(code), *hoisted]
    if details.delays == "none":
        lines += [f"{INDENT}_first = {span[0]}", *_blocks_per_event(f"{span[1]} - _first", 1),
                  f"{INDENT * 2}_src = _spikes[_first + _k] - {start}",
                  f"{INDENT * 2}_lo = {prefix}_ptr[_src]", f"{INDENT * 2}_hi = {prefix}_ptr[_src + 1]",
                  *_synapses_of_event(synapse, 2)]
        kernels.add(op.name, control_args(args), lines, writes, None, shape=f"{blocks}, {threads}",
                    bound=code_arguments(op, code) | events(op))
        return
    ring = [f"{prefix}_hist", f"{prefix}_hist_start", f"{prefix}_hist_count", f"{prefix}_hist_head"]
    _push_events(kernels, op, span, ring)
    heterogeneous = details.delays == "heterogeneous"
    args += [f"{prefix}_dsorted"] if heterogeneous else []
    delays = f"range({slots - 1}, -1, -1)" if heterogeneous else f"({details.steps},)"
    lines += [f"{INDENT}_capacity = {ring[0]}.shape[0]", f"{INDENT}for _d in {delays}:",
              f"{INDENT * 2}_from = ({own_step(op)} - _d) % {slots}", f"{INDENT * 2}_first = {ring[1]}[_from]",
              *_blocks_per_event(f"{ring[2]}[_from]", 2),
              f"{INDENT * 3}_src = {ring[0]}[(_first + _k) % _capacity]",
              f"{INDENT * 3}_lo = {prefix}_ptr[_src]", f"{INDENT * 3}_hi = {prefix}_ptr[_src + 1]"]
    if heterogeneous:
        lines += [f"{INDENT * 3}_hi = _search_sorted({prefix}_dsorted, _lo, _hi, _d, True)",
                  f"{INDENT * 3}_lo = _search_sorted({prefix}_dsorted, _lo, _hi, _d, False)"]
    lines += _synapses_of_event(synapse, 3)
    kernels.add(op.name, control_args(list(dict.fromkeys(args + ring))), lines, writes, None,
                shape=f"{blocks}, {threads}", bound=code_arguments(op, code) | events(op))


def _push_events(kernels: Kernels, op: Operation, span: tuple[str, str], ring: list[str]) -> None:
    """This step's events (positions ``span`` in the event list) into the ring of past events (one thread
    each), then its slot's bookkeeping."""
    start, stop = op.details.range
    slot = f"({own_step(op)}) % {op.details.slots}"
    kernels.add(f"{op.name}__push", ["_step", "_spikes", "_nspikes", *ring, "_ctl"],
                [f"{INDENT}_first = {span[0]}", f"{INDENT}if _first + _g >= {span[1]}:", f"{INDENT * 2}return",
                 f"{INDENT}{ring[0]}[({ring[3]}[0] + _g) % {ring[0]}.shape[0]] = _spikes[_first + _g] - {start}"],
                {ring[0]}, stop - start, bound=events(op))
    kernels.add(f"{op.name}__slot", ["_step", "_spikes", "_nspikes", *ring, "_ctl"],
                [f"{INDENT}_count = {span[1]} - {span[0]}", f"{INDENT}{ring[1]}[{slot}] = {ring[3]}[0]",
                 f"{INDENT}{ring[2]}[{slot}] = _count", f"{INDENT}{ring[3]}[0] += _count"], set(ring[1:]), None,
                bound=events(op))


def _blocks_per_event(count: str, depth: int) -> list[str]:
    """The loop of a block over its events ``_k`` among ``count``: ``_share`` blocks per event when there are
    fewer events than blocks (one event onto a million synapses keeps the whole grid busy), else one block
    per event in turn."""
    pad = INDENT * depth
    return [f"{pad}_count = {count}", f"{pad}_share = max(1, cuda.gridDim.x // _count) if _count > 0 else 1",
            f"{pad}for _k in range(cuda.blockIdx.x // _share, _count, cuda.gridDim.x // _share):"]


def _synapses_of_event(synapse: list[str], depth: int) -> list[str]:
    """The loop of a thread over its share of the event's synapses ``_lo`` to ``_hi - 1``, running ``synapse``."""
    pad = INDENT * depth
    return [f"{pad}for _p in range(_lo + (cuda.blockIdx.x % _share) * cuda.blockDim.x + cuda.threadIdx.x, _hi, "
            "_share * cuda.blockDim.x):", *[pad + INDENT + line for line in synapse]]


def _pathway_shape() -> tuple[int, int]:
    """Blocks and threads of a synaptic pathway's kernel: blocks take events, threads synapses. The simulator
    runs every thread as a Python thread: a few of them check the same code."""
    return (2, 4) if simulated() else (1024, 32)


def _as_increments(code, synapses: str):
    """Pathway code whose writes to neuron variables (shared by many synapses: a race between threads) are
    all increments ``x = x + e``, ``e`` reading none of them, as (pairs (temporary, variable), the code with
    each increment computing its temporary and not storing ``x``); None for other code."""
    racing = {ref.local_name for ref in code.arrays if ref.local_name in code.written and not ref.shared
              and ref.owner != synapses}
    statements, increments = [], []
    for number, statement in enumerate(code.statements):
        reads = {s.name for s in statement.expr.free_symbols}
        if statement.target not in racing:
            if reads & racing:
                return None
            statements.append(statement)
            continue
        own = [a for a in sympy.Add.make_args(statement.expr) if isinstance(a, sympy.Symbol)
               and a.name == statement.target]
        if len(own) != 1:
            return None
        added = statement.expr - own[0]
        if {s.name for s in added.free_symbols} & racing:
            return None
        local = f"_add_{number}"
        statements.append(replace(statement, target=local, expr=added))
        increments.append((local, statement.target))
    written = tuple(name for name in code.written if name not in racing)
    return increments, replace(code, statements=tuple(statements), written=written)
