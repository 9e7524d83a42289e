"""What the parser gives: frozen Expression, Statement and Statements, with the positions of their names in the
user's string."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import sympy

from simcore.errors import SourcePosition


@dataclass(frozen=True)
class Expression:
    """A parsed expression: the sympy tree plus what later stages ask of it."""

    expr: sympy.Basic
    text: str = field(compare=False)
    identifiers: frozenset[str]
    functions: frozenset[str] = frozenset()
    positions: Mapping[str, SourcePosition] = field(default_factory=dict, compare=False, repr=False)
    source: str = field(default="", compare=False, repr=False)

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class Statement:
    """``target op expr`` with op one of = += -= *= /=."""

    target: str
    op: str
    expression: Expression
    position: SourcePosition | None = field(default=None, compare=False)

    @property
    def expr(self) -> sympy.Basic:
        return self.expression.expr

    @property
    def identifiers(self) -> frozenset[str]:
        return self.expression.identifiers | {self.target}


@dataclass(frozen=True)
class Statements:
    """The statements of a reset, an ``on_pre`` or a ``run_regularly`` block, in order."""

    statements: tuple[Statement, ...]
    source: str = field(default="", compare=False, repr=False)
    temporaries: frozenset[str] = frozenset()  # names the block defines for itself ('r = u*x'), not variables

    def __iter__(self):
        return iter(self.statements)

    def __len__(self) -> int:
        return len(self.statements)

    @property
    def targets(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(s.target for s in self.statements))

    @property
    def identifiers(self) -> frozenset[str]:
        """The names the block uses, its temporaries excluded (they are neither variables nor external)."""
        return frozenset().union(*(s.identifiers for s in self.statements)) - self.temporaries

    @property
    def functions(self) -> frozenset[str]:
        """Names called as functions that are not built in (TimedArrays, resolved at run time)."""
        return frozenset().union(*(s.expression.functions for s in self.statements))
