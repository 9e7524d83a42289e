"""Zero diameters and zero lengths: the geometry Brian 2 accepts (a cone ending in a point, a dummy zero-length
cylinder, coincident points, SWC tips of radius 0) is accepted with the same numbers, what is never meaningful
is refused, in an SWC file with the line of the point responsible."""

import logging
import math
import warnings

import numpy as np
import pytest

from simcore import Cylinder, Morphology, Section, um
from simcore.morphology.swc import SWCFormatError
from simcore.units import to_si


def si(quantity) -> np.ndarray:
    return np.asarray(to_si(quantity)[0], dtype=float)


def test_a_section_tapering_to_a_point_has_cone_geometry():
    cone = Section(n=2, diameter=[2, 1, 0] * um, length=[10, 10] * um)
    d1, d2, length = np.array([2e-6, 1e-6]), np.array([1e-6, 0.0]), 10e-6
    np.testing.assert_allclose(si(cone.area), math.pi / 2 * (d1 + d2) * np.sqrt((d1 - d2) ** 2 / 4 + length**2))
    np.testing.assert_allclose(si(cone.volume), [math.pi * length * (4 + 2 + 1) * 1e-12 / 12,
                                                 math.pi * length * 1e-12 / 12])
    np.testing.assert_allclose(si(cone.diameter), [1.5e-6, 0.5e-6])
    np.testing.assert_allclose(si(cone.end_diameter), [1e-6, 0.0])
    # start to midpoint of the tip: pi/2 * 1 um * 0.5 um / 10 um; midpoint to the point itself: 0
    np.testing.assert_allclose(si(cone.r_length_1)[1], math.pi / 2 * 1e-6 * 0.5e-6 / 10e-6)
    assert si(cone.r_length_2)[1] == 0.0


def test_a_zero_length_dummy_cylinder_is_accepted_without_warnings():
    # the tree test_morphology_against_brian2 compares with Brian 2 ("zero_sizes"), computed here by hand
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        dummy = Cylinder(n=1, diameter=10 * um, length=0 * um)
        dummy.cone = Section(n=3, diameter=[4, 2, 1, 0] * um, length=[5, 5, 5] * um)
        assert si(dummy.length)[0] == 0.0 and si(dummy.area)[0] == 0.0 and si(dummy.volume)[0] == 0.0
        assert np.isinf(si(dummy.r_length_1)[0]) and np.isinf(si(dummy.r_length_2)[0])
        np.testing.assert_allclose(si(dummy.cone.distance), [2.5e-6, 7.5e-6, 12.5e-6])
        d1, d2, middle = np.array([4, 2, 1]) * 1e-6, np.array([2, 1, 0]) * 1e-6, np.array([3, 1.5, 0.5]) * 1e-6
        np.testing.assert_allclose(si(dummy.cone.area),
                                   math.pi / 2 * (d1 + d2) * np.sqrt((d1 - d2) ** 2 / 4 + 25e-12))
        np.testing.assert_allclose(si(dummy.cone.r_length_1), math.pi / 2 * d1 * middle / 5e-6)
        np.testing.assert_allclose(si(dummy.cone.r_length_2), math.pi / 2 * middle * d2 / 5e-6)
        assert si(dummy.cone.r_length_2)[2] == 0.0


def test_coincident_points_give_a_zero_length_compartment():
    section = Section(n=2, diameter=[1, 1, 2] * um, x=[0, 3, 3] * um, y=[0, 4, 4] * um)
    np.testing.assert_allclose(si(section.length), [5e-6, 0.0])
    # a zero-length cone between diameters 1 and 2 um is a flat ring: pi/2 (d1 + d2) |d1 - d2| / 2
    np.testing.assert_allclose(si(section.area)[1], math.pi / 2 * 3e-6 * 0.5e-6)
    assert np.isinf(si(section.r_length_1)[1])


