"""The text of a connect kernel (``simcore.codegen.connect`` compiles and runs it).

Every request becomes one loop shape: for each source ``i``, candidates ``m = 0, 1, ...``
of a range, all of them or a random subset; each candidate gives a target ``j`` that is
kept where the condition holds, with probability ``p`` (per pair), ``n`` times. A
condition with a constant ``p`` (or one that depends only on the source) samples the
candidates first (geometric skips: about ``p * N_post`` draws per source, not ``N_post``),
as Brian 2 does, then tests the condition on those only. A bad value stops its source with
a status code (``connect.MESSAGES`` says what each means).
"""

from __future__ import annotations

from dataclasses import dataclass

import numba
import sympy
from sympy.core.function import AppliedUndef
from sympy.core.relational import Relational
from sympy.logic.boolalg import BooleanAtom, BooleanFunction

from simcore.codegen.printer import to_numba
from simcore.codegen.runtime import cuda_runtime_lines, runtime_imports
from simcore.connect.request import ConnectRequest
from simcore.equations.functions import BY_SYMPY_NAME, FUNCTIONS, RANDOM_FUNCTIONS
from simcore.equations.generator import TargetGenerator
from simcore.equations.parser import is_condition, symbol
from simcore.errors import ModelError, ModelTypeError, ModelValueError

INDENT = "    "
_PROVIDED = frozenset({"i", "j", "N_pre", "N_post"})
# Names the kernel's module uses: a user's name equal to one is renamed (prefixed with '_').
_DRAWS = sorted(f.draw for f in FUNCTIONS if f.draw and f.in_language)  # what a connect string may draw
_GLOBALS = frozenset({"math", "njit", "prange", "range", "len", "int", "float", "min", "max", "cuda",
                      *(f"{draw}_{target}" for draw in _DRAWS for target in ("njit", "cuda"))})
_CANDIDATE = "_k"  # loop variable when the request has no generator: the target itself


@dataclass(frozen=True)
class Loop:
    """The one shape every request takes (see the module docstring)."""

    variable: str | None
    element: sympy.Basic
    start: sympy.Basic
    stop: sympy.Basic
    step: sympy.Basic
    sample_p: sympy.Basic | None
    size: sympy.Basic | None
    condition: sympy.Basic | None
    pair_p: sympy.Basic | None
    n: sympy.Basic

    def slots(self) -> list[tuple[str, sympy.Basic]]:
        """(name, expression) of each part, in evaluation order."""
        parts = [("start", self.start), ("stop", self.stop), ("step", self.step), ("sample_p", self.sample_p),
                 ("size", self.size), ("element", self.element), ("condition", self.condition),
                 ("pair_p", self.pair_p), ("n", self.n)]
        return [(name, expr) for name, expr in parts if expr is not None]


# Status codes of values that must be integers (``connect.MESSAGES``: what each becomes).
_NOT_INTEGER = {"start": 7, "stop": 8, "step": 9, "size": 10, "element": 11, "n": 12}


def stream_count(loop: Loop) -> int:
    """One stream for the sampling or p draw, one per random call site."""
    return 1 + sum(len(_random_calls(expr)) for _, expr in loop.slots())


def _constant(value) -> sympy.Basic:
    return value if isinstance(value, sympy.Basic) else sympy.sympify(value)


def _equals(expr: sympy.Basic, number: float) -> bool:
    """A numeric comparison (sympy's ``Float(1.0) == 1`` is False)."""
    return expr.is_Number and float(expr) == number


