"""Plots of simulation objects and of their records, with units on the axes (brian2tools' functions and argument
names). ``brian_plot(obj)`` picks a plot for a monitor, a Synapses or a morphology; ``plot_raster``,
``plot_state``, ``plot_rate``, ``plot_synapses`` and ``plot_morphology`` take the data and more options. Each draws
into ``axes=`` (by default pyplot's current axes) and returns it, so that a script can go on tweaking it.

matplotlib is the optional ``plot`` extra: ``import simcore`` never imports it, importing this module does.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from simcore.errors import ModelTypeError, ModelValueError
from simcore.morphology import Morphology, flatten
from simcore.objects.monitors import EventMonitor, PopulationRateMonitor, StateMonitor
from simcore.objects.spatialneuron import SpatialNeuron
from simcore.objects.synapses import Synapses
from simcore.objects.variable_views import VariableView
from simcore.units import DimensionMismatchError, Hz, get_unit, ms, to_si, um
from simcore.units.dimension import Dimension
from simcore.units.helpers import best_unit

try:
    import matplotlib
    import matplotlib.pyplot as plt
    from matplotlib.axes import Axes
    from matplotlib.cbook import normalize_kwargs
    from matplotlib.cm import ScalarMappable
    from matplotlib.collections import LineCollection, PatchCollection, PolyCollection
    from matplotlib.colors import Normalize, to_rgba_array
    from matplotlib.lines import Line2D
    from matplotlib.patches import Circle
    from mpl_toolkits.mplot3d.art3d import Line3DCollection
except ImportError:
    raise ImportError("simcore.plotting needs matplotlib: pip install 'simcore[plot]'") from None

__all__ = ["brian_plot", "plot_morphology", "plot_raster", "plot_rate", "plot_state", "plot_synapses"]

#: Above this many spikes a raster draws one pixel per spike: Agg draws pixels about twice as fast as dots
#: (10 million spikes: 2.4 s against 4.8 s on the 2-core development machine).
PIXEL_RASTER_SPIKES = 1_000_000
#: brian_plot draws a connection matrix when both groups have at most this many neurons...
IMAGE_MAX_NEURONS = 1000
#: ...else a scatter of the synapses up to this many, and a 2-D histogram (hexbin) beyond.
SCATTER_MAX_SYNAPSES = 100_000


# --- values and units ------------------------------------------------------------------------------------------
def _si(values: Any, what: str) -> tuple[np.ndarray, Dimension]:
    """``values`` (a Quantity, a group's variable such as ``S.w``, a monitor's records, numbers) as float SI
    numbers and their dimension."""
    if isinstance(values, VariableView):
        values = values.quantity
    if isinstance(values, str):
        raise ModelTypeError(f"{what} must be numbers or quantities, not the string {values!r}")
    try:
        magnitude, dimension = to_si(values)
        return np.asarray(magnitude, dtype=np.float64), dimension
    except (TypeError, ValueError) as error:
        raise ModelTypeError(f"{what} must be numbers or quantities, not {type(values).__name__}: {error}") from None


def _unit_text(dimension: Dimension) -> str:
    return "dimensionless" if dimension.is_dimensionless else str(get_unit(dimension))


def _in_unit(magnitude: np.ndarray, dimension: Dimension, unit: Any, what: str) -> tuple[np.ndarray, Any]:
    """SI values expressed in ``unit`` (None: the unit in which they read best), and that unit."""
    if unit is None:
        unit = best_unit(magnitude, dimension)
    scale, unit_dimension = to_si(unit)
    if unit_dimension != dimension:
        raise DimensionMismatchError(f"{what} are in units of {_unit_text(dimension)} and cannot be shown in {unit} "
                                     f"(units of {_unit_text(unit_dimension)})", dimension, unit_dimension)
    return magnitude / scale, unit


def _label(name: str, unit: Any, dimension: Dimension) -> str:
    """An axis label such as 'v (mV)'; a dimensionless value has no unit to show."""
    return name if dimension.is_dimensionless else f"{name} ({unit})"


def _name(values: Any, var_name: str | None, default: str) -> str:
    """The name to show: the one given, else a group variable's own (``S.w`` -> 'w'), else ``default``."""
    if var_name is not None:
        return var_name
    return values.name if isinstance(values, VariableView) else default


