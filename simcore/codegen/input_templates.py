"""Templates of the input operations that are not element code: the spike generator."""

from __future__ import annotations

from simcore.codegen.bodies import INDENT, RandomStreams
from simcore.codegen.cpu_launchers import loop
from simcore.codegen.domains import Serial
from simcore.codegen.handles import clock, events
from simcore.codegen.templates import Function
from simcore.ir import Operation, internal_arg


def spike_generator(op: Operation, streams: RandomStreams, parallel: bool = False) -> Function:
    """The spikes of this time step (of the period, if any) into the owner's spike list.

    The spikes are sorted by time step, then index. A cursor keeps the first spike not yet emitted,
    so a step costs O(spikes emitted); when it does not fit the step (a new period, a restored or
    continued run, new spikes), a binary search finds its place again.
    """
    prefix = f"_{internal_arg(op.owner, 'spike')}"
    steps, indices, cursor, period = (f"{prefix}_{name}" for name in ("steps", "indices", "cursor", "period"))
    lines = loop(Serial(), [
        "_bin = _timestep(_t, _dt)",
        f"if {period}[0] > 0:",
        f"{INDENT}_bin = _bin % {period}[0]",
        f"_count = {steps}.shape[0]",
        f"_k = {cursor}[0]",
        f"if _k > _count or (_k > 0 and {steps}[_k - 1] >= _bin) or (_k < _count and {steps}[_k] < _bin):",
        f"{INDENT}_k = _search_sorted({steps}, 0, _count, _bin, False)",
        "_n = 0",
        f"while _k < _count and {steps}[_k] == _bin:",
        f"{INDENT}_spikes[_n] = {indices}[_k]",
        f"{INDENT}_n += 1",
        f"{INDENT}_k += 1",
        f"{cursor}[0] = _k",
        "_nspikes[0] = _n"])
    return Function(op.name, lines, ["_t", "_dt", steps, indices, cursor, period, "_spikes", "_nspikes"],
                    writes=frozenset((cursor, "_spikes", "_nspikes")), bound=clock(op) | events(op))
