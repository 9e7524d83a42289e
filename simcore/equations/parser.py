"""Expression and statement strings -> sympy, with positions for every error.

Python's own ``ast`` reads the text (so syntax errors carry exact positions and
only whitelisted constructs pass); a small converter then builds sympy objects
directly. Nothing is ever evaluated, and sympy's ``sympify`` quirks (``E``,
``I``, ``N``, ``beta``, ...) cannot occur because every name becomes a Symbol.
What it gives is in parsed.py; where a piece of text stands in the user's string, in snippet.py.
"""

from __future__ import annotations

import ast
import functools
from collections.abc import Container
from types import MappingProxyType

import sympy
from sympy.core.parameters import distribute
from sympy.core.relational import Relational
from sympy.logic.boolalg import BooleanAtom, BooleanFunction

from simcore.equations.functions import BUILTIN_FUNCTIONS, int_, poisson
from simcore.equations.parsed import Expression, Statement, Statements
from simcore.equations.printer import to_text
from simcore.equations.snippet import Snippet, logical_lines, syntax_error, too_long
from simcore.errors import ModelTypeError, ParseError, SourcePosition

# Statements is imported from here by the synapse modules.
__all__ = ["ASSIGNMENT_OPERATORS", "Statements", "check_condition", "is_condition", "parse_expression",
           "parse_statements", "symbol"]

ASSIGNMENT_OPERATORS = {ast.Add: "+=", ast.Sub: "-=", ast.Mult: "*=", ast.Div: "/="}

_BINARY = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
    ast.Div: lambda a, b: a / b,
    ast.Pow: lambda a, b: a**b,
    ast.FloorDiv: lambda a, b: sympy.floor(a / b),
    ast.Mod: lambda a, b: sympy.Mod(a, b),
}
# Operators of one precedence that chain to the left: a - b + c is (a - b) + c
_ADDITIVE = (ast.Add, ast.Sub)
_DIVIDING = (ast.Div, ast.FloorDiv, ast.Mod)
_MULTIPLICATIVE = (ast.Mult, *_DIVIDING)
_CHAINS = {op: chain for chain in (_ADDITIVE, _MULTIPLICATIVE) for op in chain}
_COMPARE = {
    ast.Lt: sympy.Lt,
    ast.LtE: sympy.Le,
    ast.Gt: sympy.Gt,
    ast.GtE: sympy.Ge,
    ast.Eq: sympy.Eq,
    ast.NotEq: sympy.Ne,
}
_OPERATOR_HINTS = {
    ast.BitAnd: "'&' is not supported; use 'and'",
    ast.BitOr: "'|' is not supported; use 'or'",
    ast.BitXor: "'^' is not supported; use '**' for powers",
    ast.Invert: "'~' is not supported; use 'not'",
    ast.MatMult: "'@' is not supported",
    ast.LShift: "'<<' is not supported",
    ast.RShift: "'>>' is not supported",
}


def is_condition(expr: sympy.Basic) -> bool:
    """A comparison, a logical combination or True/False (a Symbol is never one here)."""
    return isinstance(expr, (Relational, BooleanFunction, BooleanAtom))


def check_condition(expression: Expression, what: str, not_boolean: Container[str] = ()) -> Expression:
    """Refuse an expression that is not a condition (``threshold='v + 1'`` would be true whenever it is not
    zero): it must be a comparison, a combination with and/or/not, True/False, or a name, unless the name is
    in ``not_boolean`` (a model variable that is a number). Returns ``expression``."""
    expr = expression.expr
    if is_condition(expr) or isinstance(expr, sympy.Symbol) and expr.name not in not_boolean:
        return expression
    lines = expression.source.splitlines() or [""]
    line = next((n for n, text in enumerate(lines) if text.strip()), 0)
    position = SourcePosition(line + 1, len(lines[line]) - len(lines[line].lstrip()) + 1)
    raise ParseError(f"{what} must be a condition (a comparison such as 'v > v_th', combined with 'and', 'or', "
                     f"'not', or a boolean variable), not the value '{expression.text}'", position,
                     expression.source)


