"""The whitelist grammar for spec expressions, from text to a SymPy expression.

Python's ``ast`` parses the text; a walk over the tree accepts only numbers, names
defined earlier, ``+ - * / **``, unary signs and calls of the whitelisted functions,
and builds the SymPy expression node by node. Nothing is ever evaluated as code.
Source length, tree size and constant exponents are bounded so no spec can hang the tool.
The validated tree is kept too: the numeric stage evaluates it in source order, the way
the seed notebooks write their TensorFlow code.
"""

from __future__ import annotations

import ast
import difflib
import io
import keyword
import math
import re
import tokenize
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction

import sympy as sp

from ..errors import ExpressionError, cut, quoted
from .axes import axis_of
from .functions import ALIASES, FUNCTIONS, function_names, matmul, transpose

MAX_SOURCE_CHARS = 2000
MAX_TREE_NODES = 400
MAX_EXPONENT = 64
MAX_LITERAL = 1e12
MAX_POWER_DIGITS = 300
"""A power of two numbers, ((2**64)**64)**64 say, is refused beyond 1e300 or below 1e-300."""
NEAR_ONE, MAX_ROOT = 1e-12, 10_000
"""A fractional power of numbers is refused nearer 1 than this, or with a larger exponent denominator."""
MAX_CALL_DEPTH = 12
"""Calls nested in one expression (``sigmoid(tanh(x))`` is 2). Twelve nested sigmoids derive in
0.04 s and render to HTML in 0.4 s; deeper models are written a node a level, A2 = "sigmoid(A1)"."""
_NOT_REAL = (sp.I, sp.zoo, sp.nan, sp.oo, -sp.oo)
SOURCE_CHARACTERS = re.compile(r"[A-Za-z0-9_.+\-*/@(),= \t\n]*")
"""What an expression's text may hold at all: no comment (#), backslash, quote or other
character reaches the parser, so the text shown on a sheet (the TensorFlow code) is inert."""

_BINARY = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**", ast.MatMult: "@"}
_UNARY = {ast.USub: "-", ast.UAdd: "+"}
_DESCRIPTIONS = {
    ast.Attribute: "attribute access",
    ast.Subscript: "subscripts",
    ast.Lambda: "lambda",
    ast.Compare: "comparisons",
    ast.BoolOp: "and/or",
    ast.IfExp: "if/else",
    ast.List: "lists",
    ast.Tuple: "tuples",
    ast.Dict: "dicts",
    ast.Starred: "star arguments",
    ast.JoinedStr: "f-strings",
    ast.NamedExpr: "assignment",
}
GRAMMAR = "numbers, names defined earlier, + - * / ** @, .T, parentheses and calls of " + (
    function_names()
)
TRUE_WORDS = {"true": True, "false": False, "True": True, "False": False}
"""How a call's true/false option may be spelt (``gelu(z, approximate=true)``): as TOML or Python."""


@dataclass(frozen=True)
class ParsedExpression:
    """A validated expression: its text, its checked syntax tree and its SymPy form."""

    source: str
    tree: ast.expr
    sympy: sp.Expr
    display: sp.Expr
    """The same expression unevaluated, in source order, for showing the equation."""
    names: tuple[str, ...]


