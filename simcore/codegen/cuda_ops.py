"""The GPU's generators of the element-wise operations: one per operation type, each adding its device functions
to ``Kernels`` through the launcher of its iteration domain (``cuda_launchers``). The elements map to threads as
follows: state updates and ``run_regularly``, one thread per element (their shared statements first, on one
thread); resets, spike and state monitors, one thread per spike or recorded element (then one thread advances the
record count); summed variables, one thread per target. What has no parallel version runs the CPU template's loop
on one thread (``serial``), with a warning. Thresholds: ``cuda_threshold``; synaptic pathways: ``cuda_pathways``.

Every generator takes the ``Kernels`` being built, the operation and its number in the schedule.
"""

from __future__ import annotations

import warnings

from simcore.codegen import input_templates, templates
from simcore.codegen.bodies import (
    INDENT,
    array_params,
    comment,
    common_args,
    element_body,
    hoist_invariants,
    preamble,
    record_time,
    shared_block,
    shared_writes,
    spikes_in_range,
    stored_arrays,
    summed_target,
)
from simcore.codegen.cuda_kernels import Kernels, control_args
from simcore.codegen.cuda_launchers import launch
from simcore.codegen.domains import Elements, Events, IncomingPerTarget, Serial
from simcore.codegen.handles import clock, code_arguments, constants, events, own, records
from simcore.codegen.templates import Function
from simcore.ir import Operation, SpikeMonitorDetails, StateMonitorDetails, readable


def state_update(kernels: Kernels, op: Operation, number: int) -> None:
    """A state update or run_regularly: its shared statements on one thread, then one thread per element."""
    shared_statements(kernels, op, number)
    head, body, args, writes = update_element(kernels, op, number)
    launch(kernels, Elements(op.code.size if op.code.statements else 0, op.code.start), op.name, args, head, body,
           writes, bound=code_arguments(op, op.code))


def shared_statements(kernels: Kernels, op: Operation, number: int) -> None:
    """The statements of a run_regularly that set shared variables: once per step, on one thread, before its
    per-element launch."""
    code = op.code
    if not code.shared_statements:
        return
    report = kernels.not_finite(op, number, stored_arrays(code) + shared_writes(code), code.start,
                                code.start + code.size)
    lines, refs, _ = shared_block(code, op, kernels.streams, 0, report)
    launch(kernels, Serial(), f"{op.name}__shared", control_args(common_args(code)), [*preamble(code), *lines], [],
           array_params(refs), bound=code_arguments(op, code))


def update_element(kernels: Kernels, op: Operation, number: int,
                   names: str = "_lio") -> tuple[list[str], list[str], list[str], frozenset[str]]:
    """A state update's lines before the elements and those for element ``_i`` (then, if a value is not finite,
    the run stops: ``_ctl``), their arguments and the arrays they store into."""
    hoisted, code = hoist_invariants(op.code, names)
    report = kernels.not_finite(op, number, stored_arrays(code) + shared_writes(code), code.start,
                                code.start + code.size)
    body, _ = element_body(code, op, kernels.streams, "_i", report=report)
    head = [INDENT + comment(op.comment), *preamble(code), *hoisted]
    return head, body, control_args(common_args(code)), array_params(stored_arrays(code))


def reset(kernels: Kernels, op: Operation, number: int) -> None:
    """One thread per element in the spike (event) list."""
    hoisted, code = hoist_invariants(op.code)
    report = kernels.not_finite(op, number, stored_arrays(code), code.start, code.start + code.size)
    body, _ = element_body(code, op, kernels.streams, "_i", report=report)
    launch(kernels, Events(code.size), op.name, control_args(common_args(code) + ["_spikes", "_nspikes"]),
           [*preamble(code), *hoisted], body, array_params(stored_arrays(code)),
           bound=code_arguments(op, code) | events(op))


