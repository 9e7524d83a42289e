"""Adaptive embedded Runge-Kutta methods, Brian 2's 'gsl_*' names, in numba (no GSL library).

Each element advances through the time step dt in steps of its own size h: a trial step gives the
new value (weights ``b``) and an estimate of its error (weights ``e``: the difference to the embedded
solution of lower order). The step is accepted when, for every variable, |error| <= 1.1 * its absolute
error bound (GSL's rule), else repeated with a smaller h; h then grows or shrinks by
0.9 * ratio**(-1/(p + 1)), between 1/5 and 5 times, p being the order of the embedded solution.
The statements form one loop per element (``LOOP_WHILE`` ... ``LOOP_END``), straight-line inside:

    _gsl_left = dt, _gsl_h = dt, _gsl_steps = 0
    while _gsl_left > 0:
        _gsl_h = min(_gsl_h, _gsl_left)
        stages, trial values, errors, the error ratio
        accepted: the variables take their trial values, _gsl_left -= _gsl_h
        _gsl_h changes by the step size control
        more than max_steps steps (or a rejected step with adaptable_timestep=False): the variables become
        NaN, which stops the run with an error naming the variable

Options (``method_options``), as Brian 2's: ``absolute_error`` (default 1e-6, in SI units of each
variable), ``absolute_error_per_variable`` ({name: quantity}), ``max_steps`` (default 100 steps per dt),
``adaptable_timestep`` (default True; False: one step of dt, refused if its error is too large) and
``use_last_timestep``. Each time step starts with a trial step of dt: ``use_last_timestep`` (GSL starts
from the last accepted step size) is accepted and changes the number of trial steps only, never the
error bound. As in Brian 2 (whose own tests check it), time ``t`` is the time at the start of the step in
every stage: the equations are integrated as autonomous within dt, so that ``dv/dt = f(t)`` gives what
'euler' gives, and a TimedArray is held over the step, as 'exact' holds it.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping, Sequence
from fractions import Fraction
from functools import cached_property
from typing import Any

import numpy as np
import sympy

from simcore.equations.parser import symbol
from simcore.errors import ModelKeyError, ModelNotImplementedError, ModelTypeError, ModelValueError
from simcore.ir import LOOP_END, LOOP_WHILE, Assignment, StateUpdate
from simcore.solvers.analysis import DT, OdeSystem, integral_exponents
from simcore.solvers.base import Block, IntegrationMethod, common_subexpressions
from simcore.units.errors import DimensionMismatchError
from simcore.units.helpers import to_si

SAFETY, SHRINK_LIMIT, GROW_LIMIT, REJECT_ABOVE, GROW_BELOW = 0.9, 0.2, 5.0, 1.1, 0.5
DEFAULT_OPTIONS = {"absolute_error": 1e-6, "absolute_error_per_variable": None, "max_steps": 100,
                   "adaptable_timestep": True, "use_last_timestep": True, "save_step_count": False,
                   "save_failed_steps": False}

LEFT, H, STEPS, RATIO, ACCEPT = (symbol(n) for n in ("_gsl_left", "_gsl_h", "_gsl_steps", "_gsl_ratio", "_gsl_ok"))


def _exact(value: int | Fraction | float) -> sympy.Expr:
    if isinstance(value, Fraction):
        return sympy.Rational(value.numerator, value.denominator)
    return sympy.Integer(value) if isinstance(value, int) else sympy.Float(repr(float(value)), 17)


class EmbeddedRungeKutta(IntegrationMethod):
    """An adaptive method from an embedded pair: ``a`` (explicit), ``b`` (the solution kept, of ``order``)
    and ``e`` (b minus the weights of the embedded solution, of order ``embedded_order``). ``tableau``
    gives (a, b, e) when the method is first used, so that coefficients read from another library (DOP853's,
    from scipy, whose import costs a quarter of a second) cost nothing to ``import simcore``."""

    options = DEFAULT_OPTIONS

    def __init__(self, tableau: Callable[[], tuple[Sequence[Sequence[Any]], Sequence[Any], Sequence[Any]]], *,
                 order: int, embedded_order: int, description: str):
        super().__init__(order=order, description=description)
        self._tableau = tableau
        self.embedded_order = embedded_order

    @cached_property
    def _coefficients(self) -> tuple[tuple, tuple, tuple]:
        a, b, e = self._tableau()
        stages = len(b)
        return (tuple(tuple(_exact(x) for x in row) + (sympy.S.Zero,) * (stages - len(row)) for row in a),
                tuple(_exact(x) for x in b), tuple(_exact(x) for x in e))

    @property
    def a(self) -> tuple:
        return self._coefficients[0]

    @property
    def b(self) -> tuple:
        return self._coefficients[1]

    @property
    def e(self) -> tuple:
        return self._coefficients[2]

    def integrate(self, system: OdeSystem, options: Mapping[str, Any] | None = None) -> StateUpdate:
        options = self.checked_options(options)
        if system.is_stochastic:
            name, xi = system.first_noise()
            raise self.fail(system, name, f"they are stochastic (noise '{xi}' in d{name}/dt); adaptive methods "
                            "integrate deterministic equations only")
        for unsupported in ("save_step_count", "save_failed_steps"):
            if options[unsupported]:
                raise ModelNotImplementedError(f"the method option '{unsupported}' of {self.label} is not "
                                               "supported by simcore")
        tolerance = self._tolerances(system, options)
        max_steps = options["max_steps"] if options["adaptable_timestep"] else 1
        if not isinstance(max_steps, int | np.integer) or isinstance(max_steps, bool) or max_steps < 1:
            raise ModelTypeError(f"the method option 'max_steps' of {self.label} must be a whole number >= 1, "
                                 f"not {max_steps!r}")
        used: set[str] = set()

        def fresh(preferred: str) -> str:
            for name in itertools.chain([preferred], (f"{preferred}_{n}" for n in itertools.count(2))):
                if name not in used:
                    used.add(name)
                    return name
            raise AssertionError("unreachable")

        used.update(s.name for s in (LEFT, H, STEPS, RATIO, ACCEPT))
        trial, values, errors = self._trial(system, fresh)
        symbols = system.symbols
        ratio = sympy.Max(*(sympy.Abs(errors[name]) / tolerance[name] for name in system.variables))
        exponent = sympy.Rational(-1, self.embedded_order + 1)
        factor = sympy.Piecewise(
            (sympy.Max(SHRINK_LIMIT, SAFETY * RATIO ** exponent), RATIO > REJECT_ABOVE),
            (sympy.Min(GROW_LIMIT, SAFETY * sympy.Max(RATIO, 1e-30) ** exponent), RATIO < GROW_BELOW),
            (1, True))
        failed = sympy.And(STEPS >= max_steps, LEFT > 0)
        control = [Assignment(RATIO.name, ratio, "the largest error relative to its bound"),
                   Assignment(ACCEPT.name, RATIO <= REJECT_ABOVE, "the step is accepted")]
        control += [Assignment(name, sympy.Piecewise((values[name], ACCEPT), (symbols[name], True)),
                               system.text(name)) for name in system.variables]
        control += [Assignment(LEFT.name, sympy.Piecewise((LEFT - H, ACCEPT), (LEFT, True)), "time left in dt"),
                    Assignment(STEPS.name, STEPS + 1, "steps taken"),
                    Assignment(H.name, H * factor, "step size control")]
        control += [Assignment(name, sympy.Piecewise((sympy.nan, failed), (symbols[name], True)),
                               f"more than {max_steps} step(s) in dt: NaN stops the run") for name in system.variables]
        control.append(Assignment(LEFT.name, sympy.Piecewise((0, failed), (LEFT, True)), "time left in dt"))
        statements = [Assignment(LEFT.name, DT, "time left in dt"), Assignment(H.name, DT, "trial step"),
                      Assignment(STEPS.name, sympy.Integer(0), "steps taken"),
                      Assignment(LOOP_WHILE, LEFT > 0, f"{self.name}: adaptive steps within dt"),
                      Assignment(H.name, sympy.Min(H, LEFT), "the last step ends at dt"),
                      *trial, *control, Assignment(LOOP_END, sympy.true)]
        statements = [Assignment(s.target, integral_exponents(s.expr), s.comment) for s in statements]
        return StateUpdate(self.name or type(self).__name__, tuple(statements), (), self.describe(system))

    def build(self, system: OdeSystem, block: Block) -> tuple:
        raise AssertionError("an adaptive method writes its own loop (integrate), not a straight-line block")

    def _trial(self, system: OdeSystem, fresh) -> tuple[list[Assignment], dict, dict]:
        """One trial step of size _gsl_h from the current values: statements, trial values, error estimates."""
        symbols = system.symbols
        body: list[Assignment] = []
        slopes: list[dict[str, sympy.Symbol]] = []
        for i, row in enumerate(self.a):
            state = {}
            for name in system.variables:
                increment = sympy.Add(*(row[j] * slopes[j][name] for j in range(i) if row[j] != 0))
                if increment != 0:
                    state[symbols[name]] = symbols[name] + H * increment
            slopes.append({})
            for name in system.variables:
                target = fresh(f"_k{i + 1}_{name}")
                body.append(Assignment(target, system.drift[name].xreplace(state), system.text(name)))
                slopes[i][name] = symbol(target)
        values, errors = {}, {}
        for name in system.variables:
            step = sympy.Add(*(b * slopes[i][name] for i, b in enumerate(self.b) if b != 0))
            error = sympy.Add(*(e * slopes[i][name] for i, e in enumerate(self.e) if e != 0))
            values[name] = symbol(fresh(f"_{name}_trial"))
            errors[name] = symbol(fresh(f"_{name}_error"))
            body.append(Assignment(values[name].name, symbols[name] + H * step, system.text(name)))
            body.append(Assignment(errors[name].name, H * error, f"error estimate of {name}"))
        return common_subexpressions(body, fresh), values, errors

    def _tolerances(self, system: OdeSystem, options: dict[str, Any]) -> dict[str, float]:
        """Each variable's absolute error bound in SI units (checked against its dimension)."""
        default = options["absolute_error"]
        if isinstance(default, bool) or not isinstance(default, int | float | np.floating | np.integer):
            raise ModelTypeError(f"the method option 'absolute_error' of {self.label} must be a number (in SI "
                                 f"units of each variable), not {default!r}")
        per_variable = options["absolute_error_per_variable"] or {}
        if not isinstance(per_variable, Mapping):
            raise ModelTypeError(f"the method option 'absolute_error_per_variable' of {self.label} must be a dict "
                                 f"of variable names and errors (such as {{'v': 1e-3*mV}}), not {per_variable!r}")
        tolerance = {name: float(default) for name in system.variables}
        for name, value in per_variable.items():
            if name not in tolerance:
                raise ModelKeyError(f"absolute_error_per_variable of {self.label} names '{name}', which is not a "
                                    f"variable with a differential equation; those are {', '.join(system.variables)}")
            try:
                si, dimension = to_si(value)
            except (TypeError, ValueError):
                raise ModelTypeError(f"the absolute error of '{name}' for {self.label} must be a quantity, not "
                                     f"{value!r}") from None
            expected = system.equations[name].dimension
            if dimension != expected:
                raise DimensionMismatchError(f"the absolute error of '{name}' for {self.label} must have the "
                                             f"units of '{name}'", dimension, expected)
            tolerance[name] = float(si)
        for name, value in tolerance.items():
            if not value > 0:
                raise ModelValueError(f"the absolute error of '{name}' for {self.label} must be > 0, not {value!r}")
        return tolerance


