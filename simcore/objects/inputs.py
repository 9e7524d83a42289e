"""Input groups, as in Brian 2: PoissonGroup (random spikes at given rates), SpikeGeneratorGroup
(given spikes), and PoissonInput (many Poisson inputs summed into a variable, drawn as one
binomial count per neuron and time step)."""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any

import numpy as np
import sympy

from simcore.equations import Equations, check_expression, parse_expression
from simcore.equations.functions import RANDOM_FUNCTIONS, binomial
from simcore.equations.parsed import Expression
from simcore.equations.parser import symbol
from simcore.errors import (
    ModelError,
    ModelKeyError,
    ModelNotImplementedError,
    ModelTypeError,
    ModelValueError,
)
from simcore.ir import Assignment, Operation, RegularDetails, SpikeGeneratorDetails, function_name, internal_arg
from simcore.namespace import UNIT_NAMES, caller_namespace
from simcore.objects.base import CLOCK_NAMES, SECOND, SimObject, as_seconds, check_when
from simcore.objects.group import Group
from simcore.objects.neurongroup import NeuronGroup
from simcore.objects.subgroup import Subgroup, subgroup_of
from simcore.objects.variable_views import si_values
from simcore.objects.variables import whole_number
from simcore.output.snapshot import in_range, stored_array, stored_keys, stored_real
from simcore.units import Quantity, get_dimensions, second, to_si
from simcore.units.dimension import DIMENSIONLESS
from simcore.units.errors import DimensionMismatchError

logger = logging.getLogger("simcore.inputs")
HERTZ = SECOND**-1


def _count(N, what: str) -> int:
    return whole_number(N, f"the number of elements N of {what}", 1)


def _generator_count(N) -> int:
    """As ``_count``; a bad N is a TypeError here, as Brian 2 raises for SpikeGeneratorGroup."""
    try:
        return _count(N, "a SpikeGeneratorGroup")
    except ModelValueError as error:
        raise ModelTypeError(error.message) from None


class PoissonGroup(NeuronGroup):
    """N independent Poisson spike sources: ``PoissonGroup(100, rates=5*Hz)``.

    ``rates`` is a rate, N rates, or an expression (``'10*Hz + 5*Hz*sin(2*pi*5*Hz*t)'``, which may use
    ``i``, ``t`` and TimedArrays). As in Brian 2, element i spikes in a time step when
    ``rand() < rates*dt``; a variable ``rates`` (settable, ``P.rates = ...``) or, for an expression,
    a subexpression ``rates`` holds the rates.
    """

    base_name = "poissongroup"

    def __init__(self, N: int, rates, dt=None, clock=None, when: str = "thresholds", order: int = 0,
                 namespace: dict | None = None, name: str | None = None):
        check_when(when)
        model = f"rates = {rates} : Hz" if isinstance(rates, str) else "rates : Hz"
        super().__init__(_count(N, "a PoissonGroup"), model, threshold="rand() < rates*dt", namespace=namespace,
                         dt=dt, clock=clock, order=order, name=name)
        self.when = when
        if not isinstance(rates, str):
            self.rates = rates
        else:
            expression = self.equations["rates"].expression
            external = expression.identifiers - set(CLOCK_NAMES) - {"i", "N"}
            random = any(type(f).__name__ in RANDOM_FUNCTIONS for f in expression.expr.atoms(sympy.Function))
            if external <= set(UNIT_NAMES) and not expression.functions and not random:
                # rates given by i, N, t and units only: their values at the start are known, so check them now
                # (other names are resolved at the run, and the kernel takes the rates as they come)
                try:
                    values = self._evaluate(expression, caller_namespace(), HERTZ)
                except DimensionMismatchError:
                    values = None  # not a rate: the run says so, as for any equation with wrong units
                if values is not None:
                    _check_rates(self, values, rates)

    def set_values(self, name: str, value, key) -> None:
        """As for any group; rates are checked (``rand() < rates*dt`` would silently never fire for a negative or
        NaN rate)."""
        if name != "rates":
            super().set_values(name, value, key)
            return
        previous = self.variables["rates"].array.copy()
        super().set_values(name, value, key)
        try:
            _check_rates(self, self.variables["rates"].array, value)
        except ModelError:
            self.variables["rates"].array[:] = previous
            raise

    def _threshold_operation(self, event: str, resolve) -> Operation:
        return replace(super()._threshold_operation(event, resolve), when=self.when)


def _check_rates(group: PoissonGroup, rates: np.ndarray, given) -> None:
    """Refuse rates that are negative, NaN or infinite, naming the first."""
    bad = np.flatnonzero(~((np.asarray(rates) >= 0) & np.isfinite(rates)))
    if bad.size:
        raise ModelValueError(f"the rates of {group.where()} must be finite and >= 0 (such as 5*Hz), but neuron "
                              f"{bad[0]} would have {np.atleast_1d(rates)[bad[0]]:g} Hz (from {given!s})")


