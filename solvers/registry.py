"""The integration methods by name, and the entry point: equations -> StateUpdate."""

from __future__ import annotations

import difflib
import logging
import time
from collections.abc import Mapping, Sequence
from typing import Any

from simcore.equations import Equations
from simcore.errors import ModelTypeError
from simcore.ir import StateUpdate
from simcore.solvers import cache
from simcore.solvers.adaptive import ADAPTIVE_METHODS
from simcore.solvers.analysis import OdeSystem, build_system
from simcore.solvers.base import IntegrationMethod
from simcore.solvers.errors import SolverError
from simcore.solvers.exact import EXACT
from simcore.solvers.explicit import EULER, RK2, RK4
from simcore.solvers.exponential_euler import EXPONENTIAL_EULER
from simcore.solvers.independent import INDEPENDENT
from simcore.solvers.stochastic import HEUN, MILSTEIN

logger = logging.getLogger("simcore.solvers")

METHODS: dict[str, IntegrationMethod] = {}
# As Brian 2: exact for linear systems, else euler (also for additive noise), else heun (StateUpdateMethod.register
# inserts into this order).
DEFAULT_METHODS = ["exact", "euler", "heun"]

MethodSpec = str | IntegrationMethod


def register_method(name: str, method: IntegrationMethod, *, replace: bool = False) -> None:
    """Make ``method`` available as ``method=name``. A name already taken needs ``replace=True``."""
    if not isinstance(name, str) or not name.isidentifier():
        raise SolverError(f"a method name must be a valid identifier, not {name!r}")
    if not isinstance(method, IntegrationMethod):
        raise SolverError(f"cannot register {method!r} as '{name}': a method must be an IntegrationMethod, "
                          "such as ExplicitRungeKutta(a, b, order=...)")
    if name in METHODS and METHODS[name] is not method and not replace:
        raise SolverError(f"a method named '{name}' is already registered; pass replace=True to replace it")
    if method.name is None:
        method.name = name
    METHODS[name] = method


def get_method(name: str) -> IntegrationMethod:
    """The method registered as ``name``; the error lists the known names."""
    try:
        return METHODS[name]
    except (KeyError, TypeError):
        close = difflib.get_close_matches(str(name), METHODS, n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        raise SolverError(f"unknown integration method {name!r}{hint}; known methods: "
                          f"{', '.join(sorted(METHODS))}") from None


def integrate(equations: Equations | str, method: MethodSpec | Sequence[MethodSpec] | None = None, *,
              owner: str | None = None, method_options: Mapping[str, Any] | None = None) -> StateUpdate:
    """The statements that advance the clock-driven differential equations by one step ``dt``.

    ``method``: a name, a method object, a list of them (the first that can integrate the
    equations is used) or None, to choose as Brian 2 does: 'exact' for linear deterministic
    systems, else 'euler', else 'heun' (multiplicative noise); the choice is logged at INFO
    level on the 'simcore.solvers' logger. ``owner`` names the group in that message.
    ``method_options``: the options of the method used (``{'absolute_error': 1e-8}`` for 'gsl').
    """
    start = time.perf_counter()
    if isinstance(equations, str):
        equations = Equations(equations)
    candidates = _candidates(method)
    # only the methods simcore ships are known to depend on nothing but their source
    options = (repr(method_options),) if method_options else ()
    entry = cache.key(equations, (*(c.name for c in candidates), *options)) \
        if all(c is BUILT_IN.get(c.name) for c in candidates) else None
    update = cache.load(entry) if entry else None
    failed_after = 0.0
    if update is None:
        update, failed_after = _integrate(equations, candidates, method_options)
        if entry:
            cache.store(entry, update)
    if method is None:
        took = time.perf_counter() - start
        extra = f", trying other methods took {failed_after:.2f}s" if failed_after else ""
        where = f" for {owner}" if owner else ""
        logger.info(f"No numerical integration method specified{where}, using method '{update.method}' "
                    f"(took {took - failed_after:.2f}s{extra}).")
    else:
        logger.debug(f"Using integration method '{update.method}', the first of "
                     f"{[c.name for c in candidates]} that can integrate the equations.")
    return update


def _integrate(equations: Equations, candidates: list[IntegrationMethod], options: Mapping[str, Any] | None
               ) -> tuple[StateUpdate, float]:
    """The update of the first candidate that can integrate the equations, and the time spent on those
    that failed before it."""
    system = build_system(equations)
    if not system.variables:
        candidates[0].checked_options(options)
        return StateUpdate(candidates[0].name or type(candidates[0]).__name__, ()), 0.0
    if len(candidates) == 1:
        return candidates[0].integrate(system, options), 0.0
    return _first_that_works(system, candidates, options)


def _candidates(method: MethodSpec | Sequence[MethodSpec] | None) -> list[IntegrationMethod]:
    if method is None:
        return [get_method(name) for name in DEFAULT_METHODS]
    if isinstance(method, str | IntegrationMethod):
        method = [method]
    elif not isinstance(method, Sequence) or not method:
        raise ModelTypeError(f"method must be a name, a method (such as euler) or a non-empty list or tuple of "
                             f"them, not {method!r}")
    for m in method:
        if not isinstance(m, str | IntegrationMethod):
            raise ModelTypeError(f"method {m!r} in {method!r} is neither a method's name nor a method (such as euler)")
    return [m if isinstance(m, IntegrationMethod) else get_method(m) for m in method]


def _first_that_works(system: OdeSystem, candidates: list[IntegrationMethod], options: Mapping[str, Any] | None
                      ) -> tuple[StateUpdate, float]:
    """The first method's update, and the time spent on the methods that failed before it."""
    reasons = []
    failed_time = 0.0
    for candidate in candidates:
        start = time.perf_counter()
        try:
            return candidate.integrate(system, options), failed_time
        except SolverError as error:
            reasons.append(f"  {candidate.name}: {error.reason}")
            failed_time += time.perf_counter() - start
    names = ", ".join(f"'{c.name}'" for c in candidates)
    raise SolverError(f"none of the methods {names} can integrate these equations:\n" + "\n".join(reasons))


class StateUpdateMethod:
    """Brian 2's name for the registry: ``StateUpdateMethod.register('ralston', method, index=1)``;
    ``StateUpdateMethod.stateupdaters`` maps names to methods."""

    stateupdaters = METHODS

    @staticmethod
    def register(name: str, stateupdater: IntegrationMethod, index: int | None = None) -> None:
        """Make ``stateupdater`` available as ``method=name``; with ``index``, also try it at that position when
        no method is given (0: first). A name already taken is a ValueError."""
        if index is not None and (not isinstance(index, int) or isinstance(index, bool)):
            raise ModelTypeError(f"the index of a method in the order tried without method= must be an int, "
                                 f"not {index!r}")
        if name in METHODS:
            raise SolverError(f"a method named '{name}' is already registered")
        register_method(name, stateupdater)
        if index is not None:
            DEFAULT_METHODS.insert(index, name)


BUILT_IN: dict[str, IntegrationMethod] = {
    "exact": EXACT, "linear": EXACT, "euler": EULER, "rk2": RK2, "rk4": RK4, "heun": HEUN, "milstein": MILSTEIN,
    "exponential_euler": EXPONENTIAL_EULER, "independent": INDEPENDENT, **ADAPTIVE_METHODS}
for _name, _method in BUILT_IN.items():
    register_method(_name, _method)
