"""``load_output(path)``: a file written by monitors (``output=`` / ``file=``) as unit-aware, monitor-like
objects: ``rec = load_output('run.h5'); rec.spikemonitor.t``, ``rec['statemonitor'].v[0]``; in a notebook, each
shows a summary of what the file holds."""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from simcore.display import Html, html_summary, html_table, html_text
from simcore.errors import ModelError
from simcore.output.hdf5 import open_simcore_file, stored_records
from simcore.units import Quantity, Unit, second
from simcore.units.names import unit_from_name


class StoredMonitor:
    """One monitor's records: ``t`` (a Quantity in seconds), ``t_``, ``i``, ``count``, ``num_spikes``,
    ``spike_trains()``, recorded variables with their units (``v``; ``v_`` in SI), as the monitor gives them:
    a StateMonitor's ``v[k]`` is the trace of its k-th recorded element, ``monitor[k].v`` of element k."""

    def __init__(self, name: str, attrs: dict, datasets: dict[str, tuple[np.ndarray, Unit | None]]):
        self.name = name
        self.attrs = attrs
        self.kind = str(attrs.get("kind", ""))
        self._datasets = datasets

    def __repr__(self) -> str:
        return f"<{self.kind} '{self.name}' from a file: {', '.join(self._datasets)}>"

    def _repr_html_(self) -> str:
        """How Jupyter shows a stored monitor: the file's attributes of it, and each record's unit, shape and type
        (all read from the file, which may come from anyone: escaped)."""
        facts = [(key, _attribute_text(value)) for key, value in self.attrs.items() if key not in ("kind", "model")]
        rows = [(name, "1" if unit is None else Html(unit._repr_html_()), " \u00d7 ".join(map(str, values.shape)),
                 values.dtype.name) for name, (values, unit) in self._datasets.items()]
        sections = [("Records", html_table(("name", "unit", "shape", "type"), rows))]
        if "model" in self.attrs:
            sections.append(("Model", html_text(_attribute_text(self.attrs["model"]))))
        return html_summary(f"{self.kind or 'monitor'} (from a file)", self.name, facts, sections)

    def _raw(self, name: str) -> np.ndarray:
        values, _ = self._datasets[name]
        return values.T if self.kind == "StateMonitor" and values.ndim == 2 else values

    def __getattr__(self, name: str):
        datasets = self.__dict__.get("_datasets", {})
        if name in datasets:
            unit = datasets[name][1]
            raw = self._raw(name)
            return raw if unit is None else Quantity(raw, unit)
        if name.endswith("_") and name[:-1] in datasets:
            return self._raw(name[:-1])
        raise AttributeError(f"the stored monitor '{self.__dict__.get('name')}' has no record '{name}'")

    @property
    def num_spikes(self) -> int:
        return int(self._datasets["count"][0].sum())

    num_events = num_spikes

    def spike_trains(self) -> dict[int, Quantity]:
        indices, times = self._raw("i"), self._raw("t")
        order = np.argsort(indices, kind="stable")
        bounds = np.searchsorted(indices[order], np.arange(int(self.attrs["elements"]) + 1))
        return {k: Quantity(times[order][bounds[k]:bounds[k + 1]], second) for k in range(int(self.attrs["elements"]))}

    def __getitem__(self, element: int):
        positions = np.flatnonzero(np.asarray(self.attrs.get("record", [])) == element)
        if positions.size == 0:
            raise IndexError(f"the stored monitor '{self.name}' did not record element {element}")
        return _Element(self, int(positions[0]))


class _Element:
    def __init__(self, monitor: StoredMonitor, position: int):
        self.monitor, self.position = monitor, position

    def __getattr__(self, name: str):
        return getattr(self.monitor, name)[self.position]


class Recording:
    """The monitors of a file, by name (``rec.spikemonitor``, ``rec['spikemonitor']``), and the file's
    attributes (``rec.attrs``: simcore version, dt, seed, ...)."""

    def __init__(self, attrs: dict, monitors: dict[str, StoredMonitor], path: str = ""):
        self.attrs = attrs
        self.monitors = monitors
        self.path = path

    def _repr_html_(self) -> str:
        """How Jupyter shows a file's records: its attributes, and its monitors with what each recorded."""
        facts = [(key, _attribute_text(value)) for key, value in self.attrs.items()]
        rows = [(name, monitor.kind, ", ".join(monitor._datasets)) for name, monitor in self.monitors.items()]
        return html_summary("Recording", self.path, facts,
                            [("Monitors", html_table(("name", "kind", "records"), rows))])

    def __getitem__(self, name: str) -> StoredMonitor:
        if name not in self.monitors:
            raise KeyError(f"no monitor '{name}' in the file; it has {sorted(self.monitors)}")
        return self.monitors[name]

    def __getattr__(self, name: str) -> StoredMonitor:
        monitors = self.__dict__.get("monitors", {})
        if name in monitors:
            return monitors[name]
        raise AttributeError(f"no monitor '{name}' in the file; it has {sorted(monitors)}")

    def __iter__(self):
        return iter(self.monitors)


def _attribute_text(value: Any) -> str:
    """An attribute of the file as short text: bytes decoded, long arrays cut to their ends."""
    if isinstance(value, bytes):
        return value.decode(errors="replace")
    if isinstance(value, np.ndarray):
        return np.array2string(value, threshold=6, edgeitems=3)
    return str(value)


def load_output(path: str | os.PathLike) -> Recording:
    """Read a file that simcore's monitors wrote (also one whose run was killed: everything up to the last
    chunk). Everything is read into memory. (Not ``load``: ``from simcore import *`` gives numpy's ``load``,
    as ``from brian2 import *`` does.)"""
    with open_simcore_file(path, "read") as stored:
        monitors = {}
        for name, group in stored.items():
            datasets = {key: (stored_records(group, key),
                              record_unit(path, name, key, group[key].attrs.get("unit", "1"))) for key in group}
            if "i" in datasets and "count" in datasets:
                # a run killed between appending a chunk's records and rewriting the per-element counts leaves
                # them apart: the counts are those of the complete records read above
                counts, unit = datasets["count"]
                datasets["count"] = np.bincount(datasets["i"][0], minlength=len(counts)).astype(counts.dtype), unit
            monitors[name] = StoredMonitor(name, dict(group.attrs), datasets)
        return Recording(dict(stored.attrs), monitors, os.fspath(path))


def record_unit(path: str | os.PathLike, monitor: str, dataset: str, attribute: Any) -> Unit | None:
    """A record's unit text (an HDF5 ``unit`` attribute, an NWB unit) as a Unit (None for '1': plain numbers).
    The text is parsed, never run: the file may come from anyone."""
    text = attribute.decode(errors="replace") if isinstance(attribute, bytes) else str(attribute)
    try:
        unit = unit_from_name(text)
    except ValueError as error:
        raise ModelError(f"cannot read {os.fspath(path)}: the record '{dataset}' of the monitor '{monitor}' has a "
                         f"bad unit attribute: {error}") from None
    return None if text.strip() == "1" else unit
