"""Quantities as numpy arrays: one array from (nested) lists of quantities, numpy functions that pint does not
implement (or not with ``out=``), ``array_equal`` across units, and the boolean arrays that ``==`` and ``!=`` give,
whose truth value is Brian 2's."""

from __future__ import annotations

from typing import Any

import numpy as np
import pint

from simcore.units.conversion import quantity_info
from simcore.units.dimension import DIMENSIONLESS
from simcore.units.mismatch import mismatch
from simcore.units.plain import as_quantity, is_scale_free

_Base = pint.UnitRegistry.Quantity

# Reductions and scans that keep the unit of their only operand.
SAME_UNIT_UFUNCS = frozenset({"add", "maximum", "minimum", "fmax", "fmin"})


def _flatten(values: Any) -> list:
    """The leaves of nested lists and tuples."""
    if isinstance(values, list | tuple):
        return [leaf for value in values for leaf in _flatten(value)]
    return [values]


def holds_quantities(value: Any) -> bool:
    """Whether ``value`` is a (nested) list or tuple with a quantity or unit among its leaves."""
    return isinstance(value, list | tuple) and any(isinstance(leaf, _Base | pint.UnitRegistry.Unit)
                                                   for leaf in _flatten(value))


def from_sequence(cls: type, values: list | tuple, dtype: Any) -> Any:
    """One array Quantity from (nested) lists of quantities, in the unit of the first one. Plain numbers may
    join only if they are 0, inf or nan, or if the quantities are dimensionless."""
    values = map_leaves(values, as_quantity)
    first = next(v for v in _flatten(values) if isinstance(v, _Base))
    dimensionless = quantity_info(first).dimension.is_dimensionless

    def magnitude(value: Any) -> Any:
        if isinstance(value, _Base):
            if quantity_info(value).dimension != quantity_info(first).dimension:
                raise mismatch("Cannot make one array of {a} and {b}", first, value)
            return value.m_as(first.units)
        if not (dimensionless or is_scale_free(value)):
            raise mismatch("Cannot make one array of {a} and {b}", first, value)
        return value

    return cls(np.array(map_leaves(values, magnitude), dtype=dtype or float), first.units)


def map_leaves(values: Any, function: Any) -> Any:
    """``function`` of each leaf of nested lists and tuples, nested as they are (in lists)."""
    if isinstance(values, list | tuple):
        return [map_leaves(value, function) for value in values]
    return function(values)


class EqualElements(np.ndarray):
    """The result of ``==`` with a quantity array: a boolean array whose truth value says whether all
    elements are equal. Brian 2's quantities are numpy arrays, so ``numpy.testing.assert_equal(q1, q2)`` and
    ``assert G.v[:] == 0*mV`` compare them element by element there; simcore's pint quantities are not, and
    numpy's rules would refuse the truth value of the comparison. Elementwise operations on it give plain
    arrays."""

    def __bool__(self) -> bool:
        return bool(np.all(self.view(np.ndarray)))

    def __array_ufunc__(self, ufunc: Any, method: str, *inputs: Any, **kwargs: Any) -> Any:
        inputs = tuple(x.view(np.ndarray) if isinstance(x, EqualElements | UnequalElements) else x for x in inputs)
        return getattr(ufunc, method)(*inputs, **kwargs)

    def __repr__(self) -> str:
        return repr(self.view(np.ndarray))


class UnequalElements(EqualElements):
    """The result of ``!=`` with a quantity array: true if any element differs (``not (a == b)``)."""

    def __bool__(self) -> bool:
        return bool(np.any(self.view(np.ndarray)))


def elementwise(result: Any, kind: type) -> Any:
    """A boolean array ``result`` as ``kind`` (EqualElements or UnequalElements), so that its truth value is
    Brian 2's; any other result as it is."""
    if isinstance(result, np.ndarray) and result.ndim > 0 and result.dtype == bool:
        return result.view(kind)
    return result


# numpy functions that pint does not implement: how the unit of the first quantity argument carries over.
FALLBACKS = {
    np.trace: "value", np.fliplr: "value", np.flipud: "value", np.real: "value", np.imag: "value",
    np.unique: "first", np.histogram: "last", np.argwhere: "none", np.flatnonzero: "none",
}  # fmt: skip


def fallback(func: Any, args: tuple, kwargs: dict) -> Any:
    """``func`` for quantities where pint has no implementation: every quantity argument in the unit of the
    first one (their dimensions must agree), the result in that unit as ``FALLBACKS`` says ("value": the
    result; "first"/"last": that item of a returned tuple, e.g. the bin edges of ``histogram``; "none": indices).
    """
    first = next(x for x in (*args, *kwargs.values()) if isinstance(x, _Base))
    dimension = quantity_info(first).dimension

    def magnitude(value: Any) -> Any:
        value = as_quantity(value)
        if not isinstance(value, _Base):
            return value
        if quantity_info(value).dimension != dimension:
            raise mismatch(f"numpy.{func.__name__}: cannot combine {{a}} and {{b}}", first, value)
        return value.m_as(first.units)

    result = func(*(magnitude(x) for x in args), **{key: magnitude(x) for key, x in kwargs.items()})
    rule = FALLBACKS[func]
    if rule == "value":
        return first.__class__(result, first.units)
    if rule == "none":
        return result
    if not isinstance(result, tuple):
        return first.__class__(result, first.units)
    position = 0 if rule == "first" else len(result) - 1
    return (*result[:position], first.__class__(result[position], first.units), *result[position + 1:])


def into(out: Any, result: Any, name: str) -> Any:
    """``out`` holding ``result`` (pint's numpy functions do not take ``out=``): converted to the unit of a
    quantity ``out``; a plain array ``out`` takes only dimensionless results."""
    if isinstance(out, _Base):
        out[...] = result
    elif isinstance(result, _Base) and not quantity_info(result).dimension.is_dimensionless:
        raise mismatch(f"numpy.{name}: cannot write a result in {{a}} into a plain array (out=)", result)
    else:
        out[...] = result
    return out


def same_values(func: Any, first: Any, second: Any, **kwargs: Any) -> bool:
    """``numpy.array_equal``/``array_equiv`` with quantities: False for different dimensions (a plain 0, inf or
    nan fits any), else numpy's answer for the SI values."""
    dimensions = [quantity_info(as_quantity(x)).dimension if isinstance(x, _Base | pint.UnitRegistry.Unit)
                  else None for x in (first, second)]
    if None in dimensions:
        plain = first if dimensions[0] is None else second
        if not (dimensions[0] == dimensions[1] or is_scale_free(plain) or DIMENSIONLESS in dimensions):
            return False
    elif dimensions[0] != dimensions[1]:
        return False
    return bool(func(np.asarray(first), np.asarray(second), **kwargs))
