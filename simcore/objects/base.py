"""What every simulated object shares: a name, a clock, a place in the schedule,
and where the user created it (for error messages)."""

from __future__ import annotations

import gc
import itertools
import keyword
import math
import re
import traceback
import weakref
from collections.abc import Sequence
from typing import Any

import numpy as np

from simcore.errors import DimensionMismatchError, ModelError, ModelNotImplementedError, ModelTypeError, ModelValueError
from simcore.namespace import is_simcore_file
from simcore.units import get_dimensions, second, to_si
from simcore.units.dimension import Dimension

SECOND = Dimension.of(time=1)
SLOTS = ("start", "groups", "thresholds", "synapses", "resets", "end")  # the default schedule
# Names every string can use, given by the object's clock: time, time step, and step number.
CLOCK_NAMES = ("t", "dt", "t_in_timesteps")

_created = itertools.count()
_living: weakref.WeakSet = weakref.WeakSet()  # every object that exists, for unique names
# Objects created since the last start_scope(), for run() without an explicit Network.
_instances: list[weakref.ref] = []
_scope_start = [0]


def start_scope() -> None:
    """Forget the objects created so far: the next run() only sees newer ones."""
    _instances.clear()
    _scope_start[0] = next(_created)


def scope_instances() -> list[SimObject]:
    """The objects of this scope that something still references. Objects are tracked weakly, and garbage is
    collected first: objects that only reference cycles keep alive (an earlier loop's network, after its names
    were rebound) are gone, as in Brian 2."""
    gc.collect()
    alive = [ref() for ref in _instances]
    _instances[:] = [ref for ref, obj in zip(_instances, alive, strict=True) if obj is not None]
    return [obj for obj in alive if obj is not None]


def collect() -> list[SimObject]:
    """The objects ``run()`` would simulate: those created since the last start_scope() that are still
    referenced (Brian 2's ``collect()``)."""
    return scope_instances()


def check_when(when: Any) -> str:
    """A schedule slot name (``'thresholds'``, ``'before_resets'``, ``'after_end'``, or a slot of one's own that
    the network's ``schedule`` lists; the network checks that when it runs)."""
    if not isinstance(when, str):
        raise ModelTypeError(f"when= names a schedule slot such as 'thresholds', not {type(when).__name__} "
                             f"{when!r}")
    if not _NAME.fullmatch(when):
        raise ModelValueError(f"unknown schedule slot when={when!r}; the slots are {', '.join(SLOTS)}, each also "
                              "with 'before_' or 'after_' in front, and the slots a network's schedule adds")
    return when


def as_seconds(value, what: str) -> float:
    """A time in seconds; a bare number is refused, as it is in Brian 2."""
    if get_dimensions(value) != SECOND:
        raise ModelError(f"{what} must be a time, e.g. 0.1*ms, not {value!r}")
    return float(to_si(value)[0])


def as_time_step(value, what: str) -> float:
    """A time step in seconds: positive and finite (0 would never advance, NaN or inf would never end)."""
    seconds = as_seconds(value, what)
    if not 0 < seconds < math.inf:
        raise ModelError(f"{what} must be a positive, finite time such as 0.1*ms, not {value!s}")
    return seconds


_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*")


def check_name(name: Any, what: str) -> str:
    """``name`` if it can name an object (Brian 2's rule: an ASCII letter, then ASCII letters, digits and '_');
    otherwise a ModelError that says why. Names become part of generated code, so nothing else is accepted."""
    if not isinstance(name, str):
        raise ModelError(f"{what} must be a string, not {type(name).__name__} {name!r}")
    if not _NAME.fullmatch(name) or keyword.iskeyword(name):
        reason = ("is empty" if not name else "is a Python keyword" if keyword.iskeyword(name)
                  else "starts with '_', which is reserved for simcore's own names" if name.startswith("_")
                  else "has characters other than ASCII letters, digits and '_'" if not name.isascii()
                  or not name.replace("_", "a").isalnum() else "does not start with a letter")
        raise ModelError(f"{what} {name!r} {reason}: a name is an ASCII letter followed by ASCII letters, digits "
                         "and underscores, e.g. 'exc_neurons'")
    return name


