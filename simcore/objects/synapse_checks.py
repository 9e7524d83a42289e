"""Checks of a Synapses model when it is created: names that the neurons' would shadow, summed variables'
targets, shared subexpressions, event-driven and clock-driven variables kept apart, old keywords."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from numbers import Number
from typing import TYPE_CHECKING

import numpy as np

from simcore.equations import Equations
from simcore.equations.model import EquationKind
from simcore.errors import EquationError, ModelTypeError, ModelValueError, ParseError
from simcore.objects.base import SECOND, as_seconds
from simcore.units import get_dimensions
from simcore.units.errors import DimensionMismatchError

if TYPE_CHECKING:
    from simcore.objects.group import Group
    from simcore.objects.synapses import Synapses
    from simcore.objects.variables import LinkedVariable


def renamed_keyword(new, old, old_name: str, new_name: str):
    """The value of a keyword given under its new or (deprecated, with a warning) its old name."""
    if old is None:
        return new
    if new is not None:
        raise ModelTypeError(f"give either {new_name}= or the older {old_name}=, not both")
    warnings.warn(f"Synapses({old_name}=...) is deprecated in Brian 2; use {new_name}=", DeprecationWarning,
                  stacklevel=3)
    return old


def check_names(equations: Equations, source: Group, target: Group) -> None:
    """Refuse synaptic variables named like a variable of the source or target group: code could not tell them
    apart from the neurons' (Brian 2 refuses them too; names ending in _pre/_post the equations refuse)."""
    for equation in equations:
        if "summed" in equation.flags:
            continue
        for side, group in (("source", source), ("target", target)):
            if equation.name in group.root.variables or equation.name in subexpression_names(group):
                raise ModelValueError(f"the synaptic variable '{equation.name}' has the name of a variable of the "
                                      f"{side} {group.root.where()}; choose another name (such as "
                                      f"'{equation.name}_syn')", equation.position, equation.source)


def subexpression_names(group: Group) -> frozenset[str]:
    """The names of the subexpressions of a (sub)group's model (none for groups without equations)."""
    equations = getattr(group.root, "equations", None)
    return frozenset(equations.subexpr_names) if equations is not None else frozenset()


def pathway_delay(value, what: str, where: str) -> float:
    """A delay given for all synapses of a pathway (``delay=2*ms``), in seconds: a finite time >= 0."""
    if isinstance(value, str) or not isinstance(value, Number | np.ndarray) \
            and not hasattr(value, "dimensionality") and not hasattr(value, "dimensions"):
        raise ModelTypeError(f"{what} of {where} must be a time such as 2*ms, not {value!r}")
    if get_dimensions(value) != SECOND:
        raise DimensionMismatchError(f"{what} of {where} must be a time such as 2*ms, not {value!s}", SECOND,
                                     get_dimensions(value))
    seconds = as_seconds(value, what)
    if not 0 <= seconds < np.inf:
        raise ModelValueError(f"{what} of {where} must be a finite time >= 0 (such as 2*ms), not {value!s}")
    return seconds


def check_event_driven_dependencies(synapses: Synapses, equations: Equations) -> None:
    """Event-driven variables are up to date only when a pathway runs, clock-driven and summed ones every
    time step: as in Brian 2, neither kind may be computed from the other (directly or through
    subexpressions)."""
    driven = {eq.name: "event-driven" if "event-driven" in eq.flags else "clock-driven" for eq in equations
              if eq.kind is EquationKind.DIFFERENTIAL}
    for equation in equations:
        if equation.kind is EquationKind.DIFFERENTIAL:
            role = driven[equation.name]
            forbidden = "clock-driven" if role == "event-driven" else "event-driven"
        elif "summed" in equation.flags:
            role, forbidden = "summed", "event-driven"
        else:
            continue
        for dependency in equations.reads(equation.name, through=lambda eq: "summed" not in eq.flags):
            name, via = dependency.equation.name, dependency.via
            if driven.get(name) == forbidden:
                path = f" (through {', '.join(repr(v) for v in via)})" if via else ""
                raise EquationError(f"the {role} variable '{equation.name}' of {synapses.where()} depends on the "
                                    f"{forbidden} variable '{name}'{path}: event-driven variables change only "
                                    "when a pathway runs, clock-driven and summed ones every time step, so one "
                                    "cannot be computed from the other; mark them alike",
                                    equation.position, equation.source)


