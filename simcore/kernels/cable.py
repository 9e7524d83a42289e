"""The implicit step of the cable equation of a neuron with a shape, as Brian 2 (2.11) discretises it, solved by
Hines elimination over a tree of nodes: one plain-Python step function, ``cable_step``, compiled here with numba
njit (CPU, driven by a ``prange`` over neurons) and in ``simcore.kernels.cable_cuda`` as a ``numba.cuda`` device
function (GPU, one neuron per thread; that module alone imports numba.cuda).

The discretisation (Brian 2's ``SpatialNeuron``)
------------------------------------------------
A neuron is a tree of sections; section ``s`` holds the consecutive compartments ``first_s .. first_s + n_s - 1``
and starts at the end of its parent section. Compartment ``i`` has membrane area ``A_i``, capacitance ``Cm_i``
(F/m^2) and the geometry terms ``r_length_1[i]``, ``r_length_2[i]`` (m): the axial conductance from the start of
the compartment to its midpoint is ``r_length_1[i]/Ri``, from the midpoint to its end ``r_length_2[i]/Ri`` (a
``Soma`` has both 1 m: almost no axial resistance; it is otherwise a one-compartment section). The membrane
current density ``Im`` (A/m^2, point currents ``I_p`` entering as ``I_p/A_i``) is linearised at the start of the
step: ``gtot = -dIm/dv`` and ``I0 = Im + gtot*v``, so that ``Im = I0 - gtot*v`` (both computed by the caller
with the step's gating variables). Multiplied by ``A_i``, compartment ``i``'s equation is, with ``v`` the old and
``v'`` the new values (backward Euler, as Brian 2: gtot and I0 are held at their values at the step's start)::

    (Cm_i A_i/dt + gtot_i A_i) v'_i + sum_j g_ij (v'_i - V'_j) = Cm_i A_i/dt v_i + I0_i A_i + Ipoint_i

over the axial neighbours ``j`` of ``i``. Inside a section, consecutive compartments are coupled by the two half
compartments in series, ``g = 1/(Ri (1/r_length_2[i-1] + 1/r_length_1[i]))``. Between sections Brian 2 puts a
node at each section's end, of voltage ``V_e`` and no capacitance, joined to the section's last compartment by
``r_length_2[last]/Ri`` and to the first compartment of each child section by ``r_length_1[first]/Ri``; its
equation is Kirchhoff's law ``sum_j g_ej (V'_e - v'_j) = 0``. The root section's start node and a leaf
section's end node are sealed (Brian 2's equation there says that the node's voltage equals the compartment's,
so no current flows through that half compartment): they and their half-compartment conductances drop out.
Brian 2 solves this system per section (three tridiagonal solves: a particular solution and the responses to
the two end voltages) and then a small tree system for the end nodes; the unknowns and equations are the same
here, solved in one elimination.

Nodes
-----
``CableTree`` numbers the unknowns so that a node's parent comes before it: section by section (sections must
come after their parent, as in Brian 2's flat order), each section's compartments in order, then, if the section
has two or more children, its end node (a junction, no compartment). A section with exactly one child has no
junction: its last compartment links to the child's first by the two half compartments in series, exactly the
node eliminated. Every node but the root (node 0, compartment 0) has one parent and a coupling conductance to it.

The elimination (Hines), per neuron, O(nodes)
----------------------------------------------
With ``a_k`` the node's own diagonal (``Cm A/dt + gtot A``, 0 for a junction) and ``b_k`` its right-hand side,
children are eliminated leaves first (nodes in reverse order). Eliminating node ``k`` (coupling ``g`` to parent
``p``) adds to the parent ``a_p += g a_k/(a_k + g)`` and ``b_p += g b_k/(a_k + g)`` (the subtree seen from the
parent is the conductance ``a_k`` in series with ``g``: written so, the huge soma conductances cause no
cancellation), and keeps ``f_k = g/(a_k + g)`` and ``b_k/(a_k + g)``. Then ``V'_0 = b_0/a_0`` and, parents
first, ``V'_k = b_k/(a_k + g) + f_k V'_p``. The scratch arrays ``a`` and ``b`` hold these per node.
"""

from __future__ import annotations

from dataclasses import dataclass

import numba
import numpy as np

from simcore.errors import ModelValueError

_NJIT_OPTIONS = {"cache": True, "error_model": "numpy"}
#: neurons stepped together on the CPU (``cable_step``): enough to keep the divider busy and fill the vector lanes,
#: few enough that a block's scratch (2*32 values a node) stays in the L2 cache (measured with 1000 neurons of 100
#: compartments on AVX-512: 8 -> 5.6 ns a compartment, 16 -> 4.4, 32 -> 3.2, 64 -> 4.7)
BLOCK = 32
#: the largest index value (2**62 - 1); see ``cable_step``
_NON_NEGATIVE = np.int64(0x3FFF_FFFF_FFFF_FFFF)


