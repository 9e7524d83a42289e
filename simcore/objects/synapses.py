"""Synapses: connections between two groups, their variables and equations, and the
pathways that act on them when a presynaptic (or postsynaptic) event arrives."""

from __future__ import annotations

import io
import math
import tokenize
import warnings
from contextlib import contextmanager
from dataclasses import dataclass, replace
from numbers import Number
from typing import Any

import numpy as np
import sympy

from simcore.backends.cache import load_module
from simcore.backends.cpu import parallel_mode, thread_count
from simcore.backends.select import building_device, get_device
from simcore.codegen.connect import ConnectRequest, connect_pairs
from simcore.equations import (
    Equations,
    check_expression,
    check_statements,
    declare_temporaries,
    parse_expression,
    parse_statements,
)
from simcore.equations.functions import RANDOM_FUNCTIONS
from simcore.equations.generator import parse_generator
from simcore.equations.model import EquationKind
from simcore.equations.parser import Statements, check_condition, symbol
from simcore.errors import (
    EquationError,
    ModelError,
    ModelIndexError,
    ModelNotImplementedError,
    ModelTypeError,
    ModelValueError,
    ParseError,
    UnknownNameError,
)
from simcore.ir import (
    ArrayRef,
    Assignment,
    ElementCode,
    Operation,
    PathwayDetails,
    StateUpdateDetails,
    SummedDetails,
    array_arg,
    function_name,
    internal_arg,
    part,
)
from simcore.namespace import caller_namespace, lookup
from simcore.objects.base import CLOCK_NAMES, SECOND, as_seconds, check_name
from simcore.objects.group import Group, assignments
from simcore.objects.memory import check_fits
from simcore.objects.ordering import block_keys, delay_range, delay_steps, group_by, group_pointers, is_sorted, take
from simcore.objects.variables import (
    LinkedVariable,
    Variable,
    VariableView,
    check_not_shared,
    check_writable,
    si_values,
    stored_values,
    variable_dtype,
)
from simcore.output.snapshot import in_range, same_values, stored_array, stored_integer, stored_keys
from simcore.seeding import connect_call, current_seed
from simcore.solvers import SolverError, integrate
from simcore.units import get_dimensions, to_si
from simcore.units.dimension import DIMENSIONLESS
from simcore.units.errors import DimensionMismatchError

# delays are int32 time steps in the propagation tables (and a ring of that many steps): at most this many
_MAX_DELAY_STEPS = 2**31 - 2
# stream numbers of connect() calls: far from those of the run loop's random call sites
_CONNECT_STREAM_BASE = 1 << 20


@dataclass
class _Pathway:
    """One pathway (``S.pre``, ``S.post`` or a named one): code run per synapse when the
    event of its source element arrives, after the pathway's delay."""

    name: str
    statements: Statements | None  # None: empty code (on_pre=''), which does nothing
    direction: str  # 'pre': triggered by the source group, 'post': by the target group
    event: str
    order: int
    delay_variable: str

    @property
    def trigger_index(self) -> str:
        """The synapse index ('i' or 'j') of the neuron whose event triggers the pathway."""
        return "i" if self.direction == "pre" else "j"

    @property
    def reached_index(self) -> str:
        """The synapse index of the neuron on the other side, which the pathway's code reaches."""
        return "j" if self.direction == "pre" else "i"


@dataclass(frozen=True)
class _NeuronSubexpression:
    """A neuron subexpression under the name synaptic code reads it by (``v2_post``), expanded and renamed."""

    name: str
    expr: sympy.Basic


@dataclass
class _PerNeuron(Variable):
    """A synaptic variable stored once per neuron and read through a synapse's ``i`` or ``j``
    (``N_incoming``: synapses onto the target; ``N_outgoing``: from the source), as Brian 2 does."""

    through: Variable | None = None

    def values(self) -> np.ndarray:
        return self.array[self.through.array]


class PathwayView:
    """``S.pre``: a pathway's ``delay`` (read and set like a variable) and ``order``."""

    def __init__(self, synapses: Synapses, pathway: _Pathway):
        object.__setattr__(self, "_synapses", synapses)
        object.__setattr__(self, "_pathway", pathway)

    @property
    def synapses(self) -> Synapses:
        return self._synapses

    @property
    def delay_variable(self) -> str:
        """The synapses' variable that holds this pathway's delays (what ``StateMonitor(S.pre, 'delay')`` reads)."""
        return self._pathway.delay_variable

    @property
    def delay(self):
        return getattr(self._synapses, self._pathway.delay_variable)

    @delay.setter
    def delay(self, value) -> None:
        setattr(self._synapses, self._pathway.delay_variable, value)

    @property
    def order(self) -> int:
        return self._pathway.order

    @order.setter
    def order(self, value: int) -> None:
        self._pathway.order = int(value)

    @property
    def event(self) -> str:
        return self._pathway.event

    @property
    def code(self) -> str:
        """The pathway's statements as given."""
        statements = self._pathway.statements
        return "" if statements is None else statements.source

    @property
    def clock(self):
        """The clock of the group whose events trigger the pathway (Brian 2 runs a pathway on it)."""
        synapses = self._synapses
        return (synapses.source if self._pathway.direction == "pre" else synapses.target).clock


class NeuronVariableView(VariableView):
    """``S.v_post``, ``S.v_pre``, ``S.v2_post`` (a subexpression): a neuron variable of the target (source) as seen
    by each synapse; setting it sets the neurons' variable (``S.v_post[0, :] = ...``)."""

    @property
    def variable(self) -> Variable:
        return self.group._gathered(self.name)

    def _values(self):
        return self.variable.values()

    @property
    def dimensions(self):
        return self.variable.dimension


class SynapseIndices:
    """``S.indices[...]``: the synapse numbers that an index (``[i, j]``, a condition, ...) selects."""

    def __init__(self, synapses: Synapses):
        self._synapses = synapses

    def __getitem__(self, key) -> np.ndarray:
        return np.arange(self._synapses.N)[self._synapses.indices_for(key)]


class SynapticSubgroup:
    """``S[0, :]``: the synapses an index selected when it was made. Index the variables with it (``S.w[sub]``) or
    read and set them through it (``sub.w``)."""

    def __init__(self, synapses: Synapses, indices: np.ndarray):
        object.__setattr__(self, "synapses", synapses)
        object.__setattr__(self, "synapse_indices", indices)

    def __len__(self) -> int:
        return len(self.synapse_indices)

    def __getattr__(self, name: str):
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self.synapses, name)[self.synapse_indices]

    def __setattr__(self, name: str, value) -> None:
        getattr(self.synapses, name)[self.synapse_indices] = value

    def __repr__(self) -> str:
        return f"<{len(self)} synapses of '{self.synapses.name}'>"


