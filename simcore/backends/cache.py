"""Generated source -> an imported module, through a file named by its hash, so that
numba's ``cache=True`` finds the compiled kernels again in a new process."""

from __future__ import annotations

import hashlib
import importlib.util
import os
import sys
import tempfile
from functools import cache
from pathlib import Path
from types import ModuleType

from simcore.codegen import runtime
from simcore.units.registry import cache_root

# Kernels call into these modules; numba does not notice when they change, so their
# source is part of every module's name.
_HELPER_MODULES = (runtime.__file__, str(Path(runtime.__file__).parents[1] / "random.py"))


def cache_dir() -> Path:
    """The ``kernels`` folder of simcore's cache folder."""
    folder = cache_root() / "kernels"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@cache
def _helpers_digest() -> str:
    digest = hashlib.sha256()
    for path in _HELPER_MODULES:
        if os.path.exists(path):
            digest.update(Path(path).read_bytes())
    return digest.hexdigest()[:12]


def load_module(text: str, digest: str) -> ModuleType:
    """Write ``text`` (if new) to ``simcore_<digest>.py`` in the cache folder and import it."""
    name = f"simcore_kernels_{digest}_{_helpers_digest()}"
    if name in sys.modules:
        return sys.modules[name]
    folder = cache_dir()
    path = folder / f"{name}.py"
    if not path.exists() or path.read_text() != text:
        handle, temporary = tempfile.mkstemp(dir=folder, suffix=".tmp")
        with os.fdopen(handle, "w") as stream:
            stream.write(text)
        os.replace(temporary, path)
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[name]
        raise
    return module
