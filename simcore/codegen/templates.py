"""One template per operation kind: an Operation -> the source of one jitted function.

Every function takes the step, time and dt first, then the arrays it uses (named
``_<owner>_<variable>``), then its run-time constants by their model names, so the
statements print exactly as the user wrote the names.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import sympy
from sympy.core.function import AppliedUndef
from sympy.core.relational import Relational
from sympy.logic.boolalg import Boolean

from simcore.codegen.printer import to_numba
from simcore.equations.functions import RANDOM_FUNCTIONS
from simcore.equations.user_functions import VECTORISATION_INDEX
from simcore.ir import (
    LOOP_END,
    LOOP_WHILE,
    ArrayRef,
    Assignment,
    ElementCode,
    Operation,
    PathwayDetails,
    RateMonitorDetails,
    SpikeMonitorDetails,
    SummedDetails,
    array_arg,
)

INDENT = "    "


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


@dataclass
class RandomStreams:
    """Each random call site of the network gets its own stream number: an operation's calls (in
    ``random_calls`` order) follow those of the operations before it in the schedule. Numbered up front, not as
    the code is written: the cuda generator writes a state update inside its group's threshold, after
    operations scheduled between them, and must draw the CPU's numbers. ``target`` names the compiled versions
    of the draws (``uniform_njit``, ``uniform_cuda``, ...)."""

    first: dict[str, int]  # operation name -> the stream of its first call
    target: str = "njit"

    @classmethod
    def of(cls, operations: list[Operation], target: str = "njit") -> RandomStreams:
        first, following = {}, 1
        for op in operations:
            first[op.name] = following
            if op.code is not None:
                following += len(random_calls(op.code.shared_statements)) + len(random_calls(op.code.statements))
        return cls(first, target)

    def stream(self, operation: str, rank: int) -> int:
        """The stream of the ``rank``-th call of ``operation``: those of its shared statements, then those of
        its per-element ones, each in ``random_calls`` order."""
        return self.first[operation] + rank


def random_calls(statements: tuple[Assignment, ...]) -> list[sympy.Basic]:
    """The distinct random draws of ``statements``, in a fixed order. Hoisting invariants (which renames
    arguments of a draw, as ``poisson(_lio_0, 0)``) keeps them distinct, and their number."""
    calls = set()
    for statement in statements:
        calls |= {c for c in statement.expr.atoms(sympy.Function) if _is_random(c)}
    return sorted(calls, key=str)


def _header(function: Function) -> list[str]:
    options = 'cache=True, error_model="numpy"' + (", parallel=True" if function.parallel else "")
    return [f"@njit({options})", f"def {function.name}({', '.join(function.args)}):"]


def comment(text: str) -> str:
    """``text`` as one comment line of generated code: line breaks (and any other white space or character that
    does not print) cannot end the comment early and turn the rest of a user's text into code."""
    return "# " + "".join(char for char in " ".join(text.split()) if char.isprintable())


def array_param(ref: ArrayRef) -> str:
    return f"_{ref.arg}"


def array_params(refs: list[ArrayRef]) -> frozenset[str]:
    """The parameters of ``refs``: what code storing them stores into."""
    return frozenset(array_param(ref) for ref in refs)


def _random_draws(code: ElementCode, op: Operation, streams: RandomStreams, index: str, single: bool = False):
    """Lines drawing each random call once per element (rounded to float32 in float32 code), and the
    replacement map."""
    lines, replace = [], {}
    first = len(random_calls(code.shared_statements))
    for rank, call in enumerate(random_calls(code.statements), start=first):
        kind = type(call).__name__
        stream = streams.stream(op.name, rank)
        local = f"_{kind}_{stream}"
        counter = f"_seed, _step, {index}, {stream}"
        suffix = streams.target
        real = "np.float32" if single else "float"
        if kind == "rand":
            draw = f"uniform_{suffix}({counter})"
        elif kind == "randn":
            draw = f"normal_{suffix}({counter})"
        elif kind == "binomial":
            trials, probability = (to_numba(a) for a in call.args[:2])
            draw = f"binomial_{suffix}({trials}, {probability}, {counter})"
        else:
            draw = f"poisson_{suffix}({to_numba(call.args[0])}, {counter})"
        lines.append(f"{local} = {real}({draw})" if single or kind in ("binomial", "poisson") else f"{local} = {draw}")
        replace[call] = sympy.Symbol(local, real=True)
    return lines, replace


