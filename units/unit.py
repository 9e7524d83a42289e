"""simcore's pint Unit: short text forms, SI value through ``np.asarray``, Dimension.

Units combine with units into units (``mV/ms``, ``siemens/metre**2``); with numbers
and arrays they make Quantities (``-70*mV``), whose rules apply from then on.
A unit stands for the quantity ``1*unit`` wherever a number is needed
(``float(mV/volt) == 0.001``, ``np.asarray(mV) == 0.001``, ``mV + 1*mV``).
Brian 2's ``Unit(10.0**scale, dim=..., name=..., dispname=..., latexname=...)`` and ``Unit.create`` define a
new pint unit in the registry, shown by its display and LaTeX names.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pint
from pint.util import UnitsContainer

from simcore.errors import ModelTypeError, ModelValueError
from simcore.units.conversion import quantity_info
from simcore.units.dimension import DIMENSIONLESS, Dimension
from simcore.units.formatting import name_unit, units_html, units_latex, units_python, units_str
from simcore.units.plain import as_quantity, collapse
from simcore.units.quantity import si_unit_of

_Base = pint.UnitRegistry.Unit

#: Units defined through ``Unit(..., name=/dispname=/latexname=/scale=)``: (value, Dimension, name, dispname,
#: latexname) -> their pint name, so that the same definition made again gives the same unit.
_DEFINED: dict[tuple, str] = {}
#: pint name -> the name given to ``Unit(..., name=...)``, where pint knew that name already.
_GIVEN_NAMES: dict[str, str] = {}


def _dimension(dim: Any) -> Dimension:
    if not isinstance(dim, Dimension):
        raise ModelTypeError(f"Unit(..., dim=...) needs a Dimension (e.g. volt.dim), not {dim!r}")
    return dim


def _define(registry: Any, value: float, dim: Dimension, name: str | None, dispname: str | None,
            latexname: str | None) -> UnitsContainer:
    """A new pint unit worth ``value`` SI units of ``dim``, displayed as ``dispname``. Its pint name (what
    ``repr`` and pickles use) is ``name`` where that is an identifier pint does not know yet, else a free
    ``user_unit_<k>``."""
    for text, label in ((name, "name"), (dispname, "dispname"), (latexname, "latexname")):
        if text is not None and not isinstance(text, str):
            raise ModelTypeError(f"Unit(..., {label}=...) takes a string, not {text!r}")
    key = (value, dim, name, dispname, latexname)
    pint_name = _DEFINED.get(key)
    if pint_name is None:
        pint_name = name if name is not None and name.isidentifier() and not registry.parse_unit_name(name) else None
        count = len(_DEFINED)
        while pint_name is None or registry.parse_unit_name(pint_name):
            count += 1
            pint_name = f"user_unit_{count}"
        base = "" if dim.is_dimensionless else f" * {dim.as_pint_string()}"
        registry.define(f"{pint_name} = {value!r}{base}")
        if name is not None and name != pint_name:
            _GIVEN_NAMES[pint_name] = name
        symbol = dispname if dispname is not None else name if name is not None else pint_name
        name_unit(pint_name, symbol, latexname if latexname is not None else rf"\mathrm{{{symbol}}}")
        _DEFINED[key] = pint_name
    return UnitsContainer({pint_name: 1})


class Unit(_Base):
    """A physical unit such as ``mV``, ``ms`` or ``siemens/metre**2``."""

    def __init__(self, units: Any, dim: Dimension | None = None, scale: float = 0, name: str | None = None,
                 dispname: str | None = None, latexname: str | None = None) -> None:
        """``Unit('mV')`` or a pint UnitsContainer (pint's); also Brian 2's ``Unit(1)`` (dimensionless),
        ``Unit(1, dim=...)`` (the coherent SI unit of that dimension) and ``Unit(10.0**scale, dim=..., scale=...,
        name=..., dispname=..., latexname=...)``: a new unit worth ``10**scale`` in SI units of ``dim``, shown as
        ``dispname`` (default: ``name``) and in LaTeX as ``latexname`` (default: ``\\mathrm{dispname}``)."""
        naming = scale != 0 or name is not None or dispname is not None or latexname is not None
        if isinstance(units, int | float | np.integer | np.floating) and not isinstance(units, bool):
            if not math.isclose(units, 10.0**scale, rel_tol=1e-12):
                hint = "" if scale else f"; write a Quantity for other values (e.g. {units!r}*second)"
                raise ModelValueError(f"Unit({units!r}, scale={scale!r}): a unit has the value 10**scale{hint}")
            dimension = DIMENSIONLESS if dim is None else _dimension(dim)
            if naming:
                units = _define(self._REGISTRY, 10.0**scale, dimension, name, dispname, latexname)
            else:
                units = si_unit_of(dimension)._units if dim is not None else UnitsContainer()
        elif dim is not None or naming:
            raise ModelTypeError(f"Unit({units!r}, ...): dim=, scale=, name=, dispname= and latexname= go with a "
                                 "value, as in Unit(1, dim=volt.dim, dispname='V')")
        super().__init__(units)

    @classmethod
    def create(cls, dim: Dimension, name: str, dispname: str, latexname: str | None = None,
               scale: float = 0) -> Unit:
        """A new named unit (Brian 2's ``Unit.create``): ``Unit.create(volt.dim, 'kvolt2', 'kV2', scale=3)``."""
        return cls(10.0**scale, dim=dim, scale=scale, name=name, dispname=dispname, latexname=latexname)

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
        return units_html(self._REGISTRY, self._units)

    def _repr_latex_(self) -> str:
        return f"${self.latexname}$"

    def _latex(self, printer: Any = None) -> str:
        """For ``sympy.latex(unit)``."""
        return self.latexname

    @property
    def dispname(self) -> str:
        """The display name (Brian 2's attribute): ``mV.dispname == 'mV'``; ``str(unit)``."""
        return str(self)

    @property
    def latexname(self) -> str:
        """The unit in LaTeX, math mode (Brian 2's attribute): ``(uF/cm**2).latexname ==
        '\\frac{\\mathrm{uF}}{\\mathrm{cm}^{2}}'``."""
        return units_latex(self._REGISTRY, self._units)

    @property
    def name(self) -> str:
        """The unit as Python text (Brian 2's attribute): ``mV.name == 'mV'``, ``(siemens/metre**2).name ==
        'siemens/metre**2'``; a unit defined with ``Unit(..., name=...)`` by that name."""
        if len(self._units) == 1 and next(iter(self._units.values())) == 1:
            given = _GIVEN_NAMES.get(next(iter(self._units)))
            if given is not None:
                return given
        python = units_python(self._REGISTRY, self._units)
        return python if python is not None else str(self._units)
