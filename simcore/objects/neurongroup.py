"""NeuronGroup: N neurons sharing a model (equations, threshold, reset, refractoriness)."""

from __future__ import annotations

from typing import Any

import numpy as np
import sympy

from simcore.display import integration_text
from simcore.equations import Equations, check_expression, check_statements, parse_expression, parse_statements
from simcore.equations.functions import RANDOM_FUNCTIONS, timestep
from simcore.equations.model import EquationKind, is_noise
from simcore.equations.parsed import Expression, Statements
from simcore.equations.parser import check_condition, is_condition, symbol
from simcore.errors import ModelError, ModelTypeError, ModelValueError, ParseError
from simcore.ir import (
    ArrayRef,
    Assignment,
    Operation,
    ResetDetails,
    StateUpdate,
    StateUpdateDetails,
    ThresholdDetails,
    function_name,
    part,
)
from simcore.objects.base import CLOCK_NAMES, SECOND, as_seconds, check_name, check_when
from simcore.objects.group import Group, assignments
from simcore.objects.memory import check_fits
from simcore.objects.subgroup import Subgroup, subgroup_of
from simcore.objects.variables import variable_dtype, whole_number, why_not_writable
from simcore.preferences import legacy_refractory_timing
from simcore.solvers import integrate
from simcore.units import Quantity, second
from simcore.units.dimension import DIMENSIONLESS

BOOLEAN = "boolean"


