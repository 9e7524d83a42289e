"""Iteration domains: over what an operation's per-element body runs. Each operation type declares its domain
(``registry``); each device has one launcher per domain type (``cpu_launchers.CPU_LAUNCHERS``: loops,
``cuda_launchers.CUDA_LAUNCHERS``: thread mappings) that wraps the body, so a new operation type writes only its
body and a new structure of loops is written once per device. A domain value carries what its launchers need:
sizes, the names the body reads (the element's index), the pathway's tables."""

from __future__ import annotations

from dataclasses import dataclass

from simcore.ir import PathwayDetails


@dataclass(frozen=True, slots=True)
class Elements:
    """Each element ``start`` to ``start + size - 1`` on its own, as ``index`` (state updates, thresholds,
    run_regularly; a state monitor's recorded elements, ``size`` then an expression)."""

    size: int | str
    start: int = 0
    index: str = "_i"


@dataclass(frozen=True, slots=True)
class Events:
    """Each element in this step's spike (event) list, as ``index`` (minus ``offset``: its number in a range).
    ``span``: positions (first, one past the last) in the list of the elements of interest, as expressions
    (None: the whole list); ``size``: the most there can be (GPU threads)."""

    size: int
    index: str = "_i"
    offset: int = 0
    span: tuple[str, str] | None = None


@dataclass(frozen=True, slots=True)
class SynapsesOfEvents:
    """Each synapse (``_s`` in the body) whose presynaptic event arrives in this step: this step's events, or
    with delays those of ring slots ``own_step - delay``; ``pathway``: the tables, delays and blocks."""

    pathway: PathwayDetails
    own_step: str


@dataclass(frozen=True, slots=True)
class IncomingPerTarget:
    """Each of ``size`` targets, as ``index``, gathering over its incoming synapses in their order (summed
    variables: no two threads write one target)."""

    size: int
    index: str


@dataclass(frozen=True, slots=True)
class Serial:
    """Once per step, on one thread (a spike generator's table, a rate monitor's count, a record count)."""


@dataclass(frozen=True, slots=True)
class PerNeuron:
    """``neurons`` neurons of ``compartments`` consecutive compartments, each independent of the others (a tree
    solve per neuron), ``block`` consecutive neurons at a time on the CPU (one a thread on the GPU): the body gets
    the first compartment of its neurons, ``_first``, and how many neurons it has, ``_neurons``."""

    neurons: int
    compartments: int
    block: int = 1


Domain = Elements | Events | SynapsesOfEvents | IncomingPerTarget | Serial | PerNeuron
DOMAINS: tuple[type, ...] = (Elements, Events, SynapsesOfEvents, IncomingPerTarget, Serial, PerNeuron)