def _indices(values: Any, what: str) -> np.ndarray:
    magnitude, dimension = _si(values, what)
    if not dimension.is_dimensionless:
        raise DimensionMismatchError(f"{what} must be element indices (plain integers), not values in units of "
                                     f"{_unit_text(dimension)}", dimension)
    if magnitude.ndim != 1:
        raise ModelValueError(f"{what} must be one-dimensional, not of shape {magnitude.shape}")
    return magnitude


def _same_length(first: np.ndarray, second: np.ndarray, names: str) -> None:
    if len(first) != len(second):
        raise ModelValueError(f"{names} must have the same length, not {len(first)} and {len(second)}")


def _axes(axes: Axes | None) -> Axes:
    return plt.gca() if axes is None else axes


# --- recorded activity ---------------------------------------------------------------------------------------
def plot_raster(indices: Any, times: Any, time_unit: Any = ms, axes: Axes | None = None, **kwds: Any) -> Axes:
    """One marker per spike (x: time, y: neuron index). All spikes are one rasterized ``Line2D`` (one draw call,
    and one image in vector output), so that millions of spikes stay fast; ``kwds`` go to ``Axes.plot``."""
    index = _indices(indices, "plot_raster: indices")
    t, time_unit = _in_unit(*_si(times, "plot_raster: times"), time_unit, "plot_raster: times")
    _same_length(index, t, "plot_raster: indices and times")
    ax = _axes(axes)
    pixels = len(t) > PIXEL_RASTER_SPIKES
    style = {"marker": "," if pixels else ".", "markersize": 1 if pixels else 2, "linestyle": "none",
             "color": "k", "rasterized": True}
    ax.plot(t, index, **{**style, **normalize_kwargs(kwds, Line2D)})
    ax.set(xlabel=f"time ({time_unit})", ylabel="neuron index")
    return ax


def plot_state(times: Any, values: Any, time_unit: Any = ms, var_unit: Any = None, var_name: str | None = None,
               axes: Axes | None = None, **kwds: Any) -> Axes:
    """Traces of a variable against time; ``values`` has time along its first axis (one column per trace, as
    ``state_mon.v.T``). ``var_unit`` defaults to the unit in which the values read best."""
    name = _name(values, var_name, "value")
    t, time_unit = _in_unit(*_si(times, "plot_state: times"), time_unit, "plot_state: times")
    magnitude, dimension = _si(values, "plot_state: values")
    if magnitude.ndim not in (1, 2) or len(magnitude) != len(t):
        hint = (" (a StateMonitor's mon.v has one row per recorded element: pass mon.v.T)"
                if magnitude.ndim == 2 and magnitude.shape[1] == len(t) else "")
        raise ModelValueError(f"plot_state: values must have one row per time point ({len(t)}), not shape "
                              f"{magnitude.shape}{hint}")
    v, var_unit = _in_unit(magnitude, dimension, var_unit, f"plot_state: values of {name}")
    ax = _axes(axes)
    ax.plot(t, v, **kwds)
    ax.set(xlabel=f"time ({time_unit})", ylabel=_label(name, var_unit, dimension))
    return ax


def plot_rate(times: Any, rate: Any, time_unit: Any = ms, rate_unit: Any = Hz, axes: Axes | None = None,
              **kwds: Any) -> Axes:
    """A population rate against time (e.g. ``rate_mon.smooth_rate(width=1*ms)``); ``kwds`` go to
    ``Axes.plot``."""
    t, time_unit = _in_unit(*_si(times, "plot_rate: times"), time_unit, "plot_rate: times")
    r, rate_unit = _in_unit(*_si(rate, "plot_rate: rate"), rate_unit, "plot_rate: rate")
    if r.ndim != 1:
        raise ModelValueError(f"plot_rate: rate must be one-dimensional, not of shape {r.shape}")
    _same_length(t, r, "plot_rate: times and rate")
    ax = _axes(axes)
    ax.plot(t, r, **kwds)
    ax.set(xlabel=f"time ({time_unit})", ylabel=f"rate ({rate_unit})")
    return ax


