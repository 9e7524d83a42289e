"""Network: collects objects, resolves their names, schedules their operations into
a plan, has the backend compile it, and runs it in chunks of many steps."""

from __future__ import annotations

import html
import inspect
import math
import os
import signal
import sys
import threading
import time
from collections import namedtuple
from dataclasses import replace
from fractions import Fraction
from typing import Any

import numpy as np
import scipy.linalg
import sympy
import tqdm.auto

from simcore.backends.select import backend_for, building_for, device_for, device_name, get_device
from simcore.codegen.module import STATUS_BUFFER_FULL, STATUS_NOT_FINITE, at_steps
from simcore.equations.model import GENERATED_CODE_NAMES
from simcore.equations.user_functions import is_user_function
from simcore.errors import (
    ModelError,
    ModelKeyError,
    ModelNotImplementedError,
    ModelTypeError,
    ModelValueError,
    UnknownNameError,
)
from simcore.ir import Operation, constant_name, readable
from simcore.namespace import caller_namespace, lookup
from simcore.objects.base import (
    Clock,
    EventClock,
    SimObject,
    as_seconds,
    check_name,
    check_schedule,
    collect,
    defaultclock,
    is_name,
    scope_instances,
)
from simcore.objects.monitors import share_writers
from simcore.output.hdf5 import Output, Writer, as_output, file_key, same_path
from simcore.output.snapshot import read_snapshot, stored_integer, stored_keys, stored_real, write_snapshot
from simcore.preferences import prefs
from simcore.random import MAX_STEP
from simcore.seeding import current_seed, seed, stream_seed
from simcore.units import Quantity, get_dimensions, second, to_si

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

    def _base_dt(self, objects: list[SimObject] | None = None) -> float:
        """The network's time step: the largest one of which every clock's dt is a whole multiple (the smallest
        dt, or for 0.2 ms and 0.3 ms, 0.1 ms)."""
        clocks = [obj.clock for obj in (self.objects if objects is None else objects)]
        dts = sorted({clock.dt_ for clock in clocks if isinstance(clock, Clock)} |
                     {float(t) for clock in clocks if isinstance(clock, EventClock) for t in clock.times_ if t > 0}) \
            or [defaultclock.dt_]
        base = dts[0]
        for dt in dts[1:]:
            ratio = Fraction(dt / base).limit_denominator(1000)
            if abs(float(ratio) - dt / base) <= 1e-9 * dt / base:
                base /= ratio.denominator
        return base

    def _ticks(self, dt: float, base: float, what: str) -> int:
        ratio = dt / base
        ticks = int(round(ratio))
        if abs(ratio - ticks) > 1e-9 * ratio:
            raise ModelValueError(f"the time step of {what} ({dt * 1e3:g} ms) and the other time steps of the "
                                  f"network ({base * 1e3:g} ms) have no common multiple of a whole number of steps; "
                                  "use time steps that are whole multiples of one another")
        return ticks

    def _python_operations(self, objects: list[SimObject], base: float, ranks: dict[str, int],
                           operations: list[Operation]) -> list[_Due]:
        """When each network_operation runs: its steps, and its place among the compiled operations."""
        keys = [_sort_key(op, ranks) for op in operations]
        due = []
        for op in objects:
            if not isinstance(op, NetworkOperation):
                continue
            _check_slot(op.when, ranks, op.where())
            key = (ranks[op.when], op.order, op.name, op.creation_order)
            position = sum(1 for k in keys if k < key)
            if isinstance(op.clock, EventClock):
                due.append(_Due(op, key, position, 0, _event_steps(op.clock.times_, base, op.where())))
            else:
                due.append(_Due(op, key, position, self._ticks(op.dt_, base, op.where()), None))
        due.sort(key=lambda d: d.key)
        return due

    def _resolve(self, objects: list[SimObject], run_namespace: dict | None, frame: dict,
                 ranks: dict[str, int]) -> tuple[dict[str, float], list[Operation]]:
        constants: dict[str, float] = {}
        operations: list[Operation] = []
        base = self._base_dt(objects)

        def external(group, name):
            if name in GENERATED_CODE_NAMES:
                raise ModelError(f"the model of {group.where()} uses '{name}' as a constant, a name that generated "
                                 "code gives to a module: rename it")
            found, value = lookup(name, group.namespace if group.namespace is not None else run_namespace,
                                  frame)
            if not found and group.namespace is not None:
                found, value = lookup(name, run_namespace, frame)
            if not found:
                raise UnknownNameError(name, f"the model of {group.where()} uses '{name}', which is not a "
                                       "variable of the group, nor defined in the namespace of the run")
            return value

        user_functions: dict[tuple[str, str], Any] = {}

        def resolve(group, names, matrices=()):
            """Record the value of each external name ``group`` uses (and of matrix exponentials); returns the
            user functions (Functions, TimedArrays) among ``names``, by name."""
            for matrix in matrices:
                symbols = sorted(s.name for s in matrix.matrix.free_symbols if s.name != "dt")
                resolve(group, symbols)
                values = {sympy.Symbol(n, real=True): constants[constant_name(group.name, n)] for n in symbols}
                values[sympy.Symbol("dt", real=True)] = group.dt_
                numeric = np.array(matrix.matrix.xreplace(values).evalf(), dtype=float)
                exponential = scipy.linalg.expm(numeric * group.dt_)
                for i, row in enumerate(matrix.names):
                    for j, name in enumerate(row):
                        constants[constant_name(group.name, name)] = float(exponential[i, j])
            for name in names:
                if constant_name(group.name, name) in constants or (group.name, name) in user_functions:
                    continue
                value = external(group, name)
                if is_user_function(value):  # a TimedArray's values and time step, a Function's compiled version
                    user_functions[group.name, name] = value
                    constants.update({constant_name(group.name, key): v
                                      for key, v in value.kernel_values(name).items()})
                    continue
                magnitude, _ = to_si(value)
                if np.ndim(magnitude) != 0:
                    raise ModelError(f"'{name}' used by {group.where()} must be a scalar constant, not an array "
                                     f"of shape {np.shape(magnitude)}")
                constants[constant_name(group.name, name)] = float(magnitude)
            return {name: user_functions[group.name, name] for name in names if (group.name, name) in user_functions}

        for obj in objects:
            if hasattr(obj, "check_units"):
                dims = {}
                for name in obj.external_names():
                    value = external(obj, name)
                    dims[name] = value if is_user_function(value) else get_dimensions(value)
                obj.check_units(dims)
        for obj in objects:
            for op in obj.operations(resolve):
                _check_slot(op.when, ranks, obj.where())
                timed = op.times is not None
                if isinstance(obj.clock, EventClock) and not timed:
                    raise ModelNotImplementedError(f"{obj.where()} runs on an EventClock: simcore runs network "
                                                   "operations and StateMonitors on EventClocks, and other objects "
                                                   "on a Clock")
                ticks = 1 if isinstance(obj.clock, EventClock) else self._ticks(op.dt or obj.dt_, base, obj.where())
                if timed:
                    constants[at_steps(op)] = _event_steps(np.array(op.times), base, obj.where())
                operations.append(replace(op, ticks=ticks))
        operations.sort(key=lambda op: _sort_key(op, ranks))
        _check_summed_targets(operations, objects)
        return constants, operations

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
        base = self._base_dt(objects)
        if (self.t_ + seconds) / base >= MAX_STEP:
            raise ModelError(f"a run of {duration!s} would go past time step 2**56, the last one the step counter "
                             "(and the random numbers' counter) can hold: run for a shorter time or use a larger dt")
        self._check_membership(objects)
        ranks = slot_ranks(self.schedule)
        period = as_seconds(report_period, "report_period")
        _Reporter.check(report)
        for clock in {id(obj.clock): obj.clock for obj in self.objects if isinstance(obj.clock, Clock)}.values():
            clock._set_t_update_dt(self.t_ * second)  # refuses a new dt that cannot continue from t
        frame = caller_namespace()
        device_for(self.device).note_run(self, duration, dict(
            report=report, report_period=report_period, namespace=frame if namespace is None else namespace,
            profile=profile, output=output, checkpoint=checkpoint, checkpoint_every=checkpoint_every))
        t_end = self.t_ + seconds
        start, stop = _step_of(self.t_, base), _step_of(t_end, base)
        reporter = _Reporter(report, period, self.t_, seconds, stop - start)
        if not objects:  # nothing to simulate: time passes (as in Brian 2)
            self._set_time(t_end)
            reporter.finish(1.0)
            return
        backend = backend_for(self.device or get_device())
        with building_for(backend.name):
            constants, operations = self._resolve(objects, namespace, frame, ranks)
        python_ops = self._python_operations(objects, base, ranks, operations)
        source = backend.generate(operations, f"kernels of {self.name}", VERSION)
        if any(0 < due.position < len(operations) for due in python_ops) and "_op_from" not in source.params:
            raise ModelNotImplementedError(f"network operations run at the start or the end of a time step on the "
                                           f"{backend.name} device, not between its compiled operations")
        if any(op.times is not None and at_steps(op) not in source.params for op in operations):
            raise ModelNotImplementedError(f"run_at() code does not run on the {backend.name} device; use "
                                           "run_regularly(), or a network_operation with an EventClock")
        self._source = source
        kernel = backend.compile(source, profile)
        buffers = {}
        for obj in self.objects:  # fresh: an inactive group has no events (its monitors see none)
            buffers.update(obj.spike_buffers())
        err = np.zeros(3, dtype=np.int64)  # a NaN or inf stored: variable number (from 1), element, operation
        seed = np.uint64(stream_seed(current_seed(), self._random_epoch))
        self._stop_requested = False
        step, phase = start, 0  # the next operation to run: its step and its place in the step's compiled operations
        interrupted = []
        previous = signal.getsignal(signal.SIGINT)

        def on_interrupt(signum, frame_):
            interrupted.append(True)

        if _main_thread():
            signal.signal(signal.SIGINT, on_interrupt)
        every = _checkpoint_steps(checkpoint, checkpoint_every, base)
        output = as_output(output) or self.output
        if every and output is not None and same_path(checkpoint, output.path):
            raise ModelError(f"the checkpoint file {checkpoint} is the run's output file: use another file")
        streaming, writers = self._open_outputs(output, base, start)
        count = len(operations)
        _running.append(self)
        stopped_at = None
        try:
            for obj in objects:  # after the outputs: a streaming monitor holds one flush's records only
                if isinstance(obj.clock, EventClock):  # the clock's ticks within this run
                    ticks = _event_steps(obj.clock.times_, base, obj.where())
                    obj.prepare_run(int(np.count_nonzero((ticks >= start) & (ticks < stop))))
                else:
                    obj.prepare_run(-(-(stop - start) // self._ticks(obj.dt_, base, obj.where())))
            chunk = 1000
            while step < stop and not interrupted:
                for due in python_ops:
                    if due.position == phase and due.runs_at(step):
                        self._set_time(step * base)
                        due.operation.call(step * base)
                        backend.host_changed()
                        if self._stop_requested and stopped_at is None:
                            stopped_at, stop = step, min(stop, step + 1)  # the rest of this step runs
                if phase == count:  # the step is done (what the kernel would do from here: nothing)
                    step, phase = step + 1, 0
                    continue
                following = [due.next_run(step, phase) for due in python_ops]
                limits = [(stop, 0), (min(stop, step + chunk), 0), *[f for f in following if f is not None]]
                if every:
                    limits.append((step + every - (step - start) % every, 0))
                target, target_phase = min(limits)
                if (target, target_phase) <= (step, phase):
                    break
                arguments = self._arguments(source, constants, buffers, phase, target_phase or count)
                began = time.perf_counter()
                reached, status = backend.run_chunk(kernel, step, target + (1 if target_phase else 0), base, seed,
                                                    err, arguments)
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
                    raise ModelError(self._not_finite_message(source, operations, err, reached * base))
                else:
                    step, phase = (target, target_phase) if target_phase else (reached, 0)
                if streaming:
                    try:
                        _flush(streaming, writers)
                    except OSError:  # a failed write (full disk) stops the run where the state is
                        self._set_time(step * base)
                        raise
                    backend.host_changed(buffers_only=True)
                reporter.update((step - start) / max(stop - start, 1))
                if every and phase == 0 and step < stop and (step - start) % every == 0:
                    self._set_time(step * base)
                    self.store("checkpoint", filename=checkpoint)
        finally:
            _running.pop()
            if _main_thread():
                signal.signal(signal.SIGINT, previous)
            _flush(streaming, writers)
            for writer in writers:
                writer.close()
        if stopped_at is not None or interrupted:
            self._set_time(self._next_tick(objects, step, base) * base)
        else:
            self._set_time(t_end)
        reporter.finish(1.0 if step >= stop else (step - start) / max(stop - start, 1))
        if profile:
            self._profile = _profile_rows(operations, backend.timers, source.operation_names, self.objects)

    def _next_tick(self, objects: list[SimObject], step: int, base: float) -> int:
        """The first step from ``step`` on at which an object's clock ticks (where a stopped run left time)."""
        ticks = []
        for obj in objects:
            if isinstance(obj.clock, EventClock):
                steps = np.round(obj.clock.times_ / base).astype(np.int64)
                later = steps[steps >= step]
                ticks += [int(later[0])] if later.size else []
            else:
                every = self._ticks(obj.dt_, base, obj.where())
                ticks.append(-(-step // every) * every)
        return min(ticks, default=step)

    @property
    def profiling_info(self) -> list[tuple[str, Any]]:
        """(operation, time spent) of the last run with ``profile=True``, the longest first (Brian 2's)."""
        if getattr(self, "_profile", None) is None:
            raise ModelValueError(f"no profiling information for the network '{self.name}': run it with "
                                  "profile=True first")
        rows = sorted(self._profile, key=lambda item: -item[1])
        return [(name, Quantity(seconds, second)) for name, seconds in rows]

    def _open_outputs(self, output: Output | None, dt: float, start: int) -> tuple[list, list[Writer]]:
        """The monitors that stream to a file and the files' writers, opened for this run."""
        monitors = [obj for obj in self.objects if hasattr(obj, "stream_to")]
        if output is not None and output.path not in self._writers:
            # monitors restored from a checkpoint already write to it again
            resumed = [m.writer for m in monitors
                       if m.writer is not None and same_path(m.writer.output.path, output.path)]
            self._writers[output.path] = resumed[0] if resumed else Writer(output)
        streaming = []
        for monitor in monitors:
            if output is not None:
                monitor.stream_to(monitor.own_writer or self._writers[output.path])
            elif monitor.writer is not None:  # its own file, or an earlier run's output: it goes on there
                monitor.stream_to(monitor.writer)
            else:
                continue
            streaming.append(monitor)
        writers = list({id(m.writer): m.writer for m in streaming}.values())
        paths = [file_key(w.output.path) for w in writers]
        if len(set(paths)) < len(paths):
            twice = next(p for p in paths if paths.count(p) > 1)
            raise ModelError(f"two outputs write to {twice} (a monitor's file= and the network's output?): give "
                             "each file to one of them")
        run = {"simcore_version": VERSION, "dt": dt, "seed": current_seed(), "last_run_start": start * dt}
        for writer in writers:
            writer.open(run)
        return streaming, writers

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
        if op.kind == "state_update":
            where = f"integration method {op.details.method}"
            advice = "; the time step may be too large for the model, or a parameter is wrong"
        elif op.kind == "reset":
            event = op.details.event
            where = f"in the reset of {op.owner}" if event == "spike" else \
                f"in the code on '{event}' events of {op.owner}"
        elif op.kind == "regular":
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
                        self._base_dt())
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
        constants, operations = self._resolve(self.objects, None, caller_namespace(), ranks)
        base = self._base_dt()
        rows = [(_sort_key(op, ranks), op, next(obj for obj in self.objects if obj.name == op.owner))
                for op in operations]
        rows += [((ranks[obj.when], obj.order, obj.name, obj.creation_order), None, obj) for obj in self.objects
                 if isinstance(obj, NetworkOperation)]
        entries = []
        for _, op, obj in sorted(rows, key=lambda row: row[0]):
            name, kind, owner = _entry(op, self.objects) if op is not None else (obj.name, "NetworkOperation", None)
            dt = None if isinstance(obj.clock, EventClock) else (op.ticks * base if op is not None else obj.dt_)
            entries.append(ScheduleEntry(op.when if op is not None else obj.when, obj.order if op is None else op.order,
                                         None if dt is None else Quantity(dt, second), name, kind, obj.active,
                                         None if owner is None else owner.name,
                                         None if owner is None else type(owner).__name__))
        return SchedulingSummary(entries, base)


def _checkpoint_steps(checkpoint, every, dt: float) -> int:
    """Time steps between two checkpoints (0: none)."""
    if checkpoint is None and every is None:
        return 0
    if checkpoint is None or every is None:
        raise ModelError("checkpoints need both checkpoint= (the file) and checkpoint_every= (how often)")
    steps = int(round(as_seconds(every, "checkpoint_every") / dt))
    if steps < 1:
        raise ModelError(f"checkpoint_every = {every} is shorter than the time step")
    return steps


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


def _flush(monitors: list, writers: list) -> None:
    """Write the records staged since the last flush; a writer whose write failed (the run stops with that
    error) is skipped, and its monitors keep those records in memory."""
    for monitor in monitors:
        if not monitor.writer.failed:
            monitor.flush()
    for writer in writers:
        writer.flush()


def _check_summed_targets(operations: list[Operation], objects: list[SimObject]) -> None:
    """Two summed variables cannot set the same neurons' variable: the second would overwrite the first."""
    seen: dict = {}
    names = {obj.name: obj for obj in objects}
    for op in operations:
        if op.kind != "summed_variable":
            continue
        target = op.details.target
        key = (target.owner, target.name)
        start, stop = op.details.range
        for other, (other_start, other_stop) in seen.get(key, []):
            if start < other_stop and other_start < stop:
                raise ModelNotImplementedError(
                    f"{names[op.owner].where()} and {names[other].where()} both set '{key[1]}' of '{key[0]}' as a "
                    "summed variable, for the same neurons; sum into two parameters and add them in the model instead")
        seen.setdefault(key, []).append((op.owner, (start, stop)))


def _main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


class NetworkOperation(SimObject):
    """A Python function called during a run, every ``dt`` (or at the times of an EventClock), at the
    ``when`` slot of a time step (default: its start); the function takes no argument or the time ``t``."""

    base_name = "networkoperation"
    default_when = "start"

    def __init__(self, function, dt=None, clock: Clock | EventClock | None = None, when: str = "start",
                 order: int = 0, name: str | None = None):
        if not callable(function):
            raise ModelTypeError(f"a network operation runs a function, not {type(function).__name__} "
                                 f"{function!r}")
        parameters = [p for p in inspect.signature(function).parameters.values()
                      if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) and p.default is p.empty]
        if len(parameters) == 1 and parameters[0].name == "self" and not inspect.ismethod(function):
            raise ModelTypeError(f"the function {getattr(function, '__name__', function)!r} takes 'self': a method "
                                 "of a class, not of an object; make a network operation of the object's method")
        if len(parameters) > 1:
            raise ModelTypeError(f"a network operation takes no argument or the time t; "
                                 f"{getattr(function, '__name__', function)!r} takes {[p.name for p in parameters]}"
                                 " (a method's own 'self' is already bound: use it on an object, not a class)")
        if name is None:
            given = getattr(function, "__name__", None)
            name = given if is_name(given) else None
        super().__init__(name=name, when=when, order=order, dt=dt, clock=clock)
        self.function = function
        self.takes_time = len(parameters) == 1

    def call(self, t: float) -> None:
        if self.takes_time:
            self.function(t * second)
        else:
            self.function()


def network_operation(function=None, *, dt=None, clock: Clock | EventClock | None = None, when: str = "start",
                      order: int = 0, name: str | None = None):
    """Decorator: ``@network_operation(dt=1*ms, when='end')`` calls the function during runs (Brian 2's API)."""
    if function is None:
        return lambda f: NetworkOperation(f, dt=dt, clock=clock, when=when, order=order, name=name)
    return NetworkOperation(function, dt=dt, clock=clock, when=when, order=order, name=name)


class _Due:
    """A network operation's place in a run: its sort key, how many compiled operations of a step run before
    it, and its steps (every ``ticks`` steps, or at ``steps``: an EventClock's)."""

    def __init__(self, operation: NetworkOperation, key: tuple, position: int, ticks: int, steps):
        self.operation, self.key, self.position, self.ticks, self.steps = operation, key, position, ticks, steps

    def runs_at(self, step: int) -> bool:
        if self.steps is None:
            return step % self.ticks == 0
        k = int(np.searchsorted(self.steps, step))
        return k < self.steps.size and self.steps[k] == step

    def next_run(self, step: int, phase: int) -> tuple[int, int] | None:
        """The first (step, position) after (``step``, ``phase``) at which it runs (None: never again)."""
        first = step if self.position > phase else step + 1
        if self.steps is None:
            return -(-first // self.ticks) * self.ticks, self.position
        k = int(np.searchsorted(self.steps, first))
        return (int(self.steps[k]), self.position) if k < self.steps.size else None


class _Reporter:
    """Progress: text on stdout or stderr (at the start, every ``period`` seconds of wall time, at the end), a
    tqdm bar ('progress', notebook-aware), or a callable ``report(elapsed, completed, start, duration)``."""

    def __init__(self, report, period: float, start: float, duration: float, steps: int):
        self.stream = sys.stderr if report == "stderr" else sys.stdout
        self.report, self.period, self.start, self.duration, self.steps = report, period, start, duration, steps
        self.began = self.last = time.perf_counter()
        self.bar = tqdm.auto.tqdm(total=steps, unit="step") if report == "progress" else None
        if report is not None and self.bar is None:
            self._emit(0.0, self.began)

    @staticmethod
    def check(report) -> None:
        """Refuse an unknown ``report=`` before the run."""
        if isinstance(report, str):
            if report not in ("text", "stdout", "stderr", "progress"):
                raise ModelValueError(f"unknown report={report!r}; use 'text', 'stdout', 'stderr', 'progress' or a "
                                      "function")
        elif report is not None and not callable(report):
            raise ModelTypeError(f"report= is None, 'text', 'stdout', 'stderr', 'progress' or a function, not "
                                 f"{type(report).__name__} {report!r}")

    def update(self, done: float):
        now = time.perf_counter()
        if self.bar is not None:
            self.bar.update(round(self.steps * done) - self.bar.n)
        elif self.report and now - self.last >= self.period:
            self.last = now
            self._emit(done, now)

    def _emit(self, done: float, now: float):
        if callable(self.report):
            self.report((now - self.began) * second, done, self.start * second, self.duration * second)
        elif done == 0.0:
            self.stream.write(f"Starting simulation at t={self.start:g} s for a duration of {self.duration:g} s\n")
        else:
            self.stream.write(f"{self.start + done * self.duration:g} s ({100 * done:.0f}%) simulated in "
                              f"{now - self.began:.2f} s\n")

    def finish(self, done: float):
        if self.bar is not None:
            self.update(done)
            self.bar.close()
        elif self.report:
            self._emit(done, time.perf_counter())


ScheduleEntry = namedtuple("ScheduleEntry", ["when", "order", "dt", "name", "type", "active", "owner_name",
                                             "owner_type"])


class SchedulingSummary(str):
    """``scheduling_summary()``: a text table of the operations in the order they run (a str), with
    ``entries`` (Brian 2's fields) and an HTML table for notebooks."""

    entries: list

    def __new__(cls, entries: list, base: float):
        def every(entry):
            if entry.dt is None:
                return "at its EventClock's times"
            steps = int(round(float(to_si(entry.dt)[0]) / base))
            return f"{float(to_si(entry.dt)[0]) * 1e3:g} ms (every {'step' if steps == 1 else f'{steps} steps'})"

        rows = [(f"{e.name} ({e.type})", f"{e.owner_name} ({e.owner_type})" if e.owner_name else "--", every(e),
                 e.when, str(e.order), "yes" if e.active else "no") for e in entries]
        header = ("object", "part of", "Clock dt", "when", "order", "active")
        summary = super().__new__(cls, _table(header, rows))
        summary.entries, summary._rows, summary._header = entries, rows, header
        return summary

    def _repr_html_(self) -> str:
        return _html_table(self._header, self._rows)


class ProfilingSummary(str):
    """``profiling_summary()``: time per operation of the last profiled run (a str), with ``names``,
    ``times`` and an HTML table for notebooks."""

    def __new__(cls, info: list):
        total = sum(float(to_si(t)[0]) for _, t in info) or 1.0
        rows = [(name, f"{float(to_si(t)[0]):.4f} s", f"{100 * float(to_si(t)[0]) / total:.2f} %")
                for name, t in info]
        header = ("name", "time", "% of total")
        summary = super().__new__(cls, _table(header, rows))
        summary.names, summary.times = [name for name, _ in info], [t for _, t in info]
        summary._rows, summary._header = rows, header
        return summary

    def _repr_html_(self) -> str:
        return _html_table(self._header, self._rows)


def _table(header: tuple, rows: list) -> str:
    widths = [max(len(str(cell)) for cell in column) for column in zip(header, *rows, strict=True)]
    lines = ["  ".join(f"{cell!s:{w}}" for cell, w in zip(row, widths, strict=True)).rstrip()
             for row in (header, *rows)]
    return "\n".join([lines[0], "  ".join("-" * w for w in widths), *lines[1:]])


def _html_table(header: tuple, rows: list) -> str:
    cells = "".join(f"<th>{html.escape(str(cell))}</th>" for cell in header)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(str(cell))}</td>" for cell in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{cells}</tr></thead><tbody>{body}</tbody></table>"


_KIND_NAMES = {"state_update": "StateUpdater", "threshold": "Thresholder", "reset": "Resetter",
               "synaptic_pathway": "SynapticPathway", "summed_variable": "SummedVariableUpdater"}


def _entry(op: Operation, objects: list[SimObject]) -> tuple[str, str, SimObject | None]:
    """An operation as Brian 2 names it in summaries: its name, its class, and the object it is part of
    (None for an object of its own, such as a monitor)."""
    owner = next((obj for obj in objects if obj.name == op.owner), None)
    _, event = op.events
    if op.kind == "state_update":
        return f"{op.owner}_stateupdater", "StateUpdater", owner
    if op.kind == "threshold":
        return f"{op.owner}_{event}_thresholder", "Thresholder", owner
    if op.kind == "reset":
        return f"{op.owner}_{event}_resetter", "Resetter", owner
    if op.kind == "regular":
        return op.details.name or readable(op.name), "CodeRunner", owner
    if op.kind in ("synaptic_pathway", "summed_variable"):
        return readable(op.name), _KIND_NAMES[op.kind], owner
    return op.owner, type(owner).__name__, None


def _profile_rows(operations: list[Operation], timers, kernels: list[str], objects: list[SimObject]) -> list:
    """(Brian 2's name, seconds) per kernel: operations a backend fused into one kernel (``a + b`` in the
    source's operation names) share one row, since their time cannot be told apart."""
    names = {op.name: _entry(op, objects)[0] for op in operations}
    seconds = {op.name: float(time) for op, time in zip(operations, timers, strict=True)}
    groups = [kernel.split(" + ") for kernel in kernels if kernel]
    grouped = {part for parts in groups for part in parts}
    groups += [[name] for name in names if name not in grouped]
    return [(" + ".join(names[part] for part in parts), sum(seconds[part] for part in parts)) for parts in groups]


def _sort_key(op: Operation, ranks: dict[str, int]) -> tuple:
    """Operations run by slot, then ``order``, then name (Brian 2's rule), then in the order they were made."""
    return ranks[op.when], op.order, op.owner, op.creation


def default_schedule() -> list[str]:
    return list(prefs.core.network.default_schedule)


def slot_ranks(schedule: list[str]) -> dict[str, int]:
    """Where each slot name falls in a time step: 'before_x', 'x', 'after_x' for each slot x, in order."""
    ranks = {}
    for position, slot in enumerate(schedule):
        ranks.update({f"before_{slot}": 3 * position, slot: 3 * position + 1, f"after_{slot}": 3 * position + 2})
    return ranks


def _check_slot(when: str, ranks: dict[str, int], where: str) -> None:
    if when not in ranks:
        slots = [slot for slot in ranks if not slot.startswith(("before_", "after_"))]
        raise ModelValueError(f"{where} runs at when={when!r}, which is not a slot of the network's schedule "
                              f"{slots} (nor one of them with 'before_' or 'after_' in front)")


def _event_steps(times: np.ndarray, base: float, where: str) -> np.ndarray:
    """The time steps of an EventClock's (or run_at's) times, each of which must be on the network's grid."""
    steps = np.round(times / base).astype(np.int64)
    off = np.flatnonzero(np.abs(steps * base - times) > 1e-6 * base)
    if off.size:
        raise ModelValueError(f"the time {times[off[0]] * 1e3:g} ms of {where} is not a whole multiple of the "
                              f"network's time step ({base * 1e3:g} ms)")
    return steps


def _step_of(t: float, dt: float) -> int:
    """The time step at time ``t``: the nearest where ``t`` is on the grid, else the next (Brian 2's rule)."""
    nearest = round(t / dt)
    return int(nearest) if abs(nearest * dt - t) <= Clock.epsilon_dt * dt else int(math.ceil(t / dt))


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
