"""SpatialNeuron: neurons with a shape. A NeuronGroup of compartments whose membrane potential ``v`` follows the
cable equation, solved implicitly per neuron (``simcore.kernels.cable``), while the other variables (channel
gates) are integrated with the chosen method, as Brian 2 does. Beyond Brian 2, ``N`` neurons may share one
morphology, each with its own state: compartment ``c`` of neuron ``k`` is element ``k * compartments + c``."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import sympy

from simcore.equations import Equations, parse_expression
from simcore.equations.model import EquationKind
from simcore.equations.parser import symbol
from simcore.equations.printer import to_text
from simcore.errors import ModelTypeError, ModelValueError
from simcore.ir import Assignment, CableDetails, Operation, ThresholdDetails, function_name, internal_arg
from simcore.kernels.cable import build_cable_tree
from simcore.morphology import Morphology, check_for_cable, flatten
from simcore.objects.neurongroup import NeuronGroup
from simcore.objects.spatial_views import (
    SpatialSubgroup,
    element_numbers,
    spatial_attribute,
    spatial_item,
    threshold_compartment,
)
from simcore.objects.variables import whole_number
from simcore.units import DimensionMismatchError, amp, cm, get_dimensions, meter, ohm, siemens, uF, volt

# what every SpatialNeuron defines besides the user's model (Brian 2's names and units)
_MORPHOLOGY_VARIABLES = """
length : meter (constant)
distance : meter (constant)
area : meter**2 (constant)
volume : meter**3
Ic : amp/meter**2
diameter : meter (constant)
Cm : farad/meter**2 (constant)
Ri : ohm*meter (constant, shared)
r_length_1 : meter (constant)
r_length_2 : meter (constant)
time_constant = Cm/gtot__private : second
v : volt
""" + ("space_constant = (2/pi)**(1.0/3.0) * (area/(1/r_length_1 + 1/r_length_2))**(1.0/6.0)"
       " / (2*(Ri*gtot__private)**(1.0/2.0)) : meter")
_COORDINATES = ("x", "y", "z")
_GEOMETRY = ("length", "distance", "area", "volume", "diameter", "r_length_1", "r_length_2")
DEFAULT_METHODS = ("exact", "exponential_euler", "rk2", "heun")


class SpatialNeuron(NeuronGroup):
    """``SpatialNeuron(morphology, model, Cm=, Ri=, threshold=, threshold_location=, ...)`` as in Brian 2: the
    model defines the membrane current density ``Im`` (amp/meter**2) and may declare ``(point current)``
    variables (amp); ``N=`` neurons share the morphology."""

    base_name = "spatialneuron"

    def __init__(self, morphology: Morphology, model: str | Equations, threshold: str | None = None,
                 refractory=False, reset: str | None = None, events: dict | None = None,
                 threshold_location=None, dt=None, clock=None, order: int = 0, Cm=0.9 * uF / cm**2,
                 Ri=150 * ohm * cm, name: str | None = None, dtype=None, namespace: dict | None = None,
                 method=DEFAULT_METHODS, method_options: dict | None = None, N: int = 1):
        if not isinstance(morphology, Morphology):
            raise ModelTypeError(f"a SpatialNeuron needs a Morphology (Soma, Cylinder, Section or a tree of them), "
                                 f"not {type(morphology).__name__}")
        neurons = whole_number(N, "the number of neurons N of a SpatialNeuron", 1)
        if not isinstance(model, str | Equations):
            raise ModelTypeError(f"the model of a SpatialNeuron must be a string of equations or Equations, not "
                                 f"{model!r}")
        equations = model if isinstance(model, Equations) else Equations(model)
        equations.check_flags("SpatialNeuron")
        self.morphology = morphology
        self.flat_morphology = flatten(morphology)
        check_for_cable(self.flat_morphology)
        compartments = self.flat_morphology.n
        self._threshold_every = None  # (first, step): the elements the threshold can detect a spike in
        if threshold is not None and threshold_location is not None:
            location = threshold_compartment(threshold_location, morphology, self.flat_morphology)
            within = "i" if neurons == 1 else f"i % {compartments}"
            threshold = f"({threshold}) and ({within} == {location})"
            self._threshold_every = (location, compartments)
        full = _cable_model(equations) + Equations(_MORPHOLOGY_VARIABLES)
        if self.flat_morphology.has_coordinates:
            full += Equations("\n".join(f"{axis} : meter (constant)" for axis in _COORDINATES))
        self.neurons, self.compartments = neurons, compartments
        self._cable: dict[str, np.ndarray] = {}
        super().__init__(neurons * compartments, full, method=method, threshold=threshold, reset=reset,
                         refractory=refractory, events=events, namespace=namespace, dtype=dtype, dt=dt,
                         clock=clock, order=order, name=name, method_options=method_options)
        for internal, unit in (("_gtot", siemens / meter**2), ("_I0", amp / meter**2), ("_v_previous", volt)):
            self.add_variable(internal, get_dimensions(unit), np.float64)
        flat = self.flat_morphology
        for geometry in _GEOMETRY + (_COORDINATES if flat.has_coordinates else ()):
            self.variables[geometry].array[:] = np.tile(getattr(flat, geometry), neurons)
        self.Cm = Cm
        self.Ri = Ri

    def operations(self, resolve) -> list[Operation]:
        """The NeuronGroup's operations (the channel variables' update first), then the cable equation's."""
        ops = [replace(op, details=replace(op.details, every=self._threshold_every))
               if isinstance(op.details, ThresholdDetails) and op.details.event == "spike" else op
               for op in super().operations(resolve)]
        statements = (Assignment("_gtot", symbol("gtot__private"), "gtot = -dIm/dv"),
                      Assignment("_I0", symbol("I0__private"), "I0 = Im + gtot*v"),
                      Assignment("_v_previous", symbol("v"), "v before the step (for Ic)"))
        code = self._code(statements, resolve, conditional=False)
        flat = self.flat_morphology
        tree = build_cable_tree(flat.r_length_1, flat.r_length_2, flat.first, flat.count, flat.parent,
                                float(self.variables["Ri"].array[0]))
        scratch = self.neurons * tree.nodes  # the elimination's two values per node of every neuron
        self._cable = {"cable_parent": tree.parent, "cable_conductance": tree.conductance,
                       "cable_compartment": tree.compartment, "cable_a": np.zeros(scratch),
                       "cable_b": np.zeros(scratch), "cable_ipoint": np.zeros(self.N)}
        ops.append(Operation(function_name(self.name, "cable"), self.name, "groups", self.order + 1, 0,
                             self.creation_order, code=code,
                             details=CableDetails(self.neurons, self.compartments, tree.nodes),
                             comment=f"cable equation of {self.neurons} x {self.compartments} compartments"))
        return ops

    def kernel_arrays(self) -> dict:
        arrays = super().kernel_arrays()
        arrays.update({f"_{internal_arg(self.name, what)}": array for what, array in self._cable.items()})
        return arrays

    # compartment views (spatial_views.py): neuron.dend, neuron.main, neuron[30*um], neuron[k] of N neurons, ...
    def __getattr__(self, name: str):
        return spatial_attribute(self, name)

    def __getitem__(self, item) -> SpatialSubgroup:
        return spatial_item(self, item)

    def indices_for(self, key) -> np.ndarray | slice:
        return super().indices_for(element_numbers(self, key))


