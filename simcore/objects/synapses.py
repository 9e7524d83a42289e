"""Synapses: connections between two groups, their variables and equations, and the
pathways that act on them when a presynaptic (or postsynaptic) event arrives."""

from __future__ import annotations

from contextlib import contextmanager
from functools import partial
from typing import Any

import numpy as np

from simcore.connect.request import check_connections, ranks
from simcore.display import integration_text
from simcore.equations import Equations, check_statements, declare_temporaries, parse_statements
from simcore.equations.model import EquationKind
from simcore.errors import ModelError, ModelTypeError, ModelValueError, UnknownNameError
from simcore.ir import Operation, StateUpdate
from simcore.objects.base import CLOCK_NAMES, SECOND, check_name
from simcore.objects.group import Group
from simcore.objects.memory import check_fits
from simcore.objects.ordering import group_pointers
from simcore.objects.spatial_views import element_numbers
from simcore.objects.synapse_checks import (
    check_event_driven_dependencies,
    check_link,
    check_names,
    check_shared_subexpression,
    check_summed_target,
    pathway_delay,
    renamed_keyword,
)
from simcore.objects.synapse_connect import new_pairs
from simcore.objects.synapse_lowering import (
    SummedUpdater,
    check_connected,
    clock_driven_update,
    event_operations,
    state_update_operations,
)
from simcore.objects.synapse_names import PerNeuron, SynapseNames
from simcore.objects.synapse_views import (
    NeuronVariableView,
    Pathway,
    PathwayView,
    SynapseIndices,
    SynapticSubgroup,
    check_synapse_numbers,
    pair_indices,
)
from simcore.objects.variables import LinkedVariable, si_values, stored_values, variable_dtype
from simcore.output.snapshot import stored_array, stored_integer, stored_keys
from simcore.runtime.synapse_tables import SynapseTables
from simcore.units.dimension import DIMENSIONLESS


