"""Network: holds the objects of a simulation (membership, store/restore, the user's API), has the plan stage
(simcore.plan) turn them into a plan, the backend compile it, and runs it in chunks of many steps, with the
hooks of simcore.running between chunks."""

from __future__ import annotations

import inspect
import os
import sys
import time
from typing import Any

import numpy as np

from simcore.backends.select import backend_for, building_for, device_for, device_name, get_device
from simcore.codegen.module import STATUS_BUFFER_FULL, STATUS_NOT_FINITE, at_steps
from simcore.errors import ModelError, ModelKeyError, ModelNotImplementedError, ModelTypeError, ModelValueError
from simcore.ir import RegularDetails, ResetDetails, StateUpdateDetails
from simcore.namespace import caller_namespace
from simcore.objects.base import Clock, SimObject, as_seconds, check_name, check_schedule, collect, scope_instances
from simcore.objects.monitors import share_writers
from simcore.output.hdf5 import Output, Writer, as_output
from simcore.output.snapshot import read_snapshot, stored_integer, stored_keys, stored_real, write_snapshot
from simcore.plan import Plan, build_plan
from simcore.plan.schedule import base_dt, default_schedule, next_tick, run_ticks, slot_ranks, step_of
from simcore.plan.summary import ProfilingSummary, SchedulingSummary, profile_rows, scheduling_entries
from simcore.random import MAX_STEP
from simcore.running import Checkpoints, Interrupts, NetworkOperations, Reporter, Streaming
from simcore.seeding import current_seed, seed, stream_seed
from simcore.units import Quantity, second

VERSION = "0.1.0"