class SpikeGeneratorGroup(Group):
    """Emits exactly the given spikes: neuron ``indices[k]`` at ``times[k]`` (rounded to the time step
    as Brian 2 does), repeated every ``period`` if it is not zero.

    ``set_spikes`` replaces the spikes between runs. Spikes at times before the start of a run are
    skipped (with a warning for spikes set since the last run). ``sorted=`` is accepted for Brian 2
    compatibility; the spikes are always sorted here.
    """

    base_name = "spikegeneratorgroup"
    _noun = "neurons"

    def __init__(self, N: int, indices, times, dt=None, clock=None, period=0 * second, when: str = "thresholds",
                 order: int = 0, sorted: bool = False, name: str | None = None):
        super().__init__(_generator_count(N), Equations(""), None, name=name, when=when,
                         order=order, dt=dt, clock=clock)
        self.events = {"spike": None}
        self.add_variable("i", DIMENSIONLESS, np.int64, read_only=True)
        self.variables["i"].array[:] = np.arange(self.N)
        self.add_variable("N", DIMENSIONLESS, np.int64, shared=True, read_only=True, value=self.N)
        self._cursor = np.zeros(1, dtype=np.int64)  # the first spike the kernel has not yet emitted
        self.set_spikes(indices, times, period, sorted)
        self._frozen = True

    def set_spikes(self, indices, times, period=0 * second, sorted: bool = False) -> None:
        """Replace the spikes (and the period): neuron ``indices[k]`` spikes at ``times[k]``."""
        indices = np.asarray(indices)
        if get_dimensions(times) != SECOND and np.size(times) > 0:
            raise DimensionMismatchError(f"the spike times of {self.where()} must be times, such as [1, 2]*ms, "
                                         f"not {times!r}", get_dimensions(times), SECOND)
        times = np.atleast_1d(np.asarray(to_si(times)[0], dtype=np.float64))
        if indices.ndim != 1 or times.ndim != 1 or len(indices) != len(times):
            raise ModelValueError(f"{self.where()} needs as many spike times as indices (1-D arrays), not "
                             f"{np.shape(indices)} indices and {np.shape(times)} times")
        if len(indices) and (not np.issubdtype(indices.dtype, np.number) or np.any(indices != np.round(indices))):
            raise ModelTypeError(f"the indices of {self.where()} must be whole numbers, not {indices!r}")
        bad = np.flatnonzero((indices < 0) | (indices >= self.N))
        if bad.size:
            raise ModelValueError(f"spike {bad[0]} of {self.where()} has the neuron index {indices[bad[0]]}, outside "
                             f"the group's {self.N} neurons (0 to {self.N - 1})")
        negative = np.flatnonzero(~((times >= 0) & np.isfinite(times)))
        if negative.size:
            raise ModelValueError(f"spike {negative[0]} of {self.where()} (neuron {indices[negative[0]]}) has the time "
                             f"{times[negative[0]] * 1e3:g} ms; spike times must be finite and not negative")
        period_ = as_seconds(period, f"the period of {self.where()}")
        if period_ < 0:
            raise ModelValueError(f"the period of {self.where()} must not be negative, not {period!s}")
        self._indices, self._times, self._period = indices.astype(np.int32), times, period_
        self._binned_for = None  # the dt the kernel arrays were made for: none yet
        self._spikes_changed = True
        self._bin(at_run=False)  # a period too short for the spikes: an error now (the rest depends on dt)

    def _bin(self, at_run: bool = True) -> None:
        """The kernel arrays: time steps of the spikes, sorted (then by index), and the period in steps. Before
        the run (``at_run`` false) only a period that ends before the last spike is refused; two spikes of a
        neuron in one step and a period that is no multiple of dt are refused when the run starts (dt may still
        change until then), as in Brian 2."""
        dt = self.dt_
        if self._binned_for == dt:
            return
        steps = np.floor((self._times + 1e-3 * dt) / dt).astype(np.int64)
        order = np.lexsort((self._indices, steps))
        steps, indices, times = steps[order], self._indices[order], self._times[order]
        twice = np.flatnonzero((np.diff(steps) == 0) & (np.diff(indices) == 0))
        if twice.size and at_run:
            k = twice[0]
            raise ModelValueError(f"neuron {indices[k]} of {self.where()} spikes twice in the time step at "
                             f"t = {steps[k] * dt * 1e3:g} ms (at {times[k] * 1e3:g} ms and {times[k + 1] * 1e3:g} "
                             f"ms, with dt = {dt * 1e3:g} ms): at most one spike per neuron and time step")
        period_steps = 0
        if self._period > 0:
            period_steps = int(round(self._period / dt))
            if period_steps == 0 and at_run:
                raise ModelValueError(f"the period of {self.where()} ({self._period * 1e3:g} ms) is shorter than its "
                                      f"dt ({dt * 1e3:g} ms)")
            if period_steps and abs(period_steps * dt - self._period) > 1e-9 * self._period and at_run:
                raise ModelNotImplementedError(f"the period of {self.where()} ({self._period * 1e3:g} ms) must be a "
                                               f"whole multiple of its dt ({dt * 1e3:g} ms)")
            if len(steps) and steps[-1] >= max(period_steps, 1):
                raise ModelValueError(f"the period of {self.where()} ({self._period * 1e3:g} ms) must be longer than "
                                      f"its last spike time ({times[-1] * 1e3:g} ms, in the time step at "
                                      f"{steps[-1] * dt * 1e3:g} ms)")
        self._steps, self._sorted_indices = steps, indices
        self._period_steps = np.array([period_steps], dtype=np.int64)
        self._binned_for = dt if at_run else None

    @property
    def spike_time(self) -> Quantity:
        """The spike times as given, sorted by time (then index), as Brian 2 names them."""
        order = np.lexsort((self._indices, self._times))
        return Quantity(self._times[order], second)

    @property
    def neuron_index(self) -> np.ndarray:
        """The neuron of each spike, in the order of ``spike_time``."""
        return self._indices[np.lexsort((self._indices, self._times))].copy()

    @property
    def period(self):
        return self._period * second

    @property
    def spikes(self) -> tuple[np.ndarray, Quantity]:
        """(indices, times) of the spikes, sorted by time step then index."""
        self._bin()
        return self._sorted_indices.copy(), Quantity(self._steps * self.dt_, second)

    def __getitem__(self, key) -> Subgroup:
        return subgroup_of(self, key)

    def prepare_run(self, steps: int) -> None:
        self._bin()
        now = int(round(self.network_time / self.dt_))
        if self._spikes_changed and self._period == 0 and np.any(self._steps < now):
            logger.warning(f"{self.where()} has spikes before the start of this run (t = {self.network_time * 1e3:g} "
                           "ms): they are skipped")
        self._spikes_changed = False

    def operations(self, resolve) -> list[Operation]:
        return [Operation(function_name(self.name, "spikegenerator"), self.name, self.when,
                          self.order, 0, self.creation_order, details=SpikeGeneratorDetails())]

    def kernel_arrays(self) -> dict:
        arrays = super().kernel_arrays()
        prefix = f"_{internal_arg(self.name, 'spike')}"
        arrays.update({f"{prefix}_steps": self._steps, f"{prefix}_indices": self._sorted_indices,
                       f"{prefix}_cursor": self._cursor, f"{prefix}_period": self._period_steps})
        return arrays

    def state(self) -> dict:
        return {"variables": super().state(), "cursor": self._cursor.copy(),
                "spikes": (self._indices, self._times, self._period)}

    def check_state(self, state: Any) -> None:
        """Refuse a stored state (read from a file: data) that ``set_spikes`` would refuse (an index outside the
        group: the kernel writes it into the spike list unchecked), or whose cursor is outside the spikes."""
        state = stored_keys(state, ("variables", "cursor", "spikes"), "the stored state")
        super().check_state(state["variables"])
        spikes = state["spikes"]
        if not isinstance(spikes, list | tuple) or len(spikes) != 3:
            raise ModelError(f"the spikes should be (indices, times, period), the stored ones are {spikes!r}"[:300])
        indices = stored_array(spikes[0], np.int32, (None,), "the spikes' indices")
        times = stored_array(spikes[1], np.float64, indices.shape, "the spikes' times (one per index)")
        period = stored_real(spikes[2], "the period (in seconds)", 0.0, np.inf)
        in_range(indices, self.N, "the spikes' indices")
        bad = np.flatnonzero(~(np.isfinite(times) & (times >= 0)))
        if bad.size:
            raise ModelError(f"the spikes' times must be finite and >= 0; the stored time {bad[0]} is {times[bad[0]]}")
        cursor = stored_array(state["cursor"], np.int64, (1,), "the cursor (the next spike to emit)")
        if not 0 <= cursor[0] <= len(indices):
            raise ModelError(f"the cursor (the next spike to emit) must be from 0 to {len(indices)}, the stored one "
                             f"is {cursor[0]}")
        kept = self._indices, self._times, self._period, self._binned_for, self._steps, self._sorted_indices, \
            self._period_steps
        self._indices, self._times, self._period, self._binned_for = indices, times, period, None
        try:
            self._bin()  # two spikes of a neuron in one step, or a period that is not a multiple of dt
        finally:
            (self._indices, self._times, self._period, self._binned_for, self._steps, self._sorted_indices,
             self._period_steps) = kept

    def restore_state(self, state: dict) -> None:
        """Take a state that ``check_state`` accepted."""
        super().restore_state(state["variables"])
        self._cursor[:] = state["cursor"]
        indices, times, period = state["spikes"]  # as they were (set_spikes may have changed them)
        self._indices, self._times, self._period = indices.astype(np.int32), times.astype(np.float64), float(period)
        self._binned_for = None
        self._bin()