def symbol(name: str) -> sympy.Symbol:
    """The one way a model name becomes a sympy Symbol (real, as all model values are)."""
    return sympy.Symbol(name, real=True)


class _Converter:
    """One pass over a Python AST, building sympy and recording name positions."""

    def __init__(self, snippet: Snippet, text_lines: list[str], line_shift: int = 0, col_shift: int = 0):
        self.snippet = snippet
        self.lines = text_lines
        self.line_shift = line_shift
        self.col_shift = col_shift
        self.positions: dict[str, SourcePosition] = {}
        self.functions: set[str] = set()
        self.random_sites = 0

    def where(self, node: ast.AST) -> tuple[int, int]:
        """1-based (line, column) inside the snippet of an AST node of the parsed text."""
        line = node.lineno
        raw = self.lines[line - 1].encode()[: node.col_offset].decode(errors="replace")
        column = len(raw) + 1
        line -= self.line_shift
        if line == 1:
            column -= self.col_shift
        return line, column

    def fail(self, node: ast.AST, message: str) -> ParseError:
        return self.snippet.error(message, *self.where(node))

    def convert(self, node: ast.AST) -> sympy.Basic:
        # sympy would distribute a number over a sum (0.32*(a + b) -> 0.32*a + 0.32*b), so that
        # printing and parsing again would give another tree; keep the user's grouping.
        with distribute(False):
            return self._convert(node)

    def _convert(self, node: ast.AST) -> sympy.Basic:
        method = getattr(self, f"_{type(node).__name__}", None)
        if method is None:
            raise self.fail(node, f"{_describe_node(node)} is not allowed in model expressions")
        try:
            return method(node)
        except ParseError:
            raise
        except ZeroDivisionError:
            raise self.fail(node, "division by zero") from None
        except (TypeError, ValueError) as exc:
            raise self.fail(node, f"cannot form this expression: {exc}") from None

    def _Constant(self, node: ast.Constant):
        value = node.value
        if isinstance(value, bool):
            return sympy.true if value else sympy.false
        if isinstance(value, int):
            return sympy.Integer(value)
        if isinstance(value, float):
            return sympy.Float(value)
        raise self.fail(node, f"the constant {value!r} is not a number")

    def _Name(self, node: ast.Name):
        if node.id in BUILTIN_FUNCTIONS:
            raise self.fail(node, f"'{node.id}' is a function: call it, as in {node.id}(...)")
        if node.id.startswith("_"):
            raise self.fail(node, f"names starting with '_' are reserved: '{node.id}'")
        self.positions.setdefault(node.id, self.snippet.position(*self.where(node)))
        return symbol(node.id)

    def _arithmetic_operand(self, node: ast.AST):
        value = self.convert(node)
        return int_(value) if is_condition(value) else value

    def _BinOp(self, node: ast.BinOp):
        chain = _CHAINS.get(type(node.op))
        if chain is None:
            return self._binary(node, self._arithmetic_operand(node.left), self._arithmetic_operand(node.right))
        # A chain a + b - c ... (or a * b / c ...) is a left-leaning tree as deep as it is long: walk its
        # spine in a loop, so that a sum of thousands of terms (as tools generate) needs no deep recursion.
        spine = []
        while isinstance(node, ast.BinOp) and isinstance(node.op, chain):
            spine.append(node)
            node = node.left
        value = self._arithmetic_operand(node)
        if chain is _ADDITIVE:
            terms = [value]
            for link in reversed(spine):
                term = self._arithmetic_operand(link.right)
                terms.append(term if isinstance(link.op, ast.Add) else -term)
            return sympy.Add(*terms)  # one flattening for the whole sum: adding term by term is quadratic
        factors = [value]  # likewise one Mul for each run of '*'
        for link in reversed(spine):
            operand = self._arithmetic_operand(link.right)
            if isinstance(link.op, ast.Mult):
                factors.append(operand)
            else:
                factors = [self._binary(link, sympy.Mul(*factors), operand)]
        return sympy.Mul(*factors)

    def _binary(self, node: ast.BinOp, left: sympy.Basic, right: sympy.Basic) -> sympy.Basic:
        """``left op right`` of one operator node; a division by zero is refused at the divisor (sympy would
        fold it to 'zoo', complex infinity)."""
        operator = _BINARY.get(type(node.op))
        if operator is None:
            raise self.fail(node, _OPERATOR_HINTS.get(type(node.op), "unsupported operator"))
        if isinstance(node.op, ast.Pow):
            if isinstance(right, sympy.Float) and float(right).is_integer():
                right = sympy.Integer(int(right))
            if left.is_zero and right.is_negative:
                raise self.fail(node, f"division by zero: zero to the negative power '{to_text(right)}'")
        elif isinstance(node.op, _DIVIDING) and right.is_zero:
            raise self.fail(node.right, f"division by zero: the divisor '{to_text(right)}' is zero")
        return operator(left, right)

    def _UnaryOp(self, node: ast.UnaryOp):
        if isinstance(node.op, ast.Not):
            return sympy.Not(self.convert(node.operand))
        if isinstance(node.op, ast.USub):
            return -self._arithmetic_operand(node.operand)
        if isinstance(node.op, ast.UAdd):
            return self._arithmetic_operand(node.operand)
        raise self.fail(node, _OPERATOR_HINTS.get(type(node.op), "unsupported operator"))

    def _BoolOp(self, node: ast.BoolOp):
        combine = sympy.And if isinstance(node.op, ast.And) else sympy.Or
        return combine(*(self.convert(value) for value in node.values))

    def _Compare(self, node: ast.Compare):
        terms = [self._arithmetic_operand(node.left)]
        relations = []
        for op, comparator in zip(node.ops, node.comparators, strict=True):
            relation = _COMPARE.get(type(op))
            if relation is None:
                raise self.fail(node, f"the comparison '{_op_text(op)}' is not supported")
            terms.append(self._arithmetic_operand(comparator))
            relations.append(relation(terms[-2], terms[-1], evaluate=False))
        return relations[0] if len(relations) == 1 else sympy.And(*relations)

    def _Call(self, node: ast.Call):
        if not isinstance(node.func, ast.Name):
            raise self.fail(node, "only named functions can be called, as in exp(x)")
        if node.keywords:
            raise self.fail(node, f"{node.func.id}() takes no keyword arguments")
        name = node.func.id
        if any(isinstance(arg, ast.Starred) for arg in node.args):
            raise self.fail(node, f"{name}() cannot take *arguments")
        convert = self.convert if name == "int" else self._arithmetic_operand
        args = [convert(arg) for arg in node.args]
        if name not in BUILTIN_FUNCTIONS:
            self.functions.add(name)
            self.positions.setdefault(name, self.snippet.position(*self.where(node)))
            return sympy.Function(name)(*args)
        function, arity = BUILTIN_FUNCTIONS[name]
        if len(args) != arity:
            plural = "" if arity == 1 else "s"
            raise self.fail(node, f"{name}() takes {arity} argument{plural} ({len(args)} given)")
        if name in ("rand", "randn"):
            self.random_sites += 1
            return function(sympy.Integer(self.random_sites - 1))
        if function is poisson:
            self.random_sites += 1
            return function(args[0], sympy.Integer(self.random_sites - 1))
        # sympy's own simplifications (atan(-x) -> -atan(x)) loop forever if -x stays undistributed
        with distribute(True):
            value = function(*args)
        if value in (sympy.zoo, sympy.nan):  # log(0): sympy folds it to complex infinity
            raise self.fail(node, f"{name}({', '.join(to_text(arg) for arg in args)}) is not a number "
                            "(it is infinite or undefined)")
        return value


