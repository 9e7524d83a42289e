"""States and records as tables for analysis: pandas DataFrames (``get_states(format='pandas')``, a monitor's
``to_pandas()``) and xarray Datasets (``StateMonitor.to_xarray()``). pandas and xarray are optional (the 'sweep'
extra): each is imported when a table is asked for, with an error that says how to install it."""

from __future__ import annotations

from types import ModuleType
from typing import Any

import numpy as np

from simcore.errors import ModelNotImplementedError, ModelValueError
from simcore.extras import optional_module


def table_format(format: str, units: bool, what: str) -> ModuleType | None:
    """The pandas module for ``format='pandas'`` (None for 'dict'); a table holds numbers, so with units it is
    refused (as in Brian 2), as is any other format."""
    if format == "dict":
        return None
    if format != "pandas":
        raise ModelValueError(f"{what}: format={format!r} is not known; use 'dict' or 'pandas'")
    if units:
        raise ModelNotImplementedError(f"{what}(format='pandas') takes values without units (in SI units): pass "
                                       "units=False")
    return optional_module("pandas", f"{what}(format='pandas')", "sweep")


def one_row_each(pandas: ModuleType, columns: dict[str, Any], rows: int, what: str, hint: str = "") -> Any:
    """A DataFrame of ``rows`` rows from ``columns`` (name -> values): a single value is repeated in every row;
    values of another length are refused, naming the column (and ``hint``, what to do instead)."""
    for name, values in columns.items():
        if np.size(values) != 1 and np.shape(values) != (rows,):
            raise ModelValueError(f"{what}: '{name}' has values of shape {np.shape(values)}, not one for each of "
                                  f"the {rows} rows of a table; leave it out (vars=[...]){hint}")
    return pandas.DataFrame({name: np.broadcast_to(values, rows) if np.size(values) == 1 else values
                             for name, values in columns.items()})
