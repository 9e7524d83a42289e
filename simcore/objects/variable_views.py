"""The unit-aware views through which users read and write a group's variables: ``G.v`` (a VariableView: a
Quantity in SI units, string expressions for values and indices), ``G.v_`` (RawValues: the stored SI numbers) and
``linked_var`` (a link for a '(linked)' parameter); with_unit and si_values convert between SI arrays and users'
values."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from simcore.errors import ModelKeyError, ModelTypeError, ModelValueError
from simcore.units import Quantity, get_unit, to_si
from simcore.units.dimension import Dimension
from simcore.units.errors import DimensionMismatchError
from simcore.units.helpers import best_unit

if TYPE_CHECKING:
    from simcore.objects.group import Group
    from simcore.objects.variables import Variable


def with_unit(values: np.ndarray, dimension: Dimension):
    """SI values as a Quantity in the SI unit of ``dimension`` (no copy), or plain if dimensionless."""
    if dimension.is_dimensionless:
        return values
    return Quantity(values, get_unit(dimension))


def si_values(value: Any, dimension: Dimension, what: str) -> np.ndarray:
    """A user's value for a variable of ``dimension``, as SI numbers; a mismatch names both units."""
    if isinstance(value, VariableView):
        value = value.quantity
    if isinstance(value, bool | np.bool_) or (isinstance(value, np.ndarray) and value.dtype == np.bool_):
        return np.asarray(value)
    magnitude, dim = to_si(value)
    if dim != dimension and not _scale_free(magnitude):
        raise DimensionMismatchError(f"cannot set {what} (units of {dimension}) to {value!s} (units of {dim})",
                                     dimension, dim)
    return np.asarray(magnitude)


def _scale_free(values) -> bool:
    values = np.asarray(values, dtype=float)
    return bool(np.all((values == 0) | np.isinf(values) | np.isnan(values)))


class VariableView:
    """``G.v``: reads as a Quantity (SI unit), indexes like an array, accepts string
    expressions for values and for indices."""

    def __init__(self, group: Group, name: str):
        self.group = group
        self.name = name

    @property
    def variable(self) -> Variable:
        return self.group.variables[self.name]

    def _values(self):
        """The current values: a stored variable's (following a link), or a subexpression's, computed now."""
        if self.name in self.group.variables:
            return self.group.variables[self.name].values()
        return self.group.subexpression_values(self.name)

    @property
    def quantity(self):
        return with_unit(self._values(), self.dimensions)

    def __getitem__(self, key):
        if isinstance(key, tuple) and any(part is None or part is Ellipsis for part in key):
            return self.quantity[key]  # numpy's new axes (matplotlib's x[:, None]): an array operation, not elements
        values = self._values()
        if np.ndim(values) == 0:
            self.group._shared_key(self.name, key)
            return with_unit(values, self.dimensions)
        return with_unit(values[self.group.indices_for(key)], self.dimensions)

    def __setitem__(self, key, value) -> None:
        self.group.set_values(self.name, value, key)

    def get_item(self, key):
        """``G.v.get_item(key)``: Brian 2's method form of ``G.v[key]``."""
        return self[key]

    def set_item(self, key, value) -> None:
        """``G.v.set_item(key, value)``: Brian 2's method form of ``G.v[key] = value`` (the same checks)."""
        self.group.set_values(self.name, value, key)

    def __len__(self) -> int:
        return int(np.size(self._values()))

    def __array__(self, dtype=None, copy=None):
        return np.array(self._values(), dtype=dtype, copy=copy)  # np.array(G.v) is a copy, as numpy promises

    def _display(self):
        """The values in the prefixed unit that reads best (mV for membrane potentials)."""
        values = self._values()
        if self.dimensions.is_dimensionless:
            return values
        unit = best_unit(values, self.dimensions)
        return Quantity(np.asarray(values) / to_si(unit)[0], unit)

    def __repr__(self) -> str:
        return f"<{self.group.name}.{self.name}: {self._display()!r}>"

    def __str__(self) -> str:
        return str(self._display())

    def __iter__(self):
        return iter(self.quantity)

    def __getattr__(self, attribute):
        if attribute.startswith("__"):
            raise AttributeError(attribute)
        return getattr(self.quantity, attribute)

    @property
    def unit(self):
        """The SI unit of the values (1 for dimensionless ones)."""
        return get_unit(self.dimensions)

    @property
    def shape(self) -> tuple[int, ...]:
        return np.shape(self._values())

    @property
    def ndim(self) -> int:
        return np.ndim(self._values())

    @property
    def dtype(self) -> np.dtype:
        if self.name in self.group.variables:
            return self.group.variables[self.name].array.dtype
        return np.asarray(self._values()).dtype

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        """numpy functions and operators see the values with their unit (``G.x[:] + G.y`` checks units)."""
        inputs = tuple(x.quantity if isinstance(x, VariableView) else x for x in inputs)
        return getattr(ufunc, method)(*inputs, **kwargs)

    def _in_place(self, operator: str, other):
        """``G.v += 1*mV``: the group's values, combined with ``other`` (units checked), set back."""
        if isinstance(other, str):
            raise ModelTypeError(f"in-place arithmetic on '{self.name}' of {self.group.where()} takes a value, not "
                                 f"the string {other!r} (to set values from an expression: G.{self.name} = '...')")
        if isinstance(other, VariableView):
            other = other.quantity
        self.group.set_values(self.name, getattr(self.quantity, operator)(other), slice(None))
        return self

    def __iadd__(self, other):
        return self._in_place("__add__", other)

    def __isub__(self, other):
        return self._in_place("__sub__", other)

    def __imul__(self, other):
        return self._in_place("__mul__", other)

    def __itruediv__(self, other):
        return self._in_place("__truediv__", other)

    __idiv__ = __itruediv__

    def __ifloordiv__(self, other):
        return self._in_place("__floordiv__", other)

    def __imod__(self, other):
        return self._in_place("__mod__", other)

    def __ipow__(self, other):
        return self._in_place("__pow__", other)

    @property
    def dimensions(self) -> Dimension:
        if self.name in self.group.variables:
            return self.group.variables[self.name].dimension
        return self.group.equations[self.name].dimension


