"""Turning pint's DimensionalityError into simcore's DimensionMismatchError.

Messages name both sides by unit and dimension, e.g.
``Cannot add mV (volt) and ms (second)``.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np
import pint

from simcore.units.conversion import quantity_info, unit_info
from simcore.units.dimension import DIMENSIONLESS, Dimension
from simcore.units.errors import DimensionMismatchError
from simcore.units.formatting import units_str

_PLAIN = "a plain number (dimensionless)"


def _is_pint(obj: Any) -> bool:
    return hasattr(obj, "_REGISTRY") and hasattr(obj, "_units")


def dimension_of(obj: Any) -> Dimension | None:
    """Dimension of a pint object, a Dimension, a plain number/array; None if unknown."""
    if isinstance(obj, Dimension):
        return obj
    if _is_pint(obj):
        return quantity_info(obj).dimension
    if isinstance(obj, str):
        return DIMENSIONLESS if obj in ("", "dimensionless") else None
    if isinstance(obj, int | float | complex | np.ndarray | np.number):
        return DIMENSIONLESS
    return None


def describe(obj: Any, registry: Any = None) -> str:
    """'mV (volt)' for a Quantity, Unit or UnitsContainer; 'a plain number' otherwise."""
    if _is_pint(obj):
        registry, units = obj._REGISTRY, obj._units
    elif registry is not None and isinstance(obj, pint.util.UnitsContainer):
        units = obj
    elif isinstance(obj, Dimension):
        return "dimensionless" if obj.is_dimensionless else str(obj)
    elif isinstance(obj, str) and obj not in ("", "dimensionless"):
        return obj
    else:
        return _PLAIN
    dimension = unit_info(registry, units).dimension
    if dimension.is_dimensionless and not units:
        return _PLAIN
    return f"{units_str(registry, units)} ({'dimensionless' if dimension.is_dimensionless else dimension})"


def mismatch(template: str, first: Any, second: Any = "dimensionless", registry: Any = None):
    """A DimensionMismatchError whose message is ``template`` with {a} and {b} filled by
    descriptions of ``first`` and ``second`` (Quantities, Units, UnitsContainers...)."""
    message = template.format(a=describe(first, registry), b=describe(second, registry))
    dims = [d for d in (_dimension_or_none(first, registry), _dimension_or_none(second, registry)) if d]
    return DimensionMismatchError(message, *dims)


def _dimension_or_none(obj: Any, registry: Any) -> Dimension | None:
    if registry is not None and isinstance(obj, pint.util.UnitsContainer):
        return unit_info(registry, obj).dimension
    try:
        return dimension_of(obj)
    except (TypeError, ValueError):
        return None


def from_pint_error(error: pint.DimensionalityError, template: str, registry: Any):
    """Our error for a pint one, naming the two units pint reported."""
    return mismatch(template, error.units1, error.units2, registry)


def reraise(template: str):
    """Decorate a pint method so that its DimensionalityError surfaces as a
    DimensionMismatchError with ``template`` (``{a}``/``{b}``: the units pint reports)."""

    def decorate(method):
        @functools.wraps(method)
        def wrapper(self, *args, **kwargs):
            try:
                return method(self, *args, **kwargs)
            except DimensionMismatchError:
                raise
            except pint.DimensionalityError as error:
                raise from_pint_error(error, template, self._REGISTRY) from None

        return wrapper

    return decorate


def in_numpy(error: pint.DimensionalityError, name: str, registry: Any) -> DimensionMismatchError:
    """Our error for a mismatch inside numpy function ``name``, saying which function."""
    if isinstance(error, DimensionMismatchError):
        return DimensionMismatchError(f"numpy.{name}: {error.message}", *error.dimensions)
    return from_pint_error(error, f"numpy.{name}: cannot combine {{a}} and {{b}}", registry)
