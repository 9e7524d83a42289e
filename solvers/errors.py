"""The one exception the solvers raise."""

from __future__ import annotations

from simcore.errors import ModelError, SourcePosition


class SolverError(ModelError, ValueError):
    """A method cannot integrate the given equations (the message says why), a method
    name is unknown, or a user-defined method is malformed."""

    def __init__(self, message: str, position: SourcePosition | None = None, source: str | None = None,
                 method: str | None = None, reason: str | None = None):
        self.method = method
        self.reason = reason or message  # the why alone, without naming the method
        ModelError.__init__(self, message, position, source)
