"""The global seed: ``seed(n)`` makes every random draw reproducible, inside kernels
(counter-based, keyed by the seed) and outside them (values set from strings: ``DrawOwner``)."""

from __future__ import annotations

import hashlib
import operator
import secrets
import weakref

import numpy as np

from simcore.errors import ModelError

_state = {"seed": None, "connect_calls": 0, "owners": 0, "ranks": {}}


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
    _state["connect_calls"] = 0
    _state["ranks"] = {}
    for owner in list(_owners):  # older than this seed: below the new ones
        owner.rank, owner.count = -owner.serial, 0


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


class DrawOwner:
    """Names the random draws of one object's values set from strings (``G.v = 'rand()*mV'``), outside kernels:
    each comes from the counter-based generator of ``simcore.random`` under a key made of the seed, this owner,
    the number of the owner's assignment with draws since seed(), and the part of the assignment (its value or its
    index condition); the element is the counter's index and the call site its stream. So two assignments draw
    anew, the same assignment after seed(k) draws the same numbers whatever variable it sets (as Brian 2's
    ``seed(k); G.v1 = 'rand()'; seed(k); G.v2 = 'rand()'`` gives v1 == v2), and one more assignment with draws
    changes later values of this object only, never those of another object.

    An owner is its object's asked-for name (the base name for an automatic one: ``'neurongroup'``) and its rank
    among the owners of that name made since seed() (1, 2, ...); one made before the last seed() ranks by minus its
    number among all owners ever made. A script run again after seed(k), in the same process or not, gets the same
    keys, even where objects of the first run still exist (their unique names then differ: 'neurongroup_1')."""

    __slots__ = ("__weakref__", "count", "label", "rank", "serial")

    def __init__(self, label: str):
        _state["owners"] += 1
        ranks = _state["ranks"]
        ranks[label] = ranks.get(label, 0) + 1
        self.label, self.rank, self.serial = label, ranks[label], _state["owners"]
        self.count = 0
        _owners.add(self)

    def assignment(self) -> Assignment:
        """The draws of this owner's next assignment."""
        return Assignment(self)


class Assignment:
    """One assignment's draws: numbered among its owner's assignments at its first draw, so that those without
    draws do not count."""

    def __init__(self, owner: DrawOwner):
        self.owner = owner
        self.number: int | None = None

    def key(self, part: str) -> int:
        """The generator key (64 bits) for the draws of ``part`` of this assignment ('value', 'index', ...)."""
        if self.number is None:
            self.owner.count += 1
            self.number = self.owner.count
        text = repr((current_seed(), self.owner.label, self.owner.rank, self.number, part))
        return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "little")


_owners: weakref.WeakSet[DrawOwner] = weakref.WeakSet()


def connect_call() -> int:
    """How many random connect() calls came before this one since seed(): each draws its own numbers."""
    _state["connect_calls"] += 1
    return _state["connect_calls"]
