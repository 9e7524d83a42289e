"""check_for_cable: what a morphology may hold but a cable simulation cannot use is refused before a run, with
the section's path and the compartment; a cone ending in a free tip is fine."""

import numpy as np
import pytest

from simcore import Cylinder, ModelValueError, Section, Soma, meter, um
from simcore.morphology import check_for_cable, flatten


def _soma_with(dend):
    soma = Soma(diameter=30 * um)
    soma.dend = dend
    return soma


def test_a_tree_with_tips_ending_in_points_passes():
    soma = Soma(diameter=30 * um)
    soma.L = Section(n=5, diameter=[8, 8, 6, 4, 2, 0] * um, length=np.ones(5) * 20 * um)
    soma.R = Cylinder(n=5, diameter=5 * um, length=50 * um)
    soma.R.tip = Section(n=2, diameter=[5, 2, 0] * um, length=[5, 5] * um)
    check_for_cable(flatten(soma))
    root_cone = Section(n=2, diameter=[0, 1, 1] * um, length=[5, 5] * um)  # nothing before its first compartment
    check_for_cable(flatten(root_cone))


def _refused(morphology, message):
    with pytest.raises(ModelValueError, match=message):
        check_for_cable(flatten(morphology))


def test_a_zero_length_dummy_cylinder_is_refused():
    dummy = Cylinder(n=1, diameter=10 * um, length=0 * um)
    dummy.child = Cylinder(n=3, diameter=10 * um, length=30 * um)
    _refused(dummy, r"compartment 0 of the root section \(compartment 0 of the tree\) has zero length: its axial "
                    r"conductance would be infinite")


def test_coincident_points_are_refused_naming_the_section():
    soma = _soma_with(Cylinder(n=1, diameter=2 * um, length=10 * um))
    soma.dend.L = Section(n=2, diameter=[1, 1, 1] * um, x=[0, 1, 1] * um)
    _refused(soma, r"compartment 1 of section 'dend.L' \(compartment 3 of the tree\) has zero length")


def test_a_compartment_without_membrane_is_refused():
    # a length and a diameter of 1e-170 m: the area (pi d l) underflows to 0 while the length does not
    tiny = _soma_with(Cylinder(n=2, diameter=1e-170 * meter, length=2e-170 * meter))
    assert flatten(tiny).area[1] == 0.0 and flatten(tiny).length[1] > 0
    _refused(tiny, r"compartment 0 of section 'dend' \(compartment 1 of the tree\) has zero membrane area")


def test_a_point_between_two_compartments_of_a_section_is_refused():
    _refused(_soma_with(Section(n=2, diameter=[1, 0, 1] * um, length=[5, 5] * um)),
             r"compartment 0 of section 'dend' \(compartment 1 of the tree\) and compartment 1 of section 'dend' "
             r"\(compartment 2 of the tree\) meet where the diameter is 0: the axial conductance between them would "
             r"be 0")


def test_a_child_attached_to_a_point_is_refused():
    soma = _soma_with(Section(n=2, diameter=[2, 1, 0] * um, length=[10, 10] * um))
    soma.dend.tip = Cylinder(n=1, diameter=1 * um, length=10 * um)
    _refused(soma, r"compartment 1 of section 'dend' \(compartment 2 of the tree\) and compartment 0 of section "
                   r"'dend.tip' \(compartment 3 of the tree\) meet where the diameter is 0")


def test_a_section_starting_in_a_point_below_a_parent_is_refused():
    _refused(_soma_with(Section(n=2, diameter=[0, 1, 2] * um, length=[10, 10] * um)),
             r"compartment 0 of the root section \(compartment 0 of the tree\) and compartment 0 of section 'dend' "
             r"\(compartment 1 of the tree\) meet where the diameter is 0")
