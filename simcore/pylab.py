"""pylab's namespace for ``from simcore import *``, as Brian 2's star import gives it.

Brian 2 scripts call ``plot``, ``figure``, ``plt.subplots``, ``normal``, ``randint``, ``inv``, ``fft``...
without importing them. This module provides matplotlib.pyplot's functions (and ``plt``, ``mpl``) as
forwards that import matplotlib on first use, so ``import simcore`` stays fast and works without
matplotlib (``pip install 'simcore[plot]'``), and the public names of numpy.fft, numpy.random and
numpy.linalg, in pylab's order (later modules win). simcore/__init__.py lets its own names (units,
unit-aware functions, ``seed``...) win over these and leaves Python's builtins unshadowed.
"""

from __future__ import annotations

import builtins
from types import ModuleType
from typing import Any

import numpy as np

from simcore.extras import optional_module

# matplotlib.pyplot's public functions (3.11); each forwards on call, so the list needs no matplotlib.
PYPLOT_NAMES = tuple("""
    acorr angle_spectrum annotate arrow autoscale autumn axes axhline axhspan axis axline axvline axvspan bar
    bar_label barbs barh bone box boxplot broken_barh cla clabel clf clim close cohere colorbar connect contour
    contourf cool copper csd delaxes disconnect draw ecdf errorbar eventplot figimage figlegend fignum_exists
    figtext figure fill fill_between fill_betweenx findobj flag gca gcf gci get_cmap get_current_fig_manager
    get_figlabels get_fignums getp ginput gray grid hexbin hist hist2d hlines hot hsv imread imsave imshow
    inferno ioff ion isinteractive jet legend locator_params loglog magma magnitude_spectrum margins matshow
    minorticks_off minorticks_on nipy_spectral pause pcolor pcolormesh phase_spectrum pie pink plasma plot polar
    prism psd quiver quiverkey rc rc_context rcdefaults rgrids savefig sca scatter sci semilogx semilogy
    set_cmap setp show specgram spring spy stackplot stairs stem step streamplot subplot subplot2grid
    subplot_mosaic subplots subplots_adjust summer suptitle switch_backend table text thetagrids tick_params
    ticklabel_format tight_layout title tricontour tricontourf tripcolor triplot twinx twiny violinplot viridis
    vlines waitforbuttonpress winter xcorr xkcd xlabel xlim xscale xticks ylabel ylim yscale yticks
""".split())


# the classes and helpers pyplot's namespace holds (``from pylab import *`` gives them: ``ScalarFormatter()``,
# ``Normalize(0, 1)``, ``cycler(color=...)``); forwarded like the functions, so constructing one works (an
# ``isinstance`` test against the forward does not: import it from matplotlib for that)
PYPLOT_CLASSES = tuple("""
    Annotation Arrow Artist AutoLocator Axes Button Circle Colormap Figure FixedFormatter FixedLocator
    FormatStrFormatter Formatter FuncFormatter GridSpec IndexLocator Line2D LinearLocator Locator LogFormatter
    LogFormatterExponent LogFormatterMathtext LogLocator MaxNLocator MultipleLocator Normalize NullFormatter
    NullLocator Polygon Rectangle ScalarFormatter Slider SubplotSpec Text cycler figaspect get_backend
    interactive
""".split())


def _import(module: str) -> ModuleType:
    """A matplotlib module, or a clear error saying how to install matplotlib."""
    return optional_module(module, module.split(".")[-1], "plot")


def pyplot() -> ModuleType:
    return _import("matplotlib.pyplot")


class LazyModule:
    """Stands for a matplotlib module (``plt``, ``mpl``) and imports it when an attribute is first read."""

    def __init__(self, module: str):
        self._module = module

    def _target(self) -> Any:
        return _import(self._module)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return getattr(self._target(), name)

    def __repr__(self) -> str:
        return f"<{self._module}, imported on first use>"


class LazySettings(LazyModule):
    """Stands for ``matplotlib.rcParams`` (``rcParams['font.size'] = 8``), imported on first use."""

    def _target(self) -> Any:
        return _import("matplotlib").rcParams

    def __getitem__(self, key: str) -> Any:
        return self._target()[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self._target()[key] = value

    def __contains__(self, key: str) -> bool:
        return key in self._target()

    def __iter__(self):
        return iter(self._target())


def _forward(name: str):
    def function(*args, **kwargs):
        return getattr(pyplot(), name)(*args, **kwargs)

    function.__name__ = function.__qualname__ = name
    function.__doc__ = f"matplotlib.pyplot.{name} (matplotlib is imported on the first call)."
    return function


def _public(module: ModuleType) -> dict[str, Any]:
    names = getattr(module, "__all__", None) or [name for name in dir(module) if not name.startswith("_")]
    return {name: getattr(module, name) for name in names
            if not name.startswith("_") and not hasattr(builtins, name)
            and not isinstance(getattr(module, name, None), ModuleType)}


PYPLOT = {name: _forward(name) for name in (*PYPLOT_NAMES, *PYPLOT_CLASSES)}
PYPLOT["plt"] = LazyModule("matplotlib.pyplot")
PYPLOT["mpl"] = PYPLOT["matplotlib"] = LazyModule("matplotlib")
PYPLOT["rcParams"] = LazySettings("matplotlib.rcParams")

NUMPY_SUBMODULES = {**_public(np.fft), **_public(np.random), **_public(np.linalg)}

PYLAB = {**PYPLOT, **NUMPY_SUBMODULES}
