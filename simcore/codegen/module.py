"""A network's operations -> the source of one module: a jitted function per
operation and ``run_chunk``, which runs many steps with all operations fused."""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field

import numba

from simcore.codegen.bodies import INDENT, RandomStreams, comment
from simcore.codegen.fusion import fusions
from simcore.codegen.handles import kernel_arguments
from simcore.codegen.registry import operation_type
from simcore.codegen.runtime import kernel_options, runtime_imports
from simcore.codegen.status import STATUS_BUFFER_FULL, STATUS_DONE, STATUS_NOT_FINITE
from simcore.codegen.templates import Function, flags_size, header, state_update_and_threshold
from simcore.ir import CableDetails, Operation, at_steps, event_flags
from simcore.preferences import vector_math

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
    scratch: dict = field(default_factory=dict)  # arrays the kernels need for a run: name -> (length, dtype)


def remembered(generate_source: Callable[..., Source]) -> Callable[..., Source]:
    """``generate_source`` remembered per process: its Source is a function of the operations (frozen data, equal
    and hashable when a network runs again with the same structure: a rerun, ``device.run``, a sweep's next run
    in a worker) and of ``prefs.codegen.vector_math``; generating it again cost 8 ms of a 27 ms HH patch run."""
    known: dict = {}

    @functools.wraps(generate_source)
    def generate(operations: list[Operation], *rest) -> Source:
        key = (tuple(operations), rest, vector_math())
        try:
            source = known.get(key)
        except TypeError:  # an operation that holds an array: not remembered
            return generate_source(operations, *rest)
        if source is None:
            if len(known) >= 32:
                known.pop(next(iter(known)))
            source = known[key] = generate_source(operations, *rest)
        return source

    return generate


def function_for(op: Operation, streams: RandomStreams, parallel: bool) -> Function:
    """The CPU function of ``op`` (its loop as prange if ``parallel``)."""
    return operation_type(op).cpu(op, streams, parallel)


def capacity_check(op: Operation) -> tuple[str, tuple[str, ...]] | None:
    """The condition, checked at the start of a step, under which ``op`` might not fit this step's records
    or events in its buffers, and the arrays it reads (the chunk stops there; the buffers grow)."""
    check = operation_type(op).capacity
    return check(op) if check else None


@remembered
def generate(operations: list[Operation], parallel_ops: frozenset[str], title: str, version: str,
             pauses: frozenset[int] = frozenset(), fuse: bool = True) -> Source:
    """The module of ``operations`` (``parallel_ops``: those whose loops run as prange; ``pauses``: the places, as
    numbers of the operation they run before, where Python network operations stop a step; ``fuse``: state
    updates may run in one pass with their thresholds, not when profiling: each operation then has its time)."""
    streams = RandomStreams.of(operations)
    moved = {update: threshold for update, threshold in fusions(operations, pauses).items()
             if fuse and operations[threshold].details.every is None}  # a few elements: tested alone
    updates = {threshold: update for update, threshold in moved.items()}
    functions, calls, timed_calls, checks, params, names = [], [], [], [], [], []
    error_vars, scratch = {}, {}
    for number, op in enumerate(operations):
        if number in moved:  # runs in its threshold's pass (``fusion``)
            names.append(None)
            continue
        if number in updates:
            update = operations[updates[number]]
            function = state_update_and_threshold(update, op, streams, bool({update.name, op.name} & parallel_ops))
            scratch[event_flags(op)] = (flags_size(op.code.size), "uint8")
        else:
            update, function = op, function_for(op, streams, op.name in parallel_ops)
        functions.append(function)
        names.append(f"{update.name} + {op.name}" if update is not op else op.name)
        args = kernel_arguments(function.args, function.bound)
        params += [a for a in args if a not in _PASSED_AS_IS and not a.startswith("_dt")]
        # ``_first``/``_last``: a chunk may begin or end within a step, around a network operation
        every = f" and _step % {op.ticks} == 0" if op.ticks > 1 else ""
        due = []
        if op.times is not None:  # run_at: the steps of its times, sorted (an argument, ``at_steps``)
            steps = at_steps(op)
            params.append(steps)
            due = [f"_due = np.searchsorted({steps}, _step)"]
            every = f" and _due < {steps}.shape[0] and {steps}[_due] == _step"
        guard = f"if _first <= {number} < _last{every}:"
        call = [f"{function.name}({', '.join(args)})"]
        if function.error_vars:  # it stores variables: a NaN or inf there stops the run (``_err[2]``: which one)
            call += ["if _err[0] != 0:", f"{INDENT}_err[2] = {updates.get(number, number)}",
                     f"{INDENT}return _step, {STATUS_NOT_FINITE}"]
            error_vars[update.name] = function.error_vars
        kind = f"{update.kind} and {op.kind}" if update is not op else op.kind
        calls.append(comment(f"{kind}: {op.owner} ({op.when}, order {op.order})"))
        calls += [*due, guard, *[INDENT + c for c in call]]
        timed = ["_began = perf_counter()", call[0], f"_timers[{number}] += perf_counter() - _began", *call[1:]]
        timed_calls += [*due, guard, *[INDENT + c for c in timed]]
        check = capacity_check(op)
        if check:
            checks += [f"if {check[0]}:", f"{INDENT}return _step, {STATUS_BUFFER_FULL}"]
    params = [*dict.fromkeys(params), "_op_from", "_op_to"]
    within = ["_first = _op_from if _step == _step_start else 0",
              f"_last = _op_to if _step == _step_stop - 1 else {len(operations)}"]
    uses_random = any(f.uses_random for f in functions)
    lines = [comment(f"{title}: generated by simcore {version} with numba {numba.__version__}."), NAMES_NOTE, "",
             "import math", "from time import perf_counter", "", "import numpy as np", "from numba import njit, prange",
             "",
             *runtime_imports()]
    if uses_random:
        lines.append("from simcore.random import binomial_njit, normal_njit, poisson_njit, uniform_njit")
    if any(isinstance(op.details, CableDetails) for op in operations):
        lines.append("from simcore.kernels.cable import cable_step_njit")
    lines += ["", ""]
    for function in functions:
        lines += header(function) + function.lines + ["", ""]
    fixed = ["_step_start", "_step_stop", "_dt", "_seed", "_err"]
    lines += [f"@njit({kernel_options()})",
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
    return Source(text, tuple(params), digest, error_vars, tuple(names), scratch=scratch)
