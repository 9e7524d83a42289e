"""read_swc: SWC files into Brian 2's from_points tuples; the irregularities real files have; broken files
refused with their line number; a thalamocortical-like cell against Brian 2's figures."""

import json
import math
import os
import subprocess
from pathlib import Path

import numpy as np
import pytest

from simcore.errors import ModelValueError
from simcore.morphology.swc import SWCFormatError, read_swc

TC_CELL = Path(__file__).resolve().parents[2] / "examples" / "data" / "tc_like.CNG.swc"  # the example's cell

TINY = """\
# a soma, a dendrite of three points, an axon, an apical dendrite and a custom type
1 1 0 0 0 5 -1
2 3 0 5 0 1 1
3 3 0 10 0 0.5 2
4 3 3 12 0 0.25 3
5 2 0 -5 0 0.5 1
6 4 0 0 5 1.5 1
7 7 1 1 1 1 6
"""
TINY_POINTS = [
    (1, "soma", 0.0, 0.0, 0.0, 10.0, -1),
    (2, "dend", 0.0, 5.0, 0.0, 2.0, 1),
    (3, "dend", 0.0, 10.0, 0.0, 1.0, 2),
    (4, "dend", 3.0, 12.0, 0.0, 0.5, 3),
    (5, "axon", 0.0, -5.0, 0.0, 1.0, 1),
    (6, "apic", 0.0, 0.0, 5.0, 3.0, 1),
    (7, None, 1.0, 1.0, 1.0, 2.0, 6),
]

# Brian 2.11.0's figures for tc_like.CNG.swc (Morphology.from_file, spherical soma), recorded from a run of
# Brian 2; test_tc_cell_geometry_by_hand computes the same area and length from the points independently.
BRIAN2_TC_COMPARTMENTS = 78
BRIAN2_TC_SECTIONS = 22
BRIAN2_TC_AREA_UM2 = 2783.962681039787
BRIAN2_TC_LENGTH_UM = 482.84720232784997


def _write(tmp_path, text: str, name: str = "cell.swc") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode())
    return path


def test_tiny_file_gives_the_exact_points(tmp_path):
    points = read_swc(_write(tmp_path, TINY))
    assert points == TINY_POINTS
    assert all(type(p[0]) is int and type(p[6]) is int and all(type(v) is float for v in p[2:6]) for p in points)


def test_path_may_be_a_string(tmp_path):
    assert read_swc(str(_write(tmp_path, TINY))) == TINY_POINTS


# Each variant writes the tiny file differently; the points must be the same.
SAME_POINTS = {
    "header, blank lines, trailing comments": "# ORIGINAL_SOURCE x\n#\n\n" + TINY.replace(" -1\n", " -1  # root\n")
    + "\n   \n# end\n",
    "tabs and runs of spaces": TINY.replace(" ", "\t").replace("\t0\t5", "   0  \t 5"),
    "leading whitespace": TINY.replace("\n", "\n   "),
    "Windows line ends": TINY.replace("\n", "\r\n"),
    "old Mac line ends": TINY.replace("\n", "\r"),
    "no final line end": TINY.rstrip("\n"),
    "integers written as floats": TINY.replace("2 3 0 5 0 1 1", "2.0 3.0 0 5 0 1 1.0").replace(" -1\n", " -1.0\n"),
    "other number spellings": TINY.replace("0 10 0 0.5", "0e0 1.0E1 -0 .5").replace("0 0 5 1.5", "+0. 0 5e+0 15e-1"),
}


@pytest.mark.parametrize("variant", SAME_POINTS)
def test_tolerated_spellings_give_the_same_points(tmp_path, variant):
    assert read_swc(_write(tmp_path, SAME_POINTS[variant])) == TINY_POINTS


@pytest.mark.parametrize("mark,encoding", [(b"\xef\xbb\xbf", "utf-8"), (b"", "utf-16")])
def test_byte_order_marks(tmp_path, mark, encoding):
    path = tmp_path / "bom.swc"
    path.write_bytes(mark + TINY.encode(encoding))
    assert read_swc(path) == TINY_POINTS