def _is_random(expr: sympy.Basic) -> bool:
    return type(expr).__name__ in RANDOM_FUNCTIONS


_TIME = sympy.Symbol("t", real=True)
_INTEGER_FUNCTIONS = {"int_", "timestep", "floor", "ceiling", "sign"}


def single_precision(code: ElementCode) -> bool:
    """Whether ``code`` computes in float32: every float array its statements compute is float32 (the state of
    a group or synapses made with ``dtype=float32``, or under ``prefs.core.default_float_dtype = float32``).
    Times (``lastspike``, ``lastupdate = t``) stay float64, as the clock."""
    computed = {s.target for s in code.statements if s.expr != _TIME} & set(code.written)
    floats = [ref.dtype for ref in code.arrays if ref.local_name in computed and ref.dtype.startswith("float")]
    return bool(floats) and all(dtype == "float32" for dtype in floats)


def hoist_invariants(code: ElementCode, names: str = "_lio") -> tuple[list[str], ElementCode]:
    """Compute once, before the element loop, every subexpression that depends only on
    run-time constants, shared variables and the clock (``exp(-dt/tau)``, ``-50*mV``), as ``<names>_<k>``.

    In float32 code (``single_precision``) they are computed in float64 and rounded once to float32, and so
    are the literals and run-time constants the per-element arithmetic uses: numba computes float32 with a
    float64 operand in float64, which would make the dtype a storage format only, not a speed-up."""
    invariant = set(code.scalars) | {ref.local_name for ref in code.arrays if ref.shared} | {
        "t", "dt", "t_in_timesteps"}
    invariant -= {s.target for s in code.statements}
    single = single_precision(code)
    integers = {ref.local_name for ref in code.arrays if not ref.dtype.startswith("float")} | {"t_in_timesteps"}
    temporaries: dict[tuple[sympy.Basic, bool], sympy.Symbol] = {}

    def constant(expr) -> bool:
        if isinstance(expr, sympy.Symbol):
            return expr.name in invariant
        if expr.is_Atom:
            return True
        return not _is_random(expr) and all(constant(a) for a in expr.args)

    def temporary(expr, cast: bool = False) -> sympy.Symbol:
        if (expr, cast) not in temporaries:
            temporaries[expr, cast] = sympy.Symbol(f"{names}_{len(temporaries)}", real=True)
        return temporaries[expr, cast]

    def float_context(expr) -> bool:
        """Whether ``expr`` computes with floats only (no integer variable, no integer-valued function)."""
        logical = isinstance(expr, Boolean) and not isinstance(expr, Relational)  # and, or, not: a comparison is
        return not ({s.name for s in expr.free_symbols} & integers or logical  # arithmetic on its sides
                    or type(expr).__name__ in _INTEGER_FUNCTIONS)

    def visit(expr, cast: bool):
        if expr.is_Atom:
            castable = expr.is_Number or isinstance(expr, sympy.Symbol) and expr.name in invariant - integers - {"t"}
            return temporary(expr, True) if cast and castable else expr
        if constant(expr):
            return temporary(expr, cast and float_context(expr) and not expr.is_Relational)
        if isinstance(expr, sympy.Piecewise):  # its (value, condition) pairs are no expressions of their own
            return sympy.Piecewise(*((visit(value, cast), visit(condition, False)) for value, condition in expr.args))
        cast = cast and float_context(expr) and not (_is_random(expr) or isinstance(expr, AppliedUndef))
        if isinstance(expr, sympy.Pow) and expr.exp.is_Integer:  # an integer power stays one: x**3 is x*x*x
            return expr.func(visit(expr.base, cast), expr.exp)
        if isinstance(expr, sympy.Add | sympy.Mul):
            fixed = [a for a in expr.args if constant(a)]
            varying = [visit(a, cast) for a in expr.args if not constant(a)]
            if len(fixed) > 1 or (fixed and (cast and fixed[0] != -1 or not fixed[0].is_Atom)):  # -x stays -x
                return expr.func(temporary(expr.func(*fixed), cast), *varying)
            return expr.func(*fixed, *varying)
        return expr.func(*(visit(a, cast) for a in expr.args))

    statements = tuple(replace(s, expr=visit(s.expr, single)) for s in code.statements)
    lines = [f"{INDENT}{name} = {f'np.float32({to_numba(expr)})' if cast else to_numba(expr)}  # constant over the loop"
             for (expr, cast), name in temporaries.items()]
    return lines, replace(code, statements=statements)


