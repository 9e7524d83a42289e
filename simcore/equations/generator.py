"""``Synapses.connect(j=...)`` strings -> a frozen description of each source's targets.

Brian 2's forms are read: a generator ``'<target> for <k> in range(...)'`` or
``'<target> for <k> in sample(..., p=... | size=...)'``, each with at most one
``if <condition>``; or a single expression (``'i'``, ``'2*i + 1'``), optionally
``'<target> if <condition>'``, meaning one target per source. Python's ``ast``
reads the text and the parser's ``_Converter`` turns each part into sympy, so
every part is built (and every error located) exactly as in any other model string.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

import sympy

from simcore.equations.parser import _Converter
from simcore.equations.snippet import Snippet, syntax_error
from simcore.errors import SourcePosition

_PROVIDED = frozenset({"i", "j", "N_pre", "N_post"})


@dataclass(frozen=True)
class TargetGenerator:
    """The targets of one source neuron ``i``: candidates ``start + m*step`` (``m`` counting
    from 0, ``variable`` taking each value), all of them (``range``) or a random subset
    (``sample``: each with probability ``p``, or ``size`` of them); ``element`` is the
    target ``j`` of a candidate, kept where ``condition`` holds. ``expression`` has one
    candidate and no variable. ``start``/``stop``/``step``/``p``/``size`` are evaluated
    once per source; ``element`` and ``condition`` once per candidate."""

    kind: str
    variable: str | None
    element: sympy.Basic
    start: sympy.Basic = sympy.S.Zero
    stop: sympy.Basic = sympy.S.One
    step: sympy.Basic = sympy.S.One
    p: sympy.Basic | None = None
    size: sympy.Basic | None = None
    condition: sympy.Basic | None = None
    identifiers: frozenset[str] = frozenset()
    text: str = field(default="", compare=False)
    positions: Mapping[str, SourcePosition] = field(default_factory=dict, compare=False, repr=False)
    source: str = field(default="", compare=False, repr=False)


def parse_generator(text: str | Snippet) -> TargetGenerator:
    """Parse the ``j=`` argument of ``Synapses.connect``."""
    snippet = Snippet.whole(text) if isinstance(text, str) else text
    if not snippet.text.strip():
        raise snippet.error("empty target expression")
    snippet.check_ascii()
    wrapped = "[" + snippet.text + "\n]"
    try:
        tree = ast.parse(wrapped, mode="eval").body
        conditional = False
    except SyntaxError as exc:
        wrapped = "[" + snippet.text + " else 0\n]"
        tree = _target_if_condition(wrapped)
        if tree is None:
            raise syntax_error(snippet, exc, 0, 1) from None
        conditional = True
    converter = _Converter(snippet, wrapped.splitlines(), col_shift=1)
    if isinstance(tree, ast.List) and len(tree.elts) == 1 and isinstance(tree.elts[0], ast.GeneratorExp):
        tree = tree.elts[0]  # '(k for k in ...)'
    if isinstance(tree, (ast.ListComp, ast.GeneratorExp)):
        return _generator(tree, snippet, converter)
    if len(tree.elts) != 1:
        raise converter.fail(tree.elts[1], "give one target expression (not a tuple)")
    node = tree.elts[0]
    if conditional:
        element = _part(converter, node.body, "the target", ("j",))
        condition = converter.convert(node.test)
    else:
        element, condition = _part(converter, node, "the target", ("j",)), None
    return _finish(snippet, converter, kind="expression", variable=None, element=element, condition=condition)


def _target_if_condition(wrapped: str) -> ast.IfExp | None:
    """Brian's ``'<target> if <condition>'`` (no ``else``): parsed with an ``else 0`` that we
    appended, recognised by that ``0`` standing at the very end."""
    try:
        body = ast.parse(wrapped, mode="eval").body
    except SyntaxError:
        return None
    node = body.elts[0] if isinstance(body, ast.List) and len(body.elts) == 1 else None
    if not isinstance(node, ast.IfExp) or not isinstance(node.orelse, ast.Constant):
        return None
    last = wrapped.splitlines()[-2].encode()
    if node.orelse.end_lineno != len(wrapped.splitlines()) - 1 or node.orelse.end_col_offset != len(last):
        return None
    return body


def _generator(node: ast.ListComp | ast.GeneratorExp, snippet: Snippet, converter: _Converter) -> TargetGenerator:
    if len(node.generators) != 1:
        raise converter.fail(node.generators[1].target, "only one 'for' is allowed (no nested loops)")
    loop = node.generators[0]
    if loop.is_async:
        raise converter.fail(loop.target, "'async for' is not allowed")
    if not isinstance(loop.target, ast.Name):
        raise converter.fail(loop.target, "the loop variable must be a single name")
    variable = loop.target.id
    if variable.startswith("_") and variable != "_" or variable in _PROVIDED or variable.endswith(("_pre", "_post")):
        raise converter.fail(loop.target, f"'{variable}' cannot be the loop variable: choose another name, such as k")
    if len(loop.ifs) > 1:
        raise converter.fail(loop.ifs[1], "only one 'if' is allowed; combine conditions with 'and'")
    call = loop.iter
    if not isinstance(call, ast.Call) or not isinstance(call.func, ast.Name):
        raise converter.fail(call, "the loop must run over range(...) or sample(...)")
    kind = call.func.id
    if kind not in ("range", "sample"):
        raise converter.fail(call, f"unknown iterator function '{kind}': use range(...) or sample(...)")
    for arg in call.args:
        if isinstance(arg, ast.Starred):
            raise converter.fail(arg, f"{kind}() cannot take *arguments")
    if not 1 <= len(call.args) <= 3:
        raise converter.fail(call, f"{kind}() takes 1 to 3 positional arguments (stop, or start, stop[, step]); "
                                   f"{len(call.args)} given")
    per_source = (variable, "j")
    bounds = [_part(converter, arg, f"the arguments of {kind}()", per_source) for arg in call.args]
    start, stop, step = _range_arguments(bounds)
    if step == 0:
        raise converter.fail(call.args[2], f"the step of {kind}() must not be zero")
    keywords = {}
    for keyword in call.keywords:
        if kind == "range" or keyword.arg not in ("p", "size"):
            raise converter.fail(keyword.value if keyword.arg is None else keyword,
                                 f"{kind}() takes no keyword argument {keyword.arg or '**'}"
                                 + ("" if kind == "range" else "; use p=... or size=..."))
        keywords[keyword.arg] = (keyword, _part(converter, keyword.value, f"{kind}({keyword.arg}=...)", per_source))
    if kind == "sample" and len(keywords) != 1:
        raise converter.fail(call, "sample() takes either p=... (each candidate kept with probability p) "
                                   "or size=... (that many distinct candidates)")
    p = keywords.get("p", (None, None))[1]
    size = keywords.get("size", (None, None))[1]
    if p is not None and p.is_Number and not 0 <= float(p) <= 1:
        raise converter.fail(keywords["p"][0].value, f"sample() probability p = {float(p)!r} is outside [0, 1]")
    if size is not None and size.is_Number and not (float(size).is_integer() and size >= 0):
        raise converter.fail(keywords["size"][0].value, f"sample() size must be an integer >= 0, not {size}")
    element = _part(converter, node.elt, "the target", ("j",))
    condition = converter.convert(loop.ifs[0]) if loop.ifs else None
    return _finish(snippet, converter, kind=kind, variable=variable, element=element, start=start, stop=stop,
                   step=step, p=p, size=size, condition=condition)


def _range_arguments(bounds: list[sympy.Basic]) -> tuple[sympy.Basic, sympy.Basic, sympy.Basic]:
    if len(bounds) == 1:
        return sympy.S.Zero, bounds[0], sympy.S.One
    return bounds[0], bounds[1], bounds[2] if len(bounds) == 3 else sympy.S.One


def _part(converter: _Converter, node: ast.AST, what: str, forbidden: tuple[str, ...]) -> sympy.Basic:
    """One sub-expression as sympy; ``forbidden`` names (and postsynaptic variables, which
    need a target) are errors at their position."""
    for name in ast.walk(node):
        if isinstance(name, ast.Name) and (name.id in forbidden or _is_postsynaptic(name.id)):
            raise converter.fail(name, f"{what} cannot use '{name.id}': it is not known at that point "
                                       "(only the condition after 'if' can refer to j and to postsynaptic variables)")
    return converter.convert(node)


def _is_postsynaptic(name: str) -> bool:
    return name.endswith("_post") and name != "N_post"


def _finish(snippet: Snippet, converter: _Converter, **parts) -> TargetGenerator:
    expressions = [v for k, v in parts.items() if k not in ("kind", "variable") and v is not None]
    names = set().union(*(e.free_symbols for e in expressions))
    identifiers = frozenset(s.name for s in names) - {parts["variable"]}
    return TargetGenerator(**parts, identifiers=identifiers, text=" ".join(snippet.text.split()),
                           positions=MappingProxyType(dict(converter.positions)), source=snippet.source)