def _step_doubling_rk4() -> tuple[list, list, list]:
    """Classical RK4 with the error estimated by step doubling (as GSL's rk4): stages 1-4 are one step of h,
    5-12 two steps of h/2; the two half steps are kept, their difference to the full step over 15 is the
    error estimate (the full step's error is 16 times the half steps')."""
    a4 = [[], [Fraction(1, 2)], [0, Fraction(1, 2)], [0, 0, 1]]
    b4 = [Fraction(1, 6), Fraction(1, 3), Fraction(1, 3), Fraction(1, 6)]
    rows: list[list] = [list(r) for r in a4]
    half = [[x / 2 for x in r] for r in a4]
    rows += [[0] * 4 + r for r in half]
    first_half = [x / 2 for x in b4]
    rows += [[0] * 4 + first_half + [x for x in r] for r in half]
    b = [0] * 4 + first_half + [x / 2 for x in b4]
    full = b4 + [0] * 8
    e = [(x - y) / 15 for x, y in zip(b, full, strict=True)]
    return rows, b, e


def _dop853() -> tuple[list, list, list]:
    """Dormand-Prince 8(5,3) (Hairer's DOP853, coefficients from scipy): the order-8 solution, and the error of
    its order-5 embedded solution (E5); the 13th stage is the slope at the new value."""
    from scipy.integrate._ivp import dop853_coefficients as d

    stages = d.N_STAGES
    rows = [list(map(float, d.A[i, :i])) for i in range(stages)] + [list(map(float, d.B))]
    b = list(map(float, d.B)) + [0.0]
    e = list(map(float, d.E5[:stages + 1]))
    return rows, b, e


