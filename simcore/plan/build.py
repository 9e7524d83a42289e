"""The Plan stage: what a run executes, as data. ``build_plan`` goes through pure, verb-named stages
``resolve_names -> check_units -> lower -> run_constants -> schedule``; the result prints as a table
(``SIMCORE_DUMP=plan``)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import scipy.linalg
import sympy

from simcore.equations.user_functions import is_user_function
from simcore.errors import ModelNotImplementedError
from simcore.ir import Operation, at_steps, constant_name, readable
from simcore.objects.base import EventClock, SimObject
from simcore.plan.names import Names, resolve_names
from simcore.plan.schedule import (
    Due,
    base_dt,
    check_slot,
    check_summed_targets,
    event_steps,
    python_operations,
    sort_key,
    ticks_of,
)
from simcore.plan.summary import table
from simcore.units import get_dimensions


@dataclass(frozen=True)
class Plan:
    """A run's operations in the order they run within a time step (each with its slot, order and ticks of
    the base step ``dt``), the Python network operations between them, and the run-time constants the kernels
    receive (kernel name -> value in SI units)."""

    dt: float
    operations: tuple[Operation, ...]
    python_operations: tuple[Due, ...]
    constants: dict[str, Any]

    def __str__(self) -> str:
        rows = [((number, 1), (str(number), op.when, str(op.order), _every(op.ticks, self.dt),
                               op.kind, readable(op.name), op.owner))
                for number, op in enumerate(self.operations)]
        rows += [((due.position, 0), ("-", due.operation.when, str(due.operation.order),
                                      "its EventClock's times" if due.steps is not None else _every(due.ticks, self.dt),
                                      "network operation (Python)", due.operation.name, "--"))
                 for due in self.python_operations]
        rows = [row for _, row in sorted(rows, key=lambda item: item[0])]
        constants = [(name, _shown(value)) for name, value in sorted(self.constants.items())]
        lines = [f"Plan: {len(self.operations)} compiled operations per step of {self.dt * 1e3:g} ms", "",
                 table(("#", "when", "order", "every", "operation", "name", "owner"), rows)]
        if constants:
            lines += ["", f"Run-time constants ({len(constants)}):", table(("kernel name", "value (SI)"), constants)]
        return "\n".join(lines)


def check_units(objects: list[SimObject], names: Names) -> None:
    """Every object's equations and statements, with the dimensions of the external names they use."""
    for obj in objects:
        if hasattr(obj, "check_units"):
            dims = {}
            for name in obj.external_names():
                value = names.value(obj, name)
                dims[name] = value if is_user_function(value) else get_dimensions(value)
            obj.check_units(dims)


def lower(objects: list[SimObject], names: Names, ranks: dict[str, int], base: float) -> list[Operation]:
    """Each object's operations, with their ticks of the base step (the external names they use are recorded
    in ``names``)."""
    operations = []
    for obj in objects:
        for op in obj.operations(names.resolve):
            check_slot(op.when, ranks, obj.where())
            if isinstance(obj.clock, EventClock) and op.times is None:
                raise ModelNotImplementedError(f"{obj.where()} runs on an EventClock: simcore runs network "
                                               "operations and StateMonitors on EventClocks, and other objects "
                                               "on a Clock")
            ticks = 1 if isinstance(obj.clock, EventClock) else ticks_of(op.dt or obj.dt_, base, obj.where())
            operations.append(replace(op, ticks=ticks))
    return operations


def run_constants(names: Names, operations: list[Operation], objects: list[SimObject], base: float) -> dict[str, Any]:
    """The kernels' run-time constants: the external names' values, the entries of matrix exponentials, and
    the steps at which code with times (run_at) runs."""
    constants = dict(names.constants)
    for group, matrix in names.matrices:
        values = {sympy.Symbol(n, real=True): constants[constant_name(group.name, n)] for n in matrix.constants}
        values[sympy.Symbol("dt", real=True)] = group.dt_
        numeric = np.array(matrix.matrix.xreplace(values).evalf(), dtype=float)
        exponential = scipy.linalg.expm(numeric * group.dt_)
        for i, row in enumerate(matrix.names):
            for j, name in enumerate(row):
                constants[constant_name(group.name, name)] = float(exponential[i, j])
    owners = {obj.name: obj for obj in objects}
    for op in operations:
        if op.times is not None:
            constants[at_steps(op)] = event_steps(np.array(op.times), base, owners[op.owner].where())
    return constants


def schedule(operations: list[Operation], objects: list[SimObject], ranks: dict[str, int],
             base: float) -> tuple[list[Operation], list[Due]]:
    """The operations in the order they run within a step, and where the network operations run among them."""
    ordered = sorted(operations, key=lambda op: sort_key(op, ranks))
    check_summed_targets(ordered, objects)
    return ordered, python_operations(objects, base, ranks, ordered)


def build_plan(objects: list[SimObject], run_namespace: dict | None, frame: dict, ranks: dict[str, int]) -> Plan:
    base = base_dt(objects)
    names = resolve_names(run_namespace, frame)
    check_units(objects, names)
    operations = lower(objects, names, ranks, base)
    constants = run_constants(names, operations, objects, base)
    ordered, due = schedule(operations, objects, ranks, base)
    return Plan(base, tuple(ordered), tuple(due), constants)


def ordered_operations(objects: list[SimObject], frame: dict, ranks: dict[str, int]) -> tuple[list[Operation], float]:
    """The operations in the order they run and the base time step: the plan without its run-time constants
    (what a scheduling summary shows; no matrix exponential is computed for it)."""
    base = base_dt(objects)
    names = resolve_names(None, frame)
    check_units(objects, names)
    ordered, _ = schedule(lower(objects, names, ranks, base), objects, ranks, base)
    return ordered, base


def _every(ticks: int, dt: float) -> str:
    return f"{ticks * dt * 1e3:g} ms"


def _shown(value) -> str:
    if isinstance(value, np.ndarray):
        return f"array of {value.size} {value.dtype}"
    return f"{value!r}" if not isinstance(value, float) else f"{value:.10g}"
