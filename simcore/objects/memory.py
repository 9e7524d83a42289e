"""Refusing sizes that cannot fit, before allocating anything."""

from __future__ import annotations

import os

from simcore.errors import ModelError


def available_memory() -> int:
    """Bytes of memory available to a new allocation (MemAvailable on Linux)."""
    try:
        with open("/proc/meminfo") as stream:
            for line in stream:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")


def _human(size: float) -> str:
    for unit in ("bytes", "KiB", "MiB", "GiB", "TiB", "PiB"):
        if size < 1024 or unit == "PiB":
            return f"{size:.1f} {unit}" if unit != "bytes" else f"{int(size)} bytes"
        size /= 1024
    return f"{size:.1f} PiB"


def check_fits(size: int, what: str) -> None:
    """Raise a ModelError naming ``what`` and both figures if ``size`` bytes cannot be allocated."""
    available = available_memory()
    if size > available:
        raise ModelError(f"{what} needs {_human(size)}, but only {_human(available)} of memory is available; "
                         "reduce the size (or, for monitors, record fewer elements or use a larger dt)")
