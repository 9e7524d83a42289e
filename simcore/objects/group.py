"""What groups share: variables by attribute, values set from numbers, quantities or
strings, indices from slices, arrays or conditions, and subgroups."""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import numpy as np
import sympy

from simcore.codegen.numpy_eval import evaluate
from simcore.codegen.runtime import _timestep_py
from simcore.equations import (
    Equations,
    Statements,
    check_expression,
    check_statements,
    declare_temporaries,
    parse_expression,
    parse_statements,
)
from simcore.equations.kinds import check_declared_types, kind_of_value
from simcore.equations.model import is_noise
from simcore.equations.parser import check_condition, symbol
from simcore.equations.user_functions import (
    is_user_function,
    kernel_calls,
    kernel_parameters,
    user_function_names,
)
from simcore.errors import (
    ModelError,
    ModelIndexError,
    ModelKeyError,
    ModelNotImplementedError,
    ModelTypeError,
    ModelValueError,
    UnknownNameError,
)
from simcore.ir import (
    ArrayRef,
    Assignment,
    ElementCode,
    Operation,
    RegularDetails,
    array_arg,
    event_arrays,
    function_name,
    internal_arg,
    part,
)
from simcore.namespace import caller_namespace, lookup
from simcore.objects.base import CLOCK_NAMES, EventClock, SimObject, as_time_step, check_name, check_when
from simcore.objects.variables import (
    LinkedVariable,
    Variable,
    VariableView,
    check_index,
    check_not_shared,
    check_writable,
    raw_values,
    si_values,
    stored_values,
    with_unit,
)
from simcore.output.snapshot import same_values, stored_array, stored_keys
from simcore.seeding import init_generator
from simcore.units import get_dimensions, to_si
from simcore.units.dimension import DIMENSIONLESS, Dimension
from simcore.units.errors import DimensionMismatchError

SECOND = Dimension.of(time=1)


def namespace_values(expression, is_own: Callable[[str], bool], namespace: dict | None, frame,
                     where: str) -> dict[str, Any]:
    """The values of the names ``expression`` takes from a namespace (those not ``is_own``): ``namespace``, else
    the caller's ``frame``; an unknown name is refused with its position."""
    values = {}
    for name in sorted(expression.identifiers | expression.functions):
        if is_own(name):
            continue
        found, value = lookup(name, namespace, frame)
        if not found:
            raise UnknownNameError(name, f"unknown identifier '{name}' in {where}", expression.positions.get(name),
                                   expression.source)
        values[name] = value
    return values


def evaluate_checked(expression, dimensions: dict[str, Dimension], own_values: dict[str, Any],
                     own_kind: Callable[[str], str | None], external: dict[str, Any], size: int,
                     expected: Dimension | None, where: str) -> np.ndarray:
    """An expression over ``size`` elements with numpy (outside the run loop), its units and the argument types
    its Functions declare checked: ``own_values`` for an object's names (``dimensions``, ``own_kind``),
    ``external`` for those from a namespace (``namespace_values``)."""
    check_expression(expression, dimensions,
                     {k: v if is_user_function(v) else get_dimensions(v) for k, v in external.items()},
                     expected=expected, where=where)
    check_declared_types((expression,), external, own_kind, where)
    values = {name: value.numpy_function() if is_user_function(value) else to_si(value)[0]
              for name, value in external.items()}
    values.update(own_values)
    expr = kernel_calls((expression,), external)[0].expr  # a BinomialFunction: a draw per element
    return evaluate(expr, values, size, init_generator())