class Network:
    """A set of objects simulated together: ``Network(G, M).run(100*ms)``; ``device`` ('cpu' or 'cuda')
    runs it there whatever ``set_device`` chose."""

    def __init__(self, *objects: SimObject, name: str = "network", device: str | None = None,
                 output: str | Output | None = None):
        self.name = check_name(name, "the name of a Network")
        self.device = None if device is None else device_name(device)
        self.output = as_output(output)
        self._writers: dict[str, Writer] = {}
        self._random_epoch = 0  # raised by each restore() that does not restore the random state
        self.objects: list[SimObject] = []
        self.t_ = 0.0
        self._stored: dict[str, Any] = {}
        self._stop_requested = False
        self._schedule: list[str] | None = None
        self.add(*objects)

    def add(self, *objects) -> None:
        for obj in objects:
            if isinstance(obj, list | tuple | set):
                self.add(*obj)
            elif not isinstance(obj, SimObject):
                raise ModelTypeError(f"cannot add {obj!r} to a Network: not a simcore object")
            elif obj not in self.objects:
                self.objects.append(obj)

    def remove(self, *objects) -> None:
        """Take objects (or lists of them) out of the network."""
        for obj in objects:
            if isinstance(obj, list | tuple | set):
                self.remove(*obj)
            elif not isinstance(obj, SimObject):
                raise ModelTypeError(f"cannot remove {obj!r} from a Network: not a simcore object")
            elif obj in self.objects:
                self.objects.remove(obj)

    # --- access as a collection (Brian 2's net['name'], 'name' in net) -------------------------------------------
    def __getitem__(self, name: str) -> SimObject:
        if not isinstance(name, str):
            raise ModelTypeError(f"a network's objects are found by name, net['name'], not by {name!r}")
        for obj in self.objects:
            if obj.name == name:
                return obj
        raise ModelKeyError(f"the network '{self.name}' has no object named {name!r}; its objects are "
                            f"{[obj.name for obj in self.objects]}")

    def __delitem__(self, name: str) -> None:
        self.objects.remove(self[name])

    def __contains__(self, item) -> bool:
        if isinstance(item, str):
            return any(obj.name == item for obj in self.objects)
        return item in self.objects

    def __iter__(self):
        return iter(list(self.objects))

    def __len__(self) -> int:
        return len(self.objects)

    def __repr__(self) -> str:
        return f"<Network '{self.name}' at t = {self.t!s}: {', '.join(obj.name for obj in self.objects) or 'empty'}>"

    @property
    def t(self):
        return self.t_ * second

    @property
    def schedule(self) -> list[str]:
        """The slots of a time step in order (default: prefs.core.network.default_schedule); objects'
        ``when`` names one of them, or one with 'before_' or 'after_' in front. Assign None for the default."""
        return list(self._schedule) if self._schedule is not None else default_schedule()

    @schedule.setter
    def schedule(self, schedule) -> None:
        self._schedule = None if schedule is None else check_schedule(schedule)

    def stop(self) -> None:
        """Stop the run at the end of the current time step."""
        self._stop_requested = True

    def get_states(self, units: bool = True, format: str = "dict", subexpressions: bool = False,
                   read_only_variables: bool = True) -> dict[str, dict]:
        """The values of every object's variables, by object name (Brian 2's ``Network.get_states``)."""
        if format != "dict":
            raise ModelNotImplementedError(f"get_states(format={format!r}): simcore gives format='dict'")
        given = {"units": units, "subexpressions": subexpressions, "read_only_variables": read_only_variables}
        states = {}
        for obj in self.objects:
            if hasattr(obj, "get_states"):
                accepted = inspect.signature(obj.get_states).parameters
                states[obj.name] = obj.get_states(**{k: v for k, v in given.items() if k in accepted})
        return states

    def set_states(self, values: dict[str, dict], units: bool = True, format: str = "dict") -> None:
        """Set variables of the network's objects from ``{object name: {variable: value}}``."""
        if format != "dict":
            raise ModelNotImplementedError(f"set_states(format={format!r}): simcore takes format='dict'")
        for name, states in values.items():
            self[name].set_states(states, units=units)

    # --- preparing --------------------------------------------------------------
    def _active(self) -> list[SimObject]:
        return [obj for obj in self.objects if obj.active]

    def _check_membership(self, objects: list[SimObject]) -> None:
        named: dict[str, SimObject] = {}
        for obj in objects:
            if getattr(obj, "root", obj) is not obj:  # a subgroup: a view of its group, with no code of its own
                continue
            other = named.setdefault(obj.name, obj)
            if other is not obj:
                raise ModelValueError(f"two objects of the network are named '{obj.name}': {other.where()} and "
                                      f"{obj.where()}; names must differ within a network (give name=...)")
        for obj in objects:
            for needed in obj.dependencies():
                if needed not in self.objects:  # it may be inactive: then it keeps its values
                    raise ModelValueError(f"{obj.where()} uses {needed.where()}, which is not part of the network; "
                                          "add it too")

    # --- running ----------------------------------------------------------------
    def run(self, duration, report: str | None = None, report_period=10 * second, namespace: dict | None = None,
            profile: bool = False, output: str | Output | None = None, checkpoint: str | os.PathLike | None = None,
            checkpoint_every=None) -> None:
        """Simulate ``duration`` more time; records and state continue from the last run. ``output`` (a path
        or ``Output``; default: the network's) streams every monitor without a file of its own into it.
        ``checkpoint`` and ``checkpoint_every``: store the network as 'checkpoint' in that file every so much
        simulated time (from the start of this run); after a crash, the same script resumes with
        ``net.restore('checkpoint', filename=..., restore_random_state=True)`` and a run of the rest."""
        seconds = as_seconds(duration, "the run duration")
        if not 0 <= seconds < np.inf:
            raise ModelValueError(f"the run duration must be a finite time >= 0, such as 100*ms, not {duration!s}")
        objects = self._active()
        base = base_dt(objects)
        if (self.t_ + seconds) / base >= MAX_STEP:
            raise ModelError(f"a run of {duration!s} would go past time step 2**56, the last one the step counter "
                             "(and the random numbers' counter) can hold: run for a shorter time or use a larger dt")
        self._check_membership(objects)
        ranks = slot_ranks(self.schedule)
        period = as_seconds(report_period, "report_period")
        Reporter.check(report)
        for clock in {id(obj.clock): obj.clock for obj in self.objects if isinstance(obj.clock, Clock)}.values():
            clock._set_t_update_dt(self.t_ * second)  # refuses a new dt that cannot continue from t
        frame = caller_namespace()
        device_for(self.device).note_run(self, duration, dict(
            report=report, report_period=report_period, namespace=frame if namespace is None else namespace,
            profile=profile, output=output, checkpoint=checkpoint, checkpoint_every=checkpoint_every))
        t_end = self.t_ + seconds
        start, stop = step_of(self.t_, base), step_of(t_end, base)
        reporter = Reporter(report, period, self.t_, seconds, stop - start)
        if not objects:  # nothing to simulate: time passes (as in Brian 2)
            self._set_time(t_end)
            reporter.finish(1.0)
            return
        backend = backend_for(self.device or get_device())
        with building_for(backend.name):
            plan = build_plan(objects, namespace, frame, ranks)
        source = backend.generate(list(plan.operations), f"kernels of {self.name}", VERSION)
        _dump(plan, source)
        _check_supported(plan, source, backend.name)
        self._source = source
        kernel = backend.compile(source, profile)
        buffers = {}
        for obj in self.objects:  # fresh: an inactive group has no events (its monitors see none)
            buffers.update(obj.spike_buffers())
        err = np.zeros(3, dtype=np.int64)  # a NaN or inf stored: variable number (from 1), element, operation
        seed = np.uint64(stream_seed(current_seed(), self._random_epoch))
        self._stop_requested = False
        step, phase = start, 0  # the next operation to run: its step and its place in the step's compiled operations
        output = as_output(output) or self.output
        checkpoints = Checkpoints(checkpoint, checkpoint_every, base, start, output)
        python_ops = NetworkOperations(plan.python_operations)
        count = len(plan.operations)
        stopped_at = None

        def before_call(t: float) -> None:
            self._set_time(t)

        def after_call(at: int) -> None:
            nonlocal stop, stopped_at
            backend.host_changed()
            if self._stop_requested and stopped_at is None:
                stopped_at, stop = at, min(stop, at + 1)  # the rest of this step runs

        _running.append(self)
        try:
            with Interrupts() as interrupts, Streaming(self.objects, self._writers, output, base, start,
                                                      VERSION) as streaming:
                for obj in objects:  # after the outputs: a streaming monitor holds one flush's records only
                    obj.prepare_run(run_ticks(obj, start, stop, base))
                chunk = 1000
                while step < stop and not interrupts.requested:
                    python_ops.call_due(step, phase, base, before_call, after_call)
                    if phase == count:  # the step is done (what the kernel would do from here: nothing)
                        step, phase = step + 1, 0
                        continue
                    limits = [(stop, 0), (min(stop, step + chunk), 0), *python_ops.limits(step, phase),
                              *checkpoints.limits(step)]
                    target, target_phase = min(limits)
                    if (target, target_phase) <= (step, phase):
                        break
                    arguments = self._arguments(source, plan.constants, buffers, phase, target_phase or count)
                    began = time.perf_counter()
                    reached, status = backend.run_chunk(kernel, step, target + (1 if target_phase else 0), base,
                                                        seed, err, arguments)
                    if time.perf_counter() - began < 0.5:
                        chunk *= 2  # longer chunks while they stay short in wall time (reports, Ctrl+C)
                    if status == STATUS_BUFFER_FULL:
                        phase = phase if reached == step else 0
                        step = reached
                        for obj in objects:
                            obj.grow()
                        backend.host_changed(buffers_only=True)
                    elif status == STATUS_NOT_FINITE:
                        self._set_time(reached * base)
                        raise ModelError(self._not_finite_message(source, plan.operations, err, reached * base))
                    else:
                        step, phase = (target, target_phase) if target_phase else (reached, 0)
                    if streaming.monitors:
                        try:
                            streaming.flush()
                        except OSError:  # a failed write (full disk) stops the run where the state is
                            self._set_time(step * base)
                            raise
                        backend.host_changed(buffers_only=True)
                    reporter.update((step - start) / max(stop - start, 1))
                    if checkpoints.due(step, phase, stop):
                        self._set_time(step * base)
                        self.store("checkpoint", filename=checkpoint)
        finally:
            _running.pop()
        if stopped_at is not None or interrupts.requested:
            self._set_time(next_tick(objects, step, base) * base)
        else:
            self._set_time(t_end)
        reporter.finish(1.0 if step >= stop else (step - start) / max(stop - start, 1))
        if profile:
            self._profile = profile_rows(list(plan.operations), backend.timers, source.operation_names, self.objects)

    @property
    def profiling_info(self) -> list[tuple[str, Any]]:
        """(operation, time spent) of the last run with ``profile=True``, the longest first (Brian 2's)."""
        if getattr(self, "_profile", None) is None:
            raise ModelValueError(f"no profiling information for the network '{self.name}': run it with "
                                  "profile=True first")
        rows = sorted(self._profile, key=lambda item: -item[1])
        return [(name, Quantity(seconds, second)) for name, seconds in rows]

    def _set_time(self, t: float) -> None:
        """The network, its objects and their clocks are at time ``t``."""
        self.t_ = t
        for obj in self.objects:
            obj.network_time = t
            obj.clock.timestep = obj.clock.step_of(t)

    def _arguments(self, source, constants, buffers, op_from: int, op_to: int) -> list:
        available: dict[str, Any] = dict(buffers, _op_from=op_from, _op_to=op_to)
        for obj in self.objects:
            available.update(obj.kernel_arrays())
        available.update(constants)
        missing = [p for p in source.params if p not in available]
        if missing:
            raise ModelError(f"internal: no value for kernel parameters {missing}")
        return [available[p] for p in source.params]

    def _not_finite_message(self, source, operations, err, t) -> str:
        """Which variable of which object became NaN or infinite, for which element, when, and in which code."""
        at = f"at t = {t * 1e3:g} ms"
        if not 0 <= err[2] < len(operations):
            return f"a state variable became NaN or infinite {at}"
        op = operations[int(err[2])]
        advice = ""
        if isinstance(op.details, StateUpdateDetails):
            where = f"integration method {op.details.method}"
            advice = "; the time step may be too large for the model, or a parameter is wrong"
        elif isinstance(op.details, ResetDetails):
            event = op.details.event
            where = f"in the reset of {op.owner}" if event == "spike" else \
                f"in the code on '{event}' events of {op.owner}"
        elif isinstance(op.details, RegularDetails):
            where = f"in {op.comment} of {op.owner}"
        else:
            where = f"in the {op.comment} of Synapses {op.owner}"
        names = source.error_vars.get(op.name, ())
        if not 1 <= err[0] <= len(names):
            return f"a variable became NaN or infinite {at} ({where}){advice}"
        owner, name = names[err[0] - 1]
        return (f"the variable '{name}' of {owner} became NaN or infinite for element {int(err[1])} {at} ({where})"
                f"{advice}")

    def profiling_summary(self, show: int | None = None) -> ProfilingSummary:
        """Time spent in each operation during the last run with ``profile=True`` (a text table; in a notebook,
        an HTML one)."""
        return ProfilingSummary(self.profiling_info[:show])

    def source(self) -> str:
        """The generated source of the last run (the model's equations appear as comments)."""
        if not hasattr(self, "_source"):
            raise ModelError("no source yet: the source is generated when the network first runs")
        return self._source.text

    # --- store / restore ----------------------------------------------------------
    def store(self, name: str = "default", filename: str | os.PathLike | None = None) -> None:
        """Keep the state of every object (variables, synapses, spikes in flight, monitors' records), the time
        and the random state, in memory or, with ``filename``, in an HDF5 file (other names in it are kept)."""
        snapshot = {"t": self.t_, "seed": current_seed(), "random_epoch": self._random_epoch,
                    "_dts": {obj.name: obj.clock.dt_ for obj in self.objects if isinstance(obj.clock, Clock)}}
        for obj in self.objects:
            snapshot[obj.name] = obj.state()
        if filename is None:
            self._stored[name] = snapshot
        else:
            write_snapshot(filename, name, snapshot)

    def restore(self, name: str = "default", filename: str | os.PathLike | None = None,
                restore_random_state: bool = False) -> None:
        """Go back to a stored state. As in Brian 2, later random numbers are fresh (a repeated trial differs)
        unless ``restore_random_state=True``, which continues the stored random stream: the network then goes
        on exactly as it would have from the moment it was stored."""
        if filename is not None:
            snapshot = read_snapshot(filename, name)
        elif name in self._stored:
            snapshot = self._stored[name]
        else:
            raise ModelError(f"nothing stored under the name {name!r}; call store({name!r}) first")
        _check_snapshot(snapshot, self.objects, name if filename is None else f"{name}' in '{os.fspath(filename)}",
                        base_dt(self.objects))
        for obj in self.objects:
            obj.restore_state(snapshot[obj.name])
            if obj.name in snapshot.get("_dts", {}):  # the time step it had (Brian 2 restores it too)
                obj.clock._dt, obj.clock._old_dt = snapshot["_dts"][obj.name], None
        share_writers([obj for obj in self.objects if hasattr(obj, "stream_to")])
        self._set_time(snapshot["t"])
        if restore_random_state:
            seed(snapshot["seed"])
            self._random_epoch = snapshot["random_epoch"]
        else:
            self._random_epoch += 1

    def scheduling_summary(self) -> SchedulingSummary:
        """The operations in the order they run within a time step, inactive ones included (a text table; in a
        notebook, an HTML one; ``.entries``: Brian 2's fields)."""
        ranks = slot_ranks(self.schedule)
        plan = build_plan(self.objects, None, caller_namespace(), ranks)
        return SchedulingSummary(scheduling_entries(list(plan.operations), self.objects, ranks, plan.dt), plan.dt)

    def plan(self, namespace: dict | None = None) -> Plan:
        """What a run would execute now: the operations in order with their slots and time steps, and the
        run-time constants (``print(net.plan())``; ``SIMCORE_DUMP=plan`` prints it at each run)."""
        objects = self._active()
        self._check_membership(objects)
        return build_plan(objects, namespace, caller_namespace(), slot_ranks(self.schedule))


