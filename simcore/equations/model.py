"""The frozen data one equation becomes, and the rules about flags and names."""

from __future__ import annotations

import keyword
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from enum import Enum

import sympy

from simcore.equations.functions import BUILTIN_FUNCTIONS, CONSTANTS
from simcore.equations.parsed import Expression, Statements
from simcore.equations.printer import to_text
from simcore.errors import ParseError, SourcePosition
from simcore.units import UNIT_NAMES
from simcore.units.dimension import Dimension


class EquationKind(Enum):
    DIFFERENTIAL = "differential equation"
    SUBEXPRESSION = "subexpression"
    PARAMETER = "parameter"


FLAGS_BY_KIND: dict[EquationKind, frozenset[str]] = {
    EquationKind.DIFFERENTIAL: frozenset({"unless refractory", "event-driven", "clock-driven"}),
    EquationKind.SUBEXPRESSION: frozenset({"shared", "constant over dt", "summed", "point current"}),
    EquationKind.PARAMETER: frozenset({"constant", "shared", "linked", "point current"}),
}
ALL_FLAGS = frozenset().union(*FLAGS_BY_KIND.values())
INCOMPATIBLE_FLAGS = (
    frozenset({"event-driven", "clock-driven"}),
    frozenset({"linked", "constant"}),
    frozenset({"linked", "shared"}),
    frozenset({"summed", "shared"}),
)
# Which flags make sense on which kind of object.
FLAGS_BY_OWNER: dict[str, frozenset[str]] = {
    "NeuronGroup": frozenset({"unless refractory", "constant", "shared", "linked", "constant over dt"}),
    "Synapses": frozenset({"event-driven", "clock-driven", "constant", "shared", "linked", "constant over dt",
                           "summed"}),
    "SpatialNeuron": frozenset({"unless refractory", "constant", "shared", "linked", "constant over dt",
                                "point current"}),
}

VARIABLE_TYPES = ("float", "boolean", "integer")
NOISE_NAME = re.compile(r"xi(_\w+)?$")
# Names every group defines itself, so equations cannot.
RESERVED_NAMES = frozenset({"t", "dt", "i", "N", "lastspike", "not_refractory", "t_in_timesteps"})


# Modules and functions that every generated kernel module imports under these names.
GENERATED_CODE_NAMES = frozenset({"math", "np", "numba", "njit", "prange", "cuda", "perf_counter"} | {
    f"{draw}_{target}" for draw in ("uniform", "normal", "poisson", "binomial") for target in ("njit", "cuda")})


def is_noise(name: str) -> bool:
    """``xi``, ``xi_1``, ``xi_e``: white noise symbols (unit second**-0.5)."""
    return NOISE_NAME.match(name) is not None


def naming_problem(name: str, unit_names: frozenset[str]) -> str | None:
    """Why ``name`` cannot name a model variable, or None if it can."""
    if not name.isidentifier() or keyword.iskeyword(name):
        return f"'{name}' is not a valid name"
    if not name.isascii():
        return f"'{name}' is not made of ASCII letters, digits and '_' (Python would read some such names as others)"
    if name in GENERATED_CODE_NAMES:
        return f"'{name}' names a module that generated code uses"
    if name.startswith("_"):
        return f"'{name}' starts with '_', which is reserved for simcore's own names"
    if name in RESERVED_NAMES:
        return f"'{name}' is defined by every group and cannot be redefined"
    if is_noise(name):
        return f"'{name}' is reserved for white noise"
    if name in BUILTIN_FUNCTIONS:
        return f"'{name}' is a built-in function"
    if name in CONSTANTS:
        return f"'{name}' is a built-in constant"
    if name in unit_names:
        return f"'{name}' is the name of a unit"
    if name.endswith(("_pre", "_post")):
        return f"'{name}' ends in '_pre' or '_post', which refer to pre- and postsynaptic variables"
    return None


def declare_temporaries(statements: Statements, is_variable: Callable[[str], bool]) -> Statements:
    """``statements`` with their temporaries marked: as in Brian 2, a plain assignment ``r = u*x`` to a name
    that is not a variable of the object (``is_variable``) defines a local value for the lines that follow.
    An augmented assignment (``r += 1``) to such a name before it is defined is left for the object to refuse."""
    temporaries: set[str] = set()
    for statement in statements:
        name = statement.target
        if statement.op != "=" or name in temporaries or is_variable(name) or name.endswith(("_pre", "_post")):
            continue  # a neuron's variable through synapses: the object says whether it exists
        problem = naming_problem(name, frozenset(UNIT_NAMES))
        if problem:
            raise ParseError(f"'{name} = ...' defines a temporary value, but {problem}; choose another name",
                             statement.position, statements.source)
        temporaries.add(name)
    return replace(statements, temporaries=frozenset(temporaries)) if temporaries else statements


@dataclass(frozen=True)
class Equation:
    """One line of a model: ``dx/dt = f : unit``, ``x = f : unit`` or ``x : unit``, plus flags."""

    name: str
    kind: EquationKind
    expression: Expression | None
    dimension: Dimension
    var_type: str = "float"
    flags: frozenset[str] = frozenset()
    unit_text: str = field(default="1", compare=False)
    position: SourcePosition | None = field(default=None, compare=False)
    source: str | None = field(default=None, compare=False, repr=False)

    @property
    def varname(self) -> str:
        """The defined variable under Brian 2's attribute name (``Equations.dependencies`` entries use it)."""
        return self.name

    @property
    def expr(self) -> sympy.Basic | None:
        return None if self.expression is None else self.expression.expr

    @property
    def identifiers(self) -> frozenset[str]:
        return frozenset() if self.expression is None else self.expression.identifiers

    @property
    def functions(self) -> frozenset[str]:
        return frozenset() if self.expression is None else self.expression.functions

    @property
    def where(self) -> str:
        """'the differential equation for v (line 2)' for messages."""
        at = f" (line {self.position.line})" if self.position else ""
        return f"the {self.kind.value} for '{self.name}'{at}"

    def __str__(self) -> str:
        if self.kind is EquationKind.DIFFERENTIAL:
            text = f"d{self.name}/dt = {to_text(self.expr)}"
        elif self.kind is EquationKind.SUBEXPRESSION:
            text = f"{self.name} = {to_text(self.expr)}"
        else:
            text = self.name
        text += f" : {self.unit_text}"
        if self.flags:
            text += f" ({', '.join(sorted(self.flags))})"
        return text
