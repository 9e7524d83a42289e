"""A group's variables: one contiguous SI array each, and the unit-aware views
through which users read and write them (``G.v``, ``G.v_``, ``G.v['i > 3'] = ...``)."""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from simcore.errors import ModelError, ModelIndexError, ModelKeyError, ModelTypeError, ModelValueError, ParseError
from simcore.objects.base import CLOCK_NAMES
from simcore.preferences import default_float_dtype
from simcore.units import Quantity, get_unit, to_si
from simcore.units.dimension import Dimension
from simcore.units.errors import DimensionMismatchError
from simcore.units.helpers import best_unit

if TYPE_CHECKING:
    from simcore.objects.group import Group

DTYPES = {"float": np.float64, "boolean": np.bool_, "integer": np.int64}


def variable_dtype(var_type: str, dtype=None, name: str = ""):
    """The array type of a model variable: as ``dtype`` if it names one for ``name`` (``dtype={'v': np.float32}``,
    Brian 2's per-variable form); a single ``dtype`` applies to floats only; else booleans and integers as
    declared, floats as ``prefs.core.default_float_dtype``. A type of the wrong kind is refused."""
    if isinstance(dtype, dict):
        if name not in dtype:
            return variable_dtype(var_type)
        chosen = np.dtype(dtype[name])
        kind = {"float": "f", "integer": "iu", "boolean": "b"}[var_type]
        if chosen.kind not in kind:
            raise ModelTypeError(f"dtype={{{name!r}: {chosen}}}: '{name}' is a{'n' if var_type == 'integer' else ''} "
                                 f"{var_type} variable, it cannot be stored as {chosen}")
        return chosen.type
    if var_type != "float":
        return DTYPES[var_type]
    if dtype is None:
        return default_float_dtype()
    if np.dtype(dtype).kind != "f":
        raise ModelTypeError(f"dtype={np.dtype(dtype)} is not a floating-point type: a group's dtype= sets the type "
                             "of its float variables (give a dict such as {'n': np.int32} for others)")
    return dtype


@dataclass
class Variable:
    """One stored variable. ``array`` has N elements, or 1 if ``shared``."""

    name: str
    dimension: Dimension
    array: np.ndarray
    shared: bool = False
    read_only: bool = False
    constant: bool = False
    linked: bool = False  # declared '(linked)': reads another group's variable once linked
    link: tuple | None = None  # (group, variable or subexpression name, index array or None)
    link_index: str = ""  # the integer variable of the same group whose values are the link's index, if one
    view_of: tuple | None = None  # a subgroup's linked variable: (the parent's Variable, first element, stop)

    @property
    def dtype(self) -> np.dtype:
        """The type of the stored values (Brian 2's ``G.variables['v'].dtype``)."""
        return self.array.dtype

    def values(self) -> np.ndarray:
        """The current values (a scalar for shared variables and links that read one value), following a link."""
        if self.view_of is not None:
            parent, start, stop = self.view_of
            values = parent.values()
            return values if np.ndim(values) == 0 else values[start:stop]
        if self.link is not None:
            group, name, index = self.link
            source = group.variables[name].values() if name in group.variables else group.subexpression_values(name)
            if np.ndim(source) == 0:
                return source
            if index is None:
                return source[0] if self.link_scalar else source
            return source[index]
        return self.array[0] if self.shared else self.array

    @property
    def link_scalar(self) -> bool:
        """Whether a link reads one value for all elements: a shared variable, or, without an index, the one
        element of a one-element group from a larger group (Brian 2 treats both as a shared value)."""
        if self.link is None:
            return False
        group, name, index = self.link
        if name in group.variables and group.variables[name].shared:
            return True
        return index is None and group.N == 1 and self.array.size != 1

    @property
    def var_type(self) -> str:
        if self.array.dtype == np.bool_:
            return "boolean"
        return "integer" if np.issubdtype(self.array.dtype, np.integer) else "float"


