"""The GPU's generator of a cable equation operation (``CableDetails``), in three launches as the CPU template
(``cable_template``) has three loops: one thread per compartment computes the linearised membrane current (the
operation's element code, as a state update); one thread per neuron runs the tree solve, the device function
``cable_step_cuda`` (``simcore.kernels.cable_cuda.step``: the CPU's source compiled by numba.cuda); one thread
per compartment then sets ``Ic`` and checks ``v``. The fused kernel puts grid-wide barriers between them, as
each reads what the one before wrote (``cuda_kernels.Barriers``).

The scratch of the solve is node-major (``a[node*neurons + neuron]``): neighbouring threads, neighbouring
neurons, touch neighbouring values."""

from __future__ import annotations

from dataclasses import replace

from simcore.codegen.bodies import INDENT, comment, stored_arrays
from simcore.codegen.cable_template import TREE_ARRAYS, cable_arrays
from simcore.codegen.cuda_kernels import Kernels, control_args
from simcore.codegen.cuda_launchers import launch
from simcore.codegen.cuda_ops import state_update
from simcore.codegen.domains import Elements, PerNeuron
from simcore.codegen.handles import clock, own
from simcore.codegen.runtime import CABLE_STEP_CUDA
from simcore.ir import CableDetails, Operation


def cable(kernels: Kernels, op: Operation, number: int) -> None:
    """The membrane current per compartment, the solve per neuron, then ``Ic`` and the check of ``v`` per
    compartment. A ``v`` that is not finite stops the run, reported after the variables the element code
    stores (as on the CPU)."""
    details: CableDetails = op.details
    state_update(kernels, replace(op, comment=f"{op.comment}: the membrane current, linearised in v"), number)
    var = cable_arrays(op.owner)
    tree = {what: f"_{what}" for what in TREE_ARRAYS}
    voltage = next(ref for ref in op.code.arrays if ref.name == "v" and ref.owner == op.owner and not ref.index)
    total = details.neurons * details.compartments
    report = kernels.not_finite(op, number, [*stored_arrays(op.code), voltage], op.code.start,
                                op.code.start + op.code.size)
    bound = clock(op) | own(op, "_", *TREE_ARRAYS)
    solve = [f"{CABLE_STEP_CUDA}(_first, _neurons, {details.compartments}, {tree['cable_parent']}, "
             f"{tree['cable_conductance']}, {tree['cable_compartment']}, {var['v']}, {var['Cm']}, {var['_gtot']}, "
             f"{var['_I0']}, {tree['cable_ipoint']}, {var['area']}, _dt, {tree['cable_a']}, {tree['cable_b']}, _g, "
             f"{details.neurons})"]
    launch(kernels, PerNeuron(details.neurons, details.compartments), f"{op.name}__solve",
           control_args([*tree.values(), var["v"], var["Cm"], var["_gtot"], var["_I0"], var["area"], "_dt"]),
           [INDENT + comment("each neuron's tree by Hines elimination; scratch node-major (_g: the neuron)")], solve,
           {var["v"], tree["cable_a"], tree["cable_b"]}, bound=bound)
    capacitive = [f"{var['Ic']}[_i] = {var['Cm']}[_i] * ({var['v']}[_i] - {var['_v_previous']}[_i]) / _dt",
                  f"if not math.isfinite({var['v']}[_i]):", *[INDENT + line for line in report]]
    launch(kernels, Elements(total), f"{op.name}__current",
           control_args(["_step", "_dt", var["Ic"], var["Cm"], var["v"], var["_v_previous"]]),
           [INDENT + comment("Ic = Cm*(v - v_previous)/dt; a v that is not finite stops the run")], capacitive,
           {var["Ic"]}, bound=bound)