def check_schedule(schedule) -> list[str]:
    """A network's schedule: a sequence of slot names (no 'before_' or 'after_' ones: those come with each)."""
    if isinstance(schedule, str) or not isinstance(schedule, Sequence) or \
            not all(isinstance(slot, str) for slot in schedule):
        raise ModelTypeError(f"a schedule is a list of slot names such as {list(SLOTS)} (or None for the "
                             f"default), not {schedule!r}")
    for slot in schedule:
        if slot.startswith(("before_", "after_")):
            raise ModelValueError(f"the schedule {list(schedule)} names the slot {slot!r}: slot names starting "
                                  "with 'before_' or 'after_' come with each slot and cannot be listed")
        check_when(slot)
    if len(set(schedule)) != len(schedule):
        raise ModelValueError(f"the schedule {list(schedule)} names a slot twice")
    return list(schedule)


def is_name(name: Any) -> bool:
    """Whether ``name`` can name an object (``check_name`` says why not)."""
    return isinstance(name, str) and bool(_NAME.fullmatch(name)) and not keyword.iskeyword(name)


def unique_name(name: str | None, base_name: str) -> str:
    """The name of a new object: ``name`` as given (checked), or, for None or a name ending in '*', the base
    name, followed by _1, _2, ... where an object that still exists has it (Brian 2's rule: a script that makes
    its network anew gets the same names again)."""
    if name is not None and not (isinstance(name, str) and name.endswith("*")):
        return check_name(name, "the name")
    base = base_name if name is None else check_name(name[:-1], "the name")
    taken = {obj.name for obj in list(_living)}
    count = 0
    while (candidate := base if count == 0 else f"{base}_{count}") in taken:
        count += 1
    return candidate


class _ClockValue:
    """One of a clock's values as Brian 2's ``clock.variables[name]`` shows it: ``get_value()`` (SI), ``dtype``."""

    def __init__(self, clock, name: str, dtype):
        self.clock, self.name, self.dtype = clock, name, np.dtype(dtype)

    def get_value(self) -> np.ndarray:
        return np.array([getattr(self.clock, f"{self.name}_" if self.name in ("t", "dt") else self.name)],
                        dtype=self.dtype)


