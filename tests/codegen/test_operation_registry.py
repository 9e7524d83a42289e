"""Every operation type has its entry in the code-generation registry."""

from simcore.codegen.registry import REGISTRY
from simcore.ir import KIND_OF_DETAILS


def test_every_operation_type_has_one_registry_entry():
    assert set(REGISTRY) == set(KIND_OF_DETAILS)


def test_only_race_free_element_loops_may_run_in_parallel_on_the_cpu():
    parallel = {KIND_OF_DETAILS[details] for details, entry in REGISTRY.items() if entry.cpu_parallel}
    assert parallel == {"state update", "regular", "threshold", "summed variable", "cable equation"}
