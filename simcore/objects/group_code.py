"""What groups share on the way to kernels: their code as element code (subexpressions and links expanded,
the arrays and constants it reads), the user's statements checked, run_regularly and run_at operations, and the
arrays the kernels receive."""

from __future__ import annotations

import functools
from dataclasses import replace
from typing import Any

import numpy as np
import sympy

from simcore.equations import Statements, check_statements, declare_temporaries, parse_statements
from simcore.equations.function_kernels import kernel_calls
from simcore.equations.kinds import check_declared_types
from simcore.equations.model import is_noise
from simcore.equations.parser import symbol
from simcore.equations.user_functions import kernel_parameters, user_function_names
from simcore.errors import ModelError, ModelNotImplementedError, ModelTypeError, ModelValueError, UnknownNameError
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
from simcore.objects.base import CLOCK_NAMES, EventClock, as_time_step, check_name, check_when
from simcore.objects.variables import check_not_shared, check_writable
from simcore.units import to_si
from simcore.units.dimension import Dimension


class GroupCode:
    """The part of ``Group`` that lowers its code (a mixin: ``self`` is a Group)."""

    def _stores(self, name: str) -> bool:
        """Whether ``name`` in this group's code is an array the kernel receives (else a constant)."""
        return name in self.variables

    def _subexpressions(self) -> tuple:
        """The subexpressions code may read, in an order where each comes after those it uses."""
        return self.equations.ordered_subexpressions()

    def expanded_subexpression(self, name: str) -> sympy.Basic:
        """A subexpression with the subexpressions it uses substituted, down to stored variables."""
        return _expanded(tuple((equation.name, equation.expr) for equation in self._subexpressions()))[name]

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
            ops.append(Operation(function_name(self.name, "regularly", str(number)), self.name, when,
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


@functools.lru_cache(maxsize=1024)
def _expanded(subexpressions: tuple[tuple[str, sympy.Basic], ...]) -> dict[str, sympy.Basic]:
    """Each of the (name, expression) pairs, in an order where each comes after those it uses, with those
    substituted (remembered: every run lowers the same code again; the result is not to be changed)."""
    values: dict = {}
    for name, expr in subexpressions:
        values[symbol(name)] = expr.xreplace(values)
    return {variable.name: expr for variable, expr in values.items()}