def _cable_model(equations: Equations) -> Equations:
    """The user's model as Brian 2 rewrites it: point currents added to ``Im`` (as current per area), ``v`` a
    variable of the neuron, and ``Im`` linearised in ``v``: ``gtot__private = -dIm/dv`` and
    ``I0__private = Im + gtot*v`` (so that Im = I0 - gtot*v at the step's start)."""
    if "Im" not in equations:
        raise ModelTypeError("the model of a SpatialNeuron must define the transmembrane current 'Im' "
                             "(e.g. 'Im = gL*(EL - v) : amp/meter**2')")
    membrane = equations["Im"]
    if membrane.kind is not EquationKind.SUBEXPRESSION or membrane.flags:
        raise ModelTypeError(f"'Im' must be a subexpression without flags ('Im = ... : amp/meter**2'), not "
                             f"{membrane.where}")
    if get_dimensions(amp / meter**2) != membrane.dimension:
        raise DimensionMismatchError(f"'Im' must be a current per area (amp/meter**2), not {membrane.unit_text}",
                                     membrane.dimension, get_dimensions(amp / meter**2))
    if "v" in equations:
        raise ModelValueError(f"'v' is defined by every SpatialNeuron (the membrane potential); "
                              f"remove {equations['v'].where}")
    text = f"({membrane.expression.text})"
    kept = []
    for equation in equations:
        if equation.name == "Im":
            continue
        if "point current" in equation.flags:
            if equation.dimension != get_dimensions(amp):
                raise DimensionMismatchError(f"the point current '{equation.name}' must be a current (amp), not "
                                             f"{equation.unit_text}", equation.dimension, get_dimensions(amp))
            text += f" + {equation.name}/area"
            equation = replace(equation, flags=equation.flags - {"point current"})
        kept.append(equation)
    im = replace(membrane, expression=parse_expression(text))
    expanded = _expanded(im.expr, Equations([*kept, im]))
    v = symbol("v")
    slope = sympy.diff(expanded, v)
    if slope.atoms(sympy.Derivative):
        raise ModelTypeError(f"cannot differentiate the membrane current Im = {to_text(expanded)} with respect to "
                             "v (a function of v without a derivative)")
    gtot, current = to_text(-slope), to_text(expanded - slope * v)
    gtot = f"({gtot})*siemens/meter**2" if (-slope).is_number else gtot
    current = f"({current})*amp/meter**2" if (expanded - slope * v).is_number else current
    linear = Equations(f"gtot__private = {gtot} : siemens/meter**2\nI0__private = {current} : amp/meter**2")
    return Equations([*kept, im, *linear])


def _expanded(expr: sympy.Basic, equations: Equations) -> sympy.Basic:
    """``expr`` with the subexpressions it uses substituted, down to variables and external names (those
    'constant over dt' stay names: they are fixed within a step)."""
    values = {symbol(eq.name): eq.expr for eq in equations
              if eq.kind is EquationKind.SUBEXPRESSION and "constant over dt" not in eq.flags}
    for _ in range(len(values) + 1):
        replaced = expr.xreplace(values)
        if replaced == expr:
            return expr
        expr = replaced
    return expr
