"""Function: a Python function that model strings call, with the units and types of its arguments and result
(Brian 2's Function, with its ``@implementation`` and ``@declare_types`` decorators), and BinomialFunction. Their
numba-compiled versions for kernels come from function_kernels.py."""

from __future__ import annotations

import inspect
import types
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import sympy

from simcore.equations.user_functions import kernel_parameters
from simcore.errors import ModelKeyError, ModelTypeError, ModelValueError
from simcore.units import Quantity, Unit, get_dimensions, to_si
from simcore.units.dimension import DIMENSIONLESS, Dimension
from simcore.units.errors import DimensionMismatchError
from simcore.units.helpers import from_si

ARGUMENT_TYPES = ("boolean", "integer", "float", "any")
RESULT_TYPES = ("boolean", "integer", "float", "highest")
# targets whose code simcore can run: 'numpy' (Python on arrays, outside the run loop) and 'numba'
RUNNABLE_TARGETS = ("numpy", "numba")
#: the last argument of a Function made with auto_vectorise=True: the index of the element the code runs for in
#: kernels (an int64: the neuron's or synapse's number), all the elements' indices in values set from Python
VECTORISATION_INDEX = sympy.Symbol("_vectorisation_idx", integer=True)


class FunctionImplementation:
    """The code of a Function for one target: a callable (numpy, numba) or code text (cpp, cython)."""

    def __init__(self, code: Any = None, name: str | None = None, namespace: Mapping[str, Any] | None = None,
                 dependencies: Mapping[str, Any] | None = None, compiler_kwds: Mapping[str, Any] | None = None):
        self.code = code
        self.name = name
        self.namespace = dict(namespace or {})
        self.dependencies = dict(dependencies or {})
        self.compiler_kwds = dict(compiler_kwds or {})

    def get_code(self, owner: Any = None) -> Any:
        return self.code

    def get_namespace(self, owner: Any = None) -> dict[str, Any]:
        return self.namespace


class FunctionImplementations(Mapping):
    """A Function's implementations by target name ('numpy', 'numba', 'cpp', 'cython', ...)."""

    def __init__(self, function: Function):
        self._function = function
        self._by_target: dict[str, FunctionImplementation] = {}

    def __getitem__(self, target: Any) -> FunctionImplementation:
        key = _target_name(target)
        if key not in self._by_target:
            raise ModelKeyError(f"the function '{self._function.name}' has no implementation for target '{key}'; "
                                f"it has: {', '.join(self._by_target) or 'none'}")
        return self._by_target[key]

    def __iter__(self):
        return iter(self._by_target)

    def __len__(self) -> int:
        return len(self._by_target)

    def add_implementation(self, target: Any, code: Any = None, namespace: Mapping[str, Any] | None = None,
                           dependencies: Mapping[str, Any] | None = None, availability_check: Any = None,
                           name: str | None = None, compiler_kwds: Mapping[str, Any] | None = None) -> None:
        """Store the code for ``target``; only 'numpy' and 'numba' code runs in simcore, the others are kept."""
        key = _target_name(target)
        if key in RUNNABLE_TARGETS and not callable(code):
            raise ModelTypeError(f"the {key} implementation of the function '{self._function.name}' must be a "
                                 f"Python function, not {type(code).__name__}")
        self._by_target[key] = FunctionImplementation(code, name, namespace, dependencies, compiler_kwds)
        self._function._kernel_function = None

    def add_numpy_implementation(self, wrapped_func: Callable, dependencies: Mapping[str, Any] | None = None,
                                 discard_units: bool | None = None,
                                 compiler_kwds: Mapping[str, Any] | None = None) -> None:
        """A Python function on arrays; with ``discard_units`` it is called with SI values, and the units it
        uses itself (``3*volt``) count as their SI values (Brian 2's ``discard_units``)."""
        code = without_units(wrapped_func) if discard_units else wrapped_func
        self._by_target["numpy"] = FunctionImplementation(code, None, None, dependencies, compiler_kwds)
        self._function._numpy_takes_si = bool(discard_units)
        self._function._kernel_function = None


def _target_name(target: Any) -> str:
    """A target given as a name or, as Brian 2 allows, as a class with a ``class_name``."""
    name = getattr(target, "class_name", target)
    if not isinstance(name, str):
        raise ModelTypeError(f"a function implementation's target must be a name such as 'numpy', not {target!r}")
    return name


