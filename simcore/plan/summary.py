"""What a network shows of its plan: the scheduling summary (operations in the order they run) and the
profiling summary (time per operation), as text tables with HTML versions for notebooks."""

from __future__ import annotations

from collections import namedtuple

from simcore.display import html_table
from simcore.ir import (
    Operation,
    PathwayDetails,
    RegularDetails,
    ResetDetails,
    StateUpdateDetails,
    SummedDetails,
    ThresholdDetails,
    readable,
)
from simcore.objects.base import EventClock, SimObject
from simcore.objects.network_operation import NetworkOperation
from simcore.plan.schedule import sort_key
from simcore.units import Quantity, second, to_si

ScheduleEntry = namedtuple("ScheduleEntry", ["when", "order", "dt", "name", "type", "active", "owner_name",
                                             "owner_type"])


class SchedulingSummary(str):
    """``scheduling_summary()``: a text table of the operations in the order they run (a str), with
    ``entries`` (Brian 2's fields) and an HTML table for notebooks."""

    entries: list

    def __new__(cls, entries: list, base: float):
        def every(entry):
            if entry.dt is None:
                return "at its EventClock's times"
            steps = int(round(float(to_si(entry.dt)[0]) / base))
            return f"{float(to_si(entry.dt)[0]) * 1e3:g} ms (every {'step' if steps == 1 else f'{steps} steps'})"

        rows = [(f"{e.name} ({e.type})", f"{e.owner_name} ({e.owner_type})" if e.owner_name else "--", every(e),
                 e.when, str(e.order), "yes" if e.active else "no") for e in entries]
        header = ("object", "part of", "Clock dt", "when", "order", "active")
        summary = super().__new__(cls, table(header, rows))
        summary.entries, summary._rows, summary._header = entries, rows, header
        return summary

    def _repr_html_(self) -> str:
        return html_table(self._header, self._rows)


class ProfilingSummary(str):
    """``profiling_summary()``: time per operation of the last profiled run (a str), with ``names``,
    ``times`` and an HTML table for notebooks."""

    def __new__(cls, info: list):
        total = sum(float(to_si(t)[0]) for _, t in info) or 1.0
        rows = [(name, f"{float(to_si(t)[0]):.4f} s", f"{100 * float(to_si(t)[0]) / total:.2f} %")
                for name, t in info]
        header = ("name", "time", "% of total")
        summary = super().__new__(cls, table(header, rows))
        summary.names, summary.times = [name for name, _ in info], [t for _, t in info]
        summary._rows, summary._header = rows, header
        return summary

    def _repr_html_(self) -> str:
        return html_table(self._header, self._rows)


def table(header: tuple, rows: list) -> str:
    widths = [max(len(str(cell)) for cell in column) for column in zip(header, *rows, strict=True)]
    lines = ["  ".join(f"{cell!s:{w}}" for cell, w in zip(row, widths, strict=True)).rstrip()
             for row in (header, *rows)]
    return "\n".join([lines[0], "  ".join("-" * w for w in widths), *lines[1:]])


# Brian 2's class name of each kind of operation that is part of an object (a monitor is an object of its own)
_CLASS_NAMES = {StateUpdateDetails: "StateUpdater", ThresholdDetails: "Thresholder", ResetDetails: "Resetter",
                RegularDetails: "CodeRunner", PathwayDetails: "SynapticPathway",
                SummedDetails: "SummedVariableUpdater"}


def _entry(op: Operation, objects: list[SimObject]) -> tuple[str, str, SimObject | None]:
    """An operation as Brian 2 names it in summaries: its name, its class, and the object it is part of
    (None for an object of its own, such as a monitor)."""
    owner = next((obj for obj in objects if obj.name == op.owner), None)
    kind = type(op.details)
    if kind not in _CLASS_NAMES:
        return op.owner, type(owner).__name__, None
    _, event = op.events
    name = {StateUpdateDetails: f"{op.owner}_stateupdater", ThresholdDetails: f"{op.owner}_{event}_thresholder",
            ResetDetails: f"{op.owner}_{event}_resetter"}.get(kind, readable(op.name))
    if kind is RegularDetails:
        name = op.details.name or name
    return name, _CLASS_NAMES[kind], owner


def profile_rows(operations: list[Operation], timers, kernels: list[str], objects: list[SimObject]) -> list:
    """(Brian 2's name, seconds) per kernel: operations a backend fused into one kernel (``a + b`` in the
    source's operation names) share one row, since their time cannot be told apart."""
    names = {op.name: _entry(op, objects)[0] for op in operations}
    seconds = {op.name: float(time) for op, time in zip(operations, timers, strict=True)}
    groups = [kernel.split(" + ") for kernel in kernels if kernel]
    grouped = {part for parts in groups for part in parts}
    groups += [[name] for name in names if name not in grouped]
    return [(" + ".join(names[part] for part in parts), sum(seconds[part] for part in parts)) for parts in groups]


def scheduling_entries(operations: list[Operation], objects: list[SimObject], ranks: dict[str, int],
                       base: float) -> list:
    """Brian 2's ``ScheduleEntry`` of every operation and network operation, in the order they run."""
    owners = {obj.name: obj for obj in objects}
    rows = [(sort_key(op, ranks), op, owners[op.owner]) for op in operations]
    rows += [((ranks[obj.when], obj.order, obj.name, obj.creation_order), None, obj) for obj in objects
             if isinstance(obj, NetworkOperation)]
    entries = []
    for _, op, obj in sorted(rows, key=lambda row: row[0]):
        name, kind, owner = _entry(op, objects) if op is not None else (obj.name, "NetworkOperation", None)
        dt = None if isinstance(obj.clock, EventClock) else (op.ticks * base if op is not None else obj.dt_)
        entries.append(ScheduleEntry(op.when if op is not None else obj.when, obj.order if op is None else op.order,
                                     None if dt is None else Quantity(dt, second), name, kind, obj.active,
                                     None if owner is None else owner.name,
                                     None if owner is None else type(owner).__name__))
    return entries