def _check_snapshot(snapshot: dict, objects: list[SimObject], name: str, dt: float) -> None:
    """Refuse a stored state (from a file: data) that is not one of these objects, before any of them changes:
    each object checks its own part (``check_state``); an object without state has none."""
    fixed = ("t", "seed", "random_epoch")
    stored = {key for key in snapshot if key not in fixed and key != "_dts"}
    present = {obj.name for obj in objects}
    if stored != present:
        raise ModelKeyError(f"the state '{name}' was stored from other objects: missing here "
                            f"{sorted(stored - present)}, not in it {sorted(present - stored)}")
    if any(key not in snapshot for key in fixed):
        raise ModelError(f"the state '{name}' is incomplete: it has no {[key for key in fixed if key not in snapshot]}"
                         f" (a state holds {list(fixed)} and one entry per object)")
    try:
        stored_real(snapshot["t"], "the time 't' (in seconds)", 0.0, (MAX_STEP - 1) * dt)
        stored_integer(snapshot["seed"], "the random seed 'seed'", 0, 2**64 - 1)
        stored_integer(snapshot["random_epoch"], "'random_epoch' (restores since the seed)", 0, 2**63 - 1)
        dts = stored_keys(snapshot.get("_dts", {}), set(snapshot.get("_dts", {})) & present,
                          "the time steps '_dts' (by object)")
        for owner, dt in dts.items():
            stored_real(dt, f"the time step of '{owner}' (in seconds)", 1e-15, 1e6)
    except ModelError as error:
        raise ModelError(f"cannot restore the state '{name}': {error.message}") from None
    for obj in objects:
        try:
            if hasattr(obj, "check_state"):
                obj.check_state(snapshot[obj.name])
            elif not isinstance(snapshot[obj.name], dict) or snapshot[obj.name]:
                raise ModelError(f"it has no state, the stored one is {snapshot[obj.name]!r}"[:300])
        except ModelError as error:
            raise ModelError(f"cannot restore {obj.where()} from the state '{name}': {error.message}") from None


