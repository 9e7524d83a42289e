"""simcore's pint Quantity: Brian 2 semantics on top of pint's.

- A dimensionless result of arithmetic or of a numpy function is a plain Python
  float or numpy array holding the reduced value: ``(10*ms)/second -> 0.01``.
- ``np.asarray(q)``, ``float(q)`` and ``int(q)`` give the value in SI base units
  (``asarray(10*ms) -> 0.01``, ``float(0.1*ms) -> 0.0001``), as for Brian 2's quantities, which
  are numpy arrays; so ``np.array([0, 1/dt])`` holds SI values too.
- ``q1 == q2`` on arrays gives a boolean array whose truth value means "all equal".
- Every dimension mismatch raises DimensionMismatchError naming both units.
- ``str(-70*mV) == '-70. mV'``; ``repr`` evaluates back in ``from simcore import *``.
- Comparing quantities of different dimensions raises (as in Brian 2), except
  comparisons with a plain 0, inf or nan.

What numpy needs beyond pint (arrays from lists of quantities, functions pint lacks, the
results of ``==``) is in quantity_arrays.py.
"""

from __future__ import annotations

import functools
import operator
from typing import Any

import numpy as np
import pint

from simcore.errors import ModelTypeError
from simcore.units.conversion import quantity_info, si_magnitude
from simcore.units.dimension import DIMENSIONLESS, Dimension, get_or_create_dimension
from simcore.units.errors import DimensionMismatchError
from simcore.units.formatting import (
    magnitude_repr,
    magnitude_str,
    quantity_html,
    quantity_latex,
    units_python,
    units_str,
)
from simcore.units.mismatch import dimension_of, from_pint_error, in_numpy, mismatch, reraise
from simcore.units.plain import as_quantity, collapse, decay_numpy_args, has_pint, is_scale_free
from simcore.units.quantity_arrays import (
    FALLBACKS,
    SAME_UNIT_UFUNCS,
    EqualElements,
    UnequalElements,
    elementwise,
    fallback,
    from_sequence,
    holds_quantities,
    into,
    map_leaves,
    same_values,
)

_Base = pint.UnitRegistry.Quantity


def _op(method: Any, template: str, units_args: bool = False) -> Any:
    """Wrap a pint operator: Units as operands (if ``units_args``), our error for
    pint's DimensionalityError (``template`` with {a}, {b}), dimensionless results
    collapsed to plain numbers."""

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        if units_args:
            args = tuple(as_quantity(arg) for arg in args)
        try:
            result = method(self, *args, **kwargs)
        except DimensionMismatchError:
            raise
        except pint.DimensionalityError as error:
            raise from_pint_error(error, template, self._REGISTRY) from None
        return collapse(result)

    return wrapper


def si_unit_of(dim: Any) -> Any:
    """The coherent SI unit of a Dimension (imported when used: helpers imports this module)."""
    from simcore.units.helpers import get_unit

    if not isinstance(dim, Dimension):
        raise ModelTypeError(f"dim= needs a Dimension (e.g. second.dim), not {dim!r}")
    return get_unit(dim)


def _floor_divide(dividend: Any, divisor: Any) -> Any:
    """``floor(dividend / divisor)`` of the SI values, in the SI unit of the quotient's dimension."""
    values, dimensions = [], []
    for operand in (as_quantity(dividend), as_quantity(divisor)):
        if isinstance(operand, _Base):
            values.append(si_magnitude(operand))
            dimensions.append(quantity_info(operand).dimension)
        else:
            values.append(operand)
            dimensions.append(DIMENSIONLESS)
    dimension = dimensions[0] / dimensions[1]
    result = np.floor_divide(*values)
    if np.ndim(result) == 0:
        result = float(result)
    if dimension.is_dimensionless:
        return result
    unit = si_unit_of(dimension)
    return unit._REGISTRY.Quantity(result, unit)



