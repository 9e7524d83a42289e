"""How simcore's objects show in a notebook (Jupyter's ``_repr_html_``): a heading with the object's kind and name,
a list of facts, and sections (tables, text). Names, equations and the contents of files are the user's (or
anyone's) text, so everything is escaped here, except fragments marked ``Html`` (made by this module, or by a
quantity's or unit's own ``_repr_html_``). Quantities and units typeset themselves (simcore.units.formatting),
equations in LaTeX (``Equations._repr_latex_``)."""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np


class Html(str):
    """Text that is HTML already: put in a page as it is, where any other text is escaped."""


def escaped(value: Any) -> str:
    """``value`` as HTML: an ``Html`` fragment as it is, anything else as escaped text."""
    return value if isinstance(value, Html) else html.escape(str(value))


def html_table(header: Sequence[Any], rows: Iterable[Sequence[Any]]) -> Html:
    """A table with a header row; cells are escaped unless ``Html``."""
    cells = "".join(f"<th>{escaped(cell)}</th>" for cell in header)
    body = "".join("<tr>" + "".join(f"<td>{escaped(cell)}</td>" for cell in row) + "</tr>" for row in rows)
    return Html(f"<table><thead><tr>{cells}</tr></thead><tbody>{body}</tbody></table>")


def html_text(text: str) -> Html:
    """Text shown as it is written (lines and spaces kept): equations, code."""
    return Html(f"<pre>{html.escape(text)}</pre>")


def html_summary(kind: str, name: str, facts: Iterable[tuple[str, Any]] = (),
                 sections: Iterable[tuple[str, Html]] = ()) -> Html:
    """An object's summary: '<kind> <name>', its facts (label, value) as a two-column table, then each section
    under its title (folded open)."""
    rows = "".join(f"<tr><th style='text-align:left'>{escaped(label)}</th><td style='text-align:left'>"
                   f"{escaped(value)}</td></tr>" for label, value in facts)
    parts = [f"<strong>{escaped(kind)}</strong> <code>{escaped(name)}</code>"]
    if rows:
        parts.append(f"<table><tbody>{rows}</tbody></table>")
    parts += [f"<details open><summary>{escaped(title)}</summary>{escaped(content)}</details>"
              for title, content in sections]
    return Html(f"<div>{''.join(parts)}</div>")


def integration_text(update: Any, method: Any) -> str:
    """The integration method for a summary: the one chosen, once a run (or a build) integrated the equations
    (``update``, a StateUpdate); else the one asked for (``method=``); else that the run chooses it."""
    if update is not None:
        return update.description or update.method
    if method is None:
        return "chosen at run"
    names = [getattr(m, "name", None) or str(m) for m in (method if isinstance(method, list | tuple) else [method])]
    if len(names) == 1:
        return f"{names[0]} (as asked)"
    return f"the first of {', '.join(names)} that applies (chosen at run)"


def indices_text(indices: Any) -> str:
    """Element indices in a few characters: '0, 1, 2, ..., 99', 'none'."""
    indices = [str(int(k)) for k in np.asarray(indices).ravel()]
    if len(indices) > 6:
        indices = [*indices[:3], "...", indices[-1]]
    return ", ".join(indices) or "none"
