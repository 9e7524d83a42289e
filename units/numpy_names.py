"""The numpy names that ``from simcore import *`` gives, as Brian 2's star import does.

``NUMPY_EXPORTS``: numpy's public names (``numpy.__all__``) except
- names of Python builtins (``sum``, ``max``, ``min``, ``abs``, ``round``, ``all``,
  ``any``, ``pow``, ``bool``, ...), so that a star import leaves the builtins working;
- submodules (``random``, ``linalg``, ``testing``...), which would shadow the standard
  library's ``random`` and cost import time (use ``numpy.random`` etc.);
- names that simcore replaces with unit-aware versions: ``asarray`` (values in SI base
  units) and ``arange`` (accepts quantities).
``NUMPY_NAMESPACE`` maps those names to numpy's objects, plus ``rand`` and ``randn``
from ``numpy.random`` and the module itself as ``np`` and ``numpy`` (Brian 2 scripts use
``np.`` without importing numpy). Quantities work with numpy's own functions through
pint's ``__array_function__``/``__array_ufunc__``.
"""

from __future__ import annotations

import builtins
import types
from typing import Any

import numpy as np

from simcore.errors import ModelTypeError
from simcore.units.mismatch import mismatch
from simcore.units.plain import as_quantity
from simcore.units.quantity import Quantity

REPLACED = frozenset({"asarray", "arange"})
_MISSING = object()


def _exportable(name: str) -> bool:
    if name.startswith("_") or name in REPLACED or hasattr(builtins, name):
        return False
    # numpy.__dict__ (not getattr): lazily loaded submodules are absent and stay unloaded.
    value = np.__dict__.get(name, _MISSING)
    return value is not _MISSING and not isinstance(value, types.ModuleType)


NUMPY_EXPORTS: tuple[str, ...] = tuple(sorted(name for name in np.__all__ if _exportable(name)))

NUMPY_NAMESPACE: dict[str, Any] = {name: np.__dict__[name] for name in NUMPY_EXPORTS}
NUMPY_NAMESPACE["rand"] = np.random.rand
NUMPY_NAMESPACE["randn"] = np.random.randn
NUMPY_NAMESPACE["np"] = NUMPY_NAMESPACE["numpy"] = np


def arange(*args: Any, start: Any = None, stop: Any = None, step: Any = None, dtype: Any = None) -> Any:
    """``numpy.arange`` that also takes quantities: ``arange(0*ms, 10*ms, 2*ms)`` gives
    ``[0. 2. 4. 6. 8.] ms`` (in the unit of the first quantity among the arguments).
    Positional arguments are ``(stop)``, ``(start, stop)`` or ``(start, stop, step)``; the others may be given
    by keyword. As in Brian 2, a keyword that repeats a positional one is refused (``arange(0, stop=1)`` would
    read 0 as the stop). A plain 0 may go with quantities of any dimension; a range with units needs a step
    with units (a default step of 1 would mean 1 of whichever unit was written)."""
    if len(args) > 3:
        raise ModelTypeError(f"arange() takes at most 3 positional arguments (start, stop, step), not {len(args)}; "
                             "give dtype= by keyword")
    given = dict(zip(("stop",) if len(args) == 1 else ("start", "stop", "step"), args, strict=False))
    keywords = {"start": start, "stop": stop, "step": step}
    for name, value in keywords.items():
        if value is not None:
            if name in given:
                hint = " (a single positional argument is the stop)" if len(args) == 1 else ""
                raise ModelTypeError(f"arange(): {name!r} is given twice, as positional argument and as {name}={hint}")
            given[name] = value
    if "stop" not in given:
        raise ModelTypeError("arange() needs a stop value: arange(stop), arange(start, stop[, step]) or stop=")
    start, stop, step = given.get("start", 0), given["stop"], given.get("step")
    values = [as_quantity(v) for v in (start, stop, step)]
    quantities = [v for v in values if isinstance(v, Quantity)]
    if not quantities:
        return np.arange(start, stop, step, dtype=dtype)
    unit = quantities[0].units
    if step is None and not unit.dimensionless:
        raise mismatch("arange: a range in {a} needs a step with a unit (e.g. step=1*ms), as in Brian 2; "
                       "the default step 1 is dimensionless", quantities[0])
    magnitudes = []
    for value in values:
        if value is None:
            continue
        if isinstance(value, Quantity):
            magnitudes.append(value.m_as(unit))
        elif value == 0 or unit.dimensionless:
            magnitudes.append(value)
        else:
            raise mismatch("arange: cannot mix {a} and {b}", quantities[0], value)
    return unit._REGISTRY.Quantity(np.arange(*magnitudes, dtype=dtype), unit)
