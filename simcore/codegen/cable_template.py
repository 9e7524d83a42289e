"""The CPU function of a cable equation operation (``CableDetails``): per compartment, the linearised membrane
current (the operation's element code, written like a state update); per neuron, the tree solve of
``simcore.kernels.cable`` (one source, also compiled for the GPU); then the capacitive current ``Ic``."""

from __future__ import annotations

from dataclasses import replace

from simcore.codegen.bodies import INDENT, RandomStreams, comment
from simcore.codegen.cpu_launchers import loop
from simcore.codegen.domains import Elements, PerNeuron
from simcore.codegen.handles import own
from simcore.codegen.templates import Function, finite_rescan, state_update
from simcore.ir import ArrayRef, CableDetails, Operation, array_arg
from simcore.kernels.cable import BLOCK

# the owner's own arrays the solve reads or uses as scratch (simcore.objects.spatialneuron fills them)
TREE_ARRAYS = ("cable_parent", "cable_conductance", "cable_compartment", "cable_a", "cable_b", "cable_ipoint")
# the variables it reads and writes (kernel names built by ``array_arg``)
CABLE_VARIABLES = ("v", "Cm", "area", "Ic", "_gtot", "_I0", "_v_previous")


def cable_arrays(owner: str) -> dict[str, str]:
    """The kernel parameter of each variable ``CABLE_VARIABLES`` names."""
    return {name: f"_{array_arg(owner, name)}" for name in CABLE_VARIABLES}


def cable(op: Operation, streams: RandomStreams, parallel: bool) -> Function:
    details: CableDetails = op.details
    prepare = state_update(replace(op, comment=f"{op.comment}: the membrane current, linearised in v"), streams,
                           parallel)
    var = cable_arrays(op.owner)
    tree = {what: f"_{what}" for what in TREE_ARRAYS}
    solve = [f"cable_step_njit(_first, _neurons, {details.compartments}, {tree['cable_parent']}, "
             f"{tree['cable_conductance']}, {tree['cable_compartment']}, {var['v']}, {var['Cm']}, {var['_gtot']}, "
             f"{var['_I0']}, {tree['cable_ipoint']}, {var['area']}, _dt, {tree['cable_a']}, {tree['cable_b']}, "
             f"_block * {BLOCK * details.nodes}, _neurons)"]
    total = details.neurons * details.compartments
    capacitive = [f"{var['Ic']}[_i] = {var['Cm']}[_i] * ({var['v']}[_i] - {var['_v_previous']}[_i]) / _dt",
                  f"_nonfinite += 0 if math.isfinite({var['v']}[_i]) else 1"]
    number = len(prepare.error_vars) + 1  # v's number in ``_err[0]``, after those the element code stores
    lines = [*prepare.lines,
             INDENT + comment("each neuron's tree: (Cm/dt + gtot) v' - axial currents = Cm/dt v + I0, solved by "
                              "Hines elimination"),
             *loop(PerNeuron(details.neurons, details.compartments, BLOCK), solve, parallel),
             INDENT + comment("Ic = Cm*(v - v_previous)/dt; a v that is not finite stops the run"),
             f"{INDENT}_nonfinite = 0",
             *loop(Elements(total), capacitive, parallel),
             *finite_rescan([ArrayRef(op.owner, "v", "float64")], str(total), first=number)]
    args = list(dict.fromkeys([*prepare.args, *var.values(), *tree.values()]))
    return Function(op.name, lines, args, parallel, prepare.uses_random, (*prepare.error_vars, (op.owner, "v")),
                    writes=prepare.writes | {var["v"], var["Ic"], tree["cable_a"], tree["cable_b"]},
                    bound=prepare.bound | own(op, "_", *TREE_ARRAYS))
