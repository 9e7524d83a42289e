"""pytest plugin for Brian 2's test files against simcore: a fresh scope per test, and one outcome line per test.

Each test's outcome goes to the JSON-lines file named by SIMCORE_COMPAT_RESULTS: ``passed``,
``failed``, ``skipped``, or ``internal`` (it used a Brian 2 name the shim does not map, or an attribute
of a Brian 2 object that Brian 2 does not document: see ``INTERNAL_ATTRIBUTES`` in the shim).
"""

import json
import os
import re

import pytest
from brian2 import INTERNAL_ATTRIBUTES, InternalNameUsed, _InternalBase

import simcore
from simcore.objects.base import SLOTS


def _internal_attribute(error: AttributeError) -> bool:
    """An attribute of a Brian 2 internal: private, listed in INTERNAL_ATTRIBUTES (``indices`` only on the
    ``variables`` mapping: elsewhere it is public), or any attribute of a test's subclass of an internal class."""
    if isinstance(getattr(error, "obj", None), _InternalBase):
        return True
    name = getattr(error, "name", None)
    if name is None:
        quoted = re.findall(r"'(\w+)'", str(error))
        name = quoted[-1] if quoted else ""
    if name == "indices":
        return isinstance(getattr(error, "obj", None), dict) or "'dict' object" in str(error)
    return name.startswith("_") and not name.startswith("__") or name in INTERNAL_ATTRIBUTES


def _uses_internal(error: BaseException | None) -> bool:
    seen = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        if isinstance(error, InternalNameUsed):
            return True
        if isinstance(error, AttributeError) and _internal_attribute(error):
            return True
        if "brian2 internal" in str(error) or (isinstance(error, TypeError) and "Internal" in str(error)):
            return True
        error = error.__cause__ or error.__context__
    return False


def _first_line(error: BaseException) -> str:
    text = f"{type(error).__name__}: {error}"
    return text.strip().splitlines()[0][:300] if text.strip() else type(error).__name__


@pytest.fixture(autouse=True)
def fresh_scope():
    """As Brian 2's own conftest: a new scope, the default time step and the default preferences."""
    simcore.start_scope()
    simcore.defaultclock.dt = 0.1 * simcore.ms
    simcore.prefs.core.default_float_dtype = simcore.float64
    simcore.prefs.core.network.default_schedule = list(SLOTS)
    yield


@pytest.fixture
def fake_randn_randn_fixture():
    raise InternalNameUsed("brian2 internal fixture fake_randn_randn_fixture")


_outcomes: dict[str, dict] = {}


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.when == "call" or (report.when == "setup" and not report.passed):
        entry = {"test": item.nodeid, "outcome": report.outcome, "error": ""}
        if report.failed and call.excinfo is not None:
            internal = _uses_internal(call.excinfo.value)
            entry["outcome"] = "internal" if internal else "failed"
            entry["error"] = _first_line(call.excinfo.value)
        elif report.skipped and call.excinfo is not None:
            entry["error"] = _first_line(call.excinfo.value)
        _outcomes[item.nodeid] = entry
    elif report.when == "teardown" and report.failed and item.nodeid in _outcomes:
        entry = _outcomes[item.nodeid]
        if entry["outcome"] == "passed":
            entry["outcome"] = "failed"
            entry["error"] = "teardown: " + _first_line(call.excinfo.value)


def pytest_runtest_logfinish(nodeid, location):
    path = os.environ.get("SIMCORE_COMPAT_RESULTS")
    if path and nodeid in _outcomes:
        with open(path, "a") as results:
            results.write(json.dumps(_outcomes.pop(nodeid)) + "\n")