def _op_text(op: ast.cmpop) -> str:
    return {ast.Is: "is", ast.IsNot: "is not", ast.In: "in", ast.NotIn: "not in"}.get(type(op), "?")


def _describe_node(node: ast.AST) -> str:
    names = {
        "IfExp": "a conditional expression (x if c else y)",
        "Attribute": "attribute access (a.b)",
        "Subscript": "indexing (a[...])",
        "Lambda": "lambda",
        "List": "a list",
        "Tuple": "a tuple",
        "Dict": "a dict",
        "Set": "a set",
        "JoinedStr": "an f-string",
        "NamedExpr": "':='",
    }
    return names.get(type(node).__name__, f"'{type(node).__name__}'")


def parse_expression(text: str | Snippet) -> Expression:
    """Parse an expression (a threshold, a condition, a right-hand side)."""
    if not isinstance(text, str | Snippet):
        raise ModelTypeError(f"an expression is a string, such as 'v > -50*mV', not {type(text).__name__} {text!r}")
    return _parsed_expression(Snippet.whole(text) if isinstance(text, str) else text)


@functools.lru_cache(maxsize=8192)
def _parsed_expression(snippet: Snippet) -> Expression:
    """An expression's parse, remembered for the process: it depends on the text and its place alone, and a
    model built again (every run of a sweep) parses the same strings (HH's 24 expressions: 50 ms a build)."""
    if not snippet.text.strip():
        raise snippet.error("empty expression")
    snippet.check_ascii()
    wrapped = "(" + snippet.text + "\n)"
    try:
        tree = ast.parse(wrapped, mode="eval")
    except SyntaxError as exc:
        raise syntax_error(snippet, exc, 0, 1) from None
    except RecursionError:
        raise too_long(snippet) from None
    converter = _Converter(snippet, wrapped.splitlines(), col_shift=1)
    expr = converter.convert(tree.body)
    return _expression(expr, snippet, converter)