class Clock:
    """A time step; objects with the same Clock advance together. ``t`` and ``timestep`` say where the clock
    stands: the networks that run its objects move it (Brian 2's ``Clock``)."""

    epsilon_dt = 1e-4  # times closer than this many time steps are the same time (Brian 2's rule)

    def __init__(self, dt=None, name: str = "clock"):
        self.name = name
        self._dt = None if dt is None else as_time_step(dt, f"the dt of {name}")
        self._old_dt: float | None = None  # the time step before the last change, until a network checks it
        self.timestep = 0
        self._end: int | None = None

    @property
    def dt(self):
        return self.dt_ * second

    @dt.setter
    def dt(self, value) -> None:
        new = as_time_step(value, f"the dt of {self.name}")
        if self._old_dt is None:
            self._old_dt = self.dt_
        self._dt = new

    @property
    def dt_(self) -> float:
        return self._dt if self._dt is not None else 1e-4

    @property
    def t_(self) -> float:
        return self.timestep * self.dt_

    @property
    def t(self):
        return self.t_ * second

    @property
    def variables(self) -> dict[str, _ClockValue]:
        return {"t": _ClockValue(self, "t", np.float64), "dt": _ClockValue(self, "dt", np.float64),
                "timestep": _ClockValue(self, "timestep", np.int64)}

    def step_of(self, t: float) -> int:
        """The time step at time ``t`` (seconds): the nearest one when ``t`` is on the grid (within
        ``epsilon_dt``), else the next one, as in Brian 2."""
        nearest = round(t / self.dt_)
        if abs(nearest * self.dt_ - t) <= self.epsilon_dt * self.dt_:
            return int(nearest)
        return int(math.ceil(t / self.dt_))

    def _set_t_update_dt(self, target_t=0 * second) -> None:
        """Move the clock to ``target_t``; after a change of dt, refuse a time that the new dt cannot reach
        (Brian 2 refuses it too: the steps before and after would not line up)."""
        t = as_seconds(target_t, "the time")
        old, self._old_dt = self._old_dt, None
        if old is not None and old != self.dt_:
            before, after = round(t / old) * old, round(t / self.dt_) * self.dt_
            if abs(after - before) / self.dt_ > self.epsilon_dt:
                self._old_dt = old  # the dt that reached t: a later dt is checked against it
                raise ModelValueError(f"cannot change the dt of {self.name} from {old * 1e3:g} ms to "
                                      f"{self.dt_ * 1e3:g} ms at t = {t * 1e3:g} ms: that time is not a whole "
                                      f"multiple of the new dt; choose a dt that divides it")
        self.timestep = self.step_of(t)

    def set_interval(self, start, end) -> None:
        """Put the clock at ``start``; ``advance()`` goes up to ``end``."""
        self.timestep = self.step_of(as_seconds(start, "the start"))
        self._end = self.step_of(as_seconds(end, "the end"))

    def advance(self) -> None:
        """One step on; StopIteration past the end that ``set_interval`` gave."""
        if self._end is not None and self.timestep + 1 > self._end:
            raise StopIteration(f"{self.name} has reached the end of its interval")
        self.timestep += 1

    def same_time(self, other: Clock | EventClock) -> bool:
        return abs(self.t_ - other.t_) / self.dt_ < self.epsilon_dt

    def __repr__(self) -> str:
        return f"Clock(dt={self.dt!s}, name={self.name!r})"


class EventClock:
    """A clock that ticks at given times (Brian 2's ``EventClock``): ``clock=EventClock([1, 5, 12]*ms)``.
    In a network, each time must fall on the time step of the network's other clocks."""

    epsilon = 1e-14

    def __init__(self, times, name: str = "eventclock"):
        if get_dimensions(times) != SECOND:
            raise DimensionMismatchError(f"the times of an EventClock must be times, e.g. [1, 5]*ms, not {times!r}")
        values = np.asarray(to_si(times)[0], dtype=float).ravel()
        if np.unique(values).size != values.size:
            raise ModelValueError(f"the times of EventClock {name!r} must differ from each other; "
                                  f"{values[np.flatnonzero(np.diff(np.sort(values)) == 0)[0]]:g} s is given twice")
        if not np.all(np.isfinite(values)) or np.any(values < 0):
            raise ModelValueError(f"the times of EventClock {name!r} must be finite and >= 0")
        self.name = name
        self.times_ = np.sort(values)
        self.timestep = 0
        self._end: int | None = None

    @property
    def t_(self) -> float:
        return float(self.times_[self.timestep]) if self.timestep < self.times_.size else math.inf

    @property
    def t(self):
        return self.t_ * second

    @property
    def variables(self) -> dict[str, _ClockValue]:
        return {"t": _ClockValue(self, "t", np.float64), "timestep": _ClockValue(self, "timestep", np.int64)}

    def __getitem__(self, timestep: int):
        return float(self.times_[timestep]) * second

    def step_of(self, t: float) -> int:
        """The number of times before ``t``: the index of the first tick at or after it."""
        return int(np.searchsorted(self.times_, t - self.epsilon))

    def set_interval(self, start, end) -> None:
        self.timestep = self.step_of(as_seconds(start, "the start"))
        self._end = self.step_of(as_seconds(end, "the end"))

    def advance(self) -> None:
        if self._end is not None and self.timestep + 1 > self._end:
            raise StopIteration(f"{self.name} has reached the end of its times")
        self.timestep += 1

    def same_time(self, other: Clock | EventClock) -> bool:
        if isinstance(other, Clock):
            return other.same_time(self)
        return abs(self.t_ - other.t_) < self.epsilon

    def __repr__(self) -> str:
        return f"EventClock(times={self.times_!r} s, name={self.name!r})"


