"""Plain-Python code written once and run everywhere: as Python on numbers or numpy arrays, and compiled for the
CPU (numba njit) and the GPU (numba.cuda) by ``simcore.codegen.runtime``."""
