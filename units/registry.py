"""The one pint registry of the application, ``ureg``.

It uses simcore's Quantity and Unit classes and pint's on-disk definition cache (about
17 ms to build instead of 130 ms) in ``$SIMCORE_CACHE_DIR/pint``, else
``$XDG_CACHE_HOME/simcore/pint``, else ``~/.cache/simcore/pint``; without a usable
folder (see ``checked_cache_folder``) it builds without a cache. It is pint's application
registry, so that pickled quantities load back into it.

simcore's cache folder also holds the compiled kernels and the solvers' results, all of
them files that are loaded as code (modules, pickles). ``checked_cache_folder`` is the one
place that decides whether a folder may hold them.
"""

from __future__ import annotations

import os
import stat
import tempfile
import warnings
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


#: Folders found usable in this process (each is checked once).
_USABLE: set[Path] = set()


def checked_cache_folder(*parts: str) -> tuple[Path, str | None]:
    """``cache_root()`` joined with ``parts``, and why simcore cannot use it (a message naming the folder and
    saying what to do), or None if it can. Missing folders are created with mode 0700. Each of the root and
    the folders below it must be a folder that belongs to this user, that group and others cannot write into
    (a file planted there would run as code in the next simulation) and that takes a new file. The answer is
    kept for the process once a folder is usable."""
    levels = [cache_root()]
    for part in parts:
        levels.append(levels[-1] / part)
    for folder in levels:
        if folder not in _USABLE:
            problem = _folder_problem(folder)
            if problem is not None:
                return levels[-1], problem
            _USABLE.add(folder)
    return levels[-1], None


def _folder_problem(folder: Path) -> str | None:
    """Why ``folder`` (created here if missing) cannot hold files that simcore loads as code, or None. Only
    write access for group or others, or another owner, makes a folder untrusted: 0755 (older simcore) is fine."""
    try:
        folder.mkdir(mode=0o700, parents=True)
    except FileExistsError:
        pass
    except OSError as error:
        return _unusable(folder, f"cannot be created ({error.strerror or error})")
    try:
        info = folder.stat()
    except OSError as error:
        return _unusable(folder, f"cannot be read ({error.strerror or error})")
    if not stat.S_ISDIR(info.st_mode):
        return _unusable(folder, "is not a folder")
    if os.name == "posix" and info.st_uid != os.geteuid():
        return (f"simcore's cache folder {folder} belongs to another user (uid {info.st_uid}; you are uid "
                f"{os.geteuid()}): simcore runs the files it finds there (compiled kernels, pickles), so it does "
                "not use it. Set SIMCORE_CACHE_DIR to a folder of your own (simcore creates it).")
    if os.name == "posix" and info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        return (f"simcore's cache folder {folder} can be written by other users (mode "
                f"{stat.S_IMODE(info.st_mode):04o}): simcore runs the files it finds there (compiled kernels, "
                f"pickles), so it does not use it. Make it private with `chmod 700 {folder}`, or set "
                "SIMCORE_CACHE_DIR to a folder of your own (simcore creates it).")
    try:
        tempfile.TemporaryFile(dir=folder).close()
    except OSError as error:
        return _unusable(folder, f"cannot be written ({error.strerror or error})")
    return None


def _unusable(folder: Path, reason: str) -> str:
    return (f"simcore's cache folder {folder} {reason}; simcore keeps its compiled kernels there. Set "
            "SIMCORE_CACHE_DIR to a writable folder of your own (simcore creates it).")


def cache_folder() -> Path | None:
    """The folder for pint's definition cache (pickles), or None (with a warning) where it cannot be used."""
    folder, problem = checked_cache_folder("pint")
    if problem is not None:
        warnings.warn(f"{problem} (Units are set up without pint's cache meanwhile.)", stacklevel=2)
        return None
    return folder


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
