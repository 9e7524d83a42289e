"""Figures recorded from Brian 2.11.0 (test_morphology_against_brian2.py's script, run with brian2) for the same
trees, asserted here without Brian 2; plus the from_points rules checked by hand."""

import numpy as np
import pytest

from simcore import Cylinder, Morphology, Section, Soma, um
from simcore.units import asarray

POINTS = [
    (1, "soma", 0, 0, 0, 12, -1),
    (2, "dend", 8, 1, 0, 2.0, 1), (3, "dend", 14, 2, 1, 1.8, 2), (4, "dend", 21, 2, 1, 1.6, 3),
    (5, "dend", 27, 6, 2, 1.2, 4), (6, "dend", 33, 9, 2, 1.0, 5),
    (7, "dend", 26, -3, 0, 1.1, 4), (8, "dend", 30, -8, -1, 0.9, 7), (9, "dend", 35, -12, -1, 0.7, 8),
    (10, "axon", -7, 0, 0, 1.0, 1), (11, "axon", -20, -1, 0, 1.0, 10), (12, "axon", -40, -1, 1, 0.9, 11),
    (13, "apic", 0, 9, 0, 3.0, 1), (14, "apic", 0, 20, 1, 2.5, 13), (15, "apic", -4, 30, 1, 2.0, 14),
    (16, "apic", 4, 31, 2, 1.5, 14), (17, "apic", 8, 40, 2, 1.2, 16), (18, "apic", -8, 40, 3, 1.0, 15),
    (19, "apic", 3, 33, 2, 1.4, 14), (20, None, 2, 37, 3, 1.0, 19), (21, None, 1, 41, 3, 0.8, 20),
]


def si(quantity):
    return np.asarray(asarray(quantity), dtype=float)


@pytest.fixture(scope="module")
def cell():
    return Morphology.from_points(POINTS)


def test_sections_numbering_and_names_recorded_from_brian2(cell):
    assert isinstance(cell, Soma) and cell.total_compartments == 21 and cell.total_sections == 10
    recorded = {"dend": [1, 2, 3], "dend.dend": [4, 5], "dend.dend2": [6, 7, 8], "axon": [9, 10, 11],
                "apic": [12, 13], "apic.apic": [14, 15], "apic.apic2": [16, 17], "apic.apic3": [18],
                "apic.apic3.1": [19, 20]}
    for path, indices in recorded.items():
        section = cell
        for name in path.split("."):
            section = section[name]
        assert section.indices[:].tolist() == indices, path
    assert cell["1"] is cell.dend and cell.dend.L is cell.dend.dend and cell.dend.R is cell.dend.dend2
    assert cell["3"] is cell.apic and cell["1R"] is cell.dend.dend2
    assert cell.apic["3"] is cell.apic.apic3 and cell["33L"].type is None
    assert str(cell.topology()).splitlines()[-1] == "          `--|  .apic.apic3.1"


def test_geometry_recorded_from_brian2(cell):
    rtol = 1e-12
    np.testing.assert_allclose(si(cell.dend.area), [5.065665942680422e-11, 3.680038891724268e-11,
                                                    3.738876717418555e-11], rtol=rtol)
    np.testing.assert_allclose(si(cell.dend.distance), [4.031128874149275e-06, 1.1144464749783038e-05,
                                                        1.7726671751267526e-05], rtol=rtol)
    np.testing.assert_allclose(si(cell.dend.r_length_1), [7.793332219508342e-07, 9.68303887270669e-07,
                                                          6.866623942846261e-07], rtol=rtol)
    np.testing.assert_allclose(float(si(cell.dend.end_distance)), 2.1226671751267526e-05, rtol=rtol)
    np.testing.assert_allclose(si(cell.dend.volume), [2.5328329713402114e-17, 1.7494023563356762e-17,
                                                      1.5906930802676316e-17], rtol=rtol)
    np.testing.assert_allclose(si(cell.dend.dend.area), [3.2031676231040544e-11, 2.3184464234753602e-11], rtol=rtol)
    np.testing.assert_allclose(si(cell.dend.dend.distance), [2.4866726695907783e-05, 3.186088360679773e-05],
                               rtol=rtol)
    np.testing.assert_allclose(si(cell.apic.apic3.area), [8.203093401722212e-11], rtol=rtol)
    np.testing.assert_allclose(si(cell.apic.apic3.r_length_1), [5.723582953785176e-07], rtol=rtol)


