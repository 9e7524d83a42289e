"""The model language: equations, expressions and statements -> frozen sympy-based data."""

from simcore.equations.check import check_expression, check_statements
from simcore.equations.equations import Dependency, Equations
from simcore.equations.model import Equation, EquationKind, declare_temporaries
from simcore.equations.parsed import Expression, Statement, Statements
from simcore.equations.parser import parse_expression, parse_statements
from simcore.equations.printer import to_text

__all__ = [
    "Dependency",
    "Equation",
    "EquationKind",
    "Equations",
    "Expression",
    "Statement",
    "Statements",
    "check_expression",
    "check_statements",
    "declare_temporaries",
    "parse_expression",
    "parse_statements",
    "to_text",
]
