"""Per-compartment numbers of each kind of section against hand-computed geometry (no Brian 2 needed)."""

import numpy as np
import pytest

from simcore import Cylinder, Section, Soma, um
from simcore.units import asarray

PI = np.pi


def close(quantity, expected_um, power=1):
    """``quantity`` (SI) equals ``expected_um`` given in um**power."""
    np.testing.assert_allclose(asarray(quantity), np.asarray(expected_um, dtype=float) * 1e-6**power, rtol=1e-12)


def test_soma_is_a_sphere_seen_as_a_point():
    soma = Soma(diameter=30 * um)
    close(soma.area, [PI * 30**2], 2)
    close(soma.volume, [PI * 30**3 / 6], 3)
    close(soma.length, [30])
    close(soma.diameter, [30])
    np.testing.assert_array_equal(asarray(soma.r_length_1), [1.0])  # 1 m: negligible axial resistance
    np.testing.assert_array_equal(asarray(soma.r_length_2), [1.0])
    np.testing.assert_array_equal(asarray(soma.distance), [0.0])
    assert float(asarray(soma.end_distance)) == 0.0
    assert soma.n == 1 and soma.x is None and soma.coordinates is None and soma.type == "soma"


def test_cylinder_compartments_after_a_soma():
    soma = Soma(diameter=30 * um)
    soma.dend = Cylinder(n=5, diameter=2 * um, length=100 * um)
    dend = soma.dend
    close(dend.length, [20] * 5)
    close(dend.area, [PI * 2 * 20] * 5, 2)  # pi d l
    close(dend.volume, [PI * 1**2 * 20] * 5, 3)  # pi r^2 l
    close(dend.r_length_1, [PI / 2 * 2**2 / 20] * 5)  # pi/2 d^2 / l
    close(dend.r_length_2, [PI / 2 * 2**2 / 20] * 5)
    close(dend.distance, [10, 30, 50, 70, 90])  # the soma adds no path length
    close(dend.end_distance, 100)
    close(dend.start_diameter, [2] * 5)
    close(dend.end_diameter, [2] * 5)


def test_truncated_cone_area_volume_and_conductance_factors():
    cone = Section(n=2, diameter=[2, 1, 1] * um, length=[10, 4] * um)
    d1, d2, length = 2.0, 1.0, 10.0
    close(cone.area[:1], [PI / 2 * (d1 + d2) * np.sqrt((d1 - d2) ** 2 / 4 + length**2)], 2)
    close(cone.volume[:1], [PI * length * (d1**2 + d1 * d2 + d2**2) / 12], 3)
    close(cone.diameter, [1.5, 1.0])
    close(cone.r_length_1, [PI / 2 * d1 * 1.5 / length, PI / 2 * 1 * 1 / 4])
    close(cone.r_length_2, [PI / 2 * 1.5 * d2 / length, PI / 2 * 1 * 1 / 4])
    close(cone.area[1:], [PI * 1 * 4], 2)  # equal diameters: a cylinder
    close(cone.distance, [5, 12])
    close(cone.end_distance, 14)
    close(cone.start_diameter, [2, 1])
    close(cone.end_diameter, [1, 1])


def test_coordinates_are_relative_to_the_parents_end():
    root = Cylinder(n=2, diameter=1 * um, x=[0, 10] * um)
    root.branch = Section(n=2, diameter=[1, 1, 1] * um, x=[0, 3, 3] * um, y=[0, 4, 4] * um, z=[0, 0, 5] * um)
    close(root.x, [2.5, 7.5])
    close(root.length, [5, 5])
    branch = root.branch
    close(branch.length, [5, 5])  # |(3, 4, 0)| and |(0, 0, 5)|
    close(branch.start_x, [10, 13])
    close(branch.end_x, [13, 13])
    close(branch.y, [2, 4])
    close(branch.z, [0, 2.5])
    close(branch.coordinates, [[10, 0, 0], [13, 4, 0], [13, 4, 5]])
    close(branch.start_coordinates, [[10, 0, 0], [13, 4, 0]])
    close(branch.end_coordinates, [[13, 4, 0], [13, 4, 5]])
    close(branch.distance, [12.5, 17.5])
    np.testing.assert_allclose(branch.x_, [11.5e-6, 13e-6])


def test_a_soma_child_of_a_section_sits_at_its_last_midpoint_distance():
    axon = Cylinder(n=4, diameter=1 * um, length=40 * um)
    axon.node = Soma(diameter=4 * um)
    close(axon.node.distance, [35])  # Brian 2: the parent's last compartment midpoint
    close(axon.node.end_distance, 40)


@pytest.mark.parametrize("n", [1, 3, 7])
def test_cylinder_from_coordinates_splits_evenly(n):
    cylinder = Cylinder(n=n, diameter=2 * um, x=[0, 30] * um, y=[0, 40] * um)
    close(cylinder.length, [50 / n] * n)
    close(cylinder.end_x, [30 * (k + 1) / n for k in range(n)])
    close(cylinder.area, [PI * 2 * 50 / n] * n, 2)
