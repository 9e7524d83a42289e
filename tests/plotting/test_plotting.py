"""simcore.plotting: what each plot draws (the records, in the units on its axes), where it draws, and its errors."""

import subprocess
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (after choosing the backend)
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.collections import LineCollection, PatchCollection, PathCollection, PolyCollection  # noqa: E402
from matplotlib.colors import Normalize  # noqa: E402
from mpl_toolkits.mplot3d.art3d import Line3DCollection  # noqa: E402

import simcore.plotting  # noqa: E402
from simcore import (  # noqa: E402
    Cylinder,
    DimensionMismatchError,
    Hz,
    ModelTypeError,
    ModelValueError,
    Network,
    NeuronGroup,
    PopulationRateMonitor,
    Quantity,
    Soma,
    SpatialNeuron,
    SpikeMonitor,
    StateMonitor,
    Synapses,
    metre,
    ms,
    mV,
    second,
    seed,
    um,
    volt,
)
from simcore.morphology import flatten  # noqa: E402
from simcore.plotting import (  # noqa: E402
    brian_plot,
    plot_morphology,
    plot_raster,
    plot_rate,
    plot_state,
    plot_synapses,
)


@pytest.fixture(scope="module")
def net():
    """15 neurons relaxing towards different levels above threshold (so each fires regularly) for 20 ms, with
    recurrent synapses whose weights depend on i and j; every kind of monitor."""
    seed(3)
    group = NeuronGroup(15, "dv/dt = (v0 - v)/(5*ms) : volt\nv0 : volt (constant)", threshold="v > 10*mV",
                        reset="v = 0*mV", method="exact")
    group.v0 = "12*mV + 2*mV*i"
    synapses = Synapses(group, group, "w : volt", on_pre="v += w")
    synapses.connect("i != j", p=0.3)
    synapses.w = "0.1*mV*(i + 2*j)"
    spikes, rate = SpikeMonitor(group), PopulationRateMonitor(group)
    state = StateMonitor(group, "v", record=[0, 7, 14])
    both = StateMonitor(group, ["v", "v0"], record=[0])
    Network(group, synapses, spikes, rate, state, both).run(20 * ms)
    assert spikes.num_spikes > 30
    return {"group": group, "synapses": synapses, "spikes": spikes, "rate": rate, "state": state, "both": both}


@pytest.fixture
def ax():
    figure, axes = plt.subplots()
    yield axes
    plt.close(figure)


@pytest.fixture
def tree():
    """A soma (20 um) with a dendrite of 4 compartments carrying a branch of 3, and an axon of 5."""
    morpho = Soma(diameter=20 * um)
    morpho.dend = Cylinder(diameter=2 * um, length=100 * um, n=4)
    morpho.dend.branch = Cylinder(diameter=1 * um, length=50 * um, n=3)
    morpho.axon = Cylinder(diameter=1 * um, length=80 * um, n=5)
    return morpho.generate_coordinates()


# --- recorded activity -------------------------------------------------------------------------------------------
def test_raster_draws_every_spike_once_at_its_time_in_ms(net, ax):
    spikes = net["spikes"]
    assert brian_plot(spikes, axes=ax) is ax
    (line,) = ax.lines
    np.testing.assert_array_equal(line.get_xdata(), spikes.t_ / 1e-3)
    np.testing.assert_array_equal(line.get_ydata(), spikes.i)
    assert len(line.get_xdata()) == spikes.num_spikes
    assert line.get_rasterized() and line.get_linestyle() == "None" and line.get_marker() == "."
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("time (ms)", "neuron index")


def test_raster_takes_a_time_unit_and_matplotlib_keywords(net, ax):
    spikes = net["spikes"]
    plot_raster(spikes.i, spikes.t, time_unit=second, axes=ax, ms=5, c="r")
    (line,) = ax.lines
    np.testing.assert_array_equal(line.get_xdata(), spikes.t_)
    assert ax.get_xlabel() == "time (s)"
    assert line.get_markersize() == 5 and line.get_color() == "r"


def test_large_rasters_draw_pixels(net, ax, monkeypatch):
    monkeypatch.setattr(simcore.plotting, "PIXEL_RASTER_SPIKES", 10)
    plot_raster(net["spikes"].i, net["spikes"].t, axes=ax)
    assert ax.lines[0].get_marker() == ","


