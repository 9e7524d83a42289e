"""simcore's log, on Python's ``logging``, with Brian 2's interface (``BrianLogger``, ``get_logger``,
``std_silent``) so that scripts written for Brian 2 configure it unchanged.

Every logger is a child of the ``simcore`` logger of Python's logging (``get_logger('mymodule')`` logs as
``simcore.mymodule``, shown as ``mymodule``), so handlers a user adds with ``logging`` see everything.
``BrianLogger.initialize()`` adds a console handler (``prefs.logging.console_log_level``, INFO by default)
and a file handler writing to a temporary file (``BrianLogger.tmp_log``, ``prefs.logging.file_log_level``,
DEBUG by default; the file is made with the first message, so a quiet process leaves none), deleted at exit
unless ``prefs.logging.delete_log_on_exit`` is False. A process started
by multiprocessing writes to the file only after its own ``initialize()`` (into its own file).
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import os
import secrets
import sys
import tempfile
from collections.abc import Iterator

from simcore.errors import ModelValueError
from simcore.preferences import prefs

DIAGNOSTIC = 5
logging.addLevelName(DIAGNOSTIC, "DIAGNOSTIC")
ROOT = "simcore"
_LEVELS = {"ERROR": logging.ERROR, "WARNING": logging.WARNING, "WARN": logging.WARNING, "INFO": logging.INFO,
           "DEBUG": logging.DEBUG, "DIAGNOSTIC": DIAGNOSTIC}
_SAID: set[tuple[str, int, str]] = set()  # the messages logged with once=True
_FORMAT = "%(asctime)s %(levelname)-10s %(shown_name)s: %(message)s"


class _ShownName(logging.Filter):
    """Shows a logger's name without the ``simcore.`` prefix it was given, and drops records of other
    processes (a handler belongs to the process that made it)."""

    def __init__(self):
        super().__init__()
        self.pid = os.getpid()

    def filter(self, record: logging.LogRecord) -> bool:
        name = record.name
        record.shown_name = name[len(ROOT) + 1:] if name.startswith(ROOT + ".") else name
        return os.getpid() == self.pid


class Logger:
    """What ``get_logger`` returns: Brian 2's methods (``warn``, ``diagnostic``, ``once=``) on a logging.Logger."""

    def __init__(self, name: str):
        self.name = name
        self.logger = logging.getLogger(name if name == ROOT or name.startswith(ROOT + ".") else f"{ROOT}.{name}")

    def log(self, level: int, message: str, name_suffix: str | None = None, once: bool = False) -> None:
        if once:
            if (self.name, level, message) in _SAID:
                return
            _SAID.add((self.name, level, message))
        target = self.logger.getChild(name_suffix) if name_suffix else self.logger
        target.log(level, message)

    def error(self, message: str, name_suffix: str | None = None, once: bool = False) -> None:
        self.log(logging.ERROR, message, name_suffix, once)

    def warn(self, message: str, name_suffix: str | None = None, once: bool = False) -> None:
        self.log(logging.WARNING, message, name_suffix, once)

    warning = warn

    def info(self, message: str, name_suffix: str | None = None, once: bool = False) -> None:
        self.log(logging.INFO, message, name_suffix, once)

    def debug(self, message: str, name_suffix: str | None = None, once: bool = False) -> None:
        self.log(logging.DEBUG, message, name_suffix, once)

    def diagnostic(self, message: str, name_suffix: str | None = None, once: bool = False) -> None:
        self.log(DIAGNOSTIC, message, name_suffix, once)


def get_logger(name: str = ROOT) -> Logger:
    """A logger under simcore's (Brian 2's ``get_logger(__name__)``)."""
    return Logger(name)


def _level(value: str) -> int:
    try:
        return _LEVELS[str(value).upper()]
    except KeyError:
        raise ModelValueError(f"unknown log level {value!r}; the levels are {', '.join(_LEVELS)}") from None


