"""The methods under Brian 2's names, for ``from simcore import *``: ``method=rk4`` as ``method='rk4'``,
and ``rk4(equations)`` gives the update as text, as Brian 2's state updater objects do."""

from simcore.solvers.description import ExplicitStateUpdater
from simcore.solvers.registry import METHODS, StateUpdateMethod

euler = METHODS["euler"]
rk2 = METHODS["rk2"]
rk4 = METHODS["rk4"]
heun = METHODS["heun"]
milstein = METHODS["milstein"]
exponential_euler = METHODS["exponential_euler"]
exact = linear = METHODS["exact"]
independent = METHODS["independent"]
gsl_rk2 = METHODS["gsl_rk2"]
gsl_rk4 = METHODS["gsl_rk4"]
gsl_rkf45 = METHODS["gsl_rkf45"]
gsl_rkck = METHODS["gsl_rkck"]
gsl_rk8pd = METHODS["gsl_rk8pd"]
gsl = METHODS["gsl"]

__all__ = ["euler", "rk2", "rk4", "heun", "milstein", "exponential_euler", "exact", "linear", "independent",
           "gsl_rk2", "gsl_rk4", "gsl_rkf45", "gsl_rkck", "gsl_rk8pd", "gsl", "ExplicitStateUpdater",
           "StateUpdateMethod"]
