"""The names a model uses that are not its own variables: found in the run's namespace (an object's
``namespace=``, then the run's ``namespace=`` or the caller's frame), as Brian 2 does, and recorded as the
run-time constants of the kernels."""

from __future__ import annotations

from typing import Any

import numpy as np

from simcore.equations.model import GENERATED_CODE_NAMES
from simcore.equations.user_functions import is_user_function
from simcore.errors import ModelError, UnknownNameError
from simcore.ir import MatrixExponential, constant_name
from simcore.namespace import lookup
from simcore.units import to_si


class Names:
    """External names' values, looked up as an object's lowering asks for them (``resolve``): scalar constants
    (in SI units, keyed by their kernel names), user functions (TimedArrays, Functions), and the matrix
    exponentials whose entries ``run_constants`` computes from them."""

    def __init__(self, run_namespace: dict | None, frame: dict):
        self.run_namespace, self.frame = run_namespace, frame
        self.constants: dict[str, Any] = {}
        self.user_functions: dict[tuple[str, str], Any] = {}
        self.matrices: list[tuple[Any, MatrixExponential]] = []  # (group, matrix)
        self._entries: set[str] = set()  # the matrices' entries' kernel names (run_constants computes them)

    def value(self, group, name: str):
        """The value of ``name`` for ``group``'s model: its own namespace first, then the run's."""
        if name in GENERATED_CODE_NAMES:
            raise ModelError(f"the model of {group.where()} uses '{name}' as a constant, a name that generated "
                             "code gives to a module: rename it")
        found, value = lookup(name, group.namespace if group.namespace is not None else self.run_namespace,
                              self.frame)
        if not found and group.namespace is not None:
            found, value = lookup(name, self.run_namespace, self.frame)
        if not found:
            raise UnknownNameError(name, f"the model of {group.where()} uses '{name}', which is not a "
                                   "variable of the group, nor defined in the namespace of the run")
        return value

    def resolve(self, group, names, matrices: tuple[MatrixExponential, ...] = ()) -> dict[str, Any]:
        """Record the value of each external name ``group`` uses (and the matrices whose exponentials it needs);
        returns the user functions (Functions, TimedArrays) among ``names``, by name."""
        for matrix in matrices:
            self.resolve(group, matrix.constants)
            entries = {constant_name(group.name, name) for row in matrix.names for name in row}
            if not entries <= self._entries:
                self.matrices.append((group, matrix))
                self._entries |= entries
        for name in names:
            key = constant_name(group.name, name)
            if key in self.constants or key in self._entries or (group.name, name) in self.user_functions:
                continue
            value = self.value(group, name)
            if is_user_function(value):  # a TimedArray's values and time step, a Function's compiled version
                self.user_functions[group.name, name] = value
                self.constants.update({constant_name(group.name, key): v
                                       for key, v in value.kernel_values(name).items()})
                continue
            magnitude, _ = to_si(value)
            if np.ndim(magnitude) != 0:
                raise ModelError(f"'{name}' used by {group.where()} must be a scalar constant, not an array "
                                 f"of shape {np.shape(magnitude)}")
            self.constants[constant_name(group.name, name)] = float(magnitude)
        return {name: self.user_functions[group.name, name] for name in names
                if (group.name, name) in self.user_functions}


def resolve_names(run_namespace: dict | None, frame: dict) -> Names:
    """The plan's first stage: where external names are looked up (nothing is looked up yet)."""
    return Names(run_namespace, frame)
