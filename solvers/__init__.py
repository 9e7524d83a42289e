"""Numerical integration: parsed equations -> the statements that advance them by one step.

``integrate(equations, method)`` returns a ``simcore.ir.StateUpdate``. Methods are found by
name in ``METHODS`` (each declares its order, its strong order and the noise it handles);
``register_method`` adds one, e.g. an ``ExplicitRungeKutta`` built from a Butcher tableau.
"""

from simcore.solvers.adaptive import EmbeddedRungeKutta
from simcore.solvers.analysis import OdeSystem, build_system
from simcore.solvers.base import IntegrationMethod
from simcore.solvers.description import ExplicitStateUpdater
from simcore.solvers.errors import SolverError
from simcore.solvers.exact import ExactLinear
from simcore.solvers.explicit import ExplicitRungeKutta
from simcore.solvers.exponential_euler import ExponentialEuler
from simcore.solvers.independent import Independent
from simcore.solvers.registry import (
    DEFAULT_METHODS,
    METHODS,
    StateUpdateMethod,
    get_method,
    integrate,
    register_method,
)
from simcore.solvers.stochastic import DerivativeFreeMilstein, StochasticHeun

__all__ = [
    "DEFAULT_METHODS",
    "METHODS",
    "DerivativeFreeMilstein",
    "EmbeddedRungeKutta",
    "ExactLinear",
    "ExplicitRungeKutta",
    "ExplicitStateUpdater",
    "ExponentialEuler",
    "Independent",
    "IntegrationMethod",
    "OdeSystem",
    "SolverError",
    "StateUpdateMethod",
    "StochasticHeun",
    "build_system",
    "get_method",
    "integrate",
    "register_method",
]