def _element_body(code: ElementCode, op: Operation, streams: RandomStreams, index: str,
                  check_finite: str = "", report: list[str] | None = None) -> tuple[list[str], bool]:
    """Loads (of what the statements read), statements and stores for one element (no loop line). A float value
    it stores that is NaN or infinite: ``check_finite`` 'count' counts it in ``_nonfinite`` (an int), 'sum'
    makes ``_nonfinite`` (a float) NaN; ``report``: those lines run."""
    lines = []
    conditions = dict(code.conditions)
    read = set().union(*(s.expr.free_symbols for s in code.statements))
    read = {s.name for s in read} | set(conditions.values())
    for ref in code.arrays:
        if not ref.shared and ref.local_name in read:
            lines.append(f"{ref.local_name} = {array_param(ref)}[{ref.element(index)}]")
    if VECTORISATION_INDEX.name in read:  # a Function made with auto_vectorise=True: this element's index
        lines.append(f"{VECTORISATION_INDEX.name} = {index}")
    single = single_precision(code)
    draws, replace = _random_draws(code, op, streams, index, single)
    lines += draws
    loop = ""  # the indentation of statements inside a LOOP_WHILE
    for statement in code.statements:
        if statement.target == LOOP_END:
            loop = loop[:-len(INDENT)]
            continue
        if statement.comment:
            lines.append(loop + comment(statement.comment))
        if statement.target == LOOP_WHILE:
            lines.append(f"{loop}while {to_numba(statement.expr.xreplace(replace), single)}:")
            loop += INDENT
            continue
        lines.append(f"{loop}{statement.target} = {to_numba(statement.expr.xreplace(replace), single)}")
    writes = _writes(code)
    floats = [f"math.isfinite({ref.local_name})" for ref in writes if ref.dtype.startswith("float")]
    if check_finite == "count" and floats:
        # a count, not a branch that stores: the loop stays vectorisable, and it is one prange reduction
        # (numba accepts one update of a reduction variable per iteration); _finite_rescan finds the element
        lines.append(f"_nonfinite += 0 if {' and '.join(floats)} else 1")
    if check_finite == "sum" and floats:
        # x * 0.0 is 0.0, or NaN for a NaN or inf x: no branch (in a loop of synaptic events, measured: 0.1 ns
        # more per event, where a branch costs 0.6 ns and a count 0.3 ns; such loops do not vectorise anyway)
        terms = [f"{ref.local_name} * {_zero(code)}" for ref in writes if ref.dtype.startswith("float")]
        lines.append(f"_nonfinite += {' + '.join(terms)}")
    if report and floats:
        lines += [f"if not ({' and '.join(floats)}):", *[INDENT + line for line in report]]
    for ref in writes:
        store = f"{array_param(ref)}[{ref.element(index)}] = {ref.local_name}"
        condition = conditions.get(ref.local_name)
        lines += [f"if {condition}:", f"{INDENT}{store}"] if condition else [store]
    return lines, bool(draws)


def _zero(code: ElementCode) -> str:
    """0.0 in the precision ``code`` computes in (a float64 zero would turn float32 values into float64)."""
    return "np.float32(0.0)" if single_precision(code) else "0.0"


def _writes(code: ElementCode) -> list[ArrayRef]:
    return [ref for ref in code.arrays if ref.local_name in code.written and not ref.shared]


