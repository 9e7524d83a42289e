"""Every operation type has its entry in the code-generation registry."""

from simcore.codegen.registry import REGISTRY
from simcore.ir import DETAILS_OF_KIND


def test_every_operation_type_has_one_registry_entry_named_as_its_kind():
    assert set(REGISTRY) == set(DETAILS_OF_KIND.values())
    for kind, details in DETAILS_OF_KIND.items():
        assert REGISTRY[details].label == kind.replace("_", " ")  # the generated comments name it so


def test_only_race_free_element_loops_may_run_in_parallel_on_the_cpu():
    parallel = {kind for kind, details in DETAILS_OF_KIND.items() if REGISTRY[details].cpu_parallel}
    assert parallel == {"state_update", "regular", "threshold", "summed_variable"}
