"""Python-side versions of the model language's functions that numpy lacks, for scripts (``exprel(x)``) as
Brian 2's ``from brian2 import *`` gives them; the model strings' own ``exprel`` is the sympy function."""

from __future__ import annotations

from typing import Any

import numpy as np

from simcore.units import get_dimensions, to_si
from simcore.units.errors import DimensionMismatchError


def exprel(x: Any) -> Any:
    """(exp(x) - 1)/x, 1 at x = 0, accurate near 0 (as scipy.special.exprel); x must be dimensionless."""
    dimension = get_dimensions(x)
    if not dimension.is_dimensionless:
        raise DimensionMismatchError(f"exprel needs a dimensionless argument, not one with units of {dimension}",
                                     dimension)
    values = np.asarray(to_si(x)[0], dtype=np.float64)
    small = np.abs(values) < 1e-16
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        result = np.where(small, 1.0, np.expm1(values) / np.where(small, 1.0, values))
    return float(result) if result.ndim == 0 else result
