"""``Synapses.connect(...)`` -> the synapses' (i, j) index arrays, built by a generated kernel (its text:
``connect_source``).

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
from functools import lru_cache
from types import ModuleType

import numba
import numpy as np

from simcore.codegen.connect_source import Loop, connect_loop, free_names, is_post, kernel_source, stream_count
from simcore.connect.request import ConnectRequest
from simcore.errors import ModelError, ModelIndexError, ModelTypeError, ModelValueError, UnknownNameError
from simcore.random import MAX_STREAM

PARALLEL_MIN_PAIRS = 10_000_000  #: below this many candidate pairs a serial kernel (cheaper to compile) is used

# Status codes a kernel leaves per source, and the message each becomes.
MESSAGES = {
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
# The builtin each status is besides ModelError, as in Brian 2: a target outside the group is an IndexError, a
# non-integer a TypeError, a bad value a ValueError.
ERRORS = {3: ModelIndexError, 4: ModelIndexError, **{code: ModelTypeError for code in range(7, 13)}}


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
    loop = connect_loop(request)
    empty = (np.empty(0, np.int32), np.empty(0, np.int32))
    if loop is None or request.n_pre == 0:
        return empty
    if not 0 <= stream <= MAX_STREAM - stream_count(loop):
        raise ModelError(f"random stream {stream} leaves no room for the connect request's "
                         f"{stream_count(loop)} streams below 2**24")
    names = free_names(loop)
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
        error = ERRORS.get(int(status[i]), ModelValueError)
        raise error(MESSAGES[int(status[i])].format(i=i, j=int(bad_j[i]), value=float(bad_value[i]),
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
    loop = connect_loop(request)
    return 1 if loop is None else stream_count(loop)


def _check_sizes(request: ConnectRequest) -> None:
    for name, size in (("n_pre", request.n_pre), ("n_post", request.n_post)):
        if not 0 <= size < 2**31:
            raise ModelError(f"{name} = {size}: group sizes must be in 0..2**31-1")


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
        size = request.n_pre if name.endswith("_pre") else request.n_post if is_post(name) else None
        array = np.ascontiguousarray(value, dtype=np.float64)
        if size is None or array.shape != (size,):
            expected = "a number" if size is None else f"{size} values"
            raise ModelError(f"'{name}' in the connect request has shape {array.shape}; expected {expected}")
        arrays[name] = array
    return arrays, scalars


@lru_cache(maxsize=64)
def _kernel(loop: Loop, arrays: tuple[str, ...], scalars: tuple[str, ...], skip: bool, parallel: bool,
            load: Callable[[str, str], ModuleType], target: str):
    text = kernel_source(loop, arrays, scalars, skip, parallel, target)
    digest = hashlib.sha256(f"{numba.__version__}\n{text}".encode()).hexdigest()[:24]
    return load(text, f"connect_{digest}").connect