def connect_loop(request: ConnectRequest) -> Loop | None:
    """The request as a Loop, or None when it cannot give any synapse."""
    n = _constant(request.n)
    if n.is_Number and not (n >= 0 and float(n).is_integer()):
        raise ModelValueError(f"n = {float(n)!r}: the number of synapses per pair must be an integer >= 0")
    p = _constant(request.p)
    if p.is_Number and not float(p) >= 0:
        raise ModelValueError(f"p = {float(p)!r} is negative or not a number (it applies to every pair; 1 or more: "
                              "every pair is connected)")
    p = sympy.S.One if p.is_Number and float(p) > 1 else p
    condition = request.condition
    if condition is not None and not (is_condition(condition) or isinstance(condition, bool)):
        raise ModelTypeError(f"the condition {condition} is not a comparison or logical expression")
    if request.generator is not None:
        if condition is not None:
            raise ModelValueError("a condition cannot be combined with a j= generator: put it after the "
                                  "generator's 'if'")
        if not _equals(p, 1):
            raise ModelValueError("p cannot be combined with a j= generator: use 'k for k in sample(..., p=...)'")
        return _generator_loop(request.generator, n)
    condition = None if condition in (True, sympy.true) else condition
    if condition in (False, sympy.false) or _equals(p, 0) or _equals(n, 0):
        return None
    j = symbol("j")
    per_source = p.is_Number or not (_random_calls(p) or any(s == j or is_post(s.name) for s in p.free_symbols))
    return Loop(variable=_CANDIDATE, element=sympy.Symbol(_CANDIDATE), start=sympy.S.Zero, stop=symbol("N_post"),
                 step=sympy.S.One, sample_p=p if per_source and not _equals(p, 1) else None, size=None,
                 condition=condition, pair_p=None if per_source else p, n=n)


def _generator_loop(generator: TargetGenerator, n: sympy.Basic) -> Loop | None:
    for name, value in (("low", generator.start), ("high", generator.stop), ("step", generator.step)):
        # as in Brian 2: 42.0 or True is not an integer here, even where it equals one
        if isinstance(value, BooleanAtom | BooleanFunction | Relational) or value.has(sympy.Float):
            raise ModelTypeError(f"The '{name}' argument of the range function was {value}, but it needs to be an "
                                 "integer.")
    if generator.condition in (False, sympy.false) or _equals(n, 0):
        return None
    return Loop(variable=generator.variable, element=generator.element, start=generator.start,
                 stop=generator.stop, step=generator.step, sample_p=generator.p, size=generator.size,
                 condition=generator.condition, pair_p=None, n=n)


def is_post(name: str) -> bool:
    return name.endswith("_post") and name != "N_post"


def _random_calls(expr: sympy.Basic) -> list[sympy.Basic]:
    return sorted((c for c in expr.atoms(sympy.Function) if type(c).__name__ in RANDOM_FUNCTIONS), key=str)


def free_names(loop: Loop) -> set[str]:
    names = set()
    for _, expr in loop.slots():
        undefined = expr.atoms(AppliedUndef) - set(_random_calls(expr))
        if undefined:
            name = type(next(iter(undefined))).__name__
            raise ModelError(f"the function {name}() cannot be used when creating synapses")
        names |= {s.name for s in expr.free_symbols}
    return names - _PROVIDED - {loop.variable, _CANDIDATE}


def _local(name: str) -> str:
    return f"_{name}" if name in _GLOBALS else name