class Group(SimObject):
    """A set of N elements with variables (neurons; synapses later)."""

    def __init__(self, N: int, equations: Equations, namespace: dict | None, **kwargs):
        object.__setattr__(self, "variables", {})
        super().__init__(**kwargs)
        self.N = int(N)
        self.equations = equations
        self.namespace = namespace
        self._regular: list[tuple] = []  # (statements, dt, when, order, name, first element, count or None: all)

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

    def _repr_html_(self) -> str:
        """How Jupyter shows a group: its kind, name, size and model."""
        return (f"<b>{type(self).__name__}</b> '{html.escape(self.name)}' with {self.N} elements<br>"
                f"<pre>{html.escape(str(self.equations))}</pre>")

    def _set_raw(self, name: str, value) -> None:
        """``G.v_ = values``: SI numbers, no unit check."""
        variable = self.variables[name]
        self._check_settable(name, variable)
        if isinstance(value, str):
            value = self.raw_expression_values(value)[: 1 if variable.shared else None]
        variable.array[:] = self._sized(name, variable, np.asarray(value))

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

    def _evaluate(self, expression, frame, expected: Dimension | None = None, where: str = "") -> np.ndarray:
        """An expression over all elements, with numpy (outside the run loop), units checked."""
        return evaluate_checked(expression, self.dimensions(), self._variable_values(expression), self._own_kind,
                                self._external(expression, frame), self.N, expected,
                                where or f"'{expression.text}' for {self.where()}")

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
                  "t_in_timesteps": int(_timestep_py(self.network_time, self.dt_))}  # as kernels compute it
        for name in expression.identifiers:
            if name in self.variables:
                values[name] = self.variables[name].values()
            elif name in self.equations.subexpr_names:
                values[name] = self._evaluate(self.equations[name].expression, caller_namespace())
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
                                             f"the index '{key}' of {self.where()}"), dtype=bool)
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
        variable = self.variables[name]
        if not variable.linked:
            raise ModelTypeError(f"'{name}' of {self.where()} is not declared '(linked)', so it cannot be linked")
        if not hasattr(link.group.root, "events"):
            raise ModelNotImplementedError(f"cannot link '{name}' of {self.where()} to '{link.name}' of "
                                           f"{link.group.where()}: links read the variables of neuron groups only")
        index_name = ""
        if isinstance(link.index, str):
            index_name = link.index
            index_variable = self.variables.get(index_name)
            if index_variable is None or index_variable.var_type != "integer" or index_variable.shared:
                raise ModelTypeError(f"the index for linking '{name}' of {self.where()} must name an integer "
                                     f"variable of {self.name} (one value per element), not {index_name!r}")
            link = replace(link, index=index_variable.array)
        source_dimension, shared, size = _link_source(link.group, link.name)
        if link.group.root is not link.group:  # a subgroup: link to its root, shifted (a shared value: itself)
            if index_name:
                raise ModelNotImplementedError(f"the index variable '{index_name}' for linking '{name}' of "
                                               f"{self.where()} must index the whole of {link.group.root.name}, "
                                               f"not its subgroup {link.group.name}")
            if link.index is None and size != self.N and not shared and size != 1:
                raise ModelValueError(_unindexed_link(name, self, link, size))
            if link.index is not None:
                _check_link_index(name, self, np.asarray(link.index), size)
            base = np.zeros(self.N, dtype=np.int64) if size == 1 and link.index is None else \
                np.arange(self.N) if link.index is None else link.index
            link = LinkedVariable(link.group.root, link.name, None if shared else np.asarray(base) + link.group.offset)
            size = link.group.N
        if source_dimension != variable.dimension:
            raise DimensionMismatchError(f"cannot link '{name}' of {self.where()} (units of {variable.dimension}) "
                                         f"to '{link.name}' of {link.group.where()} ({source_dimension})",
                                         variable.dimension, source_dimension)
        index = link.index
        if index is None and size != self.N and not shared and size != 1:  # as Brian 2: 1 element reads as shared
            raise ModelValueError(_unindexed_link(name, self, link, size))
        if index is not None and not index_name:
            index = _check_link_index(name, self, np.asarray(index), size).astype(np.int64)
        variable.link = (link.group, link.name, None if shared else index)
        variable.link_index = index_name if not shared else ""

    def set_values(self, name: str, value, key) -> None:
        if name not in self.variables and name in self.equations.subexpr_names:
            raise ModelTypeError(f"cannot set '{name}' of {self.where()}: it is a subexpression, computed from "
                                 f"the model's variables ('{self.equations[name].expression.text}')")
        variable = self.variables[name]
        if isinstance(value, LinkedVariable):
            self.link(name, value)
            return
        self._check_settable(name, variable)
        indices = self._shared_key(name, key) if variable.shared else self.indices_for(key)
        count = len(range(self.N)[indices]) if isinstance(indices, slice) else np.size(indices)
        if isinstance(value, str):
            result = self._evaluate(parse_expression(value), caller_namespace(), variable.dimension,
                                    f"the value for '{name}' of {self.where()}")
            variable.array[indices] = stored_values(variable, result[0] if variable.shared else result[indices],
                                                    f"'{name}' of {self.where()}")
            return
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

    # --- code for the compiled loop -----------------------------------------------------
    def _stores(self, name: str) -> bool:
        """Whether ``name`` in this group's code is an array the kernel receives (else a constant)."""
        return name in self.variables

    def _subexpressions(self) -> tuple:
        """The subexpressions code may read, in an order where each comes after those it uses."""
        return self.equations.ordered_subexpressions()

    def expanded_subexpression(self, name: str) -> sympy.Basic:
        """A subexpression with the subexpressions it uses substituted, down to stored variables."""
        values: dict = {}
        for equation in self._subexpressions():
            values[symbol(equation.name)] = equation.expr.xreplace(values)
        return values[symbol(name)]

    def readable_subexpression(self, name: str) -> sympy.Basic:
        """``expanded_subexpression(name)`` for code that reads it; refused if it has white noise, which has a
        meaning only inside the differential equations it is substituted into (as in Brian 2)."""
        expr = self.expanded_subexpression(name)
        noise = sorted(s.name for s in expr.free_symbols if is_noise(s.name))
        if noise:
            raise ModelValueError(f"the subexpression '{name}' of {self.where()} contains white noise '{noise[0]}': "
                                  "it can be used in differential equations only, not read by a threshold, reset, "
                                  "monitor, other code or from Python")
        return expr

    def _expand_subexpressions(self, statements: tuple[Assignment, ...]) -> tuple[Assignment, ...]:
        """Subexpressions that statements read (a threshold on 'rates', a reset) become their expressions,
        except where an earlier statement assigned the name (a '(constant over dt)' one, held per step)."""
        names = {equation.name for equation in self._subexpressions()}
        if not names:
            return statements
        out, assigned = [], set()
        for statement in statements:
            values = {s: self.readable_subexpression(s.name) for s in statement.expr.free_symbols
                      if s.name in names and s.name not in assigned}
            out.append(replace(statement, expr=statement.expr.xreplace(values)) if values else statement)
            assigned.add(statement.target)
        return tuple(out)

    def link_index_arg(self, name: str) -> str:
        """The kernel name of the index array through which the linked variable ``name`` reads."""
        variable = self.variables[name]
        if variable.link_index:
            return array_arg(self.name, variable.link_index)
        return internal_arg(self.name, "index", part(name))

    def _expand_linked_subexpressions(self, statements: tuple[Assignment, ...]) \
            -> tuple[tuple[Assignment, ...], dict[str, ArrayRef]]:
        """Linked variables that read another group's subexpression become that subexpression, computed from the
        other group's variables (read through the link's index, as ``_linked_<name>_<variable>``), with the
        constants it takes from its namespace as their values now. Also the arrays those reads need."""
        values: dict = {}
        refs: dict[str, ArrayRef] = {}
        read = set().union(*(s.expr.free_symbols for s in statements)) if statements else set()
        for variable in self.variables.values():
            if variable.link is None or variable.link[1] in variable.link[0].variables or \
                    symbol(variable.name) not in read:
                continue
            group, subexpression, index = variable.link
            expression = group.readable_subexpression(subexpression)
            replacements = {}
            frame = caller_namespace()
            for used in expression.free_symbols:
                if used.name in CLOCK_NAMES:
                    continue
                if used.name not in group.variables:
                    found, value = lookup(used.name, group.namespace, frame)
                    if not found:
                        raise UnknownNameError(used.name, f"unknown identifier '{used.name}' in the subexpression "
                                               f"'{subexpression}' of {group.where()}, which '{variable.name}' of "
                                               f"{self.where()} links to")
                    replacements[used] = sympy.Float(to_si(value)[0])
                    continue
                source = group.variables[used.name]
                if source.link is not None:
                    raise ModelNotImplementedError(f"'{variable.name}' of {self.where()} links to the subexpression "
                                                   f"'{subexpression}' of {group.where()}, which reads the linked "
                                                   f"variable '{used.name}': link to the variable itself instead")
                local = f"_linked_{variable.name}_{used.name}"
                refs[local] = ArrayRef(group.name, used.name, str(source.array.dtype),
                                       source.shared or variable.link_scalar, local=local,
                                       index="" if index is None else self.link_index_arg(variable.name))
                replacements[used] = symbol(local)
            values[symbol(variable.name)] = expression.xreplace(replacements)
        if not values:
            return statements, {}
        for statement in statements:
            if statement.target in {s.name for s in values}:
                raise ModelTypeError(f"code of {self.where()} assigns to '{statement.target}', a link to a "
                                     "subexpression of another group, which cannot be assigned to")
        return tuple(replace(s, expr=s.expr.xreplace(values)) for s in statements), refs

    def _write_conditions(self, written: list[str]) -> dict[str, str]:
        """For written variables that may only change under a condition: the name of that condition."""
        return {}

    def _code(self, statements: tuple[Assignment, ...], resolve, extra_names=(),
              conditional: bool = True) -> ElementCode:
        """Element code; with ``conditional``, writes to '(unless refractory)' variables only happen in
        elements that are not refractory (Brian 2's rule for all code but resets)."""
        statements, linked = self._expand_linked_subexpressions(self._expand_subexpressions(statements))
        used = set(extra_names)
        written = []
        for statement in statements:
            used |= {s.name for s in statement.expr.free_symbols}
            if not statement.target.startswith("_") or self._stores(statement.target):
                used.add(statement.target)
                if self._stores(statement.target) and statement.target not in written:
                    written.append(statement.target)
        conditions = self._write_conditions(written) if conditional else {}
        used |= set(conditions.values())
        arrays = tuple(self._array_ref(name, name in written) for name in sorted(used) if self._stores(name))
        arrays += tuple(linked[name] for name in sorted(used) if name in linked)
        locals_ = {s.target for s in statements}
        scalars = tuple(sorted(n for n in used if not self._stores(n) and n not in locals_ and
                               n not in CLOCK_NAMES and n not in linked))
        functions = user_function_names(s.expr for s in statements)  # TimedArrays: values and dt as arguments
        resolved = resolve(self, scalars + functions) or {}
        check_declared_types(statements, resolved, self._own_kind, self.where())
        statements = kernel_calls(statements, resolved)  # Functions: called
        functions = user_function_names(s.expr for s in statements)
        parameters = tuple(p for name in functions for p in kernel_parameters(name))
        return ElementCode(self.N, arrays, tuple(written), scalars + parameters, statements,
                           conditions=tuple(conditions.items()))

    # --- statements of the user's -----------------------------------------------------
    def _statements(self, code: str, what: str, shared: bool = False) -> Statements:
        """Parsed statements whose targets are all variables of the group (checked now, with positions); with
        ``shared``, they may set shared variables (code that runs for every element: run_regularly)."""
        return self._check_targets(parse_statements(code), what, shared)

    def _check_targets(self, statements: Statements, what: str, shared: bool = False) -> Statements:
        """``statements`` with their temporaries declared ('r = u*x', r not a variable); every other target
        must be a variable the code may set."""
        statements = declare_temporaries(statements, self._own_name)
        for statement in statements:
            if statement.target in statements.temporaries:
                continue
            variable = self.variables.get(statement.target)
            # a group's own code may write a linked variable: it writes the variable linked to (as in Brian 2)
            check_writable(statement.target, None if variable is not None and variable.linked else variable,
                           f"{what} of {self.where()}",
                           statement.position, statements.source)
            if statement.target not in self.variables:
                raise UnknownNameError(statement.target, f"{what} of {self.where()} assigns to "
                                       f"'{statement.target}', which is not a variable of the model",
                                       statement.position, statements.source)
            if not shared:
                check_not_shared(statement.target, self.variables[statement.target], f"{what} of {self.where()}",
                                 "elements", statement.position, statements.source)
        return statements

    def run_regularly(self, code: str, dt=None, when: str = "start", order: int = 0, name: str | None = None) -> str:
        """Run statements on every element every ``dt`` (default: the group's), e.g. ``'I = rand()*nA'`` on
        neurons, ``'w = clip(w, 0, wmax)'`` on synapses (which may read, not write, ``_pre``/``_post``)."""
        return self.add_regular(code, dt, when, order, name, 0, None)

    def run_at(self, code: str, times, when: str = "start", order: int = 0, name: str | None = None) -> str:
        """Run statements on every element at the given ``times`` (Brian 2's ``run_at``), each on the network's
        time grid, e.g. ``G.run_at('v += 1*mV', times=[100, 300]*ms)``."""
        return self.add_regular(code, EventClock(times, name=f"{self.name}_run_at_clock"), when, order, name, 0,
                                None)

    def add_regular(self, code: str, dt, when: str, order: int, name: str | None, first: int,
                    count: int | None) -> str:
        """run_regularly on elements ``first`` to ``first + count - 1`` (all of them: None, or a subgroup's)."""
        statements = self._statements(code, "run_regularly code", shared=True)
        check_when(when)
        period = dt if isinstance(dt, EventClock) else \
            as_time_step(dt, "the dt of run_regularly code") if dt is not None else 0.0
        name = check_name(name, "the name of run_regularly code") if name is not None else \
            f"{self.name}_run_regularly{f'_{len(self._regular)}' if self._regular else ''}"
        self._regular.append((statements, period, when, order, name, first, count))
        return name

    def _regular_operations(self, resolve) -> list[Operation]:
        ops = []
        for number, (statements, period, when, order, name, first, count) in enumerate(self._regular, start=1):
            count = self.N if count is None else count
            # on a subgroup, i and N are the subgroup's own, as in Brian 2
            relative = {symbol("i"): symbol("i") - first, symbol("N"): sympy.Integer(count)} if count < self.N else {}
            regular = tuple(replace(a, expr=a.expr.xreplace(relative))
                            for a in assignments(statements, "run_regularly"))
            code = shared_first(replace(self._code(regular, resolve), start=first, size=count),
                                f"the run_regularly code of {self.where()}")
            times = tuple(period.times_) if isinstance(period, EventClock) else None
            ops.append(Operation(function_name(self.name, "regularly", str(number)), "regular", self.name, when,
                                 order, 0, self.creation_order, code=code, dt=0.0 if times is not None else period,
                                 comment="run_regularly", details=RegularDetails(name, times)))
        return ops

    def _regular_statements(self) -> list[Statements]:
        return [statements for statements, *_ in self._regular]

    def _check_regular_units(self, own: dict[str, Dimension], external_dims: dict[str, Any]) -> None:
        for statements in self._regular_statements():
            check_statements(statements, own, external_dims, where=f"run_regularly code of {self.where()}")

    def kernel_arrays(self) -> dict:
        arrays = {}
        for name, variable in self.variables.items():
            if variable.link is None:
                arrays[f"_{array_arg(self.name, name)}"] = variable.array
            elif variable.link[2] is not None and not variable.link_index:
                arrays[f"_{internal_arg(self.name, 'index', part(name))}"] = variable.link[2]
        return arrays

    def dependencies(self) -> list:
        return [variable.link[0].root for variable in self.variables.values() if variable.link is not None]

    def spike_buffers(self) -> dict:
        """The per-step lists of elements that had each event (spikes and custom events)."""
        buffers = {}
        for event in getattr(self, "events", {}):
            elements, count = event_arrays(self.name, event)
            buffers[elements] = np.zeros(self.N, dtype=np.int32)
            buffers[count] = np.zeros(1, dtype=np.int64)
        return buffers

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

    def get_states(self, vars=None, units: bool = True, subexpressions: bool = False,
                   read_only_variables: bool = True) -> dict[str, Any]:
        """Copies of the values of ``vars`` (default: every variable, the clock's ``t``, ``dt`` and
        ``t_in_timesteps``, and with ``subexpressions`` the subexpressions), by name."""
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
                          "t_in_timesteps": int(_timestep_py(self.network_time, self.dt_))}[name]
                dimension = DIMENSIONLESS if name == "t_in_timesteps" else SECOND
            elif name in self.variables or name in self.equations.subexpr_names:
                view = VariableView(self, name)
                values, dimension = np.copy(view._values()), view.dimensions
            else:
                raise ModelKeyError(f"{self.where()} has no variable '{name}'")
            out[name] = with_unit(values, dimension) if units else values
        return out

    def set_states(self, values: dict[str, Any], units: bool = True) -> None:
        """Set variables from a dict of values (with ``units=False``, SI numbers without units)."""
        for name, value in values.items():
            if name not in self.variables:
                raise ModelKeyError(f"{self.where()} has no variable '{name}' to set")
            if units:
                self.set_values(name, value, slice(None))
            else:
                self._set_raw(name, value)


