"""The unit errors. They live in the leaf package so that the dimension checks
can raise them; ``simcore.errors`` re-exports them."""

from __future__ import annotations

import pint

from simcore.units.dimension import Dimension


class DimensionMismatchError(pint.DimensionalityError, ValueError):
    """Two quantities or terms whose dimensions should agree do not.

    A subclass of pint's DimensionalityError (so pint-aware code catches it) and of
    ValueError (as in Brian 2). ``dimensions`` holds the Dimensions involved.
    """

    def __init__(self, message: str, *dimensions: Dimension) -> None:
        first = dimensions[0] if dimensions else ""
        second = dimensions[1] if len(dimensions) > 1 else ""
        super().__init__(first, second, str(first), str(second))
        self.message = message
        self.dimensions = dimensions

    def __str__(self) -> str:
        return self.message

    def __reduce__(self):
        return self.__class__, (self.message, *self.dimensions)
