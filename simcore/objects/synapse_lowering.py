"""How a Synapses object is lowered to operations: its clock-driven state update, its summed variables
(through the table of each side's synapses) and its pathways (through their propagation tables, with the
event-driven equations solved at each event)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from simcore.equations import Equations
from simcore.equations.model import EquationKind
from simcore.equations.parser import symbol
from simcore.errors import ModelError, ModelNotImplementedError, ModelTypeError
from simcore.ir import (
    ArrayRef,
    Assignment,
    ElementCode,
    Operation,
    PathwayDetails,
    StateUpdate,
    StateUpdateDetails,
    SummedDetails,
    array_arg,
    function_name,
    internal_arg,
    part,
)
from simcore.objects.base import check_when
from simcore.objects.group import Group, assignments
from simcore.objects.variables import Variable
from simcore.solvers import SolverError, integrate

if TYPE_CHECKING:
    from simcore.objects.synapse_views import Pathway
    from simcore.objects.synapses import Synapses
    from simcore.runtime.synapse_tables import SynapseTables

Code = Callable[[tuple[Assignment, ...]], ElementCode]  #: statements -> the synapses' element code of them


def check_connected(synapses: Synapses, connected: bool) -> None:
    """Refuse to lower synapses whose connect() was never called (as Brian 2 refuses to run them)."""
    if not connected and synapses.N == 0:
        raise ModelTypeError(f"{synapses.where()} has no synapses because its connect() was never called (Brian 2 "
                             f"refuses to run it too): call {synapses.name}.connect(...), with a condition such as "
                             "'i != j' or without arguments for all pairs, or leave the object out of the network")


def clock_driven_update(synapses: Synapses) -> StateUpdate | None:
    """The integration of the synapses' clock-driven differential equations (None without any)."""
    clock_driven = Equations([eq for eq in synapses.equations if "event-driven" not in eq.flags
                              and "summed" not in eq.flags])
    if not clock_driven.diff_eq_names:
        return None
    return integrate(clock_driven, synapses.method, owner=synapses.name, method_options=synapses.method_options)


def state_update_operations(synapses: Synapses, element_code: Code, resolve) -> list[Operation]:
    """The clock-driven state update of the synapses' equations (none without clock-driven differential
    equations). ``element_code(statements)``: the synapses' element code of statements (``Group._code``)."""
    update = synapses.state_update()
    if update is None:
        return []
    resolve(synapses, (), matrices=update.run_constants)
    return [Operation(function_name(synapses.name, "stateupdater"), synapses.name, "groups",
                      synapses.order, 0, synapses.creation_order, code=element_code(update.statements),
                      details=StateUpdateDetails(update.method, update.description),
                      comment=f"{update.method}: {update.description}")]


def event_operations(synapses: Synapses, element_code: Code, pathways: Sequence[Pathway],
                     tables: SynapseTables) -> list[Operation]:
    """The summed variables (through the table of each side's synapses) and the pathways with code (through
    their propagation tables, with the event-driven equations solved at each event)."""
    ops = []
    for equation in synapses.equations:
        if "summed" in equation.flags:
            ops.append(_summed_operation(synapses, equation, element_code, tables))
    event_driven = _event_driven_statements(synapses)
    for pathway in pathways:  # a loop, not a comprehension: the stacklevel of the tables' warnings counts frames
        if pathway.statements is not None:
            ops.append(_pathway_operation(synapses, pathway, event_driven, element_code, tables))
    return ops


def _event_driven_statements(synapses: Synapses) -> tuple[Assignment, ...]:
    """The event-driven equations solved exactly over the time since the last event, as statements of a pathway."""
    # the solver integrates clock-driven equations: hand it the event-driven ones without their flag
    event_driven = Equations([replace(eq, flags=eq.flags - {"event-driven"}) for eq in synapses.equations
                              if "event-driven" in eq.flags or
                              (eq.kind is not EquationKind.DIFFERENTIAL and "summed" not in eq.flags)])
    if not event_driven.diff_eq_names:
        return ()
    try:
        update = integrate(event_driven, "exact", owner=synapses.name)
    except SolverError as error:
        reason = str(error).split("\n")[0].split("; use ")[0]  # the solver's own advice is about methods
        raise ModelError(f"the event-driven equations of {synapses.where()} cannot be solved exactly ({reason}); "
                         "mark them (clock-driven) instead") from error
    if update.run_constants:
        raise ModelError(f"the event-driven equations of {synapses.where()} are coupled linear equations, which "
                         "simcore integrates only clock-driven; mark them (clock-driven) instead")
    elapsed = {symbol("dt"): symbol("t") - symbol("lastupdate")}
    return tuple(Assignment(s.target, s.expr.xreplace(elapsed), f"{s.comment} (event-driven)")
                 for s in update.statements)


