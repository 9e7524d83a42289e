"""Typed operation details: each kind of operation carries its own frozen class, checked when the operation is made
(a mismatch is a generation-time error, never a kernel that reads a missing field at run time)."""

import dataclasses

import pytest

from simcore.ir import DETAILS_OF_KIND, Operation, ResetDetails, StateUpdateDetails, ThresholdDetails


def _operation(kind, details):
    return Operation("op", kind, "group", "groups", 0, 1, 0, details=details)


def test_every_kind_names_its_details_class():
    assert DETAILS_OF_KIND["state_update"] is StateUpdateDetails
    assert DETAILS_OF_KIND["threshold"] is ThresholdDetails
    assert _operation("state_update", StateUpdateDetails("euler", "x")).details.method == "euler"


def test_details_of_another_kind_are_refused_when_the_operation_is_made():
    with pytest.raises(TypeError, match="a reset operation .* has details ThresholdDetails, not ResetDetails"):
        _operation("reset", ThresholdDetails("spike", False))
    with pytest.raises(TypeError, match="has details NoneType, not StateUpdateDetails"):
        _operation("state_update", None)
    with pytest.raises(ValueError, match="unknown kind 'rest'"):
        _operation("rest", ResetDetails())


def test_details_are_frozen():
    details = ThresholdDetails("spike", True)
    with pytest.raises(dataclasses.FrozenInstanceError):
        details.event = "burst"
