"""A network's operations -> the source of a numba.cuda module.

Each operation becomes one or a few device functions, made by its type's generator (``registry``); the
element code in them (loads, the model's statements, random draws, stores) comes from ``bodies``, as the
CPU's. How elements map to GPU threads: ``cuda_ops`` (element-wise operations, monitors, and what runs on
one thread, with a warning), ``cuda_threshold`` (thresholds, fused with their group's state update),
``cuda_pathways`` (synaptic pathways), ``cuda_cable`` (a SpatialNeuron's cable equation), each through the
launcher of its iteration domain (``cuda_launchers``); the launch machinery is in ``cuda_kernels``.

Two ways to run them, both in the module: ``run_chunk``, a host loop launching one kernel per device
function and step, and ``run_chunk_fused``, which launches ``run_steps`` once per chunk: a cooperative
kernel in which every thread of the grid goes through the steps, with a grid-wide barrier where a device
function needs what an earlier one wrote (``Barriers``). ``profile_chunk`` is ``run_chunk`` with each
operation timed.

Device control (``_ctl``, int64, ``control_array()``): ``[0]`` the step at which the run must stop (-1: none),
``[1]`` why (a status of ``simcore.codegen.status``), ``[2]`` the number of the operation that stored a
value that is not finite (NaN or inf), ``[3]`` the step in which it did. Only ``_step_checks``, at the start of a step,
stores ``[0]``: it stops the chunk there when the step's records might not fit the monitors' buffers or the
rings of delayed events (the state is then the one at the start of that step, and the run goes on from there
once the buffers grew), or when a value was not finite in the step before (an error; the rest of that step
ran). Launches store no stop into ``[0]``, so the fused kernel reads it after one barrier, not two.
"""

from __future__ import annotations

import hashlib

import numba
import numpy as np

from simcore.codegen.bodies import INDENT, RandomStreams, comment
from simcore.codegen.cuda_kernels import THREADS, Barriers, Kernels, in_grid, simulated, wrapper
from simcore.codegen.fusion import fusions
from simcore.codegen.handles import kernel_arguments
from simcore.codegen.module import Source, capacity_check, remembered
from simcore.codegen.registry import operation_type
from simcore.codegen.runtime import cuda_runtime_lines
from simcore.codegen.status import STATUS_BUFFER_FULL, STATUS_DONE
from simcore.ir import CableDetails, Operation

POLL = 64  #: steps between two looks at ``_ctl`` from the host (each one waits for the GPU)


def control_array() -> np.ndarray:
    """A fresh ``_ctl`` (on the host): no stop, no value found not finite."""
    return np.array([-1, STATUS_DONE, -1, -1], dtype=np.int64)


def halt(control: np.ndarray) -> tuple[int, int, int]:
    """From ``_ctl`` after a chunk: the step at which the run stopped (-1: none), why, and the number of the
    operation that stored a value not finite (its stop may not have been moved into ``[0]``: the chunk
    ended with that step)."""
    step, status, number, not_finite = (int(v) for v in control)
    return (not_finite if step < 0 else step), status, number


