"""Monitors' records as an NWB file (Neurodata Without Borders, the neurophysiology data standard), and back.

``export_nwb`` writes what the monitors recorded where NWB tools look for it: spikes in the ``units`` table
(one row per neuron of each monitored group, with or without spikes), each StateMonitor variable and each
population rate as a ``TimeSeries`` in ``acquisition`` (named ``<monitor>.<variable>``, values in SI units, so
``unit`` is the SI unit and ``conversion`` 1), the events of an EventMonitor (and the variables a
SpikeMonitor records at its spikes) as a table in ``acquisition`` named like the monitor. The model (each
group's equations, threshold, reset, the constants it uses, uniform parameter values), the monitors'
description and simcore's version go into the scratch entry ``simcore`` as JSON: NWB has no place for a
model, and scratch keeps the file valid without an extension.

``read_nwb`` reads such a file back into the monitor-like objects ``load_output`` gives. The file is data:
its JSON is parsed, its units are read by name, nothing in it is run. pynwb is imported only here, when
called (``pip install 'simcore[nwb]'``)."""

from __future__ import annotations

import datetime
import json
import os
import uuid
from pathlib import Path
from typing import Any

import numpy as np

from simcore.errors import ModelError, ModelNotImplementedError, ModelTypeError, ModelValueError
from simcore.extras import optional_module
from simcore.namespace import DEFAULT_CONSTANTS, caller_namespace
from simcore.network import VERSION, Network
from simcore.objects.base import CLOCK_NAMES, EventClock
from simcore.objects.group import Group
from simcore.objects.monitor_base import Monitor
from simcore.objects.monitors import EventMonitor, PopulationRateMonitor, SpikeMonitor, StateMonitor
from simcore.objects.neurongroup import NeuronGroup
from simcore.objects.synapses import Synapses
from simcore.output.reader import Recording, StoredMonitor, record_unit
from simcore.plan.names import Names, resolve_names
from simcore.units import UNIT_NAMES, second, to_si, unit_name

FORMAT = "simcore-nwb"
FORMAT_VERSION = 1
SCRATCH = "simcore"  #: the scratch entry with the model and the monitors' description (JSON)
_FILLED = ("session_description", "identifier", "session_start_time", "acquisition", "units", "scratch")


def _pynwb():
    return optional_module("pynwb", "NWB files", "nwb")


def export_nwb(path: str | os.PathLike, objects: Monitor | list[Monitor] | tuple[Monitor, ...] | Network, *,
               session_description: str | None = None, identifier: str | None = None,
               session_start_time: datetime.datetime | None = None, overwrite: bool = False, **metadata: Any) -> None:
    """Write the records of ``objects`` (a monitor, a list of monitors, or a Network: all its monitors) into the
    NWB file ``path``. ``session_description`` (required by NWB) says what was simulated; ``identifier``
    defaults to a new UUID, ``session_start_time`` to now; other keywords are NWBFile's fields (``experimenter``,
    ``lab``, ``institution``, ``notes``, ``keywords``, ...). An existing file is refused unless ``overwrite``.
    The constants a model uses are looked up in its group's ``namespace=``, else in the caller's frame.
    Everything is checked before the file is written; it is written to a temporary file first."""
    monitors = _monitors(objects)
    if session_description is None:
        raise ModelValueError("export_nwb needs session_description=, a text that says what was simulated (every "
                              "NWB file has one)")
    if not isinstance(session_description, str) or not session_description.strip():
        raise ModelTypeError(f"session_description must be a non-empty text, not {session_description!r}")
    if session_start_time is not None and not isinstance(session_start_time, datetime.datetime):
        raise ModelTypeError(f"session_start_time must be a datetime.datetime, not {session_start_time!r}")
    target = _target(path, overwrite)
    names = resolve_names(None, caller_namespace())
    description = {"format": FORMAT, "format_version": FORMAT_VERSION, "simcore_version": VERSION,
                   "models": {group.name: _model(group, names) for group in _groups(objects, monitors)},
                   "monitors": {monitor.name: _monitor_info(monitor) for monitor in monitors}}
    pynwb = _pynwb()
    nwbfile = _new_file(pynwb, session_description, identifier, session_start_time, metadata)
    _add_records(nwbfile, monitors)
    nwbfile.add_scratch(json.dumps(description), name=SCRATCH,
                        description="simcore's model and monitors (JSON): equations, thresholds, resets, constants, "
                                    "time steps, which records went where, their units, simcore's version")
    temporary = target.with_name(f".{target.stem}.{os.getpid()}.tmp{target.suffix}")
    try:
        with pynwb.NWBHDF5IO(temporary, "w") as io:
            io.write(nwbfile)
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)


