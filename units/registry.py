"""The one pint registry of the application, ``ureg``.

It uses simcore's Quantity and Unit classes and pint's on-disk definition cache (about
17 ms to build instead of 130 ms) in ``$SIMCORE_CACHE_DIR/pint``, else
``$XDG_CACHE_HOME/simcore/pint``, else ``~/.cache/simcore/pint``; without a writable
folder it builds without a cache. It is pint's application registry, so that pickled
quantities load back into it.
"""

from __future__ import annotations

import os
from pathlib import Path

import pint

from simcore.units.quantity import Quantity as _Quantity
from simcore.units.unit import Unit as _Unit


def _unpickle_quantity(magnitude, units):
    return ureg.Quantity(magnitude, units)


def _unpickle_unit(units):
    return ureg.Unit(units)


class Registry(pint.UnitRegistry):
    """pint's UnitRegistry with simcore's Quantity and Unit classes."""

    Quantity = _Quantity
    Unit = _Unit
    # Pickles refer to these (by module path), so loading one imports simcore.units.
    unpickle_quantity = staticmethod(_unpickle_quantity)
    unpickle_unit = staticmethod(_unpickle_unit)
    #: Whether Units print as short symbols (set once built: pint's definition loader
    #: needs str(unit) to be the full pint name).
    short_text = False


def cache_root() -> Path:
    """simcore's cache folder: $SIMCORE_CACHE_DIR, else $XDG_CACHE_HOME/simcore, else ~/.cache/simcore.
    (Here because this leaf package needs it first; compiled kernels live beside pint's cache.)"""
    if os.environ.get("SIMCORE_CACHE_DIR"):
        return Path(os.environ["SIMCORE_CACHE_DIR"])
    if os.environ.get("XDG_CACHE_HOME"):
        return Path(os.environ["XDG_CACHE_HOME"]) / "simcore"
    return Path.home() / ".cache" / "simcore"


def cache_folder() -> Path | None:
    """The folder for pint's definition cache, created if needed; None if unwritable."""
    folder = cache_root() / "pint"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return folder if os.access(folder, os.W_OK) else None


def make_registry() -> Registry:
    """A new Registry, with the definition cache where one can be used."""
    registry = None
    folder = cache_folder()
    if folder is not None:
        try:
            registry = Registry(cache_folder=folder)
        except Exception:  # a damaged or concurrently written cache: build without it
            registry = None
    if registry is None:
        registry = Registry(cache_folder=None)
    registry.short_text = True
    return registry


ureg: Registry = make_registry()
pint.set_application_registry(ureg)

Quantity = ureg.Quantity
Unit = ureg.Unit
