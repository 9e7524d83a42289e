"""Reading SWC morphology files (Cannon et al. 1998; NeuroMorpho.Org's standardised ``.CNG.swc``).

``read_swc`` turns a file into the points ``Morphology.from_points`` takes, in Brian 2's format:
``(index, type name, x, y, z, diameter, parent)`` in micrometres, the root's parent being -1. It only reads
and checks the file; building the tree (and replacing a three-point soma by a sphere) is ``from_points``'s job.

What it accepts, beyond Brian 2's reader (which needs exactly 7 fields a line, integer indices and every
parent listed before its children):

- comments (``#`` anywhere on a line: the rest of the line is a comment), blank lines, tabs or runs of
  spaces between fields, Windows or old Mac line ends, a UTF-8 or UTF-16 byte-order mark, stray non-UTF-8
  bytes (in comments they do no harm; in a field they make it non-numeric, an error);
- integer fields written as floats (``1.0`` as a type, an index or a parent), indices in any order, with
  gaps, starting at 0 or 1;
- more than 7 fields on a line: the first 7 are the SWC fields, the rest are ignored with one warning per
  file (tools such as Vaa3D append their own columns);
- points listed before their parent: the points are returned parents first, in the order that keeps the
  file's order wherever the tree allows it (a file already in parent-first order comes back unchanged;
  siblings keep their order in the file, which decides Brian 2's L/R/1-9 section names);
- type codes other than 1-4 (0 "undefined", 5+ custom): like Brian 2 they get the type name ``None``.

What it refuses, with a ``SWCFormatError`` (a ``ModelValueError``, so also a ``ValueError`` as in Brian 2)
naming the file and the line: fewer than 7 fields, a field that is not a number (or not an integer where one
is needed, or not finite), a negative index or type, a parent below -1, a duplicate index, a negative radius,
a parent that does not exist, a second root (a file of several trees; Brian 2 refuses it too), a loop (a point
that is its own ancestor), and a file without points.

A zero radius is not refused by itself: like Brian 2, ``load_swc`` accepts it where it ends a cone in a point
(a dendrite's tip, common in real files). ``from_points`` refuses it where it makes a compartment with zero
diameter at both ends or a soma of diameter 0, and ``load_swc`` gives that error the point's line.
"""

from __future__ import annotations

import heapq
import math
import os
import re
import warnings
from dataclasses import dataclass
from typing import NoReturn

from simcore.errors import ModelValueError
from simcore.morphology.points import PointError, morphology_from_points
from simcore.morphology.tree import Morphology

__all__ = ["SWC_TYPE_NAMES", "SWCFormatError", "SWCPoint", "load_swc", "read_swc"]

#: Brian 2's section names for the SWC type codes; every other code gives the name None.
SWC_TYPE_NAMES: dict[int, str] = {1: "soma", 2: "axon", 3: "dend", 4: "apic"}

#: One point as ``Morphology.from_points`` takes it: index, type name, x, y, z, diameter (um), parent index.
SWCPoint = tuple[int, str | None, float, float, float, float, int]

_FIELDS = "index type x y z radius parent"
_INTEGER = re.compile(r"[+-]?\d+", re.ASCII)
_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?", re.ASCII)
_LINE_END = re.compile(r"\r\n|\r|\n")


class SWCFormatError(ModelValueError):
    """An SWC file that cannot describe a neuron; says which file, which line and what is wrong."""

    def __init__(self, path: str, line: int | None, problem: str, text: str | None = None):
        self.path = path
        self.line = line
        where = path if line is None else f"{path}, line {line}"
        message = f"SWC file {where}: {problem}"
        if text is not None:
            message += f"\n    {text.strip()}"
        super().__init__(message)


@dataclass(frozen=True)
class _Row:
    """One data line of the file, checked field by field."""

    line: int
    text: str
    index: int
    type_code: int
    x: float
    y: float
    z: float
    radius: float
    parent: int

    def point(self) -> SWCPoint:
        return (self.index, SWC_TYPE_NAMES.get(self.type_code), self.x, self.y, self.z, 2 * self.radius,
                self.parent)


def read_swc(path: str | os.PathLike) -> list[SWCPoint]:
    """The points of an SWC file, parents first, in Brian 2's ``from_points`` format (diameters, um)."""
    return [row.point() for row in _rows(os.fspath(path))]


def load_swc(path: str | os.PathLike, spherical_soma: bool = True) -> Morphology:
    """The morphology of an SWC file; an error ``from_points`` finds at a point names the point's line."""
    name = os.fspath(path)
    rows = _rows(name)
    try:
        return morphology_from_points([row.point() for row in rows], spherical_soma=spherical_soma)
    except PointError as error:
        row = next(row for row in rows if row.index == error.point)
        raise SWCFormatError(name, row.line, error.message, row.text) from None


def _rows(name: str) -> list[_Row]:
    with open(name, "rb") as file:
        raw = file.read()
    rows = _read_rows(name, _decode(raw))
    if not rows:
        raise SWCFormatError(name, None, "the file has no points (only comments or blank lines)")
    return _parents_first(name, rows)


