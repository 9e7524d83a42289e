"""The base of the monitors: what was asked (a source, a file) and Brian 2's view of the records (``t``, ``N``,
``len()``, ``variables``, ``get_states()``, conditions as index), the records as a table (``to_pandas()``) and a
notebook's summary. The records themselves (buffers, growth, files, snapshots) are the monitor's runtime state, a
``RecordBuffers`` of ``simcore/runtime/monitor_buffers.py``."""

from __future__ import annotations

from typing import Any

import numpy as np

from simcore.display import Html, html_summary, html_table
from simcore.equations import parse_expression
from simcore.equations.kinds import kind_of_value
from simcore.equations.parser import check_condition
from simcore.errors import ModelKeyError, ModelTypeError
from simcore.namespace import caller_namespace
from simcore.objects.base import SECOND, EventClock, SimObject
from simcore.objects.group import Group, evaluate_checked, namespace_values
from simcore.objects.monitor_views import RecordArray, RecordedVariable
from simcore.objects.tables import one_row_each, table_format
from simcore.objects.variable_views import with_unit
from simcore.output.hdf5 import Output, Writer, as_output
from simcore.runtime.monitor_buffers import RecordBuffers
from simcore.units import Quantity, get_unit, second
from simcore.units.dimension import DIMENSIONLESS, Dimension