def shared_writes(code: ElementCode) -> list[ArrayRef]:
    """The shared variables that ``code.shared_statements`` set."""
    targets = {statement.target for statement in code.shared_statements}
    return [ref for ref in code.arrays if ref.shared and ref.local_name in targets]


def error_names(writes: list[ArrayRef]) -> tuple[tuple[str, str], ...]:
    """(owner, variable) of each written array, in the order of the numbers a NaN check reports."""
    return tuple((ref.owner, ref.name) for ref in writes)


def _shared_loads(code: ElementCode) -> list[str]:
    return [f"{ref.local_name} = {array_param(ref)}[0]" for ref in code.arrays if ref.shared]


def _common_args(code: ElementCode) -> list[str]:
    indices = [f"_{r.index}" for r in code.arrays if r.index]
    arrays = list(dict.fromkeys([array_param(r) for r in code.arrays] + indices))
    return ["_step", "_t", "_dt", "_seed", "_err"] + arrays + list(code.scalars)


def _preamble(code: ElementCode) -> list[str]:
    return ([f"{INDENT}t = _t", f"{INDENT}dt = _dt", f"{INDENT}t_in_timesteps = _timestep(_t, _dt)"]
            + [INDENT + line for line in _shared_loads(code)])


def state_update(op: Operation, streams: RandomStreams, parallel: bool) -> Function:
    hoisted, code = hoist_invariants(op.code)
    writes = _writes(code)
    shared, shared_refs, shared_random = shared_block(code, op, streams, len(writes) + 1)
    body, random = _element_body(code, op, streams, "_i", check_finite="count")
    body = body or ["pass"]  # e.g. dv/dt = 0: nothing changes
    loop = "prange" if parallel else "range"
    lines = [INDENT + comment(op.comment), *_preamble(code), *shared, *hoisted, f"{INDENT}_nonfinite = 0",
             f"{INDENT}for _i in {loop}({_element_range(code)}):"]
    lines += [INDENT * 2 + line for line in body]
    lines += _finite_rescan(writes, _element_range(code))
    return Function(op.name, lines, _common_args(code), parallel, random or shared_random,
                    error_names(writes + shared_refs), writes=array_params(writes + shared_refs))


def shared_block(code: ElementCode, op: Operation, streams: RandomStreams, number: int,
                 report: list[str] | None = None) -> tuple[list[str], list[ArrayRef], bool]:
    """The lines that run ``code.shared_statements`` once (after ``_preamble``'s loads, before the element loop)
    and store the shared variables they set; a NaN or inf stored runs ``report`` (default: into ``_err`` as
    variable ``number`` on, element 0, and return). Also those variables, and whether the lines draw."""
    if not code.shared_statements:
        return [], [], False
    refs = shared_writes(code)
    block = replace(code, statements=code.shared_statements, shared_statements=(),
                    written=tuple(ref.local_name for ref in refs))
    lines, random = _element_body(block, op, streams, "0")
    for position, ref in enumerate(refs, start=number):
        lines.append(f"{array_param(ref)}[0] = {ref.local_name}")
        if ref.dtype.startswith("float"):
            stop = report or [f"_err[0] = {position}", "_err[1] = 0", "return"]
            lines += [f"if not math.isfinite({ref.local_name}):", *[INDENT + line for line in stop]]
    return [INDENT + line for line in lines], refs, random


def _element_range(code: ElementCode) -> str:
    return f"{code.start}, {code.start + code.size}" if code.start else str(code.size)


def _finite_rescan(writes: list[ArrayRef], elements: str | None) -> list[str]:
    """After a loop that stored a NaN or inf (``_nonfinite`` not 0): the first one among ``elements`` (None: all
    of each array), into ``_err`` (variable number, element)."""
    lines = [f"{INDENT}if _nonfinite:"]
    for number, ref in enumerate(writes, start=1):
        if ref.dtype.startswith("float"):
            lines += [f"{INDENT * 2}for _i in range({elements or f'{array_param(ref)}.shape[0]'}):",
                      f"{INDENT * 3}if not math.isfinite({array_param(ref)}[_i]):",
                      f"{INDENT * 4}_err[0] = {number}", f"{INDENT * 4}_err[1] = _i", f"{INDENT * 4}return"]
    return lines if len(lines) > 1 else []


