"""The small helpers that generated kernels call (imported by name in the module): the plain-Python
functions of ``simcore.kernels.scalar`` compiled for each target, as numba njit functions under their names in
generated code here, and as ``cuda.jit(device=True)`` versions from ``cuda_helpers()`` (which alone imports
numba.cuda)."""

from __future__ import annotations

import functools
import types

from numba import njit

from simcore.equations.functions import FUNCTIONS
from simcore.kernels.scalar import HELPERS, LIBM_MATH
from simcore.preferences import vector_math

_OPTIONS = {"cache": True, "inline": "always", "error_model": "numpy"}


NAMES = tuple(sorted(HELPERS))  #: the helpers' names in generated code


def kernel_options(parallel: bool = False) -> str:
    """numba's options for a generated CPU kernel. With ``prefs.codegen.vector_math``, also the ``contract``
    fast-math flag: LLVM may fuse ``a*b + c`` into one rounding (FMA; 1.4x on a Hodgkin-Huxley update, measured),
    as Brian 2's C++ does (compiled with -ffast-math); no other fast-math flag (inf and NaN stay as IEEE says,
    no reassociation: simcore.kernels.fastmath relies on both). Without it, arithmetic rounds each operation as
    Python does, and as numba.cuda's simulator does."""
    return ('cache=True, error_model="numpy"' + (', fastmath={"contract"}' if vector_math() else "")
            + (", parallel=True" if parallel else ""))


def runtime_imports() -> list[str]:
    """The lines of a generated CPU module that import the helpers: the transcendental functions (``LIBM_MATH``'s
    names) from ``simcore.kernels.fastmath``, whose loops vectorise, unless ``prefs.codegen.vector_math`` is off;
    the lines differ with the preference, and so does the cached module."""
    if not vector_math():
        return [f"from simcore.codegen.runtime import {', '.join(NAMES)}"]
    fast = ", ".join(f"{name[1:]} as {name}" for name in sorted(LIBM_MATH))
    return [f"from simcore.codegen.runtime import {', '.join(name for name in NAMES if name not in LIBM_MATH)}",
            f"from simcore.kernels.fastmath import {fast}"]


CABLE_STEP_CUDA = "cable_step_cuda"  #: the name of the cable equation's device function in generated code


def cuda_runtime_lines(cable: bool = False) -> list[str]:
    """The lines of a generated numba.cuda module that bind the helpers and random draws (``uniform_cuda``, ...)
    to the names the generated code calls; with ``cable``, also the cable equation's step."""
    lines = ["from simcore.codegen.runtime import cooperative_launch, cuda_helpers",
             "from simcore.random import cuda_device_functions", "", "_helpers = cuda_helpers()",
             *[f"{name} = _helpers.{name}" for name in NAMES], "_random = cuda_device_functions()",
             *[f"{f.draw}_cuda = _random.{f.draw}" for f in FUNCTIONS if f.draw]]
    return lines + ([f"from simcore.kernels.cable_cuda import step as {CABLE_STEP_CUDA}"] if cable else [])


# each helper compiled for the CPU, under its name in generated code (``runtime_imports`` imports them)
globals().update({name: njit(**_OPTIONS)(function) for name, function in HELPERS.items()})


def cooperative_launch(kernel, arguments: tuple, threads: int, wanted: int):
    """``kernel`` (which synchronises its whole grid) specialised for ``arguments``, and how many blocks of
    ``threads`` to launch: ``wanted`` at most, and no more than the GPU runs at once (a cooperative launch
    needs every block resident)."""
    specialized = kernel.specialize(*arguments)
    try:
        key = tuple(specialized.typeof_pyval(a) for a in arguments)
        limit = specialized.overloads[key].max_cooperative_grid_blocks(threads)
    except AttributeError:  # numba's CUDA simulator: one block per cooperative grid
        limit = 1
    return specialized, max(1, min(wanted, limit))


@functools.cache
def cuda_helpers() -> types.SimpleNamespace:
    """The same helpers as ``cuda.jit(device=True)`` functions, by the names generated code uses."""
    from numba import cuda

    return types.SimpleNamespace(**{name: cuda.jit(device=True)(function) for name, function in HELPERS.items()})