def check_shared_subexpression(synapses: Synapses, equation, reference: Callable[[str], tuple | None]) -> None:
    """A '(shared)' subexpression has one value: it may read only shared variables (its own or neurons');
    ``reference(name)``: the (group, variable) a name of the synapses' code refers to, or None."""
    for name in sorted(equation.identifiers):
        ref = reference(name)
        if ref is not None and not ref[1].shared and name not in ("N", "N_pre", "N_post"):
            raise ParseError(f"the shared subexpression '{equation.name}' of {synapses.where()} reads '{name}', which "
                             "has a value per synapse or neuron; a shared subexpression may read only shared "
                             "variables", equation.position, equation.source)


def check_summed_target(synapses: Synapses, equation, seen: dict[tuple[str, str], tuple[str, range]]) -> None:
    """Check a summed variable's target (a parameter of the neurons, with the same units, that no other summed
    variable of these synapses sets for the same neurons); record it in ``seen``."""
    name, side = equation.name.rsplit("_", 1)
    group = synapses.target if side == "post" else synapses.source
    if name not in group.variables:
        raise ModelValueError(f"the summed variable '{equation.name}' of {synapses.where()} needs a parameter "
                              f"'{name}' in {group.where()}")
    variable = group.variables[name]
    if name in group.root.equations.diff_eq_names or variable.read_only or variable.shared:
        raise ModelValueError(f"the summed variable '{equation.name}' of {synapses.where()} sets '{name}' of "
                              f"{group.where()}, which must be a parameter (declared as '{name} : unit')")
    if variable.dimension != equation.dimension:
        raise DimensionMismatchError(f"the summed variable '{equation.name}' of {synapses.where()} has units of "
                                     f"{equation.dimension} but '{name}' of {group.where()} has "
                                     f"{variable.dimension}", equation.dimension, variable.dimension)
    elements = range(group.offset, group.offset + group.N)
    other = seen.get((group.root.name, name))
    if other is not None and range(max(elements.start, other[1].start), min(elements.stop, other[1].stop)):
        raise ModelValueError(f"the summed variables '{other[0]}' and '{equation.name}' of {synapses.where()} both "
                              f"set '{name}' of {group.root.where()} for the same neurons: the second would "
                              "overwrite the first; sum into two parameters and add them in the model instead")
    seen[(group.root.name, name)] = (equation.name, elements)


def check_link(synapses: Synapses, name: str, link: LinkedVariable) -> None:
    """Refuse a link of the '(linked)' synaptic parameter ``name`` that cannot say which element each synapse
    reads: an index array (synapses come and go), or a group of several elements without ``index=``."""
    if isinstance(link.index, str):
        index = synapses.variables.get(link.index)
        if index is None:
            raise ModelValueError(f"the index for linking '{name}' of {synapses.where()} must name an integer "
                                  f"synaptic variable of {synapses.name}, and it has no variable {link.index!r} "
                                  "(neuron variables such as x_pre or x_post cannot index a link)")
    elif link.index is not None:
        raise ModelTypeError(f"cannot link '{name}' of {synapses.where()} through an index array: synapses come and "
                             f"go with connect(); give index= the name of an integer synaptic variable")
    elif link.group.N != 1 and not (link.name in link.group.variables and link.group.variables[link.name].shared):
        raise ModelValueError(f"cannot link '{name}' of {synapses.where()} to '{link.name}' of "
                              f"{link.group.where()} ({link.group.N} elements) without index=: name an integer "
                              f"synaptic variable that holds each synapse's element, or link a shared variable")
