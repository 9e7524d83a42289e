"""The plan stage: a network's objects -> the operations a run executes, in order, with their constants."""

from simcore.plan.build import (
    Plan,
    build_plan,
    check_units,
    lower,
    ordered_operations,
    run_constants,
    schedule,
)
from simcore.plan.names import Names, resolve_names

__all__ = ["Names", "Plan", "build_plan", "check_units", "lower", "ordered_operations", "resolve_names",
           "run_constants", "schedule"]
