"""Linked variables: a group's '(linked)' parameter made to read another group's variable or subexpression."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np

from simcore.errors import ModelError, ModelNotImplementedError, ModelTypeError, ModelValueError
from simcore.objects.variable_views import LinkedVariable
from simcore.units.dimension import Dimension
from simcore.units.errors import DimensionMismatchError

if TYPE_CHECKING:
    from simcore.objects.group import Group


def link_variable(group: Group, name: str, link: LinkedVariable) -> None:
    """Make the '(linked)' parameter ``name`` read ``link``'s variable or subexpression (through an index array,
    or an integer variable of this group named by ``link.index``)."""
    variable = group.variables[name]
    if not variable.linked:
        raise ModelTypeError(f"'{name}' of {group.where()} is not declared '(linked)', so it cannot be linked")
    if not hasattr(link.group.root, "events"):
        raise ModelNotImplementedError(f"cannot link '{name}' of {group.where()} to '{link.name}' of "
                                       f"{link.group.where()}: links read the variables of neuron groups only")
    index_name = ""
    if isinstance(link.index, str):
        index_name = link.index
        index_variable = group.variables.get(index_name)
        if index_variable is None or index_variable.var_type != "integer" or index_variable.shared:
            raise ModelTypeError(f"the index for linking '{name}' of {group.where()} must name an integer "
                                 f"variable of {group.name} (one value per element), not {index_name!r}")
        link = replace(link, index=index_variable.array)
    source_dimension, shared, size = _link_source(link.group, link.name)
    if link.group.root is not link.group:  # a subgroup: link to its root, shifted (a shared value: itself)
        if index_name:
            raise ModelNotImplementedError(f"the index variable '{index_name}' for linking '{name}' of "
                                           f"{group.where()} must index the whole of {link.group.root.name}, "
                                           f"not its subgroup {link.group.name}")
        if link.index is None and size != group.N and not shared and size != 1:
            raise ModelValueError(_unindexed_link(name, group, link, size))
        if link.index is not None:
            _check_link_index(name, group, np.asarray(link.index), size)
        base = np.zeros(group.N, dtype=np.int64) if size == 1 and link.index is None else \
            np.arange(group.N) if link.index is None else link.index
        link = LinkedVariable(link.group.root, link.name, None if shared else np.asarray(base) + link.group.offset)
        size = link.group.N
    if source_dimension != variable.dimension:
        raise DimensionMismatchError(f"cannot link '{name}' of {group.where()} (units of {variable.dimension}) "
                                     f"to '{link.name}' of {link.group.where()} ({source_dimension})",
                                     variable.dimension, source_dimension)
    index = link.index
    if index is None and size != group.N and not shared and size != 1:  # as Brian 2: 1 element reads as shared
        raise ModelValueError(_unindexed_link(name, group, link, size))
    if index is not None and not index_name:
        index = _check_link_index(name, group, np.asarray(index), size).astype(np.int64)
    variable.link = (link.group, link.name, None if shared else index)
    variable.link_index = index_name if not shared else ""
    recheck = getattr(group, "_check_shared_subexpressions", None)  # a NeuronGroup's shared subexpressions
    if recheck is not None:
        try:
            recheck()
        except ModelError:
            variable.link, variable.link_index = None, ""
            raise


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