THRESHOLD_BLOCKS = 64


def on_spike(op: Operation, record: list[str]) -> tuple[list[str], frozenset[str]]:
    """After a threshold's ``_spike``: the lines that ``record`` element ``_i``'s spike, and for spikes of a
    group with refractoriness, its last spike time and refractory flag set; also the arrays these two go
    into (what ``record`` stores is the caller's)."""
    lines = ["if _spike:", *[INDENT + line for line in record]]
    if not op.details.refractory:
        return lines, frozenset()
    lastspike, flag = f"_{array_arg(op.owner, 'lastspike')}", f"_{array_arg(op.owner, 'not_refractory')}"
    return lines + [f"{INDENT}{lastspike}[_i] = _t", f"{INDENT}{flag}[_i] = False"], frozenset((lastspike, flag))


def threshold(op: Operation, streams: RandomStreams, parallel: bool = False) -> Function:
    """Elements meeting the condition, in increasing order, into ``_spikes[:_nspikes[0]]``.

    In parallel, each of THRESHOLD_BLOCKS contiguous blocks of elements writes its events at
    the start of its own range of ``_spikes``; a serial pass then moves them together, in
    block order, so the list is the same as the serial one.
    """
    hoisted, code = hoist_invariants(op.code)
    body, random = _element_body(code, op, streams, "_i")
    on_event, refractory = on_spike(op, ["_spikes[_n] = _i", "_n += 1"])
    lines = [INDENT + comment(f"threshold: {op.source}"), *_preamble(code), *hoisted]
    if random:
        # random draws vectorise (5x faster, measured) in a loop without the compacting branch: first the
        # condition of every element into _spikes[i], then the compaction, in place (_n <= _i)
        lines += [f"{INDENT}for _i in {'prange' if parallel else 'range'}({code.size}):"]
        lines += [INDENT * 2 + line for line in body] + [f"{INDENT * 2}_spikes[_i] = _spike"]
        lines += [f"{INDENT}_n = 0", f"{INDENT}for _i in range({code.size}):", f"{INDENT * 2}_spike = _spikes[_i]"]
        lines += [INDENT * 2 + line for line in on_event]
        lines.append(f"{INDENT}_nspikes[0] = _n")
    elif not parallel:
        lines += [f"{INDENT}_n = 0", f"{INDENT}for _i in range({code.size}):"]
        lines += [INDENT * 2 + line for line in body + on_event]
        lines.append(f"{INDENT}_nspikes[0] = _n")
    else:
        blocks, size = THRESHOLD_BLOCKS, code.size
        lines += [f"{INDENT}_counts = np.zeros({blocks}, dtype=np.int64)",
                  f"{INDENT}for _b in prange({blocks}):",
                  f"{INDENT * 2}_n = _b * {size} // {blocks}",
                  f"{INDENT * 2}for _i in range(_n, (_b + 1) * {size} // {blocks}):"]
        lines += [INDENT * 3 + line for line in body + on_event]
        lines += [f"{INDENT * 2}_counts[_b] = _n - _b * {size} // {blocks}",
                  f"{INDENT}_n = _counts[0]",
                  f"{INDENT}for _b in range(1, {blocks}):",
                  f"{INDENT * 2}_start = _b * {size} // {blocks}",
                  f"{INDENT * 2}for _k in range(_counts[_b]):",
                  f"{INDENT * 3}_spikes[_n + _k] = _spikes[_start + _k]",
                  f"{INDENT * 2}_n += _counts[_b]",
                  f"{INDENT}_nspikes[0] = _n"]
    return Function(op.name, lines, _common_args(code) + ["_spikes", "_nspikes"], parallel, random,
                    writes=array_params(_writes(code)) | refractory | {"_spikes", "_nspikes"})