class Synapses(Group):
    """Synapses between ``source`` and ``target`` (groups or subgroups), as in Brian 2."""

    base_name = "synapses"

    def __init__(self, source: Group, target: Group | None = None, model: str | Equations = "",
                 on_pre: str | dict | None = None, on_post: str | dict | None = None, pre=None, post=None,
                 connect=None, delay=None, on_event: str | dict = "spike", multisynaptic_index: str | None = None,
                 namespace: dict | None = None, dtype=None, method: str | tuple | None = None, dt=None, clock=None,
                 order: int = 0, name: str | None = None, method_options: dict | None = None):
        target = source if target is None else target
        if connect is not None:
            raise ModelTypeError("Synapses(..., connect=...) is no longer accepted (as in Brian 2): create the "
                                 "synapses with S.connect(...) after creating the Synapses object")
        on_pre = _renamed_keyword(on_pre, pre, "pre", "on_pre")
        on_post = _renamed_keyword(on_post, post, "post", "on_post")
        equations = model if isinstance(model, Equations) else Equations(model)
        equations.check_flags("Synapses")
        _check_names(equations, source, source if target is None else target)
        super().__init__(0, equations, namespace, name=name, when="groups", order=order, dt=dt,
                         clock=clock if clock is not None or dt is not None else source.clock)
        self.source, self.target = source, target
        self.method = method
        self.method_options = method_options
        self.multisynaptic_index = multisynaptic_index
        self._create_variables(equations, dtype)
        self._pathways: list[_Pathway] = []
        self._delay_versions: dict[str, int] = {}
        events = on_event if isinstance(on_event, dict) else {}
        default_event = on_event if isinstance(on_event, str) else "spike"
        for direction, code in (("pre", on_pre), ("post", on_post)):
            blocks = code if isinstance(code, dict) else ({} if not code else {direction: code})  # '': none
            for pathway, statements in blocks.items():
                self._add_pathway(pathway, statements, direction, events.get(pathway, default_event), delay)
        pathways = {p.name for p in self._pathways}
        if isinstance(delay, dict) and set(delay) - pathways or delay is not None and not isinstance(delay, dict) \
                and "pre" not in pathways:
            unknown = sorted(set(delay) - pathways) if isinstance(delay, dict) else ["pre"]
            raise ModelValueError(f"delay given for unknown pathway(s) {unknown} of {self.where()} (its pathways: "
                                  f"{sorted(pathways)}); a delay= that is not a dict sets the 'pre' pathway's")
        self._connectivity_cache: dict[str, Any] = {}
        self._history: dict[str, dict[str, np.ndarray]] = {}
        self._connected = False
        self._frozen = True

    # --- variables -----------------------------------------------------------------
    def _create_variables(self, equations: Equations, dtype) -> None:
        self._check_event_driven_dependencies(equations)
        for equation in equations:
            if equation.kind is EquationKind.SUBEXPRESSION:
                continue
            kind = variable_dtype(equation.var_type, dtype)
            variable = self.add_variable(equation.name, equation.dimension, kind, shared="shared" in equation.flags,
                                         constant="constant" in equation.flags)
            variable.linked = "linked" in equation.flags
        for name in ("i", "j"):
            self.add_variable(name, DIMENSIONLESS, np.int32, read_only=True)
        for name, by, group in (("N_incoming", "j", self.target), ("N_outgoing", "i", self.source)):
            self.variables[name] = _PerNeuron(name, DIMENSIONLESS, np.zeros(group.N, dtype=np.int32),
                                              read_only=True, through=self.variables[by])
        self.add_variable("N", DIMENSIONLESS, np.int64, shared=True, read_only=True)
        self.add_variable("N_pre", DIMENSIONLESS, np.int64, shared=True, read_only=True, value=self.source.N)
        self.add_variable("N_post", DIMENSIONLESS, np.int64, shared=True, read_only=True, value=self.target.N)
        if self.multisynaptic_index is not None:
            self.add_variable(self.multisynaptic_index, DIMENSIONLESS, np.int32, read_only=True)
        if any("event-driven" in eq.flags for eq in equations):
            self.add_variable("lastupdate", SECOND, np.float64)
        summed: dict[tuple[str, str], tuple[str, range]] = {}
        for equation in equations:
            if "summed" in equation.flags:
                self._summed_target(equation, summed)
            if equation.kind is EquationKind.SUBEXPRESSION and "shared" in equation.flags:
                self._check_shared_subexpression(equation)

    def _check_event_driven_dependencies(self, equations: Equations) -> None:
        """Event-driven variables are up to date only when a pathway runs, clock-driven and summed ones every
        time step: as in Brian 2, neither kind may be computed from the other (directly or through
        subexpressions)."""
        driven = {eq.name: "event-driven" if "event-driven" in eq.flags else "clock-driven" for eq in equations
                  if eq.kind is EquationKind.DIFFERENTIAL}
        for equation in equations:
            if equation.kind is EquationKind.DIFFERENTIAL:
                role = driven[equation.name]
                forbidden = "clock-driven" if role == "event-driven" else "event-driven"
            elif "summed" in equation.flags:
                role, forbidden = "summed", "event-driven"
            else:
                continue
            for dependency in equations.reads(equation.name, through=lambda eq: "summed" not in eq.flags):
                name, via = dependency.equation.name, dependency.via
                if driven.get(name) == forbidden:
                    path = f" (through {', '.join(repr(v) for v in via)})" if via else ""
                    raise EquationError(f"the {role} variable '{equation.name}' of {self.where()} depends on the "
                                        f"{forbidden} variable '{name}'{path}: event-driven variables change only "
                                        "when a pathway runs, clock-driven and summed ones every time step, so one "
                                        "cannot be computed from the other; mark them alike",
                                        equation.position, equation.source)

    def _check_shared_subexpression(self, equation) -> None:
        """A '(shared)' subexpression has one value: it may read only shared variables (its own or neurons')."""
        for name in sorted(equation.identifiers):
            ref = self._reference(name)
            if ref is not None and not ref[1].shared and name not in ("N", "N_pre", "N_post"):
                raise ParseError(f"the shared subexpression '{equation.name}' of {self.where()} reads '{name}', which "
                                 "has a value per synapse or neuron; a shared subexpression may read only shared "
                                 "variables", equation.position, equation.source)

    def _add_pathway(self, name: str, code: str, direction: str, event: str, delay) -> None:
        check_name(name, f"the name of a pathway of {self.where()}:")
        if name in self.variables or hasattr(type(self), name):
            raise ModelValueError(f"'{name}' cannot name a pathway of {self.where()}")
        trigger = self.source if direction == "pre" else self.target
        if event not in getattr(trigger.root, "events", {}):
            raise ModelValueError(f"{trigger.where()} has no event '{event}' to trigger the pathway '{name}' of "
                                  f"{self.where()}" + (" (it has no threshold)" if event == "spike" else ""))
        text = getattr(code, "code", code)  # a string, or an object with the code (Brian 2's Statements)
        statements = declare_temporaries(parse_statements(text), self._is_variable) if text.strip() else None
        delay_variable = "delay" if name == "pre" else f"{name}_delay"
        value = delay.get(name) if isinstance(delay, dict) else (delay if name == "pre" else None)
        if value is None:
            self.add_variable(delay_variable, SECOND, np.float64)
            self._delay_versions[delay_variable] = 0
            self._freeze_delays(delay_variable)
        else:  # one delay for all synapses of the pathway, as a scalar, as in Brian 2
            if isinstance(value, str) or not isinstance(value, Number | np.ndarray) \
                    and not hasattr(value, "dimensionality") and not hasattr(value, "dimensions"):
                raise ModelTypeError(f"the delay of pathway '{name}' of {self.where()} must be a time such as 2*ms, "
                                     f"not {value!r}")
            if get_dimensions(value) != SECOND:
                raise DimensionMismatchError(f"the delay of pathway '{name}' of {self.where()} must be a time such as "
                                             f"2*ms, not {value!s}", SECOND, get_dimensions(value))
            seconds = as_seconds(value, f"the delay of pathway '{name}'")
            if not 0 <= seconds < np.inf:
                raise ModelValueError(f"the delay of pathway '{name}' of {self.where()} must be a finite time >= 0 "
                                      f"(such as 2*ms), not {value!s}")
            self.add_variable(delay_variable, SECOND, np.float64, shared=True, value=seconds)
        pathway = _Pathway(name, statements, direction, event, -1 if direction == "pre" else 1, delay_variable)
        self._pathways.append(pathway)
        for statement in statements or ():  # names that are nothing yet are refused at run (as in Brian 2)
            if statement.target not in statements.temporaries and self._reference(statement.target) is not None:
                self._check_target(statement.target, statement, statements, f"the '{name}' pathway")

    def _is_variable(self, name: str) -> bool:
        """Whether ``name`` in a pathway's code means a variable (of the synapses or a neuron), not a temporary."""
        return self._reference(name) is not None or name in self.equations or name in CLOCK_NAMES

    def _check_target(self, name: str, statement, statements, what: str) -> None:
        ref = self._reference(name)
        if ref is None:
            raise UnknownNameError(name, f"{what} of {self.where()} assigns to '{name}', which is neither a "
                                   "synaptic variable nor a variable of the source or target group",
                                   statement.position, statements.source)
        variable = ref[1]
        check_writable(name, variable, f"{what} of {self.where()}", statement.position, statements.source)
        check_not_shared(name, variable, f"{what} of {self.where()}", "synapses", statement.position,
                         statements.source)

    def _summed_target(self, equation, seen: dict[tuple[str, str], tuple[str, range]]) -> None:
        """Check a summed variable's target (a parameter of the neurons, with the same units, that no other summed
        variable of these synapses sets for the same neurons); record it in ``seen``."""
        name, side = equation.name.rsplit("_", 1)
        group = self.target if side == "post" else self.source
        if name not in group.variables:
            raise ModelValueError(f"the summed variable '{equation.name}' of {self.where()} needs a parameter "
                                  f"'{name}' in {group.where()}")
        variable = group.variables[name]
        if name in group.root.equations.diff_eq_names or variable.read_only or variable.shared:
            raise ModelValueError(f"the summed variable '{equation.name}' of {self.where()} sets '{name}' of "
                                  f"{group.where()}, which must be a parameter (declared as '{name} : unit')")
        if variable.dimension != equation.dimension:
            raise DimensionMismatchError(f"the summed variable '{equation.name}' of {self.where()} has units of "
                                         f"{equation.dimension} but '{name}' of {group.where()} has "
                                         f"{variable.dimension}", equation.dimension, variable.dimension)
        elements = range(group.offset, group.offset + group.N)
        other = seen.get((group.root.name, name))
        if other is not None and range(max(elements.start, other[1].start), min(elements.stop, other[1].stop)):
            raise ModelValueError(f"the summed variables '{other[0]}' and '{equation.name}' of {self.where()} both "
                                  f"set '{name}' of {group.root.where()} for the same neurons: the second would "
                                  "overwrite the first; sum into two parameters and add them in the model instead")
        seen[(group.root.name, name)] = (equation.name, elements)

    def _reference(self, name: str) -> tuple[Group, Variable] | None:
        """The group and variable a name in the synapses' code refers to: a synaptic variable, ``x_pre``,
        ``x_post``, or (as in Brian 2) a postsynaptic variable without suffix."""
        if name in self.variables:
            return self, self.variables[name]
        for suffix, group in (("_pre", self.source), ("_post", self.target)):
            if name.endswith(suffix) and name[: -len(suffix)] in group.root.variables:
                return group, group.root.variables[name[: -len(suffix)]]
        if name in self.target.root.variables and name not in CLOCK_NAMES:
            return self.target, self.target.root.variables[name]
        return None

    def _neuron_subexpression(self, name: str) -> tuple[Group, Any, str] | None:
        """A subexpression of the source or target group that the synapses' code reads: ``x_pre``, ``x_post`` or
        (as for variables) ``x`` for the target's; the group, its equation and the suffix of its names here."""
        if name in self.variables or name in self.equations:
            return None
        for suffix, group in (("_pre", self.source), ("_post", self.target)):
            if name.endswith(suffix) and name[: -len(suffix)] in _subexpression_names(group):
                return group, group.root.equations[name[: -len(suffix)]], suffix
        if name in _subexpression_names(self.target) and name not in CLOCK_NAMES:
            return self.target, self.target.root.equations[name], "_post"
        return None

    def _neuron_subexpressions(self) -> tuple[_NeuronSubexpression, ...]:
        """The source's and target's subexpressions as synaptic code reads them: each expanded down to stored
        variables, whose names take the suffix of their side (``v2_post = 2*v_post``)."""
        found = []
        for suffixes, group in ((("_pre",), self.source), (("_post", ""), self.target)):
            names = _subexpression_names(group)
            if not names:
                continue
            stored = {name for name in group.root.variables if name not in CLOCK_NAMES}
            for name in sorted(names):
                expr = group.root.expanded_subexpression(name)
                for suffix in suffixes:
                    renamed = expr.xreplace({s: symbol(s.name + "_post" if not suffix else s.name + suffix)
                                             for s in expr.free_symbols if s.name in stored})
                    if self._neuron_subexpression(name + suffix) is not None:
                        found.append(_NeuronSubexpression(name + suffix, renamed))
        return tuple(found)

    def _neuron_subexpression_values(self, name: str) -> np.ndarray:
        """A neuron subexpression's value for each synapse (or the one value of a shared one)."""
        group, equation, suffix = self._neuron_subexpression(name)
        values = group.root._evaluate(equation.expression, caller_namespace())
        if "shared" in equation.flags or np.ndim(values) == 0:
            return values if np.ndim(values) == 0 else values[0]
        index = "i" if suffix == "_pre" else "j"
        return values[self.variables[index].array + group.offset]

    def _gathered(self, name: str) -> Variable:
        """``S.v_post``: a read-only copy of a neuron variable or subexpression, one value per synapse."""
        ref = self._reference(name)
        if ref is not None:
            group, variable = ref
            values, dimension = self._neuron_values(name, group, variable), variable.dimension
        else:
            values = self._neuron_subexpression_values(name)
            dimension = self._neuron_subexpression(name)[1].dimension
        shared = np.ndim(values) == 0
        return Variable(name, dimension, np.atleast_1d(values), shared=shared, read_only=True)

    def _group_of(self, index: str) -> Group:
        """The group a synapse index ('i' or 'j') counts in."""
        return self.source if index == "i" else self.target

    def _neuron_index(self, name: str, group: Group) -> str:
        """The synapse index through which ``name`` (a neuron variable of ``group``) is read: 'i' for
        ``x_pre``, else 'j'."""
        return "i" if group is self.source and name.endswith("_pre") else "j"

    def dimensions(self) -> dict:
        dims = {}
        for group, suffix in ((self.target, ""), (self.target, "_post"), (self.source, "_pre")):
            dims.update({f"{name}{suffix}": v.dimension for name, v in group.root.variables.items()})
            dims.update({f"{name}{suffix}": eq.dimension for name, eq in
                         ((eq.name, eq) for eq in group.root.equations if eq.kind is EquationKind.SUBEXPRESSION)})
        dims.update(super().dimensions())
        return dims

    def _own_name(self, name: str) -> bool:
        return super()._own_name(name) or self._reference(name) is not None or \
            self._neuron_subexpression(name) is not None

    def _variable_values(self, expression) -> dict[str, Any]:
        values = super()._variable_values(expression)
        for name in expression.identifiers:
            if name not in values and self._reference(name) is not None:
                group, variable = self._reference(name)
                values[name] = self._neuron_values(name, group, variable)
            elif name not in values and self._neuron_subexpression(name) is not None:
                values[name] = self._neuron_subexpression_values(name)
        return values

    def _neuron_values(self, name: str, group: Group, variable: Variable) -> np.ndarray:
        values = variable.values()
        if np.ndim(values) == 0:
            return values
        return values[self.variables[self._neuron_index(name, group)].array + group.offset]

    # --- connecting ------------------------------------------------------------------
    def connect(self, condition: str | bool | None = None, i=None, j=None, p=1.0, n=1,
                skip_if_invalid: bool = False, namespace: dict | None = None) -> None:
        """Create synapses: all-to-all, ``condition='i != j'``, ``i=``/``j=`` arrays, ``j='i'``, generator
        syntax (``j='k for k in range(i-3, i+4) if k != i'``, or over sources: ``i='j + k for k in ...'``),
        ``p=`` (above 1: certain) and ``n=`` (numbers or expressions)."""
        self._connected = True
        _check_connect_types(condition, i, j, p, n)
        if condition is False:
            return
        condition = None if condition is True else condition
        if not isinstance(i, str | None) or not isinstance(j, str | None):
            if condition is not None:
                raise ModelValueError(f"connect() of {self.where()}: give either a condition or i= and j= index "
                                      f"arrays, not both (the condition is {condition!r})")
            if i is None or j is None or isinstance(i, str) or isinstance(j, str):
                raise ModelTypeError(f"connect() of {self.where()}: index arrays need both i= and j= as integers "
                                     "(or give one generator string, for j= or for i=)")
            self._connect_arrays(i, j, p, n)
            return
        if isinstance(i, str) and j is not None:
            raise ModelTypeError(f"connect() of {self.where()}: give a generator for i= or for j=, not both")
        if (i is not None or j is not None) and condition is not None:
            raise ModelValueError(f"connect() of {self.where()}: a condition cannot be combined with a generator; "
                                  "put it after the generator's 'if'")
        swap = isinstance(i, str)
        frame = caller_namespace()
        # the condition, and p and n where they are expressions, each parsed once
        parsed = {key: self._connect_expression(key, _swapped(text) if swap else text)
                  for key, text in (("condition", condition), ("p", p), ("n", n)) if isinstance(text, str)}
        generator = parse_generator(_swapped(i) if swap else j) if i is not None or j is not None else None
        own = {"i": DIMENSIONLESS, "j": DIMENSIONLESS, "N_pre": DIMENSIONLESS, "N_post": DIMENSIONLESS}
        if generator is not None and generator.variable:
            own[generator.variable] = DIMENSIONLESS
        all_dims = self.dimensions()
        subexpressions = {e.name for e in self._subexpressions()}
        for expression in parsed.values():
            own.update({name: all_dims[name] for name in expression.identifiers & subexpressions})
        expanded = {key: self._expand_for_connect(e.expr, swap) for key, e in parsed.items()}
        if generator is not None:
            generator = replace(generator, **{field: self._expand_for_connect(getattr(generator, field), swap)
                                              for field in ("element", "start", "stop", "step", "p", "size",
                                                            "condition")})
        names = set().union(*({s.name for s in e.free_symbols} for e in expanded.values()))
        if generator is not None:
            names |= {s.name for field in ("element", "start", "stop", "step", "p", "size", "condition")
                      if isinstance(getattr(generator, field), sympy.Basic)
                      for s in getattr(generator, field).free_symbols}
        values = self._connect_values(names - {generator.variable if generator else None}, namespace, frame, swap)
        dims = {name: all_dims[_swapped(name) if swap else name] if isinstance(value, np.ndarray)
                else get_dimensions(value) for name, value in values.items()}
        if "condition" in parsed:
            numbers = {name for name, value in values.items() if np.asarray(value).dtype != np.bool_}
            try:
                check_condition(parsed["condition"], f"the condition of connect() of {self.where()}",
                                numbers | set(own) - {None})
            except ParseError as error:
                raise ModelTypeError(error.message, error.position, error.source) from None
        for expression in parsed.values():
            check_expression(expression, own, dims, DIMENSIONLESS, where=f"connect() of {self.where()}")
        plain = {name: (value if isinstance(value, np.ndarray) else float(to_si(value)[0]))
                 for name, value in values.items()}
        sizes = (self.target.N, self.source.N) if swap else (self.source.N, self.target.N)
        request = ConnectRequest(
            *sizes,
            condition=expanded.get("condition"),
            p=expanded["p"] if "p" in parsed else _probability(p),
            n=expanded["n"] if "n" in parsed else _count(n),
            generator=generator, skip_if_invalid=skip_if_invalid)
        stream = _CONNECT_STREAM_BASE + 16 * connect_call()
        pre, post = connect_pairs(request, plain, current_seed(), stream, load_module, reserve=self._reserve,
                                  device=get_device())
        self._append(*((post, pre) if swap else (pre, post)))

    def _connect_expression(self, key: str, text: str):
        """The condition, ``p`` or ``n`` of connect(), parsed; a generator given as the condition is refused
        with the advice to pass it as j=."""
        try:
            return parse_expression(text)
        except ParseError:
            if key == "condition" and " for " in f" {text} ":
                try:
                    parse_generator(text)
                except ParseError:
                    raise
                raise ModelValueError(f"connect('{text}') of {self.where()}: a generator is given as j= "
                                      f"(connect(j='{text}')), not as the condition") from None
            raise

    def _expand_for_connect(self, expr, swap: bool):
        """An expression of connect() with the synapses' and the neurons' subexpressions it reads replaced by what
        they stand for (``swap``: in a generator over sources, with pre and post exchanged); synaptic variables
        (which do not exist before the synapses) are refused."""
        if not isinstance(expr, sympy.Basic):
            return expr
        known = {e.name for e in self._subexpressions()}
        real = {s.name: _swapped(s.name) if swap else s.name for s in expr.free_symbols}
        values = {symbol(name): self.expanded_subexpression(original) for name, original in real.items()
                  if original in known}
        if swap:
            values = {key: value.xreplace({s: symbol(_swapped(s.name)) for s in value.free_symbols})
                      for key, value in values.items()}
        expr = expr.xreplace(values)
        for name in sorted({s.name for s in expr.free_symbols}):
            if name in self.variables and name not in ("i", "j", "N_pre", "N_post"):
                raise ModelValueError(f"connect() of {self.where()} uses the synaptic variable '{name}', which has no "
                                      "value before the synapses exist; use neuron variables (x_pre, x_post), i, j, "
                                      "N_pre and N_post")
        return expr

    def _connect_values(self, names: set[str], namespace: dict | None, frame: dict,
                        swap: bool = False) -> dict[str, Any]:
        """Values of the names in connect()'s expressions: neuron variables as arrays, the rest from the namespace;
        with ``swap`` (a generator over sources) the names have pre and post exchanged."""
        values: dict[str, Any] = {}
        sides = (("_pre", self.target), ("_post", self.source)) if swap else (("_pre", self.source),
                                                                              ("_post", self.target))
        for name in names:
            if name in ("i", "j", "N_pre", "N_post", None):
                continue
            resolved = None
            for suffix, group in sides:
                if name.endswith(suffix) and name[: -len(suffix)] in group.variables:
                    resolved = np.asarray(group.variables[name[: -len(suffix)]].values(), dtype=float)
                    if resolved.ndim == 0:
                        resolved = np.full(group.N, float(resolved))
            if resolved is None:
                found, value = lookup(name, namespace if namespace is not None else self.namespace, frame)
                if not found:
                    raise UnknownNameError(name, f"unknown identifier '{name}' in connect() of {self.where()} "
                                           "(neuron variables need the suffix _pre or _post there)")
                resolved = value
            values[name] = resolved
        return values

    def _connect_arrays(self, i, j, p, n) -> None:
        if isinstance(p, str) or isinstance(n, str):
            raise ModelTypeError(f"connect() of {self.where()} with index arrays takes p= and n= as numbers, not "
                                 "expressions")
        pre = np.atleast_1d(np.asarray(i))
        post = np.atleast_1d(np.asarray(j))
        for name, array in (("i", pre), ("j", post)):
            if array.size and array.dtype.kind not in "iu":
                raise ModelTypeError(f"connect({name}=...) of {self.where()}: indices must be integers, not "
                                     f"{array.dtype} ({array.ravel()[0]!r})")
        if pre.shape != post.shape:
            if pre.size == 1:
                pre = np.full(post.shape, pre.ravel()[0])
            elif post.size == 1:
                post = np.full(pre.shape, post.ravel()[0])
            else:
                raise ModelValueError(f"connect(i=, j=) of {self.where()}: i has the shape {pre.shape} and j "
                                      f"{post.shape}; they must be equal (or one a single index)")
        pre, post = pre.ravel(), post.ravel()
        for name, array, group in (("i", pre, self.source), ("j", post, self.target)):
            bad = array[(array < 0) | (array >= group.N)]
            if bad.size:
                raise ModelIndexError(f"connect({name}=...) of {self.where()}: index {int(bad[0])} is outside "
                                      f"{group.where()}, which has {group.N} elements (0 to {group.N - 1})")
        probability, count = _probability(p), _count(n)
        if probability < 1:
            generator = np.random.Generator(np.random.Philox(key=current_seed(), counter=[
                _CONNECT_STREAM_BASE + 16 * connect_call(), 0, 0, 2]))
            keep = generator.random(len(pre)) < probability
            pre, post = pre[keep], post[keep]
        if count != 1:
            pre, post = np.repeat(pre, count), np.repeat(post, count)
        self._reserve(len(pre))
        self._append(pre.astype(np.int32), post.astype(np.int32))

    def _reserve(self, count: int) -> None:
        """Refuse ``count`` more synapses if their arrays (and the copies made while growing) cannot fit."""
        per_synapse = sum(v.array.itemsize for v in self.variables.values() if not v.shared
                          and not isinstance(v, _PerNeuron))
        check_fits((2 * self.N + count) * per_synapse + 8 * count,
                   f"connect() of {self.where()} ({count:,} new synapses, {per_synapse} bytes each)")

    def _append(self, pre: np.ndarray, post: np.ndarray) -> None:
        """Add synapses (new variables start at 0, as in Brian 2; delays of a new pathway too); the caller has
        made sure they fit (``_reserve``)."""
        old = self.N
        object.__setattr__(self, "N", old + len(pre))  # the attribute, not the read-only variable N
        for name, variable in self.variables.items():
            if variable.shared or name in ("N_incoming", "N_outgoing"):
                continue
            grown = np.zeros(self.N, dtype=variable.array.dtype)
            grown[:old] = variable.array
            variable.array = grown
            if name in self._delay_versions:
                self._freeze_delays(name)
        self.variables["i"].array[old:] = pre
        self.variables["j"].array[old:] = post
        self.variables["N"].array[0] = self.N
        pre_all, post_all = self.variables["i"].array, self.variables["j"].array
        self.variables["N_incoming"].array = np.diff(group_pointers(post_all, self.target.N)).astype(np.int32)
        self.variables["N_outgoing"].array = np.diff(group_pointers(pre_all, self.source.N)).astype(np.int32)
        if self.multisynaptic_index is not None:
            self.variables[self.multisynaptic_index].array = _ranks(pre_all, post_all, self.target.N)
        self._follow_link_indices()
        self._connectivity_cache.pop("csr", None)
        self._connectivity_cache.pop("by", None)

    # --- indexing ----------------------------------------------------------------------
    def indices_for(self, key):
        """Synapse indices for ``S.w[k]``, ``S.w[i, j]`` (ints, slices, arrays), ``S.w[i, j, n]``, a condition or a
        ``SynapticSubgroup``."""
        if isinstance(key, SynapticSubgroup):
            return key.synapse_indices
        if isinstance(key, tuple):
            if len(key) not in (2, 3):
                raise ModelIndexError(f"index the synapses of {self.where()} with [i, j] or [i, j, n] (each an "
                                      f"integer, a slice or integers), not {len(key)} indices {key!r}")
            mask = np.ones(self.N, dtype=bool)
            columns = [self.variables["i"].array, self.variables["j"].array]
            sizes = [self.source.N, self.target.N]
            if len(key) == 3:
                if self.multisynaptic_index is None:
                    raise ModelError("S[i, j, n] needs Synapses(..., multisynaptic_index='name')")
                columns.append(self.variables[self.multisynaptic_index].array)
                sizes.append(np.iinfo(np.int32).max)
            parts = [self._side_range(part, side, group) if isinstance(part, Group) else part
                     for part, side, group in zip(key, ("source", "target"), (self.source, self.target), strict=False)]
            for part, column, size in zip(parts + list(key[2:]), columns, sizes, strict=True):
                mask &= _matches(part, column, size)
            return np.flatnonzero(mask)
        if not isinstance(key, str | slice):
            values = np.asarray(key) if isinstance(key, Number | np.generic | list | np.ndarray) else None
            if values is None or values.dtype.kind not in "biu" or values.dtype == np.bool_ and values.ndim == 0:
                raise ModelIndexError(f"synapses of {self.where()} are indexed by an integer, a slice, integers, "
                                      f"booleans, a condition string or [i, j], not {key!r}")
            if values.dtype.kind in "iu" and values.size and not -self.N <= values.min() <= values.max() < self.N:
                bad = values[(values < -self.N) | (values >= self.N)].ravel()[0]
                raise ModelIndexError(f"synapse {bad} is out of range for {self.where()}, which has {self.N} synapses")
        return super().indices_for(key)

    def _side_range(self, group: Group, side: str, own: Group) -> slice:
        """A (sub)group in the i or j place of ``[i, j]`` stands for its neurons, as their numbers within the
        synapses' ``side`` group; it must lie within that group (a partial overlap is refused, not cut)."""
        start = group.offset - own.offset
        if group.root is not own.root or start < 0 or start + group.N > own.N:
            raise ModelIndexError(f"{group.where()} cannot select the {side}s of {self.where()}: it does not lie "
                                  f"within its {side} {own.where()}")
        return slice(start, start + group.N)

    def link(self, name: str, link: LinkedVariable) -> None:
        """A '(linked)' synaptic parameter reads one value (a shared variable, or a one-element group), or, with
        ``index='k'``, element ``k`` of each synapse (an integer synaptic variable): the number of synapses changes,
        so an index array cannot say which element each synapse reads."""
        if isinstance(link.index, str):
            index = self.variables.get(link.index)
            if index is None:
                raise ModelValueError(f"the index for linking '{name}' of {self.where()} must name an integer "
                                      f"synaptic variable of {self.name}, and it has no variable {link.index!r} "
                                      "(neuron variables such as x_pre or x_post cannot index a link)")
        elif link.index is not None:
            raise ModelTypeError(f"cannot link '{name}' of {self.where()} through an index array: synapses come and "
                                 f"go with connect(); give index= the name of an integer synaptic variable")
        elif link.group.N != 1 and not (link.name in link.group.variables and link.group.variables[link.name].shared):
            raise ModelValueError(f"cannot link '{name}' of {self.where()} to '{link.name}' of "
                                  f"{link.group.where()} ({link.group.N} elements) without index=: name an integer "
                                  f"synaptic variable that holds each synapse's element, or link a shared variable")
        super().link(name, link)

    def _follow_link_indices(self) -> None:
        """Links through an index variable read its current array (connect() and restore_state replace it)."""
        for variable in self.variables.values():
            if variable.link is not None and variable.link_index:
                group, source, _ = variable.link
                variable.link = (group, source, self.variables[variable.link_index].array)

    def __getattr__(self, name: str):
        for pathway in self.__dict__.get("_pathways", ()):
            if pathway.name == name:
                return PathwayView(self, pathway)
        if name in ("N_incoming_post", "N_outgoing_pre") and "variables" in self.__dict__:
            return self.variables[name.rsplit("_", 1)[0]].array.copy()  # per neuron, as Brian 2 stores them
        try:
            return super().__getattr__(name)
        except AttributeError:
            if "target" in self.__dict__ and (self._reference(name) is not None
                                              or self._neuron_subexpression(name) is not None):
                return NeuronVariableView(self, name)
            raise

    def __setattr__(self, name: str, value) -> None:
        if "target" in self.__dict__ and name not in self.__dict__.get("variables", {}) and \
                not name.startswith("_") and self._reference(name) is not None:
            self.set_values(name, value, slice(None))
        else:
            super().__setattr__(name, value)

    @property
    def indices(self) -> SynapseIndices:
        """``S.indices[0, :]``, ``S.indices['i > j']``: synapse numbers for the index forms variables take."""
        return SynapseIndices(self)

    def __getitem__(self, key) -> SynapticSubgroup:
        """``S[0, :]``, ``S['i > j']``: the synapses an index selects (as of now), to index variables with."""
        return SynapticSubgroup(self, np.arange(self.N)[self.indices_for(key)])

    def set_values(self, name: str, value, key) -> None:
        if name not in self.variables and self._reference(name) is not None:
            self._set_neuron_values(name, value, key)
            return
        if name in ("i", "j", "N", "N_pre", "N_post", "N_incoming", "N_outgoing"):
            raise ModelError(f"'{name}' of {self.where()} is read-only")
        if not self._connected and not self.variables[name].shared and not isinstance(value, LinkedVariable):
            raise ModelTypeError(f"cannot set '{name}' of {self.where()} before its synapses exist: call "
                                 f"{self.name}.connect(...) first (as in Brian 2)")
        with self._writing(name):
            if self.variables[name].shared and not isinstance(value, str):
                variable, what = self.variables[name], f"'{name}' of {self.where()}"
                self._shared_key(name, key)
                values = self._sized(name, variable, si_values(value, variable.dimension, what), 1)
                variable.array[:] = stored_values(variable, values, what)
            else:
                super().set_values(name, value, key)

    def _set_neuron_values(self, name: str, value, key) -> None:
        """``S.v_post[...] = value``: set the neuron variable of the synapses' targets (sources for ``_pre``)."""
        group, variable = self._reference(name)
        base = variable.name
        if variable.shared:
            group.set_values(base, value, slice(None))
            return
        what = f"'{name}' of {self.where()}"
        check_writable(base, variable, what)
        indices = np.arange(self.N)[self.indices_for(key)]
        neurons = self.variables[self._neuron_index(name, group)].array[indices]
        if isinstance(value, str):
            values = self._evaluate(parse_expression(value), caller_namespace(), variable.dimension,
                                    f"the value for {what}")[indices]
        else:
            values = si_values(value, variable.dimension, what)
        group.variables[base].array[neurons] = stored_values(variable, values, what)

    def _set_raw(self, name: str, value) -> None:
        with self._writing(name):
            super()._set_raw(name, value)

    @contextmanager
    def _writing(self, name: str):
        """Delays are read-only arrays written only here: a version number then tells the propagation
        tables (sorted by delay) when to be rebuilt, without comparing millions of delays at every run."""
        if name not in self._delay_versions:
            yield
            return
        array = self.variables[name].array
        array.flags.writeable = True
        try:
            yield
        finally:
            self._freeze_delays(name)

    def _freeze_delays(self, name: str) -> None:
        self.variables[name].array.flags.writeable = False
        self._delay_versions[name] += 1

    def __repr__(self) -> str:
        return f"<Synapses '{self.name}': {self.N} synapses from '{self.source.name}' to '{self.target.name}'>"

    # --- what the network asks ----------------------------------------------------------
    def dependencies(self) -> list:
        return [self.source.root, self.target.root]

    def external_names(self) -> set[str]:
        names = set(self.equations.identifiers | self.equations.functions)
        for statements in [p.statements for p in self._pathways if p.statements] + self._regular_statements():
            names |= statements.identifiers | statements.functions
        own = set(self.variables) | set(self.equations.names) | set(CLOCK_NAMES)
        external = {n for n in names if n not in own and self._reference(n) is None and not n.startswith("xi")
                    and self._neuron_subexpression(n) is None}
        if "lastupdate" in external:  # Brian 2's name for the time of the last event: no constant of the run
            raise UnknownNameError("lastupdate", f"{self.where()} uses 'lastupdate', which synapses have only when "
                                   "their model has event-driven equations; without them, declare it in the model "
                                   "('lastupdate : second') and set it in the pathway's code ('lastupdate = t')")
        return external

    def check_units(self, external_dims: dict[str, Any]) -> None:
        own = self.dimensions()
        self.equations.check_units(external_dims, builtins=own)
        for pathway in (p for p in self._pathways if p.statements is not None):
            for statement in pathway.statements:
                if statement.target not in pathway.statements.temporaries:
                    self._check_target(statement.target, statement, pathway.statements, f"the '{pathway.name}' pathway")
            check_statements(pathway.statements, own, external_dims,
                             where=f"the '{pathway.name}' pathway of {self.where()}")
        self._check_regular_units(own, external_dims)

    def operations(self, resolve) -> list[Operation]:
        if not self._connected and self.N == 0:
            raise ModelTypeError(f"{self.where()} has no synapses because its connect() was never called (Brian 2 "
                                 f"refuses to run it too): call {self.name}.connect(...), with a condition such as "
                                 "'i != j' or without arguments for all pairs, or leave the object out of the network")
        ops = []
        if self.N == 0:
            return ops
        clock_driven = Equations([eq for eq in self.equations if "event-driven" not in eq.flags
                                  and "summed" not in eq.flags])
        if clock_driven.diff_eq_names:
            update = integrate(clock_driven, self.method, owner=self.name, method_options=self.method_options)
            resolve(self, (), matrices=update.run_constants)
            ops.append(Operation(function_name(self.name, "stateupdater"), "state_update", self.name, "groups",
                                 self.order, 0, self.creation_order, code=self._code(update.statements, resolve),
                                 details=StateUpdateDetails(update.method, update.description),
                                 comment=f"{update.method}: {update.description}"))
        ops += self._regular_operations(resolve)
        for equation in self.equations:
            if "summed" in equation.flags:
                ops.append(self._summed_operation(equation, resolve))
        event_driven = self._event_driven_statements()
        for pathway in self._pathways:
            if pathway.statements is not None:
                ops.append(self._pathway_operation(pathway, event_driven, resolve))
        return ops

    def _event_driven_statements(self) -> tuple[Assignment, ...]:
        # the solver integrates clock-driven equations: hand it the event-driven ones without their flag
        event_driven = Equations([replace(eq, flags=eq.flags - {"event-driven"}) for eq in self.equations
                                  if "event-driven" in eq.flags or
                                  (eq.kind is not EquationKind.DIFFERENTIAL and "summed" not in eq.flags)])
        if not event_driven.diff_eq_names:
            return ()
        try:
            update = integrate(event_driven, "exact", owner=self.name)
        except SolverError as error:
            reason = str(error).split("\n")[0].split("; use ")[0]  # the solver's own advice is about methods
            raise ModelError(f"the event-driven equations of {self.where()} cannot be solved exactly ({reason}); "
                             "mark them (clock-driven) instead") from error
        if update.run_constants:
            raise ModelError(f"the event-driven equations of {self.where()} are coupled linear equations, which "
                             "simcore integrates only clock-driven; mark them (clock-driven) instead")
        elapsed = {symbol("dt"): symbol("t") - symbol("lastupdate")}
        return tuple(Assignment(s.target, s.expr.xreplace(elapsed), f"{s.comment} (event-driven)")
                     for s in update.statements)

    def _pathway_operation(self, pathway: _Pathway, event_driven, resolve) -> Operation:
        statements = event_driven + assignments(pathway.statements, f"on_{pathway.name}")
        if event_driven:
            statements += (Assignment("lastupdate", symbol("t"), "lastupdate = t"),)
        code = self._code(statements, resolve)
        trigger = self._group_of(pathway.trigger_index)
        blocks = self._blocks(pathway, code)
        other = array_arg(self.name, pathway.reached_index)
        # code that needs no synapse number, only its target, reads the targets in table order (one
        # random memory access less per synaptic event)
        csr = self._csr(pathway, blocks, _reads_only_targets(code, self.name, other))
        indirect = csr["indirect"]
        if "targets" in csr:
            by_table = internal_arg(self.name, "pathway", part(pathway.name), "targets")
            code = replace(code, arrays=tuple(replace(r, index=by_table) if r.index == other else r
                                              for r in code.arrays))
        details = PathwayDetails(source=trigger.root.name, event=pathway.event, whole_source=trigger.root is trigger,
                                 range=(trigger.offset, trigger.offset + trigger.N),
                                 prefix=f"_{internal_arg(self.name, 'pathway', part(pathway.name))}",
                                 delays=csr["mode"], slots=csr["slots"], steps=csr["steps"], indirect=indirect,
                                 blocks=blocks, sources=trigger.N, source_size=trigger.root.N)
        return Operation(function_name(self.name, "pathway", part(pathway.name)), "synaptic_pathway", self.name,
                         "synapses", pathway.order, 0, self.creation_order, code=code, details=details,
                         comment=f"pathway '{pathway.name}' on {pathway.event}s of {trigger.name}")

    def _blocks(self, pathway: _Pathway, code: ElementCode) -> int:
        """How many target blocks to split the pathway's synapses into, to run them in parallel: one per
        thread when the code writes only this synapse's variables and its own target's (no races), and the
        pathway is large enough to pay for a parallel loop (or SIMCORE_PARALLEL=always)."""
        threads, mode = thread_count(), parallel_mode()
        if threads == 1 or mode == "never" or building_device() != "cpu":
            return 1
        other_side = array_arg(self.name, pathway.reached_index)
        for ref in code.arrays:
            if ref.local_name in code.written and not (ref.owner == self.name and not ref.shared
                                                       or ref.index == other_side):
                return 1
        # expected events per step at 10 Hz: a parallel loop costs about 13 us per step (FINDINGS)
        large = self.N * self.dt_ * 10 >= 20_000
        return threads if mode == "always" or large else 1

    def _summed_operation(self, equation, resolve) -> Operation:
        name, side = equation.name.rsplit("_", 1)
        group = self.target if side == "post" else self.source
        owner, variable = group.root, group.root.variables[name]
        if variable.link is not None:
            owner, name = self._linked_summed_target(equation, group, variable)
            variable = owner.variables[name]
        target = ArrayRef(owner.name, name, str(variable.array.dtype), False)
        code = self._code((Assignment("_summed", equation.expr, f"{equation.name} = {equation.expression.text} "
                                      "(summed)"),), resolve)
        self._by_element(side)
        details = SummedDetails(target=target, range=(group.offset, group.offset + group.N),
                                prefix=f"_{internal_arg(self.name, 'by', side)}")
        return Operation(function_name(self.name, "summed", part(name)), "summed_variable", self.name, "groups",
                         group.root.order - 1, 0, self.creation_order, code=code, details=details,
                         comment=f"summed variable {equation.name}")

    def _linked_summed_target(self, equation, group: Group, variable: Variable) -> tuple[Group, str]:
        """The group and parameter that a summed variable setting a '(linked)' parameter sets: the one the link
        reads (so that two summed variables that set one variable through links are found, as in Brian 2)."""
        source, name, index = variable.link
        read = source.variables.get(name)
        if index is not None or read is None or read.shared or read.link is not None or source.N != group.root.N \
                or name in source.equations.diff_eq_names:
            raise ModelNotImplementedError(
                f"the summed variable '{equation.name}' of {self.where()} sets '{variable.name}' of "
                f"{group.root.where()}, which is linked to '{name}' of {source.where()}: a summed variable sets a "
                "linked variable only if the link reads a parameter of a group of the same size, element by element")
        return source, name

    def _by_element(self, side: str) -> dict:
        """The synapses of each target (side 'post') or source ('pre') element, in increasing order."""
        cache = self._connectivity_cache.setdefault("by", {})
        if side not in cache:
            index = "j" if side == "post" else "i"
            elements, size = self.variables[index].array, self._group_of(index).N
            order, ptr = group_by([(elements, size)], self.N, _index_type(self.N))
            cache[side] = {"ptr": ptr, "syn": order}
        return cache[side]

    def _stores(self, name: str) -> bool:
        return self._reference(name) is not None

    def _write_conditions(self, written: list[str]) -> dict[str, str]:
        """A neuron's '(unless refractory)' variable changes only while it is not refractory (as in Brian 2)."""
        conditions = {}
        for name in written:
            group, variable = self._reference(name)
            if group is not self and variable.name in getattr(group.root, "unless_refractory", ()):
                side = "_pre" if self._neuron_index(name, group) == "i" else "_post"
                conditions[name] = f"not_refractory{side}"
        return conditions

    def _subexpressions(self) -> tuple:
        """The neurons' subexpressions (which the synapses' own may use) first, then the synapses' own."""
        return self._neuron_subexpressions() + tuple(eq for eq in self.equations.ordered_subexpressions()
                                                     if "summed" not in eq.flags)

    def _array_ref(self, name: str, written: bool = False) -> ArrayRef:
        group, variable = self._reference(name)
        if isinstance(variable, _PerNeuron):
            return ArrayRef(self.name, name, "int32", index=array_arg(self.name, variable.through.name))
        if group is self and variable.linked:
            return self._linked_ref(name, variable, written)
        if group is self:
            return ArrayRef(self.name, name, str(variable.array.dtype), variable.shared)
        # a neuron variable: its own name (v for v_post), read through i or j
        dtype = str(variable.array.dtype)
        if variable.shared:
            return ArrayRef(group.root.name, variable.name, dtype, True, local=name)
        return ArrayRef(group.root.name, variable.name, dtype, False, local=name,
                        index=array_arg(self.name, self._neuron_index(name, group)), offset=group.offset)

    def _linked_ref(self, name: str, variable: Variable, written: bool) -> ArrayRef:
        """The variable a linked synaptic parameter reads (code of synapses reads it, never writes it: several
        synapses may read one element)."""
        if variable.link is None:
            raise ModelError(f"the linked variable '{name}' of {self.where()} is not linked yet: set "
                             f"{self.name}.{name} = linked_var(group.variable)")
        group, source, index = variable.link
        if written:
            raise ModelTypeError(f"code of {self.where()} assigns to the linked variable '{name}', which reads "
                                 f"'{source}' of {group.where()}; synapses cannot write through a link")
        target = group.variables[source]
        return ArrayRef(group.name, source, str(target.array.dtype), target.shared or variable.link_scalar,
                        local=name, index="" if index is None else self.link_index_arg(name))

    # --- connectivity for propagation ----------------------------------------------------
    def _delay_range(self, pathway: _Pathway) -> tuple[int, int]:
        """The shortest and longest delay in time steps, rounded; a warning names the synapses whose delay
        is not a multiple of dt."""
        delays = self.variables[pathway.delay_variable].array
        if delays.size and not 0 <= delays.min() <= delays.max() < _MAX_DELAY_STEPS * self.dt_:  # NaN too
            bad = np.flatnonzero(~((delays >= 0) & (delays < _MAX_DELAY_STEPS * self.dt_)))
            which = "the delay" if self.variables[pathway.delay_variable].shared else \
                f"the delay of synapse {bad[0]} (i={self.variables['i'].array[bad[0]]}, " \
                f"j={self.variables['j'].array[bad[0]]})"
            value = delays[bad[0]]
            problem = "a negative delay" if value < 0 else "too long a delay" if value > 0 else "not a number"
            raise ModelError(f"{which} of the '{pathway.name}' pathway of {self.where()} is {value * 1e3:g} ms, "
                             f"{problem}: delays must be finite, >= 0 and below {_MAX_DELAY_STEPS} time steps "
                             f"({_MAX_DELAY_STEPS * self.dt_:g} s with dt = {self.dt_ * 1e3:g} ms)")
        shortest, longest, off, first = delay_range(delays, self.dt_)
        if off:
            which = "the delay" if self.variables[pathway.delay_variable].shared else \
                f"the delays of {off} synapse(s) (e.g. synapse {first}: i={self.variables['i'].array[first]}, " \
                f"j={self.variables['j'].array[first]})"
            warnings.warn(f"{which} of the '{pathway.name}' pathway of {self.where()}: not a multiple of dt = "
                          f"{self.dt_ * 1e3:g} ms ({delays[first] * 1e3:g} ms): rounded to "
                          f"{int(np.rint(delays[first] / self.dt_))} time steps", stacklevel=4)
        return shortest, longest

    def _csr(self, pathway: _Pathway, blocks: int, targets_only: bool) -> dict:
        """Synapses grouped by target block, then by the element that triggers the pathway, then (when
        delays differ) by delay; recomputed only when the synapses, their delays or the blocks changed.
        With ``targets_only`` (the pathway's code needs no synapse number) the table holds the synapses'
        targets instead of their numbers ("syn" stays empty)."""
        variable = self.variables[pathway.delay_variable]
        cached = self._connectivity_cache.setdefault("csr", {}).get(pathway.name)
        fingerprint = (blocks, targets_only, self.N, self.dt_, self._delay_versions.get(pathway.delay_variable),
                       float(variable.array[0]) if variable.shared else None)
        if cached is not None and cached["fingerprint"] == fingerprint:
            return cached
        shortest, maximum = self._delay_range(pathway)
        heterogeneous = not variable.shared and shortest != maximum
        sources = self.variables[pathway.trigger_index].array
        targets = self.variables[pathway.reached_index].array
        size = self._group_of(pathway.trigger_index).N
        grouped = block_keys(sources, targets, size, blocks, self._group_of(pathway.reached_index).N) \
            if blocks > 1 else sources
        steps = delay_steps(variable.array, self.dt_) if heterogeneous else None
        keys = [(steps, maximum + 1)] if heterogeneous else []
        keys.append((grouped, blocks * size))
        empty = np.zeros(0, dtype=np.int32)
        csr = {"fingerprint": fingerprint, "syn": empty, "dsorted": empty, "slots": maximum + 1, "steps": maximum,
               "mode": "heterogeneous" if heterogeneous else ("homogeneous" if maximum > 0 else "none")}
        if len(keys) == 1 and is_sorted(grouped):  # already grouped by source: no indirection
            csr.update(ptr=group_pointers(grouped, blocks * size), indirect=False)
        elif targets_only and not heterogeneous:  # one pass places the targets
            csr["targets"], csr["ptr"] = group_by(keys, self.N, _index_type(self.N), values=targets)
            csr["indirect"] = False
        else:  # stable: the synapses of one group stay in increasing order
            order, csr["ptr"] = group_by(keys, self.N, _index_type(self.N))
            csr["indirect"] = not targets_only
            if targets_only:
                csr["targets"] = take(targets, order)
            else:
                csr["syn"] = order
            if heterogeneous:
                csr["dsorted"] = take(steps, order)
        self._connectivity_cache["csr"][pathway.name] = csr
        self._resize_history(pathway, csr)
        return csr

    def _resize_history(self, pathway: _Pathway, csr: dict) -> None:
        """The ring of past events (``slots`` steps of dt). Events in flight are kept when the slot count or dt
        changes: each goes into the step of the new dt at its age (the time since the event, in steps of the new
        dt: ``_age_in_steps``), so that it arrives at its time plus the synapse's delay, rounded to the new grid
        (as Brian 2 rounds what is left of a spike's delay). Without delays there is no ring (and no event
        stays in flight)."""
        if csr["mode"] == "none":
            self._history.pop(pathway.name, None)
            return
        size = self._group_of(pathway.trigger_index).N
        old = self._history.get(pathway.name)
        slots, dt = csr["slots"], self.dt_
        if old is not None and len(old["start"]) == slots and old["dt"][0] == dt:
            return
        step = int(round(self.network_time / dt))
        by_age: dict[int, list[np.ndarray]] = {}
        if old is not None:
            old_slots, old_dt = len(old["start"]), float(old["dt"][0])
            old_step = int(round(self.network_time / old_dt))
            delays = {csr["steps"]} if csr["mode"] == "homogeneous" else \
                set(np.unique(delay_steps(self.variables[pathway.delay_variable].array, dt)).tolist())
            for back in range(old_slots - 1, 0, -1):  # oldest first: a step's events stay in the order they came
                age = _age_in_steps(back * old_dt, dt, delays)
                if age < slots:
                    by_age.setdefault(age, []).append(_slot_events(old, (old_step - back) % old_slots))
        check_fits(16 * slots, f"the spikes in flight of the '{pathway.name}' pathway of {self.where()} (a ring of "
                   f"{slots} time steps, its longest delay)")
        in_flight = sum(len(part) for parts in by_age.values() for part in parts)
        history = _empty_history(max(1024, 2 * size, in_flight + size), slots, dt)
        for age in sorted(by_age, reverse=True):
            self._history_append(history, (step - age) % slots, np.concatenate(by_age[age]))
        self._history[pathway.name] = history

    @staticmethod
    def _history_append(history: dict, slot: int, elements: np.ndarray) -> None:
        head, capacity = int(history["head"][0]), len(history["ring"])
        history["ring"][(head + np.arange(len(elements))) % capacity] = elements
        history["start"][slot], history["count"][slot] = head, len(elements)
        history["head"][0] = head + len(elements)

    def grow(self) -> None:
        """Double a ring of past events that might not hold the next step's (it keeps its contents)."""
        for name, history in list(self._history.items()):
            pathway = next(p for p in self._pathways if p.name == name)
            if history["count"].sum() + self._group_of(pathway.trigger_index).N <= len(history["ring"]):
                continue
            bigger = _empty_history(2 * len(history["ring"]), len(history["start"]), float(history["dt"][0]))
            for slot in np.argsort(history["start"], kind="stable"):
                self._history_append(bigger, int(slot), _slot_events(history, slot))
            self._history[name] = bigger

    def kernel_arrays(self) -> dict:
        arrays = super().kernel_arrays()
        for pathway in self._pathways:
            csr = self._connectivity_cache.get("csr", {}).get(pathway.name)
            if csr is None:
                continue
            prefix = f"_{internal_arg(self.name, 'pathway', part(pathway.name))}"
            arrays.update({f"{prefix}_ptr": csr["ptr"], f"{prefix}_syn": csr["syn"],
                           f"{prefix}_dsorted": csr["dsorted"]})
            if "targets" in csr:
                arrays[f"{prefix}_targets"] = csr["targets"]
            for key, array in self._history.get(pathway.name, {}).items():
                if key != "dt":  # the host's: the dt the steps of the ring are of
                    arrays[f"{prefix}_hist{'' if key == 'ring' else '_' + key}"] = array
        for side, csr in self._connectivity_cache.get("by", {}).items():
            prefix = f"_{internal_arg(self.name, 'by', side)}"
            arrays.update({f"{prefix}_ptr": csr["ptr"], f"{prefix}_syn": csr["syn"]})
        return arrays

    def state(self) -> dict:
        return {"variables": {name: v.array.copy() for name, v in self.variables.items()}, "N": self.N,
                "history": {name: {k: a.copy() for k, a in h.items()} for name, h in self._history.items()}}

    def check_state(self, state: Any) -> None:
        """Refuse a stored state (read from a file: data) that would not be these synapses' own: every array of
        its shape and type; ``i`` and ``j`` within the groups (the kernels index neurons with them unchecked);
        the counts per neuron, ``N`` and the multisynaptic index as ``i`` and ``j`` give them; delays finite and
        >= 0; the rings of spikes in flight consistent (elements of the triggering group, slots within the ring)."""
        state = stored_keys(state, ("variables", "N", "history"), "the stored state")
        count = stored_integer(state["N"], "'N' (the number of synapses)", 0, np.iinfo(np.int64).max)
        stored = stored_keys(state["variables"], self.variables, "the variables", " (another model?)")
        arrays = {}
        for name, variable in self.variables.items():
            shape = variable.array.shape if variable.shared or isinstance(variable, _PerNeuron) else (count,)
            arrays[name] = stored_array(stored[name], variable.array.dtype, shape, f"'{name}'")
        in_range(arrays["i"], self.source.N, f"'i' (the presynaptic neurons, of {self.source.name})")
        in_range(arrays["j"], self.target.N, f"'j' (the postsynaptic neurons, of {self.target.name})")
        same_values(arrays["N"], np.array([count]), "'N' (the number of synapses)")
        same_values(arrays["N_pre"], np.array([self.source.N]), "'N_pre'")
        same_values(arrays["N_post"], np.array([self.target.N]), "'N_post'")
        for name, index, group in (("N_incoming", "j", self.target), ("N_outgoing", "i", self.source)):
            same_values(arrays[name], np.bincount(arrays[index], minlength=group.N), f"'{name}' (from '{index}')")
        if self.multisynaptic_index is not None:
            same_values(arrays[self.multisynaptic_index], _ranks(arrays["i"], arrays["j"], self.target.N),
                        f"'{self.multisynaptic_index}' (from 'i', 'j')")
        for name in {pathway.delay_variable for pathway in self._pathways}:
            delays = arrays[name]
            bad = np.flatnonzero(~(np.isfinite(delays) & (delays >= 0)))
            if bad.size:
                raise ModelError(f"'{name}' must be finite and >= 0; the stored element {bad[0]} is {delays[bad[0]]}")
        pathways = {pathway.name: pathway for pathway in self._pathways}
        history = state["history"]
        if not isinstance(history, dict) or set(history) - set(pathways):
            found = sorted(history) if isinstance(history, dict) else history
            raise ModelError(f"the spikes in flight ('history') should be a group of some of the pathways "
                             f"{sorted(pathways)}, the stored one has {found}")
        for name, ring in history.items():
            self._check_history(ring, self._group_of(pathways[name].trigger_index).N,
                                f"the spikes in flight of the pathway '{name}'")

    @staticmethod
    def _check_history(stored: Any, size: int, what: str) -> None:
        """A ring of past events (``_empty_history``) whose every read (of the slots' events) stays within it and
        gives elements of the ``size`` triggering ones."""
        stored = stored_keys(stored, ("ring", "start", "count", "head", "dt"), what)
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

    def restore_state(self, state: dict) -> None:
        """Take a state that ``check_state`` accepted."""
        object.__setattr__(self, "N", int(state["N"]))
        for name, array in state["variables"].items():
            self.variables[name].array = np.asarray(array).astype(self.variables[name].array.dtype)
            if name in self._delay_versions:
                self._freeze_delays(name)
        self._follow_link_indices()
        types = {key: array.dtype for key, array in _empty_history(1, 1, 1.0).items()}
        self._history = {name: {key: np.asarray(array).astype(types[key]) for key, array in ring.items()}
                         for name, ring in state["history"].items()}
        self._connectivity_cache.pop("csr", None)
        self._connectivity_cache.pop("by", None)