_DUMPS = ("plan", "source")


def _dump(plan: Plan, source) -> None:
    """``SIMCORE_DUMP=plan`` (or ``source``, or both, comma-separated) prints the plan or the generated source
    of each run before it compiles."""
    asked = [word.strip() for word in os.environ.get("SIMCORE_DUMP", "").split(",") if word.strip()]
    unknown = [word for word in asked if word not in _DUMPS]
    if unknown:
        raise ModelValueError(f"SIMCORE_DUMP={os.environ['SIMCORE_DUMP']!r}: unknown {unknown}; use 'plan', "
                              "'source' or 'plan,source'")
    if "plan" in asked:
        print(plan, end="\n\n")
    if "source" in asked:
        print(source.text, end="\n\n")
    sys.stdout.flush()


def _check_supported(plan: Plan, source, device: str) -> None:
    """What the device's generated code cannot do, refused before it compiles."""
    operations = plan.operations
    if any(0 < due.position < len(operations) for due in plan.python_operations) and "_op_from" not in source.params:
        raise ModelNotImplementedError(f"network operations run at the start or the end of a time step on the "
                                       f"{device} device, not between its compiled operations")
    if any(op.times is not None and at_steps(op) not in source.params for op in operations):
        raise ModelNotImplementedError(f"run_at() code does not run on the {device} device; use "
                                       "run_regularly(), or a network_operation with an EventClock")


