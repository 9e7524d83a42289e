"""Synapses: connections between two groups, their variables and equations, and the
pathways that act on them when a presynaptic (or postsynaptic) event arrives."""

from __future__ import annotations

import warnings
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import sympy

from simcore.backends.cache import load_module
from simcore.backends.cpu import parallel_mode, thread_count
from simcore.backends.select import building_device, get_device
from simcore.codegen.connect import ConnectRequest, connect_pairs
from simcore.equations import Equations, check_expression, check_statements, parse_expression, parse_statements
from simcore.equations.functions import RANDOM_FUNCTIONS
from simcore.equations.generator import parse_generator
from simcore.equations.model import EquationKind
from simcore.equations.parser import Statements, check_condition, symbol
from simcore.errors import ModelError, UnknownNameError
from simcore.ir import ArrayRef, Assignment, ElementCode, Operation, array_arg, function_name, internal_arg, part
from simcore.namespace import caller_namespace, lookup
from simcore.objects.base import CLOCK_NAMES, SECOND, as_seconds, check_name
from simcore.objects.group import Group, assignments
from simcore.objects.memory import check_fits
from simcore.objects.ordering import block_keys, delay_range, delay_steps, group_by, group_pointers, is_sorted, take
from simcore.objects.variables import (
    Variable,
    check_index,
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

# delays are int32 time steps in the propagation tables (and a ring of that many steps): at most this many
_MAX_DELAY_STEPS = 2**31 - 2
# stream numbers of connect() calls: far from those of the run loop's random call sites
_CONNECT_STREAM_BASE = 1 << 20


@dataclass
class _Pathway:
    """One pathway (``S.pre``, ``S.post`` or a named one): code run per synapse when the
    event of its source element arrives, after the pathway's delay."""

    name: str
    statements: Statements
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


class Synapses(Group):
    """Synapses between ``source`` and ``target`` (groups or subgroups), as in Brian 2."""

    base_name = "synapses"

    def __init__(self, source: Group, target: Group | None = None, model: str | Equations = "",
                 on_pre: str | dict | None = None, on_post: str | dict | None = None, pre=None, post=None,
                 connect=None, delay=None, on_event: str | dict = "spike", multisynaptic_index: str | None = None,
                 namespace: dict | None = None, dtype=None, method: str | tuple | None = None, dt=None, clock=None,
                 order: int = 0, name: str | None = None):
        target = source if target is None else target
        on_pre = _renamed_keyword(on_pre, pre, "pre", "on_pre")
        on_post = _renamed_keyword(on_post, post, "post", "on_post")
        equations = model if isinstance(model, Equations) else Equations(model)
        equations.check_flags("Synapses")
        super().__init__(0, equations, namespace, name=name, when="groups", order=order, dt=dt,
                         clock=clock if clock is not None or dt is not None else source.clock)
        self.source, self.target = source, target
        self.method = method
        self.multisynaptic_index = multisynaptic_index
        self._create_variables(equations, dtype)
        self._pathways: list[_Pathway] = []
        self._delay_versions: dict[str, int] = {}
        events = on_event if isinstance(on_event, dict) else {}
        default_event = on_event if isinstance(on_event, str) else "spike"
        for direction, code in (("pre", on_pre), ("post", on_post)):
            blocks = code if isinstance(code, dict) else ({direction: code} if code else {})
            for pathway, statements in blocks.items():
                self._add_pathway(pathway, statements, direction, events.get(pathway, default_event), delay)
        if isinstance(delay, dict) and set(delay) - {p.name for p in self._pathways}:
            unknown = sorted(set(delay) - {p.name for p in self._pathways})
            raise ModelError(f"delay given for unknown pathway(s) {unknown} of {self.where()}")
        self._connectivity_cache: dict[str, Any] = {}
        self._history: dict[str, dict[str, np.ndarray]] = {}
        self._frozen = True
        if connect is not None and connect is not False:
            warnings.warn("Synapses(..., connect=...) is deprecated in Brian 2; call S.connect(...) instead",
                          DeprecationWarning, stacklevel=2)
            if connect is True:
                self.connect()
            else:
                self.connect(condition=connect)

    # --- variables -----------------------------------------------------------------
    def _create_variables(self, equations: Equations, dtype) -> None:
        for equation in equations:
            if equation.kind is EquationKind.SUBEXPRESSION:
                continue
            kind = variable_dtype(equation.var_type, dtype)
            self.add_variable(equation.name, equation.dimension, kind, shared="shared" in equation.flags,
                              constant="constant" in equation.flags)
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
        for equation in equations:
            if "summed" in equation.flags:
                self._summed_target(equation)

    def _add_pathway(self, name: str, code: str, direction: str, event: str, delay) -> None:
        check_name(name, f"the name of a pathway of {self.where()}:")
        if name in self.variables or hasattr(type(self), name):
            raise ModelError(f"'{name}' cannot name a pathway of {self.where()}")
        trigger = self.source if direction == "pre" else self.target
        if event not in getattr(trigger.root, "events", {}):
            raise ModelError(f"{trigger.where()} has no event '{event}' to trigger the pathway '{name}' of "
                             f"{self.where()}" + (" (it has no threshold)" if event == "spike" else ""))
        statements = parse_statements(code)
        delay_variable = "delay" if name == "pre" else f"{name}_delay"
        value = delay.get(name) if isinstance(delay, dict) else (delay if name == "pre" else None)
        if value is None:
            self.add_variable(delay_variable, SECOND, np.float64)
            self._delay_versions[delay_variable] = 0
            self._freeze_delays(delay_variable)
        else:  # one delay for all synapses of the pathway, as a scalar, as in Brian 2
            seconds = as_seconds(value, f"the delay of pathway '{name}'")
            if not 0 <= seconds < np.inf:
                raise ModelError(f"the delay of pathway '{name}' of {self.where()} must be a finite time >= 0 "
                                 f"(such as 2*ms), not {value!s}")
            self.add_variable(delay_variable, SECOND, np.float64, shared=True, value=seconds)
        pathway = _Pathway(name, statements, direction, event, -1 if direction == "pre" else 1, delay_variable)
        self._pathways.append(pathway)
        for statement in statements:
            self._check_target(statement.target, statement, statements, f"the '{name}' pathway")

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

    def _summed_target(self, equation) -> None:
        name, side = equation.name.rsplit("_", 1)
        group = self.target if side == "post" else self.source
        if name not in group.variables:
            raise ModelError(f"the summed variable '{equation.name}' of {self.where()} needs a parameter '{name}' "
                             f"in {group.where()}")
        variable = group.variables[name]
        if name in group.root.equations.diff_eq_names or variable.read_only or variable.shared:
            raise ModelError(f"the summed variable '{equation.name}' of {self.where()} sets '{name}' of "
                             f"{group.where()}, which must be a parameter (declared as '{name} : unit')")
        if variable.dimension != equation.dimension:
            raise ModelError(f"the summed variable '{equation.name}' of {self.where()} has units of "
                             f"{equation.dimension} but '{name}' of {group.where()} has {variable.dimension}")

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
        return super()._own_name(name) or self._reference(name) is not None

    def _variable_values(self, expression) -> dict[str, Any]:
        values = super()._variable_values(expression)
        for name in expression.identifiers:
            if name not in values and self._reference(name) is not None:
                group, variable = self._reference(name)
                values[name] = self._neuron_values(name, group, variable)
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
        syntax (``j='k for k in range(i-3, i+4) if k != i'``), ``p=`` and ``n=`` (numbers or expressions)."""
        if condition is False:
            return
        if isinstance(condition, bool) or condition is None:
            condition = None
        if i is not None and not isinstance(i, str) or (j is not None and not isinstance(j, str)
                                                         and i is not None):
            self._connect_arrays(i, j, condition, p, n)
            return
        if isinstance(i, str):
            raise ModelError("connect(i='...') is not supported; give the generator for j= instead")
        if j is not None and not isinstance(j, str):
            raise ModelError("connect(j=array) needs i= too (or use a generator string for j=)")
        frame = caller_namespace()
        # the condition, and p and n where they are expressions, each parsed once
        parsed = {key: parse_expression(text) for key, text in (("condition", condition), ("p", p), ("n", n))
                  if isinstance(text, str)}
        generator = parse_generator(j) if j is not None else None
        names = set().union(*(e.identifiers for e in parsed.values()))
        if generator is not None:
            names |= set(generator.identifiers)
        values = self._connect_values(names - {generator.variable if generator else None}, namespace, frame)
        neuron_dims = self.dimensions() if any(isinstance(v, np.ndarray) for v in values.values()) else {}
        dims = {name: neuron_dims[name] if isinstance(value, np.ndarray) else get_dimensions(value)
                for name, value in values.items()}
        own = {"i": DIMENSIONLESS, "j": DIMENSIONLESS, "N_pre": DIMENSIONLESS, "N_post": DIMENSIONLESS}
        if generator is not None and generator.variable:
            own[generator.variable] = DIMENSIONLESS
        if "condition" in parsed:
            numbers = {name for name, value in values.items() if np.asarray(value).dtype != np.bool_}
            check_condition(parsed["condition"], f"the condition of connect() of {self.where()}",
                            numbers | set(own) - {None})
        for expression in parsed.values():
            check_expression(expression, own, dims, DIMENSIONLESS, where=f"connect() of {self.where()}")
        plain = {name: (value if isinstance(value, np.ndarray) else float(to_si(value)[0]))
                 for name, value in values.items()}
        request = ConnectRequest(
            self.source.N, self.target.N,
            condition=parsed["condition"].expr if "condition" in parsed else None,
            p=parsed["p"].expr if "p" in parsed else _probability(p),
            n=parsed["n"].expr if "n" in parsed else _count(n),
            generator=generator, skip_if_invalid=skip_if_invalid)
        stream = _CONNECT_STREAM_BASE + 16 * connect_call()
        pre, post = connect_pairs(request, plain, current_seed(), stream, load_module, reserve=self._reserve,
                                  device=get_device())
        self._append(pre, post)

    def _connect_values(self, names: set[str], namespace: dict | None, frame: dict) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for name in names:
            if name in ("i", "j", "N_pre", "N_post", None):
                continue
            resolved = None
            for suffix, group in (("_pre", self.source), ("_post", self.target)):
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

    def _connect_arrays(self, i, j, condition, p, n) -> None:
        if condition is not None or p != 1.0 or n != 1:
            raise ModelError("connect(i=..., j=...) with index arrays cannot be combined with condition, p or n")
        pre = np.atleast_1d(np.asarray(i))
        post = np.atleast_1d(np.asarray(j))
        if pre.shape != post.shape:
            if pre.size == 1:
                pre = np.full(post.shape, pre[0])
            elif post.size == 1:
                post = np.full(pre.shape, post[0])
            else:
                raise ModelError(f"connect(i=, j=): i has {pre.size} and j has {post.size} entries")
        pre = check_index(pre.ravel(), self.source.N, f"the presynaptic indices of {self.where()}")
        post = check_index(post.ravel(), self.target.N, f"the postsynaptic indices of {self.where()}")
        # negative indices count from the end, as in numpy (no copy when there are none)
        pre = np.where(pre < 0, pre + self.source.N, pre) if pre.size and pre.min() < 0 else pre
        post = np.where(post < 0, post + self.target.N, post) if post.size and post.min() < 0 else post
        self._reserve(len(pre))
        self._append(pre, post)

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
        self._connectivity_cache.pop("csr", None)
        self._connectivity_cache.pop("by", None)

    # --- indexing ----------------------------------------------------------------------
    def indices_for(self, key):
        """Synapse indices for ``S.w[k]``, ``S.w[i, j]`` (ints, slices, arrays), ``S.w[i, j, n]`` or a condition."""
        if isinstance(key, tuple):
            if len(key) not in (2, 3):
                raise ModelError(f"index synapses with [i, j] or [i, j, n], not {key!r}")
            mask = np.ones(self.N, dtype=bool)
            columns = [self.variables["i"].array, self.variables["j"].array]
            sizes = [self.source.N, self.target.N]
            if len(key) == 3:
                if self.multisynaptic_index is None:
                    raise ModelError("S[i, j, n] needs Synapses(..., multisynaptic_index='name')")
                columns.append(self.variables[self.multisynaptic_index].array)
                sizes.append(np.iinfo(np.int32).max)
            for part, column, size in zip(key, columns, sizes, strict=True):
                mask &= _matches(part, column, size)
            return np.flatnonzero(mask)
        return super().indices_for(key)

    def __getattr__(self, name: str):
        for pathway in self.__dict__.get("_pathways", ()):
            if pathway.name == name:
                return PathwayView(self, pathway)
        return super().__getattr__(name)

    def set_values(self, name: str, value, key) -> None:
        if name in ("i", "j", "N", "N_pre", "N_post", "N_incoming", "N_outgoing"):
            raise ModelError(f"'{name}' of {self.where()} is read-only")
        with self._writing(name):
            if self.variables[name].shared and not isinstance(value, str):
                variable, what = self.variables[name], f"'{name}' of {self.where()}"
                variable.array[0] = stored_values(variable, si_values(value, variable.dimension, what), what)
            else:
                super().set_values(name, value, key)

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
        for statements in [pathway.statements for pathway in self._pathways] + self._regular_statements():
            names |= statements.identifiers | statements.functions
        own = set(self.variables) | set(self.equations.names) | set(CLOCK_NAMES)
        return {n for n in names if n not in own and self._reference(n) is None and not n.startswith("xi")}

    def check_units(self, external_dims: dict[str, Any]) -> None:
        own = self.dimensions()
        self.equations.check_units(external_dims, builtins=own)
        for pathway in self._pathways:
            check_statements(pathway.statements, own, external_dims,
                             where=f"the '{pathway.name}' pathway of {self.where()}")
        self._check_regular_units(own, external_dims)

    def operations(self, resolve) -> list[Operation]:
        ops = []
        if self.N == 0:
            return ops
        clock_driven = Equations([eq for eq in self.equations if "event-driven" not in eq.flags
                                  and "summed" not in eq.flags])
        if clock_driven.diff_eq_names:
            update = integrate(clock_driven, self.method, owner=self.name)
            resolve(self, (), matrices=update.run_constants)
            ops.append(Operation(function_name(self.name, "stateupdater"), "state_update", self.name, "groups",
                                 self.order, 0, self.creation_order, code=self._code(update.statements, resolve),
                                 comment=f"{update.method}: {update.description}"))
        ops += self._regular_operations(resolve)
        for equation in self.equations:
            if "summed" in equation.flags:
                ops.append(self._summed_operation(equation, resolve))
        event_driven = self._event_driven_statements()
        for pathway in self._pathways:
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
        details = (("source", trigger.root.name), ("event", pathway.event),
                   ("range", (trigger.offset, trigger.offset + trigger.N)),
                   ("whole_source", trigger.root is trigger),
                   ("prefix", f"_{internal_arg(self.name, 'pathway', part(pathway.name))}"),
                   ("delays", csr["mode"]), ("slots", csr["slots"]), ("steps", csr["steps"]),
                   ("indirect", indirect), ("blocks", blocks), ("sources", trigger.N), ("source_size", trigger.root.N))
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
        variable = group.root.variables[name]
        target = ArrayRef(group.root.name, name, str(variable.array.dtype), False)
        code = self._code((Assignment("_summed", equation.expr, f"{equation.name} = {equation.expression.text} "
                                      "(summed)"),), resolve)
        self._by_element(side)
        details = (("target", target), ("range", (group.offset, group.offset + group.N)),
                   ("prefix", f"_{internal_arg(self.name, 'by', side)}"))
        return Operation(function_name(self.name, "summed", part(name)), "summed_variable", self.name, "groups",
                         group.root.order - 1, 0, self.creation_order, code=code, details=details,
                         comment=f"summed variable {equation.name}")

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
        return tuple(eq for eq in self.equations.ordered_subexpressions() if "summed" not in eq.flags)

    def _array_ref(self, name: str, written: bool = False) -> ArrayRef:
        group, variable = self._reference(name)
        if isinstance(variable, _PerNeuron):
            return ArrayRef(self.name, name, "int32", index=array_arg(self.name, variable.through.name))
        if group is self:
            return ArrayRef(self.name, name, str(variable.array.dtype), variable.shared)
        # a neuron variable: its own name (v for v_post), read through i or j
        dtype = str(variable.array.dtype)
        if variable.shared:
            return ArrayRef(group.root.name, variable.name, dtype, True, local=name)
        return ArrayRef(group.root.name, variable.name, dtype, False, local=name,
                        index=array_arg(self.name, self._neuron_index(name, group)), offset=group.offset)

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
        """The ring of past events (``slots`` steps); events in flight are kept when the slot count changes."""
        if csr["mode"] == "none":
            return
        size = self._group_of(pathway.trigger_index).N
        old = self._history.get(pathway.name)
        slots = csr["slots"]
        if old is not None and len(old["start"]) == slots:
            return
        step = int(round(self.network_time / self.dt_))
        past: list[tuple[int, np.ndarray]] = []
        if old is not None:
            old_slots = len(old["start"])
            for back in range(1, min(old_slots, slots)):
                past.append((step - back, _slot_events(old, (step - back) % old_slots)))
        check_fits(16 * slots, f"the spikes in flight of the '{pathway.name}' pathway of {self.where()} (a ring of "
                   f"{slots} time steps, its longest delay)")
        history = _empty_history(max(1024, 2 * size, sum(len(e) for _, e in past) + size), slots)
        for when, elements in reversed(past):
            self._history_append(history, when % slots, elements)
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
            bigger = _empty_history(2 * len(history["ring"]), len(history["start"]))
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
        stored = stored_keys(stored, ("ring", "start", "count", "head"), what)
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
        types = {key: array.dtype for key, array in _empty_history(1, 1).items()}
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


def _empty_history(capacity: int, slots: int) -> dict[str, np.ndarray]:
    """A ring for the events of ``slots`` steps: element numbers, and per step slot its start and count."""
    return {"ring": np.zeros(capacity, dtype=np.int32), "start": np.zeros(slots, dtype=np.int64),
            "count": np.zeros(slots, dtype=np.int64), "head": np.zeros(1, dtype=np.int64)}


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
    values = np.atleast_1d(np.asarray(part))
    if not np.issubdtype(values.dtype, np.integer):
        raise ModelError(f"synapse indices must be integers or slices, not {part!r}")
    return np.isin(column, values)


def _probability(p) -> float:
    if not get_dimensions(p).is_dimensionless:
        raise ModelError(f"connect(p={p!s}): a probability has no unit")
    value = float(p)
    if not 0 <= value <= 1:
        raise ModelError(f"connect(p={p!r}): a probability must be between 0 and 1")
    return value


def _count(n) -> int:
    if int(n) != n or n < 0:
        raise ModelError(f"connect(n={n!r}): the number of synapses per pair must be a whole number >= 0")
    return int(n)


def _renamed_keyword(new, old, old_name: str, new_name: str):
    if old is None:
        return new
    if new is not None:
        raise ModelError(f"give either {new_name}= or the older {old_name}=, not both")
    warnings.warn(f"Synapses({old_name}=...) is deprecated in Brian 2; use {new_name}=", DeprecationWarning,
                  stacklevel=3)
    return old
