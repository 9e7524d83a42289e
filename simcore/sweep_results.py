"""What a sweep returns: a pandas table with one row per finished run (its parameters, trial, seed, scalar
results, wall time and error), the runs' array results by name, the units of everything, the kernels compiled,
and the same as an xarray Dataset keyed by the parameters."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from simcore.sweep_runs import Outcome, RunSpec, parameter_values

#: the table's columns that are not parameters or results
RUN_COLUMNS = ("trial", "seed", "seconds", "compiled", "error")


@dataclass
class SweepResult:
    """``table``: a pandas DataFrame indexed by run number, values in SI units (``units``, also in
    ``table.attrs['units']``: the unit of each parameter and result, '1' for plain numbers); ``arrays``: each
    array result (a monitor's records, say) by name, one entry per row of ``table`` (None where that run has
    none); ``compiled``: the kernels the runs compiled (0 when every run found them in the cache)."""

    table: Any
    arrays: dict[str, list]
    units: dict[str, str]
    parameters: tuple[str, ...]
    compiled: int

    @property
    def failed(self) -> Any:
        """The rows of the runs that raised (their parameters and ``error``)."""
        return self.table[self.table["error"].notna()]

    def to_xarray(self) -> Any:
        """An xarray Dataset along ``run``, with the parameters (and trial) as its index: ``.unstack('run')``
        makes a grid of it. Scalar results are variables along ``run``; array results of one shape in every run
        are stacked after it (NaN for a run without one); arrays whose shape differs between runs (spike times)
        stay in ``arrays``. Each variable and coordinate has its ``unit`` in its attributes."""
        import xarray

        table = self.table
        scalars = [name for name in table.columns if name not in self.parameters and name not in RUN_COLUMNS]
        variables = {name: ("run", table[name].to_numpy(), {"unit": self.units[name]}) for name in scalars}
        for name, values in self.arrays.items():
            shapes = {np.shape(value) for value in values if value is not None}
            if len(shapes) != 1:
                continue
            shape = shapes.pop()
            stacked = np.full((len(values), *shape), np.nan)
            for row, value in enumerate(values):
                if value is not None:
                    stacked[row] = value
            dims = ("run", *(f"{name}_{axis}" for axis in range(len(shape))))
            variables[name] = (dims, stacked, {"unit": self.units[name]})
        coords = {"run": table.index.to_numpy()}
        for name in (*self.parameters, "trial", "seed"):
            coords[name] = ("run", table[name].to_numpy(), {"unit": self.units.get(name, "1")})
        dataset = xarray.Dataset(variables, coords=coords, attrs={"errors": int(table["error"].notna().sum())})
        keys = [*self.parameters, *(["trial"] if table["trial"].nunique() > 1 else [])]
        if keys and not table.duplicated(subset=keys).any():
            dataset = dataset.set_index(run=keys)
        return dataset


def collect(runs: list[RunSpec], outcomes: dict[int, Outcome]) -> SweepResult:
    """The result of the runs that finished (``outcomes`` by run number), in the sweep's order."""
    import pandas

    rows, arrays, units, parameters = [], {}, {}, {}
    for spec in runs:
        outcome = outcomes.get(spec.number)
        if outcome is None:
            continue
        row: dict[str, Any] = {"run": spec.number}
        for name, (value, unit) in parameter_values(spec.params).items():
            row[name], units[name], parameters[name] = value, unit, None
        row["trial"], row["seed"] = spec.trial, spec.seed
        for name, (value, unit) in outcome.results.items():
            units[name] = unit
            if np.ndim(value) == 0:
                row[name] = value
            else:
                arrays.setdefault(name, {})[spec.number] = value
        row["seconds"], row["compiled"], row["error"] = outcome.seconds, outcome.compiled, outcome.error
        rows.append(row)
    table = pandas.DataFrame(rows, columns=_columns(rows)).set_index("run")
    for name in [name for name in arrays if name in table.columns]:  # an array in some runs: an array result
        for run, value in table[name].items():
            if not (isinstance(value, float) and np.isnan(value)):
                arrays[name].setdefault(run, value)
        table = table.drop(columns=name)
    table.attrs["units"] = units
    ordered = {name: [by_run.get(run) for run in table.index] for name, by_run in arrays.items()}
    return SweepResult(table, ordered, units, tuple(parameters),
                       sum(outcome.compiled for outcome in outcomes.values()))


def _columns(rows: list[dict]) -> list[str]:
    """The table's columns: run, parameters, trial, seed, results (in the order first seen), seconds, compiled,
    error."""
    seen = dict.fromkeys(key for row in rows for key in row)
    last = ["seconds", "compiled", "error"]
    return [*(key for key in seen if key not in last), *last] if rows else ["run", *RUN_COLUMNS]
