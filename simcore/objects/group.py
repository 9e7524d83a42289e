"""What groups share: variables by attribute, values set from numbers, quantities or
strings, indices from slices, arrays or conditions, and subgroups."""

from __future__ import annotations

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
    parse_expression,
    parse_statements,
)
from simcore.equations.parser import check_condition, symbol
from simcore.equations.user_functions import is_user_function, kernel_parameters, user_function_names
from simcore.errors import ModelError, UnknownNameError
from simcore.ir import Assignment, ElementCode, Operation, array_arg, event_arrays, function_name, internal_arg, part
from simcore.namespace import caller_namespace, lookup
from simcore.objects.base import CLOCK_NAMES, SLOTS, SimObject, as_time_step, check_name
from simcore.objects.variables import (
    LinkedVariable,
    Variable,
    VariableView,
    check_index,
    check_not_shared,
    check_writable,
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
            return variable.array[0] if variable.shared else variable.array
        equations = self.__dict__.get("equations")
        if equations is not None and name in equations.subexpr_names:
            return with_unit(self._evaluate(equations[name].expression, caller_namespace()),
                             equations[name].dimension)
        raise AttributeError(f"{type(self).__name__} '{self.__dict__.get('name')}' has no variable '{name}'")

    def __setattr__(self, name: str, value) -> None:
        variables = self.__dict__.get("variables", {})
        if name in variables:
            self.set_values(name, value, slice(None))
        elif name.endswith("_") and name[:-1] in variables:
            self._set_raw(name[:-1], value)
        elif (not self.__dict__.get("_frozen") or name in self.__dict__ or name.startswith("_")
              or hasattr(type(self), name)):
            object.__setattr__(self, name, value)
        else:
            raise AttributeError(f"cannot set '{name}': {type(self).__name__} '{self.name}' has no such variable")

    def __len__(self) -> int:
        return self.N

    def _set_raw(self, name: str, value) -> None:
        """``G.v_ = values``: SI numbers, no unit check."""
        self.variables[name].array[:] = value

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
        values = {}
        for name in expression.identifiers | expression.functions:
            if self._own_name(name):
                continue
            found, value = lookup(name, self.namespace, frame)
            if not found:
                raise UnknownNameError(name, f"unknown identifier '{name}' in '{expression.text}' for "
                                       f"{self.where()}", expression.positions.get(name), expression.source)
            values[name] = value
        return values

    def _own_name(self, name: str) -> bool:
        """Whether strings of this group know ``name`` without looking in a namespace."""
        return name in self.variables or name in self.equations or name in CLOCK_NAMES

    def _evaluate(self, expression, frame, expected: Dimension | None = None, where: str = "") -> np.ndarray:
        """An expression over all elements, with numpy (outside the run loop), units checked."""
        external = self._external(expression, frame)
        check_expression(expression, self.dimensions(),
                         {k: v if is_user_function(v) else get_dimensions(v) for k, v in external.items()},
                         expected=expected, where=where or f"'{expression.text}' for {self.where()}")
        values = {name: value.numpy_function() if is_user_function(value) else to_si(value)[0]
                  for name, value in external.items()}
        values.update(self._variable_values(expression))
        return evaluate(expression.expr, values, self.N, init_generator())

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
        if isinstance(key, str):
            numbers = {n for n, v in self.variables.items() if v.var_type != "boolean"} | set(CLOCK_NAMES)
            expression = check_condition(parse_expression(key), f"the index '{key}' of {self.where()}", numbers)
            mask = np.asarray(self._evaluate(expression, caller_namespace()), dtype=bool)
            return np.flatnonzero(mask)
        if isinstance(key, slice):
            return key
        return check_index(np.asarray(key), self.N, f"{self.where()}")

    def link(self, name: str, link: LinkedVariable) -> None:
        variable = self.variables[name]
        if not variable.linked:
            raise ModelError(f"'{name}' of {self.where()} is not declared '(linked)', so it cannot be linked")
        shared = link.group.root.variables[link.name].shared
        if link.group.root is not link.group:  # a subgroup: link to its root, shifted (a shared value: itself)
            if link.index is None and link.group.N != self.N and not shared:
                raise ModelError(_unindexed_link(name, self, link, link.group.N))
            base = np.arange(self.N) if link.index is None else link.index
            link = LinkedVariable(link.group.root, link.name, None if shared else np.asarray(base) + link.group.offset)
        source = link.group.variables[link.name]
        if source.dimension != variable.dimension:
            raise DimensionMismatchError(f"cannot link '{name}' of {self.where()} (units of {variable.dimension}) "
                                         f"to '{link.name}' of {link.group.where()} ({source.dimension})",
                                         variable.dimension, source.dimension)
        index = link.index
        size = 1 if source.shared else len(source.array)
        if index is None and size != self.N and not source.shared:  # as Brian 2: also a 1-element source
            raise ModelError(_unindexed_link(name, self, link, size))
        if index is not None:
            if index.shape != (self.N,):
                raise ModelError(f"the index for linking '{name}' of {self.where()} needs {self.N} entries, "
                                 f"not {index.shape}")
            index = check_index(index, size, f"the index for linking '{name}' of {self.where()}").astype(np.int64)
        variable.link = (link.group, link.name, index)

    def set_values(self, name: str, value, key) -> None:
        variable = self.variables[name]
        if isinstance(value, LinkedVariable):
            self.link(name, value)
            return
        if variable.linked:
            raise ModelError(f"'{name}' of {self.where()} is a linked variable: it reads another group's variable "
                             "and cannot be set")
        if variable.read_only:
            raise ModelError(f"'{name}' of {self.where()} is read-only")
        indices = slice(None) if variable.shared else self.indices_for(key)
        if isinstance(value, str):
            result = self._evaluate(parse_expression(value), caller_namespace(), variable.dimension,
                                    f"the value for '{name}' of {self.where()}")
            variable.array[indices] = stored_values(variable, result[0] if variable.shared else result[indices],
                                                    f"'{name}' of {self.where()}")
            return
        variable.array[indices] = stored_values(variable, si_values(value, variable.dimension,
                                                                    f"'{name}' of {self.where()}"),
                                                f"'{name}' of {self.where()}")

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

    def _expand_subexpressions(self, statements: tuple[Assignment, ...]) -> tuple[Assignment, ...]:
        """Subexpressions that statements read (a threshold on 'rates', a reset) become their expressions,
        except where an earlier statement assigned the name (a '(constant over dt)' one, held per step)."""
        names = {equation.name for equation in self._subexpressions()}
        if not names:
            return statements
        out, assigned = [], set()
        for statement in statements:
            values = {s: self.expanded_subexpression(s.name) for s in statement.expr.free_symbols
                      if s.name in names and s.name not in assigned}
            out.append(replace(statement, expr=statement.expr.xreplace(values)) if values else statement)
            assigned.add(statement.target)
        return tuple(out)

    def _write_conditions(self, written: list[str]) -> dict[str, str]:
        """For written variables that may only change under a condition: the name of that condition."""
        return {}

    def _code(self, statements: tuple[Assignment, ...], resolve, extra_names=(),
              conditional: bool = True) -> ElementCode:
        """Element code; with ``conditional``, writes to '(unless refractory)' variables only happen in
        elements that are not refractory (Brian 2's rule for all code but resets)."""
        statements = self._expand_subexpressions(statements)
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
        locals_ = {s.target for s in statements}
        scalars = tuple(sorted(n for n in used if not self._stores(n) and n not in locals_ and
                               n not in CLOCK_NAMES))
        functions = user_function_names(s.expr for s in statements)  # TimedArrays: values and dt as arguments
        resolve(self, scalars + functions)
        parameters = tuple(p for name in functions for p in kernel_parameters(name))
        return ElementCode(self.N, arrays, tuple(written), scalars + parameters, statements,
                           conditions=tuple(conditions.items()))

    # --- statements of the user's -----------------------------------------------------
    def _statements(self, code: str, what: str, shared: bool = False) -> Statements:
        """Parsed statements whose targets are all variables of the group (checked now, with positions); with
        ``shared``, they may set shared variables (code that runs for every element: run_regularly)."""
        statements = parse_statements(code)
        self._check_targets(statements, what, shared)
        return statements

    def _check_targets(self, statements: Statements, what: str, shared: bool = False) -> None:
        for statement in statements:
            check_writable(statement.target, self.variables.get(statement.target), f"{what} of {self.where()}",
                           statement.position, statements.source)
            if statement.target not in self.variables:
                raise UnknownNameError(statement.target, f"{what} of {self.where()} assigns to "
                                       f"'{statement.target}', which is not a variable of the model",
                                       statement.position, statements.source)
            if not shared:
                check_not_shared(statement.target, self.variables[statement.target], f"{what} of {self.where()}",
                                 "elements", statement.position, statements.source)

    def run_regularly(self, code: str, dt=None, when: str = "start", order: int = 0, name: str | None = None) -> str:
        """Run statements on every element every ``dt`` (default: the group's), e.g. ``'I = rand()*nA'`` on
        neurons, ``'w = clip(w, 0, wmax)'`` on synapses (which may read, not write, ``_pre``/``_post``)."""
        return self.add_regular(code, dt, when, order, name, 0, None)

    def add_regular(self, code: str, dt, when: str, order: int, name: str | None, first: int,
                    count: int | None) -> str:
        """run_regularly on elements ``first`` to ``first + count - 1`` (all of them: None, or a subgroup's)."""
        statements = self._statements(code, "run_regularly code", shared=True)
        if when not in SLOTS:
            raise ModelError(f"unknown schedule slot when={when!r}; the slots are {', '.join(SLOTS)}")
        period = as_time_step(dt, "the dt of run_regularly code") if dt is not None else 0.0
        name = check_name(name, "the name of run_regularly code") if name is not None else \
            f"{self.name}_run_regularly_{len(self._regular)}"
        self._regular.append((statements, period, when, order, name, first, count))
        return name

    def _regular_operations(self, resolve) -> list[Operation]:
        ops = []
        for number, (statements, period, when, order, _, first, count) in enumerate(self._regular, start=1):
            count = self.N if count is None else count
            # on a subgroup, i and N are the subgroup's own, as in Brian 2
            relative = {symbol("i"): symbol("i") - first, symbol("N"): sympy.Integer(count)} if count < self.N else {}
            regular = tuple(replace(a, expr=a.expr.xreplace(relative))
                            for a in assignments(statements, "run_regularly"))
            code = shared_first(replace(self._code(regular, resolve), start=first, size=count),
                                f"the run_regularly code of {self.where()}")
            ops.append(Operation(function_name(self.name, "regularly", str(number)), "regular", self.name, when,
                                 order, 0, self.creation_order, code=code, dt=period, comment="run_regularly"))
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
            elif variable.link[2] is not None:
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

    def get_states(self, vars=None, units: bool = True) -> dict[str, Any]:
        names = list(vars) if vars is not None else [n for n in self.variables if not n.startswith("_")]
        out = {}
        for name in names:
            variable = self.variables[name]
            values = variable.array.copy()
            out[name] = with_unit(values, variable.dimension) if units else values
        return out

    def set_states(self, values: dict[str, Any], units: bool = True) -> None:
        for name, value in values.items():
            if units:
                self.set_values(name, value, slice(None))
            else:
                self.variables[name].array[:] = value


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
        value = {"=": expr, "+=": target + expr, "-=": target - expr, "*=": target * expr,
                 "/=": target / expr}[statement.op]
        text = f"{label}: {statement.target} {statement.op} {statement.expression.text}"
        out.append(Assignment(statement.target, value, text))
    return tuple(out)


def _unindexed_link(name: str, target: Group, link: LinkedVariable, size: int) -> str:
    """Why a link between groups of different sizes needs an index, and what would be accepted."""
    return (f"cannot link '{name}' of {target.where()} ({target.N} elements) to '{link.name}' of "
            f"{link.group.where()} ({size} element{'s' if size != 1 else ''}) without index=: give, for each "
            f"element of {target.name}, the element to read (index=np.zeros({target.N}, dtype=int) reads element 0 "
            f"for all), or declare '{link.name}' (shared) in {link.group.name}")
