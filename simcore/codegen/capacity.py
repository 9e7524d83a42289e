"""Buffer-capacity checks, one per operation type that fills a buffer: the condition, checked at the start of a
step, under which the operation might not fit that step's records or events, and the arrays it reads. The chunk
stops there and the buffers grow (``Network``), on both devices."""

from __future__ import annotations

from simcore.codegen.bodies import own_step
from simcore.ir import Operation, internal_arg


def _guard(op: Operation) -> str:
    return f"_step % {op.ticks} == 0 and " if op.ticks > 1 else ""


def spike_records(op: Operation) -> tuple[str, tuple[str, ...]] | None:
    """A spike monitor recording indices and times: room for every element of its range."""
    details = op.details
    if not details.record:
        return None
    start, stop = details.range
    count, indices = f"_{internal_arg(op.owner, 'n')}", f"_{internal_arg(op.owner, 'i')}"
    return f"{_guard(op)}{count}[0] + {stop - start} > {indices}.shape[0]", (count, indices)


def delay_ring(op: Operation) -> tuple[str, tuple[str, ...]] | None:
    """A pathway with delays: room in its ring of past events for one event of every source element, once the
    slot this step overwrites is freed."""
    details = op.details
    if details.delays == "none":
        return None
    prefix, (start, stop) = details.prefix, details.range
    slot = f"({own_step(op)}) % {details.slots}"
    count, ring = f"{prefix}_hist_count", f"{prefix}_hist"
    return f"{_guard(op)}_total({count}) - {count}[{slot}] + {stop - start} > {ring}.shape[0]", (count, ring)


def one_record(op: Operation) -> tuple[str, tuple[str, ...]] | None:
    """A state or rate monitor: room for one more record."""
    count, times = f"_{internal_arg(op.owner, 'n')}", f"_{internal_arg(op.owner, 't')}"
    return f"{_guard(op)}{count}[0] >= {times}.shape[0]", (count, times)
