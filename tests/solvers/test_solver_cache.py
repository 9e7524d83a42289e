"""Integration results on disk: a second build reads them back instead of running sympy again."""

import logging

import pytest

from simcore.solvers import ExplicitRungeKutta, integrate
from simcore.solvers import cache as solver_cache

HH_GATE = """
dv/dt = (-(v - El) - g*m**3*(v - 50*mV))/tau : volt
dm/dt = (1 - m)/(1*ms) - m*exp(v/(10*mV))/ms : 1
"""


@pytest.fixture
def empty_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("SIMCORE_CACHE_DIR", str(tmp_path))
    return tmp_path / "solvers"


def test_second_integration_reads_the_stored_result(empty_cache, monkeypatch):
    first = integrate(HH_GATE, "exponential_euler")
    assert len(list(empty_cache.glob("*.pickle"))) == 1
    monkeypatch.setattr("simcore.solvers.registry._integrate", lambda *args: pytest.fail("integrated again"))
    assert integrate(HH_GATE, "exponential_euler") == first


def test_key_depends_on_equations_and_methods(empty_cache):
    integrate(HH_GATE, "exponential_euler")
    integrate(HH_GATE, "euler")
    integrate(HH_GATE.replace("10*mV", "11*mV"), "euler")
    assert len(list(empty_cache.glob("*.pickle"))) == 3


def test_default_choice_is_cached_and_still_reported(empty_cache, caplog):
    with caplog.at_level(logging.INFO, logger="simcore.solvers"):
        first = integrate(HH_GATE)
        again = integrate(HH_GATE)
    assert first == again and first.method == "euler"
    assert [r.getMessage().startswith("No numerical integration method specified") for r in caplog.records] == \
        [True, True]


def test_unreadable_entry_is_a_miss(empty_cache):
    first = integrate(HH_GATE, "rk2")
    (entry,) = empty_cache.glob("*.pickle")
    entry.write_bytes(b"not a pickle")
    assert integrate(HH_GATE, "rk2") == first
    assert solver_cache.load(entry.stem) == first  # rewritten


def test_user_methods_are_not_cached(empty_cache):
    midpoint = ExplicitRungeKutta([[0, 0], [0.5, 0]], [0, 1], order=2)
    integrate(HH_GATE, midpoint)
    assert not empty_cache.exists() or not list(empty_cache.glob("*.pickle"))