def test_non_utf8_bytes_in_comments_are_harmless(tmp_path):
    path = tmp_path / "latin1.swc"
    path.write_bytes("# scale 1 \u00b5m, r\u00e9sum\u00e9\n".encode("latin-1") + TINY.encode())
    assert read_swc(path) == TINY_POINTS


def test_extra_columns_are_ignored_with_a_warning(tmp_path):
    text = TINY.replace(" 1 1\n", " 1 1 0 7.5 extra\n").replace(" 2\n", " 2 0 1\n")
    with pytest.warns(UserWarning, match=r"2 line\(s\) \(the first is line 3\) have more than 7 fields"):
        assert read_swc(_write(tmp_path, text)) == TINY_POINTS


def test_indices_with_gaps_or_starting_at_zero_are_kept(tmp_path):
    renumber = {1: 0, 2: 10, 3: 11, 4: 25, 5: 3, 6: 4, 7: 99, -1: -1}
    lines = [f"{renumber[p[0]]} {line.split()[1]} {' '.join(line.split()[2:6])} {renumber[p[6]]}"
             for p, line in zip(TINY_POINTS, TINY.splitlines()[1:], strict=True)]
    expected = [(renumber[p[0]], *p[1:6], renumber[p[6]]) for p in TINY_POINTS]
    assert read_swc(_write(tmp_path, "\n".join(lines))) == expected


def test_children_before_parents_are_reordered_parents_first(tmp_path):
    lines = TINY.splitlines()
    # the file order is 7 6 4 3 2 5 1 (with the comment first): every child before its parent
    shuffled = [lines[0], lines[7], lines[6], lines[4], lines[3], lines[2], lines[5], lines[1]]
    points = read_swc(_write(tmp_path, "\n".join(shuffled)))
    # the root, then whatever is ready, earliest in the file first: 6 (line 3) before 2 (line 6) before 5 (line 7)
    assert [p[0] for p in points] == [1, 6, 7, 2, 3, 4, 5]
    assert sorted(points) == TINY_POINTS


def test_a_sorted_file_keeps_its_order(tmp_path):
    text = "1 1 0 0 0 5 -1\n2 3 0 5 0 1 1\n3 3 0 9 0 1 1\n4 3 0 7 0 1 2\n5 3 0 3 0 1 3\n"
    assert [p[0] for p in read_swc(_write(tmp_path, text))] == [1, 2, 3, 4, 5]


def test_type_codes_beyond_four_and_zero_have_no_name(tmp_path):
    text = "1 1 0 0 0 5 -1\n2 0 0 5 0 1 1\n3 5 0 9 0 1 2\n4 12 0 7 0 1 3\n5 3.0 0 3 0 1 4\n"
    assert [p[1] for p in read_swc(_write(tmp_path, text))] == ["soma", None, None, None, "dend"]


