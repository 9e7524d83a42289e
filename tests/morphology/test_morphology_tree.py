"""Trees: names, the L/R/1-9 shorthand, deletion, numbering, indexing and topology (hand-worked examples)."""

import numpy as np
import pytest

from simcore import Cylinder, Morphology, Section, Soma, um
from simcore.morphology import compartment_indices, flatten, local_range, start_index
from simcore.units import asarray


@pytest.fixture
def morpho():
    """soma (1) + dend (5, 100 um) with L (3) and R (2), + axon (4): compartments 0 | 1-5 | 6-8 | 9-10 | 11-14."""
    tree = Soma(diameter=30 * um)
    tree.dend = Cylinder(n=5, diameter=2 * um, length=100 * um)
    tree.dend.L = Cylinder(n=3, diameter=1 * um, length=30 * um)
    tree.dend.R = Section(n=2, diameter=[1, 0.5, 0.4] * um, length=[5, 5] * um)
    tree.axon = Cylinder(n=4, diameter=1 * um, length=40 * um)
    return tree


def test_counts_names_and_parents(morpho):
    assert (morpho.n, morpho.total_compartments, morpho.total_sections) == (1, 15, 5)
    assert (morpho.dend.total_compartments, morpho.dend.total_sections) == (10, 3)
    assert morpho["dend"] is morpho.dend is morpho["1"] and morpho.axon is morpho["2"]
    assert morpho.dend.parent is morpho and morpho.parent is None
    assert list(morpho.children) == [morpho.dend, morpho.axon]
    assert "dend" in morpho.children and morpho.children.name(morpho.axon) == "axon"
    assert morpho["1R"] is morpho.dend.R and morpho.dend["R"] is morpho.dend.R
    assert morpho["11"] is morpho.dend.L


def test_shorthand_builds_and_walks_levels():
    tree = Soma(diameter=10 * um)
    tree.L = Cylinder(n=1, diameter=1 * um, length=10 * um)
    tree.LL = Cylinder(n=2, diameter=1 * um, length=10 * um)
    tree.LR = Cylinder(n=3, diameter=1 * um, length=10 * um)
    tree.LRL = Cylinder(n=4, diameter=1 * um, length=10 * um)
    assert tree.LRL is tree.L.R.L and tree.LRL.n == 4 and tree["LR"].n == 3
    assert tree.indices[:].tolist() == [0] and tree.LRL.indices[:].tolist() == [7, 8, 9, 10]
    del tree.LR
    assert tree.total_compartments == 4 and "R" not in tree.L.children


def test_deleting_a_subtree_removes_all_its_names(morpho):
    dend = morpho.dend
    del morpho.dend
    assert morpho.total_compartments == 5 and dend.parent is None
    assert "1" not in morpho.children and "dend" not in morpho.children
    with pytest.raises(AttributeError, match="has no sub-tree 'dend'"):
        _ = morpho.dend
    morpho.other = dend  # detached: may be attached again
    assert morpho.other.indices[:].tolist() == list(range(5, 10))


def test_numbering_is_depth_first_in_the_order_added(morpho):
    assert [start_index(s) for s in morpho.sections()] == [0, 1, 6, 9, 11]
    assert morpho.indices[:].tolist() == [0]
    assert morpho.dend.L.indices[:].tolist() == [6, 7, 8]
    assert morpho.dend.R.indices[:].tolist() == [9, 10]
    assert morpho.axon.indices[:].tolist() == [11, 12, 13, 14]
    assert morpho.indices[0] == 0 and morpho.axon.indices[-1] == 14
    flat = flatten(morpho)
    assert flat.names == ("", "dend", "dend.L", "dend.R", "axon")
    assert flat.first.tolist() == [0, 1, 6, 9, 11] and flat.count.tolist() == [1, 5, 3, 2, 4]
    assert flat.parent.tolist() == [-1, 0, 1, 1, 0] and flat.is_soma.tolist() == [True, False, False, False, False]
    assert flat.section.tolist() == [0, 1, 1, 1, 1, 1, 2, 2, 2, 3, 3, 4, 4, 4, 4]
    np.testing.assert_allclose(flat.distance[6:9], [105e-6, 115e-6, 125e-6])  # after the 100 um dendrite
    np.testing.assert_allclose(flat.end_distance, [0, 100e-6, 130e-6, 110e-6, 40e-6])
    assert not flat.has_coordinates and np.isnan(flat.x).all()
    with pytest.raises(ValueError):
        flat.area[0] = 1.0  # read-only
    subtree = flatten(morpho.dend)  # a sub-tree keeps its distances from the real root
    assert subtree.names == ("", "L", "R") and subtree.n == 10 and subtree.parent.tolist() == [-1, 0, 0]
    np.testing.assert_allclose(subtree.distance[:2], [10e-6, 30e-6])