def test_from_points_rules_by_hand(cell):
    # the first dendrite compartment runs from the soma centre to point 2, with point 2's diameter at both ends
    length = np.sqrt(8**2 + 1**2)
    np.testing.assert_allclose(si(cell.dend.length)[0], length * 1e-6)
    np.testing.assert_allclose(si(cell.dend.start_diameter)[0], 2e-6)
    np.testing.assert_allclose(si(cell.dend.distance)[0], length / 2 * 1e-6)
    # a branch starts at its parent point, with that point's diameter
    np.testing.assert_allclose(si(cell.dend.dend.start_diameter)[0], 1.6e-6)
    np.testing.assert_allclose(si(cell.dend.dend.start_x)[0], 21e-6)
    np.testing.assert_allclose(si(cell.area), [np.pi * 12e-6**2])


def test_three_point_soma_becomes_one_sphere_recorded_from_brian2():
    points = [(1, "soma", 0, 0, 0, 10, -1), (2, "soma", 0, 5, 0, 10, 1), (3, "soma", 0, -5, 0, 10, 1),
              *[(k + 3, "dend", 5 * k, 1, 0, 2, k + 2 if k > 1 else 1) for k in range(1, 5)]]
    morpho = Morphology.from_points(points)
    assert isinstance(morpho, Soma) and morpho.total_compartments == 5
    np.testing.assert_allclose(si(morpho.area), [3.1415926535897923e-10], rtol=1e-12)
    np.testing.assert_allclose(si(morpho.dend.length), [5.099019513592784e-06, 5e-06, 5e-06, 5e-06], rtol=1e-12)
    np.testing.assert_allclose(si(morpho.dend.distance), [2.549509756796392e-06, 7.5990195135927845e-06,
                                                          1.2599019513592784e-05, 1.7599019513592784e-05], rtol=1e-12)


def test_soma_of_several_points_without_spherical_soma_recorded_from_brian2():
    points = [(1, "soma", 0, 0, 0, 10, -1), (2, "soma", 4, 0, 0, 12, 1), (3, "soma", 8, 0, 0, 9, 2),
              (4, "dend", 15, 0, 0, 2, 3), (5, "dend", 25, 2, 0, 1.5, 4), (6, "axon", 8, -6, 0, 1, 3)]
    morpho = Morphology.from_points(points, spherical_soma=False)
    assert type(morpho) is Section and morpho.n == 2 and morpho.type == "soma"
    assert str(morpho.topology()) == "--|  [root] \n    `--|  .dend\n    `-|  .axon\n"
    np.testing.assert_allclose(si(morpho.area), [1.424843017775671e-10, 1.409193418422995e-10], rtol=1e-12)
    np.testing.assert_allclose(si(morpho.dend.start_diameter), [2e-6, 2e-6], rtol=1e-12)  # not the soma's
    np.testing.assert_allclose(si(morpho.dend.distance), [1.15e-05, 2.0099019513592783e-05], rtol=1e-12)


def test_generated_coordinates_recorded_from_brian2():
    def tree():
        morpho = Soma(diameter=30 * um)
        morpho.dend = Cylinder(n=5, diameter=2 * um, length=100 * um)
        morpho.dend.L = Cylinder(n=3, diameter=1 * um, length=30 * um, type="dend")
        morpho.dend.R = Section(n=3, diameter=[1, 0.8, 0.6, 0.5] * um, x=[0, 10, 20, 25] * um,
                                y=[0, 5, 5, 12] * um, z=[0, 0, 3, 3] * um, type="dend")
        morpho.dend.R.tip = Section(n=2, diameter=[0.5, 0.4, 0.3] * um, length=[4, 6] * um)
        morpho.axon = Cylinder(n=4, diameter=1 * um, length=50 * um, type="axon")
        morpho.axon.node = Soma(diameter=4 * um)
        return morpho

    laid_out = tree().generate_coordinates()
    np.testing.assert_allclose(si(laid_out.dend.end_y), [-3.5e-05, -5.5e-05, -7.5e-05, -9.5e-05, -1.15e-04],
                               rtol=1e-12)
    # Brian 2 puts a soma that hangs from a section one metre along the section's direction
    np.testing.assert_allclose(si(laid_out.axon.node.x), [-1.8369701987210297e-16], rtol=1e-9)
    randomised = tree().generate_coordinates(section_randomness=25, compartment_randomness=15, seed=7)
    np.testing.assert_allclose(si(randomised.dend.R.end_x), [-1.9223509145579096e-05, -9.223509145579097e-06,
                                                             -4.223509145579098e-06], rtol=1e-12)
    np.testing.assert_allclose(si(randomised.axon.end_y), [2.1988588560860737e-05, 3.251859836504598e-05,
                                                           4.206670964605931e-05, 4.991679598216796e-05], rtol=1e-12)