class PoissonInput(SimObject):
    """``N`` independent Poisson inputs of rate ``rate`` onto ``target_var`` of each neuron of ``target``:
    every time step, ``target_var += k*weight`` with k drawn from Binomial(N, rate*dt) (exactly; Brian 2
    draws the same way). ``weight`` is a quantity or an expression in the target's variables, and must
    have the units of ``target_var``."""

    base_name = "poissoninput"
    default_when = "synapses"

    def __init__(self, target: Group, target_var: str, N: int, rate, weight, when: str = "synapses",
                 order: int = 0, name: str | None = None):
        variable = target.variables.get(target_var)
        if variable is None:
            raise ModelKeyError(f"PoissonInput: {target.where()} has no variable '{target_var}' to add input to")
        if variable.read_only or variable.shared or variable.linked or variable.constant:
            raise ModelError(f"PoissonInput: '{target_var}' of {target.where()} is read-only, shared or linked, or "
                             "(constant); the input needs a variable of each neuron that changes during the run")
        whole_number(N, "PoissonInput: the number of inputs N", 1)
        if get_dimensions(rate) != HERTZ:
            raise DimensionMismatchError(f"PoissonInput: the rate must be a rate (e.g. 5*Hz), not {rate!r}",
                                         get_dimensions(rate), HERTZ)
        if np.ndim(to_si(rate)[0]) != 0 or not 0 <= to_si(rate)[0] < np.inf:
            raise ModelValueError(f"PoissonInput: the rate must be one rate >= 0 and finite (e.g. 5*Hz), not "
                                  f"{rate!r}")
        super().__init__(name=name, when=when, order=order, clock=target.clock)
        self.target, self.target_var, self._N, self._rate = target, target_var, int(N), rate
        self._variable = variable
        if isinstance(weight, str):
            self._weight: Expression | float = parse_expression(weight)
        else:
            magnitude = si_values(weight, variable.dimension, f"the weight of {self.where()} (for '{target_var}')")
            if np.ndim(magnitude) != 0:
                raise ModelError(f"the weight of {self.where()} must be one value or an expression, not an array")
            self._weight = float(magnitude)
        self._weight_text = weight if isinstance(weight, str) else str(weight)

    N = property(lambda self: self._N, doc="The number of inputs.")
    rate = property(lambda self: self._rate, doc="The rate of each input.")
    weight = property(lambda self: self._weight_text, doc="The weight of each input spike.")

    @property
    def namespace(self) -> dict | None:
        """Names in a weight expression resolve like the target's own."""
        return self.target.root.namespace

    def dependencies(self) -> list:
        return [self.target.root]

    def external_names(self) -> set[str]:
        if not isinstance(self._weight, Expression):
            return set()
        root = self.target.root
        own = set(root.variables) | set(root.equations.names) | set(CLOCK_NAMES)
        return {n for n in self._weight.identifiers | self._weight.functions if n not in own}

    def check_units(self, external_dims: dict[str, Any]) -> None:
        if isinstance(self._weight, Expression):
            check_expression(self._weight, self.target.root.dimensions(), external_dims, self._variable.dimension,
                             where=f"the weight of {self.where()} (for '{self.target_var}')")

    def operations(self, resolve) -> list[Operation]:
        probability = float(to_si(self._rate)[0]) * self.dt_
        if probability > 1:
            raise ModelError(f"{self.where()}: rate*dt = {probability:g} is above 1; use a smaller dt or a lower rate")
        root, first, count = self.target.root, self.target.offset, self.target.N
        if isinstance(self._weight, Expression):
            # on a subgroup, i and N are the subgroup's own, as in run_regularly
            relative = {symbol("i"): symbol("i") - first, symbol("N"): sympy.Integer(count)} if count < root.N else {}
            weight = self._weight.expr.xreplace(relative)
        else:
            weight = sympy.Float(self._weight)
        target = symbol(self.target_var)
        draw = binomial(sympy.Integer(self._N), sympy.Float(probability), sympy.Integer(0))
        statement = Assignment(self.target_var, target + draw * weight,
                               f"{self.name}: {self.target_var} += binomial({self._N}, {self._rate!s}*dt)*"
                               f"({self._weight_text})")
        code = replace(root._code((statement,), resolve), start=first, size=count)
        return [Operation(self.name, root.name, self.when, self.order, 0, self.creation_order, code=code,
                          details=RegularDetails(), comment=f"PoissonInput: {self._N} inputs at {self._rate!s}")]
