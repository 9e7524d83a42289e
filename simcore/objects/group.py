"""What groups share: variables by attribute, values set from numbers, quantities or strings, indices from
slices, arrays or conditions, and subgroups. Lowering to kernels: ``group_code``; links: ``group_links``;
evaluating strings: ``evaluation``."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np

from simcore.display import Html, html_summary, html_table, html_text
from simcore.equations import Equations, parse_expression
from simcore.equations.evaluate import Draws
from simcore.equations.kinds import kind_of_value
from simcore.equations.parser import check_condition
from simcore.errors import ModelIndexError, ModelKeyError, ModelTypeError, ModelValueError
from simcore.kernels.scalar import timestep
from simcore.namespace import caller_namespace
from simcore.objects.base import CLOCK_NAMES, SECOND, SimObject, before_assignment
from simcore.objects.evaluation import evaluate_checked, namespace_values
from simcore.objects.group_code import GroupCode, assignments, shared_first
from simcore.objects.group_links import link_variable
from simcore.objects.tables import one_row_each, table_format
from simcore.objects.variable_views import LinkedVariable, VariableView, raw_values, si_values, with_unit
from simcore.objects.variables import Variable, check_index, stored_values
from simcore.output.snapshot import same_values, stored_array, stored_keys
from simcore.seeding import DrawOwner
from simcore.units import get_unit
from simcore.units.dimension import DIMENSIONLESS, Dimension

__all__ = ["Group", "GroupIndices", "assignments", "evaluate_checked", "namespace_values", "shared_first"]


class Group(GroupCode, SimObject):
    """A set of N elements with variables (neurons; synapses later)."""

    def __init__(self, N: int, equations: Equations, namespace: dict | None, **kwargs):
        object.__setattr__(self, "variables", {})
        super().__init__(**kwargs)
        self.N = int(N)
        self.equations = equations
        self.namespace = namespace
        self._regular: list[tuple] = []  # (statements, dt, when, order, name, first element, count or None: all)
        if self.root is self:  # a subgroup draws as its group does
            asked = kwargs.get("name")
            self._draw_owner = DrawOwner(self.base_name if asked is None else asked.removesuffix("*"))

    # --- attribute access ---------------------------------------------------------
    def __getattr__(self, name: str):
        variables = self.__dict__.get("variables", {})
        if name in variables:
            return VariableView(self, name)
        if name.endswith("_") and name[:-1] in variables:
            variable = variables[name[:-1]]
            if variable.link is not None or variable.view_of is not None:
                return variable.values()
            return variable.array[0] if variable.shared else raw_values(self, variable.array)
        equations = self.__dict__.get("equations")
        if equations is not None and name in equations.subexpr_names:
            return VariableView(self, name)
        if equations is not None and name.endswith("_") and name[:-1] in equations.subexpr_names:
            return self.subexpression_values(name[:-1])  # as Brian 2: the values in SI units, without them
        raise AttributeError(f"{type(self).__name__} '{self.__dict__.get('name')}' has no variable '{name}'")

    def __setattr__(self, name: str, value) -> None:
        variables = self.__dict__.get("variables", {})
        if name in variables:
            self.set_values(name, value, slice(None))
        elif name.endswith("_") and name[:-1] in variables:
            self._set_raw(name[:-1], value)
        elif self.__dict__.get("_frozen") and name in self.equations.subexpr_names:
            raise ModelTypeError(f"cannot set '{name}' of {self.where()}: it is a subexpression, computed from "
                                 f"the model's variables ('{self.equations[name].expression.text}')")
        elif (not self.__dict__.get("_frozen") or name in self.__dict__ or name.startswith("_")
              or hasattr(type(self), name)):
            object.__setattr__(self, name, value)
        else:
            raise AttributeError(f"cannot set '{name}': {type(self).__name__} '{self.name}' has no such variable")

    def __len__(self) -> int:
        return self.N

    # --- how a notebook shows it ------------------------------------------------------
    _noun = "elements"  #: what its elements are called in a summary ('neurons', 'synapses')

    def _repr_html_(self) -> str:
        """How Jupyter shows a group: kind, name, size, how it integrates, its variables with units, its model."""
        sections = [("Variables", html_table(("name", "unit", "type", "notes"), self._variable_rows()))]
        if len(self.equations):
            sections.append(("Model", html_text(str(self.equations))))
        return html_summary(type(self).__name__, self.name, [("size", f"{self.N} {self._noun}"),
                                                             *self._model_facts(), *self._summary_facts()], sections)

    def _model_facts(self) -> list[tuple[str, Any]]:
        """What a summary says of the model besides its equations (threshold, pathways, ...)."""
        return []

    def _variable_rows(self) -> list[tuple]:
        """(name, unit, type, notes) of each variable (stored ones, then subexpressions) for a summary."""
        rows = []
        for name, variable in self.variables.items():
            if not name.startswith("_"):
                notes = [note for note, flag in (("shared", variable.shared), ("constant", variable.constant),
                                                 ("read-only", variable.read_only), ("linked", variable.linked))
                         if flag]
                rows.append((name, Html(get_unit(variable.dimension)._repr_html_()), variable.dtype.name,
                             ", ".join(notes)))
        for name in self.equations.subexpr_names:
            rows.append((name, Html(get_unit(self.equations[name].dimension)._repr_html_()), "",
                         "subexpression"))
        return rows

    def _set_raw(self, name: str, value) -> None:
        """``G.v_ = values``: SI numbers, no unit check."""
        variable = self.variables[name]
        self._check_settable(name, variable)
        if isinstance(value, str):
            with self._assignment():
                value = self.raw_expression_values(value)[: 1 if variable.shared else None]
        variable.array[:] = self._sized(name, variable, np.asarray(value))

    @contextmanager
    def _assignment(self) -> Iterator[None]:
        """Within it, expressions draw as parts of one assignment (see ``simcore.seeding.DrawOwner``)."""
        previous = self.__dict__.get("_assigning")
        self._assigning = self.root._draw_owner.assignment()
        try:
            yield
        finally:
            self._assigning = previous

    def _draws(self, part: str) -> Draws:
        """The draws of ``part`` ('value', 'index', ...) of the assignment under way, or else of an evaluation of
        its own."""
        assignment = self.__dict__.get("_assigning") or self.root._draw_owner.assignment()
        return Draws(lambda: assignment.key(part), self.offset)

    def raw_expression_values(self, text: str) -> np.ndarray:
        """``G.v_ = 'i'``: an expression's SI values for every element, not checked against a unit (as in Brian 2)."""
        return np.broadcast_to(self._evaluate(parse_expression(text), caller_namespace()), (self.N,))

    def _check_settable(self, name: str, variable: Variable) -> None:
        if variable.linked:
            raise ModelTypeError(f"'{name}' of {self.where()} is a linked variable: it reads another group's "
                                 "variable and cannot be set")
        if variable.read_only:
            raise ModelTypeError(f"'{name}' of {self.where()} is read-only")

    def _sized(self, name: str, variable: Variable, values: np.ndarray, count: int | None = None) -> np.ndarray:
        """``values`` if they fit ``count`` elements (default: all) of ``variable``: one value, or one each."""
        count = (1 if variable.shared else self.N) if count is None else count
        if values.ndim > 1 or values.ndim == 1 and values.size not in (1, count):
            raise ModelValueError(f"cannot set '{name}' of {self.where()}: {values.size} values given for "
                                  f"{count} element{'s' if count != 1 else ''} (give one value, or one for each)")
        return values

    @property
    def indices(self) -> GroupIndices | VariableView:
        """``G.indices[key]``: the element numbers an int, slice, array or condition string selects (a model
        variable named 'indices' comes first)."""
        if "indices" in self.variables:
            return VariableView(self, "indices")
        return GroupIndices(self)

    def subexpression_values(self, name: str):
        """A subexpression's current values (SI), one per element, or one value if it is shared."""
        self.readable_subexpression(name)
        values = self._evaluate(self.equations[name].expression, caller_namespace())
        return values[0] if "shared" in self.equations[name].flags else values

    @property
    def root(self) -> Group:
        return self

    @property
    def offset(self) -> int:
        return 0

    # --- values -------------------------------------------------------------------
    def add_variable(self, name: str, dimension: Dimension, dtype, shared=False, read_only=False,
                     constant=False, value=0) -> Variable:
        array = np.full(1 if shared else self.N, value, dtype=dtype)
        variable = Variable(name, dimension, array, shared, read_only, constant)
        self.variables[name] = variable
        return variable

    def dimensions(self) -> dict[str, Dimension]:
        dims = {name: v.dimension for name, v in self.variables.items()}
        dims.update(self.equations.dimensions)
        dims.update({"t": SECOND, "dt": SECOND, "t_in_timesteps": DIMENSIONLESS})
        return dims

    def _external(self, expression, frame) -> dict[str, Any]:
        return namespace_values(expression, self._own_name, self.namespace, frame,
                                f"'{expression.text}' for {self.where()}")

    def _own_name(self, name: str) -> bool:
        """Whether strings of this group know ``name`` without looking in a namespace."""
        return name in self.variables or name in self.equations or name in CLOCK_NAMES

    def _evaluate(self, expression, frame, expected: Dimension | None = None, where: str = "",
                  part: str = "value") -> np.ndarray:
        """An expression over all elements, with numpy (outside the run loop), units checked; its draws are
        ``part`` of the assignment under way."""
        return evaluate_checked(expression, self.dimensions(), self._variable_values(expression), self._own_kind,
                                self._external(expression, frame), self.N, expected,
                                where or f"'{expression.text}' for {self.where()}", self._draws(part))

    def _own_kind(self, name: str) -> str | None:
        """Whether the group's ``name`` is a boolean, integer or float value (None: not known), for declared
        argument types."""
        if name in self.variables:
            return kind_of_value(self.variables[name].array.dtype)
        if name in CLOCK_NAMES:
            return "integer" if name == "t_in_timesteps" else "float"
        return None

    def _variable_values(self, expression) -> dict[str, Any]:
        values = {"t": self.network_time, "dt": self.dt_,
                  "t_in_timesteps": int(timestep(self.network_time, self.dt_))}  # as kernels compute it
        for name in expression.identifiers:
            if name in self.variables:
                values[name] = self.variables[name].values()
            elif name in self.equations.subexpr_names:
                values[name] = self._evaluate(self.equations[name].expression, caller_namespace(),
                                              part=f"subexpression {name}")
        return values

    def indices_for(self, key) -> np.ndarray | slice:
        """Element indices for an int, slice, index array, boolean mask or condition string."""
        if isinstance(key, tuple):
            raise ModelIndexError(f"{self.where()} has one dimension: index it with one int, slice, index array or "
                                  f"condition string, not {key!r}")
        if key is None:
            raise ModelTypeError(f"None is no index for {self.where()} (numpy would read it as a new axis): give an "
                                 "int, slice, index array or condition string")
        if isinstance(key, str):
            numbers = {n for n, v in self.variables.items() if v.var_type != "boolean"} | set(CLOCK_NAMES)
            expression = check_condition(parse_expression(key), f"the index '{key}' of {self.where()}", numbers)
            mask = np.asarray(self._evaluate(expression, caller_namespace(), DIMENSIONLESS,
                                             f"the index '{key}' of {self.where()}", "index"), dtype=bool)
            return np.flatnonzero(mask)
        if isinstance(key, slice):
            return key
        if isinstance(key, Group):
            return self._member_indices(key)
        return check_index(np.asarray(key), self.N, f"{self.where()}")

    def _member_indices(self, group: Group) -> np.ndarray:
        """The indices of a subgroup's elements among this group's: ``G.v[SG] = ...``."""
        first = group.offset - self.offset
        if group.root is not self.root or first < 0 or first + group.N > self.N:
            raise ModelIndexError(f"{group.where()} is not part of {self.where()}: only its own subgroups can "
                                  "index a group")
        return np.arange(first, first + group.N)

    def link(self, name: str, link: LinkedVariable) -> None:
        """Make the '(linked)' parameter ``name`` read ``link``'s variable or subexpression (through an index array,
        or an integer variable of this group named by ``link.index``)."""
        link_variable(self, name, link)

    def set_values(self, name: str, value, key) -> None:
        if name not in self.variables and name in self.equations.subexpr_names:
            raise ModelTypeError(f"cannot set '{name}' of {self.where()}: it is a subexpression, computed from "
                                 f"the model's variables ('{self.equations[name].expression.text}')")
        variable = self.variables[name]
        if isinstance(value, LinkedVariable):
            self.link(name, value)
            return
        self._check_settable(name, variable)
        for check in before_assignment:
            check(f"'{name}' of {self.where()}")
        with self._assignment():  # an index condition and the value draw as parts of one assignment
            indices = self._shared_key(name, key) if variable.shared else self.indices_for(key)
            if isinstance(value, str):
                result = self._evaluate(parse_expression(value), caller_namespace(), variable.dimension,
                                        f"the value for '{name}' of {self.where()}")
                variable.array[indices] = stored_values(variable, result[0] if variable.shared else result[indices],
                                                        f"'{name}' of {self.where()}")
                return
        count = len(range(self.N)[indices]) if isinstance(indices, slice) else np.size(indices)
        if isinstance(value, range | map | filter) or type(value).__name__ == "generator":
            value = list(value)
        values = self._sized(name, variable, si_values(value, variable.dimension, f"'{name}' of {self.where()}"),
                             1 if variable.shared else count)
        variable.array[indices] = stored_values(variable, values, f"'{name}' of {self.where()}")

    def _shared_key(self, name: str, key) -> slice:
        """A shared variable holds one value: ``G.x[:]`` (all) is its only index, as in Brian 2."""
        if not (isinstance(key, slice) and key == slice(None)):
            raise ModelIndexError(f"'{name}' of {self.where()} is shared (one value for all elements): index it "
                                  f"with [:] only, not [{key!r}]")
        return slice(None)

    def state(self) -> dict:
        return {name: variable.array.copy() for name, variable in self.variables.items()}

    def check_state(self, state: Any) -> None:
        """Refuse a stored state (read from a file: data) that these variables cannot take exactly as it is: the
        same variables, shapes, and values their types hold; ``i`` and ``N`` as they are."""
        state = stored_keys(state, self.variables, "the variables", " (another model?)")
        for name, variable in self.variables.items():
            values = stored_array(state[name], variable.array.dtype, variable.array.shape, f"'{name}'")
            if name in ("i", "N") and variable.read_only:
                same_values(values, variable.array, f"'{name}'")

    def restore_state(self, state: dict) -> None:
        """Take a state that ``check_state`` accepted."""
        for name, array in state.items():
            self.variables[name].array[...] = np.asarray(array).astype(self.variables[name].array.dtype)

    def get_states(self, vars=None, units: bool = True, format: str = "dict", subexpressions: bool = False,
                   read_only_variables: bool = True) -> Any:
        """Copies of the values of ``vars`` (default: every variable, the clock's ``t``, ``dt`` and
        ``t_in_timesteps``, and with ``subexpressions`` the subexpressions), by name: a dict, or with
        ``format='pandas'`` a DataFrame of one row per element (values in SI units: ``units=False``; single values
        such as ``N`` and ``t`` repeated in every row), as Brian 2 gives them."""
        pandas = table_format(format, units, "get_states")
        if vars is None:
            names = [n for n, v in self.variables.items() if not n.startswith("_")
                     and (read_only_variables or not v.read_only)]
            names += [*CLOCK_NAMES] if read_only_variables else []
            names += list(self.equations.subexpr_names) if subexpressions else []
        else:
            names = [vars] if isinstance(vars, str) else list(vars)
        out = {}
        for name in names:
            if name in CLOCK_NAMES:
                values = {"t": self.network_time, "dt": self.dt_,
                          "t_in_timesteps": int(timestep(self.network_time, self.dt_))}[name]
                dimension = DIMENSIONLESS if name == "t_in_timesteps" else SECOND
            elif name in self.variables or name in self.equations.subexpr_names:
                view = VariableView(self, name)
                values, dimension = np.copy(view._values()), view.dimensions
            else:
                raise ModelKeyError(f"{self.where()} has no variable '{name}'")
            out[name] = with_unit(values, dimension) if units else values
        if pandas is None:
            return out
        return one_row_each(pandas, out, self.N, f"get_states of {self.where()}")

    def set_states(self, values: Any, units: bool = True, format: str = "dict") -> None:
        """Set variables from a dict of values (with ``units=False``, SI numbers without units), or with
        ``format='pandas'`` from a DataFrame's columns (SI numbers: ``units=False``)."""
        if table_format(format, units, "set_states") is not None:
            values = {name: values[name].to_numpy() for name in values.columns}
        for name, value in values.items():
            if name not in self.variables:
                raise ModelKeyError(f"{self.where()} has no variable '{name}' to set")
            if units:
                self.set_values(name, value, slice(None))
            else:
                self._set_raw(name, value)


class GroupIndices:
    """What ``G.indices`` is: ``G.indices[key]`` gives the element numbers ``key`` selects."""

    def __init__(self, group: Group):
        self.group = group

    def __getitem__(self, key) -> np.ndarray:
        return np.arange(self.group.N)[self.group.indices_for(key)]