class Synapses(SynapseNames, Group):
    """Synapses between ``source`` and ``target`` (groups or subgroups), as in Brian 2. How its code names the
    neurons' variables: ``SynapseNames``; its lowering: ``synapse_lowering``; its tables and rings of spikes in
    flight: ``runtime.synapse_tables``."""

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
        on_pre = renamed_keyword(on_pre, pre, "pre", "on_pre")
        on_post = renamed_keyword(on_post, post, "post", "on_post")
        equations = model if isinstance(model, Equations) else Equations(model)
        equations.check_flags("Synapses")
        check_names(equations, source, source if target is None else target)
        super().__init__(0, equations, namespace, name=name, when="groups", order=order, dt=dt,
                         clock=clock if clock is not None or dt is not None else source.clock)
        self.source, self.target = source, target
        self.method = method
        self.method_options = method_options
        self.multisynaptic_index = multisynaptic_index
        self._create_variables(equations, dtype)
        self.summed_updaters = {eq.name: SummedUpdater() for eq in equations if "summed" in eq.flags}
        self._pathways: list[Pathway] = []
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
        self._tables = SynapseTables(self, self._pathways, self._delay_versions)
        self._connected = False
        self._state_update: StateUpdate | None = None
        self._frozen = True

    # --- variables -----------------------------------------------------------------
    def _create_variables(self, equations: Equations, dtype) -> None:
        check_event_driven_dependencies(self, equations)
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
            self.variables[name] = PerNeuron(name, DIMENSIONLESS, np.zeros(group.N, dtype=np.int32),
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
                check_summed_target(self, equation, summed)
            if equation.kind is EquationKind.SUBEXPRESSION and "shared" in equation.flags:
                check_shared_subexpression(self, equation, self._reference)

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
            self.add_variable(delay_variable, SECOND, np.float64, shared=True,
                              value=pathway_delay(value, f"the delay of pathway '{name}'", self.where()))
        pathway = Pathway(name, statements, direction, event, -1 if direction == "pre" else 1, delay_variable)
        self._pathways.append(pathway)
        for statement in statements or ():  # names that are nothing yet are refused at run (as in Brian 2)
            if statement.target not in statements.temporaries and self._reference(statement.target) is not None:
                self._check_target(statement.target, statement, statements, f"the '{name}' pathway")

    # --- connecting ------------------------------------------------------------------
    def connect(self, condition: str | bool | None = None, i=None, j=None, p=1.0, n=1,
                skip_if_invalid: bool = False, namespace: dict | None = None) -> None:
        """Create synapses: all-to-all, ``condition='i != j'``, ``i=``/``j=`` arrays, ``j='i'``, generator
        syntax (``j='k for k in range(i-3, i+4) if k != i'``, or over sources: ``i='j + k for k in ...'``),
        ``p=`` (above 1: certain) and ``n=`` (numbers or expressions)."""
        self._connected = True
        i, j = element_numbers(self.source, i), element_numbers(self.target, j)  # compartments, subgroups
        pairs = new_pairs(self, condition, i, j, p, n, skip_if_invalid, namespace, self._reserve, self._subexpressions)
        if pairs is not None:
            self._append(*pairs)

    def _reserve(self, count: int) -> None:
        """Refuse ``count`` more synapses if their arrays (and the copies made while growing) cannot fit."""
        per_synapse = sum(v.array.itemsize for v in self.variables.values() if not v.shared
                          and not isinstance(v, PerNeuron))
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
            self.variables[self.multisynaptic_index].array = ranks(pre_all, post_all, self.target.N)
        self._follow_link_indices()
        self._tables.forget()

    # --- indexing ----------------------------------------------------------------------
    def indices_for(self, key):
        """Synapse indices for ``S.w[k]``, ``S.w[i, j]`` (ints, slices, arrays), ``S.w[i, j, n]``, a condition or a
        ``SynapticSubgroup``."""
        if isinstance(key, SynapticSubgroup):
            return key.synapse_indices
        if isinstance(key, tuple):
            return pair_indices(self, key)
        if not isinstance(key, str | slice):
            check_synapse_numbers(self, key)
        return super().indices_for(key)

    def link(self, name: str, link: LinkedVariable) -> None:
        """A '(linked)' synaptic parameter reads one value (a shared variable, or a one-element group), or, with
        ``index='k'``, element ``k`` of each synapse (an integer synaptic variable): the number of synapses changes,
        so an index array cannot say which element each synapse reads."""
        check_link(self, name, link)
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

    _noun = "synapses"

    def _model_facts(self) -> list[tuple[str, Any]]:
        """For a notebook summary: the groups connected, the pathways, and how the equations are integrated."""
        facts = [("connects", f"{self.source.name} \u2192 {self.target.name}")]
        if self._pathways:
            facts.append(("pathways", ", ".join(f"{p.name} (on {p.event} of the {p.direction}synaptic group)"
                                                for p in self._pathways)))
        if any("event-driven" not in eq.flags for eq in self.equations if eq.kind is EquationKind.DIFFERENTIAL):
            facts.append(("integration", integration_text(self._state_update, self.method)))
        return facts

    def state_update(self) -> StateUpdate | None:
        """The update of the clock-driven differential equations (None without any), integrated once, as a
        NeuronGroup's."""
        if self._state_update is None:
            self._state_update = clock_driven_update(self)
        return self._state_update

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
        """The operations that run these synapses, in this order: their clock-driven state update, run_regularly
        code, summed variables and pathways (none without synapses; refused if connect() was never called)."""
        check_connected(self, self._connected)
        if self.N == 0:
            return []
        element_code = partial(self._code, resolve=resolve)
        return [*state_update_operations(self, element_code, resolve), *self._regular_operations(resolve),
                *event_operations(self, element_code, self._pathways, self._tables)]

    # --- runtime state: the tables and rings (``SynapseTables``) ------------------------------
    def grow(self) -> None:
        self._tables.grow()

    def kernel_arrays(self) -> dict:
        return {**super().kernel_arrays(), **self._tables.kernel_arrays()}

    def state(self) -> dict:
        return {"variables": {name: v.array.copy() for name, v in self.variables.items()}, "N": self.N,
                "history": self._tables.stored_rings()}

    def check_state(self, state: Any) -> None:
        """Refuse a stored state (read from a file: data) that would not be these synapses' own: every array of
        its shape and type; the connections as connect() leaves them (``check_connections``); delays finite and
        >= 0; the rings of spikes in flight consistent (elements of the triggering group, slots within the ring)."""
        state = stored_keys(state, ("variables", "N", "history"), "the stored state")
        count = stored_integer(state["N"], "'N' (the number of synapses)", 0, np.iinfo(np.int64).max)
        stored = stored_keys(state["variables"], self.variables, "the variables", " (another model?)")
        arrays = {}
        for name, variable in self.variables.items():
            shape = variable.array.shape if variable.shared or isinstance(variable, PerNeuron) else (count,)
            arrays[name] = stored_array(stored[name], variable.array.dtype, shape, f"'{name}'")
        check_connections(arrays, count, (self.source.name, self.source.N), (self.target.name, self.target.N),
                          self.multisynaptic_index)
        for name in {pathway.delay_variable for pathway in self._pathways}:
            delays = arrays[name]
            bad = np.flatnonzero(~(np.isfinite(delays) & (delays >= 0)))
            if bad.size:
                raise ModelError(f"'{name}' must be finite and >= 0; the stored element {bad[0]} is {delays[bad[0]]}")
        self._tables.check_rings(state["history"])

    def restore_state(self, state: dict) -> None:
        """Take a state that ``check_state`` accepted."""
        object.__setattr__(self, "N", int(state["N"]))
        for name, array in state["variables"].items():
            self.variables[name].array = np.asarray(array).astype(self.variables[name].array.dtype)
            if name in self._delay_versions:
                self._freeze_delays(name)
        self._follow_link_indices()
        self._tables.restore(state["history"])
