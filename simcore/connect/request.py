"""What ``Synapses.connect()`` asks for, with the checks of its arguments, and the bookkeeping of the (i, j)
pairs that connecting leaves (the multisynaptic index, the integer type of synapse numbers)."""

from __future__ import annotations

import io
import tokenize
from dataclasses import dataclass
from numbers import Number

import numpy as np
import sympy

from simcore.equations.generator import TargetGenerator
from simcore.errors import ModelIndexError, ModelTypeError, ModelValueError
from simcore.output.snapshot import in_range, same_values
from simcore.units import get_dimensions


@dataclass(frozen=True)
class ConnectRequest:
    """What ``Synapses.connect`` asks for; expressions use ``simcore.equations.parser.symbol`` names."""

    n_pre: int
    n_post: int
    condition: sympy.Basic | None = None
    p: sympy.Basic | float = 1.0
    n: sympy.Basic | int = 1
    generator: TargetGenerator | None = None
    skip_if_invalid: bool = False


def check_connect_types(condition, i, j, p, n) -> None:
    """Refuse arguments of connect() of a kind it cannot take (a TypeError, as in Brian 2)."""
    if not isinstance(condition, str | bool | np.bool_ | None):
        raise ModelTypeError(f"connect(): the condition must be a string or a bool, not {condition!r} (index "
                             "arrays go into i= and j=)")
    if isinstance(p, bool) or not isinstance(p, str | Number | np.generic) and not hasattr(p, "dimensions") \
            and not hasattr(p, "dimensionality"):
        raise ModelTypeError(f"connect(p={p!r}): p must be a number or a string expression")
    if isinstance(n, bool) or not isinstance(n, str | Number | np.generic):
        raise ModelTypeError(f"connect(n={n!r}): n must be a whole number or a string expression")
    for name, value in (("i", i), ("j", j)):
        if value is not None and not isinstance(value, str | Number | np.generic | list | tuple | range | np.ndarray):
            raise ModelTypeError(f"connect({name}={value!r}): give indices (an integer or integers) or a generator "
                                 "string")


def probability(p) -> float:
    """A probability given as a number: above 1 means certain (as in Brian 2); negative is refused."""
    if not get_dimensions(p).is_dimensionless:
        raise ModelTypeError(f"connect(p={p!s}): a probability has no unit")
    value = float(p)
    if not value >= 0:
        raise ModelValueError(f"connect(p={p!r}): a probability must be >= 0 (1 or more: every pair)")
    return min(value, 1.0)


def pair_count(n) -> int:
    """A number of synapses per pair given as a number."""
    if int(n) != n or n < 0:
        raise ModelValueError(f"connect(n={n!r}): the number of synapses per pair must be a whole number >= 0")
    return int(n)


def swapped(text: str) -> str:
    """Code for a generator over sources (``i='j + k for k in range(...)'``) as one over targets: ``i`` and
    ``j``, ``N_pre`` and ``N_post``, ``x_pre`` and ``x_post`` exchanged."""
    tokens = []
    for token in tokenize.generate_tokens(io.StringIO(text).readline):
        string = token.string
        if token.type == tokenize.NAME:
            string = {"i": "j", "j": "i", "N_pre": "N_post", "N_post": "N_pre"}.get(string, string)
            if string.endswith("_pre") and string != "N_pre" and token.string == string:
                string = string[:-4] + "_post"
            elif string.endswith("_post") and string != "N_post" and token.string == string:
                string = string[:-5] + "_pre"
        tokens.append((token.type, string))
    return tokenize.untokenize(tokens).strip()


def matches(part, column: np.ndarray, size: int) -> np.ndarray:
    """Which synapses one part of an ``[i, j]`` (or ``[i, j, n]``) index selects, given their ``column``."""
    if isinstance(part, slice):
        start, stop, step = part.indices(size)
        return (column >= start) & (column < stop) & ((column - start) % step == 0)
    values = np.atleast_1d(np.asarray(part)) if isinstance(part, Number | np.generic | list | np.ndarray) else None
    if values is None or not np.issubdtype(values.dtype, np.integer):
        raise ModelIndexError(f"the parts of [i, j] synapse indices must be integers, slices, integers or "
                              f"subgroups of the source (target), not {part!r}")
    return np.isin(column, values)


def ranks(pre: np.ndarray, post: np.ndarray, targets: int) -> np.ndarray:
    """The multisynaptic index: each synapse's rank among the synapses of its (i, j) pair, in creation order."""
    result = np.zeros(len(pre), dtype=np.int32)
    if len(pre):
        pairs = pre.astype(np.int64) * targets + post
        order = np.argsort(pairs, kind="stable")
        starts = np.r_[0, np.flatnonzero(np.diff(pairs[order])) + 1]
        result[order] = np.arange(len(pre)) - np.repeat(starts, np.diff(np.r_[starts, len(pre)]))
    return result


def index_type(size: int):
    """Synapse numbers as int32 (4 bytes per synapse) while they fit."""
    return np.int32 if size < np.iinfo(np.int32).max else np.int64


def check_connections(arrays: dict[str, np.ndarray], synapses: int, sources: tuple[str, int],
                      targets: tuple[str, int], multisynaptic_index: str | None) -> None:
    """Refuse stored connections (data read from a file) that connect() could not have left: ``i`` and ``j``
    within the (name, size) ``sources`` and ``targets`` (the kernels index neurons with them unchecked); the
    counts per neuron, ``N`` and the multisynaptic index as ``i`` and ``j`` give them."""
    in_range(arrays["i"], sources[1], f"'i' (the presynaptic neurons, of {sources[0]})")
    in_range(arrays["j"], targets[1], f"'j' (the postsynaptic neurons, of {targets[0]})")
    same_values(arrays["N"], np.array([synapses]), "'N' (the number of synapses)")
    same_values(arrays["N_pre"], np.array([sources[1]]), "'N_pre'")
    same_values(arrays["N_post"], np.array([targets[1]]), "'N_post'")
    for name, index, size in (("N_incoming", "j", targets[1]), ("N_outgoing", "i", sources[1])):
        same_values(arrays[name], np.bincount(arrays[index], minlength=size), f"'{name}' (from '{index}')")
    if multisynaptic_index is not None:
        same_values(arrays[multisynaptic_index], ranks(arrays["i"], arrays["j"], targets[1]),
                    f"'{multisynaptic_index}' (from 'i', 'j')")
