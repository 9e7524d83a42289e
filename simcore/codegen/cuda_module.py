"""A network's operations -> the source of a numba.cuda module.

Each operation becomes one or a few device functions; the element code in them (loads, the model's
statements, random draws, stores) comes from the same templates as the CPU's. What differs is how
elements map to GPU threads:

- state updates and ``run_regularly``: one thread per element;
- thresholds: one thread per element, in the same function as the group's state update (``_fusions``:
  one pass over the group's memory, one launch or grid barrier less), flags a spike and counts it for its
  run of ``RUN`` elements and its group of runs (atomic additions: spikes are rare); one block scans the
  groups' counts; one thread per run with spikes finds its offset and writes them there, so the spike list
  is in increasing order, as on the CPU;
- resets, spike and state monitors: one thread per spike or recorded element (then one thread advances
  the record count); summed variables: one thread per target;
- synaptic pathways: blocks take the arriving events, their threads the events' synapses; what they add
  to neuron variables goes through atomic additions (``_as_increments``); pathway code that does more than
  add to neuron variables, spike generators and rate monitors run the CPU template's loop on one thread.

Two ways to run them, both in the module: ``run_chunk``, a host loop launching one kernel per device
function and step, and ``run_chunk_fused``, which launches ``run_steps`` once per chunk: a cooperative
kernel in which every thread of the grid goes through the steps, with a grid-wide barrier where a device
function needs what an earlier one wrote (``_Barriers``). ``profile_chunk`` is ``run_chunk`` with each
operation timed.

Device control (``_ctl``, int64, ``control_array()``): ``[0]`` the step at which the run must stop (-1: none),
``[1]`` why (a status of ``simcore.codegen.module``), ``[2]`` the number of the operation that stored a
value that is not finite (NaN or inf), ``[3]`` the step in which it did. Only ``_step_checks``, at the start of a step,
stores ``[0]``: it stops the chunk there when the step's records might not fit the monitors' buffers or the
rings of delayed events (the state is then the one at the start of that step, and the run goes on from there
once the buffers grew), or when a value was not finite in the step before (an error; the rest of that step
ran). Launches store no stop into ``[0]``, so the fused kernel reads it after one barrier, not two.
"""

from __future__ import annotations

import hashlib
import warnings
from dataclasses import dataclass, replace

import numba
import numpy as np
import sympy

from simcore.codegen import input_templates, templates
from simcore.codegen.module import (
    STATUS_BUFFER_FULL,
    STATUS_DONE,
    STATUS_NOT_FINITE,
    Source,
    call_argument,
    capacity_check,
)
from simcore.codegen.runtime import cuda_runtime_lines
from simcore.codegen.templates import (
    INDENT,
    RandomStreams,
    _common_args,
    _element_body,
    _own_step,
    _preamble,
    _writes,
    array_param,
    array_params,
    comment,
    error_names,
    hoist_invariants,
    on_spike,
    record_time,
    shared_block,
    shared_writes,
    spikes_in_range,
    summed_target,
)
from simcore.ir import (
    ArrayRef,
    ElementCode,
    Operation,
    PathwayDetails,
    SpikeMonitorDetails,
    StateMonitorDetails,
    ThresholdDetails,
)

THREADS = 128  #: threads per block
RUN = 32  #: elements per thread in a threshold
POLL = 64  #: steps between two looks at ``_ctl`` from the host (each one waits for the GPU)


def control_array() -> np.ndarray:
    """A fresh ``_ctl`` (on the host): no stop, no value found not finite."""
    return np.array([-1, STATUS_DONE, -1, -1], dtype=np.int64)


def halt(control: np.ndarray) -> tuple[int, int, int]:
    """From ``_ctl`` after a chunk: the step at which the run stopped (-1: none), why, and the number of the
    operation that stored a value not finite (its stop may not have been moved into ``[0]``: the chunk
    ended with that step)."""
    step, status, number, not_finite = (int(v) for v in control)
    return (not_finite if step < 0 else step), status, number