def _operand(value: Any) -> Any:
    """The other side of a comparison: a pint Unit as 1*unit, and an object that shows its values as a Quantity
    through a ``quantity`` property (a group's variable, ``G.v``) as that Quantity."""
    value = as_quantity(value)
    if not isinstance(value, _Base) and isinstance(getattr(type(value), "quantity", None), property):
        return value.quantity
    return value

class Quantity(_Base):
    """A value (number or numpy array) with a physical unit. ``Quantity(value, unit)``, or a number times a unit:

    >>> from simcore import mV, ms, nA
    >>> v = -70*mV
    >>> v + 5*mV
    -65. * mV
    >>> v / (10*ms)
    -7. * (mV/ms)
    >>> [1, 2, 3]*nA
    array([1., 2., 3.]) * nA
    >>> float(v / mV)
    -70.0
    >>> v + 3*ms
    Traceback (most recent call last):
    ...
    simcore.units.errors.DimensionMismatchError: Cannot add mV (volt) and ms (second)
    """

    def __new__(cls, value: Any = 1.0, units: Any = None, dim: Any = None, dtype: Any = None, copy: bool = False,
                force_quantity: bool = False):
        """``Quantity(value, unit)`` (pint's), or Brian 2's ``Quantity(value_in_SI, dim=...)``. A quantity as
        value gives a quantity that shares its array unless ``copy=True``; (nested) lists of quantities give
        one array in the unit of the first. ``force_quantity`` is accepted for Brian 2 (a dimensionless
        Quantity is always a Quantity here)."""
        if isinstance(units, Dimension):
            units, dim = None, units if dim is None else dim
        if dim is not None:
            if units is not None:
                raise ModelTypeError(f"Quantity() takes a unit or dim=, not both (got {units!r} and dim={dim!r})")
            unit = si_unit_of(dim)
            if isinstance(value, _Base | pint.UnitRegistry.Unit) or holds_quantities(value):
                raise ModelTypeError(f"Quantity(..., dim={dim!r}) takes plain values in SI units, not {value!r}")
            return cls(value, unit, dtype=dtype, copy=copy)
        if units is None:
            if isinstance(value, pint.UnitRegistry.Unit):
                return super().__new__(cls, 1.0 if dtype is None else np.asarray(1.0, dtype=dtype), value)
            if isinstance(value, _Base):
                magnitude = value._magnitude
                if copy or dtype is not None:
                    magnitude = np.array(magnitude, dtype=dtype)
                return super().__new__(cls, magnitude, value._units)
            if holds_quantities(value):
                return from_sequence(cls, value, dtype)
        if dtype is not None or copy:
            value = np.array(value, dtype=dtype)
        if isinstance(value, int | np.integer | np.bool_):
            value = float(value)
        elif isinstance(value, np.ndarray) and value.dtype.kind in "biu" and dtype is None:
            value = value.astype(np.float64)
        elif isinstance(value, list | tuple):
            value = np.array(value, dtype=None if value else float)
            if value.dtype.kind in "biu":
                value = value.astype(np.float64)
        if isinstance(value, np.ndarray) and value.dtype.kind not in "biufc":
            raise ModelTypeError(f"a Quantity holds numbers, not {value.dtype} values ({value!r})")
        return super().__new__(cls, value, units)

    @classmethod
    def with_dimensions(cls, value: Any, *args: Any, **powers: Any) -> Any:
        """Brian 2's ``Quantity.with_dimensions(value, dim)`` or ``(value, second=1)``: ``value`` in SI units."""
        if len(args) == 1 and isinstance(args[0], Dimension):
            return cls(value, dim=args[0])
        return cls(value, dim=get_or_create_dimension(*args, **powers))

    def __reduce__(self):
        return self._REGISTRY.unpickle_quantity, (self._magnitude, self._units)

    # --- arithmetic -------------------------------------------------------------------
    __add__ = _op(_Base.__add__, "Cannot add {a} and {b}", units_args=True)
    __radd__ = _op(_Base.__radd__, "Cannot add {a} and {b}", units_args=True)
    __iadd__ = _op(_Base.__iadd__, "Cannot add {a} and {b}", units_args=True)
    __sub__ = _op(_Base.__sub__, "Cannot subtract {b} from {a}", units_args=True)
    __rsub__ = _op(_Base.__rsub__, "Cannot subtract {a} from {b}", units_args=True)
    __isub__ = _op(_Base.__isub__, "Cannot subtract {b} from {a}", units_args=True)
    __mul__ = _op(_Base.__mul__, "Cannot multiply {a} and {b}")
    __rmul__ = _op(_Base.__rmul__, "Cannot multiply {a} and {b}")
    __imul__ = _op(_Base.__imul__, "Cannot multiply {a} and {b}")
    __matmul__ = _op(_Base.__matmul__, "Cannot multiply {a} and {b}")
    __truediv__ = _op(_Base.__truediv__, "Cannot divide {a} and {b}")
    __rtruediv__ = _op(_Base.__rtruediv__, "Cannot divide {a} and {b}")
    __itruediv__ = _op(_Base.__itruediv__, "Cannot divide {a} and {b}")
    # Floor division as in Brian 2: the floor of the quotient of the SI values, in the quotient's dimension
    # (``(7*mV)//(2*mV) == 3``, ``(7*mV)//0.002 == 3*volt``).
    def __floordiv__(self, other: Any) -> Any:
        return _floor_divide(self, other)

    def __rfloordiv__(self, other: Any) -> Any:
        return _floor_divide(other, self)

    __ifloordiv__ = __floordiv__
    __mod__ = _op(_Base.__mod__, "Cannot take {a} modulo {b}", units_args=True)
    __rmod__ = _op(_Base.__rmod__, "Cannot take {b} modulo {a}", units_args=True)
    __imod__ = _op(_Base.__imod__, "Cannot take {a} modulo {b}", units_args=True)
    __divmod__ = _op(_Base.__divmod__, "Cannot divmod {a} by {b}", units_args=True)
    __rdivmod__ = _op(_Base.__rdivmod__, "Cannot divmod {b} by {a}", units_args=True)
    __pow__ = _op(_Base.__pow__, "An exponent must be dimensionless, not {a}")
    __rpow__ = _op(_Base.__rpow__, "An exponent must be dimensionless, not {a}")
    __ipow__ = _op(_Base.__ipow__, "An exponent must be dimensionless, not {a}")
    __neg__ = _op(_Base.__neg__, "")
    __pos__ = _op(_Base.__pos__, "")
    __abs__ = _op(_Base.__abs__, "")
    __round__ = _op(_Base.__round__, "")

    # --- conversions ------------------------------------------------------------------
    to = reraise("Cannot convert {a} to {b}")(_Base.to)
    ito = reraise("Cannot convert {a} to {b}")(_Base.ito)
    m_as = reraise("Cannot convert {a} to {b}")(_Base.m_as)
    clip = reraise("Cannot clip values in {b} to bounds in {a}")(_Base.clip)
    put = reraise("Cannot put {a} into an array in {b}")(_Base.put)
    fill = reraise("Cannot fill with {a}")(_Base.fill)
    searchsorted = reraise("Cannot search {a} in an array in {b}")(_Base.searchsorted)
    _setitem = reraise("Cannot assign {a} to an array in {b}")(_Base.__setitem__)

    def __setitem__(self, key: Any, value: Any) -> None:
        value = as_quantity(value)
        if not isinstance(value, _Base) and is_scale_free(value):
            self._magnitude[key] = value  # 0, inf and nan mean the same in every unit
        else:
            self._setitem(key, value)

    # As in Brian 2 (whose quantities are numpy arrays): the value in SI base units, float(3*mV) == 0.003.
    def __float__(self) -> float:
        return float(si_magnitude(self))

    def __int__(self) -> int:
        return int(si_magnitude(self))

    def __complex__(self) -> complex:
        return complex(si_magnitude(self))

    def tolist(self) -> Any:
        """Nested lists of scalar quantities (Brian 2's ``tolist``); ``Quantity(q.tolist())`` gives ``q`` back."""
        return map_leaves(np.asarray(self._magnitude).tolist(), lambda value: self.__class__(value, self._units))

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        """The value in SI base units (as Brian 2): ``np.asarray(10*ms) -> 0.01``."""
        value = si_magnitude(self)
        if copy is False and value is not self._magnitude:
            raise ValueError("A quantity's SI value cannot be given without a copy (copy=False)")
        return np.array(value, dtype=dtype, copy=copy)

    # --- comparisons ------------------------------------------------------------------
    def compare(self, other: Any, op: Any) -> Any:
        other = _operand(other)
        if not isinstance(other, _Base) and not quantity_info(self).dimension.is_dimensionless:
            if not is_scale_free(other):
                raise mismatch("Cannot compare {a} and {b}", self, other)
            return op(self._magnitude, other)
        try:
            return _Base.compare(self, other, op)
        except pint.DimensionalityError as error:
            raise from_pint_error(error, "Cannot compare {a} and {b}", self._REGISTRY) from None

    __lt__ = lambda self, other: self.compare(other, operator.lt)  # noqa: E731
    __le__ = lambda self, other: self.compare(other, operator.le)  # noqa: E731
    __gt__ = lambda self, other: self.compare(other, operator.gt)  # noqa: E731
    __ge__ = lambda self, other: self.compare(other, operator.ge)  # noqa: E731

    def __eq__(self, other: Any) -> Any:
        return elementwise(self._equal(other), EqualElements)

    def _equal(self, other: Any) -> Any:
        other = _operand(other)
        if other is None or isinstance(other, str):
            return False
        mine = quantity_info(self).dimension
        if isinstance(other, _Base):
            if quantity_info(other).dimension != mine:
                raise mismatch("Cannot compare {a} and {b}", self, other)
            # both in SI, as every value is stored: 30*um equals what a variable set to 30*um holds, whichever
            # side is written first (pint would convert one side into the other's unit, and round differently)
            equal = np.equal(si_magnitude(self), si_magnitude(other))
            return bool(equal) if np.ndim(equal) == 0 else equal
        elif not mine.is_dimensionless:
            if not is_scale_free(other):
                raise mismatch("Cannot compare {a} and {b}", self, other)
            return self._magnitude == other
        return _Base.__eq__(self, other)

    def __ne__(self, other: Any) -> Any:
        equal = self._equal(other)
        return elementwise(np.logical_not(equal), UnequalElements) if isinstance(equal, np.ndarray) else not equal

    __hash__ = _Base.__hash__

    # --- numpy ------------------------------------------------------------------------
    def __array_ufunc__(self, ufunc: Any, method: str, *inputs: Any, **kwargs: Any) -> Any:
        if method in ("reduce", "accumulate", "reduceat") and ufunc.__name__ in SAME_UNIT_UFUNCS:
            if inputs[0] is self and not any(isinstance(x, _Base) for x in inputs[1:]):
                values = getattr(ufunc, method)(self._magnitude, *inputs[1:], **kwargs)
                return collapse(self.__class__(values, self._units))
        inputs, kwargs = decay_numpy_args(inputs, kwargs)
        if not has_pint(inputs, kwargs):
            return getattr(ufunc, method)(*inputs, **kwargs)
        try:
            result = _Base.__array_ufunc__(self, ufunc, method, *inputs, **kwargs)
        except pint.DimensionalityError as error:
            if ufunc.nin == 1:
                template = f"numpy.{ufunc.__name__} needs a dimensionless argument, not {{a}}"
                raise mismatch(template, inputs[0]) from None
            raise in_numpy(error, ufunc.__name__, self._REGISTRY) from None
        return collapse(result)

    def __array_function__(self, func: Any, types: Any, args: Any, kwargs: Any) -> Any:
        args, kwargs = decay_numpy_args(args, kwargs)
        if not has_pint(args, kwargs):
            return func(*args, **kwargs)
        if func in (np.array_equal, np.array_equiv):
            return same_values(func, *args, **kwargs)
        if func in FALLBACKS:
            return collapse(fallback(func, args, kwargs))
        if func is np.concatenate and kwargs.get("out") is not None and kwargs.get("dtype") is not None:
            # numpy refuses both for plain arrays; out= would otherwise silently decide the dtype
            raise ModelTypeError("numpy.concatenate takes out= or dtype=, not both (the dtype of out= is the "
                                 "result's)")
        if isinstance(kwargs.get("out"), np.ndarray | _Base):
            return into(kwargs.pop("out"), self.__array_function__(func, types, args, kwargs), func.__name__)
        try:
            result = _Base.__array_function__(self, func, types, args, kwargs)
        except pint.DimensionalityError as error:
            raise in_numpy(error, func.__name__, self._REGISTRY) from None
        return collapse(result)

    # --- Brian 2 API ------------------------------------------------------------------
    @property
    def dimensions(self) -> Dimension:
        """The physical Dimension of this quantity."""
        return quantity_info(self).dimension

    dim = dimensions

    def has_same_dimensions(self, other: Any) -> bool:
        """Whether ``other`` (quantity, unit or plain number) has this dimension."""
        return self.dimensions == dimension_of(other)

    def in_unit(self, unit: Any, precision: int | None = None) -> str:
        """The value written in ``unit``: ``(-0.07*volt).in_unit(mV) == '-70. mV'``."""
        if isinstance(unit, str):
            unit = self._REGISTRY.parse_units(unit)
        elif isinstance(unit, _Base):
            unit = unit.units
        value = self.m_as(unit)
        return f"{magnitude_str(value, precision)} {units_str(self._REGISTRY, unit._units)}".rstrip()

    def get_best_unit(self) -> Any:
        """The unit in which this quantity reads best (Brian 2's method): ``(np.arange(10)*mV).get_best_unit()
        is mV``; see ``in_best_unit``."""
        from simcore.units.helpers import best_unit  # helpers imports this module

        return best_unit(si_magnitude(self), self.dimensions)

    def in_best_unit(self, precision: int | None = None) -> str:
        """The value written in the unit in which it reads best: ``(0.00123456*volt).in_best_unit() ==
        '1.23456 mV'``."""
        return self.in_unit(self.get_best_unit(), precision)

    # --- text -------------------------------------------------------------------------
    def __str__(self) -> str:
        text = magnitude_str(self._magnitude)
        if not self._units:
            return text
        return f"{text} {units_str(self._REGISTRY, self._units)}"

    def __repr__(self) -> str:
        name = units_python(self._REGISTRY, self._units)
        if name is None:
            return f"Quantity({magnitude_repr(self._magnitude)}, {str(self._units)!r})"
        if name == "1":
            return f"Quantity({magnitude_repr(self._magnitude)})"
        if not name.isidentifier():
            name = f"({name})"
        return f"{magnitude_repr(self._magnitude)} * {name}"

    def __format__(self, spec: str) -> str:
        """``f"{q}"`` is ``str(q)``; with a format spec, the SI value is formatted, as in Brian 2
        (``f"{0.5*ms:g}" == "0.0005"``)."""
        if not spec:
            return str(self)
        return format(np.asarray(si_magnitude(self)), spec)

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(str(self))

    def _repr_html_(self) -> str:
        """Jupyter's display: ``str`` in HTML, a long array cut to its first and last elements."""
        return quantity_html(self._REGISTRY, self._magnitude, self._units)

    def _repr_latex_(self) -> str:
        """The quantity typeset: ``$3.0\\,\\mathrm{mV}$`` (also for notebooks exported to LaTeX)."""
        return quantity_latex(self._REGISTRY, self._magnitude, self._units)
