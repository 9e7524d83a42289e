"""One registry of operation types, keyed by the class of ``Operation.details``: for each type, its CPU
template, its GPU generator, its buffer-capacity check, whether its CPU loop may run as prange and its
iteration domain. Both back ends and the CPU backend's choice of parallel loops look types
up here; adding an operation type means adding its details class (simcore.ir) and one entry here (a new domain:
its type in ``domains`` and a launcher in ``cpu_launchers`` and in ``cuda_launchers``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from simcore.codegen import (
    cable_template,
    capacity,
    cuda_cable,
    cuda_ops,
    cuda_pathways,
    cuda_threshold,
    input_templates,
    templates,
)
from simcore.codegen.bodies import RandomStreams
from simcore.codegen.cuda_kernels import Kernels
from simcore.codegen.domains import Elements, Events, IncomingPerTarget, PerNeuron, Serial, SynapsesOfEvents
from simcore.codegen.templates import Function
from simcore.ir import (
    CableDetails,
    Operation,
    PathwayDetails,
    RateMonitorDetails,
    RegularDetails,
    ResetDetails,
    SpikeGeneratorDetails,
    SpikeMonitorDetails,
    StateMonitorDetails,
    StateUpdateDetails,
    SummedDetails,
    ThresholdDetails,
)

CpuTemplate = Callable[[Operation, RandomStreams, bool], Function]  # (op, streams, parallel)
CudaGenerator = Callable[[Kernels, Operation, int], None]  # (kernels, op, its number in the schedule)
CapacityCheck = Callable[[Operation], tuple[str, tuple[str, ...]] | None]  # (condition, arrays read)


@dataclass(frozen=True, slots=True)
class OperationType:
    """What each back end does with one type of operation. ``domain``: its iteration domain (the type of
    ``domains``), whose launcher on each device wraps its body; ``cpu_parallel``: its element loop has no races
    (updates of each element, thresholds in blocks, summed variables gathered per target), so it may run as
    prange."""

    cpu: CpuTemplate
    cuda: CudaGenerator
    capacity: CapacityCheck | None = None
    cpu_parallel: bool = False
    domain: type = field(kw_only=True)


REGISTRY: dict[type, OperationType] = {
    StateUpdateDetails: OperationType(templates.state_update, cuda_ops.state_update,
                                      cpu_parallel=True, domain=Elements),
    RegularDetails: OperationType(templates.state_update, cuda_ops.state_update, cpu_parallel=True,
                                  domain=Elements),
    ThresholdDetails: OperationType(templates.threshold, cuda_threshold.threshold, cpu_parallel=True,
                                    domain=Elements),
    ResetDetails: OperationType(templates.reset, cuda_ops.reset, domain=Events),
    SpikeMonitorDetails: OperationType(templates.spike_monitor, cuda_ops.spike_monitor,
                                       capacity.spike_records, domain=Events),
    StateMonitorDetails: OperationType(templates.state_monitor, cuda_ops.state_monitor,
                                       capacity.one_record, domain=Elements),
    RateMonitorDetails: OperationType(templates.rate_monitor, cuda_ops.rate_monitor,
                                      capacity.one_record, domain=Serial),
    SpikeGeneratorDetails: OperationType(input_templates.spike_generator,
                                         cuda_ops.spike_generator, domain=Serial),
    PathwayDetails: OperationType(templates.synaptic_pathway, cuda_pathways.pathway,
                                  capacity.delay_ring, domain=SynapsesOfEvents),
    SummedDetails: OperationType(templates.summed_variable, cuda_ops.summed_variable,
                                 cpu_parallel=True, domain=IncomingPerTarget),
}


REGISTRY[CableDetails] = OperationType(cable_template.cable, cuda_cable.cable, cpu_parallel=True, domain=PerNeuron)


def operation_type(op: Operation) -> OperationType:
    """The registry's entry for ``op``."""
    return REGISTRY[type(op.details)]
