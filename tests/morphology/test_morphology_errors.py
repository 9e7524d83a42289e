"""Bad input to sections, trees, indexing and from_points: each refused with a message saying what and where."""

import pytest

from simcore import Cylinder, DimensionMismatchError, ModelError, Morphology, Section, Soma, mV, um
from simcore.morphology import NoSubtreeError


@pytest.mark.parametrize(("build", "error", "message"), [
    (lambda: Soma(10), DimensionMismatchError, r"Soma\(\): diameter must be a length: a plain number .* m \(metre\)"),
    (lambda: Soma(10 * mV), DimensionMismatchError, r"diameter must be a length: mV \(volt\) and m \(metre\)"),
    (lambda: Soma(10 * um, x=3), DimensionMismatchError, r"Soma\(\): x must be a length"),
    (lambda: Soma([10, 20] * um), TypeError, r"Soma\(\): diameter must be a single value"),
    (lambda: Soma(0 * um), ValueError, r"Soma\(\): diameter must be positive and finite, but it is 0 um"),
    (lambda: Cylinder(diameter=1 * um, n=0, length=10 * um), ValueError, r"n must be at least 1, not 0"),
    (lambda: Cylinder(diameter=1 * um, n=1.5, length=10 * um), TypeError, r"n must be a whole number, not 1.5"),
    (lambda: Cylinder(diameter=1 * um, n="cell.swc", length=10 * um), TypeError, r"Morphology.from_file"),
    (lambda: Cylinder(diameter=1 * um, n=2 * um, length=10 * um), DimensionMismatchError, r"plain number"),
    (lambda: Cylinder(diameter=1 * um, length=-10 * um), ValueError,
     r"Cylinder\(\): length must be finite and not negative, but it is -10 um"),
    (lambda: Cylinder(diameter=-1 * um, length=10 * um), ValueError, r"Cylinder\(\): diameter must be positive"),
    (lambda: Cylinder(diameter=0 * um, length=10 * um), ValueError,
     r"Cylinder\(\): diameter must be positive and finite, but it is 0 um"),
    (lambda: Soma(), TypeError, r"Soma\(\): the diameter is missing"),
    (lambda: Soma(x=10), DimensionMismatchError, r"Soma\(\): x must be a length"),
    (lambda: Soma(x=[10, 20] * um), TypeError, r"Soma\(\): the diameter is missing"),
    (lambda: Cylinder(diameter=1 * um, length=10 * mV), DimensionMismatchError, r"length must be a length: mV"),
    (lambda: Cylinder(diameter=[1, 2] * um, n=2, length=10 * um), TypeError, r"diameter must be a single value"),
    (lambda: Cylinder(diameter=1 * um, n=3, length=[1, 2, 3] * um), TypeError, r"length must be a single value"),
    (lambda: Cylinder(diameter=1 * um, n=3, x=[0, 1, 2] * um), TypeError,
     r"x must be a one-dimensional array of 2 values \(the start and end points"),
    (lambda: Cylinder(diameter=1 * um, n=3), TypeError, r"give the length, or the coordinates"),
    (lambda: Cylinder(diameter=1 * um, length=3 * um, x=[0, 3] * um), TypeError,
     r"give either length or coordinates \(x, y, z\), not both"),
    (lambda: Section(diameter=1 * um, n=3, length=[1, 2, 3] * um), TypeError,
     r"Section\(\): diameter must be a one-dimensional array of n\+1 = 4 values"),
    (lambda: Section(diameter=[1, 1, 1] * um, n=2, length=5 * um), TypeError,
     r"length must be a one-dimensional array of the n = 2 compartment lengths"),
    (lambda: Section(diameter=[1, 1, 1] * um, n=2, length=[5, -1] * um), ValueError,
     r"length must be finite and not negative, but it is -1 um \(value 1 of 2\)"),
    (lambda: Section(diameter=[1, -1, 1] * um, n=2, length=[5, 5] * um), ValueError,
     r"diameter must be finite and not negative, but it is -1 um \(value 1 of 3\)"),
    (lambda: Section(diameter=[1, 0, 0] * um, n=2, length=[5, 5] * um), ValueError,
     r"Section\(\): compartment 1 has diameter 0 at both ends \(values 1 and 2 of 3\)"),
    (lambda: Section(diameter=[1, 1, 1] * um, n=2, y=[0, 1] * um), TypeError,
     r"y must be a one-dimensional array of 3"),
])
def test_bad_sections_are_refused(build, error, message):
    with pytest.raises(error, match=message):
        build()


@pytest.fixture
def tree():
    morpho = Soma(diameter=20 * um)
    morpho.dend = Cylinder(n=5, diameter=1 * um, length=100 * um)
    return morpho


def test_bad_tree_edits_are_refused(tree):
    other = Soma(diameter=5 * um)
    with pytest.raises(ModelError, match=r"already has a sub-tree named 'dend'"):
        tree.dend = Cylinder(n=1, diameter=1 * um, length=1 * um)
    with pytest.raises(ModelError, match=r"cannot attach a section as 'again' of the root section: it is already "
                                         r"section 'dend' of another section"):
        other.again = tree.dend
    with pytest.raises(ModelError, match=r"would make a loop"):
        tree.dend.back = tree
    with pytest.raises(ModelError, match=r"only a Soma, Cylinder or Section can be attached"):
        tree["x"] = 5
    with pytest.raises(AttributeError, match=r"section 'dend' has no sub-tree 'L' \(it has no children\)"):
        _ = tree.dend.L
    with pytest.raises(NoSubtreeError, match=r"has no sub-tree 'axon'"):
        del tree.axon
    with pytest.raises(KeyError):
        tree["1L"]
    with pytest.raises(TypeError):
        Morphology(1)


