"""The per-element code both devices share: loads, the model's statements (with hoisted invariants and random
draws), stores and their checks for values that are not finite, and the lines around them (clock, shared
variables, arguments). The launchers of the operations' iteration domains put them in the CPU's loops
(``cpu_launchers``, for ``templates``) and in GPU threads (``cuda_launchers``, for ``cuda_ops`` and the others).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import sympy
from sympy.core.function import AppliedUndef
from sympy.core.relational import Relational
from sympy.logic.boolalg import Boolean

from simcore.codegen.printer import to_numba
from simcore.equations.functions import INTEGER_FUNCTIONS, RANDOM_FUNCTIONS
from simcore.equations.python_functions import VECTORISATION_INDEX
from simcore.equations.user_functions import function_calls
from simcore.ir import (
    LOOP_END,
    LOOP_WHILE,
    ArrayRef,
    Assignment,
    ElementCode,
    Operation,
    SummedDetails,
    array_arg,
)

INDENT = "    "


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
        calls |= {c for c in function_calls(statement.expr) if is_random(c)}
    return sorted(calls, key=str)


def comment(text: str) -> str:
    """``text`` as one comment line of generated code: line breaks (and any other white space or character that
    does not print) cannot end the comment early and turn the rest of a user's text into code."""
    return "# " + "".join(char for char in " ".join(text.split()) if char.isprintable())


def array_param(ref: ArrayRef) -> str:
    """The parameter through which generated code reaches ``ref``'s array."""
    return f"_{ref.arg}"


def array_params(refs: list[ArrayRef]) -> frozenset[str]:
    """The parameters of ``refs``: what code storing them stores into."""
    return frozenset(array_param(ref) for ref in refs)


def random_draws(code: ElementCode, op: Operation, streams: RandomStreams, index: str, single: bool = False):
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


def is_random(expr: sympy.Basic) -> bool:
    """Whether ``expr`` is a random draw (never hoisted: each element draws its own)."""
    return type(expr).__name__ in RANDOM_FUNCTIONS


_TIME = sympy.Symbol("t", real=True)
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
        return not is_random(expr) and all(constant(a) for a in expr.args)

    def temporary(expr, cast: bool = False) -> sympy.Symbol:
        if (expr, cast) not in temporaries:
            temporaries[expr, cast] = sympy.Symbol(f"{names}_{len(temporaries)}", real=True)
        return temporaries[expr, cast]

    def float_context(expr) -> bool:
        """Whether ``expr`` computes with floats only (no integer variable, no integer-valued function)."""
        logical = isinstance(expr, Boolean) and not isinstance(expr, Relational)  # and, or, not: a comparison is
        return not ({s.name for s in expr.free_symbols} & integers or logical  # arithmetic on its sides
                    or type(expr).__name__ in INTEGER_FUNCTIONS)

    def visit(expr, cast: bool):
        if expr.is_Atom:
            castable = expr.is_Number or isinstance(expr, sympy.Symbol) and expr.name in invariant - integers - {"t"}
            return temporary(expr, True) if cast and castable else expr
        if constant(expr):
            return temporary(expr, cast and float_context(expr) and not expr.is_Relational)
        if isinstance(expr, sympy.Piecewise):  # its (value, condition) pairs are no expressions of their own
            return sympy.Piecewise(*((visit(value, cast), visit(condition, False)) for value, condition in expr.args))
        cast = cast and float_context(expr) and not (is_random(expr) or isinstance(expr, AppliedUndef))
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