class Monitor(SimObject):
    """Base: a source and, with ``file=``, the file its records stream into. The compiled loop writes records
    into the buffers of its runtime state (``_buffers``), which grow or flush when full."""

    # the monitor's own records (kernel arrays of the monitor); any other buffer holds a recorded variable
    _OWN_RECORDS: tuple[str, ...] = ("t",)
    # records written whole to a file at every flush (its dataset -> the buffer): none but an EventMonitor's counts
    _TOTALS: dict[str, str] = {}
    # records with one value per element of the source, not per record (an EventMonitor's counts): no table column
    _PER_ELEMENT: tuple[str, ...] = ()

    def __init__(self, source: Group, file: str | Output | None = None, **kwargs):
        super().__init__(**kwargs)
        self.source = source
        self._buffers = RecordBuffers(self.name, self._OWN_RECORDS,
                                      Writer(as_output(file)) if file is not None else None, self._TOTALS)

    @property
    def buffers(self) -> dict[str, np.ndarray]:
        """The arrays the compiled loop writes records into, by name."""
        return self._buffers.arrays

    @property
    def writer(self) -> Writer | None:
        """Where the records go (None: kept in memory)."""
        return self._buffers.writer

    @writer.setter
    def writer(self, writer: Writer | None) -> None:
        self._buffers.writer = writer

    @property
    def own_writer(self) -> Writer | None:
        """The writer of the monitor's own ``file=``."""
        return self._buffers.own_writer

    @own_writer.setter
    def own_writer(self, writer: Writer | None) -> None:
        self._buffers.own_writer = writer

    # --- streaming to a file -------------------------------------------------------------
    def stream_to(self, writer: Writer) -> None:
        """Write the records into ``writer``'s file (the network's output), unless the monitor has its own."""
        self._buffers.stream_to(writer, self.where(), self._file_attributes(), self._unit)

    def _file_attributes(self) -> dict:
        root = self.source.root
        attrs = {"kind": type(self).__name__, "source": root.name, "source_size": root.N,
                 "first_element": self.source.offset, "elements": self.source.N}
        if isinstance(self.clock, EventClock):
            attrs["times"] = self.clock.times_
        else:
            attrs["dt"] = self.dt_
        equations = getattr(root, "equations", None)
        if equations is not None and len(list(equations)):
            attrs["model"] = str(equations)
        return attrs

    def _unit(self, name: str) -> str:
        return "second" if name == "t" else "1"

    def flush(self) -> None:
        """Append the records staged since the last flush to the file and start the buffers over."""
        self._buffers.flush()

    @property
    def n(self) -> int:
        """Records so far (finished parts or the file, and the buffer)."""
        return self._buffers.total()

    @property
    def nbytes(self) -> int:
        """Memory held: the records so far and the buffer the compiled loop writes into."""
        return self._buffers.nbytes

    def grow(self) -> None:
        self._buffers.grow()

    def _recorded(self, name: str) -> np.ndarray:
        """All records of buffer ``name`` (a new array)."""
        return self._buffers.records(name)

    @property
    def t_(self) -> np.ndarray:
        """The times of the records in seconds, as recorded (each with the dt of its run: dt may change
        between runs)."""
        return self._recorded("t")

    @property
    def t(self):
        return Quantity(self.t_, second)

    # --- Brian 2's view of the records: N, len(), variables, get_states() --------------------------------
    @property
    def N(self) -> int:
        """The number of records (time points of a StateMonitor, events of an EventMonitor)."""
        return self._buffers.total()

    def __len__(self) -> int:
        return self._buffers.total()

    def _visible(self) -> list[str]:
        """The names the monitor gives its records under (``variables``, ``get_states``), besides ``N``."""
        return ["t"]

    def _dimension(self, name: str) -> Dimension:
        return SECOND if name == "t" else DIMENSIONLESS

    def _raw(self, name: str) -> np.ndarray:
        """The records of ``name`` in SI units, one row per record."""
        return self.t_ if name == "t" else self._recorded(name)

    def _per_record(self) -> list[str]:
        """The names a condition string as index (``mon.t['i == 1']``) may use: one value per record."""
        return []

    def _indexable(self, records: np.ndarray) -> RecordArray:
        """``records`` (an array of one value per record) as a RecordArray that takes conditions as index."""
        array = records.view(RecordArray)
        array._monitor = self
        return array

    def _condition(self, key: str) -> np.ndarray:
        """Which records meet the condition ``key`` (a boolean mask): an expression in the monitor's records by
        name (``'i == 1 and t > 1.5*ms'``) and in names of the caller's namespace, units checked."""
        own = self._per_record()
        where = f"the index '{key}' of {self.where()}"
        expression = check_condition(parse_expression(key), where,
                                     [n for n in own if self._raw(n).dtype != np.bool_])
        external = namespace_values(expression, own.__contains__, None, caller_namespace(),
                                    f"{where}: it records {own}")
        values = {name: np.asarray(self._raw(name)) for name in own if name in expression.identifiers}
        mask = evaluate_checked(expression, {name: self._dimension(name) for name in own}, values,
                                lambda name: kind_of_value(self._raw(name).dtype) if name in own else None, external,
                                self.N, DIMENSIONLESS, where)
        return np.asarray(mask, dtype=bool)

    @property
    def variables(self) -> dict[str, RecordedVariable]:
        """What the monitor records, by name (as Brian 2's ``mon.variables``): type, size, unit, values."""
        return {name: RecordedVariable(self, name) for name in self._visible()}

    def get_states(self, vars=None, units: bool = True, format: str = "dict", read_only_variables: bool = True) -> Any:
        """The records by name (plus ``N``, their number), as Brian 2 gives them: per record, one row
        (a StateMonitor's variables: time along the first axis), with units unless ``units=False``. Records
        are read-only: ``read_only_variables=False`` gives none. ``format='pandas'`` (with ``units=False``) gives a
        DataFrame of one row per record, ``N`` repeated; by default without records of one value per element of
        the source (an EventMonitor's ``count``), which do not fit its rows."""
        pandas = table_format(format, units, "get_states")
        visible = [*self._visible(), "N"]
        if vars is None and pandas is not None:
            names = [name for name in visible if name not in self._PER_ELEMENT]
        else:
            names = visible if vars is None else [vars] if isinstance(vars, str) else list(vars)
        if not read_only_variables:
            names = []
        unknown = [name for name in names if name not in visible]
        if unknown:
            raise ModelKeyError(f"{self.where()} records no {unknown[0]!r}; it has {visible}")
        states = {}
        for name in names:
            if name == "N":
                states[name] = self.N
            else:
                states[name] = with_unit(self._raw(name), self._dimension(name)) if units else self._raw(name)
        if pandas is None:
            return states
        return one_row_each(pandas, states, self.N, f"get_states(format='pandas') of {self.where()}",
                            "; to_pandas() gives the records as a table")

    def to_pandas(self) -> Any:
        """The records as a pandas DataFrame for analysis: one row per record, one column per kind of record (a
        SpikeMonitor's ``i``, ``t`` and recorded variables; a PopulationRateMonitor's ``t``, ``rate``), values in
        SI units, which ``df.attrs['units']`` names (``{'t': 'second', ...}``)."""
        names = [name for name in self._visible() if name not in self._PER_ELEMENT]
        table = self.get_states(names, units=False, format="pandas")
        table.attrs["units"] = {name: self._unit(name) for name in names}
        return table

    # --- how a notebook shows it ------------------------------------------------------
    def _records_text(self) -> str:
        """How many records, in words, for a summary (each kind says what its records are)."""
        return f"{self.N} records"

    def _repr_html_(self) -> str:
        """How Jupyter shows a monitor: what it records of which group, how many records, and their units."""
        facts = [("source", self.source.name), ("records", self._records_text())]
        if self.writer is not None:
            facts.append(("file", self.writer.output.path))
        units = [(name, Html(get_unit(self._dimension(name))._repr_html_())) for name in self._visible()]
        return html_summary(type(self).__name__, self.name, [*facts, *self._summary_facts()],
                            [("Records", html_table(("name", "unit"), units))])

    def set_states(self, values: dict[str, Any], units: bool = True, format: str = "dict") -> None:
        """Records cannot be set: only an empty dict (what ``get_states(read_only_variables=False)`` gives)."""
        if values:
            raise ModelTypeError(f"{self.where()}: its records ({sorted(values)}) are read-only")

    # --- what the network asks: kernel arrays, dependencies, snapshots ---------------------------------------
    def kernel_arrays(self) -> dict[str, np.ndarray]:
        return self._buffers.kernel_arrays()

    def dependencies(self) -> list:
        return [self.source.root]

    def state(self) -> dict:
        """The records (in memory), or for a monitor that streams them, where its file ends now (a restore cuts
        the file back there)."""
        return self._buffers.state()

    def check_state(self, state: Any) -> None:
        """Refuse a stored state (read from a file: data) the compiled loop could not go on with (see
        ``RecordBuffers.check_state``)."""
        self._buffers.check_state(state)

    def restore_state(self, state: dict) -> None:
        """Take a state that ``check_state`` accepted."""
        self._buffers.restore_state(state)