def _delegate(operator: str):
    def method(self, *args):
        return getattr(self.quantity, operator)(*(a.quantity if isinstance(a, VariableView) else a for a in args))
    method.__name__ = operator
    return method


for _operator in ("__add__", "__radd__", "__sub__", "__rsub__", "__mul__", "__rmul__", "__truediv__",
                  "__rtruediv__", "__pow__", "__neg__", "__pos__", "__abs__", "__lt__", "__le__", "__gt__",
                  "__ge__", "__eq__", "__ne__", "__float__", "__int__", "__bool__", "__floordiv__", "__mod__",
                  "__rpow__", "__rfloordiv__", "__rmod__"):
    setattr(VariableView, _operator, _delegate(_operator))
# Hashable by the variable it shows (== compares values), so that ``device.run(run_args={G.tau: ...})`` works.
VariableView.__hash__ = lambda view: hash((id(view.group), view.name))


class RawValues(np.ndarray):
    """What ``G.v_`` is: the stored SI values without unit, as an array (a view: writes change the group) that
    also takes ``G.v``'s indices (condition strings, subgroups) and refuses what Brian 2 refuses."""

    def __getitem__(self, key):
        group = self.__dict__.get("_group")
        if group is None or isinstance(key, tuple):  # numpy's own (its printing indexes with tuples)
            return super().__getitem__(key)
        return np.asarray(self)[group.indices_for(key)]

    def __setitem__(self, key, value) -> None:
        group = self.__dict__.get("_group")
        if group is None or isinstance(key, tuple):
            super().__setitem__(key, value)
            return
        indices = group.indices_for(key)
        np.asarray(self)[indices] = group.raw_expression_values(value)[indices] if isinstance(value, str) else value


def raw_values(group: Group, array: np.ndarray) -> RawValues:
    """``array`` (a variable of ``group``) as a RawValues view."""
    view = array.view(RawValues)
    view._group = group
    return view


@dataclass(frozen=True)
class LinkedVariable:
    """What ``linked_var(G.v)`` returns: a link to assign to a '(linked)' parameter."""

    group: Any
    name: str
    index: np.ndarray | str | None = None  # a string: an integer variable of the linking group


def linked_var(group_or_view, name: str | None = None, index=None) -> LinkedVariable:
    """Link a '(linked)' parameter to another group's variable or subexpression: ``G2.v = linked_var(G1.v)`` or
    ``linked_var(G1, 'v', index=...)`` (index: for each element of G2, the element of G1; or the name of an
    integer variable of G2 that holds them)."""
    if isinstance(group_or_view, VariableView):
        if name is not None:
            raise ModelValueError(f"linked_var: give a variable (linked_var({group_or_view.group.name}."
                                  f"{group_or_view.name})) or a group and a name (linked_var({group_or_view.group.name}"
                                  f", {name!r})), not both")
        group, name = group_or_view.group, group_or_view.name
    else:
        group = group_or_view
        if not hasattr(group, "variables"):
            raise ModelTypeError(f"linked_var: the first argument must be a variable (G.v) or a group, not "
                                 f"{group!r}")
        if name is None:
            raise ModelValueError(f"linked_var: name the variable of {group.name} to link to "
                                  f"(linked_var({group.name}, 'v') or linked_var({group.name}.v))")
        equations = getattr(group, "equations", None)
        if name not in group.variables and (equations is None or name not in equations.subexpr_names):
            raise ModelKeyError(f"linked_var: {group.name} has no variable {name!r}")
    return LinkedVariable(group, name, index if index is None or isinstance(index, str) else np.asarray(index))