ROOT = "1 1 0 0 0 5 -1\n"
# (file text, line number of the error, what the message says)
BROKEN = {
    "parent that does not exist": (ROOT + "2 3 0 5 0 1 1\n3 3 0 9 0 1 8\n", 3,
                                   "the parent of point 3 is 8, but no point has that index"),
    "own parent": (ROOT + "2 3 0 5 0 1 2\n", 2, "point 2 is its own parent"),
    "loop beside the root": (ROOT + "2 3 0 5 0 1 1\n3 3 0 9 0 1 5\n4 3 0 9 0 1 3\n5 3 0 9 0 1 4\n", 3,
                             r"point 3 is its own ancestor \(following parents: 3 -> 5 -> 4 -> 3\)"),
    "loop below a dangling branch": (ROOT + "6 3 0 5 0 1 7\n7 3 0 5 0 1 8\n8 3 0 5 0 1 7\n", 3,
                                     r"point 7 is its own ancestor \(following parents: 7 -> 8 -> 7\)"),
    "loop without a root": ("# none\n2 3 0 5 0 1 3\n3 3 0 9 0 1 2\n", 2, "point 2 is its own ancestor"),
    "duplicate index": (ROOT + "2 3 0 5 0 1 1\n\n2 3 0 9 0 1 1\n", 4, r"index 2 is used twice \(first on line 2\)"),
    "negative radius": ("#\n#\n" + ROOT + "2 3 0 5 0 -0.5 1\n", 4, "the radius is -0.5; it must not be negative"),
    "tiny negative radius": (ROOT + "2 3 0 5 0 -1e-9 1\n", 2, "the radius is -1e-9; it must not be negative"),
    "non-numeric coordinate": (ROOT + "2 3 0 five 0 1 1\n", 2, r"the y coordinate \(field 4\) is 'five', not a number"),
    "non-numeric index": (ROOT + "a 3 0 5 0 1 1\n", 2, r"the index \(field 1\) is 'a', not a number"),
    "non-numeric parent": (ROOT + "2 3 0 5 0 1 1,\n", 2, r"the parent \(field 7\) is '1,', not a number"),
    "nan": (ROOT + "2 3 nan 5 0 1 1\n", 2, r"the x coordinate \(field 3\) is 'nan', not a number"),
    "overflow": (ROOT + "2 3 1e999 5 0 1 1\n", 2, r"the x coordinate \(field 3\) is '1e999', not a finite number"),
    "fractional index": (ROOT + "2.5 3 0 5 0 1 1\n", 2, r"the index \(field 1\) is '2.5', not an integer"),
    "fractional type": (ROOT + "2 3.2 0 5 0 1 1\n", 2, r"the type \(field 2\) is '3.2', not an integer"),
    "too few fields": (ROOT + "2 3 0 5 0 1\n", 2, r"6 field\(s\) where an SWC point needs 7"),
    "comment eats fields": (ROOT + "2 3 0 5 # 0 1 1\n", 2, r"4 field\(s\) where an SWC point needs 7"),
    "negative index": (ROOT + "-2 3 0 5 0 1 1\n", 2, "the index is -2; indices must be 0 or more"),
    "negative type": (ROOT + "2 -3 0 5 0 1 1\n", 2, "the type is -3; SWC types are 0 or more"),
    "parent below -1": (ROOT + "2 3 0 5 0 1 -2\n", 2, "the parent is -2; it must be -1"),
    "second root": (ROOT + "2 3 0 5 0 1 1\n3 1 50 0 0 5 -1\n", 3,
                    r"point 3 is a second root \(parent -1; the first is point 1 on line 1\)"),
}


@pytest.mark.parametrize("case", BROKEN)
def test_broken_files_are_refused_with_their_line(tmp_path, case):
    text, line, problem = BROKEN[case]
    path = _write(tmp_path, text, "broken.swc")
    with pytest.raises(SWCFormatError, match=f"SWC file .*broken.swc, line {line}: {problem}") as error:
        read_swc(path)
    assert isinstance(error.value, ModelValueError) and isinstance(error.value, ValueError)
    assert error.value.line == line and error.value.path == str(path)
    assert text.replace("\r", "").splitlines()[line - 1].strip() in str(error.value)


def test_line_numbers_count_windows_line_ends_once(tmp_path):
    path = _write(tmp_path, "# header\r\n\r\n" + ROOT.replace("\n", "\r\n") + "2 3 0 5 0 -1 1\r\n", "crlf.swc")
    with pytest.raises(SWCFormatError, match=r"crlf.swc, line 4: the radius is -1"):
        read_swc(path)


@pytest.mark.parametrize("text", ["", "\n\n", "# only a header\n#\n\n", "\ufeff"])
def test_a_file_without_points_is_refused(tmp_path, text):
    with pytest.raises(SWCFormatError, match=r"empty.swc: the file has no points"):
        read_swc(_write(tmp_path, text, "empty.swc"))


def test_a_missing_file_is_a_file_not_found_error(tmp_path):
    with pytest.raises(FileNotFoundError):
        read_swc(tmp_path / "nothing.swc")


