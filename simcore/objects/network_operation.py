"""network_operation: Python code that runs during a run, at a slot of the time step."""

from __future__ import annotations

import inspect

from simcore.errors import ModelTypeError
from simcore.objects.base import Clock, EventClock, SimObject, is_name
from simcore.units import second


class NetworkOperation(SimObject):
    """A Python function called during a run, every ``dt`` (or at the times of an EventClock), at the
    ``when`` slot of a time step (default: its start); the function takes no argument or the time ``t``."""

    base_name = "networkoperation"
    default_when = "start"

    def __init__(self, function, dt=None, clock: Clock | EventClock | None = None, when: str = "start",
                 order: int = 0, name: str | None = None):
        if not callable(function):
            raise ModelTypeError(f"a network operation runs a function, not {type(function).__name__} "
                                 f"{function!r}")
        parameters = [p for p in inspect.signature(function).parameters.values()
                      if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) and p.default is p.empty]
        if len(parameters) == 1 and parameters[0].name == "self" and not inspect.ismethod(function):
            raise ModelTypeError(f"the function {getattr(function, '__name__', function)!r} takes 'self': a method "
                                 "of a class, not of an object; make a network operation of the object's method")
        if len(parameters) > 1:
            raise ModelTypeError(f"a network operation takes no argument or the time t; "
                                 f"{getattr(function, '__name__', function)!r} takes {[p.name for p in parameters]}"
                                 " (a method's own 'self' is already bound: use it on an object, not a class)")
        if name is None:
            given = getattr(function, "__name__", None)
            name = given if is_name(given) else None
        super().__init__(name=name, when=when, order=order, dt=dt, clock=clock)
        self.function = function
        self.takes_time = len(parameters) == 1

    def call(self, t: float) -> None:
        if self.takes_time:
            self.function(t * second)
        else:
            self.function()


def network_operation(function=None, *, dt=None, clock: Clock | EventClock | None = None, when: str = "start",
                      order: int = 0, name: str | None = None):
    """Decorator: ``@network_operation(dt=1*ms, when='end')`` calls the function during runs (Brian 2's API)."""
    if function is None:
        return lambda f: NetworkOperation(f, dt=dt, clock=clock, when=when, order=order, name=name)
    return NetworkOperation(function, dt=dt, clock=clock, when=when, order=order, name=name)