def test_state_traces_in_the_variables_display_unit(net, ax):
    state = net["state"]
    assert brian_plot(state, axes=ax) is ax
    assert len(ax.lines) == 3
    for k, line in enumerate(ax.lines):
        np.testing.assert_array_equal(line.get_xdata(), state.t_ / 1e-3)
        np.testing.assert_allclose(line.get_ydata(), state.v_[k] / 1e-3, rtol=1e-12)
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("time (ms)", "v (mV)")


def test_plot_state_units_and_names(net, ax):
    state = net["state"]
    plot_state(state.t, state.v.T, var_unit=volt, var_name="membrane potential", axes=ax)
    np.testing.assert_array_equal(ax.lines[0].get_ydata(), state.v_[0])
    assert ax.get_ylabel() == "membrane potential (V)"
    ax.clear()
    plot_state(state.t, state.v_.T * 1e3, axes=ax)  # plain numbers: no unit to show
    assert ax.get_ylabel() == "value"


def test_state_monitor_with_several_variables_needs_var(net, ax):
    both = net["both"]
    with pytest.raises(ModelValueError, match=r"records \['v', 'v0'\]; choose one with var="):
        brian_plot(both, axes=ax)
    with pytest.raises(ModelValueError, match="does not record 'w'"):
        brian_plot(both, var="w", axes=ax)
    brian_plot(both, var="v0", axes=ax)
    np.testing.assert_allclose(ax.lines[0].get_ydata(), 12.0)
    assert ax.get_ylabel() == "v0 (mV)"


def test_rate_is_smoothed_with_a_gaussian_of_one_ms(net, ax):
    rate = net["rate"]
    assert brian_plot(rate, axes=ax) is ax
    (line,) = ax.lines
    np.testing.assert_array_equal(line.get_xdata(), rate.t_ / 1e-3)
    np.testing.assert_allclose(line.get_ydata(), np.asarray(rate.smooth_rate(width=1 * ms) / Hz), rtol=1e-12)
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("time (ms)", "rate (Hz)")
    ax.clear()
    plot_rate(rate.t, rate.rate, time_unit=second, axes=ax)
    np.testing.assert_array_equal(ax.lines[0].get_ydata(), rate.rate_)
    assert ax.get_xlabel() == "time (s)"


# --- synapses ---------------------------------------------------------------------------------------------------
def _matrix(synapses, values):
    matrix = np.full((15, 15), np.nan)
    matrix[np.asarray(synapses.j[:]), np.asarray(synapses.i[:])] = values
    return matrix


def test_small_synapses_are_drawn_as_a_matrix(net, ax):
    synapses = net["synapses"]
    brian_plot(synapses, axes=ax)
    (image,) = ax.images
    np.testing.assert_array_equal(np.asarray(image.get_array().filled(np.nan)), _matrix(synapses, 1.0))
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("source neuron index", "target neuron index")
    assert ax.get_xlim() == (-0.5, 14.5)
    assert len(ax.figure.axes) == 1  # connections only: no colour bar


def test_matrix_coloured_by_a_synaptic_variable(net, ax):
    synapses = net["synapses"]
    brian_plot(synapses, var="w", axes=ax)
    np.testing.assert_allclose(np.asarray(ax.images[0].get_array().filled(np.nan)),
                               _matrix(synapses, np.asarray(synapses.w_[:]) / 1e-3), rtol=1e-12)
    (colour_bar,) = [other for other in ax.figure.axes if other is not ax]
    assert colour_bar.get_ylabel() == "w (mV)"


def test_scatter_maps_values_through_the_colormap(net, ax):
    synapses = net["synapses"]
    i, j, w = np.asarray(synapses.i[:]), np.asarray(synapses.j[:]), np.asarray(synapses.w_[:]) / 1e-3
    plot_synapses(synapses.i, synapses.j, synapses.w, cmap="plasma", axes=ax)
    (points,) = [c for c in ax.collections if isinstance(c, PathCollection)]
    offsets = points.get_offsets()
    by_pair = dict(zip(zip(i.tolist(), j.tolist(), strict=True), w, strict=True))
    expected = np.array([by_pair[int(x), int(y)] for x, y in offsets])
    assert len(offsets) == len(synapses)
    np.testing.assert_allclose(points.get_array(), expected, rtol=1e-12)
    ax.figure.canvas.draw()
    colours = plt.get_cmap("plasma")(Normalize(w.min(), w.max())(expected))
    np.testing.assert_allclose(points.get_facecolors(), colours)
    assert ax.figure.axes[-1].get_ylabel() == "w (mV)"


