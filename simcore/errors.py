"""Every exception simcore raises on bad input.

Each is a ``ModelError`` and also a subclass of the builtin exception a Python
user would expect (SyntaxError, NameError, ValueError), so generic handlers work.
"""

from __future__ import annotations

from dataclasses import dataclass

from simcore.units.errors import DimensionMismatchError

__all__ = [
    "BackendError",
    "CacheFolderError",
    "DimensionMismatchError",
    "EquationError",
    "EquationSyntaxError",
    "ModelError",
    "ModelIndexError",
    "ModelKeyError",
    "ModelNotImplementedError",
    "ModelTypeError",
    "ModelValueError",
    "ParseError",
    "SourcePosition",
    "UnknownNameError",
    "UnknownUnitError",
]


@dataclass(frozen=True)
class SourcePosition:
    """Where something stands in a user's string: 1-based line and column."""

    line: int
    column: int

    def __str__(self) -> str:
        return f"line {self.line}, column {self.column}"


class ModelError(Exception):
    """Base class: something in the user's model is wrong."""

    def __init__(self, message: str, position: SourcePosition | None = None, source: str | None = None):
        self.message = message
        self.position = position
        self.source = source
        super().__init__(self._full_message())

    def _full_message(self) -> str:
        if self.position is None:
            return self.message
        text = f"{self.message} ({self.position})"
        if self.source is not None:
            lines = self.source.splitlines()
            if 1 <= self.position.line <= len(lines):
                line = lines[self.position.line - 1]
                caret = " " * (self.position.column - 1) + "^"
                text += f"\n    {line}\n    {caret}"
        return text

    def __str__(self) -> str:
        return self._full_message()


class ParseError(ModelError, SyntaxError):
    """A string could not be read: bad syntax, an unknown flag, an unsupported construct."""

    def __init__(self, message: str, position: SourcePosition | None = None, source: str | None = None):
        ModelError.__init__(self, message, position, source)
        self.msg = message
        if position is not None:
            self.lineno, self.offset = position.line, position.column


class UnknownNameError(ModelError, NameError, KeyError):
    """An identifier in a string refers to nothing the model or its namespace defines (a KeyError too, which is
    what Brian 2 raises for a name it cannot resolve)."""

    def __init__(self, name: str, message: str, position: SourcePosition | None = None,
                 source: str | None = None):
        ModelError.__init__(self, message, position, source)
        self.name = name


class BackendError(ModelError, RuntimeError):
    """A backend cannot do what was asked: a bad setting, no GPU, an impossible size."""


class CacheFolderError(ModelError, OSError):
    """simcore's cache folder cannot be used: not a writable folder, or one that other users could put files
    in (files there are run as code). An OSError too, as the file system is the cause."""


class EquationError(ModelError, ValueError):
    """Equations that parse but make no sense: a name defined twice, a cycle, a misplaced flag."""


class EquationSyntaxError(ParseError, EquationError):
    """An equations string that cannot be read: bad syntax, a name that cannot name a variable, a replacement
    that is no expression. A SyntaxError for Python users and an EquationError (a ValueError), which is what
    Brian 2 raises for the same strings, so that either handler catches it."""


class UnknownUnitError(UnknownNameError, EquationError):
    """A unit declaration names no known unit: an unknown name, and an error in the equations."""


class ModelTypeError(ModelError, TypeError):
    """A value of the wrong kind: a string where a number is needed, an object that cannot take part."""


class ModelValueError(ModelError, ValueError):
    """A value of the right kind that is out of range or inconsistent with the rest of the model."""


class ModelKeyError(ModelError, KeyError):
    """A name looked up in a container (a network, a state dict) that holds nothing by that name."""

    def __str__(self) -> str:
        return self._full_message()


class ModelIndexError(ModelError, IndexError):
    """An index outside a group, a monitor or a synapse table."""


class ModelNotImplementedError(ModelError, NotImplementedError):
    """Something Brian 2 offers that simcore does not (yet) do; said at once instead of ignored."""