@pytest.mark.parametrize(("item", "error", "message"), [
    (5, IndexError, r"compartment 5 is outside section 'dend', which has 5 compartments \(0 to 4, or -5 to -1"),
    (-6, IndexError, r"compartment -6 is outside section 'dend'"),
    (120 * um, IndexError, r"the position 120 um is outside the interval \[0 um, 100 um\] of section 'dend'"),
    (-1 * um, IndexError, r"the position -1 um is outside"),
    (slice(2, 9), IndexError, r"the slice 2:9 goes beyond section 'dend', which has 5 compartments"),
    (slice(3, 3), IndexError, r"the slice 3:3 selects no compartment of section 'dend'"),
    (slice(10 * um, 150 * um), IndexError, r"the slice 10\*um:150\*um goes beyond the interval \[0 um, 100 um\]"),
    (slice(50 * um, 10 * um), IndexError, r"selects no compartment"),
    (slice(0, 4, 2), TypeError, r"must be contiguous"),
    (slice(1 * um, 4 * um, 1 * um), TypeError, r"cannot have a step"),
    (slice(1, 4 * um), TypeError, r"must use compartment numbers \(2:4\) or lengths"),
    (slice(1.5, 3.5), TypeError, r"must use compartment numbers"),
    (3 * mV, TypeError, r"cannot index section 'dend' with"),
    (2.0, TypeError, r"cannot index section 'dend' with 2.0"),
])
def test_bad_indices_are_refused_with_the_section_and_its_range(tree, item, error, message):
    with pytest.raises(error, match=message):
        tree.dend[item]
    with pytest.raises(error, match=message):
        tree.dend.indices[item]


def test_views_and_string_indices_are_refused(tree):
    with pytest.raises(NotImplementedError, match="no string indexing"):
        tree.indices["dend"]
    with pytest.raises(IndexError, match="cannot index .* further"):
        tree.dend[1:3].indices[0]


def test_from_file_refuses_other_formats():
    with pytest.raises(NotImplementedError, match=r"SWC files \(ending in .swc\) are the only"):
        Morphology.from_file("cell.asc")


SOMA = (1, "soma", 0, 0, 0, 10, -1)


@pytest.mark.parametrize(("points", "message"), [
    ([SOMA, (2, "dend", 10, 0, 0, 1, 7)], r"point 2: its parent point 7 does not exist"),
    ([SOMA, (2, "dend", 10, 0, 0, 1, 3), (3, "dend", 20, 0, 0, 1, 2)],
     r"points 2 -> 3 -> 2 form a loop"),
    ([SOMA, (2, "dend", 10, 0, 0, 1, 2)], r"point 2 lists itself as its parent, a loop"),
    ([SOMA, (2, "dend", 10, 0, 0, 1, 3), (3, "dend", 20, 0, 0, 1, 1)],
     r"point 2: its parent point 3 is listed after it"),
    ([SOMA, (2, "dend", 10, 0, 0, 1, 1), (2, "dend", 20, 0, 0, 1, 2)],
     r"two points have the index 2 \(points 2 and 3 of the list\)"),
    ([SOMA, (2, "dend", 10, 0, 0, 0, 1)], r"point 2 has diameter 0 and starts a section at the soma point 1 with "
     r"its own diameter: the compartment from point 1 to point 2 would have diameter 0 at both ends"),
    ([SOMA, (2, "dend", 10, 0, 0, 1, 1), (3, "dend", 20, 0, 0, 0, 2), (4, "dend", 30, 0, 0, 0, 3)],
     r"point 4 has diameter 0 and so has point 3: the compartment from point 3 to point 4 would have diameter 0 at "
     r"both ends"),
    ([(1, "soma", 0, 0, 0, 0, -1), (2, "dend", 10, 0, 0, 1, 1)], r"point 1: a soma with diameter 0"),
    ([SOMA, (2, "dend", 10, 0, 0, -2, 1)], r"point 2: the diameter must not be negative, but it is -2 um"),
    ([(1, "soma", 0, 0, 0, -10, -1)], r"point 1: the diameter must not be negative"),
    ([SOMA, (2, "dend", "ten", 0, 0, 1, 1)], r"point 2: x, y, z and diameter must be numbers"),
    ([SOMA, (2, "dend", 10, 0, 1, 1)], r"point 2 of the list needs 7 values .*, got 6"),
    ([SOMA, (2, "dend", 10, 0, 0, 1, -1)], r"point 2 has parent -1, but point 1 is already the root"),
    ([(1, "soma", 0, 0, 0, 10, 4)], r"the first point \(1\) must be the root"),
    ([SOMA, (2, "soma", 0, 5, 0, 10, 1), (3, "soma", 0, -5, 0, 8, 1)], r"not all the diameters are identical"),
    ([SOMA, (2, "soma", 0, 7.5, 0, 10, 1), (3, "soma", 0, -5, 0, 10, 1)],
     r"distances are 7.500um and 5.000um, while the radius is 5.000um"),
    ([], r"needs at least one point"),
])
def test_bad_points_are_refused_naming_the_point(points, message):
    with pytest.raises(ValueError, match=message):
        Morphology.from_points(points)


def test_one_point_soma_needs_spherical_soma():
    with pytest.raises(ValueError, match=r"with spherical_soma=False the soma must be several points in a row"):
        Morphology.from_points([SOMA, (2, "dend", 10, 0, 0, 1, 1)], spherical_soma=False)
