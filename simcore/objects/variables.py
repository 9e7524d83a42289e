"""A group's variables: one contiguous SI array each (Variable), the types they are stored as, and the checks that
code and users' assignments go through (writable, not shared, whole numbers in range, indices in range). The views
through which users read and write them (``G.v``, ``G.v_``, ``linked_var``) are in variable_views.py."""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from typing import Any

import numpy as np

from simcore.errors import ModelError, ModelIndexError, ModelTypeError, ModelValueError, ParseError
from simcore.objects.base import CLOCK_NAMES
from simcore.objects.variable_views import LinkedVariable, VariableView, si_values
from simcore.preferences import default_float_dtype
from simcore.units.dimension import Dimension

# LinkedVariable, VariableView and si_values are imported from here by the synapse modules.
__all__ = ["LinkedVariable", "Variable", "VariableView", "check_index", "check_not_shared", "check_writable",
           "si_values", "stored_values", "variable_dtype", "whole_number", "why_not_writable"]

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