def spike_monitor(kernels: Kernels, op: Operation, number: int) -> None:
    """One thread per spike of the monitored range (a contiguous run of the increasing spike list); a
    one-thread kernel then advances the record count."""
    details: SpikeMonitorDetails = op.details
    start, stop = details.range
    first, last = spikes_in_range(start, stop, details.source_size)
    body = [f"_mon_count[_i - {start}] += 1"]
    args, writes = ["_step", "_spikes", "_nspikes", "_mon_count"], {"_mon_count"}
    if details.record:
        body += ["_n = _mon_n[0] + _g", f"_mon_i[_n] = _i - {start}", f"_mon_t[_n] = {record_time(op)}"]
        args += ["_dt", "_mon_i", "_mon_t", "_mon_n"]
        writes |= {"_mon_i", "_mon_t"}
        for ref in details.variables:
            body.append(f"_rec_{ref.name}[_n] = _{ref.arg}[{'0' if ref.shared else '_i'}]")
            args += [f"_{ref.arg}", f"_rec_{ref.name}"]
            writes.add(f"_rec_{ref.name}")
    bound = clock(op) | events(op) | own(op, "_mon_", "i", "t", "n", "count")
    bound |= records(op, *(ref.name for ref in details.variables))
    launch(kernels, Events(stop - start, span=(first, last)), op.name, args + ["_ctl"], [], body, writes, bound=bound)
    if details.record:
        launch(kernels, Serial(), f"{op.name}__count", ["_spikes", "_nspikes", "_mon_n", "_ctl"], [],
               [f"_mon_n[0] += {last} - {first}"], {"_mon_n"}, bound=bound)


def state_monitor(kernels: Kernels, op: Operation, number: int) -> None:
    """One thread per recorded element; a one-thread kernel then stores the time and advances the count."""
    details: StateMonitorDetails = op.details
    head, body = [f"{INDENT}_r = _mon_n[0]"], ["_j = _indices[_g]"]
    args, writes = ["_step", "_indices", "_mon_n"], set()
    if op.code is not None:
        args = common_args(op.code) + args[1:]
        head += preamble(op.code)
        body += element_body(op.code, op, kernels.streams, "_j")[0]
        writes |= array_params(stored_arrays(op.code))
    for ref in details.variables:
        body.append(f"_rec_{ref.name}[_r, _g] = _{ref.arg}[{'0' if ref.shared else '_j'}]")
        args += [f"_{ref.arg}", f"_rec_{ref.name}"]
        writes.add(f"_rec_{ref.name}")
    if op.code is not None:
        for statement in op.code.statements:
            name = statement.target[len("_sub_"):]
            body.append(f"_rec_{name}[_r, _g] = _sub_{name}")
            args.append(f"_rec_{name}")
            writes.add(f"_rec_{name}")
    computed = [statement.target[len("_sub_"):] for statement in op.code.statements] if op.code is not None else []
    bound = clock(op) | constants(op.code, details.scalar_owner) | own(op, "_", "indices")
    bound |= own(op, "_mon_", "t", "n") | records(op, *(ref.name for ref in details.variables), *computed)
    launch(kernels, Elements(details.recorded, index="_g"), op.name, control_args(list(dict.fromkeys(args))), head,
           body, writes, bound=bound)
    launch(kernels, Serial(), f"{op.name}__step", ["_step", "_dt", "_mon_t", "_mon_n", "_ctl"], [],
           [f"_mon_t[_mon_n[0]] = {record_time(op)}", "_mon_n[0] += 1"], {"_mon_t", "_mon_n"}, bound=bound)


def summed_variable(kernels: Kernels, op: Operation, number: int) -> None:
    """One thread per target element sums over its synapses, in their order (as on the CPU)."""
    start, stop = op.details.range
    report = kernels.not_finite(op, number, [op.details.target], start, stop)
    head, per_target, args, writes, _ = summed_target(op, kernels.streams, "_g", report)
    launch(kernels, IncomingPerTarget(stop - start, "_g"), op.name, control_args(args), head, per_target, writes,
           bound=code_arguments(op, op.code))


def serial(kernels: Kernels, op: Operation, function: Function, reason: str) -> None:
    """``function``, the CPU's loop of ``op``, on one GPU thread, with a warning that names ``op`` and says
    ``reason`` (why it has no parallel version)."""
    warnings.warn(f"{reason}: on the GPU, its operation {readable(op.name)} (of '{op.owner}') runs on one thread, "
                  "in the CPU's order (correct, but slow when it has much to do)", stacklevel=3)
    launch(kernels, Serial(), function.name, control_args(function.args), function.lines, [], function.writes,
           bound=function.bound)


def spike_generator(kernels: Kernels, op: Operation, number: int) -> None:
    """The spikes of a step from the generator's table: one thread."""
    serial(kernels, op, input_templates.spike_generator(op, kernels.streams),
           f"the spike generator '{op.owner}' has no parallel GPU version")


def rate_monitor(kernels: Kernels, op: Operation, number: int) -> None:
    """The rate of a step from the spike list's length: one thread."""
    serial(kernels, op, templates.rate_monitor(op, kernels.streams),
           f"the population rate monitor '{op.owner}' has no parallel GPU version")
