"""The global seed: ``seed(n)`` makes every random draw reproducible, inside kernels
(counter-based, keyed by the seed) and outside them (initial values from strings)."""

from __future__ import annotations

import operator
import secrets

import numpy as np

from simcore.errors import ModelError

_state = {"seed": None, "init_calls": 0, "connect_calls": 0}


def seed(n: int | None = None) -> None:
    """Fix the seed of all random numbers (None: a fresh random seed). The seed is the generator's 64-bit key,
    so a whole number from 0 to 2**64 - 1; anything else is refused rather than truncated or wrapped (seed(1.5)
    and seed(2**64 + 1) would otherwise both be seed(1))."""
    if n is not None:
        try:
            value = operator.index(n)  # int and numpy integers; not floats, and not bools
        except TypeError:
            value = None
        if value is None or isinstance(n, bool | np.bool_) or not 0 <= value < 2**64:
            raise ModelError(f"seed() takes a whole number from 0 to 2**64 - 1 (or None for a fresh random seed), "
                             f"not {n!r}")
        n = value
    _state["seed"] = n
    _state["init_calls"] = 0
    _state["connect_calls"] = 0


def current_seed() -> int:
    if _state["seed"] is None:
        _state["seed"] = secrets.randbits(64)
    return _state["seed"]


def stream_seed(seed_value: int, epoch: int) -> int:
    """The key of the kernels' random numbers: the seed itself, or after ``epoch`` restores that did not
    restore the random state, a different key derived from both (splitmix64), so repeated trials differ."""
    if epoch == 0:
        return seed_value
    mask = (1 << 64) - 1
    z = (seed_value + 0x9E3779B97F4A7C15 * epoch) & mask
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & mask
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & mask
    return (z ^ (z >> 31)) % (1 << 63)


def init_generator() -> np.random.Generator:
    """A numpy generator for one initialisation statement; the n-th call after seed(k) is always the same."""
    _state["init_calls"] += 1
    return np.random.Generator(np.random.Philox(key=current_seed(), counter=[_state["init_calls"], 0, 0, 1]))


def connect_call() -> int:
    """How many random connect() calls came before this one since seed(): each draws its own numbers."""
    _state["connect_calls"] += 1
    return _state["connect_calls"]
