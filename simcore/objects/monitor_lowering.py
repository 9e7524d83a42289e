"""How monitors are lowered to operations: one record operation each, with the details its template needs (the
source's range, the arrays copied, the code that computes what is not stored)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from simcore.equations.parser import symbol
from simcore.ir import (
    ArrayRef,
    Assignment,
    Operation,
    RateMonitorDetails,
    SpikeMonitorDetails,
    StateMonitorDetails,
    function_name,
)
from simcore.objects.base import EventClock
from simcore.objects.group import Group

if TYPE_CHECKING:
    from simcore.objects.monitors import EventMonitor, PopulationRateMonitor
    from simcore.objects.state_monitor import StateMonitor


def _source_range(source: Group) -> tuple[Group, int, int]:
    return source.root, source.offset, source.offset + source.N


def copied_variables(monitor: StateMonitor) -> list[str]:
    """The recorded names the kernel copies from a stored array of the source (the others it computes)."""
    variables = monitor.source.root.variables
    return [name for name in monitor.record_variables
            if name in variables and variables[name].link is None and name not in monitor._reads]


def state_monitor_operations(monitor: StateMonitor, resolve) -> list[Operation]:
    root = monitor.source.root
    stored = copied_variables(monitor)
    refs = tuple(ArrayRef(root.name, name, str(root.variables[name].array.dtype),
                          root.variables[name].shared) for name in stored)
    computed = tuple(Assignment(f"_sub_{name}", symbol(monitor._reads.get(name, name)), f"{name} (recorded)")
                     for name in monitor.record_variables if name not in stored)
    code = root._code(computed, resolve) if computed else None
    # on an EventClock, the monitor records at the clock's times only (the network runs it at their steps)
    times = tuple(monitor.clock.times_) if isinstance(monitor.clock, EventClock) else None
    return [Operation(function_name(monitor.name, "record"), monitor.name, monitor.when,
                      monitor.order, 0, monitor.creation_order, code=code,
                      details=StateMonitorDetails(variables=refs, scalar_owner=root.name,
                                                  recorded=len(monitor.record), times=times))]


def event_monitor_operations(monitor: EventMonitor) -> list[Operation]:
    root, start, stop = _source_range(monitor.source)
    refs = tuple(ArrayRef(root.name, name, str(root.variables[name].array.dtype), root.variables[name].shared)
                 for name in monitor.record_variables)
    # variables are recorded with record=False too (as in Brian 2): with the times and indices, kept hidden
    details = SpikeMonitorDetails(source=root.name, range=(start, stop), record=monitor.record or bool(refs),
                                  variables=refs, event=monitor.event, source_size=root.N)
    return [Operation(function_name(monitor.name, "record"), monitor.name, monitor.when,
                      monitor.order, 0, monitor.creation_order, details=details)]


def rate_monitor_operations(monitor: PopulationRateMonitor) -> list[Operation]:
    root, start, stop = _source_range(monitor.source)
    details = RateMonitorDetails(source=root.name, range=(start, stop), source_size=root.N)
    return [Operation(function_name(monitor.name, "record"), monitor.name, monitor.when,
                      monitor.order, 0, monitor.creation_order, details=details)]
