"""simcore's pint Unit: short text forms, SI value through ``np.asarray``, Dimension.

Units combine with units into units (``mV/ms``, ``siemens/metre**2``); with numbers
and arrays they make Quantities (``-70*mV``), whose rules apply from then on.
A unit stands for the quantity ``1*unit`` wherever a number is needed
(``float(mV/volt) == 0.001``, ``np.asarray(mV) == 0.001``, ``mV + 1*mV``).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pint
from pint.util import UnitsContainer

from simcore.errors import ModelTypeError, ModelValueError
from simcore.units.conversion import quantity_info
from simcore.units.dimension import Dimension
from simcore.units.formatting import units_python, units_str
from simcore.units.plain import as_quantity, collapse
from simcore.units.quantity import si_unit_of

_Base = pint.UnitRegistry.Unit


class Unit(_Base):
    """A physical unit such as ``mV``, ``ms`` or ``siemens/metre**2``."""

    def __init__(self, units: Any, dim: Dimension | None = None) -> None:
        """``Unit('mV')`` or a pint UnitsContainer (pint's); also Brian 2's ``Unit(1)`` (dimensionless) and
        ``Unit(1, dim=...)`` (the coherent SI unit of that dimension)."""
        if isinstance(units, int | float | np.integer | np.floating) and not isinstance(units, bool):
            if units != 1:
                raise ModelValueError(f"Unit({units!r}): a unit has the value 1; write a Quantity for other values "
                                      f"(e.g. {units!r}*second)")
            units = UnitsContainer()
            if dim is not None:
                units = si_unit_of(dim)._units
        elif dim is not None:
            raise ModelTypeError(f"Unit({units!r}, dim=...): dim= goes with the value 1 only")
        super().__init__(units)

    def __reduce__(self):
        return self._REGISTRY.unpickle_unit, (self._units,)

    @property
    def dimensions(self) -> Dimension:
        """The physical Dimension of this unit."""
        return quantity_info(self).dimension

    dim = dimensions

    def _one(self) -> Any:
        return self._REGISTRY.Quantity(1.0, self._units)

    # --- with numbers ---------------------------------------------------------------------
    def __mul__(self, other: Any) -> Any:
        if isinstance(other, int | float | np.integer | np.floating) and not isinstance(other, bool):
            return collapse(self._REGISTRY.Quantity(float(other), self._units))  # fast path: -70*mV
        return _Base.__mul__(self, other)

    __rmul__ = __mul__

    def __rtruediv__(self, other: Any) -> Any:
        """``1/second`` is a Unit (as in Brian 2, e.g. for unit declarations); other numbers make Quantities."""
        if isinstance(other, int | float | np.integer | np.floating) and not isinstance(other, bool) and other == 1:
            return self**-1
        return _Base.__rtruediv__(self, other)

    # --- as the quantity 1*unit -------------------------------------------------------
    def __add__(self, other: Any) -> Any:
        return self._one() + as_quantity(other)

    def __radd__(self, other: Any) -> Any:
        return as_quantity(other) + self._one()

    def __sub__(self, other: Any) -> Any:
        return self._one() - as_quantity(other)

    def __rsub__(self, other: Any) -> Any:
        return as_quantity(other) - self._one()

    def __neg__(self) -> Any:
        return -self._one()

    def __pos__(self) -> Any:
        return self._one()

    def __abs__(self) -> Any:
        return self._one()

    def __float__(self) -> float:
        return float(self._one())

    def __int__(self) -> int:
        return int(self._one())

    def __complex__(self) -> complex:
        return complex(self._one())

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        """The unit's value in SI base units: ``np.asarray(mV) -> array(0.001)``."""
        return np.asarray(self._one(), dtype=dtype)

    def __array_ufunc__(self, ufunc: Any, method: str, *inputs: Any, **kwargs: Any) -> Any:
        inputs = tuple(self._one() if value is self else value for value in inputs)
        return getattr(ufunc, method)(*inputs, **kwargs)

    # --- text -------------------------------------------------------------------------
    def __str__(self) -> str:
        # pint compares str(unit) with full unit names while it loads its definitions;
        # the registry switches to short text once it is built (registry.py).
        if not getattr(self._REGISTRY, "short_text", False):
            return _Base.__str__(self)
        return units_str(self._REGISTRY, self._units)

    def __repr__(self) -> str:
        name = units_python(self._REGISTRY, self._units)
        return name if name is not None else f"Unit({str(self._units)!r})"

    def __format__(self, spec: str) -> str:
        return str(self) if not spec else _Base.__format__(self, spec)

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(str(self))

    def _repr_html_(self) -> str:
        return str(self)

    def _repr_latex_(self) -> str:
        return str(self)
