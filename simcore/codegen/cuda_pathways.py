"""A synaptic pathway on the GPU, in the thread mapping of its ``SynapsesOfEvents`` domain (``cuda_launchers``):
blocks take the arriving events, their threads the events' synapses; what they add to neuron variables goes
through atomic additions (``_as_increments``). Pathway code that does more than add to neuron variables runs the
CPU template's loop on one thread, with a warning. With delays, one thread per event pushes this step's events
into the ring of past events first."""

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
from simcore.codegen.cuda_kernels import Kernels, control_args
from simcore.codegen.cuda_launchers import launch
from simcore.codegen.cuda_ops import serial
from simcore.codegen.domains import Events, Serial, SynapsesOfEvents
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
    prefix = details.prefix
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
    args = common_args(code) + ["_spikes", "_nspikes", f"{prefix}_ptr"]
    args += [f"{prefix}_syn"] if details.indirect else []
    head = [INDENT + comment(op.comment), *preamble(code), *hoisted]
    domain = SynapsesOfEvents(details, own_step(op))
    if details.delays == "none":
        launch(kernels, domain, op.name, control_args(args), head, body, writes,
               bound=code_arguments(op, code) | events(op))
        return
    ring = [f"{prefix}_hist", f"{prefix}_hist_start", f"{prefix}_hist_count", f"{prefix}_hist_head"]
    _push_events(kernels, op, ring)
    args += [f"{prefix}_dsorted"] if details.delays == "heterogeneous" else []
    head.append(f"{INDENT}_capacity = {ring[0]}.shape[0]")
    launch(kernels, domain, op.name, control_args(list(dict.fromkeys(args + ring))), head, body, writes,
           bound=code_arguments(op, code) | events(op))


def _push_events(kernels: Kernels, op: Operation, ring: list[str]) -> None:
    """Before the synapses (steps of their own): this step's events into the ring of past events (one thread
    each), then its slot's bookkeeping (one thread)."""
    details: PathwayDetails = op.details
    start, stop = details.range
    span = spikes_in_range(start, stop, details.source_size)
    slot = f"({own_step(op)}) % {details.slots}"
    args = ["_step", "_spikes", "_nspikes", *ring, "_ctl"]
    launch(kernels, Events(stop - start, "_src", start, span), f"{op.name}__push", args, [],
           [f"{ring[0]}[({ring[3]}[0] + _g) % {ring[0]}.shape[0]] = _src"], {ring[0]}, bound=events(op))
    launch(kernels, Serial(), f"{op.name}__slot", args, [],
           [f"_count = {span[1]} - {span[0]}", f"{ring[1]}[{slot}] = {ring[3]}[0]", f"{ring[2]}[{slot}] = _count",
            f"{ring[3]}[0] += _count"], set(ring[1:]), bound=events(op))


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