def test_tc_cell_is_one_consistent_tree():
    points = read_swc(TC_CELL)
    assert len(points) == 80
    indices = [p[0] for p in points]
    assert indices == list(range(1, 81))  # the file is in parent-first order and keeps it
    seen = set()
    for index, _, _, _, _, diameter, parent in points:
        assert parent == -1 if index == 1 else parent in seen
        assert diameter > 0
        seen.add(index)
    assert {p[1] for p in points} == {"soma", "dend"}
    # the three-point soma of NeuroMorpho.Org: centre, then two points one radius away along y, same radius
    (_, _, *centre, d0, _), (_, _, *below, d1, p1), (_, _, *above, d2, p2) = points[:3]
    assert d0 == d1 == d2 == 12.4 and p1 == p2 == 1
    assert math.dist(centre, below) == math.dist(centre, above) == 6.2
    children = {}
    for p in points:
        children.setdefault(p[6], []).append(p[0])
    assert len(children[1]) == 2 + 5  # the two soma points and five dendrites
    branch_points = sum(len(c) == 2 for i, c in children.items() if i > 1)
    assert branch_points == 8
    assert 1 + 5 + 2 * branch_points == BRIAN2_TC_SECTIONS  # the soma, the five dendrites, two per branch point
    tapering = [p[5] for p in points[3:12]]
    assert tapering == sorted(tapering, reverse=True) and tapering[0] == 2.5 and tapering[-1] == 0.9


def test_tc_cell_geometry_by_hand():
    """Brian 2's total area and length, computed from the points: a spherical soma (its length is its
    diameter), truncated cones between points, the first compartment of a dendrite starting at the soma's
    centre with the dendrite's own diameter."""
    points = read_swc(TC_CELL)
    by_index = {p[0]: p for p in points}
    soma_diameter = points[0][5]
    area, length = math.pi * soma_diameter**2, soma_diameter
    for _, name, x, y, z, diameter, parent in points:
        if name == "soma":
            continue
        before = by_index[parent]
        start_diameter = diameter if before[1] == "soma" else before[5]
        step = math.dist((x, y, z), before[2:5])
        length += step
        area += math.pi * (start_diameter + diameter) / 2 * math.hypot(step, (start_diameter - diameter) / 2)
    assert area == pytest.approx(BRIAN2_TC_AREA_UM2, rel=1e-12)
    assert length == pytest.approx(BRIAN2_TC_LENGTH_UM, rel=1e-12)
    assert len(points) - 2 == BRIAN2_TC_COMPARTMENTS  # the three-point soma becomes one sphere


def _sections(morpho):
    yield morpho
    for child in morpho.children:
        yield from _sections(child)


def test_tc_cell_through_morphology_from_file():
    from simcore import morphology
    if not hasattr(getattr(morphology, "Morphology", None), "from_file"):
        pytest.skip("simcore.morphology does not export Morphology (with from_file) yet")
    morpho = morphology.Morphology.from_file(str(TC_CELL))
    assert morpho.total_compartments == BRIAN2_TC_COMPARTMENTS
    assert morpho.total_sections == BRIAN2_TC_SECTIONS
    sections = list(_sections(morpho))
    area = sum(float(np.sum(np.asarray(section.area))) for section in sections) * 1e12  # m^2 to um^2
    length = sum(float(np.sum(np.asarray(section.length))) for section in sections) * 1e6  # m to um
    assert area == pytest.approx(BRIAN2_TC_AREA_UM2, rel=1e-9)
    assert length == pytest.approx(BRIAN2_TC_LENGTH_UM, rel=1e-9)


BRIAN2_PYTHON = os.environ.get("BRIAN2_PYTHON") or None

# Builds a morphology with Brian 2 from the file (its own reader) and from read_swc's points (its from_points);
# prints the figures and every compartment's end point and diameter, in um.
BRIAN2_SCRIPT = """
import builtins, json, sys
from brian2 import Morphology, Soma, um
import numpy as np

def sections(m):
    yield m
    for child in m.children:
        yield from sections(child)

def figures(m):
    secs = list(sections(m))
    ends = []
    for s in secs:
        if isinstance(s, Soma):
            ends.append([float(s.x[0] / um), float(s.y[0] / um), float(s.z[0] / um), float(s.diameter[0] / um)])
        else:
            for k in range(s.n):
                ends.append([float(s.end_x[k] / um), float(s.end_y[k] / um), float(s.end_z[k] / um),
                             float(s.end_diameter[k] / um)])
    return {"compartments": int(m.total_compartments), "sections": int(m.total_sections),
            "area": builtins.sum(float(np.sum(s.area / um**2)) for s in secs),
            "length": builtins.sum(float(np.sum(s.length / um)) for s in secs),
            "ends": ends, "topology": str(m.topology())}

job = json.load(open(sys.argv[1]))
result = {"from_points": figures(Morphology.from_points([tuple(p) for p in job["points"]]))}
if job["file"] is not None:
    result["from_file"] = figures(Morphology.from_file(job["file"]))
json.dump(result, open(sys.argv[2], "w"))
"""


