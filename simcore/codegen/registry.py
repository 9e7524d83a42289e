"""One registry of operation types, keyed by the class of ``Operation.details``: for each type, how it is
named in comments, its CPU template, its GPU generator, its buffer-capacity check and whether its CPU loop may
run as prange. Both back ends and the CPU backend's choice of parallel loops look types up here; adding an
operation type means adding its details class (simcore.ir) and one entry here."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from simcore.codegen import capacity, cuda_ops, cuda_pathways, cuda_threshold, input_templates, templates
from simcore.codegen.bodies import RandomStreams
from simcore.codegen.cuda_kernels import Kernels
from simcore.codegen.templates import Function
from simcore.ir import (
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
    """What each back end does with one type of operation. ``cpu_parallel``: its element loop has no races
    (updates of each element, thresholds in blocks, summed variables gathered per target), so it may run as
    prange."""

    label: str
    cpu: CpuTemplate
    cuda: CudaGenerator
    capacity: CapacityCheck | None = None
    cpu_parallel: bool = False


REGISTRY: dict[type, OperationType] = {
    StateUpdateDetails: OperationType("state update", templates.state_update, cuda_ops.state_update,
                                      cpu_parallel=True),
    RegularDetails: OperationType("regular", templates.state_update, cuda_ops.state_update, cpu_parallel=True),
    ThresholdDetails: OperationType("threshold", templates.threshold, cuda_threshold.threshold, cpu_parallel=True),
    ResetDetails: OperationType("reset", templates.reset, cuda_ops.reset),
    SpikeMonitorDetails: OperationType("spike monitor", templates.spike_monitor, cuda_ops.spike_monitor,
                                       capacity.spike_records),
    StateMonitorDetails: OperationType("state monitor", templates.state_monitor, cuda_ops.state_monitor,
                                       capacity.one_record),
    RateMonitorDetails: OperationType("rate monitor", templates.rate_monitor, cuda_ops.rate_monitor,
                                      capacity.one_record),
    SpikeGeneratorDetails: OperationType("spike generator", input_templates.spike_generator,
                                         cuda_ops.spike_generator),
    PathwayDetails: OperationType("synaptic pathway", templates.synaptic_pathway, cuda_pathways.pathway,
                                  capacity.delay_ring),
    SummedDetails: OperationType("summed variable", templates.summed_variable, cuda_ops.summed_variable,
                                 cpu_parallel=True),
}


def operation_type(op: Operation) -> OperationType:
    """The registry's entry for ``op``."""
    return REGISTRY[type(op.details)]
