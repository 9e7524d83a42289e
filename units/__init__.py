"""simcore.units: physical units with Brian 2's names and semantics, backed by pint.

``from simcore.units import *`` gives what a Brian 2 script expects: every unit name
(``mV``, ``ms``, ``nS``, ``siemens``, ``metre``, ``cm2``...), the physical constants,
``Quantity``, ``Unit``, ``Dimension``, ``DimensionMismatchError``, the helpers
(``get_dimensions``, ``get_unit``, ``have_same_dimensions``, ``is_dimensionless``,
``check_units``, ``fail_for_dimension_mismatch``, ``to_si``, ``from_si``, ``in_unit``,
``in_best_unit``, ``get_or_create_dimension``, ``register_new_unit``), numpy's
namespace without the names that shadow Python builtins (``sum``, ``max``, ``abs``...),
a unit-aware ``asarray`` (SI values) and ``arange``, and ``rand``/``randn``.

For simcore's own code: ``ureg`` (the pint registry), ``UNIT_NAMES`` (name -> Unit, for
resolving unit names in equation strings) and ``unit_name`` (a unit in Python syntax).
This package is a leaf: it imports nothing from simcore outside simcore.units.
"""

from __future__ import annotations

from simcore.units.check import check_units
from simcore.units.constants import CONSTANTS
from simcore.units.constants import avogadro_constant as avogadro_constant
from simcore.units.constants import boltzmann_constant as boltzmann_constant
from simcore.units.constants import electric_constant as electric_constant
from simcore.units.constants import electron_mass as electron_mass
from simcore.units.constants import elementary_charge as elementary_charge
from simcore.units.constants import faraday_constant as faraday_constant
from simcore.units.constants import gas_constant as gas_constant
from simcore.units.constants import magnetic_constant as magnetic_constant
from simcore.units.constants import molar_mass_constant as molar_mass_constant
from simcore.units.constants import zero_celsius as zero_celsius
from simcore.units.dimension import DIMENSIONLESS, Dimension, get_or_create_dimension
from simcore.units.errors import DimensionMismatchError
from simcore.units.helpers import (
    asarray,
    fail_for_dimension_mismatch,
    from_si,
    get_dimensions,
    get_unit,
    have_same_dimensions,
    in_best_unit,
    in_unit,
    is_dimensionless,
    register_new_unit,
    to_si,
)
from simcore.units.names import UNIT_NAMES as UNIT_NAMES
from simcore.units.names import unit_name as unit_name
from simcore.units.numpy_names import NUMPY_EXPORTS as NUMPY_EXPORTS
from simcore.units.numpy_names import NUMPY_NAMESPACE, arange
from simcore.units.registry import Quantity, Unit
from simcore.units.registry import ureg as ureg

_HELPERS = {
    "Quantity": Quantity,
    "Unit": Unit,
    "Dimension": Dimension,
    "DIMENSIONLESS": DIMENSIONLESS,
    "DimensionMismatchError": DimensionMismatchError,
    "check_units": check_units,
    "fail_for_dimension_mismatch": fail_for_dimension_mismatch,
    "get_dimensions": get_dimensions,
    "get_unit": get_unit,
    "get_or_create_dimension": get_or_create_dimension,
    "in_unit": in_unit,
    "in_best_unit": in_best_unit,
    "register_new_unit": register_new_unit,
    "have_same_dimensions": have_same_dimensions,
    "is_dimensionless": is_dimensionless,
    "to_si": to_si,
    "from_si": from_si,
    "asarray": asarray,
    "arange": arange,
}

# Unit names and numpy names are many and generated: they enter the module namespace
# here (a test checks that no two groups share a name).
globals().update(NUMPY_NAMESPACE)
globals().update(UNIT_NAMES)

__all__ = sorted({*NUMPY_NAMESPACE, *UNIT_NAMES, *CONSTANTS, *_HELPERS})
# Also importable, but not in __all__ (simcore's own code uses them; a script does not):
# ureg (the pint registry), UNIT_NAMES, unit_name, NUMPY_EXPORTS.