@remembered
def generate(operations: list[Operation], title: str, version: str) -> Source:
    """The module: device functions per operation; ``run_chunk``, a host loop launching one kernel per
    device function and step; ``run_chunk_fused``, one cooperative kernel running the whole chunk, with grid-wide
    barriers only where they are needed (one launch per chunk instead of a dozen per step)."""
    streams = RandomStreams.of(operations, target="cuda")
    moved = fusions(operations)  # state updates that run in their threshold's kernel
    kernels = Kernels(streams, {threshold: (operations[update], update) for update, threshold in moved.items()})
    steps, fused_steps, timed_steps, params, operation_names, wrappers = [], [], [], [], [], []
    written: set[str] = set()
    checks, check_arrays = [], []
    widest = 1
    barriers = Barriers()
    for number, op in enumerate(operations):
        if number in moved:  # runs in its threshold's kernel
            operation_names.append(None)
            continue
        first = len(kernels.launches)
        update = kernels.fused.get(number)
        operation_type(op).cuda(kernels, op, number)
        operation_names.append(f"{update[0].name} + {op.name}" if update else op.name)
        calls, fused = [], []
        guard = [f"if _step % {op.ticks} == 0:"] if op.ticks > 1 else []
        fused_steps += barriers.flush() if guard else []  # within the guard, a barrier after each launch
        for launch in kernels.launches[first:]:
            actual = kernel_arguments(launch.args, launch.bound)
            stored = {name for arg, name in zip(launch.args, actual, strict=True) if arg in launch.written}
            written |= stored
            fused += barriers.before(set(actual), stored) + in_grid(launch, actual)
            fused += barriers.flush() if guard else []
            params += [a for a in actual if a not in kernels.work and a not in ("_ctl", "_step", "_t", "_seed")
                       and not a.startswith("_dt")]
            lines, shape = wrapper(launch)
            wrappers += lines
            calls.append(f"{launch.name}__kernel[{shape}]({', '.join(actual)})")
            widest = max(widest, launch.threads or 1)
        heading = comment(f"{op.kind}: {op.owner} ({op.when}, order {op.order})")
        indent = INDENT if guard else ""
        steps += [heading, *guard, *[indent + c for c in calls]]
        fused_steps += [heading, *guard, *[indent + c for c in fused]]
        timed = ["_began = perf_counter()", *calls, "cuda.synchronize()",
                 f"_timers[{number}] += perf_counter() - _began"]
        timed_steps += [heading, *guard, *[indent + c for c in timed]]
        check = capacity_check(op)
        if check:
            checks += [f"if {check[0]}:", f"{INDENT}_ctl[1] = {STATUS_BUFFER_FULL}", f"{INDENT}_ctl[0] = _step",
                       f"{INDENT}return"]
            check_arrays += check[1]
    fused_steps += ["_grid.sync()"]  # the step's records before the next step's checks
    params = list(dict.fromkeys(params + check_arrays))
    check_args = ["_step", "_ctl", *dict.fromkeys(check_arrays)]
    work = list(kernels.work)
    fused_threads = 8 if simulated() else THREADS
    lines = [comment(f"{title}: generated by simcore {version} with numba {numba.__version__} for numba.cuda."), "",
             "import math", "from time import perf_counter", "", "import numpy as np", "from numba import cuda", "",
             *cuda_runtime_lines(any(isinstance(op.details, CableDetails) for op in operations)), "", "",
             "@cuda.jit(device=True)", f"def _step_checks({', '.join(check_args)}):",
             f'{INDENT}"""At the start of a step: stop there if a value was not finite in the step before, or if '
             f'its records might not fit a buffer."""',
             f"{INDENT}if _ctl[0] >= 0:", f"{INDENT * 2}return", f"{INDENT}if _ctl[3] >= 0:  # a value not finite",
             f"{INDENT * 2}_ctl[0] = _ctl[3]", f"{INDENT * 2}return", *[INDENT + c for c in checks], "", ""]
    lines += kernels.lines + wrappers
    lines += ["@cuda.jit(cache=True)", "def _step_checks_kernel(" + ", ".join(check_args) + "):",
              f"{INDENT}_step_checks({', '.join(check_args)})", "", ""]
    everything = ", ".join(["_step_start", "_step_stop", "_dt", "_seed", "_ctl", *params, *work])
    lines += ["@cuda.jit(cache=True)", f"def run_steps({everything}):",
              f'{INDENT}"""Steps _step_start.._step_stop - 1 in one cooperative launch."""',
              f"{INDENT}_grid = cuda.cg.this_grid()", f"{INDENT}_g0 = cuda.grid(1)",
              f"{INDENT}_stride = cuda.gridsize(1)",
              f"{INDENT}for _step in range(_step_start, _step_stop):",
              f"{INDENT * 2}_t = _step * _dt", f"{INDENT * 2}if _g0 == 0:",
              f"{INDENT * 3}_step_checks({', '.join(check_args)})", f"{INDENT * 2}_grid.sync()",
              f"{INDENT * 2}if _ctl[0] >= 0:  # only _step_checks stores it, between two barriers",
              f"{INDENT * 3}return", *[INDENT * 2 + line for line in fused_steps], "", ""]
    allocations = [f"{INDENT}{name} = {allocation}" for name, allocation in kernels.work.items()]
    poll = [f"if (_step - _step_start) % {POLL} == {POLL - 1} and _ctl.copy_to_host()[0] >= 0:", f"{INDENT}break"]
    loop = ["_t = _step * _dt", f"_step_checks_kernel[1, 1]({', '.join(check_args)})", *steps, *poll]
    timed_loop = ["_t = _step * _dt", f"_step_checks_kernel[1, 1]({', '.join(check_args)})", *timed_steps, *poll]
    lines += [f"def run_chunk(_step_start, _step_stop, _dt, _seed, _ctl, {', '.join(params)}):",
              f'{INDENT}"""Launch the kernels of steps _step_start.._step_stop - 1; stop early once halted."""',
              *allocations, f"{INDENT}for _step in range(_step_start, _step_stop):",
              *[INDENT * 2 + line for line in loop], "", "",
              f"def run_chunk_fused(_step_start, _step_stop, _dt, _seed, _ctl, {', '.join(params)}):",
              f'{INDENT}"""Steps _step_start.._step_stop - 1 in one launch of run_steps."""', *allocations,
              f"{INDENT}_arguments = ({everything},)",
              f"{INDENT}_kernel, _blocks = cooperative_launch(run_steps, _arguments, {fused_threads}, "
              f"{-(-widest // fused_threads)})",
              f"{INDENT}_kernel[_blocks, {fused_threads}](*_arguments)", "", "",
              f"def profile_chunk({', '.join(['_step_start', '_step_stop', '_dt', '_seed', '_ctl', *params])}, "
              "_timers):",
              f'{INDENT}"""run_chunk with the GPU time of each operation added to _timers (a synchronisation each)."""',
              *allocations, f"{INDENT}for _step in range(_step_start, _step_stop):",
              *[INDENT * 2 + line for line in timed_loop], ""]
    text = "\n".join(lines)
    digest = hashlib.sha256(f"cuda\n{version}\n{numba.__version__}\n{text}".encode()).hexdigest()[:24]
    return Source(text, tuple(params), digest, kernels.error_vars, tuple(operation_names), kernels.error_arrays,
                  tuple(p for p in params if p in written))
