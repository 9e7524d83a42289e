"""What a device function (or CPU kernel) stores into is stated by the code that writes its lines; the fused
kernel's barriers and the arrays copied back to the host rest on it. Checked here against a scan of the lines
for stores (``x[...] = ``, ``x[...] += ``, atomic additions) on the networks of the equivalence tests; only
generated, never run."""

import re

import pytest
from test_equivalence import BUILDERS, build_shared_counters

from simcore import Network, seed, start_scope
from simcore.backends.select import building_for
from simcore.codegen import cuda_kernels, cuda_module, module
from simcore.codegen.templates import RandomStreams
from simcore.plan import build_plan
from simcore.plan.schedule import slot_ranks

NETWORKS = [*BUILDERS, build_shared_counters]
_STORE = re.compile(r"^\s*(\w+)\[.*\]\s*[-+*/]?=[^=]|cuda\.atomic\.add\((\w+),")


def stored_into(lines: list[str]) -> set[str]:
    return {next(group for group in match.groups() if group) for line in lines if (match := _STORE.search(line))}


def operations_of(build, device: str) -> list:
    start_scope()
    seed(1)
    objects, _ = build()
    network = Network(*objects)
    with building_for(device):
        operations = list(build_plan(network.objects, None, {}, slot_ranks(network.schedule)).operations)
    return operations


@pytest.mark.parametrize("build", NETWORKS, ids=lambda build: build.__name__)
def test_each_launch_states_what_it_stores_into(build, monkeypatch):
    bodies, kernels = {}, []
    add = cuda_kernels.Kernels.add

    def recording(self, name, args, lines, *rest, **options):
        bodies[name] = lines
        kernels[:] = [self]
        add(self, name, args, lines, *rest, **options)

    monkeypatch.setattr(cuda_kernels.Kernels, "add", recording)
    cuda_module.generate(operations_of(build, "cuda"), "writes", "test")
    assert kernels[0].launches
    for launch in kernels[0].launches:
        assert launch.written == stored_into(bodies[launch.name]) - {"_ctl"}, launch.name  # _ctl: a stop, not data
        assert launch.written <= set(launch.args), launch.name


@pytest.mark.parametrize("build", NETWORKS, ids=lambda build: build.__name__)
def test_each_cpu_function_states_what_it_stores_into(build):
    operations = operations_of(build, "cpu")
    streams = RandomStreams.of(operations)
    for op in operations:
        for parallel in (False, True):
            function = module.function_for(op, streams, parallel)
            assert function.writes == stored_into(function.lines) & set(function.args) - {"_err"}, function.name