def whole_number(value: Any, what: str, minimum: int) -> int:
    """``value`` as an int: a whole number >= ``minimum`` (a numpy integer, or a float such as 1e3 as Brian 2
    accepts), never a bool (``NeuronGroup(True, ...)`` is a mistake, not one neuron)."""
    if (isinstance(value, bool | np.bool_) or not isinstance(value, numbers.Real) or not math.isfinite(value)
            or int(value) != value or value < minimum):
        accepted = "a positive whole number" if minimum == 1 else f"a whole number >= {minimum}"
        error = ModelValueError if isinstance(value, numbers.Real) and not isinstance(value, bool | np.bool_) \
            else ModelTypeError
        raise error(f"{what} must be {accepted}, not {value!r}")
    return int(value)


def why_not_writable(name: str, variable: Variable | None) -> str:
    """Why code that runs during a run (a reset, a pathway, run_regularly) must not assign to ``name``, as the
    end of a sentence 'it assigns to 'x', which ...'; empty if it may."""
    if name in CLOCK_NAMES:
        return "is the clock's time (or time step): only the clock changes it"
    if variable is None:
        return ""
    if variable.linked:
        return "is a linked variable: it reads another group's variable, and cannot be assigned to"
    if variable.constant:
        return ("is declared '(constant)': it may be set between runs (G.x = ...), not by code that runs during "
                "a run; remove the flag to let code change it")
    if variable.read_only:
        return "is read-only (simcore sets it)"
    if name == "lastspike":
        return "is the time of each neuron's last spike: only the threshold sets it"
    return ""


def check_writable(name: str, variable: Variable | None, what: str, position=None, source: str | None = None) -> None:
    """Refuse code (``what``: 'the reset of NeuronGroup ...') that assigns to a variable it may not change."""
    reason = why_not_writable(name, variable)
    if reason:
        raise ModelError(f"{what} assigns to '{name}', which {reason}", position, source)


def check_not_shared(name: str, variable: Variable | None, what: str, elements: str, position=None,
                     source: str | None = None) -> None:
    """Refuse code that runs for some ``elements`` only (a reset, a pathway) and assigns to a shared variable."""
    if variable is not None and variable.shared:
        raise ParseError(f"{what} assigns to the shared variable '{name}': code that runs for some {elements} only "
                         "cannot change a value they all share (Brian 2 refuses it too); change it in run_regularly "
                         "code, or drop '(shared)' to give each element its own", position, source)


def stored_values(variable: Variable, values: Any, what: str) -> Any:
    """``values`` if ``variable`` can hold them: an integer variable takes whole numbers in its range only (numpy
    would silently truncate 1.5 to 1, and turn NaN into an arbitrary integer)."""
    array = np.asarray(values)
    if variable.var_type != "integer" or array.dtype.kind in "biu":
        return values
    limits = np.iinfo(variable.array.dtype)
    with np.errstate(invalid="ignore"):
        fits = (array == np.round(array)) & (array >= limits.min) & (array < -float(limits.min))
    if not np.all(fits):
        first = np.flatnonzero(~np.atleast_1d(fits))[0]
        bad = np.atleast_1d(array)[first]
        element = f" (element {first} of the values)" if array.ndim else ""
        raise ModelValueError(f"{what} is an integer variable: it cannot hold {bad!s}{element}; give whole numbers "
                         f"between {limits.min} and {limits.max} (in a string, round with floor() or ceil())")
    return values


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


def check_index(indices: np.ndarray, size: int, where: str) -> np.ndarray:
    """Integer indices in range, or a clear error naming the bad one."""
    indices = np.asarray(indices)
    if indices.dtype == np.bool_:
        if indices.shape != (size,):
            raise ModelIndexError(f"a boolean index for {where} must have {size} elements, not {indices.shape}")
        return np.flatnonzero(indices)
    if not np.issubdtype(indices.dtype, np.integer):
        raise ModelTypeError(f"indices for {where} must be integers, not {indices.dtype}")
    if indices.ndim > 1:
        raise ModelIndexError(f"indices for {where} must be one number or a 1-d array, not an array of shape "
                              f"{indices.shape}")
    bad = indices[(indices < -size) | (indices >= size)]
    if bad.size:
        raise ModelIndexError(f"index {int(bad[0])} is out of range for {where}, which has {size} elements")
    return indices