def _monitors(objects: Any) -> list[Monitor]:
    """The monitors to export, each checked to have records; a clear error for anything else."""
    if isinstance(objects, Network):
        monitors = [obj for obj in objects if isinstance(obj, Monitor)]
        if not monitors:
            raise ModelValueError(f"export_nwb: the network '{objects.name}' has no monitors: nothing to export")
    elif isinstance(objects, Monitor):
        monitors = [objects]
    elif isinstance(objects, list | tuple):
        if not objects:
            raise ModelValueError("export_nwb got an empty list: give monitors or a Network")
        wrong = [obj for obj in objects if not isinstance(obj, Monitor)]
        if wrong:
            raise ModelTypeError(f"export_nwb exports monitors; {wrong[0]!r} ({type(wrong[0]).__name__}) is not one")
        monitors = list(dict.fromkeys(objects))
    else:
        raise ModelTypeError(f"export_nwb exports a monitor, a list of monitors or a Network, not {objects!r} "
                             f"({type(objects).__name__})"[:300])
    names = [monitor.name for monitor in monitors]
    twice = sorted({name for name in names if names.count(name) > 1})
    if twice:
        raise ModelValueError(f"export_nwb: two monitors are named {twice[0]!r}; the file names records by monitor")
    for monitor in monitors:
        if not isinstance(monitor, StateMonitor | PopulationRateMonitor | EventMonitor):
            raise ModelNotImplementedError(f"export_nwb cannot export {monitor.where()} (a {type(monitor).__name__})")
        if monitor.network_time == 0 and len(monitor) == 0:
            raise ModelValueError(f"{monitor.where()} has not run: it has no records to export; run the network "
                                  "first")
        if isinstance(monitor, EventMonitor) and not monitor.record:
            raise ModelValueError(f"{monitor.where()} was made with record=False: it keeps no event times to "
                                  "export (only counts); make it with record=True")
    return monitors


def _target(path: Any, overwrite: bool) -> Path:
    if not isinstance(path, str | os.PathLike):
        raise ModelTypeError(f"export_nwb writes to a file path, not {path!r}")
    target = Path(path)
    folder = target.parent
    if not folder.is_dir():
        raise ModelValueError(f"cannot write the NWB file {target}: the folder {folder} does not exist")
    if target.exists() and not overwrite:
        raise ModelValueError(f"the NWB file {target} exists; pass overwrite=True to replace it")
    if not os.access(folder, os.W_OK):
        raise ModelValueError(f"cannot write the NWB file {target}: permission denied")
    return target


def _new_file(pynwb, session_description: str, identifier: str | None, start: datetime.datetime | None,
              metadata: dict[str, Any]):
    fields = {arg["name"] for arg in pynwb.get_docval(pynwb.NWBFile.__init__)} - set(_FILLED)
    unknown = sorted(set(metadata) - fields)
    if unknown:
        raise ModelTypeError(f"export_nwb: {unknown[0]!r} is not a field of an NWB file; the fields are "
                             f"{sorted(fields)}")
    start = datetime.datetime.now().astimezone() if start is None else start
    try:
        return pynwb.NWBFile(session_description=session_description,
                             identifier=str(uuid.uuid4()) if identifier is None else identifier,
                             session_start_time=start if start.tzinfo else start.astimezone(), **metadata)
    except (TypeError, ValueError) as error:
        raise ModelTypeError(f"export_nwb: pynwb refused the file's fields: {error}") from None