def shared_first(code: ElementCode, what: str) -> ElementCode:
    """``code`` with its statements that set shared variables moved to ``shared_statements``, which run once per
    step, before the others (as in Brian 2): refused unless they come first and read no per-element value."""
    shared = {ref.local_name for ref in code.arrays if ref.shared}
    per_element = {ref.local_name for ref in code.arrays if not ref.shared}
    first, rest = [], []
    for statement in code.statements:
        if statement.target not in shared:
            rest.append(statement)
            continue
        text = statement.comment.split(": ", 1)[-1] or statement.target
        if rest:
            raise ModelError(f"{what}: '{text}' sets the shared variable '{statement.target}' after a statement that "
                             f"sets a per-element variable ('{rest[0].comment.split(': ', 1)[-1]}'); statements that "
                             "set shared variables run once per step, before the others: write them first")
        reads = sorted({s.name for s in statement.expr.free_symbols} & per_element)
        if reads:
            raise ModelError(f"{what}: '{text}' sets the shared variable '{statement.target}' from per-element "
                             f"values ({', '.join(reads)}), which differ between elements; a shared variable can "
                             "be set from shared variables, constants and t only")
        first.append(statement)
    return replace(code, statements=tuple(rest), shared_statements=tuple(first)) if first else code


def assignments(statements, label: str) -> tuple[Assignment, ...]:
    """User statements as plain assignments (``v += x`` -> ``v = v + x``), commented with the source."""
    out = []
    for statement in statements:
        target, expr = symbol(statement.target), statement.expr
        value = expr if statement.op == "=" else {"+=": target + expr, "-=": target - expr, "*=": target * expr,
                                                  "/=": target / expr}[statement.op]  # 'b = True': no sum
        text = f"{label}: {statement.target} {statement.op} {statement.expression.text}"
        out.append(Assignment(statement.target, value, text))
    return tuple(out)