def _ranks(pre: np.ndarray, post: np.ndarray, targets: int) -> np.ndarray:
    """The multisynaptic index: each synapse's rank among the synapses of its (i, j) pair, in creation order."""
    ranks = np.zeros(len(pre), dtype=np.int32)
    if len(pre):
        pairs = pre.astype(np.int64) * targets + post
        order = np.argsort(pairs, kind="stable")
        starts = np.r_[0, np.flatnonzero(np.diff(pairs[order])) + 1]
        ranks[order] = np.arange(len(pre)) - np.repeat(starts, np.diff(np.r_[starts, len(pre)]))
    return ranks


def _empty_history(capacity: int, slots: int, dt: float) -> dict[str, np.ndarray]:
    """A ring for the events of ``slots`` steps of ``dt``: element numbers, and per step slot its start and
    count."""
    return {"ring": np.zeros(capacity, dtype=np.int32), "start": np.zeros(slots, dtype=np.int64),
            "count": np.zeros(slots, dtype=np.int64), "head": np.zeros(1, dtype=np.int64),
            "dt": np.array([dt], dtype=np.float64)}


def _age_in_steps(age: float, dt: float, delays: set[int]) -> int:
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


def _slot_events(history: dict[str, np.ndarray], slot: int) -> np.ndarray:
    """The elements recorded in one step slot of a ring (which may wrap around its end)."""
    positions = (history["start"][slot] + np.arange(history["count"][slot])) % len(history["ring"])
    return history["ring"][positions]