def _add_records(nwbfile, monitors: list[Monitor]) -> None:
    from hdmf.common import DynamicTable, VectorData
    from pynwb import TimeSeries

    spiking = [monitor for monitor in monitors if isinstance(monitor, SpikeMonitor)]
    if spiking:
        nwbfile.units = _units_table(spiking)
    for monitor in monitors:
        states = monitor.get_states(units=False)
        if isinstance(monitor, EventMonitor) and (monitor.record_variables or not isinstance(monitor, SpikeMonitor)):
            columns = [VectorData(name=name, description=f"{_column_meaning(name)} "
                                  f"({unit_name(monitor.variables[name].dim)})", data=np.asarray(states[name]))
                       for name in ["i", "t", *monitor.record_variables]]
            nwbfile.add_acquisition(DynamicTable(
                name=monitor.name, description=f"{_what(monitor)}: one row per event", id=np.arange(len(monitor)),
                columns=columns))
        elif isinstance(monitor, StateMonitor | PopulationRateMonitor):
            timestamps = np.asarray(states["t"])
            names = monitor.record_variables if isinstance(monitor, StateMonitor) else ["rate"]
            for name in names:
                series = TimeSeries(name=f"{monitor.name}.{name}", data=np.asarray(states[name]),
                                    unit=unit_name(monitor.variables[name].dim), conversion=1.0,
                                    timestamps=timestamps, description=f"'{name}': {_what(monitor)}")
                nwbfile.add_acquisition(series)
                timestamps = series  # the monitor's other series link to these times


def _units_table(monitors: list[SpikeMonitor]):
    """One row per neuron of each monitored group: its spike times (s), the monitor, the group, its index."""
    from hdmf.common import VectorData, VectorIndex
    from pynwb.misc import Units

    trains = [(monitor, k, np.asarray(to_si(times)[0], dtype=np.float64))
              for monitor in monitors for k, times in monitor.spike_trains().items()]
    spike_times = VectorData(name="spike_times", description="spike times (second)",
                             data=np.concatenate([times for _, _, times in trains]))
    columns = [spike_times,
               VectorIndex(name="spike_times_index", data=np.cumsum([len(times) for _, _, times in trains]),
                           target=spike_times),
               VectorData(name="monitor", description="the simcore SpikeMonitor that recorded the neuron",
                          data=[monitor.name for monitor, _, _ in trains]),
               VectorData(name="source", description="the group of the neuron",
                          data=[monitor.source.root.name for monitor, _, _ in trains]),
               VectorData(name="i", description="the neuron's index in the monitored group (as SpikeMonitor.i; a "
                          "subgroup starts at the neuron 'first_element' of the monitor in scratch 'simcore')",
                          data=np.array([k for _, k, _ in trains], dtype=np.int64))]
    steps = {monitor.dt_ for monitor in monitors if not isinstance(monitor.clock, EventClock)}
    return Units(name="units", id=np.arange(len(trains)), columns=columns,
                 resolution=steps.pop() if len(steps) == 1 else None,
                 description="spikes recorded by simcore: one row per neuron of each monitored group, with or "
                             "without spikes")


def _column_meaning(name: str) -> str:
    return {"i": "index of the element in the monitored group", "t": "time of the event"}.get(
        name, f"'{name}' at the event, in SI units")


def _what(monitor: Monitor) -> str:
    """Which elements of which group a monitor recorded, for the descriptions NWB tools show."""
    source = monitor.source
    group = f"'{source.root.name}'" + (f" (a subgroup from element {source.offset})" if source.offset else "")
    kind, name = type(monitor).__name__, monitor.name
    if isinstance(monitor, StateMonitor):
        return (f"elements {_indices(monitor.record)} of {group} (the columns of data, in this order), recorded "
                f"by {kind} '{name}', in SI units")
    if isinstance(monitor, PopulationRateMonitor):
        return f"the population rate of {group}, recorded by {kind} '{name}', in hertz"
    return f"events '{monitor.event}' of {group}, recorded by {kind} '{name}'"


def _indices(record: np.ndarray) -> str:
    if len(record) > 1 and np.array_equal(record, np.arange(record[0], record[0] + len(record))):
        return f"{int(record[0])} to {int(record[-1])}"
    return "[" + ", ".join(str(int(k)) for k in record) + "]"


def _monitor_info(monitor: Monitor) -> dict[str, Any]:
    """What read_nwb needs to rebuild a monitor's records, and what a reader of the file wants to know."""
    source = monitor.source
    info: dict[str, Any] = {"kind": type(monitor).__name__, "source": source.root.name,
                            "first_element": int(source.offset), "elements": int(source.N)}
    if not isinstance(monitor.clock, EventClock):
        info["dt"] = monitor.dt_
    if isinstance(monitor, EventMonitor):
        info["event"] = monitor.event
    if isinstance(monitor, StateMonitor):
        info["record"] = [int(k) for k in monitor.record]
    if isinstance(monitor, StateMonitor | EventMonitor):
        info["variables"] = list(monitor.record_variables)
    info["units"] = {name: unit_name(variable.dim) for name, variable in monitor.variables.items() if name != "count"}
    return info


