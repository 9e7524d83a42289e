"""``Synapses.connect()``: its arguments checked and turned into the (i, j) pairs of new synapses, from index arrays
or from a ``ConnectRequest`` whose expressions read the neurons' variables and the namespace."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import numpy as np
import sympy

from simcore.connect.pairs import array_pairs, generated_pairs
from simcore.connect.request import ConnectRequest, check_connect_types, pair_count, probability, swapped
from simcore.equations import check_expression, parse_expression
from simcore.equations.generator import parse_generator
from simcore.equations.parser import check_condition, symbol
from simcore.errors import ModelTypeError, ModelValueError, ParseError, UnknownNameError
from simcore.namespace import caller_namespace, lookup
from simcore.units import get_dimensions, to_si
from simcore.units.dimension import DIMENSIONLESS

if TYPE_CHECKING:
    from simcore.objects.synapses import Synapses


def new_pairs(synapses: Synapses, condition, i, j, p, n, skip_if_invalid: bool, namespace: dict | None,
              reserve: Callable[[int], None],
              subexpressions: Callable[[], tuple]) -> tuple[np.ndarray, np.ndarray] | None:
    """The (i, j) of the synapses that ``synapses.connect(...)`` creates (None: none asked for), their number
    accepted by ``reserve(count)``; ``subexpressions()``: those the synapses' code reads (their own and the
    neurons', each with its ``name``), which connect()'s expressions may read too."""
    check_connect_types(condition, i, j, p, n)
    if condition is False:
        return None
    condition = None if condition is True else condition
    if not isinstance(i, str | None) or not isinstance(j, str | None):
        if condition is not None:
            raise ModelValueError(f"connect() of {synapses.where()}: give either a condition or i= and j= index "
                                  f"arrays, not both (the condition is {condition!r})")
        if i is None or j is None or isinstance(i, str) or isinstance(j, str):
            raise ModelTypeError(f"connect() of {synapses.where()}: index arrays need both i= and j= as integers "
                                 "(or give one generator string, for j= or for i=)")
        pre, post = array_pairs(i, j, p, n, (synapses.source.where(), synapses.source.N),
                                (synapses.target.where(), synapses.target.N), synapses.where())
        reserve(len(pre))
        return pre, post
    if isinstance(i, str) and j is not None:
        raise ModelTypeError(f"connect() of {synapses.where()}: give a generator for i= or for j=, not both")
    if (i is not None or j is not None) and condition is not None:
        raise ModelValueError(f"connect() of {synapses.where()}: a condition cannot be combined with a generator; "
                              "put it after the generator's 'if'")
    swap = isinstance(i, str)
    request, values = _request(synapses, condition, i, j, p, n, skip_if_invalid, namespace, swap, subexpressions)
    pre, post = generated_pairs(request, values, reserve)
    return (post, pre) if swap else (pre, post)


def _request(synapses: Synapses, condition, i, j, p, n, skip_if_invalid: bool, namespace: dict | None,
             swap: bool, subexpressions: Callable[[], tuple]) -> tuple[ConnectRequest, dict[str, Any]]:
    """The request of a connect() call with a condition or a generator (``swap``: one over sources, made one
    over targets), its expressions checked, and the values (in SI) of the names they read."""
    frame = caller_namespace()
    # the condition, and p and n where they are expressions, each parsed once
    parsed = {key: _parsed(synapses, key, swapped(text) if swap else text)
              for key, text in (("condition", condition), ("p", p), ("n", n)) if isinstance(text, str)}
    generator = parse_generator(swapped(i) if swap else j) if i is not None or j is not None else None
    own = {"i": DIMENSIONLESS, "j": DIMENSIONLESS, "N_pre": DIMENSIONLESS, "N_post": DIMENSIONLESS}
    if generator is not None and generator.variable:
        own[generator.variable] = DIMENSIONLESS
    all_dims = synapses.dimensions()
    known = {e.name for e in subexpressions()}
    for expression in parsed.values():
        own.update({name: all_dims[name] for name in expression.identifiers & known})
    expanded = {key: _expanded(synapses, e.expr, swap, known) for key, e in parsed.items()}
    if generator is not None:
        generator = replace(generator, **{field: _expanded(synapses, getattr(generator, field), swap, known)
                                          for field in ("element", "start", "stop", "step", "p", "size",
                                                        "condition")})
    names = set().union(*({s.name for s in e.free_symbols} for e in expanded.values()))
    if generator is not None:
        names |= {s.name for field in ("element", "start", "stop", "step", "p", "size", "condition")
                  if isinstance(getattr(generator, field), sympy.Basic)
                  for s in getattr(generator, field).free_symbols}
    values = _values(synapses, names - {generator.variable if generator else None}, namespace, frame, swap)
    dims = {name: all_dims[swapped(name) if swap else name] if isinstance(value, np.ndarray)
            else get_dimensions(value) for name, value in values.items()}
    if "condition" in parsed:
        numbers = {name for name, value in values.items() if np.asarray(value).dtype != np.bool_}
        try:
            check_condition(parsed["condition"], f"the condition of connect() of {synapses.where()}",
                            numbers | set(own) - {None})
        except ParseError as error:
            raise ModelTypeError(error.message, error.position, error.source) from None
    for expression in parsed.values():
        check_expression(expression, own, dims, DIMENSIONLESS, where=f"connect() of {synapses.where()}")
    plain = {name: (value if isinstance(value, np.ndarray) else float(to_si(value)[0]))
             for name, value in values.items()}
    sizes = (synapses.target.N, synapses.source.N) if swap else (synapses.source.N, synapses.target.N)
    request = ConnectRequest(
        *sizes,
        condition=expanded.get("condition"),
        p=expanded["p"] if "p" in parsed else probability(p),
        n=expanded["n"] if "n" in parsed else pair_count(n),
        generator=generator, skip_if_invalid=skip_if_invalid)
    return request, plain


def _parsed(synapses: Synapses, key: str, text: str):
    """The condition, ``p`` or ``n`` of connect(), parsed; a generator given as the condition is refused
    with the advice to pass it as j=."""
    try:
        return parse_expression(text)
    except ParseError:
        if key == "condition" and " for " in f" {text} ":
            try:
                parse_generator(text)
            except ParseError:
                raise
            raise ModelValueError(f"connect('{text}') of {synapses.where()}: a generator is given as j= "
                                  f"(connect(j='{text}')), not as the condition") from None
        raise


def _expanded(synapses: Synapses, expr, swap: bool, known: set[str]):
    """An expression of connect() with the synapses' and the neurons' subexpressions it reads replaced by what
    they stand for (``known``: their names; ``swap``: in a generator over sources, with pre and post exchanged);
    synaptic variables (which do not exist before the synapses) are refused."""
    if not isinstance(expr, sympy.Basic):
        return expr
    real = {s.name: swapped(s.name) if swap else s.name for s in expr.free_symbols}
    values = {symbol(name): synapses.expanded_subexpression(original) for name, original in real.items()
              if original in known}
    if swap:
        values = {key: value.xreplace({s: symbol(swapped(s.name)) for s in value.free_symbols})
                  for key, value in values.items()}
    expr = expr.xreplace(values)
    for name in sorted({s.name for s in expr.free_symbols}):
        if name in synapses.variables and name not in ("i", "j", "N_pre", "N_post"):
            raise ModelValueError(f"connect() of {synapses.where()} uses the synaptic variable '{name}', which has no "
                                  "value before the synapses exist; use neuron variables (x_pre, x_post), i, j, "
                                  "N_pre and N_post")
    return expr


def _values(synapses: Synapses, names: set[str], namespace: dict | None, frame: dict,
            swap: bool = False) -> dict[str, Any]:
    """Values of the names in connect()'s expressions: neuron variables as arrays, the rest from the namespace;
    with ``swap`` (a generator over sources) the names have pre and post exchanged."""
    values: dict[str, Any] = {}
    source, target = (synapses.target, synapses.source) if swap else (synapses.source, synapses.target)
    sides = (("_pre", source), ("_post", target))
    for name in names:
        if name in ("i", "j", "N_pre", "N_post", None):
            continue
        resolved = None
        for suffix, group in sides:
            if name.endswith(suffix) and name[: -len(suffix)] in group.variables:
                resolved = np.asarray(group.variables[name[: -len(suffix)]].values(), dtype=float)
                if resolved.ndim == 0:
                    resolved = np.full(group.N, float(resolved))
        if resolved is None:
            found, value = lookup(name, namespace if namespace is not None else synapses.namespace, frame)
            if not found:
                raise UnknownNameError(name, f"unknown identifier '{name}' in connect() of {synapses.where()} "
                                       "(neuron variables need the suffix _pre or _post there)")
            resolved = value
        values[name] = resolved
    return values
