"""The hooks a run's chunk loop calls between chunks: progress reports, Python network operations, streaming
to files, checkpoints, and Ctrl+C. Each keeps its own state; the loop (``Network.run``) only asks them when to
stop a chunk and tells them where the run is."""

from __future__ import annotations

import os
import signal
import sys
import threading
import time

import tqdm.auto

from simcore.errors import ModelError, ModelNotImplementedError, ModelTypeError, ModelValueError
from simcore.ir import RegularDetails, ResetDetails, StateUpdateDetails, at_steps
from simcore.objects.base import as_seconds
from simcore.output.hdf5 import Output, Writer, file_key, same_path
from simcore.plan import Plan
from simcore.plan.schedule import Due
from simcore.seeding import current_seed
from simcore.units import second


class Reporter:
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


class NetworkOperations:
    """The Python network operations of a run: called at their steps, at their place among the compiled
    operations; the chunk before one ends there."""

    def __init__(self, due: tuple[Due, ...]):
        self.due = due

    def call_due(self, step: int, phase: int, dt: float, before_call, after_call) -> None:
        for due in self.due:
            if due.position == phase and due.runs_at(step):
                before_call(step * dt)
                due.operation.call(step * dt)
                after_call(step)

    def limits(self, step: int, phase: int) -> list[tuple[int, int]]:
        """Where the next chunk must end: the (step, place) of each network operation's next call."""
        following = [due.next_run(step, phase) for due in self.due]
        return [f for f in following if f is not None]


class Checkpoints:
    """``checkpoint=`` and ``checkpoint_every=``: the network stored as 'checkpoint' in that file every so many
    steps from the start of the run."""

    def __init__(self, path, every, dt: float, start: int, output: Output | None):
        self.path, self.start, self.every = path, start, 0
        if path is None and every is None:
            return
        if path is None or every is None:
            raise ModelError("checkpoints need both checkpoint= (the file) and checkpoint_every= (how often)")
        self.every = int(round(as_seconds(every, "checkpoint_every") / dt))
        if self.every < 1:
            raise ModelError(f"checkpoint_every = {every} is shorter than the time step")
        if output is not None and same_path(path, output.path):
            raise ModelError(f"the checkpoint file {path} is the run's output file: use another file")

    def limits(self, step: int) -> list[tuple[int, int]]:
        if not self.every:
            return []
        return [(step + self.every - (step - self.start) % self.every, 0)]

    def due(self, step: int, phase: int, stop: int) -> bool:
        return bool(self.every) and phase == 0 and step < stop and (step - self.start) % self.every == 0


class Streaming:
    """The monitors that stream to a file during the run, and the files' writers (opened for the run; flushed
    after each chunk; closed at its end, also when it fails)."""

    def __init__(self, objects: list, writers: dict, output: Output | None, dt: float, start: int, version: str):
        monitors = [obj for obj in objects if hasattr(obj, "stream_to")]
        if output is not None and output.path not in writers:
            # monitors restored from a checkpoint already write to it again
            resumed = [m.writer for m in monitors
                       if m.writer is not None and same_path(m.writer.output.path, output.path)]
            writers[output.path] = resumed[0] if resumed else Writer(output)
        self.monitors = []
        for monitor in monitors:
            if output is not None:
                monitor.stream_to(monitor.own_writer or writers[output.path])
            elif monitor.writer is not None:  # its own file, or an earlier run's output: it goes on there
                monitor.stream_to(monitor.writer)
            else:
                continue
            self.monitors.append(monitor)
        self.writers = list({id(m.writer): m.writer for m in self.monitors}.values())
        paths = [file_key(w.output.path) for w in self.writers]
        if len(set(paths)) < len(paths):
            twice = next(p for p in paths if paths.count(p) > 1)
            raise ModelError(f"two outputs write to {twice} (a monitor's file= and the network's output?): give "
                             "each file to one of them")
        run = {"simcore_version": version, "dt": dt, "seed": current_seed(), "last_run_start": start * dt}
        for writer in self.writers:
            writer.open(run)

    def flush(self) -> None:
        """Write the records staged since the last flush; a writer whose write failed (the run stops with that
        error) is skipped, and its monitors keep those records in memory."""
        for monitor in self.monitors:
            if not monitor.writer.failed:
                monitor.flush()
        for writer in self.writers:
            writer.flush()

    def __enter__(self) -> Streaming:
        return self

    def __exit__(self, *exc) -> None:
        self.flush()
        for writer in self.writers:
            writer.close()


class Interrupts:
    """Ctrl+C during a run stops it at the end of the current chunk (the state stays consistent) instead of
    raising KeyboardInterrupt within a kernel's call; only the main thread can catch signals."""

    def __init__(self):
        self.requested = False
        self._installed, self._previous = False, None

    def _on_interrupt(self, signum, frame) -> None:
        self.requested = True

    def __enter__(self) -> Interrupts:
        if threading.current_thread() is threading.main_thread():
            self._installed, self._previous = True, signal.getsignal(signal.SIGINT)
            signal.signal(signal.SIGINT, self._on_interrupt)
        return self

    def __exit__(self, *exc) -> None:
        if self._installed:
            signal.signal(signal.SIGINT, self._previous)


_DUMPS = ("plan", "source")


def dump(plan: Plan, source) -> None:
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


def check_supported(plan: Plan, source, device: str) -> None:
    """What the device's generated code cannot do, refused before it compiles."""
    operations = plan.operations
    if any(0 < due.position < len(operations) for due in plan.python_operations) and "_op_from" not in source.params:
        raise ModelNotImplementedError(f"network operations run at the start or the end of a time step on the "
                                       f"{device} device, not between its compiled operations")
    if any(op.times is not None and at_steps(op) not in source.params for op in operations):
        raise ModelNotImplementedError(f"run_at() code does not run on the {device} device; use "
                                       "run_regularly(), or a network_operation with an EventClock")


def not_finite_message(source, operations, err, t) -> str:
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