class GroupIndices:
    """What ``G.indices`` is: ``G.indices[key]`` gives the element numbers ``key`` selects."""

    def __init__(self, group: Group):
        self.group = group

    def __getitem__(self, key) -> np.ndarray:
        return np.arange(self.group.N)[self.group.indices_for(key)]


def _link_source(group: Group, name: str) -> tuple[Dimension, bool, int]:
    """Units, sharedness and size of what a link reads: a variable or a subexpression of ``group``."""
    if name in group.variables:
        variable = group.variables[name]
        return variable.dimension, variable.shared, 1 if variable.shared else group.N
    equation = group.equations[name]
    shared = "shared" in equation.flags
    return equation.dimension, shared, 1 if shared else group.N


def _check_link_index(name: str, target: Group, index: np.ndarray, size: int) -> np.ndarray:
    """An index array for a link: whole numbers (TypeError otherwise, as Brian 2), one per element of ``target``,
    each an element of the source (ValueError otherwise)."""
    where = f"the index for linking '{name}' of {target.where()}"
    if not np.issubdtype(index.dtype, np.integer):
        raise ModelTypeError(f"{where} must be integers, not {index.dtype}")
    if index.shape != (target.N,):
        raise ModelTypeError(f"{where} needs {target.N} entries (one per element), not an array of shape "
                             f"{index.shape}")
    bad = index[(index < 0) | (index >= size)]
    if bad.size:
        raise ModelValueError(f"{where}: {int(bad[0])} is not an element of the source, which has {size} "
                              f"element{'s' if size != 1 else ''} (0 to {size - 1})")
    return index


def _unindexed_link(name: str, target: Group, link: LinkedVariable, size: int) -> str:
    """Why a link between groups of different sizes needs an index, and what would be accepted."""
    return (f"cannot link '{name}' of {target.where()} ({target.N} elements) to '{link.name}' of "
            f"{link.group.where()} ({size} element{'s' if size != 1 else ''}) without index=: give, for each "
            f"element of {target.name}, the element to read (index=np.zeros({target.N}, dtype=int) reads element 0 "
            f"for all), or declare '{link.name}' (shared) in {link.group.name}")
