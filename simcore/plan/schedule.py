"""When operations run: the network's base time step, each clock's ticks of it, the slots of a time step, and
the order of operations within a step (compiled ones and Python network operations)."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np

from simcore.errors import ModelNotImplementedError, ModelValueError
from simcore.ir import Operation, SummedDetails
from simcore.objects.base import Clock, EventClock, SimObject, defaultclock
from simcore.objects.network_operation import NetworkOperation
from simcore.preferences import prefs


def default_schedule() -> list[str]:
    return list(prefs.core.network.default_schedule)


def slot_ranks(schedule: list[str]) -> dict[str, int]:
    """Where each slot name falls in a time step: 'before_x', 'x', 'after_x' for each slot x, in order."""
    ranks = {}
    for position, slot in enumerate(schedule):
        ranks.update({f"before_{slot}": 3 * position, slot: 3 * position + 1, f"after_{slot}": 3 * position + 2})
    return ranks


def check_slot(when: str, ranks: dict[str, int], where: str) -> None:
    if when not in ranks:
        slots = [slot for slot in ranks if not slot.startswith(("before_", "after_"))]
        raise ModelValueError(f"{where} runs at when={when!r}, which is not a slot of the network's schedule "
                              f"{slots} (nor one of them with 'before_' or 'after_' in front)")


def sort_key(op: Operation, ranks: dict[str, int]) -> tuple:
    """Operations run by slot, then ``order``, then name (Brian 2's rule), then in the order they were made."""
    return ranks[op.when], op.order, op.owner, op.creation


def base_dt(objects: list[SimObject]) -> float:
    """The network's time step: the largest one of which every clock's dt is a whole multiple (the smallest
    dt, or for 0.2 ms and 0.3 ms, 0.1 ms)."""
    clocks = [obj.clock for obj in objects]
    dts = sorted({clock.dt_ for clock in clocks if isinstance(clock, Clock)} |
                 {float(t) for clock in clocks if isinstance(clock, EventClock) for t in clock.times_ if t > 0}) \
        or [defaultclock.dt_]
    base = dts[0]
    for dt in dts[1:]:
        ratio = Fraction(dt / base).limit_denominator(1000)
        if abs(float(ratio) - dt / base) <= 1e-9 * dt / base:
            base /= ratio.denominator
    return base


def ticks_of(dt: float, base: float, what: str) -> int:
    """How many base steps one step of ``what`` (of time step ``dt``) is."""
    ratio = dt / base
    ticks = int(round(ratio))
    if abs(ratio - ticks) > 1e-9 * ratio:
        raise ModelValueError(f"the time step of {what} ({dt * 1e3:g} ms) and the other time steps of the "
                              f"network ({base * 1e3:g} ms) have no common multiple of a whole number of steps; "
                              "use time steps that are whole multiples of one another")
    return ticks


def event_steps(times: np.ndarray, base: float, where: str) -> np.ndarray:
    """The time steps of an EventClock's (or run_at's) times, each of which must be on the network's grid."""
    steps = np.round(times / base).astype(np.int64)
    off = np.flatnonzero(np.abs(steps * base - times) > 1e-6 * base)
    if off.size:
        raise ModelValueError(f"the time {times[off[0]] * 1e3:g} ms of {where} is not a whole multiple of the "
                              f"network's time step ({base * 1e3:g} ms)")
    return steps


def step_of(t: float, dt: float) -> int:
    """The time step at time ``t``: the nearest where ``t`` is on the grid, else the next (Brian 2's rule)."""
    nearest = round(t / dt)
    return int(nearest) if abs(nearest * dt - t) <= Clock.epsilon_dt * dt else int(math.ceil(t / dt))


def run_ticks(obj: SimObject, start: int, stop: int, base: float) -> int:
    """How many times ``obj``'s clock ticks in the steps ``start`` to ``stop - 1``."""
    if isinstance(obj.clock, EventClock):
        ticks = event_steps(obj.clock.times_, base, obj.where())
        return int(np.count_nonzero((ticks >= start) & (ticks < stop)))
    return -(-(stop - start) // ticks_of(obj.dt_, base, obj.where()))


def next_tick(objects: list[SimObject], step: int, base: float) -> int:
    """The first step from ``step`` on at which an object's clock ticks (where a stopped run left time)."""
    ticks = []
    for obj in objects:
        if isinstance(obj.clock, EventClock):
            steps = np.round(obj.clock.times_ / base).astype(np.int64)
            later = steps[steps >= step]
            ticks += [int(later[0])] if later.size else []
        else:
            every = ticks_of(obj.dt_, base, obj.where())
            ticks.append(-(-step // every) * every)
    return min(ticks, default=step)


class Due:
    """A network operation's place in a run: its sort key, how many compiled operations of a step run before
    it, and its steps (every ``ticks`` steps, or at ``steps``: an EventClock's)."""

    def __init__(self, operation: NetworkOperation, key: tuple, position: int, ticks: int, steps):
        self.operation, self.key, self.position, self.ticks, self.steps = operation, key, position, ticks, steps

    def runs_at(self, step: int) -> bool:
        if self.steps is None:
            return step % self.ticks == 0
        k = int(np.searchsorted(self.steps, step))
        return k < self.steps.size and self.steps[k] == step

    def next_run(self, step: int, phase: int) -> tuple[int, int] | None:
        """The first (step, position) after (``step``, ``phase``) at which it runs (None: never again)."""
        first = step if self.position > phase else step + 1
        if self.steps is None:
            return -(-first // self.ticks) * self.ticks, self.position
        k = int(np.searchsorted(self.steps, first))
        return (int(self.steps[k]), self.position) if k < self.steps.size else None


def python_operations(objects: list[SimObject], base: float, ranks: dict[str, int],
                      operations: list[Operation]) -> list[Due]:
    """When each network_operation runs: its steps, and its place among the compiled operations."""
    keys = [sort_key(op, ranks) for op in operations]
    due = []
    for op in objects:
        if not isinstance(op, NetworkOperation):
            continue
        check_slot(op.when, ranks, op.where())
        key = (ranks[op.when], op.order, op.name, op.creation_order)
        position = sum(1 for k in keys if k < key)
        if isinstance(op.clock, EventClock):
            due.append(Due(op, key, position, 0, event_steps(op.clock.times_, base, op.where())))
        else:
            due.append(Due(op, key, position, ticks_of(op.dt_, base, op.where()), None))
    due.sort(key=lambda d: d.key)
    return due


def check_summed_targets(operations: list[Operation], objects: list[SimObject]) -> None:
    """Two summed variables cannot set the same neurons' variable: the second would overwrite the first."""
    seen: dict = {}
    names = {obj.name: obj for obj in objects}
    for op in operations:
        if not isinstance(op.details, SummedDetails):
            continue
        target = op.details.target
        key = (target.owner, target.name)
        start, stop = op.details.range
        for other, (other_start, other_stop) in seen.get(key, []):
            if start < other_stop and other_start < stop:
                raise ModelNotImplementedError(
                    f"{names[op.owner].where()} and {names[other].where()} both set '{key[1]}' of '{key[0]}' as a "
                    "summed variable, for the same neurons; sum into two parameters and add them in the model instead")
        seen.setdefault(key, []).append((op.owner, (start, stop)))