def test_several_synapses_per_pair(ax):
    with pytest.raises(ModelValueError, match="several synapses, so one value per pair is ill-defined"):
        plot_synapses([0, 0, 1], [1, 1, 2], [1, 2, 3] * mV, axes=ax)
    plot_synapses([0, 0, 1], [1, 1, 2], axes=ax)  # coloured by the number of synapses
    np.testing.assert_array_equal(ax.collections[0].get_array(), [2, 1])
    ax.clear()
    plot_synapses([0, 0, 1], [1, 1, 2], [1, 2, 3] * mV, plot_type="hexbin", gridsize=3, axes=ax)
    assert sorted(ax.collections[0].get_array()) == [1.5, 3.0]  # the mean of each bin


def test_brian_plot_of_synapses_takes_a_plot_type(net, ax):
    brian_plot(net["synapses"], plot_type="hexbin", axes=ax)
    (hexagons,) = ax.collections
    assert isinstance(hexagons, PolyCollection) and hexagons.get_array().sum() == len(net["synapses"])


# --- morphology ---------------------------------------------------------------------------------------------------
def test_morphology_in_2d_draws_one_segment_per_compartment(tree, ax):
    flat = flatten(tree)
    assert brian_plot(tree, axes=ax) is ax
    (segments,) = [c for c in ax.collections if isinstance(c, LineCollection)]
    (somata,) = [c for c in ax.collections if isinstance(c, PatchCollection)]
    drawn = np.array(segments.get_segments())
    assert drawn.shape == (12, 2, 2)
    np.testing.assert_allclose(drawn[:, 0], np.c_[flat.start_x, flat.start_y][1:] / 1e-6, atol=1e-9)
    np.testing.assert_allclose(drawn[:, 1], np.c_[flat.end_x, flat.end_y][1:] / 1e-6, atol=1e-9)
    colours = segments.get_colors()  # sections take the colours in turn: soma, dend, branch, axon
    np.testing.assert_allclose(colours[:4], [matplotlib.colors.to_rgba("darkred")] * 4)
    np.testing.assert_allclose(colours[4:7], [matplotlib.colors.to_rgba("darkblue")] * 3)
    assert len(somata.get_paths()) == 1
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("x (um)", "y (um)")


def test_morphology_options(tree, ax):
    plot_morphology(tree, show_diameter=True, show_compartments=True, axes=ax)
    (bodies,) = [c for c in ax.collections if isinstance(c, PolyCollection) and not isinstance(c, PatchCollection)]
    assert len(bodies.get_paths()) == 12
    np.testing.assert_allclose(ax.lines[0].get_xdata(), flatten(tree).end_x[1:] / 1e-6, atol=1e-9)


def test_morphology_coloured_by_values(tree, ax):
    distance = Quantity(flatten(tree).distance, metre)
    plot_morphology(tree, values=distance, value_norm=(0 * um, 200 * um), value_colormap="viridis",
                    value_name="distance", axes=ax)
    (segments,) = [c for c in ax.collections if isinstance(c, LineCollection)]
    expected = plt.get_cmap("viridis")(Normalize(0, 200)(flatten(tree).distance[1:] / 1e-6))
    np.testing.assert_allclose(segments.get_colors(), expected)
    assert ax.figure.axes[-1].get_ylabel() == "distance (um)"
    with pytest.raises(ModelValueError, match=r"one value per compartment \(13\)"):
        plot_morphology(tree, values=[1, 2, 3], axes=ax)


def test_morphology_in_3d(tree):
    figure = plt.figure()
    ax = plot_morphology(tree, plot_3d=True)
    assert ax.name == "3d" and ax.figure is figure
    (segments,) = [c for c in ax.collections if isinstance(c, Line3DCollection)]
    figure.canvas.draw()  # a 3-D collection has its (projected) segments once drawn
    assert len(segments.get_segments()) == 12
    assert ax.get_zlabel() == "z (um)"
    plt.close(figure)
    figure, flat_axes = plt.subplots()
    with pytest.raises(ModelTypeError, match="3-D axes"):
        plot_morphology(tree, plot_3d=True, axes=flat_axes)
    plt.close(figure)