class MagicError(ModelError):
    """The magic network (what ``run()`` simulates) was used as an explicit Network."""


class MagicNetwork(Network):
    """The network of ``run()``, ``store()`` and ``restore()``: at each call, the objects created since the last
    start_scope() that are still referenced (``collect()``). It holds them only during the call, so objects a
    script dropped are not kept alive by it; time continues from the objects' own time."""

    def __init__(self):
        if _magic:
            raise ModelValueError("there is one magic network, simcore's magic_network; create a Network instead")
        super().__init__(name="magic_network")
        self._depth = 0
        _magic.append(self)

    def add(self, *objects) -> None:
        if objects:
            raise MagicError("the magic network holds the objects run() finds by itself; to choose the objects, "
                             "create a Network(...) and add them to it")

    def remove(self, *objects) -> None:
        raise MagicError("the magic network holds the objects run() finds by itself; to choose the objects, "
                         "create a Network(...) of them")

    def _gather(self) -> list[SimObject]:
        objects = scope_instances()
        if objects:  # they continue from their own time (all new ones: from 0)
            self.t_ = max(obj.network_time for obj in objects)
        self.objects = objects
        return objects

    def _with_objects(self, method, *args, **kwargs):
        if self._depth == 0:
            self._gather()
        self._depth += 1  # a call within (a device storing the state before a run) keeps them
        try:
            return method(*args, **kwargs)
        finally:
            self._depth -= 1
            if self._depth == 0:
                self.objects = []  # held during the call only: dropping an object frees it

    def run(self, duration, report: str | None = None, report_period=10 * second, namespace: dict | None = None,
            profile: bool = False, output: str | Output | None = None, checkpoint: str | os.PathLike | None = None,
            checkpoint_every=None) -> None:
        if namespace is None:
            namespace = caller_namespace()
        self._with_objects(super().run, duration, report=report, report_period=report_period, namespace=namespace,
                           profile=profile, output=output, checkpoint=checkpoint, checkpoint_every=checkpoint_every)

    def store(self, name: str = "default", filename: str | os.PathLike | None = None) -> None:
        self._with_objects(super().store, name, filename)

    def restore(self, name: str = "default", filename: str | os.PathLike | None = None,
                restore_random_state: bool = False) -> None:
        self._with_objects(super().restore, name, filename, restore_random_state)

    def get_states(self, units: bool = True, format: str = "dict", subexpressions: bool = False,
                   read_only_variables: bool = True) -> dict[str, dict]:
        return self._with_objects(super().get_states, units, format, subexpressions, read_only_variables)

    def set_states(self, values: dict[str, dict], units: bool = True, format: str = "dict") -> None:
        self._with_objects(super().set_states, values, units, format)

    def scheduling_summary(self) -> SchedulingSummary:
        return self._with_objects(super().scheduling_summary)

    def plan(self, namespace: dict | None = None) -> Plan:
        return self._with_objects(super().plan, caller_namespace() if namespace is None else namespace)

    def __getitem__(self, name: str) -> SimObject:
        return self._with_objects(super().__getitem__, name)

    def __contains__(self, item) -> bool:
        return self._with_objects(super().__contains__, item)

    def __len__(self) -> int:
        return len(collect())

    def __iter__(self):
        return iter(collect())