def _brian2(tmp_path, points, file=None) -> dict:
    job, output, script = tmp_path / "job.json", tmp_path / "out.json", tmp_path / "build.py"
    job.write_text(json.dumps({"points": points, "file": None if file is None else str(file)}))
    script.write_text(BRIAN2_SCRIPT)
    subprocess.run([BRIAN2_PYTHON, str(script), str(job), str(output)], check=True, capture_output=True,
                   cwd=tmp_path, timeout=300)
    return json.loads(output.read_text())


def _ends_from_points(points) -> list[tuple]:
    """The compartment ends Brian 2 builds: every point but the two side points of a three-point soma."""
    side = {p[0] for p in points[1:] if p[1] == "soma" and p[6] == points[0][0]} if points[0][1] == "soma" else set()
    return sorted((round(p[2], 9), round(p[3], 9), round(p[4], 9), round(p[5], 9)) for p in points
                  if p[0] not in side)


@pytest.mark.skipif(BRIAN2_PYTHON is None, reason="set BRIAN2_PYTHON to a Python that imports brian2")
@pytest.mark.parametrize("name", ["tc", "tiny"])
def test_brian2_builds_the_same_morphology_from_the_file_and_from_read_swc(tmp_path, name):
    path = TC_CELL if name == "tc" else _write(tmp_path, TINY)
    points = read_swc(path)
    result = _brian2(tmp_path, points, path)
    theirs, ours = result["from_file"], result["from_points"]
    assert ours == theirs
    assert sorted(tuple(round(v, 9) for v in end) for end in theirs["ends"]) == _ends_from_points(points)
    if name == "tc":
        assert theirs["compartments"] == BRIAN2_TC_COMPARTMENTS and theirs["sections"] == BRIAN2_TC_SECTIONS
        assert theirs["area"] == pytest.approx(BRIAN2_TC_AREA_UM2, rel=1e-12)
        assert theirs["length"] == pytest.approx(BRIAN2_TC_LENGTH_UM, rel=1e-12)
    else:
        # soma; dend 2-4; axon 5; apic 6; the custom type 7 (name None) is a section of its own
        assert (theirs["compartments"], theirs["sections"]) == (7, 5)


MESSY = "\r\n".join([
    "# the tiny cell, children before parents, indices 0..60 with gaps, floats as integers, tabs, CRLF",
    "7\t7\t1 1 1 1\t60.0",
    "60 4.0 0 0 5 1.5 0",
    "4 3 3 12 0 0.25 3",
    "3 3 0 10 0 0.5 2",
    "2 3 0 5 0 1 0",
    "5 2 0 -5 0 0.5 0.0",
    "0 1 0 0 0 5 -1",
])


@pytest.mark.skipif(BRIAN2_PYTHON is None, reason="set BRIAN2_PYTHON to a Python that imports brian2")
def test_brian2_builds_the_points_of_a_file_its_own_reader_refuses(tmp_path):
    """Brian 2's reader refuses this file; its from_points builds read_swc's points into the tiny cell."""
    points = read_swc(_write(tmp_path, MESSY))
    assert [p[0] for p in points] == [0, 60, 7, 2, 3, 4, 5]
    messy = _brian2(tmp_path, points)["from_points"]
    tidy = _brian2(tmp_path, TINY_POINTS)["from_points"]
    for key in ("compartments", "sections", "area", "length"):
        assert messy[key] == tidy[key]
    assert sorted(messy["ends"]) == sorted(tidy["ends"])