def parse_expression(
    source: str,
    key: str,
    known: Mapping[str, sp.Symbol],
    defined_later: frozenset[str] = frozenset(),
) -> ParsedExpression:
    """Parse ``source`` (the value of spec key ``key``) over the ``known`` symbols."""
    if not isinstance(source, str):
        raise ExpressionError(key, f"expected an expression as a string, got {quoted(source)}")
    if len(source) > MAX_SOURCE_CHARS:
        raise ExpressionError(key, f"expression is longer than {MAX_SOURCE_CHARS} characters")
    if not source.strip():
        raise ExpressionError(key, "expected an expression, got an empty string")
    try:
        tree = _parse_with_keyword_names(source.strip())
    except (SyntaxError, ValueError, RecursionError, MemoryError, tokenize.TokenError) as error:
        detail = getattr(error, "msg", None) or "not a valid expression"
        raise ExpressionError(key, f"cannot parse {quoted(source)}: {detail}") from None
    if sum(1 for _ in ast.walk(tree)) > MAX_TREE_NODES:
        raise ExpressionError(key, f"expression has more than {MAX_TREE_NODES} parts")
    depth = call_depth(tree)
    if depth > MAX_CALL_DEPTH:
        raise ExpressionError(key, f"calls nested {depth} deep; the limit is {MAX_CALL_DEPTH} (write inner "
                                   "calls as nodes of their own: A2 = \"sigmoid(A1)\")")
    builder = _Builder(key, known, defined_later)
    try:
        expression = builder.build(tree)
    except (ValueError, TypeError, ArithmeticError) as error:  # SymPy's own refusal: max(x, 0 @ 0)
        raise ExpressionError(key, f"cannot build {quoted(source)}: {error}") from None
    transposed = _misplaced_transpose(source.strip())  # every attribute is .T now: is each placed well?
    if transposed is not None:
        raise ExpressionError(key, f"'.T' may follow only a name or a parenthesised expression, not "
                                   f"{quoted(transposed)}; write (...).T or transpose(...)")
    if not SOURCE_CHARACTERS.fullmatch(source):  # what the tree no longer shows: a comment, a "\\"
        stray = next(c for c in source if not SOURCE_CHARACTERS.fullmatch(c))
        raise ExpressionError(key, f"{quoted(stray)} is not allowed; expressions use only {GRAMMAR}")
    with sp.evaluate(False):
        display = _Builder(key, known, defined_later, as_written=True).build(tree)
    if expression.has(*_NOT_REAL):  # e.g. (-1)**0.5: caught here if no call caught it
        raise ExpressionError(key, f"{quoted(source)} is not a finite real number for some values; "
                                   "expressions must stay real")
    names = tuple(dict.fromkeys(builder.names))
    evaluated = ast.fix_missing_locations(_AsCalls().visit(tree))
    return ParsedExpression(source, evaluated, expression, display, names)


def _power_trouble(base: sp.Expr, exponent: sp.Expr) -> str | None:
    """Why SymPy would hang on a power or make it complex, or None. A fractional power of numbers is
    exact, a root: of degree 10**14 (63.72 ** 63.72) SymPy raises an integer to that power, next to 1
    (1.0...01 ** 0.001) it tests the sign by a minimal polynomial; (-1) ** w has the logarithm i pi."""
    if base.is_Number and base < 0 and exponent.free_symbols:
        return f"{quoted(str(base))} to the power {exponent} is not real where {exponent} is not whole"
    if not (base.is_Rational and base != 0 and exponent.is_Rational and not exponent.is_Integer):
        return None
    power, fraction = f"{quoted(str(base))} to the power {float(exponent):.9g}", Fraction(str(exponent))
    if fraction.denominator > MAX_ROOT:
        return f"{power}: a fractional exponent of a number may have at most 4 decimals; round it"
    distance = abs(Fraction(int(base.p), int(base.q)) - 1)  # |ln b| is within a factor 2 of it below 1/2
    near = 0 < abs(fraction) * min(distance, Fraction(1, 2)) < Fraction(1, round(1 / NEAR_ONE))
    return f"{power} differs from 1 by less than {NEAR_ONE:g}; write 1, or other numbers" if near else None


class _AsCalls(ast.NodeTransformer):
    """The validated tree with ``W.T`` as ``transpose(W)``, an alias as its entry's name (``swish`` as
    ``silu``) and a call's true/false option as the entry it selects (``gelu(z, approximate=true)`` as
    ``gelu_tanh(z)``): the tape evaluates only calls of registry names with positional arguments."""

    def visit_Attribute(self, node: ast.Attribute) -> ast.expr:
        return ast.Call(ast.Name("transpose", ast.Load()), [self.visit(node.value)], [])

    def visit_Call(self, node: ast.Call) -> ast.expr:
        self.generic_visit(node)
        entry = FUNCTIONS[ALIASES.get(node.func.id, node.func.id)]
        chosen = entry.option[1] if node.keywords and _option_value(node.keywords[0].value) else entry.name
        return ast.Call(ast.Name(chosen, ast.Load()), node.args, [])