def _groups(objects: Any, monitors: list[Monitor]) -> list[Group]:
    """The groups whose models the file describes: a network's, and the monitored ones."""
    candidates = [*(objects if isinstance(objects, Network) else []), *(monitor.source for monitor in monitors)]
    return list(dict.fromkeys(obj.root for obj in candidates if isinstance(obj, Group)))


def _model(group: Group, names: Names) -> dict[str, Any]:
    """A group's model as text and numbers: equations, threshold, reset, refractoriness, events, pathways, the
    external constants it uses (in SI units) and its parameters that have one value for all elements."""
    model: dict[str, Any] = {"kind": type(group).__name__, "N": int(group.N), "equations": str(group.equations),
                             "dt": group.dt_}
    if getattr(group, "method", None) is not None:
        model["method"] = str(group.method)
    used = set(group.equations.identifiers)
    if isinstance(group, NeuronGroup):
        if group.threshold is not None:
            model["threshold"] = group.threshold.text
        if group.reset is not None:
            model["reset"] = group.reset.source
            used |= group.reset.identifiers
        if group.refractory_expression is not None:
            model["refractory"] = group.refractory_expression.text
            used |= group.refractory_expression.identifiers
        elif group.refractory_kind == "time":
            model["refractory"] = {"value": float(group.variables["_refractory"].values()), "unit": "second"}
        model["events"] = {name: condition.text for name, condition in group.events.items() if name != "spike"}
        used |= {name for condition in group.events.values() for name in condition.identifiers}
    if isinstance(group, Synapses):
        model["source"], model["target"] = group.source.root.name, group.target.root.name
        model["pathways"] = {pathway.name: {"code": "" if pathway.statements is None else pathway.statements.source,
                                            "event": pathway.event, "direction": pathway.direction}
                             for pathway in group._pathways}
        used |= {name for pathway in group._pathways if pathway.statements is not None
                 for name in pathway.statements.identifiers}
    model["constants"] = {name: value for name in sorted(used) if (value := _constant(group, name, names))}
    model["parameters"] = {name: value for name in group.equations.parameter_names
                           if (value := _parameter(group, name)) is not None}
    return model


def _constant(group: Group, name: str, names: Names) -> dict[str, Any] | None:
    """A scalar constant the group's model takes from its namespace or the caller's (looked up as a run looks it
    up), in SI units (None for a name of the group, a unit, a function, an array, or one not found)."""
    if group._own_name(name) or name in CLOCK_NAMES or name in UNIT_NAMES or name in DEFAULT_CONSTANTS:
        return None
    try:
        value = names.value(group, name)
        magnitude, dimension = (None, None) if isinstance(value, str) else to_si(value)
    except (ModelError, TypeError, ValueError):
        return None
    if magnitude is None or np.ndim(magnitude) != 0:
        return None
    return {"value": float(magnitude), "unit": unit_name(dimension)}


def _parameter(group: Group, name: str) -> dict[str, Any] | None:
    """A parameter's value if all elements share it, else its range (per-element values are state, and would
    make the description as large as the network)."""
    variable = group.variables.get(name)
    values = np.asarray(variable.values()) if variable is not None else np.empty(0)
    if values.size == 0:
        return None
    unit = unit_name(variable.dimension)
    if np.all(values == values.flat[0]):
        return {"value": values.flat[0].item(), "unit": unit}
    return {"min": values.min().item(), "max": values.max().item(), "unit": unit}