def test_indexing_by_number_slice_and_length(morpho):
    dend = morpho.dend  # 5 compartments of 20 um, numbers 1 to 5
    assert (dend[2].start, dend[2].stop, dend[-1].start) == (2, 3, 4)
    assert dend[1:3].n == 2 and len(dend[1:3]) == 2
    assert dend.indices[30 * um] == 2  # 20-40 um: the second compartment
    assert dend.indices[20 * um] == 2  # a boundary belongs to the compartment that starts there
    assert dend.indices[0 * um] == 1 and dend.indices[100 * um] == 5  # the end: the last compartment
    assert dend.indices[10 * um:50 * um].tolist() == [1, 2, 3]
    assert dend.indices[20 * um:40 * um].tolist() == [2]  # exactly the 20-40 um compartment
    assert dend.indices[:45 * um].tolist() == [1, 2, 3] and dend.indices[60 * um:].tolist() == [4, 5]
    assert dend.indices[1:3].tolist() == [2, 3] and dend[1:3].indices[:].tolist() == [2, 3]
    assert compartment_indices(dend[30 * um]).tolist() == [2]
    assert compartment_indices(morpho.axon, slice(1, None)).tolist() == [12, 13, 14]
    assert local_range(dend, 45 * um) == (2, 3)
    np.testing.assert_allclose(asarray(dend[10 * um:50 * um].distance), [10e-6, 30e-6, 50e-6])
    np.testing.assert_allclose(asarray(dend[3].area), [np.pi * 2e-6 * 20e-6])
    assert dend[2].x is None


def test_topology_draws_the_tree(morpho):
    assert str(morpho.topology()) == (
        "( )  [root] \n"
        "   `-----|  .dend\n"
        "          `---|  .dend.L\n"
        "          `--|  .dend.R\n"
        "   `----|  .axon\n"
    )


def test_generate_coordinates_is_deterministic_without_randomness(morpho):
    laid_out = morpho.generate_coordinates()
    assert laid_out is not morpho and morpho.dend.x is None
    # children of a soma fan out in the x-y plane from its surface: dend along -y, axon along +y
    np.testing.assert_allclose(asarray(laid_out.dend.start_y)[0], -15e-6)
    np.testing.assert_allclose(asarray(laid_out.dend.end_y)[-1], -115e-6)
    np.testing.assert_allclose(asarray(laid_out.axon.end_y)[-1], 55e-6)
    np.testing.assert_allclose(asarray(laid_out.dend.area), asarray(morpho.dend.area))
    again = morpho.generate_coordinates(section_randomness=20, compartment_randomness=10, seed=3)
    same = morpho.generate_coordinates(section_randomness=20, compartment_randomness=10, seed=3)
    np.testing.assert_array_equal(asarray(again.dend.L.coordinates), asarray(same.dend.L.coordinates))
    np.testing.assert_allclose(asarray(again.dend.L.length), asarray(morpho.dend.L.length))
    root = Cylinder(n=2, diameter=1 * um, length=10 * um).generate_coordinates()  # Brian 2 divides by zero here
    np.testing.assert_allclose(asarray(root.end_y), [-5e-6, -10e-6])


def test_copy_section_keeps_geometry_not_links(morpho):
    copy = morpho.dend.copy_section()
    assert copy.parent is None and len(copy.children) == 0 and copy.n == 5
    np.testing.assert_allclose(asarray(copy.area), asarray(morpho.dend.area))


def test_len_is_ambiguous(morpho):
    with pytest.raises(TypeError, match="ambiguous"):
        len(morpho)


def test_from_file_calls_the_swc_reader(tmp_path):
    pytest.importorskip("simcore.morphology.swc")
    path = tmp_path / "cell.swc"
    path.write_text("1 1 0 0 0 5 -1\n2 3 10 0 0 1 1\n3 3 20 0 0 1 2\n")
    morpho = Morphology.from_file(str(path))
    assert isinstance(morpho, Soma) and morpho.dend.n == 2
    np.testing.assert_allclose(asarray(morpho.diameter), [10e-6])
    assert Morphology.from_swc_file(str(path)).total_compartments == 3
