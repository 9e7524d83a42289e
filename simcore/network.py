"""Network: collects objects, resolves their names, schedules their operations into
a plan, has the backend compile it, and runs it in chunks of many steps."""

from __future__ import annotations

import inspect
import os
import signal
import sys
import threading
import time
from dataclasses import replace
from typing import Any

import numpy as np
import scipy.linalg
import sympy
import tqdm.auto

from simcore.backends.select import backend_for, building_for, device_name, get_device
from simcore.codegen.module import STATUS_BUFFER_FULL, STATUS_NOT_FINITE
from simcore.equations.model import GENERATED_CODE_NAMES
from simcore.equations.user_functions import is_user_function
from simcore.errors import ModelError, UnknownNameError
from simcore.ir import Operation, constant_name, readable
from simcore.namespace import caller_namespace, lookup
from simcore.objects.base import SLOTS, SimObject, as_seconds, check_name, scope_instances
from simcore.objects.monitors import share_writers
from simcore.output.hdf5 import Output, Writer, as_output, file_key, same_path
from simcore.output.snapshot import read_snapshot, stored_integer, stored_real, write_snapshot
from simcore.random import MAX_STEP
from simcore.seeding import current_seed, seed, stream_seed
from simcore.units import get_dimensions, second, to_si

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
        self.add(*objects)

    def add(self, *objects) -> None:
        for obj in objects:
            if isinstance(obj, list | tuple | set):
                self.add(*obj)
            elif not isinstance(obj, SimObject):
                raise ModelError(f"cannot add {obj!r} to a Network: not a simcore object")
            elif obj not in self.objects:
                self.objects.append(obj)

    @property
    def t(self):
        return self.t_ * second

    def stop(self) -> None:
        self._stop_requested = True

    # --- preparing --------------------------------------------------------------
    def _check_membership(self) -> None:
        named: dict[str, SimObject] = {}
        for obj in self.objects:
            if getattr(obj, "root", obj) is not obj:  # a subgroup: a view of its group, with no code of its own
                continue
            other = named.setdefault(obj.name, obj)
            if other is not obj:
                raise ModelError(f"two objects of the network are named '{obj.name}': {other.where()} and "
                                 f"{obj.where()}; names must differ within a network (give name=...)")
        for obj in self.objects:
            for needed in obj.dependencies():
                if needed not in self.objects:
                    raise ModelError(f"{obj.where()} uses {needed.where()}, which is not part of the network; "
                                     "add it too")

    def _base_dt(self) -> float:
        return min(obj.dt_ for obj in self.objects)

    def _python_operations(self, base: float) -> list[tuple[int, NetworkOperation]]:
        """(ticks, operation) for each network_operation, in schedule order."""
        ops = [obj for obj in self.objects if isinstance(obj, NetworkOperation)]
        ops.sort(key=lambda op: (op.order, op.creation_order))
        return [(self._ticks(op.dt_, base, op.where()), op) for op in ops]

    def _ticks(self, dt: float, base: float, what: str) -> int:
        ratio = dt / base
        ticks = int(round(ratio))
        if abs(ratio - ticks) > 1e-9 * ratio:
            raise ModelError(f"the time step of {what} ({dt * 1e3:g} ms) is not a whole multiple of "
                             f"the network's smallest time step ({base * 1e3:g} ms)")
        return ticks

    def _resolve(self, run_namespace: dict | None, frame: dict) -> tuple[dict[str, float], list[Operation]]:
        constants: dict[str, float] = {}
        operations: list[Operation] = []
        base = self._base_dt()

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

        def resolve(group, names, matrices=()):
            """Record the value of each external name ``group`` uses (and of matrix exponentials)."""
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
                if constant_name(group.name, name) in constants:
                    continue
                value = external(group, name)
                if is_user_function(value):  # a TimedArray: its values and time step are kernel arguments
                    constants.update({constant_name(group.name, key): v
                                      for key, v in value.kernel_values(name).items()})
                    continue
                magnitude, _ = to_si(value)
                if np.ndim(magnitude) != 0:
                    raise ModelError(f"'{name}' used by {group.where()} must be a scalar constant, not an array "
                                     f"of shape {np.shape(magnitude)}")
                constants[constant_name(group.name, name)] = float(magnitude)

        for obj in self.objects:
            if hasattr(obj, "check_units"):
                dims = {}
                for name in obj.external_names():
                    value = external(obj, name)
                    dims[name] = value if is_user_function(value) else get_dimensions(value)
                obj.check_units(dims)
        for obj in self.objects:
            for op in obj.operations(resolve):
                ticks = self._ticks(op.dt or obj.dt_, base, obj.where())
                operations.append(replace(op, ticks=ticks))
        operations.sort(key=lambda op: (SLOTS.index(op.when), op.order, op.creation))
        _check_summed_targets(operations, self.objects)
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
            raise ModelError(f"the run duration must be a finite time >= 0, such as 100*ms, not {duration!s}")
        if not self.objects:
            raise ModelError("the network has no objects to simulate")
        if (self.t_ + seconds) / self._base_dt() >= MAX_STEP:
            raise ModelError(f"a run of {duration!s} would go past time step 2**56, the last one the step counter "
                             "(and the random numbers' counter) can hold: run for a shorter time or use a larger dt")
        self._check_membership()
        frame = caller_namespace()
        backend = backend_for(self.device or get_device())
        with building_for(backend.name):
            constants, operations = self._resolve(namespace, frame)
        base = self._base_dt()
        source = backend.generate(operations, f"kernels of {self.name}", VERSION)
        self._source = source
        kernel = backend.compile(source, profile)
        start = int(round(self.t_ / base))
        stop = start + int(round(seconds / base))
        buffers = {}
        for obj in self.objects:
            buffers.update(obj.spike_buffers())
        err = np.zeros(3, dtype=np.int64)  # a NaN or inf stored: variable number (from 1), element, operation
        seed = np.uint64(stream_seed(current_seed(), self._random_epoch))
        self._stop_requested = False
        reporter = _Reporter(report, as_seconds(report_period, "report_period"), start, stop, base)
        step = start
        interrupted = []
        previous = signal.getsignal(signal.SIGINT)

        def on_interrupt(signum, frame_):
            interrupted.append(True)

        if _main_thread():
            signal.signal(signal.SIGINT, on_interrupt)
        python_ops = self._python_operations(base)
        every = _checkpoint_steps(checkpoint, checkpoint_every, base)
        output = as_output(output) or self.output
        if every and output is not None and same_path(checkpoint, output.path):
            raise ModelError(f"the checkpoint file {checkpoint} is the run's output file: use another file")
        streaming, writers = self._open_outputs(output, base, start)
        _running.append(self)
        try:
            for obj in self.objects:  # after the outputs: a streaming monitor holds one flush's records only
                obj.prepare_run(-(-(stop - start) // self._ticks(obj.dt_, base, obj.where())))
            chunk = 1000
            while step < stop and not self._stop_requested and not interrupted:
                for ticks, operation in python_ops:
                    if step % ticks == 0:
                        self._set_time(step * base)
                        operation.call(step * base)
                        backend.host_changed()
                if self._stop_requested:
                    break
                due = [step + ticks - step % ticks for ticks, _ in python_ops]
                due += [step + every - (step - start) % every] if every else []
                target = min([stop, step + chunk, *due])
                arguments = self._arguments(source, constants, buffers)
                began = time.perf_counter()
                step, status = backend.run_chunk(kernel, step, target, base, seed, err, arguments)
                if time.perf_counter() - began < 0.5:
                    chunk *= 2  # longer chunks while they stay short in wall time (reports, Ctrl+C)
                if status == STATUS_BUFFER_FULL:
                    for obj in self.objects:
                        obj.grow()
                    backend.host_changed(buffers_only=True)
                elif status == STATUS_NOT_FINITE:
                    self._set_time(step * base)
                    raise ModelError(self._not_finite_message(source, operations, err, step * base))
                if streaming:
                    try:
                        _flush(streaming, writers)
                    except OSError:  # a failed write (full disk) stops the run where the state is
                        self._set_time(step * base)
                        raise
                    backend.host_changed(buffers_only=True)
                reporter.update(step)
                if every and step < stop and (step - start) % every == 0:
                    self._set_time(step * base)
                    self.store("checkpoint", filename=checkpoint)
        finally:
            _running.pop()
            if _main_thread():
                signal.signal(signal.SIGINT, previous)
            _flush(streaming, writers)
            for writer in writers:
                writer.close()
        self._set_time(step * base)
        reporter.finish(step)
        if profile:
            timed = zip(source.operation_names, backend.timers, strict=True)
            self._profile = {readable(name): float(seconds) for name, seconds in timed if name is not None}

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
        self.t_ = t
        for obj in self.objects:
            obj.network_time = t

    def _arguments(self, source, constants, buffers) -> list:
        available: dict[str, Any] = dict(buffers)
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
            where = f"integration method {op.comment.split(':')[0]}"
            advice = "; the time step may be too large for the model, or a parameter is wrong"
        elif op.kind == "reset":
            event = dict(op.details).get("event", "spike")
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

    def profiling_summary(self) -> str:
        """Time spent in each operation during the last run with ``profile=True``."""
        if not getattr(self, "_profile", None):
            raise ModelError("no profile: run the network with profile=True first")
        total = sum(self._profile.values()) or 1.0
        rows = sorted(self._profile.items(), key=lambda item: -item[1])
        return "\n".join(f"{name:40s} {seconds:9.4f} s  {100 * seconds / total:5.1f} %" for name, seconds in rows)

    def source(self) -> str:
        """The generated source of the last run (the model's equations appear as comments)."""
        if not hasattr(self, "_source"):
            raise ModelError("no source yet: the source is generated when the network first runs")
        return self._source.text

    # --- store / restore ----------------------------------------------------------
    def store(self, name: str = "default", filename: str | os.PathLike | None = None) -> None:
        """Keep the state of every object (variables, synapses, spikes in flight, monitors' records), the time
        and the random state, in memory or, with ``filename``, in an HDF5 file (other names in it are kept)."""
        snapshot = {"t": self.t_, "seed": current_seed(), "random_epoch": self._random_epoch}
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
        share_writers([obj for obj in self.objects if hasattr(obj, "stream_to")])
        self._set_time(snapshot["t"])
        if restore_random_state:
            seed(snapshot["seed"])
            self._random_epoch = snapshot["random_epoch"]
        else:
            self._random_epoch += 1

    def scheduling_summary(self) -> str:
        """The operations in the order they run within a time step."""
        constants, operations = self._resolve(None, caller_namespace())
        rows = [f"{readable(op.name):40s} {op.when:12s} order {op.order:3d}  every {op.ticks} step(s)"
                for op in operations]
        return "\n".join(rows)


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
    stored = {key for key in snapshot if key not in fixed}
    present = {obj.name for obj in objects}
    if stored != present:
        raise ModelError(f"the state '{name}' was stored from other objects: missing here {sorted(stored - present)}, "
                         f"not in it {sorted(present - stored)}")
    if any(key not in snapshot for key in fixed):
        raise ModelError(f"the state '{name}' is incomplete: it has no {[key for key in fixed if key not in snapshot]}"
                         f" (a state holds {list(fixed)} and one entry per object)")
    try:
        stored_real(snapshot["t"], "the time 't' (in seconds)", 0.0, (MAX_STEP - 1) * dt)
        stored_integer(snapshot["seed"], "the random seed 'seed'", 0, 2**64 - 1)
        stored_integer(snapshot["random_epoch"], "'random_epoch' (restores since the seed)", 0, 2**63 - 1)
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
        details = dict(op.details)
        key = (details["target"].owner, details["target"].name)
        start, stop = details["range"]
        for other, (other_start, other_stop) in seen.get(key, []):
            if start < other_stop and other_start < stop:
                raise ModelError(f"{names[op.owner].where()} and {names[other].where()} both set '{key[1]}' of "
                                 f"'{key[0]}' as a summed variable, for the same neurons; sum into two parameters "
                                 "and add them in the model instead")
        seen.setdefault(key, []).append((op.owner, (start, stop)))


def _main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


class NetworkOperation(SimObject):
    """A Python function called during a run, every ``dt``, at the start of a time step."""

    base_name = "network_operation"
    default_when = "start"

    def __init__(self, function, dt=None, when: str | None = None, order: int = 0, name: str | None = None):
        if when not in (None, "start"):
            raise ModelError("network operations run at the start of a time step (when='start') for now")
        super().__init__(name=name or getattr(function, "__name__", None), when=when, order=order, dt=dt)
        self.function = function
        parameters = inspect.signature(function).parameters
        if len(parameters) > 1:
            raise ModelError(f"a network operation takes no argument or the time t, not {list(parameters)}")
        self.takes_time = len(parameters) == 1

    def call(self, t: float) -> None:
        if self.takes_time:
            self.function(t * second)
        else:
            self.function()


def network_operation(function=None, *, dt=None, when: str | None = None, order: int = 0, name: str | None = None):
    """Decorator: ``@network_operation(dt=1*ms)`` calls the function during runs (Brian 2's API)."""
    if function is None:
        return lambda f: NetworkOperation(f, dt=dt, when=when, order=order, name=name)
    return NetworkOperation(function, dt=dt, when=when, order=order, name=name)


class _Reporter:
    """Progress: text on stdout or stderr every ``period`` seconds of wall time, a tqdm bar
    ('progress', notebook-aware), or a callable ``report(elapsed, completed, start, duration)``."""

    def __init__(self, report, period, start, stop, dt):
        if not (report in (None, "text", "stdout", "stderr", "progress") or callable(report)):
            raise ModelError(f"unknown report={report!r}; use 'text', 'stdout', 'stderr', 'progress' or a function")
        self.stream = sys.stderr if report == "stderr" else sys.stdout
        self.report, self.period, self.start, self.stop, self.dt = report, period, start, stop, dt
        self.began = self.last = time.perf_counter()
        self.bar = tqdm.auto.tqdm(total=stop - start, unit="step") if report == "progress" else None

    def update(self, step):
        now = time.perf_counter()
        if self.bar is not None:
            self.bar.update(step - self.start - self.bar.n)
        elif self.report and now - self.last >= self.period:
            self.last = now
            self._emit(step, now)

    def _emit(self, step, now):
        done = (step - self.start) / max(self.stop - self.start, 1)
        if callable(self.report):
            self.report((now - self.began) * second, done, self.start * self.dt * second,
                        (self.stop - self.start) * self.dt * second)
        else:
            self.stream.write(f"{step * self.dt:g} s ({100 * done:.0f}%) simulated in {now - self.began:.2f} s\n")

    def finish(self, step):
        if self.bar is not None:
            self.update(step)
            self.bar.close()
        elif self.report:
            self._emit(step, time.perf_counter())


_magic = {"network": None}
_running: list[Network] = []


def profiling_summary(network: Network | None = None) -> str:
    """The profile of ``network`` (default: the last network run with ``run()``)."""
    network = network or _magic["network"]
    if network is None:
        raise ModelError("no network has run yet")
    return network.profiling_summary()


def stop() -> None:
    """Stop the running network at the end of the current chunk (call it from a network_operation)."""
    if not _running:
        raise ModelError("stop() called while no network is running")
    _running[-1].stop()


def _magic_network() -> Network:
    """The network of every object created since the last start_scope() that is still referenced."""
    objects = scope_instances()
    network = _magic["network"]
    if network is None or set(network.objects) != set(objects):
        network = Network(*objects, name="magic_network")
        network.t_ = max((obj.network_time for obj in objects), default=0.0)
        _magic["network"] = network
    return network


def store(name: str = "default", filename: str | os.PathLike | None = None) -> None:
    """``Network.store`` for the objects ``run()`` would simulate (Brian 2's ``store()``)."""
    _magic_network().store(name, filename)


def restore(name: str = "default", filename: str | os.PathLike | None = None,
            restore_random_state: bool = False) -> None:
    """``Network.restore`` for the objects ``run()`` would simulate (Brian 2's ``restore()``)."""
    _magic_network().restore(name, filename, restore_random_state)


def run(duration, report: str | None = None, report_period=10 * second, namespace: dict | None = None,
        profile: bool = False, output: str | Output | None = None, checkpoint: str | os.PathLike | None = None,
        checkpoint_every=None) -> None:
    """Run every object created since the last start_scope() that is still referenced."""
    network = _magic_network()
    if namespace is None:
        namespace = caller_namespace()
    network.run(duration, report=report, report_period=report_period, namespace=namespace, profile=profile,
                output=output, checkpoint=checkpoint, checkpoint_every=checkpoint_every)
