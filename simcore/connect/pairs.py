"""The (i, j) pairs of new synapses: from a ``ConnectRequest``, by a kernel that the current device generates
and runs at once (Brian 2 semantics: the synapses exist right after ``connect()``), or from index arrays."""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np

from simcore.backends.select import get_device
from simcore.connect.request import ConnectRequest, pair_count, probability
from simcore.errors import ModelIndexError, ModelTypeError, ModelValueError
from simcore.seeding import connect_call, current_seed

# stream numbers of connect() calls: far from those of the run loop's random call sites
CONNECT_STREAM_BASE = 1 << 20


def generated_pairs(request: ConnectRequest, values: Mapping[str, np.ndarray | float],
                    reserve: Callable[[int], None]) -> tuple[np.ndarray, np.ndarray]:
    """The pairs ``request`` asks for (``values``: its names' values, in SI), each connect() call with its own
    random streams; ``reserve(count)`` may refuse their number before anything of that size is allocated."""
    stream = CONNECT_STREAM_BASE + 16 * connect_call()
    return get_device().connect_pairs(request, values, current_seed(), stream, reserve)


def array_pairs(i, j, p, n, sources: tuple[str, int], targets: tuple[str, int],
                where: str) -> tuple[np.ndarray, np.ndarray]:
    """``connect(i=..., j=...)``: the given pairs (one index may stand for all), each kept with probability
    ``p`` and repeated ``n`` times, as int32 arrays. ``sources``, ``targets``: each group's description and
    size; ``where`` names the synapses in errors."""
    if isinstance(p, str) or isinstance(n, str):
        raise ModelTypeError(f"connect() of {where} with index arrays takes p= and n= as numbers, not expressions")
    pre = np.atleast_1d(np.asarray(i))
    post = np.atleast_1d(np.asarray(j))
    for name, array in (("i", pre), ("j", post)):
        if array.size and array.dtype.kind not in "iu":
            raise ModelTypeError(f"connect({name}=...) of {where}: indices must be integers, not "
                                 f"{array.dtype} ({array.ravel()[0]!r})")
    if pre.shape != post.shape:
        if pre.size == 1:
            pre = np.full(post.shape, pre.ravel()[0])
        elif post.size == 1:
            post = np.full(pre.shape, post.ravel()[0])
        else:
            raise ModelValueError(f"connect(i=, j=) of {where}: i has the shape {pre.shape} and j {post.shape}; "
                                  "they must be equal (or one a single index)")
    pre, post = pre.ravel(), post.ravel()
    for name, array, (what, size) in (("i", pre, sources), ("j", post, targets)):
        bad = array[(array < 0) | (array >= size)]
        if bad.size:
            raise ModelIndexError(f"connect({name}=...) of {where}: index {int(bad[0])} is outside {what}, which "
                                  f"has {size} elements (0 to {size - 1})")
    kept, copies = probability(p), pair_count(n)
    if kept < 1:
        generator = np.random.Generator(np.random.Philox(key=current_seed(), counter=[
            CONNECT_STREAM_BASE + 16 * connect_call(), 0, 0, 2]))
        keep = generator.random(len(pre)) < kept
        pre, post = pre[keep], post[keep]
    if copies != 1:
        pre, post = np.repeat(pre, copies), np.repeat(post, copies)
    return pre.astype(np.int32), post.astype(np.int32)
