"""A network's operations -> the source of one module: a jitted function per
operation and ``run_chunk``, which runs many steps with all operations fused."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import numba

from simcore.codegen import input_templates, templates
from simcore.codegen.runtime import runtime_import
from simcore.codegen.templates import INDENT, Function, RandomStreams, comment
from simcore.ir import (
    Operation,
    PathwayDetails,
    SpikeMonitorDetails,
    StateMonitorDetails,
    array_arg,
    constant_name,
    event_arrays,
    internal_arg,
)

STATUS_DONE, STATUS_BUFFER_FULL, STATUS_NOT_FINITE = 0, 1, 2
# how to read the names below (simcore.ir builds them)
NAMES_NOTE = comment("Names: __<object>_<variable> is an array, __<object>__<what> an object's own array, "
                     "<object>__<name> a constant; in them each '_' of an object's name is written '_0'.")
_PASSED_AS_IS = {"_step", "_t", "_seed", "_err"}


@dataclass(frozen=True)
class Source:
    """Generated module text, the parameters ``run_chunk`` takes after the fixed ones, and a hash. The last two
    parameters, ``_op_from`` and ``_op_to``, let a chunk begin in its first step at that operation and end in
    its last step before that one (a network operation runs between them); 0 and the count: whole steps."""

    text: str
    params: tuple[str, ...]
    digest: str
    error_vars: dict  # operation name -> (owner, variable) of what it stores, numbered from 1 in ``_err[0]``
    operation_names: tuple[str | None, ...] = ()  # per operation (None: it runs within another's launch)
    error_arrays: dict = field(default_factory=dict)  # cuda: where the host looks for a value that is not finite
    device_written: tuple[str, ...] | None = None  # cuda: the parameters kernels store into (None: all)


def _function_for(op: Operation, streams: RandomStreams, parallel: bool) -> Function:
    if op.kind in ("state_update", "regular"):
        return templates.state_update(op, streams, parallel)
    if op.kind == "threshold":
        return templates.threshold(op, streams, parallel)
    if op.kind == "reset":
        return templates.reset(op, streams)
    if op.kind == "state_monitor":
        return templates.state_monitor(op, streams)
    if op.kind == "synaptic_pathway":
        return templates.synaptic_pathway(op, streams, parallel)
    if op.kind == "summed_variable":
        return templates.summed_variable(op, streams, parallel)
    return {"spike_monitor": templates.spike_monitor, "rate_monitor": templates.rate_monitor,
            "spike_generator": input_templates.spike_generator}[op.kind](op)


def call_argument(op: Operation, arg: str, scalars: set[str]) -> str:
    if arg in _PASSED_AS_IS:
        return arg
    if arg == "_dt":
        return "_dt" if op.ticks == 1 else f"_dt * {op.ticks}"
    if arg.startswith("_mon_"):
        return f"_{internal_arg(op.owner, arg[5:])}"
    if arg.startswith("_rec_"):
        return f"_{array_arg(op.owner, arg[5:])}"
    if arg == "_indices":
        return f"_{internal_arg(op.owner, 'indices')}"
    if arg in ("_spikes", "_nspikes"):
        elements, count = event_arrays(*op.events)
        return elements if arg == "_spikes" else count
    if arg in scalars:
        owner = op.details.scalar_owner if isinstance(op.details, StateMonitorDetails) else op.owner
        return constant_name(owner, arg)
    return arg


def at_steps(op: Operation) -> str:
    """The kernel argument that holds the time steps at which ``op`` (code with times: run_at) runs."""
    return f"_{op.name}__at"


def capacity_check(op: Operation) -> tuple[str, tuple[str, ...]] | None:
    """The condition, checked at the start of a step, under which ``op`` might not fit this step's records
    or events in its buffers, and the arrays it reads (the chunk stops there; the buffers grow)."""
    details = op.details
    guard = f"_step % {op.ticks} == 0 and " if op.ticks > 1 else ""
    if isinstance(details, SpikeMonitorDetails) and details.record:
        start, stop = details.range
        count, indices = f"_{internal_arg(op.owner, 'n')}", f"_{internal_arg(op.owner, 'i')}"
        return f"{guard}{count}[0] + {stop - start} > {indices}.shape[0]", (count, indices)
    if isinstance(details, PathwayDetails) and details.delays != "none":
        prefix, (start, stop) = details.prefix, details.range
        slot = f"({templates._own_step(op)}) % {details.slots}"
        count, ring = f"{prefix}_hist_count", f"{prefix}_hist"
        return f"{guard}_total({count}) - {count}[{slot}] + {stop - start} > {ring}.shape[0]", (count, ring)
    if op.kind in ("state_monitor", "rate_monitor"):
        count, times = f"_{internal_arg(op.owner, 'n')}", f"_{internal_arg(op.owner, 't')}"
        return f"{guard}{count}[0] >= {times}.shape[0]", (count, times)
    return None


def generate(operations: list[Operation], parallel_ops: set[str], title: str, version: str) -> Source:
    streams = RandomStreams.of(operations)
    functions, calls, timed_calls, checks, params = [], [], [], [], []
    error_vars = {}
    for op in operations:
        function = _function_for(op, streams, op.name in parallel_ops)
        functions.append(function)
        scalars = set(op.code.scalars) if op.code is not None else set()
        args = [call_argument(op, arg, scalars) for arg in function.args]
        params += [a for a in args if a not in _PASSED_AS_IS and not a.startswith("_dt")]
        # ``_first``/``_last``: a chunk may begin or end within a step, around a network operation
        every = f" and _step % {op.ticks} == 0" if op.ticks > 1 else ""
        due = []
        if op.times is not None:  # run_at: the steps of its times, sorted (an argument, ``at_steps``)
            steps = at_steps(op)
            params.append(steps)
            due = [f"_due = np.searchsorted({steps}, _step)"]
            every = f" and _due < {steps}.shape[0] and {steps}[_due] == _step"
        guard = f"if _first <= {len(functions) - 1} < _last{every}:"
        call = [f"{function.name}({', '.join(args)})"]
        if function.error_vars:  # it stores variables: a NaN or inf there stops the run (``_err[2]``: which one)
            call += ["if _err[0] != 0:", f"{INDENT}_err[2] = {len(functions) - 1}",
                     f"{INDENT}return _step, {STATUS_NOT_FINITE}"]
            error_vars[function.name] = function.error_vars
        calls.append(comment(f"{op.kind.replace('_', ' ')}: {op.owner} ({op.when}, order {op.order})"))
        calls += [*due, guard, *[INDENT + c for c in call]]
        timed = ["_began = perf_counter()", call[0], f"_timers[{len(functions) - 1}] += perf_counter() - _began",
                 *call[1:]]
        timed_calls += [*due, guard, *[INDENT + c for c in timed]]
        check = capacity_check(op)
        if check:
            checks += [f"if {check[0]}:", f"{INDENT}return _step, {STATUS_BUFFER_FULL}"]
    params = [*dict.fromkeys(params), "_op_from", "_op_to"]
    within = ["_first = _op_from if _step == _step_start else 0",
              f"_last = _op_to if _step == _step_stop - 1 else {len(functions)}"]
    uses_random = any(f.uses_random for f in functions)
    lines = [comment(f"{title}: generated by simcore {version} with numba {numba.__version__}."), NAMES_NOTE, "",
             "import math", "from time import perf_counter", "", "import numpy as np", "from numba import njit, prange",
             "",
             runtime_import()]
    if uses_random:
        lines.append("from simcore.random import binomial_njit, normal_njit, poisson_njit, uniform_njit")
    lines += ["", ""]
    for function in functions:
        lines += templates._header(function) + function.lines + ["", ""]
    fixed = ["_step_start", "_step_stop", "_dt", "_seed", "_err"]
    lines += ["@njit(cache=True, error_model=\"numpy\")",
              f"def run_chunk({', '.join(fixed + params)}):",
              f"{INDENT}for _step in range(_step_start, _step_stop):",
              *[INDENT * 2 + line for line in checks],
              f"{INDENT * 2}_t = _step * _dt",
              *[INDENT * 2 + line for line in within + calls],
              f"{INDENT}return _step_stop, {STATUS_DONE}", "", "",
              f"def profile_chunk({', '.join(fixed + params + ['_timers'])}):",
              f'{INDENT}"""run_chunk as plain Python around the same kernels, timing each operation."""',
              f"{INDENT}for _step in range(_step_start, _step_stop):",
              *[INDENT * 2 + line for line in checks],
              f"{INDENT * 2}_t = _step * _dt",
              *[INDENT * 2 + line for line in within + timed_calls],
              f"{INDENT}return _step_stop, {STATUS_DONE}", ""]
    text = "\n".join(lines)
    digest = hashlib.sha256(f"{version}\n{numba.__version__}\n{text}".encode()).hexdigest()[:24]
    return Source(text, tuple(params), digest, error_vars, tuple(f.name for f in functions))