def without_units(func: Callable, compile_calls: bool = False) -> Callable:
    """``func`` reading the global units and quantities it uses as SI numbers (``3*volt`` -> 3.0); with
    ``compile_calls``, the Functions it calls as their compiled versions (for numba)."""
    original = getattr(func, "_orig_func", func)
    if isinstance(original, Function):
        original = getattr(original.pyfunc, "_orig_func", original.pyfunc)
    if not isinstance(original, types.FunctionType):
        raise ModelTypeError(f"{func!r} is not a Python function, so simcore cannot run it on SI values")
    globals_ = dict(original.__globals__)
    for name in original.__code__.co_names:
        if name in globals_:
            globals_[name] = _plain_value(name, globals_[name], compile_calls)
    closure = original.__closure__
    if closure is not None:  # the names it takes from an enclosing function
        closure = tuple(types.CellType(_plain_value(name, cell.cell_contents, compile_calls))
                        for name, cell in zip(original.__code__.co_freevars, closure, strict=True))
    plain = types.FunctionType(original.__code__, globals_, original.__name__, original.__defaults__, closure)
    plain.__kwdefaults__ = original.__kwdefaults__
    return plain


def _plain_value(name: str, value: Any, compile_calls: bool) -> Any:
    """A value a user's function reads, as its plain version: a quantity in SI units; with ``compile_calls``, a
    Function (or a function decorated with check_units) as its compiled version."""
    if _is_quantity(value):
        return to_si(value)[0]
    if compile_calls and isinstance(value, types.FunctionType) and hasattr(value, "_arg_units"):
        value = Function(value)
    if compile_calls and isinstance(value, Function):
        return value.kernel_values(name)[name]
    return value


def _is_quantity(value: Any) -> bool:
    return isinstance(value, Quantity | Unit)


def _dimension_of_unit(unit: Any, what: str) -> Dimension:
    try:
        return get_dimensions(unit)
    except (TypeError, ValueError, AttributeError):
        raise ModelTypeError(f"{what} must be a unit (or 1, None, bool), not {unit!r}") from None