def reset(op: Operation, streams: RandomStreams, report: list[str] | None = None) -> Function:
    """``code`` for each element in the spike (event) list; a NaN or inf it stores runs ``report`` (default:
    flags it, and after the loop the first such element goes into ``_err``)."""
    hoisted, code = hoist_invariants(op.code)
    body, random = _element_body(code, op, streams, "_i", "" if report else "sum", report)
    lines = [*_preamble(code), *hoisted, f"{INDENT}_nonfinite = {_zero(code)}",
             f"{INDENT}for _k in range(_nspikes[0]):", f"{INDENT * 2}_i = _spikes[_k]"]
    lines += [INDENT * 2 + line for line in body]
    writes = _writes(code)
    lines += [] if report else _finite_rescan(writes, _element_range(code))
    return Function(op.name, lines, _common_args(code) + ["_spikes", "_nspikes"], False, random,
                    error_names(writes), writes=array_params(writes))


def _own_step(op: Operation) -> str:
    """The step number on the operation's own clock (the loop counts steps of the network's smallest dt)."""
    return f"_step // {op.ticks}" if op.ticks > 1 else "_step"


def record_time(op: Operation) -> str:
    """The time a monitor records, in seconds: its own step times its own dt (``_dt``), so that records stay
    right when dt changes between runs."""
    return f"{_own_step(op)} * _dt"


def spike_monitor(op: Operation) -> Function:
    details: SpikeMonitorDetails = op.details
    start, stop = details.range
    lines = [f"{INDENT}_n = _mon_n[0]", f"{INDENT}for _k in range(_nspikes[0]):", f"{INDENT * 2}_i = _spikes[_k]",
             f"{INDENT * 2}if {start} <= _i < {stop}:",
             f"{INDENT * 3}_mon_count[_i - {start}] += 1"]
    args = ["_step", "_dt", "_spikes", "_nspikes", "_mon_i", "_mon_t", "_mon_n", "_mon_count"]
    writes = {"_mon_count", "_mon_n"}
    if details.record:
        lines += [f"{INDENT * 3}_mon_i[_n] = _i - {start}", f"{INDENT * 3}_mon_t[_n] = {record_time(op)}"]
        writes |= {"_mon_i", "_mon_t"}
        for ref in details.variables:
            source = f"_{ref.arg}[0]" if ref.shared else f"_{ref.arg}[_i]"
            lines.append(f"{INDENT * 3}_rec_{ref.name}[_n] = {source}")
            args += [f"_{ref.arg}", f"_rec_{ref.name}"]
            writes.add(f"_rec_{ref.name}")
        lines.append(f"{INDENT * 3}_n += 1")
    lines.append(f"{INDENT}_mon_n[0] = _n")
    return Function(op.name, lines, args, writes=frozenset(writes))


def state_monitor(op: Operation, streams: RandomStreams) -> Function:
    """Stored variables are copied; subexpressions (``op.code``: ``_sub_<name> = expr``) are computed."""
    variables = op.details.variables
    lines = [f"{INDENT}_r = _mon_n[0]", f"{INDENT}_mon_t[_r] = {record_time(op)}"]
    args = ["_step", "_dt", "_indices", "_mon_t", "_mon_n"]
    writes = {"_mon_t", "_mon_n"}
    computed = ()
    if op.code is not None:
        args = _common_args(op.code) + args[2:]
        lines += _preamble(op.code)
        computed = tuple(s.target[len("_sub_"):] for s in op.code.statements)
    lines += [f"{INDENT}for _k in range(_indices.shape[0]):", f"{INDENT * 2}_j = _indices[_k]"]
    if op.code is not None:
        body, _ = _element_body(op.code, op, streams, "_j")
        lines += [INDENT * 2 + line for line in body]
        writes |= array_params(_writes(op.code))
    for ref in variables:
        source = f"_{ref.arg}[0]" if ref.shared else f"_{ref.arg}[_j]"
        lines.append(f"{INDENT * 2}_rec_{ref.name}[_r, _k] = {source}")
        if f"_{ref.arg}" not in args:
            args.append(f"_{ref.arg}")
        args.append(f"_rec_{ref.name}")
        writes.add(f"_rec_{ref.name}")
    for name in computed:
        lines.append(f"{INDENT * 2}_rec_{name}[_r, _k] = _sub_{name}")
        args.append(f"_rec_{name}")
        writes.add(f"_rec_{name}")
    lines.append(f"{INDENT}_mon_n[0] = _r + 1")
    return Function(op.name, lines, args, writes=frozenset(writes))


