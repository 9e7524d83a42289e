"""simcore's optional dependencies (pyproject's extras: plot, sweep, nwb), imported when a feature first needs
them, so that ``import simcore`` stays fast and works without them."""

from __future__ import annotations

import importlib
from types import ModuleType

from simcore.errors import ModelError


def optional_module(module: str, what: str, extra: str) -> ModuleType:
    """``module`` imported, or an error saying that ``what`` needs it and which extra installs it."""
    try:
        return importlib.import_module(module)
    except ImportError:
        raise ModelError(f"{what} needs {module.split('.')[0]}: install it with pip install 'simcore[{extra}]'") \
            from None
