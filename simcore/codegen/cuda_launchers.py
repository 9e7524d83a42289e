"""The GPU's thread mappings, one launcher per iteration domain (``domains``): each adds to ``Kernels`` a device
function of ``head`` (lines before the elements, indented once), the lines that give a thread its element, and
the per-element ``body`` (lines without indentation). How a launch runs (a kernel of its own with its bound
check, or a grid-stride loop in the fused kernel) is ``cuda_kernels``'. The generators (``cuda_ops``,
``cuda_threshold``, ``cuda_pathways``) call ``launch``."""

from __future__ import annotations

from collections.abc import Callable

from simcore.codegen.bodies import INDENT, spikes_in_range
from simcore.codegen.cpu_launchers import indented
from simcore.codegen.cuda_kernels import Kernels, simulated
from simcore.codegen.domains import (
    Domain,
    Elements,
    Events,
    IncomingPerTarget,
    PerNeuron,
    Serial,
    SynapsesOfEvents,
)
from simcore.codegen.handles import Handle


def element_of_thread(domain: Elements) -> list[str]:
    """The lines that make thread ``_g``'s element ``domain.index`` (none when that is ``_g`` itself)."""
    if domain.index == "_g":
        return []
    return [f"{INDENT}{domain.index} = _g + {domain.start}" if domain.start else f"{INDENT}{domain.index} = _g"]


def elements(kernels: Kernels, domain: Elements, name: str, args: list[str], head: list[str], body: list[str],
             writes: frozenset[str] | set[str], bound: dict[str, Handle]) -> None:
    """One thread per element."""
    kernels.add(name, args, [*head, *element_of_thread(domain), *indented(body, 1)], writes, domain.size,
                bound=bound)


def events(kernels: Kernels, domain: Events, name: str, args: list[str], head: list[str], body: list[str],
           writes: frozenset[str] | set[str], bound: dict[str, Handle]) -> None:
    """One thread per possible event; those past the list's end (or ``span``'s) return."""
    if domain.span is None:
        position, guard = "_g", [f"{INDENT}if _g >= _nspikes[0]:"]
    else:
        position = "_first + _g"
        guard = [f"{INDENT}_first = {domain.span[0]}", f"{INDENT}if _first + _g >= {domain.span[1]}:"]
    element = f"_spikes[{position}] - {domain.offset}" if domain.offset else f"_spikes[{position}]"
    kernels.add(name, args, [*head, *guard, f"{INDENT * 2}return", f"{INDENT}{domain.index} = {element}",
                             *indented(body, 1)], writes, domain.size, bound=bound)


def synapses_of_events(kernels: Kernels, domain: SynapsesOfEvents, name: str, args: list[str], head: list[str],
                       body: list[str], writes: frozenset[str] | set[str], bound: dict[str, Handle]) -> None:
    """Blocks take the arriving events in turn (with delays: those of the ring's slot of each delay, ``_capacity``
    long, set in ``head``), their threads the event's synapses (what they add to shared targets: atomics, in the
    body)."""
    details = domain.pathway
    prefix, start = details.prefix, details.range[0]
    synapse = [f"_s = {prefix}_syn[_p]" if details.indirect else "_s = _p", *body]
    if details.delays == "none":
        span = spikes_in_range(*details.range, details.source_size)
        lines = [f"{INDENT}_first = {span[0]}", *_blocks_per_event(f"{span[1]} - _first", 1),
                 f"{INDENT * 2}_src = _spikes[_first + _k] - {start}",
                 f"{INDENT * 2}_lo = {prefix}_ptr[_src]", f"{INDENT * 2}_hi = {prefix}_ptr[_src + 1]",
                 *_synapses_of_event(synapse, 2)]
    else:
        slots = details.slots
        delays = f"range({slots - 1}, -1, -1)" if details.delays == "heterogeneous" else f"({details.steps},)"
        lines = [f"{INDENT}for _d in {delays}:", f"{INDENT * 2}_from = ({domain.own_step} - _d) % {slots}",
                 f"{INDENT * 2}_first = {prefix}_hist_start[_from]",
                 *_blocks_per_event(f"{prefix}_hist_count[_from]", 2),
                 f"{INDENT * 3}_src = {prefix}_hist[(_first + _k) % _capacity]",
                 f"{INDENT * 3}_lo = {prefix}_ptr[_src]", f"{INDENT * 3}_hi = {prefix}_ptr[_src + 1]"]
        if details.delays == "heterogeneous":
            lines += [f"{INDENT * 3}_hi = _search_sorted({prefix}_dsorted, _lo, _hi, _d, True)",
                      f"{INDENT * 3}_lo = _search_sorted({prefix}_dsorted, _lo, _hi, _d, False)"]
        lines += _synapses_of_event(synapse, 3)
    blocks, threads = _pathway_shape()
    kernels.add(name, args, head + lines, writes, None, shape=f"{blocks}, {threads}", bound=bound)