def spikes_in_range(start: int, stop: int, size: int) -> tuple[str, str]:
    """The first and one past the last position in the (increasing) spike list of the elements
    ``start`` to ``stop - 1`` of a group of ``size``, found by binary search."""
    first = f"_search_sorted(_spikes, 0, _nspikes[0], {start}, False)" if start else "0"
    last = f"_search_sorted(_spikes, 0, _nspikes[0], {stop}, False)" if stop < size else "_nspikes[0]"
    return first, last


def rate_monitor(op: Operation) -> Function:
    details: RateMonitorDetails = op.details
    start, stop = details.range
    first, last = spikes_in_range(start, stop, details.source_size)
    lines = [f"{INDENT}_r = _mon_n[0]", f"{INDENT}_count = {last} - {first}",
             f"{INDENT}_mon_rate[_r] = _count / ({stop - start} * _dt)", f"{INDENT}_mon_t[_r] = {record_time(op)}",
             f"{INDENT}_mon_n[0] = _r + 1"]
    return Function(op.name, lines, ["_step", "_dt", "_spikes", "_nspikes", "_mon_rate", "_mon_t", "_mon_n"],
                    writes=frozenset(("_mon_rate", "_mon_t", "_mon_n")))


def _synapse_loop(details: PathwayDetails, body: list[str], depth: int) -> list[str]:
    """The synapses of triggering element ``_src`` in block ``_b`` (those with delay ``_d`` if delays
    differ), running ``body``. Blocks split the targets: block b holds the synapses onto its targets."""
    prefix, pad = details.prefix, INDENT * depth
    first = f"_b * {details.sources} + _src" if details.blocks > 1 else "_src"
    if details.delays == "heterogeneous":
        lines = [f"{pad}_lo = {prefix}_ptr[{first}]", f"{pad}_hi = {prefix}_ptr[{first} + 1]",
                 f"{pad}for _p in range(_search_sorted({prefix}_dsorted, _lo, _hi, _d, False), "
                 f"_search_sorted({prefix}_dsorted, _lo, _hi, _d, True)):"]
    else:
        lines = [f"{pad}for _p in range({prefix}_ptr[{first}], {prefix}_ptr[{first} + 1]):"]
    lines.append(f"{pad}{INDENT}_s = {prefix}_syn[_p]" if details.indirect else f"{pad}{INDENT}_s = _p")
    return lines + [pad + INDENT + line for line in body]


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
    body, random = _element_body(code, op, streams, "_s", "" if report else "sum", report)
    writes = _writes(code)
    rescan = [] if report else _finite_rescan(writes, None)
    start_sum = [] if report else [f"{INDENT}_nonfinite = {_zero(code)}"]
    prefix, (start, stop), slots = details.prefix, details.range, details.slots
    args = _common_args(code) + ["_spikes", "_nspikes", f"{prefix}_ptr"]
    args += [f"{prefix}_syn"] if details.indirect else []
    args += [f"{prefix}_dsorted"] if details.delays == "heterogeneous" else []
    in_range = [] if details.whole_source else [f"if 0 <= _src < {stop - start}:"]
    select = [f"_src = _spikes[_k] - {start}" if start else "_src = _spikes[_k]", *in_range]
    blocks = details.blocks
    block_loop = [f"{INDENT}for _b in {'prange' if parallel else 'range'}({blocks}):"] if blocks > 1 else []
    depth = 1 + len(block_loop)
    lines = [INDENT + comment(op.comment), *_preamble(code), *hoisted, *start_sum]
    if details.delays == "none":
        lines += [*block_loop, f"{INDENT * depth}for _k in range(_nspikes[0]):",
                  *[INDENT * (depth + 1) + line for line in select]]
        lines += _synapse_loop(details, body, depth + 1 + len(in_range)) + rescan
        return Function(op.name, lines, args, parallel, random, error_names(writes), writes=array_params(writes))
    ring = [f"{prefix}_hist", f"{prefix}_hist_start", f"{prefix}_hist_count", f"{prefix}_hist_head"]
    args += ring
    lines += [f"{INDENT}_own = {_own_step(op)}", f"{INDENT}_slot = _own % {slots}",
              f"{INDENT}_head = {prefix}_hist_head[0]", f"{INDENT}_capacity = {prefix}_hist.shape[0]",
              f"{INDENT}_n = 0",
              f"{INDENT}for _k in range(_nspikes[0]):", *[INDENT * 2 + line for line in select],
              f"{INDENT * (2 + len(in_range))}{prefix}_hist[(_head + _n) % _capacity] = _src",
              f"{INDENT * (2 + len(in_range))}_n += 1",
              f"{INDENT}{prefix}_hist_start[_slot] = _head", f"{INDENT}{prefix}_hist_count[_slot] = _n",
              f"{INDENT}{prefix}_hist_head[0] = _head + _n", *block_loop]
    delays = f"range({slots - 1}, -1, -1)" if details.delays == "heterogeneous" else f"({details.steps},)"
    lines += [f"{INDENT * depth}for _d in {delays}:",
              f"{INDENT * (depth + 1)}_from = (_own - _d) % {slots}",
              f"{INDENT * (depth + 1)}_first = {prefix}_hist_start[_from]",
              f"{INDENT * (depth + 1)}for _k in range({prefix}_hist_count[_from]):",
              f"{INDENT * (depth + 2)}_src = {prefix}_hist[(_first + _k) % _capacity]"]
    return Function(op.name, lines + _synapse_loop(details, body, depth + 2) + rescan, args, parallel, random,
                    error_names(writes), writes=array_params(writes) | set(ring))