class NeuronGroup(Group):
    """A group of neurons, as in Brian 2: ``NeuronGroup(N, model, threshold=, reset=, refractory=, method=)``.

    Three leaky neurons with their own drive; the one below threshold never fires, the others do with periods
    tau*log(v0/(v0 - 10 mV)), 11 ms and 5.1 ms:

    >>> from simcore import *
    >>> start_scope()
    >>> tau = 10*ms
    >>> G = NeuronGroup(3, '''dv/dt = (v0 - v)/tau : volt
    ...                       v0 : volt (constant)''', threshold='v > 10*mV', reset='v = 0*mV', method='exact')
    >>> G.v0 = [5, 15, 25]*mV
    >>> spikes = SpikeMonitor(G)
    >>> run(50*ms)
    >>> spikes.count[:]
    array([0, 4, 9])
    """

    base_name = "neurongroup"

    def __init__(self, N: int, model: str | Equations, method: str | tuple | None = None,
                 threshold: str | None = None, reset: str | None = None, refractory=False,
                 events: dict | None = None, namespace: dict | None = None, dtype=None, dt=None,
                 clock=None, order: int = 0, name: str | None = None, method_options: dict | None = None):
        N = whole_number(N, "the number of neurons N of a NeuronGroup", 1)
        if not isinstance(model, str | Equations):
            raise ModelTypeError(f"the model of a NeuronGroup must be a string of equations or Equations, not "
                                 f"{model!r}")
        equations = model if isinstance(model, Equations) else Equations(model)
        equations.check_flags("NeuronGroup")
        super().__init__(N, equations, namespace, name=name, when="groups", order=order, dt=dt, clock=clock)
        self.method = method
        self.method_options = method_options
        # numbers of the model: a lone name of one is not a condition (booleans are, and names from the
        # namespace may be: they are resolved at the run)
        numbers = {eq.name for eq in equations if eq.var_type != BOOLEAN} | {"i", "N", "lastspike", *CLOCK_NAMES}
        self.threshold: Expression | None = None
        if threshold is not None:
            self.threshold = check_condition(parse_expression(threshold), "the threshold", numbers)
        self.reset: Statements | None = parse_statements(reset) if reset is not None else None
        self.events: dict[str, Expression] = {"spike": self.threshold} if self.threshold is not None else {}
        for event, condition in (events or {}).items():
            if event == "spike":
                raise ModelValueError("the custom event name 'spike' is taken: spikes are defined by threshold=")
            if not isinstance(event, str) or not event.isidentifier():
                raise ModelTypeError(f"the custom event name {event!r} is not a name: it must be a string of letters, "
                                     "digits and underscores that starts with a letter")
            check_name(event, "the custom event name")
            if not isinstance(condition, str):
                raise ModelTypeError(f"the condition of event '{event}' of {self.where()} must be a string such as "
                                     f"'v > 10*mV', not {condition!r}")
            self.events[event] = check_condition(parse_expression(condition), f"the condition of event '{event}'",
                                                 numbers)
        self._on_event: list[tuple[str, Statements, str, int]] = []
        self._event_schedule: dict[str, tuple[str, int]] = {}  # event -> (when, order) its condition is checked
        self._create_variables(equations, dtype)
        self._check_shared_subexpressions()
        self._set_refractory(refractory)
        if self.reset is not None:
            self.reset = self._check_targets(self.reset, "the reset")
        self._state_update: StateUpdate | None = None
        self._frozen = True  # from here on, setting an unknown attribute is a typo, not a new variable

    def _create_variables(self, equations: Equations, dtype) -> None:
        stored = [eq for eq in equations if eq.kind is not EquationKind.SUBEXPRESSION]
        check_fits(self.N * 8 * (len(stored) + 4), f"the state of {self.where()} ({self.N} neurons, "
                   f"{len(stored)} variables)")
        for equation in equations:
            if equation.kind is EquationKind.SUBEXPRESSION:
                continue
            kind = variable_dtype(equation.var_type, dtype, equation.name)
            variable = self.add_variable(equation.name, equation.dimension, kind, shared="shared" in equation.flags,
                                         constant="constant" in equation.flags)
            variable.linked = "linked" in equation.flags
        self.add_variable("i", DIMENSIONLESS, np.int64, read_only=True)
        self.variables["i"].array[:] = np.arange(self.N)
        self.add_variable("N", DIMENSIONLESS, np.int64, shared=True, read_only=True, value=self.N)

    def _check_shared_subexpressions(self) -> None:
        """A '(shared)' subexpression is one value: it may read shared variables only (as Brian 2 requires). A
        '(linked)' parameter counts as shared until it is linked, and then if its link reads one value for all
        neurons (a shared variable, or the one neuron of a group): ``link_variable`` asks again."""
        shared = {name for name, v in self.variables.items()
                  if v.shared or (v.linked and (v.link is None or v.link_scalar))}
        for equation in self.equations.ordered_subexpressions():
            if "shared" in equation.flags:
                shared.add(equation.name)
                per_element = sorted(n for n in equation.expression.identifiers
                                     if n not in shared and (n in self.variables or n in self.equations))
                if per_element:
                    raise ParseError(f"the shared subexpression '{equation.name}' of {self.where()} reads "
                                     f"{', '.join(per_element)}, which differ between neurons; a shared value can "
                                     "be computed from shared variables and constants only")

    def _set_refractory(self, refractory) -> None:
        self.refractory_kind = None
        self.refractory_expression: Expression | None = None
        if refractory is False or refractory is None:
            return
        self.add_variable("lastspike", SECOND, np.float64, value=-1e4)
        self.add_variable("not_refractory", DIMENSIONLESS, np.bool_, value=True)
        if isinstance(refractory, str):
            expression = parse_expression(refractory)
            self.refractory_expression = expression
            named = expression.expr.name if isinstance(expression.expr, sympy.Symbol) else None
            if is_condition(expression.expr) or named in self.equations and \
                    self.equations[named].var_type == BOOLEAN:  # refractory='is_busy', a boolean variable
                self.refractory_kind = "condition"
            else:
                self.refractory_kind = "time"
                self.add_variable("_refractory", SECOND, np.float64)
        else:
            self.refractory_kind = "time"
            # one period for all neurons: a shared value, read once per step rather than per neuron
            period = as_seconds(refractory, "refractory")
            if not 0 <= period < np.inf:
                raise ModelError(f"the refractory period of {self.where()} must be a finite time >= 0 (such as "
                                 f"2*ms), not {refractory!s}")
            self.add_variable("_refractory", SECOND, np.float64, shared=True, value=period)

    def run_on_event(self, event: str, code: str, when: str = "resets", order: int | None = None) -> None:
        """Run statements for each neuron that had ``event`` in this step (like a reset)."""
        if event not in self.events:
            raise ModelValueError(f"{self.where()} has no event '{event}'; its events are {sorted(self.events)}")
        statements = self._statements(code, f"code run on event '{event}'")
        self._on_event.append((event, statements, when, self.order if order is None else order))

    def set_event_schedule(self, event: str, when: str = "after_thresholds", order: int | None = None) -> None:
        """Check the condition of ``event`` in the slot ``when`` (default: right after the thresholds) instead
        of with the thresholds, as Brian 2's method of that name."""
        if event not in self.events:
            raise ModelValueError(f"{self.where()} has no event '{event}'; its events are {sorted(self.events)}")
        self._event_schedule[event] = (check_when(when), self.order if order is None else order)

    def __getitem__(self, key) -> Subgroup:
        return subgroup_of(self, key)

    _noun = "neurons"

    def _model_facts(self) -> list[tuple[str, Any]]:
        """For a notebook summary: how it integrates, its threshold, reset, refractoriness and other events."""
        facts = []
        if self.equations.diff_eq_names:
            facts.append(("integration", integration_text(self._state_update, self.method)))
        if self.threshold is not None:
            facts.append(("threshold", self.threshold.text))
        if self.reset is not None:
            facts.append(("reset", self.reset.source))
        if self.refractory_expression is not None:
            facts.append(("refractory", self.refractory_expression.text))
        elif self.refractory_kind:
            facts.append(("refractory", Quantity(self.variables["_refractory"].array[0], second).in_best_unit()))
        others = {name: condition.text for name, condition in self.events.items() if name != "spike"}
        if others:
            facts.append(("events", "; ".join(f"{name}: {text}" for name, text in others.items())))
        return facts

    # --- preparing a run ----------------------------------------------------------
    def state_update(self) -> StateUpdate:
        if self._state_update is None:
            self._state_update = integrate(self.equations, self.method, owner=self.name,
                                           method_options=self.method_options)
        return self._state_update

    def operations(self, resolve) -> list[Operation]:
        """The group's operations for the plan; ``resolve(owner, expression_or_block)`` records constants."""
        ops = []
        if self.equations.diff_eq_names or self.refractory_kind:
            ops.append(self._state_update_operation(resolve))
        ops += self._regular_operations(resolve)
        for event in self.events:
            ops.append(self._threshold_operation(event, resolve))
        if self.threshold is not None and (self.reset is not None or self.refractory_kind == "time"
                                           and self.refractory_expression):
            ops.append(self._reset_operation(resolve))
        for number, (event, statements, when, order) in enumerate(self._on_event):
            code = self._code(assignments(statements, f"on {event}"), resolve, conditional=False)
            ops.append(Operation(function_name(self.name, "resetter", part(event), str(number + 1)),
                                 self.name, when, order, 0, self.creation_order, code=code,
                                 details=ResetDetails(event)))
        return ops

    def _write_conditions(self, written: list[str]) -> dict[str, str]:
        return {name: "not_refractory" for name in written if name in self.unless_refractory}

    @property
    def unless_refractory(self) -> frozenset[str]:
        """Variables that do not change while a neuron is refractory (by its equations or by other code)."""
        if not self.refractory_kind:
            return frozenset()
        return frozenset(eq.name for eq in self.equations if "unless refractory" in eq.flags)

    def _array_ref(self, name: str, written: bool) -> ArrayRef:
        variable = self.variables[name]
        if not variable.linked:
            return ArrayRef(self.name, name, str(variable.array.dtype), variable.shared)
        if variable.link is None:
            raise ModelError(f"the linked variable '{name}' of {self.where()} is not linked yet: "
                             f"set {self.name}.{name} = linked_var(other_group.variable)")
        group, source, index = variable.link
        target = group.variables[source]
        if written and why_not_writable(source, target):
            raise ModelTypeError(f"code of {self.where()} assigns to the linked variable '{name}', which reads "
                                 f"'{source}' of {group.where()}; that variable {why_not_writable(source, target)}")
        if written and variable.link_scalar and self.N > 1:
            raise ParseError(f"code of {self.where()} that runs for some of its elements assigns to '{name}', a "
                             f"link to the single value of '{source}' of {group.where()}: the elements would share "
                             "one value, so a write is ambiguous (as for a shared variable)")
        return ArrayRef(group.name, source, str(target.array.dtype), target.shared or variable.link_scalar,
                        local=name, index="" if index is None else self.link_index_arg(name))

    def _refractory_statements(self) -> tuple[Assignment, ...]:
        if self.refractory_kind == "time" and legacy_refractory_timing():
            expr = sympy.StrictGreaterThan(symbol("t") - symbol("lastspike"), symbol("_refractory"))
            return (Assignment("not_refractory", expr, "refractory while t - lastspike <= refractory period "
                                                       "(prefs.legacy.refractory_timing)"),)
        if self.refractory_kind == "time":
            expr = sympy.Ge(timestep(symbol("t") - symbol("lastspike"), symbol("dt")),
                            timestep(symbol("_refractory"), symbol("dt")))
            return (Assignment("not_refractory", expr, "refractory until lastspike + refractory period"),)
        if self.refractory_kind == "condition":
            # once the condition is false after a spike, the neuron can fire again
            condition = sympy.Or(symbol("not_refractory"), sympy.Not(self.refractory_expression.expr))
            return (Assignment("not_refractory", condition, f"refractory while {self.refractory_expression.text}"),)
        return ()

    def _state_update_operation(self, resolve) -> Operation:
        update = self.state_update() if self.equations.diff_eq_names else StateUpdate("none", ())
        # '(constant over dt)' subexpressions: evaluated once per step, from the values at its start
        held = tuple(Assignment(eq.name, self.expanded_subexpression(eq.name), f"{eq.name} (constant over dt)")
                     for eq in self.equations.ordered_subexpressions() if "constant over dt" in eq.flags)
        statements = self._refractory_statements() + held + update.statements
        resolve(self, (), matrices=update.run_constants)
        code = self._code(statements, resolve)
        return Operation(function_name(self.name, "stateupdater"), self.name, "groups", self.order,
                         0, self.creation_order, code=code,
                         details=StateUpdateDetails(update.method, update.description),
                         comment=f"{update.method}: {update.description}")

    def _threshold_operation(self, event: str, resolve) -> Operation:
        """The condition of ``event`` ('spike': the threshold, which refractoriness gates)."""
        expression = self.events[event]
        refractory = event == "spike" and bool(self.refractory_kind)
        condition = sympy.And(expression.expr, symbol("not_refractory")) if refractory else expression.expr
        statement = Assignment("_spike", condition, f"{'threshold' if event == 'spike' else event}: "
                                                    f"{expression.text}")
        code = self._code((statement,), resolve, ("lastspike", "not_refractory") if refractory else ())
        name = function_name(self.name, "thresholder", *(() if event == "spike" else (part(event),)))
        when, order = self._event_schedule.get(event, ("thresholds", self.order))
        return Operation(name, self.name, when, order, 0, self.creation_order, code=code,
                         details=ThresholdDetails(event, refractory), source=expression.text)

    def _reset_operation(self, resolve) -> Operation:
        statements = assignments(self.reset or (), "reset")
        if self.refractory_kind == "time" and self.refractory_expression is not None:
            statements += (Assignment("_refractory", self.refractory_expression.expr,
                                      f"refractory period: {self.refractory_expression.text}"),)
        return Operation(function_name(self.name, "resetter"), self.name, "resets", self.order, 0,
                         self.creation_order, code=self._code(statements, resolve, conditional=False),
                         details=ResetDetails())

    def external_names(self) -> set[str]:
        """Names the model, threshold, events, reset, refractoriness and run_regularly code take from the
        namespace (TimedArrays included)."""
        blocks = [self.equations, *self._regular_statements(), *self.events.values(),
                  *(statements for _, statements, *_ in self._on_event)]
        blocks += [block for block in (self.reset, self.refractory_expression) if block is not None]
        names = set().union(*(block.identifiers | block.functions for block in blocks))
        own = set(self.variables) | set(self.equations.names) | set(CLOCK_NAMES)
        return {n for n in names if n not in own and not is_noise(n)}

    def check_units(self, external_dims: dict[str, Any]) -> None:
        """Check equations, threshold, reset and refractoriness against the resolved namespace."""
        for equation in self.equations.ordered_subexpressions():
            random = sorted({type(f).__name__ for f in equation.expr.atoms(sympy.Function)} & RANDOM_FUNCTIONS)
            if random and "constant over dt" not in equation.flags:
                raise ParseError(f"the subexpression '{equation.name}' of {self.where()} calls {', '.join(random)}(): "
                                 "each use would draw a new number; flag it '(constant over dt)' to draw once per "
                                 "time step (as Brian 2 requires)")
        own = self.dimensions()
        self.equations.check_units(external_dims, builtins=own)
        for event, expression in self.events.items():
            where = "the threshold" if event == "spike" else f"the condition of event '{event}'"
            check_expression(expression, own, external_dims, DIMENSIONLESS, where=f"{where} of {self.where()}")
        for event, statements, *_ in self._on_event:
            check_statements(statements, own, external_dims, where=f"the code on event '{event}' of {self.where()}")
        if self.reset is not None:
            check_statements(self.reset, own, external_dims, where=f"the reset of {self.where()}")
        self._check_regular_units(own, external_dims)
        if self.refractory_expression is not None:
            expected = DIMENSIONLESS if self.refractory_kind == "condition" else SECOND
            check_expression(self.refractory_expression, own, external_dims, expected,
                             where=f"the refractory period of {self.where()}")
