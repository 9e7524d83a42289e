"""simcore's pint Quantity: Brian 2 semantics on top of pint's.

- A dimensionless result of arithmetic or of a numpy function is a plain Python
  float or numpy array holding the reduced value: ``(10*ms)/second -> 0.01``.
- ``np.asarray(q)`` gives the value in SI base units (``asarray(10*ms) -> 0.01``);
  ``float(q)`` works only for dimensionless quantities.
- Every dimension mismatch raises DimensionMismatchError naming both units.
- ``str(-70*mV) == '-70. mV'``; ``repr`` evaluates back in ``from simcore import *``.
- Comparing quantities of different dimensions raises (as in Brian 2), except
  comparisons with a plain 0, inf or nan.
"""

from __future__ import annotations

import functools
import operator
from typing import Any

import numpy as np
import pint

from simcore.units.conversion import quantity_info, si_magnitude
from simcore.units.dimension import Dimension
from simcore.units.errors import DimensionMismatchError
from simcore.units.formatting import magnitude_repr, magnitude_str, units_python, units_str
from simcore.units.mismatch import dimension_of, from_pint_error, in_numpy, mismatch, reraise
from simcore.units.plain import as_quantity, collapse, decay_numpy_args, has_pint, is_scale_free

_Base = pint.UnitRegistry.Quantity

# Reductions and scans that keep the unit of their only operand.
_SAME_UNIT_UFUNCS = frozenset({"add", "maximum", "minimum", "fmax", "fmin"})


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


def _from_sequence(cls: type, values: list) -> Any:
    """One array Quantity from a list of quantities, in the unit of the first one."""
    first = next(v for v in values if isinstance(v, _Base))
    magnitudes = []
    for value in values:
        if isinstance(value, _Base):
            magnitudes.append(value.m_as(first.units))
        elif quantity_info(first).dimension.is_dimensionless or is_scale_free(value):
            magnitudes.append(value)
        else:
            raise mismatch("Cannot make one array of {a} and {b}", first, value)
    return cls(np.array(magnitudes, dtype=float), first.units)


class Quantity(_Base):
    """A value (number or numpy array) with a physical unit. ``Quantity(value, unit)``."""

    def __new__(cls, value: Any = 1.0, units: Any = None):
        if units is None:
            if isinstance(value, pint.UnitRegistry.Unit):
                return super().__new__(cls, 1.0, value)
            if isinstance(value, list | tuple) and any(isinstance(v, _Base) for v in value):
                return _from_sequence(cls, [as_quantity(v) for v in value])
        if isinstance(value, int | np.integer | np.bool_):
            value = float(value)
        elif isinstance(value, np.ndarray) and value.dtype.kind in "biu":
            value = value.astype(np.float64)
        return super().__new__(cls, value, units)

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
    __floordiv__ = _op(_Base.__floordiv__, "Cannot floor-divide {a} by {b}", units_args=True)
    __rfloordiv__ = _op(_Base.__rfloordiv__, "Cannot floor-divide {b} by {a}", units_args=True)
    __ifloordiv__ = _op(_Base.__ifloordiv__, "Cannot floor-divide {a} by {b}", units_args=True)
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

    def _plain(self, kind: type) -> Any:
        info = quantity_info(self)
        if not info.dimension.is_dimensionless:
            name = units_python(self._REGISTRY, self._units) or "unit"
            name = name if name.isidentifier() else f"({name})"
            raise mismatch(
                f"Cannot convert {{a}} to a plain {kind.__name__}: divide it by a unit first, "
                f"e.g. {kind.__name__}(x/{name})",
                self,
            )
        return kind(si_magnitude(self))

    def __float__(self) -> float:
        return self._plain(float)

    def __int__(self) -> int:
        return self._plain(int)

    def __complex__(self) -> complex:
        return self._plain(complex)

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        """The value in SI base units (as Brian 2): ``np.asarray(10*ms) -> 0.01``."""
        value = si_magnitude(self)
        if copy is False and value is not self._magnitude:
            raise ValueError("A quantity's SI value cannot be given without a copy (copy=False)")
        return np.array(value, dtype=dtype, copy=copy)

    # --- comparisons ------------------------------------------------------------------
    def compare(self, other: Any, op: Any) -> Any:
        other = as_quantity(other)
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
        other = as_quantity(other)
        if other is None or isinstance(other, str):
            return False
        mine = quantity_info(self).dimension
        if isinstance(other, _Base):
            if quantity_info(other).dimension != mine:
                raise mismatch("Cannot compare {a} and {b}", self, other)
        elif not mine.is_dimensionless:
            if not is_scale_free(other):
                raise mismatch("Cannot compare {a} and {b}", self, other)
            return self._magnitude == other
        return _Base.__eq__(self, other)

    def __ne__(self, other: Any) -> Any:
        equal = self.__eq__(other)
        return np.logical_not(equal) if isinstance(equal, np.ndarray) else not equal

    __hash__ = _Base.__hash__

    # --- numpy ------------------------------------------------------------------------
    def __array_ufunc__(self, ufunc: Any, method: str, *inputs: Any, **kwargs: Any) -> Any:
        if method in ("reduce", "accumulate", "reduceat") and ufunc.__name__ in _SAME_UNIT_UFUNCS:
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
        if not spec:
            return str(self)
        if np.ndim(self._magnitude) == 0:
            text = format(self._magnitude, spec)
            return f"{text} {units_str(self._REGISTRY, self._units)}" if self._units else text
        return _Base.__format__(self, spec)

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(str(self))

    def _repr_html_(self) -> str:
        return str(self)

    def _repr_latex_(self) -> str:
        return str(self)