def _decode(raw: bytes) -> str:
    """The file's text: UTF-16 when it says so with a byte-order mark, otherwise UTF-8 (bad bytes replaced)."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16")
    return raw.decode("utf-8-sig", errors="replace")


def _read_rows(name: str, text: str) -> list[_Row]:
    rows: list[_Row] = []
    seen: dict[int, int] = {}
    extra_columns: list[int] = []
    for number, line in enumerate(_LINE_END.split(text), start=1):
        fields = line.split("#", 1)[0].split()
        if not fields:
            continue
        if len(fields) < 7:
            raise SWCFormatError(name, number, f"{len(fields)} field(s) where an SWC point needs 7 ({_FIELDS})",
                                 line)
        if len(fields) > 7:
            extra_columns.append(number)
        row = _parse_row(name, number, line, fields[:7])
        if row.index in seen:
            raise SWCFormatError(name, number, f"index {row.index} is used twice (first on line {seen[row.index]})",
                                 line)
        seen[row.index] = number
        rows.append(row)
    if extra_columns:
        warnings.warn(f"SWC file {name}: {len(extra_columns)} line(s) (the first is line {extra_columns[0]}) have "
                      f"more than 7 fields; only the first 7 ({_FIELDS}) are read, the others are ignored",
                      stacklevel=4)
    return rows


def _parse_row(name: str, number: int, line: str, fields: list[str]) -> _Row:
    def fail(problem: str) -> SWCFormatError:
        return SWCFormatError(name, number, problem, line)

    def real(position: int, what: str) -> float:
        field = fields[position]
        if not _NUMBER.fullmatch(field):
            raise fail(f"the {what} (field {position + 1}) is {field!r}, not a number")
        value = float(field)
        if not math.isfinite(value):
            raise fail(f"the {what} (field {position + 1}) is {field!r}, not a finite number")
        return value

    def integer(position: int, what: str) -> int:
        field = fields[position]
        if _INTEGER.fullmatch(field):
            return int(field)
        value = real(position, what)
        if not value.is_integer():
            raise fail(f"the {what} (field {position + 1}) is {field!r}, not an integer")
        return int(value)

    index = integer(0, "index")
    if index < 0:
        raise fail(f"the index is {index}; indices must be 0 or more")
    type_code = integer(1, "type")
    if type_code < 0:
        raise fail(f"the type is {type_code}; SWC types are 0 or more (1 soma, 2 axon, 3 dendrite, 4 apical)")
    x, y, z = real(2, "x coordinate"), real(3, "y coordinate"), real(4, "z coordinate")
    radius = real(5, "radius")
    if radius < 0:
        raise fail(f"the radius is {fields[5]}; it must not be negative")
    parent = integer(6, "parent")
    if parent < -1:
        raise fail(f"the parent is {parent}; it must be -1 (the root) or the index of another point")
    return _Row(number, line, index, type_code, x, y, z, radius, parent)


def _parents_first(name: str, rows: list[_Row]) -> list[_Row]:
    """The rows ordered so that each parent comes before its children, staying as close to file order as the
    tree allows (the smallest topological order by file position); refuses what is not one tree."""
    by_index = {row.index: row for row in rows}
    children: dict[int, list[int]] = {}
    roots: list[int] = []
    for position, row in enumerate(rows):
        if row.parent == -1:
            roots.append(position)
            if len(roots) == 2:
                first = rows[roots[0]]
                raise SWCFormatError(name, row.line, f"point {row.index} is a second root (parent -1; the first is "
                                     f"point {first.index} on line {first.line}): a morphology is one tree",
                                     row.text)
        elif row.parent == row.index:
            raise SWCFormatError(name, row.line, f"point {row.index} is its own parent", row.text)
        elif row.parent not in by_index:
            raise SWCFormatError(name, row.line, f"the parent of point {row.index} is {row.parent}, but no point "
                                 "has that index", row.text)
        else:
            children.setdefault(row.parent, []).append(position)
    if not roots:
        _raise_loop(name, rows, by_index, set())
    ordered: list[_Row] = []
    ready = [roots[0]]
    while ready:
        row = rows[heapq.heappop(ready)]
        ordered.append(row)
        for child in children.get(row.index, ()):
            heapq.heappush(ready, child)
    if len(ordered) < len(rows):
        _raise_loop(name, rows, by_index, {row.index for row in ordered})
    return ordered


def _raise_loop(name: str, rows: list[_Row], by_index: dict[int, _Row], reached: set[int]) -> NoReturn:
    """Every point not reached from the root hangs below a loop of parents: find it and name it."""
    start = next(row for row in rows if row.index not in reached)
    path: list[int] = []
    on_path: set[int] = set()
    while start.index not in on_path:
        path.append(start.index)
        on_path.add(start.index)
        start = by_index[start.parent]
    loop = path[path.index(start.index):]
    first = min((by_index[index] for index in loop), key=lambda row: row.line)
    at = loop.index(first.index)
    cycle = loop[at:] + loop[:at] + [first.index]
    chain = " -> ".join(str(index) for index in cycle)
    raise SWCFormatError(name, first.line, f"point {first.index} is its own ancestor (following parents: {chain})",
                         first.text)
