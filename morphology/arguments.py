"""Checks of the arguments of Soma, Cylinder and Section: units, shapes and signs, each error saying which
constructor and which argument is wrong. What is refused here is what no geometry allows; what only a cable
simulation cannot use (zero lengths, zero areas) is refused later by ``flat.check_for_cable``."""

from __future__ import annotations

from typing import Any

import numpy as np

from simcore.errors import ModelTypeError, ModelValueError
from simcore.units import fail_for_dimension_mismatch, metre, to_si


def metres(where: str, name: str, value: Any) -> np.ndarray:
    """``value`` (a length Quantity, scalar or array) as a float array in metres; anything that is not a length is
    refused with both units in the message."""
    if isinstance(value, str):
        raise ModelTypeError(f"{where}: {name} must be a length such as 10*um, not the string {value!r}")
    fail_for_dimension_mismatch(value, metre, f"{where}: {name} must be a length")
    return np.array(to_si(value)[0], dtype=float)


def single_value(where: str, name: str, values: np.ndarray) -> float:
    """The one number of a scalar or a one-element array."""
    if values.shape not in ((), (1,)):
        raise ModelTypeError(f"{where}: {name} must be a single value, not an array of shape {values.shape}")
    return float(values.reshape(-1)[0])


def positive(where: str, name: str, values: np.ndarray) -> None:
    """Refuse zero, negative and non-finite values (a soma's or a cylinder's diameter), naming the first one."""
    _refuse(where, name, values, ~(np.isfinite(values) & (values > 0)), "positive and finite")


def non_negative(where: str, name: str, values: np.ndarray) -> None:
    """Refuse negative and non-finite values (lengths, a section's diameters), naming the first one; zero is
    geometry Brian 2 accepts (see sections.py)."""
    _refuse(where, name, values, ~(np.isfinite(values) & (values >= 0)), "finite and not negative")


def _refuse(where: str, name: str, values: np.ndarray, bad: np.ndarray, wanted: str) -> None:
    flat = np.flatnonzero(bad)
    if flat.size:
        index = int(flat[0])
        position = f" (value {index} of {values.size})" if values.size > 1 else ""
        raise ModelValueError(f"{where}: {name} must be {wanted}, but it is {values.reshape(-1)[index] * 1e6:g} um"
                              f"{position}")


def cone_diameters(where: str, diameters: np.ndarray) -> None:
    """A section's n+1 boundary diameters: none negative, and no compartment with 0 at both ends (no membrane and
    no cross-section: a line, not a cone)."""
    non_negative(where, "diameter", diameters)
    for k in np.flatnonzero((diameters[:-1] == 0) & (diameters[1:] == 0)):
        raise ModelValueError(f"{where}: compartment {k} has diameter 0 at both ends (values {k} and {k + 1} of "
                              f"{diameters.size}); only one end of a compartment may be 0, a cone ending in a point")


def coordinate_points(where: str, axes: tuple[Any, Any, Any], count: int, n: int) -> np.ndarray:
    """The (count, 3) points given by the x, y, z arguments (a missing axis is 0 everywhere)."""
    columns = []
    for name, axis in zip("xyz", axes, strict=True):
        if axis is None:
            columns.append(np.zeros(count))
            continue
        values = metres(where, name, axis)
        if values.ndim != 1 or values.shape[0] != count:
            what = "the start and end points" if count == 2 else f"the n+1 = {count} compartment boundaries"
            raise ModelTypeError(f"{where}: {name} must be a one-dimensional array of {count} values ({what}, "
                                 f"n = {n}), not of shape {values.shape}")
        if not np.all(np.isfinite(values)):
            raise ModelValueError(f"{where}: {name} must be finite, but it holds {values}")
        columns.append(values)
    return np.column_stack(columns)
