"""A group's variables: one contiguous SI array each, and the unit-aware views
through which users read and write them (``G.v``, ``G.v_``, ``G.v['i > 3'] = ...``)."""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from simcore.errors import ModelError
from simcore.objects.base import CLOCK_NAMES
from simcore.preferences import default_float_dtype
from simcore.units import Quantity, get_unit, to_si
from simcore.units.dimension import Dimension
from simcore.units.errors import DimensionMismatchError
from simcore.units.helpers import best_unit

if TYPE_CHECKING:
    from simcore.objects.group import Group

DTYPES = {"float": np.float64, "boolean": np.bool_, "integer": np.int64}


def variable_dtype(var_type: str, dtype=None):
    """The array type of a model variable: booleans and integers as declared; floats as ``dtype`` (a group's
    ``dtype=``), else as ``prefs.core.default_float_dtype``."""
    if var_type != "float":
        return DTYPES[var_type]
    return dtype if dtype is not None else default_float_dtype()


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
    link: tuple | None = None  # (group, variable name, index array or None)

    def values(self) -> np.ndarray:
        """The current values (a scalar for shared variables), following a link."""
        if self.link is not None:
            group, name, index = self.link
            source = group.variables[name].values()
            return source if index is None or np.ndim(source) == 0 else source[index]
        return self.array[0] if self.shared else self.array

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
        raise ModelError(f"{what} must be {accepted}, not {value!r}")
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
        raise ModelError(f"{what} assigns to the shared variable '{name}': code that runs for some {elements} only "
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
        raise ModelError(f"{what} is an integer variable: it cannot hold {bad!s}{element}; give whole numbers "
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

    @property
    def quantity(self):
        variable = self.variable
        return with_unit(variable.values(), variable.dimension)

    def __getitem__(self, key):
        variable = self.variable
        values = variable.values()
        if np.ndim(values) == 0:
            return with_unit(values, variable.dimension)
        return with_unit(values[self.group.indices_for(key)], variable.dimension)

    def __setitem__(self, key, value) -> None:
        self.group.set_values(self.name, value, key)

    def __len__(self) -> int:
        return len(self.variable.array)

    def __array__(self, dtype=None, copy=None):
        return np.asarray(self.variable.values(), dtype=dtype)

    def _display(self):
        """The values in the prefixed unit that reads best (mV for membrane potentials)."""
        variable = self.variable
        values = variable.values()
        if variable.dimension.is_dimensionless:
            return values
        unit = best_unit(values, variable.dimension)
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
    def dimensions(self) -> Dimension:
        return self.variable.dimension


def _delegate(operator: str):
    def method(self, *args):
        return getattr(self.quantity, operator)(*(a.quantity if isinstance(a, VariableView) else a for a in args))
    method.__name__ = operator
    return method


for _operator in ("__add__", "__radd__", "__sub__", "__rsub__", "__mul__", "__rmul__", "__truediv__",
                  "__rtruediv__", "__pow__", "__neg__", "__pos__", "__abs__", "__lt__", "__le__", "__gt__",
                  "__ge__", "__eq__", "__ne__", "__float__", "__int__", "__bool__", "__floordiv__", "__mod__"):
    setattr(VariableView, _operator, _delegate(_operator))
VariableView.__hash__ = None


@dataclass(frozen=True)
class LinkedVariable:
    """What ``linked_var(G.v)`` returns: a link to assign to a '(linked)' parameter."""

    group: Any
    name: str
    index: np.ndarray | None = None


def linked_var(group_or_view, name: str | None = None, index=None) -> LinkedVariable:
    """Link a '(linked)' parameter to another group's variable: ``G2.v = linked_var(G1.v)`` or
    ``linked_var(G1, 'v', index=...)`` (index: for each element of G2, the element of G1)."""
    if isinstance(group_or_view, VariableView):
        group, name = group_or_view.group, group_or_view.name
    else:
        group = group_or_view
        if name is None or name not in getattr(group, "variables", {}):
            raise ModelError(f"linked_var: {getattr(group, 'name', group)!r} has no variable {name!r}")
    return LinkedVariable(group, name, None if index is None else np.asarray(index))


def check_index(indices: np.ndarray, size: int, where: str) -> np.ndarray:
    """Integer indices in range, or a clear error naming the bad one."""
    indices = np.asarray(indices)
    if indices.dtype == np.bool_:
        if indices.shape != (size,):
            raise ModelError(f"a boolean index for {where} must have {size} elements, not {indices.shape}")
        return np.flatnonzero(indices)
    if not np.issubdtype(indices.dtype, np.integer):
        raise ModelError(f"indices for {where} must be integers, not {indices.dtype}")
    bad = indices[(indices < -size) | (indices >= size)]
    if bad.size:
        raise ModelError(f"index {int(bad[0])} is out of range for {where}, which has {size} elements")
    return indices