def test_spatial_neuron_coloured_by_a_variable(tree, ax):
    neuron = SpatialNeuron(tree, "Im = -v*1*msiemens/cm**2 : amp/meter**2")
    neuron.v = "-70*mV + i*mV"
    brian_plot(neuron, var="v", value_colormap="viridis", axes=ax)
    (segments,) = [c for c in ax.collections if isinstance(c, LineCollection)]
    shown = np.asarray(neuron.v_[:]) / 1e-3
    np.testing.assert_allclose(shown, np.arange(13) - 70.0)
    expected = plt.get_cmap("viridis")(Normalize(shown.min(), shown.max())(shown[1:]))
    np.testing.assert_allclose(segments.get_colors(), expected)
    assert ax.figure.axes[-1].get_ylabel() == "v (mV)"


# --- axes and errors ------------------------------------------------------------------------------------------------
def test_without_axes_the_current_axes_is_used(net):
    figure = plt.figure()
    current = plt.gca()
    assert brian_plot(net["spikes"]) is current and len(current.lines) == 1
    plt.close(figure)


def test_bad_input_is_refused_clearly(net, ax):
    spikes, state = net["spikes"], net["state"]
    with pytest.raises(ModelTypeError, match="brian_plot cannot plot NeuronGroup objects"):
        brian_plot(net["group"], axes=ax)
    with pytest.raises(ModelTypeError, match="brian_plot cannot plot int objects"):
        brian_plot(42, axes=ax)
    with pytest.raises(ModelValueError, match="indices and times must have the same length, not 2 and 1"):
        plot_raster([0, 1], [1] * ms, axes=ax)
    with pytest.raises(DimensionMismatchError, match="times are in units of dimensionless"):
        plot_raster([0, 1], [1, 2], axes=ax)
    with pytest.raises(DimensionMismatchError, match="cannot be shown in mV"):
        plot_raster(spikes.i, spikes.t, time_unit=mV, axes=ax)
    with pytest.raises(DimensionMismatchError, match="must be element indices"):
        plot_raster(spikes.t, spikes.t, axes=ax)
    with pytest.raises(ModelValueError, match=r"pass mon.v.T"):
        plot_state(state.t, state.v, axes=ax)
    with pytest.raises(ModelValueError, match="plot_type must be 'scatter', 'image' or 'hexbin', not 'pie'"):
        plot_synapses([0], [1], plot_type="pie", axes=ax)
    with pytest.raises(ModelValueError, match="sources and values must have the same length"):
        plot_synapses([0, 1], [1, 0], [1] * mV, axes=ax)
    with pytest.raises(ModelTypeError, match="not the string"):
        plot_rate("t", [1] * Hz, axes=ax)
    with pytest.raises(ModelTypeError, match="plot_morphology takes a Morphology or a SpatialNeuron"):
        plot_morphology(net["group"], axes=ax)
    empty = Synapses(net["group"], net["group"])
    with pytest.raises(ModelValueError, match="has no synapses to plot"):
        brian_plot(empty, axes=ax)
    assert not ax.has_data()  # nothing half-drawn


def test_import_simcore_leaves_matplotlib_alone_and_a_missing_one_is_named():
    code = ("import sys\n"
            "import simcore\n"
            "assert 'matplotlib' not in sys.modules\n"
            "sys.modules['matplotlib'] = None\n"
            "try:\n"
            "    import simcore.plotting\n"
            "except ImportError as error:\n"
            "    print(error)\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "simcore.plotting needs matplotlib: pip install 'simcore[plot]'"


def test_matplotlib_plots_a_groups_variables_directly():
    """Brian 2's scripts hand ``G.x`` to ``plot`` (matplotlib indexes it with ``x[:, None]``)."""
    group = NeuronGroup(5, "v : volt\nscaled = v/mV : 1")
    group.v = [1, 2, 3, 4, 5] * mV
    figure, ax = plt.subplots()
    line, = ax.plot(group.v / mV, group.scaled, ".")
    np.testing.assert_array_equal(line.get_xdata(), [1, 2, 3, 4, 5])
    np.testing.assert_array_equal(line.get_ydata(), [1, 2, 3, 4, 5])
    assert group.v[:, None].shape == (5, 1) and group.v[..., 0] == 1 * mV
    plt.close(figure)
