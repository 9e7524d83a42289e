"""pylab-style plotting names (``plot``, ``xlabel``, ``show``...) for ``from simcore import *``,
as Brian 2 scripts use them. matplotlib is optional (``pip install 'simcore[plot]'``) and is
imported on the first call, so that ``import simcore`` stays fast."""

from __future__ import annotations

import importlib
from typing import Any

from simcore.errors import ModelError

PYPLOT_NAMES = (
    "axhline", "axis", "axvline", "bar", "clf", "close", "colorbar", "errorbar", "figure", "fill_between", "gca",
    "gcf", "grid", "hist", "imshow", "legend", "loglog", "plot", "savefig", "scatter", "semilogx", "semilogy",
    "show", "subplot", "subplots", "suptitle", "text", "tight_layout", "title", "twinx", "xlabel", "xlim",
    "xscale", "xticks", "ylabel", "ylim", "yscale", "yticks",
)


def pyplot() -> Any:
    """matplotlib.pyplot, or a clear error saying how to install it."""
    try:
        return importlib.import_module("matplotlib.pyplot")
    except ImportError:
        raise ModelError("plotting needs matplotlib: pip install 'simcore[plot]'") from None


def _forward(name: str):
    def function(*args, **kwargs):
        return getattr(pyplot(), name)(*args, **kwargs)

    function.__name__ = function.__qualname__ = name
    function.__doc__ = f"matplotlib.pyplot.{name} (matplotlib is imported on the first call)."
    return function


PYPLOT = {name: _forward(name) for name in PYPLOT_NAMES}
