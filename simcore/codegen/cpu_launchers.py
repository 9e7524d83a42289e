"""The CPU's loops, one launcher per iteration domain (``domains``): each wraps a per-element body (lines without
indentation) in its loops and returns the lines at ``depth`` levels of indentation. ``parallel``: the outer loop
is a prange (elements, targets, neurons, the target blocks of a pathway); domains whose order matters ignore it.
The templates (``templates``, ``input_templates``) call ``loop``."""

from __future__ import annotations

from collections.abc import Callable

from simcore.codegen.bodies import INDENT
from simcore.codegen.domains import (
    Domain,
    Elements,
    Events,
    IncomingPerTarget,
    PerNeuron,
    Serial,
    SynapsesOfEvents,
)
from simcore.ir import PathwayDetails


def indented(lines: list[str], depth: int) -> list[str]:
    return [INDENT * depth + line for line in lines]


def _prange(parallel: bool) -> str:
    return "prange" if parallel else "range"


def elements(domain: Elements, body: list[str], parallel: bool = False, depth: int = 1) -> list[str]:
    """A range (prange) loop over the elements."""
    span = f"{domain.start}, {domain.start + domain.size}" if domain.start else str(domain.size)
    return [f"{INDENT * depth}for {domain.index} in {_prange(parallel)}({span}):", *indented(body, depth + 1)]


def events(domain: Events, body: list[str], parallel: bool = False, depth: int = 1) -> list[str]:
    """A loop over the whole spike list, in its order (the body skips elements outside a ``span``)."""
    element = f"_spikes[_k] - {domain.offset}" if domain.offset else "_spikes[_k]"
    return [f"{INDENT * depth}for _k in range(_nspikes[0]):", f"{INDENT * (depth + 1)}{domain.index} = {element}",
            *indented(body, depth + 1)]


def synapses_of_events(domain: SynapsesOfEvents, body: list[str], parallel: bool = False,
                       depth: int = 1) -> list[str]:
    """Target blocks (prange: each writes its own targets) > the arriving events in order (with delays: the
    ring's slots of each delay, ``_capacity`` long, set before) > each event's synapses."""
    details = domain.pathway
    start, stop = details.range
    lines = [f"{INDENT * depth}for _b in {_prange(parallel)}({details.blocks}):"] if details.blocks > 1 else []
    depth += len(lines)
    if details.delays == "none":
        in_range = [] if details.whole_source else [f"if 0 <= _src < {stop - start}:"]
        synapses = [*in_range, *indented(_synapses_of_source(details, body), len(in_range))]
        return lines + events(Events(details.sources, "_src", start), synapses, depth=depth)
    prefix, slots = details.prefix, details.slots
    delays = f"range({slots - 1}, -1, -1)" if details.delays == "heterogeneous" else f"({details.steps},)"
    return lines + [f"{INDENT * depth}for _d in {delays}:",
                    f"{INDENT * (depth + 1)}_from = ({domain.own_step} - _d) % {slots}",
                    f"{INDENT * (depth + 1)}_first = {prefix}_hist_start[_from]",
                    f"{INDENT * (depth + 1)}for _k in range({prefix}_hist_count[_from]):",
                    f"{INDENT * (depth + 2)}_src = {prefix}_hist[(_first + _k) % _capacity]",
                    *indented(_synapses_of_source(details, body), depth + 2)]


def _synapses_of_source(details: PathwayDetails, body: list[str]) -> list[str]:
    """The synapses of triggering element ``_src`` in block ``_b`` (those with delay ``_d`` if delays differ),
    running ``body``. Blocks split the targets: block b holds the synapses onto its targets."""
    prefix = details.prefix
    first = f"_b * {details.sources} + _src" if details.blocks > 1 else "_src"
    if details.delays == "heterogeneous":
        lines = [f"_lo = {prefix}_ptr[{first}]", f"_hi = {prefix}_ptr[{first} + 1]",
                 f"for _p in range(_search_sorted({prefix}_dsorted, _lo, _hi, _d, False), "
                 f"_search_sorted({prefix}_dsorted, _lo, _hi, _d, True)):"]
    else:
        lines = [f"for _p in range({prefix}_ptr[{first}], {prefix}_ptr[{first} + 1]):"]
    lines.append(f"{INDENT}_s = {prefix}_syn[_p]" if details.indirect else f"{INDENT}_s = _p")
    return lines + indented(body, 1)


def incoming_per_target(domain: IncomingPerTarget, body: list[str], parallel: bool = False,
                        depth: int = 1) -> list[str]:
    """A range (prange) loop over the targets; the body gathers over each one's synapses."""
    return [f"{INDENT * depth}for {domain.index} in {_prange(parallel)}({domain.size}):", *indented(body, depth + 1)]


def serial(domain: Serial, body: list[str], parallel: bool = False, depth: int = 1) -> list[str]:
    """The body as it is, once."""
    return indented(body, depth)


def per_neuron(domain: PerNeuron, body: list[str], parallel: bool = False, depth: int = 1) -> list[str]:
    """A range (prange) loop over the blocks of neurons, each with its first compartment and its neurons."""
    blocks = -(-domain.neurons // domain.block)
    return [f"{INDENT * depth}for _block in {_prange(parallel)}({blocks}):",
            f"{INDENT * (depth + 1)}_first = _block * {domain.block * domain.compartments}",
            f"{INDENT * (depth + 1)}_neurons = min({domain.block}, {domain.neurons} - _block * {domain.block})",
            *indented(body, depth + 1)]


CPU_LAUNCHERS: dict[type, Callable[..., list[str]]] = {
    Elements: elements, Events: events, SynapsesOfEvents: synapses_of_events,
    IncomingPerTarget: incoming_per_target, Serial: serial, PerNeuron: per_neuron,
}


def loop(domain: Domain, body: list[str], parallel: bool = False, depth: int = 1) -> list[str]:
    """``body`` in the loops of ``domain``'s launcher."""
    return CPU_LAUNCHERS[type(domain)](domain, body, parallel, depth)
