"""``Synapses.connect(...)`` -> the synapses' (i, j) index arrays, built by a generated kernel.

Every request becomes one loop shape: for each source ``i``, candidates ``m = 0, 1, ...``
of a range, all of them or a random subset; each candidate gives a target ``j`` that is
kept where the condition holds, with probability ``p`` (per pair), ``n`` times. A
condition with a constant ``p`` (or one that depends only on the source) samples the
candidates first (geometric skips: about ``p * N_post`` draws per source, not ``N_post``),
as Brian 2 does, then tests the condition on those only.

The kernel runs twice over the sources (``prange`` for large requests): once counting
the synapses of each source, once writing them at offsets from a prefix sum of the
counts. Each source draws its own random numbers (Philox: step = ``i``, index =
candidate position ``m``), so the result does not depend on the number of threads. Bad values found while generating
(``p`` outside [0, 1], ``n < 0``, a target out of range) stop that source with a status;
the first failing source (lowest ``i``) becomes the error message.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from types import ModuleType

import numba
import numpy as np
import sympy
from sympy.core.function import AppliedUndef
from sympy.core.relational import Relational
from sympy.logic.boolalg import BooleanAtom, BooleanFunction

from simcore.codegen.printer import to_numba
from simcore.codegen.runtime import cuda_runtime_lines, runtime_import
from simcore.connect.request import ConnectRequest
from simcore.equations.functions import RANDOM_FUNCTIONS
from simcore.equations.generator import TargetGenerator
from simcore.equations.parser import is_condition, symbol
from simcore.errors import ModelError, ModelIndexError, ModelTypeError, ModelValueError, UnknownNameError
from simcore.random import MAX_STREAM

INDENT = "    "
PARALLEL_MIN_PAIRS = 10_000_000  #: below this many candidate pairs a serial kernel (cheaper to compile) is used
_PROVIDED = frozenset({"i", "j", "N_pre", "N_post"})
# Names the kernel's module uses: a user's name equal to one is renamed (prefixed with '_').
_GLOBALS = frozenset({"math", "njit", "prange", "range", "len", "int", "float", "min", "max", "cuda",
                      "uniform_njit", "normal_njit", "poisson_njit", "uniform_cuda", "normal_cuda", "poisson_cuda"})
_CANDIDATE = "_k"  # loop variable when the request has no generator: the target itself


@dataclass(frozen=True)
class _Loop:
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


# Status codes a kernel leaves per source, and the message each becomes.
_MESSAGES = {
    1: "the step of the range for source i={i} is zero",
    2: "connection probability p = {value!r} for source i={i} is negative or not a number (1 or more: certain)",
    3: "sample size {value:.0f} for source i={i} is not in 0..{j} (the number of candidates)",
    4: "target j={j} of source i={i} is outside 0..{last}; pass skip_if_invalid=True to drop such targets",
    5: "connection probability p = {value!r} for the pair i={i}, j={j} is negative or not a number (1 or more: "
       "certain)",
    6: "n = {value:.0f} synapses for the pair i={i}, j={j}: n must be >= 0",
    7: "The 'low' argument of the range function was {value!r} (for source i={i}), but it needs to be an integer.",
    8: "The 'high' argument of the range function was {value!r} (for source i={i}), but it needs to be an integer.",
    9: "The 'step' argument of the range function was {value!r} (for source i={i}), but it needs to be an integer.",
    10: "sample size for source i={i} is {value!r}, not an integer",
    11: "target j = {value!r} of source i={i} is not an integer",
    12: "n = {value!r} synapses for the pair i={i}, j={j} is not an integer",
}
_NOT_INTEGER = {"start": 7, "stop": 8, "step": 9, "size": 10, "element": 11, "n": 12}
# The builtin each status is besides ModelError, as in Brian 2: a target outside the group is an IndexError, a
# non-integer a TypeError, a bad value a ValueError.
_ERRORS = {3: ModelIndexError, 4: ModelIndexError, **{code: ModelTypeError for code in range(7, 13)}}


def connect_pairs(request: ConnectRequest, values: Mapping[str, np.ndarray | float], seed: int, stream: int,
                  load: Callable[[str, str], ModuleType], parallel: bool | None = None,
                  reserve: Callable[[int], None] | None = None, device: str = "cpu") -> tuple[np.ndarray, np.ndarray]:
    """The synapses' (i, j) as int32 arrays, ordered by i, then in generation order (j ascending
    without a generator), each pair repeated n times in a row.

    ``values`` gives every other name: a float (an external constant, in SI) or an array
    (length n_pre for ``*_pre`` names, n_post for ``*_post``). Random numbers use streams
    ``stream .. stream + random_stream_count(request) - 1``. ``parallel`` (default: when
    there are at least PARALLEL_MIN_PAIRS candidate pairs and numba has 2+ threads) only
    changes the speed. ``load(text, name)`` compiles the generated source (the backend's job).
    ``reserve(count)``, called once the number of synapses is known and before anything of that
    size is allocated, may refuse it. ``device`` 'cuda' generates the synapses on the GPU (the same ones).
    """
    _check_sizes(request)
    loop = _plan(request)
    empty = (np.empty(0, np.int32), np.empty(0, np.int32))
    if loop is None or request.n_pre == 0:
        return empty
    if not 0 <= stream <= MAX_STREAM - _stream_count(loop):
        raise ModelError(f"random stream {stream} leaves no room for the connect request's "
                         f"{_stream_count(loop)} streams below 2**24")
    names = _free_names(loop)
    arrays, scalars = _arguments(names, values, request)
    if parallel is None:
        parallel = numba.get_num_threads() > 1 and request.n_pre * request.n_post >= PARALLEL_MIN_PAIRS
    target = "cuda" if device == "cuda" else "njit"
    kernel = _kernel(loop, tuple(arrays), tuple(scalars), request.skip_if_invalid, parallel, load, target)
    if target == "cuda":
        kernel = _on_gpu(kernel, request.n_pre)
    n_pre = request.n_pre
    counts = np.zeros(n_pre, np.int64)
    status = np.zeros(n_pre, np.int64)
    bad_j = np.zeros(n_pre, np.int64)
    bad_value = np.zeros(n_pre, np.float64)
    fixed = (np.uint64(seed), np.int64(stream), np.int64(n_pre), np.int64(request.n_post), counts)
    rest = (status, bad_j, bad_value, *arrays.values(), *scalars.values())
    kernel(False, *fixed, np.zeros(0, np.int64), *empty, *rest)
    failed = np.flatnonzero(status)
    if failed.size:
        i = int(failed[0])
        error = _ERRORS.get(int(status[i]), ModelValueError)
        raise error(_MESSAGES[int(status[i])].format(i=i, j=int(bad_j[i]), value=float(bad_value[i]),
                                                     last=request.n_post - 1))
    offsets = np.zeros(n_pre, np.int64)
    np.cumsum(counts[:-1], out=offsets[1:])
    total = int(offsets[-1] + counts[-1])
    if reserve is not None:
        reserve(total)
    pre, post = np.empty(total, np.int32), np.empty(total, np.int32)
    kernel(True, *fixed, offsets, pre, post, *rest)
    return pre, post


def _on_gpu(kernel, n_pre: int) -> Callable:
    """``kernel`` launched on the GPU over the sources, with the numpy arrays it fills copied back."""
    from numba import cuda
    from numba.core import config

    threads = min(max(n_pre, 1), 4 if config.ENABLE_CUDASIM else 128)
    blocks = min(-(-n_pre // threads), 2 if config.ENABLE_CUDASIM else 4096)

    def launch(*arguments):
        on_device = [cuda.to_device(a) if isinstance(a, np.ndarray) and a.size else a for a in arguments]
        kernel[blocks, threads](*on_device)
        for host, device in zip(arguments, on_device, strict=True):
            if device is not host:
                device.copy_to_host(host)

    return launch


def random_stream_count(request: ConnectRequest) -> int:
    """How many random streams, from ``stream`` on, ``connect_pairs`` uses for this request."""
    loop = _plan(request)
    return 1 if loop is None else _stream_count(loop)


def _stream_count(loop: _Loop) -> int:
    """One stream for the sampling or p draw, one per random call site."""
    return 1 + sum(len(_random_calls(expr)) for _, expr in loop.slots())


def _check_sizes(request: ConnectRequest) -> None:
    for name, size in (("n_pre", request.n_pre), ("n_post", request.n_post)):
        if not 0 <= size < 2**31:
            raise ModelError(f"{name} = {size}: group sizes must be in 0..2**31-1")


def _constant(value) -> sympy.Basic:
    return value if isinstance(value, sympy.Basic) else sympy.sympify(value)


def _equals(expr: sympy.Basic, number: float) -> bool:
    """A numeric comparison (sympy's ``Float(1.0) == 1`` is False)."""
    return expr.is_Number and float(expr) == number


def _plan(request: ConnectRequest) -> _Loop | None:
    """The request as a _Loop, or None when it cannot give any synapse."""
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
    per_source = p.is_Number or not (_random_calls(p) or any(s == j or _is_post(s.name) for s in p.free_symbols))
    return _Loop(variable=_CANDIDATE, element=sympy.Symbol(_CANDIDATE), start=sympy.S.Zero, stop=symbol("N_post"),
                 step=sympy.S.One, sample_p=p if per_source and not _equals(p, 1) else None, size=None,
                 condition=condition, pair_p=None if per_source else p, n=n)


def _generator_loop(generator: TargetGenerator, n: sympy.Basic) -> _Loop | None:
    for name, value in (("low", generator.start), ("high", generator.stop), ("step", generator.step)):
        # as in Brian 2: 42.0 or True is not an integer here, even where it equals one
        if isinstance(value, BooleanAtom | BooleanFunction | Relational) or value.has(sympy.Float):
            raise ModelTypeError(f"The '{name}' argument of the range function was {value}, but it needs to be an "
                                 "integer.")
    if generator.condition in (False, sympy.false) or _equals(n, 0):
        return None
    return _Loop(variable=generator.variable, element=generator.element, start=generator.start,
                 stop=generator.stop, step=generator.step, sample_p=generator.p, size=generator.size,
                 condition=generator.condition, pair_p=None, n=n)


def _is_post(name: str) -> bool:
    return name.endswith("_post") and name != "N_post"


def _random_calls(expr: sympy.Basic) -> list[sympy.Basic]:
    return sorted((c for c in expr.atoms(sympy.Function) if type(c).__name__ in RANDOM_FUNCTIONS), key=str)


def _free_names(loop: _Loop) -> set[str]:
    names = set()
    for _, expr in loop.slots():
        undefined = expr.atoms(AppliedUndef) - set(_random_calls(expr))
        if undefined:
            name = type(next(iter(undefined))).__name__
            raise ModelError(f"the function {name}() cannot be used when creating synapses")
        names |= {s.name for s in expr.free_symbols}
    return names - _PROVIDED - {loop.variable, _CANDIDATE}


def _arguments(names: set[str], values: Mapping, request: ConnectRequest) -> tuple[dict, dict]:
    """Check ``values`` for ``names``; split them into arrays (by name) and float scalars."""
    arrays, scalars = {}, {}
    for name in sorted(names):
        if name not in values:
            raise UnknownNameError(name, f"'{name}' is used in the connect request but not defined")
        value = values[name]
        if np.ndim(value) == 0:
            scalars[name] = float(value)
            continue
        size = request.n_pre if name.endswith("_pre") else request.n_post if _is_post(name) else None
        array = np.ascontiguousarray(value, dtype=np.float64)
        if size is None or array.shape != (size,):
            expected = "a number" if size is None else f"{size} values"
            raise ModelError(f"'{name}' in the connect request has shape {array.shape}; expected {expected}")
        arrays[name] = array
    return arrays, scalars


@lru_cache(maxsize=64)
def _kernel(loop: _Loop, arrays: tuple[str, ...], scalars: tuple[str, ...], skip: bool, parallel: bool,
            load: Callable[[str, str], ModuleType], target: str):
    text = _source(loop, arrays, scalars, skip, parallel, target)
    digest = hashlib.sha256(f"{numba.__version__}\n{text}".encode()).hexdigest()[:24]
    return load(text, f"connect_{digest}").connect


def _local(name: str) -> str:
    return f"_{name}" if name in _GLOBALS else name


class _Printer:
    """Prints the loop's expressions with random draws replaced by locals (one stream each)."""

    def __init__(self, loop: _Loop, arrays: tuple[str, ...], scalars: tuple[str, ...], target: str):
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
            counter = f"_seed, i, {index}, _stream + {stream}"
            if type(call).__name__ == "rand":
                lines.append(f"{local} = uniform_{self.target}({counter})")
            elif type(call).__name__ == "randn":
                lines.append(f"{local} = normal_{self.target}({counter})")
            else:
                lam = to_numba(call.args[0].xreplace(self.rename))
                lines.append(f"{local} = float(poisson_{self.target}({lam}, {counter}))")
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


def _source(loop: _Loop, arrays: tuple[str, ...], scalars: tuple[str, ...], skip: bool, parallel: bool,
            compile_for: str) -> str:
    """The module text: one ``connect`` kernel (see the module docstring), for numba's njit (``compile_for``
    'njit') or numba.cuda ('cuda': the threads of the grid take the sources in turn)."""
    printer = _Printer(loop, arrays, scalars, compile_for)
    uniform = f"uniform_{compile_for}"
    pre = [a for a in arrays if a.endswith("_pre")]
    post = [a for a in arrays if _is_post(a)]
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
        imports = ["import math", "", "from numba import njit, prange", "", runtime_import(),
                   "from simcore.random import normal_njit, poisson_njit, uniform_njit"]
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