class Function:
    """A Python function that model strings can call, with the units of its arguments and result.

    ``Function(f, arg_units=[volt, volt], return_unit=volt)``; a function decorated with ``@check_units(...,
    result=...)`` brings its own units. ``arg_units`` entries: a unit (or 1), None (any unit), the name of
    another argument (same units; needs ``arg_names``) or bool. ``return_unit`` may be a function of the
    arguments' dimensions. Code strings for other simulators (``@implementation('cpp', ...)``) are kept but
    cannot run in simcore. With ``auto_vectorise=True`` the function gets one more argument, last, that model
    strings do not write: ``_vectorisation_idx`` (see VECTORISATION_INDEX), as Brian 2 passes it.
    """

    def __init__(self, pyfunc: Callable, sympy_func: Any = None, arg_units: Sequence[Any] | None = None,
                 arg_names: Sequence[str] | None = None, return_unit: Any = None,
                 arg_types: Sequence[str] | None = None, return_type: str | None = None, stateless: bool = True,
                 auto_vectorise: bool = False):
        self.pyfunc = pyfunc
        self.name = getattr(pyfunc, "__name__", type(pyfunc).__name__)
        self.sympy_func = sympy_func
        self.stateless = stateless
        self.auto_vectorise = auto_vectorise
        if arg_units is None:
            arg_units = getattr(pyfunc, "_arg_units", None)
            if arg_units is None:
                raise ModelValueError(f"the Python function '{self.name}' does not say how it deals with units: give "
                                      "arg_units= (and return_unit=) or decorate it with @check_units")
            declared = getattr(pyfunc, "arg_units", None)  # simcore's check_units: the arguments it names
            missing = [n for n in getattr(pyfunc, "_arg_names", ()) if isinstance(declared, dict) and n not in declared
                       and not (auto_vectorise and n == VECTORISATION_INDEX.name)]
            if missing:
                raise ModelValueError(f"the Python function '{self.name}' does not give the units of its argument(s) "
                                      f"{missing} in @check_units (None: any unit)")
        self.arg_units = list(arg_units)
        self.arg_names = list(arg_names) if arg_names is not None else getattr(pyfunc, "_arg_names", None)
        if auto_vectorise and self.arg_names and self.arg_names[-1] == VECTORISATION_INDEX.name:
            # check_units saw the index parameter among the arguments; model strings do not pass it
            self.arg_names = self.arg_names[:-1]
            self.arg_units = self.arg_units[:len(self.arg_names)]
        if any(isinstance(unit, str) for unit in self.arg_units):
            if arg_names is None:
                raise ModelTypeError(f"the function '{self.name}' gives an argument's units as the name of another "
                                     "argument: give arg_names= too")
            if len(self.arg_names) != len(self.arg_units):
                raise ModelTypeError(f"the function '{self.name}' has {len(self.arg_units)} arg_units but "
                                     f"{len(self.arg_names)} arg_names")
        if return_unit is None:
            return_unit = getattr(pyfunc, "_return_unit", None)
            if return_unit is None:
                raise ModelValueError(f"the Python function '{self.name}' does not give the unit of its result: give "
                                      "return_unit= or result= in @check_units")
        self.return_unit = return_unit
        self.arg_types = list(arg_types or getattr(pyfunc, "_arg_types", None) or ["any"] * len(self.arg_units))
        self.return_type = return_type or getattr(pyfunc, "_return_type", "float")
        for kind, unit in zip(self.arg_types, self.arg_units, strict=True):
            if kind not in ARGUMENT_TYPES:
                raise ModelValueError(f"argument type '{kind}' of the function '{self.name}' is not one of "
                                      f"{', '.join(ARGUMENT_TYPES)}")
            if kind not in ("float", "any") and unit is not None and not isinstance(unit, str) and unit is not bool \
                    and not _dimension_of_unit(unit, f"a unit of '{self.name}'").is_dimensionless:
                raise ModelTypeError(f"the function '{self.name}' takes a {kind} argument with units {unit}: "
                                     "arguments that are not float must be dimensionless")
        if self.return_type not in RESULT_TYPES:
            raise ModelValueError(f"result type '{self.return_type}' of the function '{self.name}' is not one of "
                                  f"{', '.join(RESULT_TYPES)}")
        self._numpy_takes_si = False
        self._kernel_function: Callable | None = None
        self.implementations = FunctionImplementations(self)

    # --- Python side ----------------------------------------------------------------------------------------
    def __call__(self, *args: Any) -> Any:
        return self.pyfunc(*args)

    def __repr__(self) -> str:
        return f"Function({self.name}, arg_units={self.arg_units!r}, return_unit={self.return_unit!r})"

    # --- as a function of model strings (the UserFunction protocol) -----------------------------------------
    @property
    def arity(self) -> int:
        return len(self.arg_units)

    def result_dimension(self, name: str, arguments: list[Dimension]) -> Dimension:
        for number, (unit, dim) in enumerate(zip(self.arg_units, arguments, strict=True), start=1):
            if unit is None or unit is bool:
                continue
            if isinstance(unit, str):
                expected = arguments[self.arg_names.index(unit)]
                what = f"the same units as its argument '{unit}' ({expected})"
            else:
                expected = _dimension_of_unit(unit, f"a unit of '{name}'")
                what = f"units of {expected}"
            if dim != expected:
                raise DimensionMismatchError(f"argument {number} of the function '{name}' must have {what}, but has "
                                             f"units of {dim}", dim, expected)
        if self.return_unit is bool:
            return DIMENSIONLESS
        if callable(self.return_unit) and not _is_quantity(self.return_unit):
            return get_dimensions(self.return_unit(*arguments))
        return _dimension_of_unit(self.return_unit, f"the return unit of '{name}'")

    def kernel_values(self, name: str) -> dict[str, Any]:
        """Its compiled version (kernels call it per element; see ``kernel_calls``); its second kernel parameter
        (a TimedArray's time step) is unused."""
        if self._kernel_function is None:
            from simcore.equations.function_kernels import compiled_function  # that module imports this one

            self._kernel_function = compiled_function(self, name)
        function, unused = kernel_parameters(name)
        return {function: self._kernel_function, unused: 0.0}

    def numpy_function(self) -> Callable:
        """The function on SI values (numpy arrays), for values computed outside the run loop."""
        if "numpy" in self.implementations:
            code = self.implementations["numpy"].code
            if self._numpy_takes_si:
                return code
            return self._with_units(code)
        return self._with_units(self.pyfunc)

    def _with_units(self, func: Callable) -> Callable:
        """``func`` (a function on quantities) as a function on SI values: arguments of fixed units get them."""
        plain = getattr(func, "_orig_func", func)  # its units are checked already, on the expression

        def on_si_values(*values: Any) -> Any:
            index = values[self.arity:]  # auto_vectorise: the elements' indices, last
            arguments = [value if unit is None or unit is bool or isinstance(unit, str)
                         else from_si(value, _dimension_of_unit(unit, "a unit"))
                         for value, unit in zip(values[:self.arity], self.arg_units, strict=True)]
            return to_si(plain(*arguments, *index))[0]

        return on_si_values