defaultclock = Clock(name="defaultclock")

#: checks made before a value is set from Python (``G.v = ...``), each given what is set: the device that records
#: runs for ``build_on_run=False`` adds one (``simcore.backends.select``), so that objects need not know devices
before_assignment: list = []


class SimObject:
    """Base of groups and monitors: schedule slot, clock, unique name, creation site."""

    default_when = "groups"
    base_name = "object"
    active = True  # an inactive object is left out of runs (its state stays as it is)

    def __init__(self, name: str | None = None, when: str | None = None, order: int = 0,
                 dt=None, clock: Clock | EventClock | None = None):
        when = check_when(when or self.default_when)
        if dt is not None and clock is not None:
            raise ModelError("give either dt= or clock=, not both")
        if clock is not None and not isinstance(clock, Clock | EventClock):
            raise ModelTypeError(f"clock= takes a Clock or an EventClock, not {type(clock).__name__} {clock!r}")
        self.when = when
        self.order = order
        self.clock = clock if clock is not None else (
            Clock(dt, name=f"{name or self.base_name}_clock") if dt is not None else defaultclock)
        self.name = unique_name(name, self.base_name)
        self.creation_order = next(_created)
        self.created_at = _user_frame()
        _instances.append(weakref.ref(self))
        _living.add(self)

    @property
    def dt_(self) -> float:
        if isinstance(self.clock, EventClock):
            raise ModelNotImplementedError(f"{self.where()} runs on an EventClock, which has no time step")
        return self.clock.dt_

    # What the network asks of every object (defaults for objects without state).
    network_time = 0.0

    def operations(self, resolve) -> list:
        return []

    def kernel_arrays(self) -> dict:
        return {}

    def spike_buffers(self) -> dict:
        return {}

    def state(self) -> dict:
        return {}

    def restore_state(self, state: dict) -> None:
        pass

    def grow(self) -> None:
        pass

    def prepare_run(self, steps: int) -> None:
        """Called before a run of ``steps`` of this object's clock: a chance to size buffers."""

    def dependencies(self) -> list:
        """Objects this one reads and that must be simulated with it."""
        return []

    def where(self) -> str:
        return f"{type(self).__name__} '{self.name}' (created at {self.created_at})"

    def add_attribute(self, name: str) -> None:
        """Brian 2's way to give an object an attribute of the script's own (``mon.add_attribute('run_time')``,
        then ``mon.run_time = ...``): a group refuses to set a name it does not know, to catch a misspelt
        variable."""
        if not isinstance(name, str) or not name.isidentifier():
            raise ModelTypeError(f"add_attribute takes a Python name, not {name!r}")
        if hasattr(self, name):
            raise ModelValueError(f"{self.where()} has an attribute or variable '{name}' already")
        self.__dict__[name] = None

    # --- what a notebook summary says of any object (``_repr_html_`` of groups, monitors, networks) ---------------
    def clock_text(self) -> str:
        """The object's clock in a few words: 'defaultclock, dt = 0.1 ms'."""
        if isinstance(self.clock, EventClock):
            return f"{self.clock.name}, at {self.clock.times_.size} given times"
        return f"{self.clock.name}, dt = {self.clock.dt_ * 1e3:g} ms"

    def _summary_facts(self) -> list[tuple[str, Any]]:
        """Its clock and its place in a time step (each kind of object puts its own facts first)."""
        facts = [("clock", self.clock_text()), ("schedule", f"when = '{self.when}', order = {self.order}")]
        return facts if self.active else [*facts, ("active", "no: left out of runs")]


def _user_frame() -> str:
    """'script.py:12' for the first frame outside simcore."""
    for frame in reversed(traceback.extract_stack()[:-2]):
        if not is_simcore_file(frame.filename):
            return f"{frame.filename}:{frame.lineno}"
    return "<unknown>"
