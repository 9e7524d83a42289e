"""What every simulated object shares: a name, a clock, a place in the schedule,
and where the user created it (for error messages)."""

from __future__ import annotations

import itertools
import keyword
import math
import re
import traceback
import weakref
from collections import Counter
from typing import Any

from simcore.errors import ModelError
from simcore.namespace import is_simcore_file
from simcore.units import get_dimensions, second, to_si
from simcore.units.dimension import Dimension

SECOND = Dimension.of(time=1)
SLOTS = ("start", "groups", "thresholds", "synapses", "resets", "end")
# Names every string can use, given by the object's clock: time, time step, and step number.
CLOCK_NAMES = ("t", "dt", "t_in_timesteps")

_created = itertools.count()
_names: Counter = Counter()
# Objects created since the last start_scope(), for run() without an explicit Network.
_instances: list[weakref.ref] = []
_scope_start = [0]


def start_scope() -> None:
    """Forget the objects created so far: the next run() only sees newer ones."""
    _instances.clear()
    _scope_start[0] = next(_created)


def scope_instances() -> list[SimObject]:
    alive = [ref() for ref in _instances]
    return [obj for obj in alive if obj is not None]


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


def unique_name(name: str | None, base_name: str) -> str:
    """The name of a new object: ``name`` as given (checked), or, for None or a name ending in '*', the base
    name followed by a number where needed to keep it new (as in Brian 2): one no object of this scope has."""
    if name is not None and not (isinstance(name, str) and name.endswith("*")):
        _names[base_name] += 1
        return check_name(name, "the name")
    base = base_name if name is None else check_name(name[:-1], "the name")
    taken = {obj.name for obj in scope_instances()}
    while True:
        count = _names[base]
        _names[base] += 1
        candidate = base if count == 0 else f"{base}_{count}"
        if candidate not in taken:
            return candidate


class Clock:
    """A time step; objects with the same Clock advance together."""

    def __init__(self, dt=None, name: str = "clock"):
        self.name = name
        self._dt = None if dt is None else as_time_step(dt, f"the dt of {name}")

    @property
    def dt(self):
        return self.dt_ * second

    @dt.setter
    def dt(self, value) -> None:
        self._dt = as_time_step(value, f"the dt of {self.name}")

    @property
    def dt_(self) -> float:
        return self._dt if self._dt is not None else 1e-4

    def __repr__(self) -> str:
        return f"Clock(dt={self.dt!s}, name={self.name!r})"


defaultclock = Clock(name="defaultclock")


class SimObject:
    """Base of groups and monitors: schedule slot, clock, unique name, creation site."""

    default_when = "groups"
    base_name = "object"

    def __init__(self, name: str | None = None, when: str | None = None, order: int = 0,
                 dt=None, clock: Clock | None = None):
        when = when or self.default_when
        if when not in SLOTS:
            raise ModelError(f"unknown schedule slot when={when!r}; the slots are {', '.join(SLOTS)}")
        if dt is not None and clock is not None:
            raise ModelError("give either dt= or clock=, not both")
        self.when = when
        self.order = order
        self.clock = clock if clock is not None else (
            Clock(dt, name=f"{name or self.base_name}_clock") if dt is not None else defaultclock)
        self.name = unique_name(name, self.base_name)
        self.creation_order = next(_created)
        self.created_at = _user_frame()
        _instances.append(weakref.ref(self))

    @property
    def dt_(self) -> float:
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


def _user_frame() -> str:
    """'script.py:12' for the first frame outside simcore."""
    for frame in reversed(traceback.extract_stack()[:-2]):
        if not is_simcore_file(frame.filename):
            return f"{frame.filename}:{frame.lineno}"
    return "<unknown>"