@dataclass(frozen=True, slots=True, eq=False)
class CableTree:
    """The linear system's structure, shared by every neuron with one morphology (read-only arrays, one entry
    per node, parents before children; node 0 is compartment 0, the root).

    ``parent``: the parent node (int32; -1 for node 0). ``conductance``: the axial conductance to the parent
    node in siemens (0 for node 0). ``compartment``: the neuron's compartment of the node, counted from the
    neuron's first (int32; -1 for a junction, a branch point without capacitance). ``compartments``: how many
    compartments a neuron has."""

    parent: np.ndarray
    conductance: np.ndarray
    compartment: np.ndarray
    compartments: int

    @property
    def nodes(self) -> int:
        return int(self.parent.shape[0])


def _checked(name: str, values, size: int | None = None) -> np.ndarray:
    array = np.asarray(values, dtype=np.float64)
    if array.ndim != 1 or (size is not None and array.shape[0] != size):
        raise ModelValueError(f"{name} must be a one-dimensional array of {size or 'one value per'} compartments, "
                              f"not of shape {array.shape}")
    bad = np.flatnonzero(~(np.isfinite(array) & (array > 0)))
    if bad.size:
        raise ModelValueError(f"{name} must be positive and finite in every compartment; compartment {bad[0]} "
                              f"has {array[bad[0]]!r}")
    return array


def _check_sections(first: np.ndarray, count: np.ndarray, parent: np.ndarray, compartments: int) -> None:
    """Sections must tile the compartments in order, each after its parent, with one root (section 0)."""
    if not (first.shape == count.shape == parent.shape) or first.ndim != 1 or first.size == 0:
        raise ModelValueError("the sections' first compartments, counts and parents must be three one-dimensional "
                              f"arrays of one length, not of shapes {first.shape}, {count.shape}, {parent.shape}")
    position = 0
    for section in range(first.size):
        if count[section] < 1:
            raise ModelValueError(f"section {section} has {count[section]} compartments; it needs at least one")
        if first[section] != position:
            raise ModelValueError(f"section {section} starts at compartment {first[section]}, not {position}: "
                                  "sections must hold consecutive compartments in their order")
        position += int(count[section])
        if section == 0 and parent[0] != -1:
            raise ModelValueError(f"section 0 must be the root (parent -1), not a child of section {parent[0]}")
        if section > 0 and not 0 <= parent[section] < section:
            raise ModelValueError(f"section {section} has parent {parent[section]}: every section but the root "
                                  "(section 0) must come after its parent section")
    if position != compartments:
        raise ModelValueError(f"the sections hold {position} compartments, the geometry arrays {compartments}")


def build_cable_tree(r_length_1, r_length_2, section_first, section_count, section_parent, Ri: float) -> CableTree:
    """The nodes of one morphology's cable system (see the module docstring), from Brian 2's per-compartment
    ``r_length_1``/``r_length_2`` (m), the sections (first compartment, number of compartments, parent section
    or -1; in an order with parents first) and the intracellular resistivity ``Ri`` (ohm*m). Areas do not enter
    the structure: the step takes them per compartment."""
    r1 = _checked("r_length_1", r_length_1)
    r2 = _checked("r_length_2", r_length_2, r1.shape[0])
    Ri = float(Ri)
    if not (np.isfinite(Ri) and Ri > 0):
        raise ModelValueError(f"the intracellular resistivity Ri must be positive and finite, not {Ri!r} ohm*m")
    first, count, up = (np.asarray(x, dtype=np.int64) for x in (section_first, section_count, section_parent))
    _check_sections(first, count, up, r1.shape[0])
    children = np.bincount(up[1:], minlength=first.size)
    parent, conductance, compartment = [-1], [0.0], [0]
    end_node = np.empty(first.size, dtype=np.int64)  # the node a child section's first compartment links to
    for section in range(first.size):
        start, stop = int(first[section]), int(first[section] + count[section])
        if section > 0:
            above = int(up[section])
            junction = children[above] >= 2
            parent.append(int(end_node[above]))
            last = int(first[above] + count[above] - 1)
            conductance.append(r1[start] / Ri if junction else 1.0 / (Ri * (1.0 / r2[last] + 1.0 / r1[start])))
            compartment.append(start)
        for i in range(start + 1, stop):
            parent.append(len(parent) - 1)
            conductance.append(1.0 / (Ri * (1.0 / r2[i - 1] + 1.0 / r1[i])))
            compartment.append(i)
        end_node[section] = len(parent) - 1
        if children[section] >= 2:
            parent.append(len(parent) - 1)
            conductance.append(r2[stop - 1] / Ri)
            compartment.append(-1)
            end_node[section] = len(parent) - 1
    arrays = [np.array(parent, dtype=np.int32), np.array(conductance), np.array(compartment, dtype=np.int32)]
    for array in arrays:
        array.setflags(write=False)
    return CableTree(*arrays, compartments=int(r1.shape[0]))