def _expression(expr: sympy.Basic, snippet: Snippet, converter: _Converter) -> Expression:
    names = frozenset(s.name for s in expr.free_symbols)
    return Expression(
        expr=expr,
        text=" ".join(snippet.text.split()),
        identifiers=names,
        functions=frozenset(converter.functions),
        positions=MappingProxyType({k: v for k, v in converter.positions.items()}),
        source=snippet.source,
    )


def parse_statements(text: str) -> Statements:
    """Parse statements (a reset, on_pre, run_regularly code): one assignment per line. A text of only white space
    and comments holds no statements: as in Brian 2, ``reset=''`` means "do nothing". Remembered for the process,
    as expressions are."""
    if not isinstance(text, str):
        raise ModelTypeError(f"statements are a string, such as 'v = -60*mV', not {type(text).__name__} {text!r}")
    return _parsed_statements(text)


@functools.lru_cache(maxsize=8192)
def _parsed_statements(text: str) -> Statements:
    statements = []
    for snippet in logical_lines(text):
        snippet.check_ascii()
        try:
            tree = ast.parse(snippet.text, mode="exec")
        except SyntaxError as exc:
            raise syntax_error(snippet, exc, 0, 0) from None
        except RecursionError:
            raise too_long(snippet) from None
        converter = _Converter(snippet, snippet.text.splitlines())
        for node in tree.body:
            statements.append(_statement(node, snippet, converter))
    return Statements(tuple(statements), text)


def _statement(node: ast.stmt, snippet: Snippet, converter: _Converter) -> Statement:
    if isinstance(node, ast.Assign):
        if len(node.targets) != 1:
            raise converter.fail(node, "assign one variable per statement (no 'a = b = ...')")
        target_node, op, value = node.targets[0], "=", node.value
    elif isinstance(node, ast.AugAssign):
        op = ASSIGNMENT_OPERATORS.get(type(node.op))
        if op is None:
            raise converter.fail(node, "only the operators =, +=, -=, *= and /= can assign")
        target_node, value = node.target, node.value
    elif isinstance(node, ast.Expr):
        raise converter.fail(node, "a statement must assign to a variable, as in 'v = v_reset'")
    else:
        raise converter.fail(node, f"{type(node).__name__} statements are not allowed; only assignments")
    if not isinstance(target_node, ast.Name):
        raise converter.fail(target_node, "the target of an assignment must be a variable name")
    target = converter.convert(target_node).name
    expr = converter.convert(value)
    line, column = converter.where(node)
    value_text = ast.get_source_segment(snippet.text, value) or to_text(expr)
    expression = _expression(expr, Snippet(value_text, snippet.source), converter)
    return Statement(target, op, expression, snippet.position(line, column))


