"""The counter layout of simcore.random's generator, and what keeps callers within it: the ranges of the
counter's fields (``MAX_STEP``, ``MAX_INDEX``, ``MAX_STREAM``, ``MAX_SUB``), ``check_counter_ranges`` and
``make_seed``. Nothing here is compiled: simcore.random's compiled draws implement the layout with literal masks
(``philox_block``), so numba's caches of them depend on that file alone.

Key and counter
---------------
The 64-bit seed is the Philox key: ``k0`` = seed bits 0-31, ``k1`` = seed bits 32-63.
The 128-bit counter holds four fields that never overlap::

    c0 = index bits  0-31
    c1 = index bits 32-39  (bits 0-7)   | stream (bits 8-31)
    c2 = step  bits  0-31
    c3 = step  bits 32-55  (bits 0-23)  | sub    (bits 24-31)

so ``0 <= step < 2**56`` (MAX_STEP), ``0 <= index < 2**40`` (MAX_INDEX),
``0 <= stream < 2**24`` (MAX_STREAM) and ``0 <= sub < 2**8``. Every combination
within these ranges is a distinct counter, hence an independent block of four 32-bit
words. Bits beyond a field's width are masked off (no check inside compiled code: an
out-of-range value silently wraps onto another counter); callers validate their ranges
once, before a run, with ``check_counter_ranges``. 2**56 steps are 228,000 years of
simulated time at dt = 0.1 ms. ``stream`` names the call site (one per ``rand()``,
``randn()``, ``xi``, Poisson input, ``connect(p=...)``): two call sites that share a
stream at the same step and index get correlated numbers (``uniform`` and ``normal``
read the same block). ``sub`` numbers further blocks of one draw (used by ``poisson``'s
rejection loop); the public draws start at ``sub = 0``.

Seeds: the key takes any 64-bit integer (int64 or uint64: the bits are what count);
``make_seed`` gives seeds in [0, 2**63) so that they pass into kernels as int64.
"""

from __future__ import annotations

import operator
import secrets

MAX_STEP = 2**56  #: steps are 0 .. MAX_STEP - 1
MAX_INDEX = 2**40  #: element indices are 0 .. MAX_INDEX - 1
MAX_STREAM = 2**24  #: stream (call site) ids are 0 .. MAX_STREAM - 1
MAX_SUB = 2**8  #: sub-counter values are 0 .. MAX_SUB - 1
SEED_LIMIT = 2**63  #: ``make_seed`` gives and accepts seeds 0 .. SEED_LIMIT - 1 (they fit an int64)


def make_seed(n: int | None = None) -> int:
    """A seed for simcore.random's draws: ``n`` itself (an integer in [0, 2**63)), or, for
    ``None``, 63 fresh bits from the operating system's entropy source.

    Seeds stay below 2**63 so that they pass into compiled kernels as int64.
    """
    if n is None:
        return secrets.randbits(63)
    if isinstance(n, bool):
        raise TypeError("seed must be an integer or None, not a bool")
    try:
        value = operator.index(n)
    except TypeError:
        raise TypeError(f"seed must be an integer or None, not {type(n).__name__} ({n!r})") from None
    if not 0 <= value < SEED_LIMIT:
        raise ValueError(f"seed must be in [0, 2**63), got {value}")
    return value


def check_counter_ranges(n_steps: int, n_indices: int, stream: int) -> None:
    """Raise ValueError unless steps 0..n_steps-1, indices 0..n_indices-1 and ``stream``
    fit the counter layout (so that no two draws share a counter)."""
    if not 0 <= n_steps <= MAX_STEP:
        raise ValueError(f"{n_steps} time steps: the random-number counter holds at most 2**56")
    if not 0 <= n_indices <= MAX_INDEX:
        raise ValueError(f"{n_indices} elements: the random-number counter holds at most 2**40 indices")
    if not 0 <= stream < MAX_STREAM:
        raise ValueError(f"random stream id {stream} is outside [0, 2**24)")
