"""StateMonitor: variables of chosen elements at every (monitor) time step, ``mon.v[k]``, ``mon[k].v``; as tables
for analysis, ``mon.to_xarray()`` and ``mon.to_pandas()``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from simcore.display import indices_text
from simcore.equations import parse_expression
from simcore.errors import ModelIndexError, ModelKeyError, ModelTypeError
from simcore.extras import optional_module
from simcore.ir import Operation
from simcore.namespace import caller_namespace
from simcore.objects.base import CLOCK_NAMES, EventClock, as_seconds
from simcore.objects.group import Group
from simcore.objects.monitor_base import Monitor
from simcore.objects.monitor_lowering import state_monitor_operations
from simcore.objects.monitor_views import RecordedElements
from simcore.objects.spatial_views import element_numbers
from simcore.objects.synapses import PathwayView, SynapticSubgroup
from simcore.objects.variable_views import with_unit
from simcore.output.hdf5 import Output
from simcore.units import unit_name
from simcore.units.dimension import Dimension


def _record_dtype(name: str, dtype: np.dtype, requested) -> np.dtype:
    """The type a StateMonitor keeps ``name`` in: its own, or ``requested`` (one type, or one per name) if of
    the same kind (a float for a float, an integer for an integer, bool for bool)."""
    if isinstance(requested, Mapping):
        if name not in requested:
            return dtype
        requested = requested[name]
    if requested is None:
        return dtype
    try:
        wanted = np.dtype(requested)
    except TypeError as error:
        raise ModelTypeError(f"StateMonitor: dtype {requested!r} for '{name}' is not a numpy type") from error
    kinds = {"b": "b", "i": "iu", "u": "iu", "f": "f"}.get(dtype.kind, dtype.kind)
    if wanted.kind not in kinds:
        same = "bool" if kinds == "b" else "an integer type" if kinds == "iu" else "a float type"
        raise ModelTypeError(f"StateMonitor: cannot record '{name}' ({dtype.name}) as {wanted.name}: give a type of "
                             f"the same kind ({same})")
    return wanted


class StateMonitor(Monitor):
    """Variables of chosen elements at every (monitor) time step: ``mon.v[k]``, ``mon[k].v``, ``mon.t``.
    Besides stored variables it records subexpressions, linked variables and (on Synapses) the neurons'
    variables ``x_pre``/``x_post``, computed as the monitor records them.

    >>> from simcore import *
    >>> start_scope()
    >>> G = NeuronGroup(2, 'dv/dt = -v/(10*ms) : 1', method='exact')
    >>> G.v = [1, 2]
    >>> trace = StateMonitor(G, 'v', record=True)
    >>> run(0.3*ms)
    >>> trace.t[:]
    array([0.    , 0.0001, 0.0002]) * second
    >>> trace.v[1]
    array([2.        , 1.98009967, 1.96039735])
    """

    base_name = "statemonitor"
    default_when = "start"

    def __init__(self, source: Group, variables, record=True, dt=None, clock=None, when: str | None = None,
                 order: int = 0, name: str | None = None, file: str | Output | None = None, dtype=None):
        # a pathway (S.pre, S.post) records its synapses' variables, and as 'delay' its own delays
        self._reads: dict[str, str] = {}
        if isinstance(source, PathwayView):
            self._reads = {"delay": source.delay_variable}
            source = source.synapses
        names = list(source.variables if variables is True else [variables] if isinstance(variables, str)
                     else variables)
        names = [n for n in names if not n.startswith("_") and n not in ("i", "N")] if variables is True else names
        readable = source.root.dimensions()
        for variable in names:
            if self._reads.get(variable, variable) not in readable or variable in CLOCK_NAMES:
                raise ModelKeyError(f"StateMonitor: {source.where()} has no variable or subexpression '{variable}'")
        if dt is not None:
            as_seconds(dt, "StateMonitor dt")
        super().__init__(source, file=file, name=name, when=when, order=order, dt=dt,
                         clock=clock if clock is not None or dt is not None else source.clock)
        if isinstance(record, SynapticSubgroup):
            record = record.synapse_indices
        record = element_numbers(source, record)  # compartments (morpho.dend[30*um]) or a subgroup of source
        if record is True:
            indices = np.arange(source.N)
        elif record is False or record is None:
            indices = np.arange(0)
        else:
            indices = np.atleast_1d(np.asarray(record))
            if indices.size and not np.issubdtype(indices.dtype, np.integer):
                raise ModelTypeError(f"StateMonitor on {source.where()}: record= takes True, False or element "
                                     f"indices (integers), not {record!r}"[:300])
            bad = indices[(indices < 0) | (indices >= source.N)]
            if bad.size:
                raise ModelIndexError(f"StateMonitor on {source.where()}: cannot record element {int(bad[0])}, "
                                      f"the group has elements 0 to {source.N - 1}")
            indices = indices.astype(np.int64)
        self.record = indices
        self.record_variables = names
        self._buffers.allocate("_indices", len(indices), np.int64)
        self.buffers["_indices"][:] = indices + source.offset
        self._buffers.allocate("t", 256, np.float64)
        self._buffers.allocate("_n", 1, np.int64)
        for variable in names:
            self._buffers.allocate(variable, (256, len(indices)),
                                   _record_dtype(variable, self._source_dtype(variable), dtype))
        self._has_run = False

    def _source_dtype(self, name: str) -> np.dtype:
        """The type of what ``name`` reads: a stored variable's (a neuron's, for ``x_post``), else float64."""
        root, name = self.source.root, self._reads.get(name, name)
        if name in root.variables:
            return root.variables[name].array.dtype
        reference = root._reference(name) if hasattr(root, "_reference") else None
        return reference[1].array.dtype if reference is not None else np.dtype(np.float64)

    def operations(self, resolve) -> list[Operation]:
        return state_monitor_operations(self, resolve)

    _STREAM_BUFFER_BYTES = 64 << 20  #: a streaming StateMonitor's buffer: the records between two flushes

    def prepare_run(self, steps: int) -> None:
        """Make room for the whole run at once (refusing a run whose records cannot fit); a streaming monitor
        holds at most ``_STREAM_BUFFER_BYTES`` of records (the chunk stops and flushes when they are full)."""
        self._has_run = True
        self._buffers.make_room(steps + 1, self._STREAM_BUFFER_BYTES,
                                f"{self.where()} recording {len(self.record)} element(s) of "
                                f"{len(self.record_variables)} variable(s) for {steps} steps")

    def record_single_timestep(self) -> None:
        """Record the values now (the end of the last run): a StateMonitor records at the start of each step, so
        the values after the last step are otherwise not recorded. Only after a run (one of 0 ms will do)."""
        if not self._has_run:
            raise ModelTypeError(f"{self.where()}: record_single_timestep() records the state after a run; run the "
                                 "network first (a run of 0*ms will do)")
        root, elements = self.source.root, self.buffers["_indices"]
        namespace = caller_namespace()
        values = {name: np.broadcast_to(root._evaluate(parse_expression(self._reads.get(name, name)), namespace),
                                        (root.N,))[elements] for name in self.record_variables}
        values["t"] = self.network_time if isinstance(self.clock, EventClock) else \
            round(self.network_time / self.dt_) * self.dt_
        self._buffers.append(values)

    def _dimension(self, name: str) -> Dimension:
        if name in self.record_variables:
            return self.source.root.dimensions()[self._reads.get(name, name)]
        return super()._dimension(name)

    def _visible(self) -> list[str]:
        return ["t", *self.record_variables]

    def _unit(self, name: str) -> str:
        return unit_name(self._dimension(name)) if name in self.record_variables else super()._unit(name)

    def _file_attributes(self) -> dict:
        return {**super()._file_attributes(), "record": self.record, "variables": list(self.record_variables)}

    @property
    def n(self):
        """The trace of a recorded variable named ``n`` (a gating variable), else the number of records."""
        if "n" in self.record_variables:
            return self.__getattr__("n")
        return self._buffers.total()

    def _values(self, name: str) -> np.ndarray:
        return self._recorded(name).T

    def __getattr__(self, name: str):
        if name in self.__dict__.get("record_variables", ()):
            return with_unit(self._values(name), self._dimension(name))
        if name.endswith("_") and name[:-1] in self.__dict__.get("record_variables", ()):
            return self._values(name[:-1])
        raise AttributeError(f"StateMonitor '{self.__dict__.get('name')}' does not record '{name}'")

    def __getitem__(self, index) -> RecordedElements:
        """``mon[k]`` (or ``mon[[k1, k2]]``, ``mon[S[0, :]]``): the traces of recorded element(s) k, with ``t``
        the times."""
        if isinstance(index, SynapticSubgroup):
            index = index.synapse_indices
        index = element_numbers(self.source, index)  # compartments: mon[morpho.dend[30*um]]
        many = not isinstance(index, int | np.integer)
        keys = np.asarray(index) if many else np.asarray([index])
        if isinstance(index, bool | np.bool_ | str) or keys.ndim != 1 or (
                keys.size and not np.issubdtype(keys.dtype, np.integer)):
            raise ModelTypeError(f"StateMonitor '{self.name}' is indexed by element numbers (an integer or a list of "
                                 f"integers), not {index!r}"[:300])
        positions = []
        for key in keys:
            found = np.flatnonzero(self.record == key)
            if found.size == 0:
                raise ModelIndexError(f"StateMonitor '{self.name}' did not record element {int(key)}; it records "
                                      f"{_listed(self.record)}")
            positions.append(int(found[0]))
        return RecordedElements(self, np.array(positions, dtype=np.int64) if many else positions[0])

    def to_xarray(self) -> Any:
        """The traces as an xarray Dataset: one data variable per recorded variable, over the dimensions ``i``
        (the recorded elements, as ``record`` numbers them) and ``t`` (seconds), values in SI units; each
        variable's unit, and t's, in its ``.attrs['units']``."""
        xarray = optional_module("xarray", "StateMonitor.to_xarray()", "sweep")
        variables = {name: (("i", "t"), self._values(name), {"units": self._unit(name)})
                     for name in self.record_variables}
        coordinates = {"i": ("i", self.record, {"units": "1"}), "t": ("t", self.t_, {"units": "second"})}
        return xarray.Dataset(variables, coordinates, attrs={"monitor": self.name, "source": self.source.name})

    def to_pandas(self) -> Any:
        """The traces as a long pandas DataFrame: one row per time point and recorded element (columns ``t``,
        ``i`` and the recorded variables), values in SI units, which ``df.attrs['units']`` names."""
        pandas = optional_module("pandas", "StateMonitor.to_pandas()", "sweep")
        times = self.t_
        table = pandas.DataFrame({"t": np.repeat(times, len(self.record)), "i": np.tile(self.record, len(times)),
                                  **{name: self._recorded(name).reshape(-1) for name in self.record_variables}})
        table.attrs["units"] = {"t": "second", "i": "1", **{name: self._unit(name) for name in self.record_variables}}
        return table

    def _records_text(self) -> str:
        return f"{self.N} time points \u00d7 {len(self.record)} elements ({indices_text(self.record)})"

    def __repr__(self) -> str:
        return f"<StateMonitor '{self.name}', recording {self.record_variables} of '{self.source.name}'>"


def _listed(indices: np.ndarray) -> str:
    shown = ", ".join(str(int(k)) for k in indices[:10])
    return f"[{shown}{', ...' if len(indices) > 10 else ''}]"