_magic: list[MagicNetwork] = []
magic_network = MagicNetwork()
_running: list[Network] = []


def profiling_summary(net: Network | None = None, show: int | None = None) -> ProfilingSummary:
    """The profile of ``net`` (default: the magic network, what ``run()`` ran), the ``show`` longest only."""
    return (net if net is not None else magic_network).profiling_summary(show)


def scheduling_summary(net: Network | None = None) -> SchedulingSummary:
    """The schedule of ``net`` (default: of what ``run()`` would simulate)."""
    return (net if net is not None else magic_network).scheduling_summary()


def stop() -> None:
    """Stop the running network at the end of the current time step (call it from a network_operation)."""
    if not _running:
        raise ModelError("stop() called while no network is running")
    _running[-1].stop()


def store(name: str = "default", filename: str | os.PathLike | None = None) -> None:
    """``Network.store`` for the objects ``run()`` would simulate (Brian 2's ``store()``)."""
    magic_network.store(name, filename)


def restore(name: str = "default", filename: str | os.PathLike | None = None,
            restore_random_state: bool = False) -> None:
    """``Network.restore`` for the objects ``run()`` would simulate (Brian 2's ``restore()``)."""
    magic_network.restore(name, filename, restore_random_state)


def run(duration, report: str | None = None, report_period=10 * second, namespace: dict | None = None,
        profile: bool = False, output: str | Output | None = None, checkpoint: str | os.PathLike | None = None,
        checkpoint_every=None) -> None:
    """Run every object created since the last start_scope() that is still referenced (``collect()``)."""
    magic_network.run(duration, report=report, report_period=report_period,
                      namespace=caller_namespace() if namespace is None else namespace, profile=profile,
                      output=output, checkpoint=checkpoint, checkpoint_every=checkpoint_every)
