"""Kernel arguments as typed handles. A template writes its code with short parameter names (``_mon_n``,
``_rec_v``, ``_spikes``, a constant's model name ``tau``) and binds each one that is not a kernel name already
to a handle saying what it is; the handle's ``name`` is the argument the network passes (simcore.ir builds the
kernel names). A parameter without a handle is passed as itself (the clock, the seed, arrays named
``_<owner>_<variable>``, tables named by their pathway's prefix)."""

from __future__ import annotations

from dataclasses import dataclass

from simcore.ir import ElementCode, Operation, array_arg, constant_name, event_arrays, internal_arg


@dataclass(frozen=True, slots=True)
class OwnArray:
    """One of ``owner``'s own arrays, by simcore's word for it (a monitor's ``n``, ``t``, ``indices``)."""

    owner: str
    what: str

    @property
    def name(self) -> str:
        return f"_{internal_arg(self.owner, self.what)}"


@dataclass(frozen=True, slots=True)
class StateArray:
    """``owner``'s array of ``variable`` (a monitor's record of a variable)."""

    owner: str
    variable: str

    @property
    def name(self) -> str:
        return f"_{array_arg(self.owner, self.variable)}"


@dataclass(frozen=True, slots=True)
class Constant:
    """The run-time constant ``constant`` of ``owner``."""

    owner: str
    constant: str

    @property
    def name(self) -> str:
        return constant_name(self.owner, self.constant)


@dataclass(frozen=True, slots=True)
class EventList:
    """The list of ``source``'s elements that had ``event`` this step, or (``count``) its length."""

    source: str
    event: str
    count: bool = False

    @property
    def name(self) -> str:
        return event_arrays(self.source, self.event)[self.count]


@dataclass(frozen=True, slots=True)
class TimeStep:
    """The operation's own time step: ``ticks`` of the network's smallest one."""

    ticks: int

    @property
    def name(self) -> str:
        return "_dt" if self.ticks == 1 else f"_dt * {self.ticks}"


Handle = OwnArray | StateArray | Constant | EventList | TimeStep


def clock(op: Operation) -> dict[str, Handle]:
    """``_dt``: the step of ``op``'s clock."""
    return {"_dt": TimeStep(op.ticks)}


def constants(code: ElementCode | None, owner: str) -> dict[str, Handle]:
    """The run-time constants of ``code``, as ``owner``'s."""
    return {name: Constant(owner, name) for name in code.scalars} if code is not None else {}


def code_arguments(op: Operation, code: ElementCode | None) -> dict[str, Handle]:
    """The handles of the parameters of ``bodies.common_args``: the clock's step and ``op``'s constants."""
    return clock(op) | constants(code, op.owner)


def events(op: Operation) -> dict[str, Handle]:
    """``_spikes`` and ``_nspikes``: the list of elements that ``op`` fills or reads, and its length."""
    source, event = op.events
    return {"_spikes": EventList(source, event), "_nspikes": EventList(source, event, count=True)}


def own(op: Operation, prefix: str, *whats: str) -> dict[str, Handle]:
    """``{prefix}{what}``: ``op``'s owner's own array ``what``, for each of ``whats``."""
    return {f"{prefix}{what}": OwnArray(op.owner, what) for what in whats}


def records(op: Operation, *variables: str) -> dict[str, Handle]:
    """``_rec_{variable}``: the owner's (a monitor's) record of ``variable``."""
    return {f"_rec_{variable}": StateArray(op.owner, variable) for variable in variables}


def kernel_arguments(params: list[str] | tuple[str, ...], bound: dict[str, Handle]) -> list[str]:
    """What the network passes for ``params``: the names of their handles in ``bound``, else themselves."""
    return [bound[param].name if param in bound else param for param in params]