def implementation(target: str, code: Any = None, namespace: Mapping[str, Any] | None = None,
                   dependencies: Mapping[str, Any] | None = None, discard_units: bool | None = None,
                   name: str | None = None, **compiler_kwds: Any) -> Callable[[Callable], Function]:
    """Decorator adding an implementation for ``target`` to a function (made a Function): ``'numpy'`` without
    ``code`` uses the decorated function itself; ``'numba'`` takes a Python function numba can compile."""

    def decorate(func: Callable) -> Function:
        function = func if isinstance(func, Function) else Function(func)
        if target == "numpy" and code is None:
            function.implementations.add_numpy_implementation(function.pyfunc, dependencies, discard_units,
                                                              compiler_kwds)
        elif target == "numpy":
            function.implementations.add_numpy_implementation(code, dependencies, discard_units, compiler_kwds)
        else:
            function.implementations.add_implementation(target, code, namespace, dependencies, name=name,
                                                        compiler_kwds=compiler_kwds)
        return function

    return decorate


def declare_types(**kinds: str) -> Callable[[Callable], Callable]:
    """Decorator declaring argument and result types ('boolean', 'integer', 'float'; 'any' for an argument,
    'highest' for the result), read by Function: ``@declare_types(a='integer', result='float')``."""

    def decorate(func: Callable) -> Callable:
        names = list(getattr(func, "_orig_arg_names", None) or inspect.signature(func).parameters)  # through wraps
        unknown = sorted(set(kinds) - set(names) - {"result"})
        if unknown:
            raise ModelValueError(f"declare_types: '{func.__name__}' has no argument(s) {unknown}")
        arg_types = [kinds.get(n, "any") for n in names]
        for kind in arg_types:
            if kind not in ARGUMENT_TYPES:
                raise ModelValueError(f"declare_types: argument type '{kind}' is not one of "
                                      f"{', '.join(ARGUMENT_TYPES)}")
        result = kinds.get("result", "float")
        if result not in RESULT_TYPES:
            raise ModelValueError(f"declare_types: result type '{result}' is not one of {', '.join(RESULT_TYPES)}")
        func._arg_types = arg_types
        func._return_type = result
        func._orig_arg_names = names
        return func

    return decorate


class BinomialFunction(Function):
    """``BinomialFunction(n, p)``: a function of no arguments whose every call draws the number of successes in
    ``n`` trials of probability ``p``; in kernels it is simcore's binomial draw (from the network's random
    streams, exact for every ``n`` and ``p``, so ``approximate`` changes nothing)."""

    def __init__(self, n: int, p: float, approximate: bool = True, name: str = "_binomial*"):
        if int(n) != n or n < 0:
            raise ModelValueError(f"BinomialFunction: the number of trials n must be a whole number >= 0, not {n!r}")
        if not 0 <= p <= 1:
            raise ModelValueError(f"BinomialFunction: the probability p must be in [0, 1], not {p!r}")
        self.n, self.p, self.approximate = int(n), float(p), approximate

        def draw() -> float:
            return float(np.random.binomial(self.n, self.p))

        draw.__name__ = name.rstrip("*") or "binomial"
        super().__init__(draw, arg_units=[], return_unit=1, stateless=False)

    def kernel_values(self, name: str) -> dict[str, Any]:
        return {}  # its calls become draws (``kernel_calls``): nothing to pass

