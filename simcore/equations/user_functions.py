"""Functions a model calls by a name it does not define, such as ``stim(t)`` for a TimedArray.

The parser turns such a call into an undefined sympy function of that name. Like a
constant, the name is looked up when the network runs (caller's frame or ``namespace=``);
it must resolve to a user function: an object with an ``arity``, a unit rule
(``result_dimension``) and the values its kernels read (``kernel_values``). TimedArray is
the one kind the code printers print as a lookup; a Function (python_functions.py) is called
in compiled form (function_kernels.py marks its calls).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Protocol, runtime_checkable

import sympy
from sympy.core.function import AppliedUndef

from simcore.equations.parsed import Expression
from simcore.errors import ModelKeyError, ModelValueError, UnknownNameError
from simcore.units.dimension import Dimension


@runtime_checkable
class UserFunction(Protocol):
    """What the equation checks, the code generators and the run need of a callable name."""

    arity: int

    def result_dimension(self, name: str, arguments: list[Dimension]) -> Dimension:
        """The dimension of a call's result; a DimensionMismatchError for arguments of the wrong units."""

    def kernel_values(self, name: str) -> dict[str, Any]:
        """Kernel parameter name (see ``kernel_parameters``) -> the value the kernels receive."""

    def numpy_function(self) -> Callable:
        """The function on SI values (numpy arrays), for expressions evaluated outside the run loop."""


def is_user_function(value: Any) -> bool:
    return isinstance(value, UserFunction)


@functools.lru_cache(maxsize=8192)
def function_calls(expr: sympy.Basic) -> frozenset[sympy.Function]:
    """Every function call in ``expr`` (remembered: walking a tree is slow in sympy, and every run asks again)."""
    return frozenset(expr.atoms(sympy.Function))


def user_calls(expr: sympy.Basic) -> set[AppliedUndef]:
    """The calls of user functions in ``expr``."""
    return {call for call in function_calls(expr) if isinstance(call, AppliedUndef)}


def user_function_names(exprs: Iterable[sympy.Basic]) -> tuple[str, ...]:
    """The names of the user functions called in any of ``exprs``, sorted."""
    return tuple(sorted({type(call).__name__ for expr in exprs for call in user_calls(expr)}))


def kernel_parameters(name: str) -> tuple[str, str]:
    """A kernel's parameters for the user function ``name``: its values and its time step."""
    return name, f"_{name}_dt"


def function_rules(expression: Expression, namespace: Mapping[str, Any],
                   where: str) -> dict[str, Callable[[list[Dimension]], Dimension]]:
    """Unit rules for the user functions ``expression`` calls; an unknown name, a value that is not
    a user function or a wrong number of arguments is an error at the call's position."""
    rules = {}
    for call in sorted(user_calls(expression.expr), key=str):
        name = type(call).__name__
        position = expression.positions.get(name)
        value = namespace.get(name)
        if value is None:
            raise UnknownNameError(name, f"unknown function '{name}' in {where}: it is neither a built-in "
                                   "function nor a Function or TimedArray in the namespace", position,
                                   expression.source)
        if callable(value) and not is_user_function(value):  # as Brian 2: it does not resolve (a KeyError)
            raise ModelKeyError(f"'{name}' in {where} is a Python function that does not give its units: decorate "
                                "it with @check_units(..., result=...) or wrap it in Function(f, arg_units=[...], "
                                f"return_unit=...) (at {position})")
        if not is_user_function(value):
            what = f"a value with units of {value}" if isinstance(value, Dimension) else repr(value)
            raise UnknownNameError(name, f"'{name}' in {where} is called like a function, but it is {what}, "
                                   "not a Function or TimedArray", position, expression.source)
        if len(call.args) != value.arity:
            raise ModelValueError(f"'{name}' in {where} is called with {len(call.args)} argument(s), but it takes "
                             f"{value.arity}: {_signature(name, value)}", position, expression.source)
        rules[name] = lambda dims, value=value, name=name: value.result_dimension(name, dims)
    return rules


def _signature(name: str, value: UserFunction) -> str:
    names = getattr(value, "arg_names", None) or (["t"] if value.arity == 1 else ["t", "i"])
    return f"{name}({', '.join(names)})"
