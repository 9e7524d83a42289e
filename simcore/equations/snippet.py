"""Where a piece of a user's string stands in the whole string, so that every error of the parser points into
what the user wrote: Snippet (a piece with its line and column), the logical lines of a block of statements, and
Python's syntax errors as ParseErrors at the user's position."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from simcore.errors import ParseError, SourcePosition


@dataclass(frozen=True)
class Snippet:
    """A piece of a user's string and where it stands in that string, so that a
    position inside the piece can be reported as a position in the whole."""

    text: str
    source: str
    line: int = 1
    column: int = 1

    @classmethod
    def whole(cls, text: str) -> Snippet:
        return cls(text, text)

    def position(self, line: int, column: int) -> SourcePosition:
        """Position in the source of 1-based (line, column) inside ``text``."""
        if line == 1:
            return SourcePosition(self.line, self.column + column - 1)
        return SourcePosition(self.line + line - 1, column)

    def error(self, message: str, line: int = 1, column: int = 1) -> ParseError:
        return ParseError(message, self.position(line, column), self.source)

    def check_ascii(self) -> None:
        """Refuse a character outside ASCII in the code (comments may hold any): Python's parser would silently
        turn a name such as 'ｖ' (full width) into 'v', another variable."""
        for number, line in enumerate(self.text.splitlines(), start=1):
            code = line.split("#", 1)[0]
            if not code.isascii():
                column = next(k for k, char in enumerate(code, start=1) if not char.isascii())
                raise self.error(f"the character {code[column - 1]!r} is not allowed here: names are made of ASCII "
                                 "letters, digits and '_'", number, column)


def syntax_error(snippet: Snippet, exc: SyntaxError, line_shift: int, col_shift: int) -> ParseError:
    """Python's SyntaxError on the parsed text, at its position in ``snippet``: the parsed text had ``line_shift``
    lines and, on its first line, ``col_shift`` characters before the snippet."""
    line = (exc.lineno or 1) - line_shift
    column = (exc.offset or 1) - (col_shift if line == 1 else 0)
    line = max(line, 1)
    lines = snippet.text.splitlines() or [""]
    if line > len(lines):
        line, column = len(lines), len(lines[-1]) + 1
    message = f"invalid syntax: {exc.msg}" if exc.msg and exc.msg != "invalid syntax" else "invalid syntax"
    return snippet.error(message, line, max(column, 1))


def too_long(snippet: Snippet) -> ParseError:
    """Python's own parser gives up on chains of a few thousand operators (its C stack is limited)."""
    return snippet.error(f"this expression is too long or too deeply nested for Python's parser "
                         f"({len(snippet.text)} characters): split it into subexpressions "
                         "('part1 = ... : unit' lines) and add those")


def logical_lines(text: str) -> Iterator[Snippet]:
    """Statement snippets: each physical line, joined with the next ones while
    brackets are open; leading indentation removed (triple-quoted strings indent)."""
    lines = text.splitlines()
    index = 0
    while index < len(lines):
        raw = _strip_comment(lines[index])
        if not raw.strip():
            index += 1
            continue
        indent = len(raw) - len(raw.lstrip())
        start = index
        parts = [raw.lstrip()]
        depth = _bracket_depth(parts[0])
        while depth > 0 and index + 1 < len(lines):
            index += 1
            following = _strip_comment(lines[index])
            parts.append(following)
            depth += _bracket_depth(following)
        index += 1
        yield Snippet("\n".join(parts), text, start + 1, indent + 1)


def _strip_comment(line: str) -> str:
    return line.split("#", 1)[0].rstrip()


def _bracket_depth(line: str) -> int:
    return sum(line.count(c) for c in "([{") - sum(line.count(c) for c in ")]}")
