"""How the code of Synapses names the variables of its neurons: ``x_pre``, ``x_post`` and (as in Brian 2) ``x``
for the target's, subexpressions of either side, and the arrays the kernels read them from; their values per
synapse from Python (``S.v_post``) and setting them (``S.v_post[0, :] = ...``)."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

import numpy as np
import sympy

from simcore.equations import parse_expression
from simcore.equations.model import EquationKind
from simcore.equations.parser import symbol
from simcore.errors import ModelError, ModelTypeError, UnknownNameError
from simcore.ir import ArrayRef, array_arg
from simcore.namespace import caller_namespace
from simcore.objects.base import CLOCK_NAMES
from simcore.objects.group import Group
from simcore.objects.synapse_checks import subexpression_names
from simcore.objects.variables import Variable, check_not_shared, check_writable, si_values, stored_values


@dataclass(frozen=True)
class _NeuronSubexpression:
    """A neuron subexpression under the name synaptic code reads it by (``v2_post``), expanded and renamed."""

    name: str
    expr: sympy.Basic


@dataclass
class PerNeuron(Variable):
    """A synaptic variable stored once per neuron and read through a synapse's ``i`` or ``j``
    (``N_incoming``: synapses onto the target; ``N_outgoing``: from the source), as Brian 2 does."""

    through: Variable | None = None

    def values(self) -> np.ndarray:
        return self.array[self.through.array]


class SynapseNames:
    """The part of ``Synapses`` that resolves names of its code to synaptic or neuron variables (a mixin, as
    ``GroupCode`` is of ``Group``: ``self`` is a Synapses, with ``source`` and ``target``). It overrides the
    hooks through which ``Group`` evaluates and lowers code."""

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
            if name.endswith(suffix) and name[: -len(suffix)] in subexpression_names(group):
                return group, group.root.equations[name[: -len(suffix)]], suffix
        if name in subexpression_names(self.target) and name not in CLOCK_NAMES:
            return self.target, self.target.root.equations[name], "_post"
        return None

    def _neuron_subexpressions(self) -> tuple[_NeuronSubexpression, ...]:
        """The source's and target's subexpressions as synaptic code reads them: each expanded down to stored
        variables, whose names take the suffix of their side (``v2_post = 2*v_post``)."""
        found = []
        for suffixes, group in ((("_pre",), self.source), (("_post", ""), self.target)):
            names = subexpression_names(group)
            if not names:
                continue
            stored = frozenset(name for name in group.root.variables if name not in CLOCK_NAMES)
            for name in sorted(names):
                expr = group.root.expanded_subexpression(name)
                for suffix in suffixes:
                    if self._neuron_subexpression(name + suffix) is not None:
                        found.append(_NeuronSubexpression(name + suffix, _renamed(expr, stored, suffix or "_post")))
        return tuple(found)

    def _neuron_subexpression_values(self, name: str) -> np.ndarray:
        """A neuron subexpression's value for each synapse (or the one value of a shared one)."""
        group, equation, suffix = self._neuron_subexpression(name)
        values = group.root._evaluate(equation.expression, caller_namespace())
        if "shared" in equation.flags or np.ndim(values) == 0:
            return values if np.ndim(values) == 0 else values[0]
        index = "i" if suffix == "_pre" else "j"
        return values[self.variables[index].array + group.offset]

    def neuron_variable(self, name: str) -> Variable:
        """``S.v_post``: a read-only copy of a neuron variable or subexpression, one value per synapse (what
        ``NeuronVariableView`` reads)."""
        ref = self._reference(name)
        if ref is not None:
            group, variable = ref
            values, dimension = self._neuron_values(name, group, variable), variable.dimension
        else:
            values = self._neuron_subexpression_values(name)
            dimension = self._neuron_subexpression(name)[1].dimension
        shared = np.ndim(values) == 0
        return Variable(name, dimension, np.atleast_1d(values), shared=shared, read_only=True)

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
        if isinstance(variable, PerNeuron):
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


@functools.lru_cache(maxsize=4096)
def _renamed(expr: sympy.Basic, stored: frozenset[str], suffix: str) -> sympy.Basic:
    """``expr`` with each of the ``stored`` names it uses given ``suffix`` (remembered, as the expansions of
    subexpressions: every run lowers them again)."""
    return expr.xreplace({s: symbol(s.name + suffix) for s in expr.free_symbols if s.name in stored})
