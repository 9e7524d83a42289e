"""Rings of past events for delayed pathways: the element numbers of each of the last ``slots`` time steps.

A ring is a dict of arrays (stored as it is in snapshots): ``ring`` (element numbers, written in turn),
per step slot its ``start`` place and ``count``, ``head`` (the number of places written so far) and ``dt``
(the time step of the slots, in seconds)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from simcore.errors import ModelError
from simcore.output.snapshot import in_range, stored_array, stored_keys

RING_KEYS = ("ring", "start", "count", "head", "dt")


def empty_ring(capacity: int, slots: int, dt: float) -> dict[str, np.ndarray]:
    """A ring for the events of ``slots`` steps of ``dt``: element numbers, and per step slot its start and
    count."""
    return {"ring": np.zeros(capacity, dtype=np.int32), "start": np.zeros(slots, dtype=np.int64),
            "count": np.zeros(slots, dtype=np.int64), "head": np.zeros(1, dtype=np.int64),
            "dt": np.array([dt], dtype=np.float64)}


def ring_append(ring: dict[str, np.ndarray], slot: int, elements: np.ndarray) -> None:
    """Write ``elements`` as the events of step slot ``slot``."""
    head, capacity = int(ring["head"][0]), len(ring["ring"])
    ring["ring"][(head + np.arange(len(elements))) % capacity] = elements
    ring["start"][slot], ring["count"][slot] = head, len(elements)
    ring["head"][0] = head + len(elements)


def slot_events(ring: dict[str, np.ndarray], slot: int) -> np.ndarray:
    """The elements recorded in one step slot of a ring (which may wrap around its end)."""
    positions = (ring["start"][slot] + np.arange(ring["count"][slot])) % len(ring["ring"])
    return ring["ring"][positions]


def age_in_steps(age: float, dt: float, delays: set[int]) -> int:
    """The age (seconds) of an event of an earlier step in whole steps of ``dt`` (when dt changed, it may lie
    between two): the nearest (half up), so that the event arrives at its time plus the delay rounded to the
    new grid. Two exceptions, which move the arrival one step earlier: an age rounded down onto a step that is
    a delay of the pathway counts one step more (those synapses received the event before dt changed: not
    twice), and every age is at least 1 (the ring holds no events of the step about to run: the kernel puts
    that step's in)."""
    steps = age / dt
    nearest = math.floor(steps + 0.5)
    if abs(steps - nearest) <= 1e-6 * max(1.0, steps):
        return max(1, nearest)
    return max(1, nearest + 1 if nearest < steps and nearest in delays else nearest)


def resized_ring(old: dict[str, np.ndarray] | None, slots: int, dt: float, time: float, delays: set[int],
                 size: int) -> dict[str, np.ndarray]:
    """A ring of ``slots`` steps of ``dt`` at network time ``time`` that keeps the events in flight of ``old``:
    each goes into the step of the new dt at its age (``age_in_steps``, for a pathway with the delays ``delays``
    in steps of the new dt), so that it arrives at its time plus the synapse's delay, rounded to the new grid
    (as Brian 2 rounds what is left of a spike's delay). ``size``: the number of elements that can trigger."""
    step = int(round(time / dt))
    by_age: dict[int, list[np.ndarray]] = {}
    if old is not None:
        old_slots, old_dt = len(old["start"]), float(old["dt"][0])
        old_step = int(round(time / old_dt))
        for back in range(old_slots - 1, 0, -1):  # oldest first: a step's events stay in the order they came
            age = age_in_steps(back * old_dt, dt, delays)
            if age < slots:
                by_age.setdefault(age, []).append(slot_events(old, (old_step - back) % old_slots))
    in_flight = sum(len(part) for parts in by_age.values() for part in parts)
    ring = empty_ring(max(1024, 2 * size, in_flight + size), slots, dt)
    for age in sorted(by_age, reverse=True):
        ring_append(ring, (step - age) % slots, np.concatenate(by_age[age]))
    return ring


def grown_ring(ring: dict[str, np.ndarray], size: int) -> dict[str, np.ndarray]:
    """``ring``, or a copy with twice its places when it might not hold the next step's events of ``size``
    elements (the contents kept)."""
    if ring["count"].sum() + size <= len(ring["ring"]):
        return ring
    bigger = empty_ring(2 * len(ring["ring"]), len(ring["start"]), float(ring["dt"][0]))
    for slot in np.argsort(ring["start"], kind="stable"):
        ring_append(bigger, int(slot), slot_events(ring, slot))
    return bigger


def restored_ring(stored: dict[str, Any]) -> dict[str, np.ndarray]:
    """A ring from a stored one that ``check_ring`` accepted, with the types of ``empty_ring``'s arrays."""
    types = {key: array.dtype for key, array in empty_ring(1, 1, 1.0).items()}
    return {key: np.asarray(array).astype(types[key]) for key, array in stored.items()}


def check_ring(stored: Any, size: int, what: str) -> None:
    """A stored ring (data read from a file) whose every read (of the slots' events) stays within it and gives
    elements of the ``size`` triggering ones."""
    stored = stored_keys(stored, RING_KEYS, what)
    dt = float(stored_array(stored["dt"], np.float64, (1,), f"{what}: 'dt'")[0])
    if not 0 < dt < np.inf:
        raise ModelError(f"{what}: 'dt' (the time step of its slots, in seconds) must be finite and > 0, the "
                         f"stored one is {dt}")
    ring = stored_array(stored["ring"], np.int32, (None,), f"{what}: 'ring'")
    start = stored_array(stored["start"], np.int64, (None,), f"{what}: 'start'")
    count = stored_array(stored["count"], np.int64, start.shape, f"{what}: 'count' (one per slot, as 'start')")
    head = int(stored_array(stored["head"], np.int64, (1,), f"{what}: 'head'")[0])
    capacity = len(ring)
    if capacity == 0 or len(start) == 0:
        raise ModelError(f"{what}: the ring has {capacity} places and {len(start)} step slots; both must be >= 1")
    in_range(ring, size, f"{what}: the elements in the ring")
    if not 0 <= head < 2**62:
        raise ModelError(f"{what}: 'head' must be from 0 to 2**62 - 1, the stored one is {head}")
    if np.any(count < 0) or count.sum() > capacity:
        raise ModelError(f"{what}: the counts per slot must be >= 0 and add up to at most the ring's {capacity} "
                         f"places; the stored ones are {count.tolist() if len(count) <= 8 else 'other'} (total "
                         f"{count.sum()})")
    outside = np.flatnonzero((count > 0) & ((start < max(0, head - capacity)) | (start > head - count)))
    if outside.size:
        slot = outside[0]
        raise ModelError(f"{what}: slot {slot} holds {count[slot]} events from place {start[slot]}, outside the "
                         f"last {capacity} places written (before 'head' = {head})")
