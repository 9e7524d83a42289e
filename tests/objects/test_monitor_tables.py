"""Monitors' records as tables for analysis: ``to_pandas()`` (spikes, rates, traces in long form),
``StateMonitor.to_xarray()`` and ``get_states(format='pandas')``, their values exactly the monitors' own in SI
units, units in ``attrs``, and a clear error naming the 'sweep' extra without pandas or xarray. One small
network, run once."""

import sys

import numpy as np
import pytest

from simcore import (
    ModelError,
    Network,
    NeuronGroup,
    PopulationRateMonitor,
    SpikeMonitor,
    StateMonitor,
    ms,
    mV,
    start_scope,
)

pytest.importorskip("pandas")
pytest.importorskip("xarray")


@pytest.fixture(scope="module")
def mons():
    """6 neurons that fire a few times each in 8 ms, every monitor on them."""
    start_scope()
    group = NeuronGroup(6, """dv/dt = (20*mV - v)/(2*ms) : volt
                              w = v/mV : 1""", threshold="v > 10*mV", reset="v = 0*mV", method="exact")
    group.v = "2*i*mV"
    mons = {"spikes": SpikeMonitor(group, variables="v"), "counts": SpikeMonitor(group, record=False),
            "rate": PopulationRateMonitor(group), "trace": StateMonitor(group, ["v", "w"], record=[0, 2, 5])}
    Network(group, *mons.values()).run(8 * ms)
    return mons


def test_spikes_as_a_pandas_table(mons):
    spikes = mons["spikes"]
    table = spikes.to_pandas()
    assert list(table.columns) == ["i", "t", "v"] and len(table) == spikes.num_spikes > 6
    np.testing.assert_array_equal(table["i"].to_numpy(), spikes.i)
    np.testing.assert_array_equal(table["t"].to_numpy(), spikes.t_)
    np.testing.assert_array_equal(table["t"].to_numpy(), np.asarray(spikes.t))  # in seconds
    np.testing.assert_array_equal(table["v"].to_numpy(), spikes.v_)
    assert table.attrs["units"] == {"i": "1", "t": "second", "v": "volt"}


def test_rates_as_a_pandas_table(mons):
    rate = mons["rate"]
    table = rate.to_pandas()
    assert list(table.columns) == ["t", "rate"] and len(table) == 80
    np.testing.assert_array_equal(table["t"].to_numpy(), rate.t_)
    np.testing.assert_array_equal(table["rate"].to_numpy(), rate.rate_)
    assert table.attrs["units"] == {"t": "second", "rate": "Hz"}


def test_traces_as_an_xarray_dataset(mons):
    trace = mons["trace"]
    data = trace.to_xarray()
    assert data["v"].dims == ("i", "t") and set(data.data_vars) == {"v", "w"}
    np.testing.assert_array_equal(data["v"].values, trace.v_)
    np.testing.assert_array_equal(data["v"].values, np.asarray(trace.v))  # in volt
    np.testing.assert_array_equal(data["w"].values, trace.w_)
    np.testing.assert_array_equal(data["t"].values, trace.t_)
    np.testing.assert_array_equal(data["i"].values, [0, 2, 5])
    np.testing.assert_array_equal(data["v"].sel(i=5).values, trace[5].v_)
    assert data["v"].attrs["units"] == "volt" and data["w"].attrs["units"] == "1"
    assert data["t"].attrs["units"] == "second"
    assert data.attrs["monitor"] == trace.name


def test_traces_as_a_long_pandas_table(mons):
    trace = mons["trace"]
    table = trace.to_pandas()
    assert list(table.columns) == ["t", "i", "v", "w"] and len(table) == 3 * len(trace.t_) == 3 * 80
    for position, element in enumerate([0, 2, 5]):
        rows = table[table["i"] == element]
        np.testing.assert_array_equal(rows["v"].to_numpy(), trace.v_[position])
        np.testing.assert_array_equal(rows["t"].to_numpy(), trace.t_)
    assert table.attrs["units"] == {"t": "second", "i": "1", "v": "volt", "w": "1"}


def test_get_states_as_a_pandas_table(mons):
    spikes = mons["spikes"]
    table = spikes.get_states(units=False, format="pandas")
    assert list(table.columns) == ["i", "t", "v", "N"]  # count: one per neuron, not per spike
    np.testing.assert_array_equal(table["i"].to_numpy(), spikes.i)
    assert table["N"].tolist() == [spikes.N] * spikes.N
    rates = mons["rate"].get_states(["rate"], units=False, format="pandas")
    np.testing.assert_array_equal(rates["rate"].to_numpy(), mons["rate"].rate_)
    with pytest.raises(NotImplementedError, match="units=False"):
        spikes.get_states(format="pandas")
    with pytest.raises(ValueError, match="'count' has values of shape \\(6,\\)"):
        spikes.get_states(["i", "count"], units=False, format="pandas")
    with pytest.raises(ValueError, match="'v' has values of shape \\(80, 3\\).*to_pandas\\(\\)"):
        mons["trace"].get_states(units=False, format="pandas")
    with pytest.raises(ValueError, match="'dict' or 'pandas'"):
        spikes.get_states(format="xarray")
    assert set(spikes.get_states()) == {"count", "i", "t", "v", "N"}  # the dict keeps everything


def test_a_monitor_without_records_has_no_table(mons):
    with pytest.raises(AttributeError, match="record=False"):
        mons["counts"].to_pandas()


def test_without_pandas_or_xarray_the_error_names_the_extra(mons, monkeypatch):
    monkeypatch.setitem(sys.modules, "xarray", None)
    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(ModelError, match=r"needs xarray: install it with pip install 'simcore\[sweep\]'"):
        mons["trace"].to_xarray()
    with pytest.raises(ModelError, match=r"needs pandas: install it with pip install 'simcore\[sweep\]'"):
        mons["spikes"].to_pandas()
    with pytest.raises(ModelError, match=r"pip install 'simcore\[sweep\]'"):
        mons["trace"].to_pandas()
    with pytest.raises(ModelError, match=r"pip install 'simcore\[sweep\]'"):
        mons["rate"].get_states(units=False, format="pandas")


def test_values_are_si_numbers(mons):
    v = mons["trace"].to_xarray()["v"].values
    np.testing.assert_allclose(v * 1000, mons["trace"].v / mV)  # volt, not mV
    assert 0 < v.max() < 0.011 and mons["spikes"].to_pandas()["t"].max() < 0.008
