"""Generated source -> an imported module, through a file named by its hash, so that
numba's ``cache=True`` finds the compiled kernels again in a new process.

numba keeps the compiled kernels as pickles (``.nbi`` index, ``.nbc`` data) in the
``__pycache__`` folder beside the module, and loading them runs code: the folders must pass
``checked_cache_folder`` (checked once per process, when the first module is loaded, before
a run). A module is compiled from its text, not from a ``.pyc``, so no bytecode file is
trusted. Each kernel's cache files are loaded only if their SHA-256 digests match the ones
recorded (``<kernel>.sha256``) when they were saved: numba aborts the whole process on some
damaged data files, so damage must be found before numba reads them. An entry that does not
match, or that numba cannot read, is deleted with a warning and the kernel compiled again;
one without a record (an older simcore, a crash while saving) is compiled again quietly. A
full disk while numba saves an entry only costs that saving.
"""

from __future__ import annotations

import fcntl
import hashlib
import importlib.util
import json
import os
import sys
import tempfile
import threading
import warnings
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from types import ModuleType

from simcore.codegen import runtime
from simcore.errors import CacheFolderError
from simcore.kernels import scalar
from simcore.units.registry import checked_cache_folder

# Kernels call into these modules; numba does not notice when they change, so their
# source is part of every module's name.
_HELPER_MODULES = (runtime.__file__, scalar.__file__,
                   *(str(Path(runtime.__file__).parents[1] / name)
                     for name in ("random.py", "kernels/cable.py", "kernels/fastmath.py")))


def cache_dir() -> Path:
    """The ``kernels`` folder of simcore's cache folder (with numba's ``__pycache__`` in it), checked."""
    folder, problem = checked_cache_folder("kernels", "__pycache__")
    if problem is not None:
        raise CacheFolderError(problem)
    return folder.parent


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
    source = text.encode()
    if not path.is_file() or path.read_bytes() != source:
        _write(path, source)
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    code = compile(source, str(path), "exec")  # numba finds the file by the code's file name
    sys.modules[name] = module
    try:
        exec(code, module.__dict__)
    except BaseException:
        del sys.modules[name]
        raise
    for value in vars(module).values():
        _guard_disk_cache(value)
    return module


def _write(path: Path, source: bytes) -> None:
    """Write atomically; a failure (a full disk, a read-only file system) names the folder."""
    temporary = None
    try:
        handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(handle, "wb") as stream:
            stream.write(source)
        os.replace(temporary, path)
    except OSError as error:
        if temporary is not None:
            Path(temporary).unlink(missing_ok=True)
        raise CacheFolderError(f"cannot write the kernel module {path} in simcore's cache folder "
                               f"({error.strerror or error}); free some space there, or set SIMCORE_CACHE_DIR to "
                               "another writable folder of your own (simcore creates it)") from None


def _guard_disk_cache(dispatcher) -> None:
    """Make a numba dispatcher with a disk cache load only verified entries and survive a full disk."""
    disk_cache = getattr(dispatcher, "_cache", None)
    files = getattr(disk_cache, "_cache_file", None)
    if files is None:  # not a dispatcher, or one without a disk cache (e.g. numba's CUDA simulator)
        return
    load_overload, save_overload = disk_cache.load_overload, disk_cache.save_overload
    index = Path(files._index_path)

    def load_verified(*args):
        if not index.exists():
            return None  # nothing cached: numba compiles
        with _locked(index):
            problem = _unverified(index)
            if problem is None:
                try:
                    return load_overload(*args)
                except Exception as error:  # any unreadable entry: from an incompatible build, say
                    problem = f"{type(error).__name__}: {error}"
            _forget(index, problem)
        return None

    def save_recorded(*args):
        _compiled[0] += 1
        try:
            with _locked(index):
                save_overload(*args)
                if index.exists():
                    _record(index)
        except OSError as error:
            warnings.warn(f"could not save a compiled kernel in {index.parent} ({error.strerror or error}); the run "
                          "goes on, and the kernel is compiled again in the next process", stacklevel=2)

    disk_cache.load_overload, disk_cache.save_overload = load_verified, save_recorded


_compiled = [0]  # kernels this process compiled (each is then saved)


def compilations() -> int:
    """How many kernels this process has compiled so far (not loaded from the cache): what a sweep reports
    per run."""
    return _compiled[0]


_holding: dict[Path, int] = {}  # the lock files this process holds, and how deeply (loading a kernel may load it)
_one_thread = threading.RLock()  # flock does not exclude threads of one process from one another


@contextmanager
def _locked(index: Path):
    """A kernel's cache entry held by this process while it saves and records its files, or checks, loads or
    deletes them: processes that share the folder, such as the workers of a sweep, never see a half-saved
    entry or delete one another's. Re-entrant (numba may load a kernel while loading it); where the file system
    cannot lock, the entry is used without."""
    path = index.with_name(f"{index.name}.lock")
    with _one_thread:
        if _holding.get(path):
            _holding[path] += 1
            try:
                yield
            finally:
                _holding[path] -= 1
            return
        try:
            handle = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError:
            yield
            return
        try:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX)
            except OSError:
                pass
            _holding[path] = 1
            yield
        finally:
            _holding.pop(path, None)
            os.close(handle)  # releases the lock


def _entry_files(index: Path) -> list[Path]:
    """A kernel's index file and its data files (one per compiled signature)."""
    return [index, *sorted(index.parent.glob(f"{index.stem}.*.nbc"))]


def _digests(index: Path) -> dict[str, str]:
    return {path.name: hashlib.sha256(path.read_bytes()).hexdigest() for path in _entry_files(index)}


def _record_path(index: Path) -> Path:
    return index.with_name(f"{index.stem}.sha256")


def _record(index: Path) -> None:
    """Write the digests of the kernel's files as numba just saved them (atomically)."""
    handle, temporary = tempfile.mkstemp(dir=index.parent, suffix=".tmp")
    try:
        with os.fdopen(handle, "w") as stream:
            json.dump(_digests(index), stream)
        os.replace(temporary, _record_path(index))
    finally:
        Path(temporary).unlink(missing_ok=True)


def _unverified(index: Path) -> str | None:
    """Why the kernel's cache files must not be loaded ('' if they have no record), or None."""
    try:
        recorded = json.loads(_record_path(index).read_text())
    except FileNotFoundError:
        return ""
    except (OSError, ValueError) as error:
        return f"its record of digests is damaged ({error})"
    try:
        found = _digests(index)
    except OSError as error:
        return f"it cannot be read ({error.strerror or error})"
    changed = sorted(name for name in recorded.keys() | found.keys() if recorded.get(name) != found.get(name))
    return f"{', '.join(changed)} differ from what was saved" if changed else None


def _forget(index: Path, problem: str) -> None:
    """Delete a kernel's cache files, so that it is compiled and saved again; say why unless they had no record."""
    damaged = [*_entry_files(index), _record_path(index)]
    for path in damaged:
        path.unlink(missing_ok=True)
    if problem:
        warnings.warn(f"simcore's kernel cache entry {index} could not be used ({problem}): deleted it and its files "
                      f"({', '.join(p.name for p in damaged[1:])}); the kernel is compiled again", stacklevel=3)
