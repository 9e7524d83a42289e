"""Typed operations: the class of an operation's details is its kind, and each carries its own frozen fields,
checked when the operation is made (a mismatch is a generation-time error, never a kernel that reads a missing
field at run time)."""

import dataclasses

import pytest

from simcore.ir import KIND_OF_DETAILS, Operation, ResetDetails, StateUpdateDetails, ThresholdDetails


def _operation(details):
    return Operation("op", "group", "groups", 0, 1, 0, details=details)


def test_the_details_class_is_the_kind():
    assert _operation(StateUpdateDetails("euler", "x")).kind == "state update"
    assert _operation(ThresholdDetails("spike", False)).kind == "threshold"
    assert _operation(StateUpdateDetails("euler", "x")).details.method == "euler"
    assert len(set(KIND_OF_DETAILS.values())) == len(KIND_OF_DETAILS)


def test_an_operation_without_known_details_is_refused_when_made():
    with pytest.raises(TypeError, match="operation op has details NoneType, which no kind of operation has"):
        _operation(None)
    with pytest.raises(TypeError, match="has details tuple"):
        _operation(("event", "spike"))
    with pytest.raises(TypeError, match="details"):
        Operation("op", "group", "groups", 0, 1, 0)


def test_details_are_frozen():
    details = ResetDetails("spike")
    with pytest.raises(dataclasses.FrozenInstanceError):
        details.event = "burst"