def _option_value(tree: ast.expr) -> bool | None:
    """True or False for a literal ``true``/``false`` (or Python's ``True``/``False``), else None."""
    if isinstance(tree, ast.Constant) and isinstance(tree.value, bool):
        return tree.value
    if isinstance(tree, ast.Name) and tree.id in TRUE_WORDS:
        return TRUE_WORDS[tree.id]
    return None


def _misplaced_transpose(source: str) -> str | None:
    """The text before a '.' that does not follow a name or a parenthesised expression (``f(x).T``,
    ``x.T.T``), or None when every attribute access does. The tree cannot tell ``(f(x)).T`` from
    ``f(x).T``; the tokens can (only an attribute access makes '.' an operator token)."""
    tokens = [t for t in tokenize.generate_tokens(io.StringIO(source).readline)
              if t.type not in (tokenize.NL, tokenize.NEWLINE, tokenize.COMMENT, tokenize.ENDMARKER)]
    opened: list[int] = []
    calls: set[int] = set()  # indices of ')' that close a call's argument list
    for index, token in enumerate(tokens):
        if token.string == "(":
            opened.append(index)
        elif token.string == ")" and opened:
            start = opened.pop()
            if start > 0 and tokens[start - 1].type == tokenize.NAME:
                calls.add(index)
        elif token.type == tokenize.OP and token.string == "." and index > 0:
            before = tokens[index - 1]
            chained = index > 1 and tokens[index - 2].string == "."
            group = before.string == ")" and index - 1 not in calls
            if (before.type == tokenize.NAME and not chained) or group:
                continue
            return source[:_offset(source, before.end)].strip()[-40:]
    return None


def _offset(source: str, position: tuple[int, int]) -> int:
    """A tokenizer's (row, column) as an index into ``source``."""
    row, column = position
    return sum(len(line) for line in source.splitlines(keepends=True)[: row - 1]) + column


def call_depth(tree: ast.expr) -> int:
    """How deeply calls nest in ``tree`` (``sigmoid(tanh(x))`` is 2), without recursion."""
    deepest, stack = 0, [(tree, 0)]
    while stack:
        node, depth = stack.pop()
        depth += isinstance(node, ast.Call)
        deepest = max(deepest, depth)
        stack.extend((child, depth) for child in ast.iter_child_nodes(node))
    return deepest


OPERATOR_WORDS = frozenset("and or not if else in is".split())
"""Keywords that read as operators: refused by the grammar with their own message, not names."""


def _parse_with_keyword_names(source: str) -> ast.expr:
    """``source``'s syntax tree, where a Python keyword is a name like any other (``lambda*w``,
    the regularization strength): each is spelt as an unused identifier for Python's parser,
    then given its own name back in the tree."""
    tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    words = {t.string for t in tokens if t.type == tokenize.NAME and keyword.iskeyword(t.string)
             and t.string not in OPERATOR_WORDS}
    if not words:
        return ast.parse(source, mode="eval").body
    taken = {t.string for t in tokens if t.type == tokenize.NAME}
    spelt = {}
    for word in sorted(words):
        alias = f"{word}_"
        while alias in taken:
            alias += "_"
        spelt[word] = alias
        taken.add(alias)
    renamed = [(t.type, spelt.get(t.string, t.string) if t.type == tokenize.NAME else t.string)
               for t in tokens]
    tree = ast.parse(tokenize.untokenize(renamed), mode="eval").body
    back = {alias: word for word, alias in spelt.items()}
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id in back:
            node.id = back[node.id]
    return tree


