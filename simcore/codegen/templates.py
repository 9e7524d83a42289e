"""The CPU's functions, one template per operation type: an Operation -> the source of one jitted function, the
per-element code of ``bodies`` in the loops of the operation's iteration domain (``cpu_launchers``), with the
steps around them (a threshold's blocks, a pathway's ring of delayed events). Every template takes the operation,
the random streams and whether its loop may run as prange (``registry``: the types that may; the others ignore
it).

Every function takes the step, time and dt first, then the arrays it uses (named
``_<owner>_<variable>``), then its run-time constants by their model names, so the
statements print exactly as the user wrote the names.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from simcore.codegen.bodies import (
    INDENT,
    RandomStreams,
    array_param,
    array_params,
    comment,
    common_args,
    element_body,
    error_names,
    hoist_invariants,
    on_spike,
    own_step,
    preamble,
    record_time,
    shared_block,
    spikes_in_range,
    stored_arrays,
    summed_target,
    zero,
)
from simcore.codegen.cpu_launchers import indented, loop
from simcore.codegen.domains import Elements, Events, IncomingPerTarget, Serial, SynapsesOfEvents
from simcore.codegen.handles import Handle, clock, code_arguments, constants, events, own, records
from simcore.codegen.runtime import kernel_options
from simcore.ir import (
    ArrayRef,
    ElementCode,
    Operation,
    PathwayDetails,
    RateMonitorDetails,
    SpikeMonitorDetails,
    event_flags,
)


@dataclass
class Function:
    """Generated source of one kernel function and the arguments the caller passes."""

    name: str
    lines: list[str]
    args: list[str]
    parallel: bool = False
    uses_random: bool = False
    error_vars: tuple[str, ...] = ()
    writes: frozenset[str] = field(kw_only=True)  # the arguments it stores into (``_err`` aside)
    bound: dict[str, Handle] = field(kw_only=True)  # what the network passes for parameters not passed as they are


def header(function: Function) -> list[str]:
    return [f"@njit({kernel_options(function.parallel)})", f"def {function.name}({', '.join(function.args)}):"]


def state_update(op: Operation, streams: RandomStreams, parallel: bool) -> Function:
    hoisted, code = hoist_invariants(op.code)
    writes = stored_arrays(code)
    shared, shared_refs, shared_random = shared_block(code, op, streams, len(writes) + 1)
    body, random = element_body(code, op, streams, "_i", check_finite="count")
    body = body or ["pass"]  # e.g. dv/dt = 0: nothing changes
    lines = [INDENT + comment(op.comment), *preamble(code), *shared, *hoisted, f"{INDENT}_nonfinite = 0",
             *loop(Elements(code.size, code.start), body, parallel)]
    lines += finite_rescan(writes, _element_range(code))
    return Function(op.name, lines, common_args(code), parallel, random or shared_random,
                    error_names(writes + shared_refs), writes=array_params(writes + shared_refs),
                    bound=code_arguments(op, code))


def _element_range(code: ElementCode) -> str:
    return f"{code.start}, {code.start + code.size}" if code.start else str(code.size)


def finite_rescan(writes: list[ArrayRef], elements: str | None, first: int = 1) -> list[str]:
    """After a loop that stored a NaN or inf (``_nonfinite`` not 0): the first one among ``elements`` (None: all
    of each array), into ``_err`` (variable number, counted from ``first``; element)."""
    lines = [f"{INDENT}if _nonfinite:"]
    for number, ref in enumerate(writes, start=first):
        if ref.dtype.startswith("float"):
            lines += [f"{INDENT * 2}for _i in range({elements or f'{array_param(ref)}.shape[0]'}):",
                      f"{INDENT * 3}if not math.isfinite({array_param(ref)}[_i]):",
                      f"{INDENT * 4}_err[0] = {number}", f"{INDENT * 4}_err[1] = _i", f"{INDENT * 4}return"]
    return lines if len(lines) > 1 else []


THRESHOLD_BLOCKS = 64


def threshold(op: Operation, streams: RandomStreams, parallel: bool = False) -> Function:
    """Elements meeting the condition, in increasing order, into ``_spikes[:_nspikes[0]]``.

    In parallel, each of THRESHOLD_BLOCKS contiguous blocks of elements writes its events at
    the start of its own range of ``_spikes``; a serial pass then moves them together, in
    block order, so the list is the same as the serial one.
    """
    hoisted, code = hoist_invariants(op.code)
    body, random = element_body(code, op, streams, "_i")
    on_event, refractory = on_spike(op, ["_spikes[_n] = _i", "_n += 1"])
    lines = [INDENT + comment(f"threshold: {op.source}"), *preamble(code), *hoisted]
    if op.details.every is not None:  # a few elements: in order, on one thread
        first, step = op.details.every
        lines += [f"{INDENT}_n = 0", f"{INDENT}for _i in range({first}, {code.size}, {step}):",
                  *(INDENT * 2 + line for line in body + on_event), f"{INDENT}_nspikes[0] = _n"]
    elif random:
        # random draws vectorise (5x faster, measured) in a loop without the compacting branch: first the
        # condition of every element into _spikes[i], then the compaction, in place (_n <= _i)
        lines += loop(Elements(code.size), [*body, "_spikes[_i] = _spike"], parallel)
        lines += [f"{INDENT}_n = 0", *loop(Elements(code.size), ["_spike = _spikes[_i]", *on_event])]
        lines.append(f"{INDENT}_nspikes[0] = _n")
    elif not parallel:
        lines += [f"{INDENT}_n = 0", *loop(Elements(code.size), body + on_event)]
        lines.append(f"{INDENT}_nspikes[0] = _n")
    else:  # not a domain of its own: the blocks' spikes are then moved together
        lines += _in_blocks(code.size, 1, ["for _i in range(_first, _stop):", *indented(body + on_event, 1)])
    return Function(op.name, lines, common_args(code) + ["_spikes", "_nspikes"], parallel, random,
                    writes=array_params(stored_arrays(code)) | refractory | {"_spikes", "_nspikes"},
                    bound=code_arguments(op, code) | events(op))


def _in_blocks(units: int, unit: int, scan: list[str]) -> list[str]:
    """``scan`` (lines finding the events of elements ``_first`` to ``_stop - 1`` in order) over THRESHOLD_BLOCKS
    contiguous blocks of ``units`` runs of ``unit`` elements, in parallel: each block writes its events at the
    start of its own range of ``_spikes``, which begins at its first element (an event is never written after
    the element it is for); a serial pass then moves them together, in block order, so the list is the same
    as the serial one."""
    blocks = THRESHOLD_BLOCKS
    first = f"_b * {units} // {blocks}" if unit == 1 else f"{unit} * (_b * {units} // {blocks})"
    stop = f"(_b + 1) * {units} // {blocks}" if unit == 1 else f"{unit} * ((_b + 1) * {units} // {blocks})"
    return [f"{INDENT}_counts = np.zeros({blocks}, dtype=np.int64)",
            f"{INDENT}for _b in prange({blocks}):",
            f"{INDENT * 2}_first, _stop = {first}, {stop}",
            f"{INDENT * 2}_n = _first",
            *indented(scan, 2),
            f"{INDENT * 2}_counts[_b] = _n - _first",
            f"{INDENT}_n = _counts[0]",
            f"{INDENT}for _b in range(1, {blocks}):",
            f"{INDENT * 2}_start = {first}",
            f"{INDENT * 2}for _k in range(_counts[_b]):",
            f"{INDENT * 3}_spikes[_n + _k] = _spikes[_start + _k]",
            f"{INDENT * 2}_n += _counts[_b]",
            f"{INDENT}_nspikes[0] = _n"]


FLAG_RUN = 8  #: threshold flags (bytes) read at once to skip runs without events


def flags_size(size: int) -> int:
    """The length of the flag array of a threshold over ``size`` elements: whole runs of FLAG_RUN (the last
    run's extra flags stay 0)."""
    return -(-size // FLAG_RUN) * FLAG_RUN


def state_update_and_threshold(update: Operation, threshold: Operation, streams: RandomStreams,
                               parallel: bool) -> Function:
    """A state update and its group's threshold (``fusion.fusions``) in one loop over the elements: each
    element's new values are stored, its condition evaluated on them (loaded again: a value stored under a
    condition, as ``(unless refractory)``, may not have changed) and flagged (``ir.event_flags``); then the elements
    flagged are listed in increasing order (runs of FLAG_RUN flags read as one word, most of them 0), as the
    threshold alone lists them. The group's memory is read once a step, not twice, and the test is part of a
    loop that vectorises; a NaN or inf stored stops the step before any event is listed."""
    hoisted, code = hoist_invariants(update.code)
    writes = stored_arrays(code)
    shared, shared_refs, shared_random = shared_block(code, update, streams, len(writes) + 1)
    body, random = element_body(code, update, streams, "_i", check_finite="count")
    condition_hoisted, condition = hoist_invariants(threshold.code, "_lit")
    test, test_random = element_body(condition, threshold, streams, "_i")
    head = [INDENT + comment(update.comment), *preamble(code), *shared, *hoisted]
    head += [line for line in preamble(condition) + condition_hoisted if line not in head]
    on_event, refractory = on_spike(threshold, ["_spikes[_n] = _i", "_n += 1"])
    flags = event_flags(threshold)
    scan = [f"for _w in range(_first // {FLAG_RUN}, _stop // {FLAG_RUN}):",
            f"{INDENT}if _runs[_w]:",
            f"{INDENT * 2}for _i in range({FLAG_RUN} * _w, {FLAG_RUN} * _w + {FLAG_RUN}):",
            f"{INDENT * 3}_spike = {flags}[_i]", *indented(on_event, 3)]
    runs = flags_size(code.size) // FLAG_RUN
    lines = [*head, f"{INDENT}_nonfinite = 0",
             *loop(Elements(code.size), [*body, *test, f"{flags}[_i] = _spike"], parallel),
             *finite_rescan(writes, _element_range(code)), f"{INDENT}_runs = {flags}.view(np.uint64)"]
    if parallel:
        lines += _in_blocks(runs, FLAG_RUN, scan)
    else:
        lines += [f"{INDENT}_first, _stop, _n = 0, {FLAG_RUN * runs}, 0", *indented(scan, 1),
                  f"{INDENT}_nspikes[0] = _n"]
    args = list(dict.fromkeys(common_args(code) + common_args(condition) + ["_spikes", "_nspikes", flags]))
    writes_all = array_params(writes + shared_refs) | array_params(stored_arrays(condition)) | refractory
    return Function(f"{update.name}__and_threshold", lines, args, parallel, random or shared_random or test_random,
                    error_names(writes + shared_refs), writes=writes_all | {"_spikes", "_nspikes", flags},
                    bound=code_arguments(update, code) | code_arguments(threshold, condition) | events(threshold))


def reset(op: Operation, streams: RandomStreams, parallel: bool = False, report: list[str] | None = None) -> Function:
    """``code`` for each element in the spike (event) list; a NaN or inf it stores runs ``report`` (default:
    flags it, and after the loop the first such element goes into ``_err``)."""
    hoisted, code = hoist_invariants(op.code)
    body, random = element_body(code, op, streams, "_i", "" if report else "sum", report)
    lines = [*preamble(code), *hoisted, f"{INDENT}_nonfinite = {zero(code)}", *loop(Events(code.size), body)]
    writes = stored_arrays(code)
    lines += [] if report else finite_rescan(writes, _element_range(code))
    return Function(op.name, lines, common_args(code) + ["_spikes", "_nspikes"], False, random,
                    error_names(writes), writes=array_params(writes), bound=code_arguments(op, code) | events(op))


def spike_monitor(op: Operation, streams: RandomStreams, parallel: bool = False) -> Function:
    details: SpikeMonitorDetails = op.details
    start, stop = details.range
    record = [f"_mon_count[_i - {start}] += 1"]
    args = ["_step", "_dt", "_spikes", "_nspikes", "_mon_i", "_mon_t", "_mon_n", "_mon_count"]
    writes = {"_mon_count", "_mon_n"}
    if details.record:
        record += [f"_mon_i[_n] = _i - {start}", f"_mon_t[_n] = {record_time(op)}"]
        writes |= {"_mon_i", "_mon_t"}
        for ref in details.variables:
            source = f"_{ref.arg}[0]" if ref.shared else f"_{ref.arg}[_i]"
            record.append(f"_rec_{ref.name}[_n] = {source}")
            args += [f"_{ref.arg}", f"_rec_{ref.name}"]
            writes.add(f"_rec_{ref.name}")
        record.append("_n += 1")
    body = [f"if {start} <= _i < {stop}:", *indented(record, 1)]  # the whole list: in the source's order
    lines = [f"{INDENT}_n = _mon_n[0]", *loop(Events(stop - start), body), f"{INDENT}_mon_n[0] = _n"]
    bound = clock(op) | events(op) | own(op, "_mon_", "i", "t", "n", "count")
    return Function(op.name, lines, args, writes=frozenset(writes),
                    bound=bound | records(op, *(ref.name for ref in details.variables)))


def state_monitor(op: Operation, streams: RandomStreams, parallel: bool = False) -> Function:
    """Stored variables are copied; subexpressions (``op.code``: ``_sub_<name> = expr``) are computed."""
    variables = op.details.variables
    lines = [f"{INDENT}_r = _mon_n[0]", f"{INDENT}_mon_t[_r] = {record_time(op)}"]
    args = ["_step", "_dt", "_indices", "_mon_t", "_mon_n"]
    writes = {"_mon_t", "_mon_n"}
    computed = ()
    if op.code is not None:
        args = common_args(op.code) + args[2:]
        lines += preamble(op.code)
        computed = tuple(s.target[len("_sub_"):] for s in op.code.statements)
    body = ["_j = _indices[_k]"]
    if op.code is not None:
        body += element_body(op.code, op, streams, "_j")[0]
        writes |= array_params(stored_arrays(op.code))
    for ref in variables:
        source = f"_{ref.arg}[0]" if ref.shared else f"_{ref.arg}[_j]"
        body.append(f"_rec_{ref.name}[_r, _k] = {source}")
        if f"_{ref.arg}" not in args:
            args.append(f"_{ref.arg}")
        args.append(f"_rec_{ref.name}")
        writes.add(f"_rec_{ref.name}")
    for name in computed:
        body.append(f"_rec_{name}[_r, _k] = _sub_{name}")
        args.append(f"_rec_{name}")
        writes.add(f"_rec_{name}")
    lines += [*loop(Elements("_indices.shape[0]", index="_k"), body), f"{INDENT}_mon_n[0] = _r + 1"]
    bound = clock(op) | constants(op.code, op.details.scalar_owner) | own(op, "_", "indices")
    bound |= own(op, "_mon_", "t", "n") | records(op, *(ref.name for ref in variables), *computed)
    return Function(op.name, lines, args, writes=frozenset(writes), bound=bound)


def rate_monitor(op: Operation, streams: RandomStreams, parallel: bool = False) -> Function:
    details: RateMonitorDetails = op.details
    start, stop = details.range
    first, last = spikes_in_range(start, stop, details.source_size)
    lines = loop(Serial(), ["_r = _mon_n[0]", f"_count = {last} - {first}",
                            f"_mon_rate[_r] = _count / ({stop - start} * _dt)", f"_mon_t[_r] = {record_time(op)}",
                            "_mon_n[0] = _r + 1"])
    return Function(op.name, lines, ["_step", "_dt", "_spikes", "_nspikes", "_mon_rate", "_mon_t", "_mon_n"],
                    writes=frozenset(("_mon_rate", "_mon_t", "_mon_n")),
                    bound=clock(op) | events(op) | own(op, "_mon_", "rate", "t", "n"))


def synaptic_pathway(op: Operation, streams: RandomStreams, parallel: bool = False,
                     report: list[str] | None = None) -> Function:
    """``code`` for each synapse whose presynaptic event arrives in this step (a NaN or inf it stores: as in
    ``reset``; the first one in each written array, of synapses or neurons, goes into ``_err``).

    Without delays the events are this step's. With delays, the events of the last ``slots``
    steps are kept in a ring (``_hist``, element numbers of each step, ``_hist_start``/``_hist_count``
    per step slot); an event of step n reaches the synapses with delay d at step n + d (steps of the
    synapses' own clock).
    Synapses are grouped by target block, then by triggering element (CSR: ``_ptr``, ``_syn``),
    then by delay when delays differ (``_dsorted``). Blocks write disjoint targets, so they run in
    parallel; each target still receives its events in the serial order (same results).
    """
    details: PathwayDetails = op.details
    hoisted, code = hoist_invariants(op.code)
    body, random = element_body(code, op, streams, "_s", "" if report else "sum", report)
    writes = stored_arrays(code)
    rescan = [] if report else finite_rescan(writes, None)
    start_sum = [] if report else [f"{INDENT}_nonfinite = {zero(code)}"]
    prefix = details.prefix
    args = common_args(code) + ["_spikes", "_nspikes", f"{prefix}_ptr"]
    args += [f"{prefix}_syn"] if details.indirect else []
    args += [f"{prefix}_dsorted"] if details.delays == "heterogeneous" else []
    lines = [INDENT + comment(op.comment), *preamble(code), *hoisted, *start_sum]
    synapses = loop(SynapsesOfEvents(details, "_own"), body, parallel)
    if details.delays == "none":
        return Function(op.name, lines + synapses + rescan, args, parallel, random, error_names(writes),
                        writes=array_params(writes), bound=code_arguments(op, code) | events(op))
    ring = [f"{prefix}_hist", f"{prefix}_hist_start", f"{prefix}_hist_count", f"{prefix}_hist_head"]
    return Function(op.name, lines + _push_events(op, ring) + synapses + rescan, args + ring, parallel, random,
                    error_names(writes), writes=array_params(writes) | set(ring),
                    bound=code_arguments(op, code) | events(op))


def _push_events(op: Operation, ring: list[str]) -> list[str]:
    """Before the synapses (a step of its own, not a domain): this step's events into the ring of past events
    (its slot ``_own`` modulo the slots, ``_capacity`` long)."""
    details: PathwayDetails = op.details
    start, stop = details.range
    in_range = [] if details.whole_source else [f"if 0 <= _src < {stop - start}:"]
    push = [*in_range, *indented([f"{ring[0]}[(_head + _n) % _capacity] = _src", "_n += 1"], len(in_range))]
    return [f"{INDENT}_own = {own_step(op)}", f"{INDENT}_slot = _own % {details.slots}",
            f"{INDENT}_head = {ring[3]}[0]", f"{INDENT}_capacity = {ring[0]}.shape[0]", f"{INDENT}_n = 0",
            *loop(Events(details.sources, "_src", start), push),
            f"{INDENT}{ring[1]}[_slot] = _head", f"{INDENT}{ring[2]}[_slot] = _n", f"{INDENT}{ring[3]}[0] = _head + _n"]


def summed_variable(op: Operation, streams: RandomStreams, parallel: bool = False) -> Function:
    """The target variable of each element = the sum of ``_summed`` over the synapses onto it, gathered
    per target (CSR by target, synapses in increasing order: the serial order, on any thread count)."""
    start, stop = op.details.range
    target = op.details.target
    head, per_target, args, writes, random = summed_target(op, streams, "_t")
    lines = [*head, f"{INDENT}_nonfinite = 0.0", *loop(IncomingPerTarget(stop - start, "_t"), per_target, parallel),
             *finite_rescan([target], f"{start}, {stop}")]
    return Function(op.name, lines, args, parallel, random, error_names([target]), writes=writes,
                    bound=code_arguments(op, op.code))