def test_from_points_accepts_coincident_points_and_a_soma_in_the_middle():
    points = [(1, "dend", 100, 0, 0, 10, -1), (2, "dend", 100, 0, 0, 10, 1), (3, "dend", 100, 0, 0, 10, 2),
              (4, "soma", 100, 0, 0, 30, 3), (5, "dend2", 130, 0, 0, 10, 4), (6, "dend2", 160, 0, 0, 10, 5)]
    morpho = Morphology.from_points(points)
    assert (morpho.total_sections, morpho.total_compartments) == (3, 5)
    np.testing.assert_array_equal(si(morpho.length), [0.0, 0.0])
    np.testing.assert_allclose(si(morpho.soma.dend2.length), [30e-6, 30e-6])


def test_from_points_accepts_a_dendrite_ending_in_a_point():
    points = [(1, "soma", 0, 0, 0, 10, -1), (2, "dend", 10, 0, 0, 2, 1), (3, "dend", 20, 0, 0, 0, 2)]
    dend = Morphology.from_points(points).dend
    np.testing.assert_allclose(si(dend.start_diameter), [2e-6, 2e-6])
    np.testing.assert_allclose(si(dend.end_diameter), [2e-6, 0.0])


def test_several_somata_log_a_warning_named_soma_compartments():
    records = []
    handler = logging.Handler(logging.WARNING)
    handler.emit = records.append
    logger = logging.getLogger("simcore")
    logger.addHandler(handler)
    try:
        Morphology.from_points([(1, "dend", 0, 0, 0, 10, -1), (2, "dend", 30, 0, 0, 10, 1),
                                (3, "soma", 60, 0, 0, 30, 2), (4, "dend2", 90, 0, 0, 10, 3),
                                (5, "soma", 120, 0, 0, 30, 4)])
    finally:
        logger.removeHandler(handler)
    assert len(records) == 1
    assert records[0].name.endswith("soma_compartments") and "found 2 soma points" in records[0].getMessage()


SWC_ROOT = "# header\n1 1 0 0 0 5 -1\n"


def test_an_swc_tip_of_radius_zero_is_accepted(tmp_path):
    path = tmp_path / "tip.swc"
    path.write_text(SWC_ROOT + "2 3 10 0 0 1 1\n3 3 20 0 0 0 2\n")
    dend = Morphology.from_file(str(path)).dend
    np.testing.assert_allclose(si(dend.end_diameter), [2e-6, 0.0])
    np.testing.assert_allclose(si(dend.length), [10e-6, 10e-6])


# (file text after the header and root, line of the error, what the message says)
REFUSED = {
    "two zero radii in a row": ("2 3 10 0 0 1 1\n3 3 20 0 0 0 2\n4 3 30 0 0 0 3\n", 5,
                                "point 4 has diameter 0 and so has point 3"),
    "zero radius leaving the soma": ("2 3 10 0 0 0 1\n", 3, "point 2 has diameter 0 and starts a section at the "
                                     "soma point 1"),
    "three-point soma of radius 0": (None, 2, "point 1: a soma with diameter 0"),
    "three-point soma, a point too far": ("2 1 0 5 0 5 1\n3 1 0 -9 0 5 1\n", 4,
                                          "while the radius is 5.000um"),
    "three-point soma, another radius": ("2 1 0 5 0 4 1\n3 1 0 -5 0 5 1\n", 3,
                                         "not all the diameters are identical"),
}


@pytest.mark.parametrize("case", REFUSED)
def test_swc_zero_radius_and_soma_errors_name_the_line(tmp_path, case):
    body, line, problem = REFUSED[case]
    text = "# header\n1 1 0 0 0 0 -1\n2 1 0 0 0 0 1\n3 1 0 0 0 0 1\n" if body is None else SWC_ROOT + body
    path = tmp_path / "bad.swc"
    path.write_text(text)
    with pytest.raises(SWCFormatError, match=f"bad.swc, line {line}: .*{problem}") as error:
        Morphology.from_file(str(path))
    assert error.value.line == line
    assert text.splitlines()[line - 1] in str(error.value)


def test_a_one_point_soma_of_radius_zero_names_its_line(tmp_path):
    path = tmp_path / "bad.swc"
    path.write_text("# header\n\n1 1 0 0 0 0 -1\n2 3 10 0 0 1 1\n")
    with pytest.raises(SWCFormatError, match=r"bad.swc, line 3: point 1: a soma with diameter 0"):
        Morphology.from_file(str(path))