def _reads_only_targets(code: ElementCode, owner: str, target_index: str) -> bool:
    """Whether pathway code uses no synaptic variable and no random number: only its targets' variables."""
    if any(type(f).__name__ in RANDOM_FUNCTIONS for s in code.statements for f in s.expr.atoms(sympy.Function)):
        return False
    return all(ref.shared or (ref.owner != owner and ref.index == target_index) for ref in code.arrays)


def _index_type(size: int):
    """Synapse numbers as int32 (4 bytes per synapse) while they fit."""
    return np.int32 if size < np.iinfo(np.int32).max else np.int64


def _matches(part, column: np.ndarray, size: int) -> np.ndarray:
    if isinstance(part, slice):
        start, stop, step = part.indices(size)
        return (column >= start) & (column < stop) & ((column - start) % step == 0)
    values = np.atleast_1d(np.asarray(part)) if isinstance(part, Number | np.generic | list | np.ndarray) else None
    if values is None or not np.issubdtype(values.dtype, np.integer):
        raise ModelIndexError(f"the parts of [i, j] synapse indices must be integers, slices, integers or "
                              f"subgroups of the source (target), not {part!r}")
    return np.isin(column, values)


def _probability(p) -> float:
    """A probability given as a number: above 1 means certain (as in Brian 2); negative is refused."""
    if not get_dimensions(p).is_dimensionless:
        raise ModelTypeError(f"connect(p={p!s}): a probability has no unit")
    value = float(p)
    if not value >= 0:
        raise ModelValueError(f"connect(p={p!r}): a probability must be >= 0 (1 or more: every pair)")
    return min(value, 1.0)