class BrianLogger:
    """Brian 2's class-level switches for the log: ``BrianLogger.log_level_debug()`` and the like."""

    console_handler: logging.Handler | None = None
    file_handler: logging.Handler | None = None
    tmp_log: str | None = None

    @classmethod
    def initialize(cls) -> None:
        """Console and file handlers for this process (again in a new process: its own file)."""
        root = logging.getLogger(ROOT)
        root.setLevel(DIAGNOSTIC)
        root.propagate = False
        for handler in (cls.console_handler, cls.file_handler):
            if handler is not None:
                root.removeHandler(handler)
        cls.console_handler = logging.StreamHandler(sys.stderr)
        cls.console_handler.setLevel(_level(prefs.logging.console_log_level))
        cls.console_handler.setFormatter(logging.Formatter("%(levelname)-8s %(message)s [%(shown_name)s]"))
        cls.console_handler.addFilter(_ShownName())
        root.addHandler(cls.console_handler)
        cls.file_handler = None
        if prefs.logging.file_log:
            cls.tmp_log = os.path.join(tempfile.gettempdir(), f"simcore_{os.getpid()}_{secrets.token_hex(6)}.log")
            cls.file_handler = logging.FileHandler(cls.tmp_log, encoding="utf-8", delay=True)  # made when used
            cls.file_handler.setLevel(_level(prefs.logging.file_log_level))
            cls.file_handler.setFormatter(logging.Formatter(_FORMAT))
            cls.file_handler.addFilter(_ShownName())
            root.addHandler(cls.file_handler)
            atexit.register(_delete_at_exit, cls.tmp_log, os.getpid())

    @classmethod
    def _console_level(cls, level: int) -> None:
        if cls.console_handler is None:
            cls.initialize()
        cls.console_handler.setLevel(level)

    @classmethod
    def log_level_error(cls) -> None:
        cls._console_level(logging.ERROR)

    @classmethod
    def log_level_warn(cls) -> None:
        cls._console_level(logging.WARNING)

    @classmethod
    def log_level_info(cls) -> None:
        cls._console_level(logging.INFO)

    @classmethod
    def log_level_debug(cls) -> None:
        cls._console_level(logging.DEBUG)

    @classmethod
    def log_level_diagnostic(cls) -> None:
        cls._console_level(DIAGNOSTIC)

    @staticmethod
    def suppress_name(name: str) -> None:
        """Drop the console messages of loggers whose name ends in ``name``."""
        BrianLogger._console_filter(lambda shown: not shown.endswith(name))

    @staticmethod
    def suppress_hierarchy(name: str) -> None:
        """Drop the console messages of ``name`` and every logger below it."""
        BrianLogger._console_filter(lambda shown: shown != name and not shown.startswith(name + "."))

    @classmethod
    def _console_filter(cls, keep) -> None:
        if cls.console_handler is None:
            cls.initialize()
        cls.console_handler.addFilter(lambda record: keep(record.shown_name))


def _delete_at_exit(path: str, pid: int) -> None:
    if os.getpid() == pid and prefs.logging.delete_log_on_exit:
        with contextlib.suppress(OSError):
            os.remove(path)


@contextlib.contextmanager
def std_silent(alwaysprint: bool = False) -> Iterator[None]:
    """Silence the process's stdout and stderr (also what C code and compilers write); the output is
    printed if the block raises, or always with ``alwaysprint``."""
    for stream in (sys.stdout, sys.stderr):
        stream.flush()
    saved = {fd: os.dup(fd) for fd in (1, 2)}
    with tempfile.TemporaryFile(mode="w+b") as captured:
        for fd in saved:
            os.dup2(captured.fileno(), fd)
        failed = False
        try:
            yield
        except BaseException:
            failed = True
            raise
        finally:
            for stream in (sys.stdout, sys.stderr):
                stream.flush()
            for fd, copy in saved.items():
                os.dup2(copy, fd)
                os.close(copy)
            if failed or alwaysprint:
                captured.seek(0)
                sys.stderr.write(captured.read().decode(errors="replace"))


BrianLogger.initialize()