class _Printer:
    """Prints the loop's expressions with random draws replaced by locals (one stream each)."""

    def __init__(self, loop: Loop, arrays: tuple[str, ...], scalars: tuple[str, ...], target: str):
        self.target = target
        names = (*arrays, *scalars, *([loop.variable] if loop.variable else []))
        self.rename = {symbol(name): sympy.Symbol(_local(name)) for name in names}
        self.streams = {}
        for slot, expr in loop.slots():
            for call in _random_calls(expr):
                self.streams[(slot, call)] = len(self.streams) + 1
        integer_names = (*_PROVIDED, *([loop.variable] if loop.variable else []))
        self.integers = {symbol(n): sympy.Symbol(n, integer=True) for n in integer_names}
        self.integers[sympy.Symbol(_CANDIDATE)] = sympy.Symbol(_CANDIDATE, integer=True)

    def draws(self, slot: str, expr: sympy.Basic, index: str) -> tuple[list[str], sympy.Basic]:
        lines, replace = [], {}
        for call in _random_calls(expr):
            stream = self.streams[(slot, call)]
            local = f"_{type(call).__name__}_{stream}"
            function = BY_SYMPY_NAME[type(call).__name__]
            arguments = [*(to_numba(a.xreplace(self.rename)) for a in call.args[:function.arity]),
                         f"_seed, i, {index}, _stream + {stream}"]
            draw = f"{function.draw}_{self.target}({', '.join(arguments)})"
            lines.append(f"{local} = {f'float({draw})' if function.integer else draw}")  # a count: as a float
            replace[call] = sympy.Symbol(local)
        return lines, expr.xreplace(replace).xreplace(self.rename)

    def value(self, slot: str, expr: sympy.Basic, target: str, index: str, on_error: str,
              j: str | None = None) -> list[str]:
        """Lines setting ``target``; for an integer slot, a non-integral value is an error
        (recorded with target ``j`` where there is one)."""
        known_integer = expr.xreplace(self.integers).is_integer
        lines, expr = self.draws(slot, expr, index)
        if slot not in _NOT_INTEGER or known_integer:
            return [*lines, f"{target} = {to_numba(expr)}"]
        value = f"_{slot}_value"
        return [*lines, f"{value} = {to_numba(expr)}",
                f"if not ({value} == math.floor({value}) and abs({value}) < 4.0e18):",
                *_fail(_NOT_INTEGER[slot], value, j, on_error), f"{target} = int({value})"]


def _fail(code: int, value: str | None = None, j: str | None = None, action: str = "continue") -> list[str]:
    lines = [f"_status[i] = {code}"]
    lines += [f"_bad_value[i] = {value}"] if value else []
    lines += [f"_bad_j[i] = {j}"] if j else []
    return [INDENT + line for line in [*lines, action]]