def summed_variable(op: Operation, streams: RandomStreams, parallel: bool = False) -> Function:
    """The target variable of each element = the sum of ``_summed`` over the synapses onto it, gathered
    per target (CSR by target, synapses in increasing order: the serial order, on any thread count)."""
    start, stop = op.details.range
    target = op.details.target
    head, per_target, args, writes, random = summed_target(op, streams, "_t")
    lines = [*head, f"{INDENT}_nonfinite = 0.0",
             f"{INDENT}for _t in {'prange' if parallel else 'range'}({stop - start}):",
             *[INDENT + line for line in per_target], *_finite_rescan([target], f"{start}, {stop}")]
    return Function(op.name, lines, args, parallel, random, error_names([target]), writes=writes)


def summed_target(op: Operation, streams: RandomStreams, element: str,
                  report: list[str] | None = None) -> tuple[list[str], list[str], list[str], frozenset[str], bool]:
    """A summed variable's code: the lines before the loop over targets, those for target ``element`` (the sum
    over its synapses in their order, stored into the target variable; if it is NaN or infinite, ``report``, by
    default ``_nonfinite`` becomes NaN), the arguments, those it stores into, and whether it draws random
    numbers."""
    details: SummedDetails = op.details
    target = details.target
    hoisted, code = hoist_invariants(op.code)
    body, random = _element_body(code, op, streams, "_s")
    start, prefix = details.range[0], details.prefix
    head = [INDENT + comment(op.comment), *_preamble(code), *hoisted]
    per_target = [f"{INDENT}_sum = 0.0",
                  f"{INDENT}for _p in range({prefix}_ptr[{element}], {prefix}_ptr[{element} + 1]):",
                  f"{INDENT * 2}_s = {prefix}_syn[_p]", *[INDENT * 2 + line for line in body],
                  f"{INDENT * 2}_sum += _summed", f"{INDENT}{array_param(target)}[{element} + {start}] = _sum"]
    if target.dtype.startswith("float"):
        per_target += [f"{INDENT}if not math.isfinite(_sum):", *[INDENT * 2 + line for line in report]] if report \
            else [f"{INDENT}_nonfinite += _sum * 0.0"]
    args = list(dict.fromkeys(_common_args(code) + [array_param(target), f"{prefix}_ptr", f"{prefix}_syn"]))
    return head, per_target, args, array_params(_writes(code) + [target]), random