_F = Fraction
RKF45 = EmbeddedRungeKutta(lambda: (
    [[], [_F(1, 4)], [_F(3, 32), _F(9, 32)], [_F(1932, 2197), _F(-7200, 2197), _F(7296, 2197)],
     [_F(439, 216), -8, _F(3680, 513), _F(-845, 4104)],
     [_F(-8, 27), 2, _F(-3544, 2565), _F(1859, 4104), _F(-11, 40)]],
    [_F(16, 135), 0, _F(6656, 12825), _F(28561, 56430), _F(-9, 50), _F(2, 55)],
    [_F(16, 135) - _F(25, 216), 0, _F(6656, 12825) - _F(1408, 2565), _F(28561, 56430) - _F(2197, 4104),
     _F(-9, 50) + _F(1, 5), _F(2, 55)]),
    order=5, embedded_order=4, description="adaptive Runge-Kutta-Fehlberg 4(5)")
RKCK = EmbeddedRungeKutta(lambda: (
    [[], [_F(1, 5)], [_F(3, 40), _F(9, 40)], [_F(3, 10), _F(-9, 10), _F(6, 5)],
     [_F(-11, 54), _F(5, 2), _F(-70, 27), _F(35, 27)],
     [_F(1631, 55296), _F(175, 512), _F(575, 13824), _F(44275, 110592), _F(253, 4096)]],
    [_F(37, 378), 0, _F(250, 621), _F(125, 594), 0, _F(512, 1771)],
    [_F(37, 378) - _F(2825, 27648), 0, _F(250, 621) - _F(18575, 48384), _F(125, 594) - _F(13525, 55296),
     _F(-277, 14336), _F(512, 1771) - _F(1, 4)]),
    order=5, embedded_order=4, description="adaptive Cash-Karp 4(5)")
RK2_ADAPTIVE = EmbeddedRungeKutta(
    lambda: ([[], [_F(1, 2)], [-1, 2]], [0, 1, 0], [-_F(1, 6), _F(1, 3), -_F(1, 6)]),
    order=2, embedded_order=2, description="adaptive midpoint Runge-Kutta 2, error from Kutta's order 3")
RK4_ADAPTIVE = EmbeddedRungeKutta(_step_doubling_rk4, order=4, embedded_order=4,
                                  description="adaptive classical Runge-Kutta 4, error by step doubling")
RK8PD = EmbeddedRungeKutta(_dop853, order=8, embedded_order=5,
                           description="adaptive Dormand-Prince 8, error from its order-5 solution")
ADAPTIVE_METHODS = {"gsl_rk2": RK2_ADAPTIVE, "gsl_rk4": RK4_ADAPTIVE, "gsl_rkf45": RKF45, "gsl_rkck": RKCK,
                    "gsl_rk8pd": RK8PD, "gsl": RKF45}