def _blocks_per_event(count: str, depth: int) -> list[str]:
    """The loop of a block over its events ``_k`` among ``count``: ``_share`` blocks per event when there are
    fewer events than blocks (one event onto a million synapses keeps the whole grid busy), else one block
    per event in turn."""
    pad = INDENT * depth
    return [f"{pad}_count = {count}", f"{pad}_share = max(1, cuda.gridDim.x // _count) if _count > 0 else 1",
            f"{pad}for _k in range(cuda.blockIdx.x // _share, _count, cuda.gridDim.x // _share):"]


def _synapses_of_event(synapse: list[str], depth: int) -> list[str]:
    """The loop of a thread over its share of the event's synapses ``_lo`` to ``_hi - 1``, running ``synapse``."""
    pad = INDENT * depth
    return [f"{pad}for _p in range(_lo + (cuda.blockIdx.x % _share) * cuda.blockDim.x + cuda.threadIdx.x, _hi, "
            "_share * cuda.blockDim.x):", *[pad + INDENT + line for line in synapse]]


def _pathway_shape() -> tuple[int, int]:
    """Blocks and threads of a synaptic pathway's kernel: blocks take events, threads synapses. The simulator
    runs every thread as a Python thread: a few of them check the same code."""
    return (2, 4) if simulated() else (1024, 32)


def incoming_per_target(kernels: Kernels, domain: IncomingPerTarget, name: str, args: list[str], head: list[str],
                        body: list[str], writes: frozenset[str] | set[str], bound: dict[str, Handle]) -> None:
    """One thread per target (``_g``), gathering over its synapses."""
    lines = [*head, *([] if domain.index == "_g" else [f"{INDENT}{domain.index} = _g"]), *indented(body, 1)]
    kernels.add(name, args, lines, writes, domain.size, bound=bound)


def serial(kernels: Kernels, domain: Serial, name: str, args: list[str], head: list[str], body: list[str],
           writes: frozenset[str] | set[str], bound: dict[str, Handle]) -> None:
    """One thread."""
    kernels.add(name, args, [*head, *indented(body, 1)], writes, None, bound=bound)


def per_neuron(kernels: Kernels, domain: PerNeuron, name: str, args: list[str], head: list[str], body: list[str],
               writes: frozenset[str] | set[str], bound: dict[str, Handle]) -> None:
    """One thread per neuron, with its first compartment."""
    lines = [*head, f"{INDENT}_first = _g * {domain.compartments}", f"{INDENT}_neurons = 1", *indented(body, 1)]
    kernels.add(name, args, lines, writes, domain.neurons, bound=bound)


CUDA_LAUNCHERS: dict[type, Callable[..., None]] = {
    Elements: elements, Events: events, SynapsesOfEvents: synapses_of_events,
    IncomingPerTarget: incoming_per_target, Serial: serial, PerNeuron: per_neuron,
}


def launch(kernels: Kernels, domain: Domain, name: str, args: list[str], head: list[str], body: list[str],
           writes: frozenset[str] | set[str], *, bound: dict[str, Handle]) -> None:
    """A device function running ``body`` in ``domain``'s thread mapping."""
    CUDA_LAUNCHERS[type(domain)](kernels, domain, name, args, head, body, writes, bound)
