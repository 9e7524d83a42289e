"""Expressions as large as tools generate them (issue 12): a sum of 2,000 terms parses, has its units checked,
is integrated, printed, compiled and run; one too long for Python's own parser is a ParseError, not a crash."""

import itertools

import numpy as np
import pytest

from simcore import Network, NeuronGroup, ms, start_scope
from simcore.codegen.printer import NumbaPrinter
from simcore.equations import parse_expression, parse_statements
from simcore.errors import ParseError
from simcore.units import get_dimensions

TERMS = 2000


def test_a_sum_of_2000_parameters_is_read_checked_integrated_and_printed():
    start_scope()
    model = ("dv/dt = (" + " + ".join(f"{k + 1}*w{k}" for k in range(TERMS)) + ")/(10*ms) : 1\n"
             + "\n".join(f"w{k} : 1 (constant)" for k in range(TERMS)))
    group = NeuronGroup(1, model)
    group.check_units({"ms": get_dimensions(ms)})
    update = group.state_update()
    assert update.method == "exact"
    (statement,) = update.statements
    assert {s.name for s in statement.expr.free_symbols} == {f"w{k}" for k in range(TERMS)} | {"v", "dt", "ms"}
    assert NumbaPrinter().doprint(statement.expr).count("w") == TERMS


def test_a_2000_term_expression_is_compiled_and_run():
    start_scope()
    pairs = list(itertools.combinations(range(64), 2))[:TERMS]  # 2,000 distinct products of 64 parameters
    model = ("dv/dt = (" + " + ".join(f"p{a}*p{b}" for a, b in pairs) + " - v)/(10*ms) : 1\n"
             + "\n".join(f"p{k} : 1 (shared, constant)" for k in range(64)))
    group = NeuronGroup(2, model)
    for k in range(64):
        setattr(group, f"p{k}", 0.01 * (1 + k % 3))
    Network(group).run(0.2 * ms)
    p = 0.01 * (1 + np.arange(64) % 3)
    total = sum(p[a] * p[b] for a, b in pairs)
    assert group.v_ == pytest.approx(total * (1 - np.exp(-0.02)), rel=1e-9)


def test_long_chains_of_each_operator_parse_flat():
    product = parse_expression(" * ".join(f"w{k}" for k in range(TERMS))).expr
    assert len(product.args) == TERMS
    mixed = parse_expression(" - ".join(f"w{k}/{k + 1}" for k in range(TERMS))).expr
    assert len(mixed.args) == TERMS
    (statement,) = parse_statements("v += " + " + ".join(f"{k}*w{k}" for k in range(TERMS)))
    assert len(statement.expr.args) == TERMS - 1  # 0*w0 is 0


def test_an_expression_too_long_for_pythons_parser_is_a_parse_error():
    with pytest.raises(ParseError, match=r"too long or too deeply nested for Python's parser .* split it into "
                                         r"subexpressions"):
        parse_expression(" + ".join(f"w{k}" for k in range(50_000)))
