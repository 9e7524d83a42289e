"""simcore's cache folder holds files that run as code (kernel modules, numba's pickles, solver and pint
pickles): it is private, foreign or damaged files are never loaded, and an unusable folder gets a clear
error naming it (issue 12, cases 3 and 12)."""

import os
import pickle
import re
import shutil
import stat
import subprocess
import sys
import textwrap
import uuid
import warnings

import pytest

from simcore import Network, NeuronGroup, ms
from simcore.backends.cache import cache_dir, load_module
from simcore.equations import Equations
from simcore.errors import CacheFolderError, ModelError
from simcore.solvers import cache as solver_cache
from simcore.solvers import integrate
from simcore.units.registry import cache_folder, make_registry

MODEL = "dv/dt = (1 - v)/(10*ms) : 1"
KERNEL = "from numba import njit\n\n\n@njit(cache=True)\ndef add_one(x):\n    return x + 1\n"


class Planted:
    """Unpickling this creates the file ``marker``: what a hostile cache entry would do."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return open, (self.marker, "w")


@pytest.fixture
def cache(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv("SIMCORE_CACHE_DIR", str(folder))
    return folder


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


# --- permissions and owner ---------------------------------------------------------------------------------

def test_new_cache_folders_are_private(tmp_path, monkeypatch):
    monkeypatch.delenv("SIMCORE_CACHE_DIR", raising=False)
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))  # the default, ~/.cache/simcore, as in a fresh CI clone
    root = tmp_path / ".cache" / "simcore"
    assert cache_dir() == root / "kernels"
    assert cache_folder() == root / "pint"
    integrate(MODEL, "euler")
    for folder in (root, root / "kernels", root / "kernels" / "__pycache__", root / "pint", root / "solvers"):
        assert _mode(folder) == 0o700, folder
    assert _mode(root / "solvers" / "key") == 0o600


def test_an_existing_folder_that_only_its_owner_writes_is_used(cache):
    cache.mkdir(mode=0o755)
    os.chmod(cache, 0o755)  # as older versions made it
    assert cache_dir() == cache / "kernels"
    assert _mode(cache) == 0o755


@pytest.mark.parametrize("mode", [0o777, 0o775, 0o1777])
def test_a_cache_folder_others_can_write_is_refused_before_anything_runs(cache, mode):
    cache.mkdir()
    os.chmod(cache, mode)
    network = Network(NeuronGroup(1, MODEL))
    with pytest.raises(CacheFolderError, match=f"{re.escape(str(cache))} can be written by other users") as refused:
        network.run(0.1 * ms)
    assert f"chmod 700 {cache}" in str(refused.value) and "SIMCORE_CACHE_DIR" in str(refused.value)
    assert isinstance(refused.value, ModelError) and isinstance(refused.value, OSError)
    assert network.t == 0 * ms and not (cache / "solvers").exists() and not (cache / "kernels").exists()


def test_an_open_kernels_folder_is_refused_at_run(cache):
    cache.mkdir(mode=0o700)
    (cache / "kernels").mkdir()
    os.chmod(cache / "kernels", 0o757)
    with pytest.raises(CacheFolderError, match=f"{re.escape(str(cache / 'kernels'))} can be written by other users"):
        Network(NeuronGroup(1, MODEL)).run(0.1 * ms)
    assert not (cache / "kernels" / "__pycache__").exists()


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="chown needs root")
def test_a_cache_folder_of_another_user_is_refused(cache):
    cache.mkdir(mode=0o700)
    (cache / "solvers").mkdir(mode=0o700)
    os.chown(cache / "solvers", 65534, 65534)
    with pytest.raises(CacheFolderError, match=re.escape(f"{cache / 'solvers'} belongs to another user (uid 65534; "
                                                         "you are uid 0)")):
        integrate(MODEL, "euler")


# --- solver results: only entries simcore wrote are unpickled ---------------------------------------------------

def _entry(equations: str, method: str):
    return solver_cache.key(Equations(equations), (method,))


def test_a_planted_solver_pickle_is_never_unpickled(cache, tmp_path):
    expected = integrate(MODEL, "rk2")
    marker = tmp_path / "unpickled"
    entry = _entry(MODEL, "rk2")
    planted = cache / "solvers" / f"{entry}.pickle"
    for content in (pickle.dumps(Planted(marker)), os.urandom(32) + pickle.dumps(Planted(marker))):
        planted.write_bytes(content)
        with pytest.warns(UserWarning, match=f"ignored the solver cache entry {re.escape(str(planted))}"):
            assert integrate(MODEL, "rk2") == expected
        assert not marker.exists()
        assert solver_cache.load(entry) == expected  # stored again, with a valid tag


def test_an_entry_copied_to_another_name_is_ignored(cache):
    first = integrate(MODEL, "euler")
    other = MODEL.replace("10*ms", "20*ms")
    shutil.copy(cache / "solvers" / f"{_entry(MODEL, 'euler')}.pickle",
                cache / "solvers" / f"{_entry(other, 'euler')}.pickle")
    with pytest.warns(UserWarning, match="ignored the solver cache entry"):
        update = integrate(other, "euler")
    assert update != first
    assert solver_cache.load(_entry(other, "euler")) == update


def test_garbage_in_the_solver_cache_is_recomputed_with_a_warning(cache):
    expected = integrate(MODEL, "euler")
    path = cache / "solvers" / f"{_entry(MODEL, 'euler')}.pickle"
    path.write_bytes(path.read_bytes()[:50])
    with pytest.warns(UserWarning, match=re.escape(str(path))):
        assert integrate(MODEL, "euler") == expected
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert integrate(MODEL, "euler") == expected


def test_the_solver_key_is_made_once(cache):
    integrate(MODEL, "euler")
    key = (cache / "solvers" / "key").read_bytes()
    integrate(MODEL, "rk4")
    assert (cache / "solvers" / "key").read_bytes() == key and len(key) == 32


# --- pint's definition cache (pickles read at import) ------------------------------------------------------------

def test_an_open_pint_folder_is_not_used_and_does_not_stop_the_import(cache, tmp_path, monkeypatch):
    filled = tmp_path / "filled"
    monkeypatch.setenv("SIMCORE_CACHE_DIR", str(filled))
    make_registry()  # pint's cache files, to plant under their names
    marker = tmp_path / "unpickled"
    (cache / "pint").mkdir(parents=True)
    os.chmod(cache / "pint", 0o777)
    for path in (filled / "pint").iterdir():
        planted = pickle.dumps(Planted(marker)) if path.suffix == ".pickle" else path.read_bytes()
        (cache / "pint" / path.name).write_bytes(planted)
    monkeypatch.setenv("SIMCORE_CACHE_DIR", str(cache))
    with pytest.warns(UserWarning, match=f"{re.escape(str(cache / 'pint'))} can be written by other users"):
        registry = make_registry()
    assert not marker.exists()
    assert registry.Unit("mV").dimensionality == registry.Unit("volt").dimensionality
    imported = subprocess.run([sys.executable, "-c", "import simcore.units; print(simcore.units.mV)"],
                              capture_output=True, text=True, env=dict(os.environ))
    assert imported.returncode == 0 and imported.stdout.strip() == "mV", imported.stderr
    assert "can be written by other users" in imported.stderr and not marker.exists()


# --- damaged kernel cache entries -----------------------------------------------------------------------------

def _load(digest: str):
    """The kernel module, loaded as a new process would (numba reads its cache files again)."""
    module = load_module(KERNEL, digest)
    sys.modules.pop(module.__name__)
    return module


def _damage(cache, suffix: str, how) -> list:
    files = sorted((cache / "kernels" / "__pycache__").glob(f"*add_one*{suffix}"))
    assert files
    for path in files:
        path.write_bytes(how(path.read_bytes()))
    return files


@pytest.mark.parametrize("suffix, how", [(".nbi", lambda data: data[:len(data) // 2]),
                                         (".nbc", lambda data: data[:len(data) // 2]),
                                         (".nbi", lambda data: b"garbage"),
                                         (".nbc", lambda data: data[:40] + bytes(200) + data[240:])],
                         ids=["truncated-nbi", "truncated-nbc", "garbage-nbi", "zeroed-nbc"])
def test_a_damaged_kernel_cache_entry_is_compiled_again_with_a_warning(cache, suffix, how):
    """The last case, a data file with zeros in the middle, makes numba abort the process if it reads it."""
    digest = uuid.uuid4().hex[:24]
    assert _load(digest).add_one(1) == 2
    (index,) = (cache / "kernels" / "__pycache__").glob("*add_one*.nbi")
    (damaged,) = _damage(cache, suffix, how)
    module = _load(digest)
    with pytest.warns(UserWarning, match=f"kernel cache entry {re.escape(str(index))} could not be used "
                                         f"\\({re.escape(damaged.name)} differ"):
        assert module.add_one(41) == 42
    assert module.add_one.stats.cache_misses
    again = _load(digest)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert again.add_one(1) == 2
    assert again.add_one.stats.cache_hits and not again.add_one.stats.cache_misses  # the new entry is good


def test_a_kernel_cache_entry_without_digests_is_compiled_again_quietly(cache):
    digest = uuid.uuid4().hex[:24]
    assert _load(digest).add_one(1) == 2
    (record,) = (cache / "kernels" / "__pycache__").glob("*add_one*.sha256")
    record.unlink()  # as an older simcore left it
    module = _load(digest)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert module.add_one(1) == 2
    assert module.add_one.stats.cache_misses and record.exists()


def test_a_kernel_that_cannot_be_saved_still_runs(cache, monkeypatch):
    from numba.core import caching

    def disk_full(*args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(caching.IndexDataCacheFile, "_save_data", disk_full)
    module = _load(uuid.uuid4().hex[:24])
    with pytest.warns(UserWarning, match="could not save a compiled kernel in .*No space left on device"):
        assert module.add_one(1) == 2


# --- unusable folders ---------------------------------------------------------------------------------------------

def test_a_cache_folder_that_is_a_file_is_named(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("SIMCORE_CACHE_DIR", str(blocker))
    with pytest.raises(CacheFolderError, match=f"{re.escape(str(blocker))} is not a folder.*SIMCORE_CACHE_DIR"):
        cache_dir()
    with pytest.raises(CacheFolderError, match=f"{re.escape(str(blocker))} is not a folder"):
        Network(NeuronGroup(1, MODEL)).run(0.1 * ms)


def test_a_cache_folder_that_cannot_be_created_is_named(tmp_path, monkeypatch):
    (tmp_path / "file").write_text("not a folder")
    folder = tmp_path / "file" / "cache"
    monkeypatch.setenv("SIMCORE_CACHE_DIR", str(folder))
    with pytest.raises(CacheFolderError, match=re.escape(f"{folder} cannot be created (Not a directory)")):
        cache_dir()


def _in_tmpfs(mount, setup: str, script: str) -> subprocess.CompletedProcess:
    """Run ``script`` with SIMCORE_CACHE_DIR=$MNT/cache, where $MNT (``mount``) is a small tmpfs in a mount
    namespace of its own, after the shell commands ``setup``: a read-only or a full file system as root meets
    them (permission bits do not stop root)."""
    mount.mkdir()
    probe = ["unshare", "--mount", "mount", "-t", "tmpfs", "-o", "size=64k", "none", str(mount)]
    if shutil.which("unshare") is None or subprocess.run(probe, capture_output=True).returncode != 0:
        pytest.skip("needs a tmpfs in a mount namespace of its own (unshare --mount, as root)")
    shell = f'mount -t tmpfs -o size=256k,mode=700 none "$MNT" && {setup} && exec "{sys.executable}" -c "$SCRIPT"'
    env = {**os.environ, "MNT": str(mount), "SIMCORE_CACHE_DIR": str(mount / "cache"),
           "SCRIPT": textwrap.dedent(script)}
    return subprocess.run(["unshare", "--mount", "sh", "-c", shell], capture_output=True, text=True, env=env)


def test_a_read_only_cache_folder_is_named(tmp_path):
    script = """
        from simcore.backends.cache import cache_dir
        from simcore.errors import CacheFolderError
        try:
            cache_dir()
        except CacheFolderError as error:
            print(error)
    """
    existing = _in_tmpfs(tmp_path / "a", 'mkdir -m 700 "$MNT/cache" && mount -o remount,ro "$MNT"', script)
    assert f"{tmp_path}/a/cache cannot be written (Read-only file system)" in existing.stdout, existing.stderr
    assert "SIMCORE_CACHE_DIR" in existing.stdout
    missing = _in_tmpfs(tmp_path / "b", 'mount -o remount,ro "$MNT"', script)
    assert f"{tmp_path}/b/cache cannot be created (Read-only file system)" in missing.stdout, missing.stderr


def test_a_full_disk_while_writing_a_kernel_module_is_named(tmp_path):
    script = f"""
        from simcore.backends.cache import cache_dir, load_module
        from simcore.errors import CacheFolderError
        folder = cache_dir()
        try:
            with open(folder.parent / "filler", "wb") as filler:
                while True:
                    filler.write(bytes(4096))
        except OSError:
            pass
        try:
            load_module({KERNEL * 100!r}, "full")
        except CacheFolderError as error:
            print(error)
        print(sorted(p.name for p in folder.iterdir()))
    """
    result = _in_tmpfs(tmp_path / "a", "true", script)
    assert f"cannot write the kernel module {tmp_path}/a/cache/kernels/simcore_kernels_full_" in result.stdout, \
        result.stderr
    assert "(No space left on device)" in result.stdout and "SIMCORE_CACHE_DIR" in result.stdout
    assert result.stdout.strip().splitlines()[-1] == "['__pycache__']"  # no temporary file left behind