def _pathway_operation(synapses: Synapses, pathway: Pathway, event_driven, element_code: Code,
                       tables: SynapseTables) -> Operation:
    """A pathway's code per synapse, laid out by its propagation table (``SynapseTables.pathway``)."""
    statements = event_driven + assignments(pathway.statements, f"on_{pathway.name}")
    if event_driven:
        statements += (Assignment("lastupdate", symbol("t"), "lastupdate = t"),)
    code = element_code(statements)
    trigger = synapses.source if pathway.direction == "pre" else synapses.target
    csr = tables.pathway(pathway, code)
    if "targets" in csr:  # code that needs only its target reads the targets in table order
        other = array_arg(synapses.name, pathway.reached_index)
        by_table = internal_arg(synapses.name, "pathway", part(pathway.name), "targets")
        code = replace(code, arrays=tuple(replace(r, index=by_table) if r.index == other else r
                                          for r in code.arrays))
    details = PathwayDetails(source=trigger.root.name, event=pathway.event, whole_source=trigger.root is trigger,
                             range=(trigger.offset, trigger.offset + trigger.N),
                             prefix=f"_{internal_arg(synapses.name, 'pathway', part(pathway.name))}",
                             delays=csr["mode"], slots=csr["slots"], steps=csr["steps"], indirect=csr["indirect"],
                             blocks=csr["blocks"], sources=trigger.N, source_size=trigger.root.N)
    return Operation(function_name(synapses.name, "pathway", part(pathway.name)), synapses.name,
                     "synapses", pathway.order, 0, synapses.creation_order, code=code, details=details,
                     comment=f"pathway '{pathway.name}' on {pathway.event}s of {trigger.name}")


class SummedUpdater:
    """The schedule of one summed variable (``S.summed_updaters['v_post'].when = 'after_groups'``, as in Brian 2):
    by default in 'groups' just before the target group's update (``order`` None: the target's order - 1)."""

    def __init__(self) -> None:
        self.when, self.order = "groups", None

    def __setattr__(self, name: str, value) -> None:
        if name not in ("when", "order"):
            raise AttributeError(f"a summed variable's schedule has only 'when' and 'order', not '{name}'")
        if name == "order" and value is not None and (isinstance(value, bool) or not isinstance(value, int)):
            raise ModelTypeError(f"the order of a summed variable's update is a whole number, not {value!r}")
        object.__setattr__(self, name, check_when(value) if name == "when" else value)


def _summed_operation(synapses: Synapses, equation, element_code: Code, tables: SynapseTables) -> Operation:
    """A summed variable: the sum over each neuron's synapses, through the table of that side."""
    name, side = equation.name.rsplit("_", 1)
    group = synapses.target if side == "post" else synapses.source
    owner, variable = group.root, group.root.variables[name]
    if variable.link is not None:
        owner, name = _linked_summed_target(synapses, equation, group, variable)
        variable = owner.variables[name]
    target = ArrayRef(owner.name, name, str(variable.array.dtype), False)
    summed = Assignment("_summed", equation.expr, f"{equation.name} = {equation.expression.text} (summed)")
    code = element_code((summed,))
    tables.by_element(side)
    details = SummedDetails(target=target, range=(group.offset, group.offset + group.N),
                            prefix=f"_{internal_arg(synapses.name, 'by', side)}")
    schedule = synapses.summed_updaters[equation.name]
    order = group.root.order - 1 if schedule.order is None else schedule.order
    return Operation(function_name(synapses.name, "summed", part(name)), synapses.name, schedule.when,
                     order, 0, synapses.creation_order, code=code, details=details,
                     comment=f"summed variable {equation.name}")


def _linked_summed_target(synapses: Synapses, equation, group: Group, variable: Variable) -> tuple[Group, str]:
    """The group and parameter that a summed variable setting a '(linked)' parameter sets: the one the link
    reads (so that two summed variables that set one variable through links are found, as in Brian 2)."""
    source, name, index = variable.link
    read = source.variables.get(name)
    if index is not None or read is None or read.shared or read.link is not None or source.N != group.root.N \
            or name in source.equations.diff_eq_names:
        raise ModelNotImplementedError(
            f"the summed variable '{equation.name}' of {synapses.where()} sets '{variable.name}' of "
            f"{group.root.where()}, which is linked to '{name}' of {source.where()}: a summed variable sets a "
            "linked variable only if the link reads a parameter of a group of the same size, element by element")
    return source, name