def _count(n) -> int:
    if int(n) != n or n < 0:
        raise ModelValueError(f"connect(n={n!r}): the number of synapses per pair must be a whole number >= 0")
    return int(n)


def _check_connect_types(condition, i, j, p, n) -> None:
    """Refuse arguments of connect() of a kind it cannot take (a TypeError, as in Brian 2)."""
    if not isinstance(condition, str | bool | np.bool_ | None):
        raise ModelTypeError(f"connect(): the condition must be a string or a bool, not {condition!r} (index "
                             "arrays go into i= and j=)")
    if isinstance(p, bool) or not isinstance(p, str | Number | np.generic) and not hasattr(p, "dimensions") \
            and not hasattr(p, "dimensionality"):
        raise ModelTypeError(f"connect(p={p!r}): p must be a number or a string expression")
    if isinstance(n, bool) or not isinstance(n, str | Number | np.generic):
        raise ModelTypeError(f"connect(n={n!r}): n must be a whole number or a string expression")
    for name, value in (("i", i), ("j", j)):
        if value is not None and not isinstance(value, str | Number | np.generic | list | tuple | range | np.ndarray):
            raise ModelTypeError(f"connect({name}={value!r}): give indices (an integer or integers) or a generator "
                                 "string")


def _swapped(text: str) -> str:
    """Code for a generator over sources (``i='j + k for k in range(...)'``) as one over targets: ``i`` and
    ``j``, ``N_pre`` and ``N_post``, ``x_pre`` and ``x_post`` exchanged."""
    tokens = []
    for token in tokenize.generate_tokens(io.StringIO(text).readline):
        string = token.string
        if token.type == tokenize.NAME:
            string = {"i": "j", "j": "i", "N_pre": "N_post", "N_post": "N_pre"}.get(string, string)
            if string.endswith("_pre") and string != "N_pre" and token.string == string:
                string = string[:-4] + "_post"
            elif string.endswith("_post") and string != "N_post" and token.string == string:
                string = string[:-5] + "_pre"
        tokens.append((token.type, string))
    return tokenize.untokenize(tokens).strip()


def _renamed_keyword(new, old, old_name: str, new_name: str):
    if old is None:
        return new
    if new is not None:
        raise ModelTypeError(f"give either {new_name}= or the older {old_name}=, not both")
    warnings.warn(f"Synapses({old_name}=...) is deprecated in Brian 2; use {new_name}=", DeprecationWarning,
                  stacklevel=3)
    return old


def _check_names(equations: Equations, source: Group, target: Group) -> None:
    """Refuse synaptic variables named like a variable of the source or target group: code could not tell them
    apart from the neurons' (Brian 2 refuses them too; names ending in _pre/_post the equations refuse)."""
    for equation in equations:
        if "summed" in equation.flags:
            continue
        for side, group in (("source", source), ("target", target)):
            if equation.name in group.root.variables or equation.name in _subexpression_names(group):
                raise ModelValueError(f"the synaptic variable '{equation.name}' has the name of a variable of the "
                                      f"{side} {group.root.where()}; choose another name (such as "
                                      f"'{equation.name}_syn')", equation.position, equation.source)


def _subexpression_names(group: Group) -> frozenset[str]:
    equations = getattr(group.root, "equations", None)
    return frozenset(equations.subexpr_names) if equations is not None else frozenset()