def read_nwb(path: str | os.PathLike) -> Recording:
    """The monitors of an NWB file that ``export_nwb`` wrote, as ``load_output`` gives an HDF5 file's: by name
    (``rec.spikemonitor.spike_trains()``, ``rec.statemonitor[3].v``, ``rec.ratemonitor.rate``), with units.
    ``rec.attrs``: simcore's version, the groups' models (``rec.attrs['models']``) and the session's fields."""
    pynwb = _pynwb()
    if not Path(path).is_file():
        raise ModelError(f"cannot read {os.fspath(path)}: no such file")
    try:
        io = pynwb.NWBHDF5IO(path, "r")
    except (OSError, ValueError) as error:
        raise ModelError(f"cannot read {os.fspath(path)}: it is not a readable NWB file ({error})") from None
    with io:
        try:
            nwbfile = io.read()
        except (OSError, ValueError, KeyError, TypeError) as error:
            raise ModelError(f"cannot read {os.fspath(path)}: it is not a readable NWB file ({error})") from None
        description = _description(nwbfile, path)
        try:
            monitors = {name: StoredMonitor(name, info, _records(nwbfile, path, name, info))
                        for name, info in description["monitors"].items()}
        except (KeyError, TypeError, ValueError, IndexError, AttributeError) as error:
            raise ModelError(f"cannot read {os.fspath(path)}: its contents do not match its simcore description "
                             f"({type(error).__name__}: {error})") from None
        session = {"session_description": nwbfile.session_description, "identifier": nwbfile.identifier,
                   "session_start_time": nwbfile.session_start_time.isoformat()}
    return Recording({**{key: value for key, value in description.items() if key != "monitors"}, **session}, monitors,
                     os.fspath(path))


def _description(nwbfile, path: str | os.PathLike) -> dict[str, Any]:
    where = f"cannot read {os.fspath(path)}"
    if SCRATCH not in nwbfile.scratch:
        raise ModelError(f"{where}: it is an NWB file, but not one simcore's export_nwb wrote (no scratch entry "
                         f"'{SCRATCH}')")
    text = nwbfile.scratch[SCRATCH].data
    try:
        description = json.loads(text.decode() if isinstance(text, bytes) else str(text))
    except ValueError as error:
        raise ModelError(f"{where}: its scratch entry '{SCRATCH}' is not JSON ({error})") from None
    if not isinstance(description, dict) or description.get("format") != FORMAT or \
            not isinstance(description.get("monitors"), dict):
        raise ModelError(f"{where}: its scratch entry '{SCRATCH}' is not a description of format '{FORMAT}'")
    if description.get("format_version") != FORMAT_VERSION:
        raise ModelError(f"{where}: it has format version {description.get('format_version')!r}; this simcore "
                         f"reads version {FORMAT_VERSION}")
    return description


def _records(nwbfile, path: str | os.PathLike, name: str, info: dict[str, Any]) -> dict[str, tuple]:
    """A monitor's records as (values, Unit or None) by name, as StoredMonitor takes them."""
    kind = info["kind"]
    if kind in ("StateMonitor", "PopulationRateMonitor"):
        records = {}
        for variable in info["variables"] if kind == "StateMonitor" else ["rate"]:
            series = nwbfile.acquisition[f"{name}.{variable}"]
            values = np.asarray(series.data[:])
            if series.conversion != 1 or series.offset != 0:
                values = values * series.conversion + series.offset
            records[variable] = values, record_unit(path, name, variable, series.unit)
            records["t"] = np.asarray(series.timestamps[:], dtype=np.float64), second
        return records
    if kind not in ("SpikeMonitor", "EventMonitor"):
        raise ValueError(f"the monitor '{name}' is of an unknown kind {kind!r}")
    if kind == "EventMonitor" or info["variables"]:
        table = nwbfile.acquisition[name]
        records = {column: (np.asarray(table[column].data[:]), record_unit(path, name, column, info["units"][column]))
                   for column in ["i", "t", *info["variables"]]}
    else:
        records = dict(zip(("i", "t"), _spikes(nwbfile.units, name), strict=True))
    records["count"] = np.bincount(records["i"][0], minlength=int(info["elements"])), None
    return records


def _spikes(units, name: str) -> tuple[tuple, tuple]:
    """The (i, t) records of a SpikeMonitor from its rows of the units table, in time order."""
    rows = np.flatnonzero(np.asarray(units["monitor"].data[:]).astype(str) == name)
    ends = np.asarray(units.spike_times_index.data[:], dtype=np.int64)
    starts = np.concatenate([[0], ends[:-1]])
    times = np.asarray(units.spike_times.data[:], dtype=np.float64)
    elements = np.asarray(units["i"].data[:])[rows]
    i = np.repeat(elements, ends[rows] - starts[rows]).astype(np.int32)
    t = np.concatenate([times[starts[row]:ends[row]] for row in rows]) if len(rows) else np.empty(0)
    order = np.argsort(t, kind="stable")
    return (i[order], None), (t[order], second)
