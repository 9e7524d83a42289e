"""A sweep's results in an HDF5 file, each run written as it finishes, so that an interrupted or killed sweep
keeps what it had and the same sweep given the same file goes on from there.

Layout: the file's attributes say what wrote it (``format`` 'simcore-sweep', ``format_version``) and which
model function (``model``). Each finished run is a group ``runs/<k>`` (k counts the records written), whose
attributes are the run's ``key`` (its parameters in SI units with their units, its trial and its seed, as JSON
text), ``number`` (its place in the sweep that wrote it), ``error`` ('' for a run that worked), ``details``
(the traceback), ``seconds``, ``compiled`` and ``worker``, and whose datasets are its results, in SI units,
each with a ``unit`` attribute. A later record of the same key replaces an earlier one (a failed run that
was tried again). Everything is read as data: the key with ``json``, units by name (``unit_from_name``)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import h5py
import numpy as np

from simcore.errors import ModelError
from simcore.units.names import unit_from_name

FORMAT = "simcore-sweep"
FORMAT_VERSION = 1


def _text(value: Any) -> str:
    return value.decode(errors="replace") if isinstance(value, bytes) else str(value)


class SweepFile:
    """The file of one sweep of ``model`` (its qualified name): created if missing; refused if it holds
    something else or another model's sweep."""

    def __init__(self, path: str | os.PathLike, model: str):
        self.path = os.fspath(path)
        exists = Path(self.path).exists()
        with self._open() as stored:
            if not exists:
                stored.attrs.update({"format": FORMAT, "format_version": FORMAT_VERSION, "model": model})
                stored.create_group("runs")
            elif _text(stored.attrs.get("format", "")) != FORMAT or "runs" not in stored:
                raise ModelError(f"{self.path} is not a file of sweep results written by simcore; give another name")
            elif _text(stored.attrs.get("model", "")) != model:
                raise ModelError(f"{self.path} holds the results of a sweep of {_text(stored.attrs['model'])!r}, "
                                 f"not of {model!r}; give another file name")

    def _open(self) -> h5py.File:
        """The file, open for reading and writing only while it is used: between two runs' records it is closed
        and complete, for a reader or after a crash."""
        try:
            return h5py.File(self.path, "a")
        except OSError as error:
            raise ModelError(f"cannot write the sweep's results to {self.path}: {error}") from None

    def finished(self) -> dict[str, dict[str, Any]]:
        """The runs written so far, by key (the last record of each): ``error``, ``details``, ``seconds``,
        ``compiled``, ``worker`` and ``results`` (name -> (value, unit name))."""
        records = {}
        with self._open() as stored:
            runs = stored["runs"]
            for name in sorted(runs, key=int):
                key, record = self._record(runs, name)
                records[key] = record
        return records

    def _record(self, runs: h5py.Group, name: str) -> tuple[str, dict[str, Any]]:
        """One record and its key."""
        group, results = runs[name], {}
        for result, dataset in group.items():
            unit = _text(dataset.attrs.get("unit", "1"))
            try:
                unit_from_name(unit)
            except ValueError as error:
                raise ModelError(f"cannot read {self.path}: the result '{result}' of run {name} has a bad unit "
                                 f"({error})") from None
            value = dataset[()]
            results[result] = (_text(value) if isinstance(value, bytes) else
                               value.item() if isinstance(value, np.generic) else value), unit
        attrs = group.attrs
        return _text(attrs["key"]), {
            "error": _text(attrs["error"]) or None, "details": _text(attrs["details"]),
            "seconds": float(attrs["seconds"]), "compiled": int(attrs["compiled"]), "worker": _text(attrs["worker"]),
            "results": results}

    def append(self, key: str, number: int, outcome) -> None:
        """Write one finished run (an ``Outcome``); the file is closed again, complete, when this returns."""
        with self._open() as stored:
            runs = stored["runs"]
            group = runs.create_group(str(len(runs)))
            group.attrs.update({"key": key, "number": number, "error": outcome.error or "",
                                "details": outcome.details, "seconds": outcome.seconds, "compiled": outcome.compiled,
                                "worker": outcome.worker})
            for name, (value, unit) in outcome.results.items():
                group.create_dataset(name, data=value).attrs["unit"] = unit
