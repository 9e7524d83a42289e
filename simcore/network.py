"""Network: holds the objects of a simulation (membership, store/restore, the user's API), has the plan stage
(simcore.plan) turn them into a plan, the backend compile it, and runs it in chunks of many steps, with the
hooks of simcore.running between chunks."""

from __future__ import annotations

import inspect
import os
import time
from typing import Any

import numpy as np

from simcore.backends.select import backend_for, building_for, device_for, device_name, get_device
from simcore.codegen.status import STATUS_BUFFER_FULL, STATUS_NOT_FINITE
from simcore.display import Html, html_summary, html_table
from simcore.errors import ModelError, ModelKeyError, ModelNotImplementedError, ModelTypeError, ModelValueError
from simcore.namespace import caller_namespace
from simcore.objects.base import Clock, SimObject, as_seconds, check_name, check_schedule
from simcore.objects.monitors import share_writers
from simcore.output.hdf5 import Output, Writer, as_output
from simcore.output.snapshot import check_snapshot, read_snapshot, write_snapshot
from simcore.plan import Plan, build_plan, ordered_operations
from simcore.plan.schedule import base_dt, default_schedule, next_tick, run_ticks, slot_ranks, step_of
from simcore.plan.summary import ProfilingSummary, SchedulingSummary, profile_rows, scheduling_entries
from simcore.random_counter import MAX_STEP
from simcore.running import (
    Checkpoints,
    Interrupts,
    NetworkOperations,
    Reporter,
    Streaming,
    check_supported,
    dump,
    not_finite_message,
)
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
        self._last_schedule: tuple | None = None  # what the last run ran (operations, slots, step), for a notebook
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

    def _repr_html_(self) -> str:
        """How Jupyter shows a network: its time, its objects with their clocks and slots, and the operations of
        its last run in the order they ran (working that out before a run would build the model)."""
        rows = [(obj.name, type(obj).__name__, obj.clock_text(), obj.when, obj.order, "yes" if obj.active else "no")
                for obj in self.objects]
        sections = [("Objects", html_table(("name", "kind", "clock", "when", "order", "active"), rows))]
        if self._last_schedule is not None:
            operations, ranks, base = self._last_schedule
            summary = SchedulingSummary(scheduling_entries(operations, self.objects, ranks, base), base)
            sections.append(("Schedule of the last run", Html(summary._repr_html_())))
        facts = [("time", self.t.in_best_unit()), ("objects", len(self.objects))]
        if self._last_schedule is None:
            facts.append(("schedule", "known after the first run (or ask net.scheduling_summary())"))
        if self.device is not None:
            facts.append(("device", self.device))
        return html_summary("Network", self.name, facts, sections)

    @property
    def t(self):
        return self.t_ * second

    @property
    def schedule(self) -> list[str]:
        """The slots of a time step in order (default: prefs.core.network.default_schedule); objects'
        ``when`` names one of them, or one with ``before_`` or ``after_`` in front. Assign None for the default."""
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
        if device_for(self.device).note_run(self, duration, dict(
                report=report, report_period=report_period, namespace=frame if namespace is None else namespace,
                profile=profile, output=output, checkpoint=checkpoint, checkpoint_every=checkpoint_every)):
            return  # recorded: it runs at device.build() or device.run()
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
        self._last_schedule = (list(plan.operations), ranks, base)
        pauses = frozenset(due.position for due in plan.python_operations)
        source = backend.generate(list(plan.operations), f"kernels of {self.name}", VERSION, pauses, fuse=not profile)
        dump(plan, source)
        check_supported(plan, source, backend.name)
        buffers = {}
        for obj in self.objects:  # fresh: an inactive group has no events (its monitors see none)
            buffers.update(obj.spike_buffers())
        buffers.update({name: np.zeros(length, dtype) for name, (length, dtype) in source.scratch.items()})
        self._check_bindings(source, plan.constants, buffers)
        self._source = source
        kernel = backend.compile(source, profile)
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
                        raise ModelError(not_finite_message(source, plan.operations, err, reached * base))
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

    def _bindings(self, constants, buffers, op_from: int, op_to: int) -> dict[str, Any]:
        """The value of every name a kernel may take: arrays, buffers, constants, the operations to run."""
        available: dict[str, Any] = dict(buffers, _op_from=op_from, _op_to=op_to)
        for obj in self.objects:
            available.update(obj.kernel_arrays())
        available.update(constants)
        return available

    def _check_bindings(self, source, constants, buffers) -> None:
        """Every parameter of the generated kernels names a value that the network provides: a name that a
        producer and the state spell differently fails here, after generation and before compiling."""
        missing = [p for p in source.params if p not in self._bindings(constants, buffers, 0, 0)]
        if missing:
            raise ModelError(f"internal: the generated kernels take {missing}, which no object of the network "
                             f"provides")

    def _arguments(self, source, constants, buffers, op_from: int, op_to: int) -> list:
        available = self._bindings(constants, buffers, op_from, op_to)
        return [available[p] for p in source.params]

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
        check_snapshot(snapshot, self.objects, name if filename is None else f"{name}' in '{os.fspath(filename)}",
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
        operations, dt = ordered_operations(self.objects, caller_namespace(), ranks)
        return SchedulingSummary(scheduling_entries(operations, self.objects, ranks, dt), dt)

    def plan(self, namespace: dict | None = None) -> Plan:
        """What a run would execute now: the operations in order with their slots and time steps, and the
        run-time constants (``print(net.plan())``; ``SIMCORE_DUMP=plan`` prints it at each run)."""
        objects = self._active()
        self._check_membership(objects)
        return build_plan(objects, namespace, caller_namespace(), slot_ranks(self.schedule))


_running: list[Network] = []  # the networks whose run() is on the call stack, innermost last


def stop() -> None:
    """Stop the running network at the end of the current time step (call it from a network_operation)."""
    if not _running:
        raise ModelError("stop() called while no network is running")
    _running[-1].stop()
