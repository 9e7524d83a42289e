"""Fixtures for every test."""

import pytest

from simcore import defaultclock


def _kept_time_step():
    before = defaultclock.dt
    yield
    defaultclock.dt = before


# A test, or a module's fixture, that sets ``defaultclock.dt`` (as scripts and examples do) leaves it as it found
# it: later tests in the same process rely on the default 0.1 ms.
_module_time_step = pytest.fixture(autouse=True, scope="module")(_kept_time_step)
_test_time_step = pytest.fixture(autouse=True)(_kept_time_step)