def kernel_source(loop: Loop, arrays: tuple[str, ...], scalars: tuple[str, ...], skip: bool, parallel: bool,
            compile_for: str) -> str:
    """The module text: one ``connect`` kernel (see the module docstring), for numba's njit (``compile_for``
    'njit') or numba.cuda ('cuda': the threads of the grid take the sources in turn)."""
    printer = _Printer(loop, arrays, scalars, compile_for)
    uniform = f"uniform_{compile_for}"
    pre = [a for a in arrays if a.endswith("_pre")]
    post = [a for a in arrays if is_post(a)]
    per_source = [f"{_local(a)} = _a_{a}[i]" for a in pre]
    for slot, target in (("start", "_start"), ("stop", "_stop"), ("step", "_step")):
        per_source += printer.value(slot, getattr(loop, slot), target, "0", "continue")
    per_source += [] if loop.step.is_Number else ["if _step == 0:", *_fail(1)]
    per_source += ["_count = len(range(_start, _stop, _step))"]
    if loop.sample_p is not None:
        per_source += printer.value("sample_p", loop.sample_p, "_q", "0", "continue")
        per_source += [] if loop.sample_p.is_Number else ["if not _q >= 0.0:", *_fail(2, "_q"), "_q = min(_q, 1.0)"]
        per_source += ["if _q == 0.0:", f"{INDENT}_count = 0", "_logq = math.log1p(-_q) if _q < 1.0 else 0.0",
                       "_next = 0", "_draw = 0"]
        header = ["while _next < _count:",
                  f"{INDENT}if _q < 1.0:",
                  f"{INDENT * 2}_gap = math.floor(math.log1p(-{uniform}(_seed, i, _draw, _stream)) / _logq)",
                  f"{INDENT * 2}_draw += 1",
                  f"{INDENT * 2}if _gap >= _count - _next:",
                  f"{INDENT * 3}break",
                  f"{INDENT * 2}_next += int(_gap)",
                  f"{INDENT}_m = _next",
                  f"{INDENT}_next += 1"]
    elif loop.size is not None:
        per_source += printer.value("size", loop.size, "_need", "0", "continue")
        if skip:  # as in Brian 2: a size beyond the candidates takes them all, a negative one none
            per_source += ["_need = min(max(_need, 0), _count)"]
        else:
            per_source += ["if _need < 0 or _need > _count:", *_fail(3, "_need", "_count")]
        header = ["for _m in range(_count):",
                  f"{INDENT}if _need == 0:",
                  f"{INDENT * 2}break",
                  f"{INDENT}if (_count - _m) * {uniform}(_seed, i, _m, _stream) >= _need:",
                  f"{INDENT * 2}continue",
                  f"{INDENT}_need -= 1"]
    else:
        header = ["for _m in range(_count):"]
    body = [f"{_local(loop.variable)} = _start + _m * _step"] if loop.variable else []
    body += printer.value("element", loop.element, "j", "_m", "break")
    check_target = ["if j < 0 or j >= N_post:",
                    *([f"{INDENT}continue"] if skip else _fail(4, j="j", action="break"))]
    test = []
    if loop.condition is not None:
        lines, condition = printer.draws("condition", loop.condition, "_m")
        test = [*lines, f"if not ({to_numba(condition)}):", f"{INDENT}continue"]
    # As in Brian 2: a condition that reads no postsynaptic array is tested first, so that
    # 'i + 1 if i < N_pre - 1' never makes the invalid target N_pre
    if loop.condition is not None and not {symbol(a) for a in post} & loop.condition.free_symbols:
        body += [*test, *check_target, *[f"{_local(a)} = _a_{a}[j]" for a in post]]
    else:
        body += [*check_target, *[f"{_local(a)} = _a_{a}[j]" for a in post], *test]
    if loop.pair_p is not None:
        body += printer.value("pair_p", loop.pair_p, "_p", "_m", "break")
        body += ["if not _p >= 0.0:", *_fail(5, "_p", "j", "break"),
                 f"if {uniform}(_seed, i, _m, _stream) >= _p:", f"{INDENT}continue"]
    body += printer.value("n", loop.n, "_n", "_m", "break", "j")
    body += [] if loop.n.is_Number else ["if _n < 0:", *_fail(6, "_n", "j", "break")]
    body += ["if _fill:", f"{INDENT}_first = _offsets[i] + _total",
             f"{INDENT}for _r in range(_first, _first + _n):",
             f"{INDENT * 2}_out_i[_r] = i", f"{INDENT * 2}_out_j[_r] = j",
             "_total += _n"]
    params = ["_fill", "_seed", "_stream", "N_pre", "N_post", "_counts", "_offsets", "_out_i", "_out_j", "_status",
              "_bad_j", "_bad_value", *[f"_a_{a}" for a in arrays], *[_local(s) for s in scalars]]
    if compile_for == "cuda":
        imports = ["import math", "", "from numba import cuda", "", *cuda_runtime_lines()]
        head = ["@cuda.jit(cache=True)", f"def connect({', '.join(params)}):",
                f"{INDENT}for i in range(cuda.grid(1), N_pre, cuda.gridsize(1)):"]
    else:
        options = 'cache=True, error_model="numpy"' + (", parallel=True" if parallel else "")
        imports = ["import math", "", "from numba import njit, prange", "", *runtime_imports(),
                   f"from simcore.random import {', '.join(f'{draw}_njit' for draw in _DRAWS)}"]
        head = [f"@njit({options})", f"def connect({', '.join(params)}):",
                f"{INDENT}for i in {'prange' if parallel else 'range'}(N_pre):"]
    lines = [f'"""Synapse creation: generated by simcore with numba {numba.__version__}."""', "", *imports, "", "",
             *head,
             *[INDENT * 2 + line for line in per_source],
             f"{INDENT * 2}_total = 0",
             *[INDENT * 2 + line for line in header],
             *[INDENT * 3 + line for line in body],
             f"{INDENT * 2}_counts[i] = _total", ""]
    return "\n".join(lines)