# --- synapses ---------------------------------------------------------------------------------------------------
def _pairs(sources: np.ndarray, targets: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The connected (source, target) pairs, each synapse's pair number and the synapses of each pair."""
    width = int(targets.max()) + 1 if len(targets) else 1
    keys, which, counts = np.unique(sources.astype(np.int64) * width + targets.astype(np.int64),
                                    return_inverse=True, return_counts=True)
    return keys // width, keys % width, which, counts


def plot_synapses(sources: Any, targets: Any, values: Any = None, var_unit: Any = None, var_name: str | None = None,
                  plot_type: str = "scatter", axes: Axes | None = None, **kwds: Any) -> Axes:
    """Connections as points at (source index, target index): ``'scatter'``, ``'image'`` (the connection matrix)
    or ``'hexbin'`` (a 2-D histogram, for very many synapses), coloured by ``values`` (one per synapse, through
    the colormap ``cmap=``, with a colour bar) or, where pairs have several synapses, by their number. A value
    per pair is ill-defined then, so values with several synapses per pair need 'hexbin' (the mean per bin).
    ``kwds`` go to ``Axes.scatter``, ``Axes.imshow`` or ``Axes.hexbin``."""
    if plot_type not in ("scatter", "image", "hexbin"):
        raise ModelValueError(f"plot_synapses: plot_type must be 'scatter', 'image' or 'hexbin', not {plot_type!r}")
    i = _indices(sources, "plot_synapses: sources")
    j = _indices(targets, "plot_synapses: targets")
    _same_length(i, j, "plot_synapses: sources and targets")
    pre, post, which, counts = _pairs(i, j)
    several = bool(len(counts)) and counts.max() > 1
    if values is None:
        colour, label = (counts, "synapses per pair") if several else (None, None)
        per_synapse = None
    else:
        name = _name(values, var_name, "value")
        magnitude, dimension = _si(values, "plot_synapses: values")
        _same_length(i, magnitude, "plot_synapses: sources and values")
        per_synapse, var_unit = _in_unit(magnitude, dimension, var_unit, f"plot_synapses: values of {name}")
        label = _label(name, var_unit, dimension)
        if several and plot_type != "hexbin":
            raise ModelValueError(f"plot_synapses: {int((counts > 1).sum())} source-target pair(s) have several "
                                  "synapses, so one value per pair is ill-defined: use plot_type='hexbin' (the "
                                  "mean in each bin), or plot without values (the number of synapses per pair)")
        colour = np.empty(len(pre))
        colour[which] = per_synapse
    ax = _axes(axes)
    if plot_type == "scatter":
        style = {"s": 4, "marker": "s", "rasterized": True}
        if colour is not None:
            style["c"] = colour
        mappable = ax.scatter(pre, post, **{**style, **kwds})
    elif plot_type == "image":
        matrix = np.full((int(post.max()) + 1 if len(post) else 0, int(pre.max()) + 1 if len(pre) else 0), np.nan)
        matrix[post, pre] = 1.0 if colour is None else colour
        style = {"cmap": "Greys", "vmin": 0, "vmax": 1} if colour is None else {}
        mappable = ax.imshow(matrix, origin="lower", interpolation="nearest", aspect="auto", **{**style, **kwds})
    else:
        mappable = ax.hexbin(i, j, C=per_synapse, reduce_C_function=np.mean, mincnt=1, **kwds)
        label = label or "synapses"
    if label is not None:
        ax.figure.colorbar(mappable, ax=ax, label=label)
    ax.set(xlabel="source neuron index", ylabel="target neuron index")
    return ax


# --- morphology -------------------------------------------------------------------------------------------------
def _axes_3d(axes: Axes | None) -> Axes:
    """A 3-D axes: the one given, else the current one if it is 3-D, else a 3-D one in the current axes' place
    when that holds nothing yet (or in a figure that has no axes)."""
    if axes is not None:
        if axes.name != "3d":
            raise ModelTypeError("plot_morphology(plot_3d=True) draws into a 3-D axes "
                                 "(figure.add_subplot(projection='3d')), not a 2-D one")
        return axes
    figure = plt.gcf()
    if not figure.axes:
        return figure.add_subplot(projection="3d")
    current = figure.gca()
    if current.name == "3d":
        return current
    if current.has_data() or current.get_subplotspec() is None:
        raise ModelValueError("plot_morphology(plot_3d=True): the current axes is a 2-D one that already holds a "
                              "plot; pass axes= a 3-D axes, or plot_3d=False")
    spec = current.get_subplotspec()
    current.remove()
    return figure.add_subplot(spec, projection="3d")


def _quads(start: np.ndarray, end: np.ndarray, width: np.ndarray) -> np.ndarray:
    """A rectangle of each compartment's diameter along each 2-D segment, shape (n, 4, 2)."""
    along = end - start
    length = np.hypot(along[:, 0], along[:, 1])
    normal = np.stack([-along[:, 1], along[:, 0]], axis=1) / np.where(length > 0, length, 1)[:, None]
    half = normal * (width / 2)[:, None]
    return np.stack([start + half, end + half, end - half, start - half], axis=1)


def plot_morphology(morphology: Morphology | SpatialNeuron, plot_3d: bool | None = None,
                    show_compartments: bool = False, show_diameter: bool = False,
                    colors: Any = ("darkblue", "darkred"), values: Any = None, value_norm: tuple = (None, None),
                    value_colormap: Any = "hot", value_unit: Any = None, value_name: str | None = None,
                    axes: Axes | None = None) -> Axes:
    """A morphology (or a SpatialNeuron's), coordinates in um: each compartment a segment, a soma a circle
    (2-D) or sphere (3-D). Sections take ``colors`` in turn, or each compartment is coloured by ``values`` (one
    per compartment, e.g. ``neuron.v``) through ``value_colormap`` with ``value_norm`` = (vmin, vmax) and a
    colour bar labelled ``value_name`` (by default a variable's own name). ``plot_3d=None``: 3-D when the
    coordinates leave the x-y plane (or ``axes`` is 3-D). A tree without coordinates gets
    ``generate_coordinates()``'s layout. ``show_diameter``: compartments as wide as their diameter (in 3-D, line
    widths scaled to the widest: matplotlib's 3-D axes have no widths in data units); ``show_compartments``: a
    dot where each compartment ends."""
    if isinstance(morphology, SpatialNeuron):
        morphology = morphology.morphology
    if not isinstance(morphology, Morphology):
        raise ModelTypeError(f"plot_morphology takes a Morphology or a SpatialNeuron, not {type(morphology).__name__}")
    flat = flatten(morphology)
    if np.isnan(flat.start_x).any():
        flat = flatten(morphology.generate_coordinates())
    scale = to_si(um)[0]
    start = np.stack([flat.start_x, flat.start_y, flat.start_z], axis=1) / scale
    end = np.stack([flat.end_x, flat.end_y, flat.end_z], axis=1) / scale
    diameter = flat.diameter / scale
    soma = flat.is_soma[flat.section]
    if plot_3d is None:
        plot_3d = axes.name == "3d" if axes is not None else bool(np.ptp(np.concatenate([start[:, 2], end[:, 2]])))
    ax = _axes_3d(axes) if plot_3d else _axes(axes)
    if values is None:
        palette = to_rgba_array(colors)
        rgba, mappable = palette[flat.section % len(palette)], None
    else:
        name = _name(values, value_name, "value")
        magnitude, dimension = _si(values, "plot_morphology: values")
        if magnitude.shape != (flat.n,):
            raise ModelValueError(f"plot_morphology: values must have one value per compartment ({flat.n}), not "
                                  f"shape {magnitude.shape}")
        shown, value_unit = _in_unit(magnitude, dimension, value_unit, f"plot_morphology: values of {name}")
        vmin, vmax = (None if limit is None else float(_in_unit(*_si(limit, "plot_morphology: value_norm"),
                                                                value_unit, "plot_morphology: value_norm")[0])
                      for limit in value_norm)
        colormap = matplotlib.colormaps[value_colormap] if isinstance(value_colormap, str) else value_colormap
        mappable = ScalarMappable(Normalize(vmin, vmax), colormap)
        mappable.set_array(shown)
        rgba = mappable.to_rgba(shown)
    cable = ~soma
    if plot_3d:
        widths = 1 + 4 * diameter[cable] / diameter[cable].max() if show_diameter and cable.any() else 1.5
        ax.add_collection(Line3DCollection(np.stack([start[cable], end[cable]], axis=1), colors=rgba[cable],
                                           linewidths=widths))
        u, v = np.meshgrid(np.linspace(0, 2 * np.pi, 16), np.linspace(0, np.pi, 9))
        for k in np.flatnonzero(soma):
            r = diameter[k] / 2
            ax.plot_surface(start[k, 0] + r * np.cos(u) * np.sin(v), start[k, 1] + r * np.sin(u) * np.sin(v),
                            start[k, 2] + r * np.cos(v), color=rgba[k], linewidth=0)
        corners = np.concatenate([start, end, start + diameter[:, None] / 2, start - diameter[:, None] / 2])
        ax.auto_scale_xyz(corners[:, 0], corners[:, 1], corners[:, 2])
        ax.set_aspect("equal")
        ax.set(xlabel="x (um)", ylabel="y (um)", zlabel="z (um)")
    else:
        if show_diameter:
            ax.add_collection(PolyCollection(_quads(start[cable, :2], end[cable, :2], diameter[cable]),
                                             facecolors=rgba[cable], edgecolors="none"))
        else:
            ax.add_collection(LineCollection(np.stack([start[cable, :2], end[cable, :2]], axis=1),
                                             colors=rgba[cable], linewidths=1.5))
        ax.add_collection(PatchCollection([Circle(start[k, :2], diameter[k] / 2) for k in np.flatnonzero(soma)],
                                          facecolors=rgba[soma], edgecolors="none"))
        ax.set_aspect("equal")
        ax.autoscale_view()
        ax.set(xlabel="x (um)", ylabel="y (um)")
    if show_compartments:
        ax.plot(*end[cable, : 3 if plot_3d else 2].T, linestyle="none", marker=".", markersize=3, color="k")
    if mappable is not None:
        ax.figure.colorbar(mappable, ax=ax, label=_label(name, value_unit, dimension))
    return ax


# --- one call for any object -------------------------------------------------------------------------------------
def brian_plot(obj: Any, axes: Axes | None = None, **kwds: Any) -> Axes:
    """A quick look at ``obj``: a SpikeMonitor or EventMonitor as a raster, a StateMonitor as traces (``var=``
    picks one of several recorded variables), a PopulationRateMonitor as its rate smoothed by a Gaussian of 1 ms,
    a Synapses as its connections (a matrix when both groups have at most 1000 neurons, else a scatter, or a
    2-D histogram beyond 100,000 synapses; ``var='w'`` colours them by a synaptic variable), a Morphology or a
    SpatialNeuron as its shape (``var='v'`` colours a SpatialNeuron's compartments). Other ``kwds`` go to the
    plot_* function it calls. The choices may change; call those functions for a plot that must stay the same."""
    if isinstance(obj, EventMonitor):
        return plot_raster(obj.i, obj.t, axes=axes, **kwds)
    if isinstance(obj, StateMonitor):
        recorded = obj.record_variables
        var = kwds.pop("var", recorded[0] if len(recorded) == 1 else None)
        if var is None:
            raise ModelValueError(f"brian_plot: {obj.where()} records {recorded}; choose one with var=, e.g. "
                                  f"var={recorded[0]!r}")
        if var not in recorded:
            raise ModelValueError(f"brian_plot: {obj.where()} does not record {var!r}; it records {recorded}")
        return plot_state(obj.t, getattr(obj, var).T, var_name=var, axes=axes, **kwds)
    if isinstance(obj, PopulationRateMonitor):
        return plot_rate(obj.t, obj.smooth_rate(window="gaussian", width=1 * ms), axes=axes, **kwds)
    if isinstance(obj, Synapses):
        return _plot_connections(obj, axes, **kwds)
    if isinstance(obj, SpatialNeuron):
        var = kwds.pop("var", None)
        return plot_morphology(obj, values=None if var is None else getattr(obj, var), axes=axes, **kwds)
    if isinstance(obj, Morphology):
        return plot_morphology(obj, axes=axes, **kwds)
    raise ModelTypeError(f"brian_plot cannot plot {type(obj).__name__} objects; it plots a SpikeMonitor or "
                         "EventMonitor, a StateMonitor, a PopulationRateMonitor, a Synapses, a Morphology or a "
                         "SpatialNeuron (the plot_* functions of simcore.plotting plot data)")


def _plot_connections(synapses: Synapses, axes: Axes | None, var: str | None = None, plot_type: str | None = None,
                      **kwds: Any) -> Axes:
    """brian_plot of a Synapses: the plot type by size (see brian_plot), the axes spanning both groups."""
    if len(synapses) == 0:
        raise ModelValueError(f"brian_plot: {synapses.where()} has no synapses to plot; connect() it first")
    values = None if var is None else getattr(synapses, var)
    n_pre, n_post = synapses.source.N, synapses.target.N
    i, j = np.asarray(synapses.i[:]), np.asarray(synapses.j[:])
    if plot_type is None:
        several = values is not None and _pairs(i, j)[3].max() > 1  # one value per pair needs a histogram
        if n_pre <= IMAGE_MAX_NEURONS and n_post <= IMAGE_MAX_NEURONS and not several:
            plot_type = "image"
        else:
            plot_type = "scatter" if len(synapses) <= SCATTER_MAX_SYNAPSES and not several else "hexbin"
    ax = plot_synapses(i, j, values, plot_type=plot_type, axes=axes, **kwds)
    ax.set(xlim=(-0.5, n_pre - 0.5), ylim=(-0.5, n_post - 0.5))
    return ax