def cable_step(first, count, compartments, parent, conductance, compartment, v, Cm, gtot, I0, Ipoint, area, dt, a, b,
               scratch_first, scratch_stride):
    """One backward-Euler step of the cable equations of ``count`` neurons with the same tree: compartment ``c`` of
    neuron ``j`` becomes its value at t + dt in ``v[first + j*compartments + c]``. ``v``, ``Cm`` (F/m^2), ``gtot``
    (S/m^2), ``I0`` (A/m^2), ``Ipoint`` (A) and ``area`` (m^2) are indexed like ``v``; the tree's arrays
    (``CableTree``) by node; the scratch ``a``, ``b`` (float64) of node ``k`` of neuron ``j`` at
    ``scratch_first + k*scratch_stride + j``. The neurons are the innermost loops and independent: on the CPU a
    block of neurons (stride ``count``) overlaps their eliminations, each a chain of dependent divisions, and
    vectorises them; on the GPU a thread steps one neuron (``count`` 1, stride the number of neurons: neighbouring
    threads touch neighbouring values). Plain Python: compiled for njit and cuda.

    Every offset is masked with ``_NON_NEGATIVE`` (no change to its value): numba wraps negative indices around,
    a select per element that LLVM cannot vectorise unless it knows the index is not negative; with the mask it
    does, and the loops over neurons vectorise (measured: 2.3x faster for 1000 neurons of 100 compartments)."""
    nodes = parent.shape[0]
    stride = compartments & _NON_NEGATIVE
    for k in range(nodes):
        s = (scratch_first + k * scratch_stride) & _NON_NEGATIVE
        c = compartment[k]
        if c >= 0:
            o = (first + c) & _NON_NEGATIVE
            for j in range(count):
                i = o + j * stride
                capacitance = Cm[i] * area[i] / dt
                a[s + j] = capacitance + gtot[i] * area[i]
                b[s + j] = capacitance * v[i] + I0[i] * area[i] + Ipoint[i]
        else:
            for j in range(count):
                a[s + j] = 0.0
                b[s + j] = 0.0
    for k in range(nodes - 1, 0, -1):
        s = (scratch_first + k * scratch_stride) & _NON_NEGATIVE
        p = (scratch_first + parent[k] * scratch_stride) & _NON_NEGATIVE
        g = conductance[k]
        for j in range(count):
            total = a[s + j] + g
            f = g / total
            a[p + j] += f * a[s + j]
            b[p + j] += f * b[s + j]
            a[s + j] = f
            b[s + j] = b[s + j] / total
    s = scratch_first & _NON_NEGATIVE
    o = (first + compartment[0]) & _NON_NEGATIVE
    for j in range(count):
        b[s + j] = b[s + j] / a[s + j]
        v[o + j * stride] = b[s + j]
    for k in range(1, nodes):
        s = (scratch_first + k * scratch_stride) & _NON_NEGATIVE
        p = (scratch_first + parent[k] * scratch_stride) & _NON_NEGATIVE
        for j in range(count):
            b[s + j] += a[s + j] * b[p + j]
        c = compartment[k]
        if c >= 0:
            o = (first + c) & _NON_NEGATIVE
            for j in range(count):
                v[o + j * stride] = b[s + j]


cable_step_njit = numba.njit(**_NJIT_OPTIONS)(cable_step)


def _serial(neurons, compartments, parent, conductance, compartment, v, Cm, gtot, I0, Ipoint, area, dt, a, b):
    """``cable_step`` for ``neurons`` neurons of ``compartments`` consecutive compartments (neuron ``n`` from
    ``n*compartments``), ``BLOCK`` at a time; scratch ``a``, ``b`` of ``neurons*nodes`` values, block by block."""
    nodes = parent.shape[0]
    for block in range(0, neurons, BLOCK):
        count = min(BLOCK, neurons - block)
        cable_step_njit(block * compartments, count, compartments, parent, conductance, compartment, v, Cm, gtot,
                        I0, Ipoint, area, dt, a, b, block * nodes, count)


def _parallel(neurons, compartments, parent, conductance, compartment, v, Cm, gtot, I0, Ipoint, area, dt, a, b):
    """``_serial`` over all cores. A function of its own: numba's cache tells compilations apart by the function
    only, not by ``parallel=True``."""
    nodes = parent.shape[0]
    for number in numba.prange((neurons + BLOCK - 1) // BLOCK):
        block = number * BLOCK
        count = min(BLOCK, neurons - block)
        cable_step_njit(block * compartments, count, compartments, parent, conductance, compartment, v, Cm, gtot,
                        I0, Ipoint, area, dt, a, b, block * nodes, count)


cable_step_neurons = numba.njit(**_NJIT_OPTIONS)(_serial)
cable_step_neurons_parallel = numba.njit(parallel=True, **_NJIT_OPTIONS)(_parallel)
