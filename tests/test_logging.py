"""simcore's log: Brian 2's logging interface on Python's logging."""

import logging
import multiprocessing
import os
import subprocess
import sys

import pytest

from simcore import BrianLogger, ModelValueError, get_logger, prefs, std_silent


def _lines():
    BrianLogger.file_handler.flush()
    with open(BrianLogger.tmp_log, encoding="utf-8") as log:
        return log.readlines()


def test_messages_reach_the_log_file_with_level_and_name():
    BrianLogger.initialize()
    logger = get_logger("mymodel.fitting")
    for level in ("error", "warn", "info", "debug", "diagnostic"):
        getattr(logger, level)(f"{level} message µ≤∞")
    lines = _lines()
    assert len(lines) == 4  # the file keeps DEBUG and above: not the diagnostic message
    for level, line in zip(("ERROR", "WARNING", "INFO", "DEBUG"), lines, strict=True):
        assert level in line and "mymodel.fitting:" in line and "µ≤∞" in line
        assert "simcore.mymodel" not in line


def test_once_logs_a_message_once_and_python_handlers_see_simcore_messages():
    class Keep(logging.Handler):
        records: list = []

        def emit(self, record):
            self.records.append(record)

    handler = Keep(level=logging.INFO)
    logging.getLogger("simcore").addHandler(handler)
    try:
        for _ in range(3):
            get_logger("once").info("only once", once=True)
    finally:
        logging.getLogger("simcore").removeHandler(handler)
    assert [(record.name, record.getMessage()) for record in handler.records] == [("simcore.once", "only once")]


def test_console_level_switches(capsys):
    BrianLogger.initialize()
    logger = get_logger("switches")
    BrianLogger.log_level_error()
    logger.warn("hidden warning")
    BrianLogger.log_level_debug()
    logger.debug("shown debug")
    BrianLogger.suppress_hierarchy("switches")
    logger.error("suppressed error")
    err = capsys.readouterr().err
    assert "hidden warning" not in err and "shown debug" in err and "suppressed error" not in err
    BrianLogger.initialize()


def test_bad_log_preferences_are_refused():
    with pytest.raises(ModelValueError, match="LOUD"):
        prefs.logging.console_log_level = "LOUD"
    with pytest.raises(TypeError):
        prefs.logging.delete_log_on_exit = "no"


def _child_logs(index):
    get_logger("child").info(f"from child {index}")


def test_processes_do_not_write_into_the_parent_s_file():
    BrianLogger.initialize()
    get_logger("parent").info("before the pool")
    with multiprocessing.get_context("fork").Pool(2) as pool:
        pool.map(_child_logs, range(2))
    assert "before the pool" in _lines()[-1]


def test_the_log_file_is_made_by_the_first_message_and_deleted_at_exit_unless_kept():
    script = ("import os, simcore; from simcore import BrianLogger, get_logger, prefs; "
              "prefs.logging.delete_log_on_exit = {}; print(BrianLogger.tmp_log, os.path.exists(BrianLogger.tmp_log)); "
              "get_logger('test').debug('first'); print(os.path.exists(BrianLogger.tmp_log))")
    for keep in (False, True):
        path, before, after = subprocess.run([sys.executable, "-c", script.format(not keep)], capture_output=True,
                                             text=True, check=True).stdout.split()
        assert (before, after) == ("False", "True")
        assert os.path.exists(path) is keep
        if keep:
            with open(path) as log:
                assert "first" in log.read()
            os.remove(path)


def test_std_silent_hides_output_unless_the_block_fails(capfd):
    with std_silent():
        os.write(1, b"quiet stdout\n")
        os.write(2, b"quiet stderr\n")
    assert "quiet" not in "".join(capfd.readouterr())
    with pytest.raises(RuntimeError), std_silent():
        os.write(1, b"shown because it failed\n")
        raise RuntimeError("compiler failed")
    assert "shown because it failed" in capfd.readouterr().err