def element_body(code: ElementCode, op: Operation, streams: RandomStreams, index: str,
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
    draws, replace = random_draws(code, op, streams, index, single)
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
    writes = stored_arrays(code)
    floats = [f"math.isfinite({ref.local_name})" for ref in writes if ref.dtype.startswith("float")]
    if check_finite == "count" and floats:
        # a count, not a branch that stores: the loop stays vectorisable, and it is one prange reduction
        # (numba accepts one update of a reduction variable per iteration); finite_rescan finds the element
        lines.append(f"_nonfinite += 0 if {' and '.join(floats)} else 1")
    if check_finite == "sum" and floats:
        # x * 0.0 is 0.0, or NaN for a NaN or inf x: no branch (in a loop of synaptic events, measured: 0.1 ns
        # more per event, where a branch costs 0.6 ns and a count 0.3 ns; such loops do not vectorise anyway)
        terms = [f"{ref.local_name} * {zero(code)}" for ref in writes if ref.dtype.startswith("float")]
        lines.append(f"_nonfinite += {' + '.join(terms)}")
    if report and floats:
        lines += [f"if not ({' and '.join(floats)}):", *[INDENT + line for line in report]]
    for ref in writes:
        store = f"{array_param(ref)}[{ref.element(index)}] = {ref.local_name}"
        condition = conditions.get(ref.local_name)
        lines += [f"if {condition}:", f"{INDENT}{store}"] if condition else [store]
    return lines, bool(draws)


def zero(code: ElementCode) -> str:
    """0.0 in the precision ``code`` computes in (a float64 zero would turn float32 values into float64)."""
    return "np.float32(0.0)" if single_precision(code) else "0.0"


def stored_arrays(code: ElementCode) -> list[ArrayRef]:
    """The per-element arrays the code stores into (its shared variables aside: ``shared_writes``)."""
    return [ref for ref in code.arrays if ref.local_name in code.written and not ref.shared]


def shared_writes(code: ElementCode) -> list[ArrayRef]:
    """The shared variables that ``code.shared_statements`` set."""
    targets = {statement.target for statement in code.shared_statements}
    return [ref for ref in code.arrays if ref.shared and ref.local_name in targets]


def error_names(writes: list[ArrayRef]) -> tuple[tuple[str, str], ...]:
    """(owner, variable) of each written array, in the order of the numbers a NaN check reports."""
    return tuple((ref.owner, ref.name) for ref in writes)


def shared_loads(code: ElementCode) -> list[str]:
    """Lines loading each shared variable once, before the elements."""
    return [f"{ref.local_name} = {array_param(ref)}[0]" for ref in code.arrays if ref.shared]


def common_args(code: ElementCode) -> list[str]:
    """The parameters every function running ``code`` takes: the clock, seed and error array, its arrays and
    index arrays, then its run-time constants."""
    indices = [f"_{r.index}" for r in code.arrays if r.index]
    arrays = list(dict.fromkeys([array_param(r) for r in code.arrays] + indices))
    return ["_step", "_t", "_dt", "_seed", "_err"] + arrays + list(code.scalars)


def preamble(code: ElementCode) -> list[str]:
    """The lines before the elements: the clock's names as the model writes them, and the shared variables."""
    return ([f"{INDENT}t = _t", f"{INDENT}dt = _dt", f"{INDENT}t_in_timesteps = _timestep(_t, _dt)"]
            + [INDENT + line for line in shared_loads(code)])


def shared_block(code: ElementCode, op: Operation, streams: RandomStreams, number: int,
                 report: list[str] | None = None) -> tuple[list[str], list[ArrayRef], bool]:
    """The lines that run ``code.shared_statements`` once (after ``preamble``'s loads, before the element loop)
    and store the shared variables they set; a NaN or inf stored runs ``report`` (default: into ``_err`` as
    variable ``number`` on, element 0, and return). Also those variables, and whether the lines draw."""
    if not code.shared_statements:
        return [], [], False
    refs = shared_writes(code)
    block = replace(code, statements=code.shared_statements, shared_statements=(),
                    written=tuple(ref.local_name for ref in refs))
    lines, random = element_body(block, op, streams, "0")
    for position, ref in enumerate(refs, start=number):
        lines.append(f"{array_param(ref)}[0] = {ref.local_name}")
        if ref.dtype.startswith("float"):
            stop = report or [f"_err[0] = {position}", "_err[1] = 0", "return"]
            lines += [f"if not math.isfinite({ref.local_name}):", *[INDENT + line for line in stop]]
    return [INDENT + line for line in lines], refs, random


def own_step(op: Operation) -> str:
    """The step number on the operation's own clock (the loop counts steps of the network's smallest dt)."""
    return f"_step // {op.ticks}" if op.ticks > 1 else "_step"


def record_time(op: Operation) -> str:
    """The time a monitor records, in seconds: its own step times its own dt (``_dt``), so that records stay
    right when dt changes between runs."""
    return f"{own_step(op)} * _dt"


def on_spike(op: Operation, record: list[str]) -> tuple[list[str], frozenset[str]]:
    """After a threshold's ``_spike``: the lines that ``record`` element ``_i``'s spike, and for spikes of a
    group with refractoriness, its last spike time and refractory flag set; also the arrays these two go
    into (what ``record`` stores is the caller's)."""
    lines = ["if _spike:", *[INDENT + line for line in record]]
    if not op.details.refractory:
        return lines, frozenset()
    lastspike, flag = f"_{array_arg(op.owner, 'lastspike')}", f"_{array_arg(op.owner, 'not_refractory')}"
    return lines + [f"{INDENT}{lastspike}[_i] = _t", f"{INDENT}{flag}[_i] = False"], frozenset((lastspike, flag))


def spikes_in_range(start: int, stop: int, size: int) -> tuple[str, str]:
    """The first and one past the last position in the (increasing) spike list of the elements
    ``start`` to ``stop - 1`` of a group of ``size``, found by binary search."""
    first = f"_search_sorted(_spikes, 0, _nspikes[0], {start}, False)" if start else "0"
    last = f"_search_sorted(_spikes, 0, _nspikes[0], {stop}, False)" if stop < size else "_nspikes[0]"
    return first, last


def summed_target(op: Operation, streams: RandomStreams, element: str,
                  report: list[str] | None = None) -> tuple[list[str], list[str], list[str], frozenset[str], bool]:
    """A summed variable's code: the lines before the loop over targets, those for target ``element`` (the body
    of its ``IncomingPerTarget`` domain, the same on both devices: the sum over its synapses in their order,
    stored into the target variable; if it is NaN or infinite, ``report``, by default ``_nonfinite`` becomes
    NaN), the arguments, those it stores into, and whether it draws random numbers."""
    details: SummedDetails = op.details
    target = details.target
    hoisted, code = hoist_invariants(op.code)
    body, random = element_body(code, op, streams, "_s")
    start, prefix = details.range[0], details.prefix
    head = [INDENT + comment(op.comment), *preamble(code), *hoisted]
    per_target = ["_sum = 0.0", f"for _p in range({prefix}_ptr[{element}], {prefix}_ptr[{element} + 1]):",
                  f"{INDENT}_s = {prefix}_syn[_p]", *[INDENT + line for line in body],
                  f"{INDENT}_sum += _summed", f"{array_param(target)}[{element} + {start}] = _sum"]
    if target.dtype.startswith("float"):
        per_target += ["if not math.isfinite(_sum):", *[INDENT + line for line in report]] if report \
            else ["_nonfinite += _sum * 0.0"]
    args = list(dict.fromkeys(common_args(code) + [array_param(target), f"{prefix}_ptr", f"{prefix}_syn"]))
    return head, per_target, args, array_params(stored_arrays(code) + [target]), random