def _control_args(args: list[str]) -> list[str]:
    """The CPU's arguments with the error array replaced by the control array (always present)."""
    args = ["_ctl" if a == "_err" else a for a in args]
    return args if "_ctl" in args else [*args, "_ctl"]


@dataclass(frozen=True)
class _Launch:
    """One device function of a step: over ``threads`` elements (one GPU thread each), or, with ``threads``
    None, on one thread, or with every thread of a ``shape``d grid taking part (pathways)."""

    name: str
    args: tuple[str, ...]
    threads: int | None
    shape: str | None = None
    written: frozenset[str] = frozenset()  # the arguments its code stores into (``_ctl`` aside: see _Barriers)
    block: bool = False  # the threads of one block (shared memory, barriers): block 0 of the fused grid


class _Kernels:
    """The kernels of one operation and the launches of one step."""

    def __init__(self, streams: RandomStreams):
        self.streams = streams
        self.lines: list[str] = []
        self.launches: list[_Launch] = []
        self.work: dict[str, str] = {}  # device work arrays: name -> allocation
        self.error_vars: dict[str, tuple] = {}  # as the CPU's: (owner, variable) of what an operation stores
        self.error_arrays: dict[int, tuple] = {}  # operation number -> (array, first, last + 1 or None) per store

    def add(self, name: str, args: list[str], lines: list[str], writes: frozenset[str] | set[str],
            threads: int | None, shape: str | None = None, block: bool = False) -> None:
        """A device function storing into ``writes`` for ``threads`` elements (``_g``: the element; 0: nothing to
        do), or (None) for one thread, or for every thread of a grid of ``shape``, or (``block``) for the threads
        of one block."""
        if threads == 0:
            return
        params = ["_g", *args] if threads is not None else args
        self.lines += ["@cuda.jit(device=True)", f"def {name}({', '.join(params)}):", *lines, "", ""]
        self.launches.append(_Launch(name, tuple(args), threads, shape, frozenset(writes), block))

    def operation(self, op: Operation, number: int, update: tuple[Operation, int] | None = None) -> None:
        """The launches of ``op``; for a threshold, with ``update`` (its group's state update and number) in
        the same threads first."""
        kind = op.kind
        if kind in ("state_update", "regular"):
            self._shared_statements(op, number)
            lines, args, writes = self._update_element(op, number)
            self.add(op.name, args, lines, writes, op.code.size if op.code.statements else 0)
        elif kind == "threshold":
            self._threshold(op, update)
        elif kind == "reset":
            self._reset(op, number)
        elif kind == "spike_monitor":
            self._spike_monitor(op)
        elif kind == "state_monitor":
            self._state_monitor(op)
        elif kind == "summed_variable":
            self._summed_variable(op, number)
        elif kind == "synaptic_pathway" and (increments := _as_increments(op.code, op.owner)) is not None:
            self._pathway(op, number, *increments)
        else:
            if kind == "synaptic_pathway":
                warnings.warn(f"the {op.comment} (Synapses '{op.owner}') changes neuron variables other than by "
                              "adding to them, or reads one its synapses change: on the GPU it runs on one thread, "
                              "in the CPU's order (correct, but slow for many synapses)", stacklevel=2)
            self._serial(op, number)

    def _not_finite(self, op: Operation, number: int, writes: list[ArrayRef], start: int = 0,
                    stop: int | None = None) -> list[str]:
        """The lines that stop the run after this step when ``op`` stores a NaN or inf; the host then looks for
        the first one in each written array, from element ``start`` to ``stop`` (None: the end), as the CPU."""
        self.error_vars[op.name] = error_names(writes)
        self.error_arrays[number] = tuple((array_param(ref), 0, 1) if ref.shared else (array_param(ref), start, stop)
                                          for ref in writes)
        return [f"_ctl[1] = {STATUS_NOT_FINITE}", f"_ctl[2] = {number}", "_ctl[3] = _step"]

    def _shared_statements(self, op: Operation, number: int) -> None:
        """The statements of a run_regularly that set shared variables: once per step, on one thread, before its
        per-element launch."""
        code = op.code
        if not code.shared_statements:
            return
        report = self._not_finite(op, number, _writes(code) + shared_writes(code), code.start, code.start + code.size)
        lines, refs, _ = shared_block(code, op, self.streams, 0, report)
        self.add(f"{op.name}__shared", _control_args(_common_args(code)), [*_preamble(code), *lines],
                 array_params(refs), None)

    def _update_element(self, op: Operation, number: int,
                        names: str = "_lio") -> tuple[list[str], list[str], frozenset[str]]:
        """A state update's lines for element ``_g`` (then, if a value is not finite, the run stops: ``_ctl``),
        their arguments and the arrays they store into."""
        hoisted, code = hoist_invariants(op.code, names)
        report = self._not_finite(op, number, _writes(code) + shared_writes(code), code.start, code.start + code.size)
        body, _ = _element_body(code, op, self.streams, "_i", report=report)
        lines = [INDENT + comment(op.comment), f"{INDENT}_i = _g + {code.start}" if code.start else f"{INDENT}_i = _g",
                 *_preamble(code), *hoisted, *[INDENT + line for line in body]]
        return lines, _control_args(_common_args(code)), array_params(_writes(code))

    def _threshold(self, op: Operation, update: tuple[Operation, int] | None) -> None:
        """One thread per element (after the group's state update, when ``update`` is given) marks a spike in
        ``flags`` and counts it for its run of ``RUN`` elements and for its group of runs; one block scans the
        groups' counts into offsets and the spike count; one thread per run with spikes adds the counts of
        the runs before it in its group to the group's offset and writes its spikes there, in order.

        A run's count is read by the later runs of its group in the same launch, so no thread can clear it
        there: counts alternate between two rows by the step's parity, and a run clears its row of the step
        before."""
        hoisted, code = hoist_invariants(op.code, "_lit")
        body, _ = _element_body(code, op, self.streams, "_i")
        runs, group = -(-code.size // RUN), _runs_per_group()
        groups = -(-runs // group)
        flags, counts, totals, offsets, partial = (f"_{op.name}__{part}" for part in
                                                   ("flags", "counts", "totals", "offsets", "partial"))
        on_event, refractory = on_spike(op, [f"{flags}[_i] = 1",
                                             f"cuda.atomic.add({counts}, (_step % 2, _i // {RUN}), 1)",
                                             f"cuda.atomic.add({totals}, _i // {RUN * group}, 1)"])
        head = [f"{INDENT}_i = _g", *_preamble(code)]
        lines = [*hoisted, *[INDENT + line for line in body + on_event]]
        args = _control_args(_common_args(code) + [flags, counts, totals])
        writes = array_params(_writes(code)) | refractory | {flags, counts, totals}
        name = op.name
        if update is not None:
            update_lines, update_args, update_writes = self._update_element(*update)
            head = [line for line in head if line not in update_lines]  # the index and clock: set already
            lines, args = update_lines + head + lines, list(dict.fromkeys(update_args + args))
            writes |= update_writes
            name = f"{update[0].name}__and_threshold"
        else:
            lines = head + lines
        self.add(name, args, lines, writes, code.size)
        self.add(f"{op.name}__count", ["_nspikes", totals, offsets, partial, "_ctl"],
                 _scan(totals, offsets, partial, groups), {"_nspikes", totals, offsets, partial}, None,
                 shape=f"1, {max(1, min(THREADS, groups))}", block=True)
        self.add(f"{op.name}__gather", ["_step", "_spikes", flags, counts, offsets, "_ctl"],
                 [f"{INDENT}_row = _step % 2", f"{INDENT}{counts}[1 - _row, _g] = 0",
                  f"{INDENT}if {counts}[_row, _g] == 0:", f"{INDENT * 2}return",
                  f"{INDENT}_k = {offsets}[_g // {group}]", f"{INDENT}for _r in range(_g - _g % {group}, _g):",
                  f"{INDENT * 2}_k += {counts}[_row, _r]",
                  f"{INDENT}for _i in range(_g * {RUN}, min(_g * {RUN} + {RUN}, {code.size})):",
                  f"{INDENT * 2}if {flags}[_i]:", f"{INDENT * 3}_spikes[_k] = _i", f"{INDENT * 3}_k += 1",
                  f"{INDENT * 3}{flags}[_i] = 0"], {"_spikes", flags, counts}, runs)
        self.work.update({flags: f"cuda.to_device(np.zeros({max(code.size, 1)}, dtype=np.int8))",
                          counts: f"cuda.to_device(np.zeros((2, {max(runs, 1)}), dtype=np.int32))",
                          totals: f"cuda.to_device(np.zeros({max(groups, 1)}, dtype=np.int32))",
                          offsets: f"cuda.device_array({max(groups, 1)}, dtype=np.int32)",
                          partial: f"cuda.device_array({THREADS}, dtype=np.int64)"})

    def _reset(self, op: Operation, number: int) -> None:
        hoisted, code = hoist_invariants(op.code)
        report = self._not_finite(op, number, _writes(code), code.start, code.start + code.size)
        body, _ = _element_body(code, op, self.streams, "_i", report=report)
        lines = [*_preamble(code), *hoisted, f"{INDENT}if _g >= _nspikes[0]:", f"{INDENT * 2}return",
                 f"{INDENT}_i = _spikes[_g]", *[INDENT + line for line in body]]
        self.add(op.name, _control_args(_common_args(code) + ["_spikes", "_nspikes"]), lines,
                 array_params(_writes(code)), code.size)

    def _spike_monitor(self, op: Operation) -> None:
        """One thread per spike of the monitored range (a contiguous run of the increasing spike list); a
        one-thread kernel then advances the record count."""
        details: SpikeMonitorDetails = op.details
        start, stop = details.range
        first, last = spikes_in_range(start, stop, details.source_size)
        lines = [f"{INDENT}_first = {first}", f"{INDENT}if _first + _g >= {last}:", f"{INDENT * 2}return",
                 f"{INDENT}_i = _spikes[_first + _g]", f"{INDENT}_mon_count[_i - {start}] += 1"]
        args, writes = ["_step", "_spikes", "_nspikes", "_mon_count"], {"_mon_count"}
        if details.record:
            lines += [f"{INDENT}_n = _mon_n[0] + _g", f"{INDENT}_mon_i[_n] = _i - {start}",
                      f"{INDENT}_mon_t[_n] = {record_time(op)}"]
            args += ["_dt", "_mon_i", "_mon_t", "_mon_n"]
            writes |= {"_mon_i", "_mon_t"}
            for ref in details.variables:
                lines.append(f"{INDENT}_rec_{ref.name}[_n] = _{ref.arg}[{'0' if ref.shared else '_i'}]")
                args += [f"_{ref.arg}", f"_rec_{ref.name}"]
                writes.add(f"_rec_{ref.name}")
        self.add(op.name, args + ["_ctl"], lines, writes, stop - start)
        if details.record:
            self.add(f"{op.name}__count", ["_spikes", "_nspikes", "_mon_n", "_ctl"],
                     [f"{INDENT}_mon_n[0] += {last} - {first}"], {"_mon_n"}, None)

    def _state_monitor(self, op: Operation) -> None:
        """One thread per recorded element; a one-thread kernel then stores the time and advances the count."""
        details: StateMonitorDetails = op.details
        lines = [f"{INDENT}_r = _mon_n[0]", f"{INDENT}_j = _indices[_g]"]
        args, writes = ["_step", "_indices", "_mon_n"], set()
        if op.code is not None:
            args = _common_args(op.code) + args[1:]
            body, _ = _element_body(op.code, op, self.streams, "_j")
            lines += _preamble(op.code) + [INDENT + line for line in body]
            writes |= array_params(_writes(op.code))
        for ref in details.variables:
            lines.append(f"{INDENT}_rec_{ref.name}[_r, _g] = _{ref.arg}[{'0' if ref.shared else '_j'}]")
            args += [f"_{ref.arg}", f"_rec_{ref.name}"]
            writes.add(f"_rec_{ref.name}")
        if op.code is not None:
            for statement in op.code.statements:
                name = statement.target[len("_sub_"):]
                lines.append(f"{INDENT}_rec_{name}[_r, _g] = _sub_{name}")
                args.append(f"_rec_{name}")
                writes.add(f"_rec_{name}")
        self.add(op.name, _control_args(list(dict.fromkeys(args))), lines, writes, details.recorded)
        self.add(f"{op.name}__step", ["_step", "_dt", "_mon_t", "_mon_n", "_ctl"],
                 [f"{INDENT}_mon_t[_mon_n[0]] = {record_time(op)}", f"{INDENT}_mon_n[0] += 1"], {"_mon_t", "_mon_n"},
                 None)

    def _summed_variable(self, op: Operation, number: int) -> None:
        """One thread per target element sums over its synapses, in their order (as on the CPU)."""
        start, stop = op.details.range
        report = self._not_finite(op, number, [op.details.target], start, stop)
        head, per_target, args, writes, _ = summed_target(op, self.streams, "_g", report)
        self.add(op.name, _control_args(args), head + per_target, writes, stop - start)

    def _pathway(self, op: Operation, number: int, increments: list[tuple[str, str]], code: ElementCode) -> None:
        """Blocks take the arriving events in turn (several blocks per event when there are fewer events than
        blocks), their threads the event's synapses; what the synapses add
        to neuron variables (``increments``: (temporary, variable), computed by ``code``) goes through atomic
        additions (the order of the additions, and so the last bits of the sums, may differ from the CPU's)."""
        details: PathwayDetails = op.details
        prefix, (start, stop), slots = details.prefix, details.range, details.slots
        hoisted, code = hoist_invariants(code)
        report = self._not_finite(op, number, _writes(op.code))
        body, _ = _element_body(code, op, self.streams, "_s", report=report)
        refs = {ref.local_name: ref for ref in op.code.arrays}
        conditions = dict(code.conditions)
        writes = array_params(_writes(code) + [refs[variable] for _, variable in increments])
        for local, variable in increments:
            ref = refs[variable]
            add = [f"_old = cuda.atomic.add({array_param(ref)}, {ref.element('_s')}, {local})"]
            if ref.dtype.startswith("float"):  # the sum it stored: the value before it, plus this one
                add += [f"if not math.isfinite(_old + {local}):", *[INDENT + line for line in report]]
            body += [f"if {conditions[variable]}:", *[INDENT + line for line in add]] if variable in conditions \
                else add
        blocks, threads = _pathway_shape()
        synapse = [f"_s = {prefix}_syn[_p]" if details.indirect else "_s = _p", *body]
        args = _common_args(code) + ["_spikes", "_nspikes", f"{prefix}_ptr"]
        args += [f"{prefix}_syn"] if details.indirect else []
        events = spikes_in_range(start, stop, details.source_size)
        lines = [INDENT + comment(op.comment), *_preamble(code), *hoisted]
        if details.delays == "none":
            lines += [f"{INDENT}_first = {events[0]}", *_blocks_per_event(f"{events[1]} - _first", 1),
                      f"{INDENT * 2}_src = _spikes[_first + _k] - {start}",
                      f"{INDENT * 2}_lo = {prefix}_ptr[_src]", f"{INDENT * 2}_hi = {prefix}_ptr[_src + 1]",
                      *_synapses_of_event(synapse, 2)]
            self.add(op.name, _control_args(args), lines, writes, None, shape=f"{blocks}, {threads}")
            return
        ring = [f"{prefix}_hist", f"{prefix}_hist_start", f"{prefix}_hist_count", f"{prefix}_hist_head"]
        self._push_events(op, events, ring)
        heterogeneous = details.delays == "heterogeneous"
        args += [f"{prefix}_dsorted"] if heterogeneous else []
        delays = f"range({slots - 1}, -1, -1)" if heterogeneous else f"({details.steps},)"
        lines += [f"{INDENT}_capacity = {ring[0]}.shape[0]", f"{INDENT}for _d in {delays}:",
                  f"{INDENT * 2}_from = ({_own_step(op)} - _d) % {slots}", f"{INDENT * 2}_first = {ring[1]}[_from]",
                  *_blocks_per_event(f"{ring[2]}[_from]", 2),
                  f"{INDENT * 3}_src = {ring[0]}[(_first + _k) % _capacity]",
                  f"{INDENT * 3}_lo = {prefix}_ptr[_src]", f"{INDENT * 3}_hi = {prefix}_ptr[_src + 1]"]
        if heterogeneous:
            lines += [f"{INDENT * 3}_hi = _search_sorted({prefix}_dsorted, _lo, _hi, _d, True)",
                      f"{INDENT * 3}_lo = _search_sorted({prefix}_dsorted, _lo, _hi, _d, False)"]
        lines += _synapses_of_event(synapse, 3)
        self.add(op.name, _control_args(list(dict.fromkeys(args + ring))), lines, writes, None,
                 shape=f"{blocks}, {threads}")

    def _push_events(self, op: Operation, events: tuple[str, str], ring: list[str]) -> None:
        """This step's events into the ring of past events (one thread each), then its slot's bookkeeping."""
        start, stop = op.details.range
        slot = f"({_own_step(op)}) % {op.details.slots}"
        self.add(f"{op.name}__push", ["_step", "_spikes", "_nspikes", *ring, "_ctl"],
                 [f"{INDENT}_first = {events[0]}", f"{INDENT}if _first + _g >= {events[1]}:", f"{INDENT * 2}return",
                  f"{INDENT}{ring[0]}[({ring[3]}[0] + _g) % {ring[0]}.shape[0]] = _spikes[_first + _g] - {start}"],
                 {ring[0]}, stop - start)
        self.add(f"{op.name}__slot", ["_step", "_spikes", "_nspikes", *ring, "_ctl"],
                 [f"{INDENT}_count = {events[1]} - {events[0]}", f"{INDENT}{ring[1]}[{slot}] = {ring[3]}[0]",
                  f"{INDENT}{ring[2]}[{slot}] = _count", f"{INDENT}{ring[3]}[0] += _count"], set(ring[1:]), None)

    def _serial(self, op: Operation, number: int) -> None:
        if op.kind == "spike_generator":
            function = input_templates.spike_generator(op)
        elif op.kind == "rate_monitor":
            function = templates.rate_monitor(op)
        else:
            function = templates.synaptic_pathway(op, self.streams, False, self._not_finite(op, number,
                                                                                           _writes(op.code)))
        self.add(function.name, _control_args(function.args), function.lines, function.writes, None)


def _simulated() -> bool:
    from numba.core import config

    return bool(config.ENABLE_CUDASIM)


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


def _runs_per_group() -> int:
    """Runs of ``RUN`` elements per group of a threshold's count (1024 elements on a GPU; 4 runs on the
    simulator, so that small test groups have several)."""
    return 4 if _simulated() else 32


def _pathway_shape() -> tuple[int, int]:
    """Blocks and threads of a synaptic pathway's kernel: blocks take events, threads synapses. The simulator
    runs every thread as a Python thread: a few of them check the same code."""
    return (2, 4) if _simulated() else (1024, 32)


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


def _fusions(operations: list[Operation]) -> dict[int, int]:
    """Which state updates run in the kernel of their group's threshold (one pass over the group's memory and
    one grid barrier less per step): {state update's number: threshold's number}. The update moves down to
    its threshold, so the operations between them must use none of its arrays."""
    fusions = {}
    for number, op in enumerate(operations):
        if op.kind != "threshold":
            continue
        for earlier in range(number - 1, -1, -1):
            update = operations[earlier]
            if update.kind == "state_update" and update.owner == op.owner:
                if (update.code.start, update.code.size, update.ticks) == (0, op.code.size, op.ticks) and all(
                        _independent(between, update) for between in operations[earlier + 1:number]):
                    fusions[earlier] = number
                break
    return fusions


def _independent(op: Operation, update: Operation) -> bool:
    """Whether per-element ``op`` may run before ``update`` instead of after it: neither writes an array the
    other uses."""
    def used(operation: Operation) -> set[str]:
        return {ref.arg for ref in operation.code.arrays} | {ref.index for ref in operation.code.arrays if ref.index}

    def written(operation: Operation) -> set[str]:
        names = set(operation.code.written)
        if isinstance(operation.details, ThresholdDetails) and operation.details.refractory:
            names |= {"lastspike", "not_refractory"}  # what ``on_spike`` stores
        return {ref.arg for ref in operation.code.arrays if ref.local_name in names}

    return (op.kind in ("state_update", "regular", "threshold") and not written(op) & used(update)
            and not used(op) & written(update))


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


def _wrapper(launch: _Launch) -> tuple[list[str], str]:
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


class _Barriers:
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


def _in_grid(launch: _Launch, actual: list[str]) -> list[str]:
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


def generate(operations: list[Operation], title: str, version: str) -> Source:
    """The module: device functions per operation; ``run_chunk``, a host loop launching one kernel per
    device function and step; ``run_chunk_fused``, one cooperative kernel running the whole chunk, with grid-wide
    barriers only where they are needed (one launch per chunk instead of a dozen per step)."""
    streams = RandomStreams.of(operations, target="cuda")
    kernels = _Kernels(streams)
    steps, fused_steps, timed_steps, params, operation_names, wrappers = [], [], [], [], [], []
    written: set[str] = set()
    checks, check_arrays = [], []
    widest = 1
    barriers = _Barriers()
    fusions = _fusions(operations)
    update_of = {threshold: update for update, threshold in fusions.items()}
    for number, op in enumerate(operations):
        if number in fusions:  # runs in its threshold's kernel
            operation_names.append(None)
            continue
        first = len(kernels.launches)
        update = (operations[update_of[number]], update_of[number]) if number in update_of else None
        kernels.operation(op, number, update)
        operation_names.append(f"{update[0].name} + {op.name}" if update else op.name)
        scalars = set(op.code.scalars) if op.code is not None else set()
        scalars |= set(update[0].code.scalars) if update else set()
        calls, fused = [], []
        guard = [f"if _step % {op.ticks} == 0:"] if op.ticks > 1 else []
        fused_steps += barriers.flush() if guard else []  # within the guard, a barrier after each launch
        for launch in kernels.launches[first:]:
            actual = [a if a in kernels.work or a == "_ctl" else call_argument(op, a, scalars) for a in launch.args]
            stored = {name for arg, name in zip(launch.args, actual, strict=True) if arg in launch.written}
            written |= stored
            fused += barriers.before(set(actual), stored) + _in_grid(launch, actual)
            fused += barriers.flush() if guard else []
            params += [a for a in actual if a not in kernels.work and a not in ("_ctl", "_step", "_t", "_seed")
                       and not a.startswith("_dt")]
            lines, shape = _wrapper(launch)
            wrappers += lines
            calls.append(f"{launch.name}__kernel[{shape}]({', '.join(actual)})")
            widest = max(widest, launch.threads or 1)
        heading = comment(f"{op.kind.replace('_', ' ')}: {op.owner} ({op.when}, order {op.order})")
        indent = INDENT if guard else ""
        steps += [heading, *guard, *[indent + c for c in calls]]
        fused_steps += [heading, *guard, *[indent + c for c in fused]]
        timed = ["_began = perf_counter()", *calls, "cuda.synchronize()",
                 f"_timers[{number}] += perf_counter() - _began"]
        timed_steps += [heading, *guard, *[indent + c for c in timed]]
        check = capacity_check(op)
        if check:
            checks += [f"if {check[0]}:", f"{INDENT}_ctl[1] = {STATUS_BUFFER_FULL}", f"{INDENT}_ctl[0] = _step",
                       f"{INDENT}return"]
            check_arrays += check[1]
    fused_steps += ["_grid.sync()"]  # the step's records before the next step's checks
    params = list(dict.fromkeys(params + check_arrays))
    check_args = ["_step", "_ctl", *dict.fromkeys(check_arrays)]
    work = list(kernels.work)
    fused_threads = 8 if _simulated() else THREADS
    lines = [comment(f"{title}: generated by simcore {version} with numba {numba.__version__} for numba.cuda."), "",
             "import math", "from time import perf_counter", "", "import numpy as np", "from numba import cuda", "",
             *cuda_runtime_lines(), "", "",
             "@cuda.jit(device=True)", f"def _step_checks({', '.join(check_args)}):",
             f'{INDENT}"""At the start of a step: stop there if a value was not finite in the step before, or if '
             f'its records might not fit a buffer."""',
             f"{INDENT}if _ctl[0] >= 0:", f"{INDENT * 2}return", f"{INDENT}if _ctl[3] >= 0:  # a value not finite",
             f"{INDENT * 2}_ctl[0] = _ctl[3]", f"{INDENT * 2}return", *[INDENT + c for c in checks], "", ""]
    lines += kernels.lines + wrappers
    lines += ["@cuda.jit(cache=True)", "def _step_checks_kernel(" + ", ".join(check_args) + "):",
              f"{INDENT}_step_checks({', '.join(check_args)})", "", ""]
    everything = ", ".join(["_step_start", "_step_stop", "_dt", "_seed", "_ctl", *params, *work])
    lines += ["@cuda.jit(cache=True)", f"def run_steps({everything}):",
              f'{INDENT}"""Steps _step_start.._step_stop - 1 in one cooperative launch."""',
              f"{INDENT}_grid = cuda.cg.this_grid()", f"{INDENT}_g0 = cuda.grid(1)",
              f"{INDENT}_stride = cuda.gridsize(1)",
              f"{INDENT}for _step in range(_step_start, _step_stop):",
              f"{INDENT * 2}_t = _step * _dt", f"{INDENT * 2}if _g0 == 0:",
              f"{INDENT * 3}_step_checks({', '.join(check_args)})", f"{INDENT * 2}_grid.sync()",
              f"{INDENT * 2}if _ctl[0] >= 0:  # only _step_checks stores it, between two barriers",
              f"{INDENT * 3}return", *[INDENT * 2 + line for line in fused_steps], "", ""]
    allocations = [f"{INDENT}{name} = {allocation}" for name, allocation in kernels.work.items()]
    poll = [f"if (_step - _step_start) % {POLL} == {POLL - 1} and _ctl.copy_to_host()[0] >= 0:", f"{INDENT}break"]
    loop = ["_t = _step * _dt", f"_step_checks_kernel[1, 1]({', '.join(check_args)})", *steps, *poll]
    timed_loop = ["_t = _step * _dt", f"_step_checks_kernel[1, 1]({', '.join(check_args)})", *timed_steps, *poll]
    lines += [f"def run_chunk(_step_start, _step_stop, _dt, _seed, _ctl, {', '.join(params)}):",
              f'{INDENT}"""Launch the kernels of steps _step_start.._step_stop - 1; stop early once halted."""',
              *allocations, f"{INDENT}for _step in range(_step_start, _step_stop):",
              *[INDENT * 2 + line for line in loop], "", "",
              f"def run_chunk_fused(_step_start, _step_stop, _dt, _seed, _ctl, {', '.join(params)}):",
              f'{INDENT}"""Steps _step_start.._step_stop - 1 in one launch of run_steps."""', *allocations,
              f"{INDENT}_arguments = ({everything},)",
              f"{INDENT}_kernel, _blocks = cooperative_launch(run_steps, _arguments, {fused_threads}, "
              f"{-(-widest // fused_threads)})",
              f"{INDENT}_kernel[_blocks, {fused_threads}](*_arguments)", "", "",
              f"def profile_chunk({', '.join(['_step_start', '_step_stop', '_dt', '_seed', '_ctl', *params])}, "
              "_timers):",
              f'{INDENT}"""run_chunk with the GPU time of each operation added to _timers (a synchronisation each)."""',
              *allocations, f"{INDENT}for _step in range(_step_start, _step_stop):",
              *[INDENT * 2 + line for line in timed_loop], ""]
    text = "\n".join(lines)
    digest = hashlib.sha256(f"cuda\n{version}\n{numba.__version__}\n{text}".encode()).hexdigest()[:24]
    return Source(text, tuple(params), digest, kernels.error_vars, tuple(operation_names), kernels.error_arrays,
                  tuple(p for p in params if p in written))