class _Builder:
    """One walk over a syntax tree, accepting only the whitelist."""

    def __init__(
        self,
        key: str,
        known: Mapping[str, sp.Symbol],
        defined_later: frozenset[str],
        as_written: bool = False,
    ) -> None:
        self.key = key
        self.as_written = as_written
        self.known = known
        self.defined_later = defined_later
        self.names: list[str] = []

    def fail(self, message: str) -> ExpressionError:
        return ExpressionError(self.key, message)

    def build(self, node: ast.expr) -> sp.Expr:
        if isinstance(node, ast.Constant):
            return self.number(node.value)
        if isinstance(node, ast.Name):
            return self.name(node.id)
        if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
            return self.binary(node)
        if isinstance(node, ast.UnaryOp) and type(node.op) in _UNARY:
            operand = self.build(node.operand)
            return -operand if isinstance(node.op, ast.USub) else operand
        if isinstance(node, ast.Call):
            return self.call(node)
        if isinstance(node, ast.Attribute) and node.attr == "T":
            return transpose(self.build(node.value))
        if isinstance(node, ast.Attribute):
            raise self.fail(f"attribute access not allowed ('.{node.attr}'); the only attribute is .T, the "
                            f"transpose; expressions use only {GRAMMAR}")
        what = _DESCRIPTIONS.get(type(node), f"'{type(node).__name__}' syntax")
        raise self.fail(f"{what} not allowed; expressions use only {GRAMMAR}")

    def number(self, value: object) -> sp.Expr:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.fail(f"{quoted(value)} is not a number; expressions use only {GRAMMAR}")
        if isinstance(value, int) and abs(value) > MAX_LITERAL:  # before float(): 10**400 overflows it
            raise self.fail(f"number {cut(str(value), 40)} is out of range (at most {MAX_LITERAL:g})")
        if not math.isfinite(value) or abs(value) > MAX_LITERAL:
            raise self.fail(f"number {quoted(value)} is out of range (at most {MAX_LITERAL:g})")
        exact = Fraction(repr(value)) if isinstance(value, float) else Fraction(value)
        return sp.Rational(exact.numerator, exact.denominator)

    def name(self, name: str) -> sp.Expr:
        if name in self.known:
            self.names.append(name)
            return self.known[name]
        if name in FUNCTIONS:
            raise self.fail(f"'{name}' is a function; call it as {name}(...)")
        if name in self.defined_later:
            raise self.fail(
                f"'{name}' is used before it is defined; a node may use only inputs, "
                "parameters and nodes above it (so no cycles)"
            )
        hint = difflib.get_close_matches(name, list(self.known), n=1, cutoff=0.5)
        suggestion = f" (did you mean '{hint[0]}'?)" if hint else ""
        raise self.fail(f"unknown name '{name}'{suggestion}")

    def binary(self, node: ast.BinOp) -> sp.Expr:
        left, right = self.build(node.left), self.build(node.right)
        if isinstance(node.op, ast.MatMult):
            return matmul(left, right)
        if self.as_written and isinstance(node.op, ast.Add | ast.Sub | ast.Mult):
            return self.chain(node.op, left, right)
        if isinstance(node.op, ast.Add):
            return left + right
        if isinstance(node.op, ast.Sub):
            return left - right
        if isinstance(node.op, ast.Mult):
            return left * right
        if isinstance(node.op, ast.Div):
            if right == 0:
                raise self.fail("division by zero")
            return left / right
        if right.is_Number and abs(right) > MAX_EXPONENT:
            raise self.fail(f"exponent {right} is too large (at most {MAX_EXPONENT})")
        if left.is_Rational and right.is_Number and left != 0:
            digits = abs(float(right)) * abs(math.log10(abs(left.p)) - math.log10(left.q))
            if digits > MAX_POWER_DIGITS:  # bounded by its value, before SymPy computes it
                raise self.fail(f"{quoted(str(left))} to the power {right} has {digits:.0f} digits; a "
                                f"power of numbers must stay within 1e±{MAX_POWER_DIGITS} (float64)")
        if (trouble := _power_trouble(left, right)) is not None:
            raise self.fail(trouble)
        if left == 0 and right.is_Number and right < 0:
            raise self.fail("zero raised to a negative power")
        power = left**right
        if power.is_Pow and power.exp.is_Number and abs(power.exp) > MAX_EXPONENT:  # (x**64)**64 = x**4096
            raise self.fail(f"exponent {power.exp} (powers of powers multiply) is too large "
                            f"(at most {MAX_EXPONENT})")
        return power

    def chain(self, op: ast.operator, left: sp.Expr, right: sp.Expr) -> sp.Expr:
        """An unevaluated sum or product that keeps a chain like a + b + c flat."""
        if isinstance(op, ast.Mult):
            head = left.args if left.is_Mul else (left,)
            return sp.Mul(*head, right, evaluate=False)
        if isinstance(op, ast.Sub):
            right = sp.Mul(-1, right, evaluate=False)
        head = left.args if left.is_Add else (left,)
        return sp.Add(*head, right, evaluate=False)

    def call(self, node: ast.Call) -> sp.Expr:
        if not isinstance(node.func, ast.Name):
            raise self.fail(f"only calls of {function_names()} are allowed")
        name = node.func.id
        rule = FUNCTIONS.get(ALIASES.get(name, name))
        if rule is None:
            hint = difflib.get_close_matches(name, [*FUNCTIONS, *ALIASES], n=1)
            suggestion = f"did you mean '{hint[0]}'? " if hint else ""
            raise self.fail(
                f"unknown function '{name}'; {suggestion}functions are {function_names()}"
            )
        if node.keywords and rule.option is not None and rule.required <= len(node.args) <= rule.arity:
            return self.option(name, rule, node)
        if node.keywords or not rule.required <= len(node.args) <= rule.arity:
            count = str(rule.arity) if rule.required == rule.arity else f"{rule.required} to {rule.arity}"
            plural = "s" if rule.arity > 1 else ""
            optional = "".join(f", {p} = {v:g} if left out" for p, v in
                               zip(rule.parameters[rule.arity - len(rule.defaults):], rule.defaults,
                                   strict=True))
            if rule.axis:
                optional += f"; {rule.parameters[-1]} is an integer, left out: over every element"
            raise self.fail(
                f"{name}() takes {count} positional argument{plural} "
                f"({', '.join(rule.parameters)}{optional})"
            )
        if rule.axis and len(node.args) == rule.arity:
            axis = axis_of(node.args[-1])
            if axis is None:
                raise self.fail(f"{name}(): the axis must be an integer such as 0 or -1, "
                                f"got {quoted(ast.unparse(node.args[-1]))}")
            given = [self.build(arg) for arg in node.args[:-1]]
            return rule.build(*given, sp.Integer(axis))
        given = [self.build(arg) for arg in node.args]
        result = rule.build(*given, *rule.default_arguments(len(given)))
        return self.checked(name, given, result)

    def option(self, name: str, rule, node: ast.Call) -> sp.Expr:
        """A call that sets its true/false option (``gelu(z, approximate=true)``): the entry it selects."""
        keyword, selected = rule.option
        value = _option_value(node.keywords[0].value) if len(node.keywords) == 1 else None
        if node.keywords[0].arg != keyword or value is None:
            raise self.fail(f"{name}() takes one keyword, {keyword} = true or false "
                            f"(e.g. {name}(z, {keyword}=true))")
        chosen = FUNCTIONS[selected] if value else rule
        given = [self.build(arg) for arg in node.args]
        return self.checked(name, given, chosen.build(*given, *chosen.default_arguments(len(given))))

    def checked(self, name: str, given: list[sp.Expr], result: sp.Expr) -> sp.Expr:
        if not result.free_symbols and result.has(*_NOT_REAL):
            shown = ", ".join(str(arg) for arg in given)
            raise self.fail(f"{name}({cut(shown, 40)}) is not a finite real number ({result}); "
                            f"{name} is undefined there")
        return result
