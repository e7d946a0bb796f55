"""The whitelist grammar: what it accepts, and a one-line error for everything else."""

from __future__ import annotations

import pytest
import sympy as sp

from derive.errors import ExpressionError
from derive.graph.expressions import MAX_SOURCE_CHARS, parse_expression
from derive.graph.functions import bce, gelu, gelu_tanh, matmul, sigmoid, transpose

NAMES = {name: sp.Symbol(name, real=True) for name in ("x", "w", "b", "y", "A1")}
x, w, b, y = (NAMES[n] for n in ("x", "w", "b", "y"))


def parse(source: str, later: frozenset[str] = frozenset()):
    return parse_expression(source, "graph.N", NAMES, later)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("x*w + b", x * w + b),
        ("-x**2", -(x**2)),
        ("+x / 2", x / 2),
        ("0.5*(x - y)**2", sp.Rational(1, 2) * (x - y) ** 2),
        ("sigmoid(x*w)", sigmoid(x * w)),
        ("bce(sigmoid(x), y)", bce(sigmoid(x), y)),
        ("exp(log(x)) + sqrt(abs(x)) + tanh(x)", x + sp.sqrt(sp.Abs(x)) + sp.tanh(x)),
        ("1e-3*x", x / 1000),
        ("x @ w.T", matmul(x, transpose(w))),
        ("(x @ w).T + transpose(b)", transpose(matmul(x, w)) + transpose(b)),
        ("(w.T).T", w),
        ("(sigmoid(x)).T", transpose(sigmoid(x))),
        ("gelu(x, approximate=true) + gelu(x, approximate=False) + gelu(x)", gelu_tanh(x) + 2 * gelu(x)),
        ("swish(x) - silu(x)", sp.Integer(0)),
    ],
)
def test_accepted_expressions_build_sympy(source, expected):
    assert sp.simplify(parse(source).sympy - expected) == 0


def test_names_are_recorded_in_order_of_first_use():
    assert parse("b + x*w + x").names == ("b", "x", "w")


@pytest.mark.parametrize(
    ("source", "fragment"),
    [
        ("__import__('os').system('true')", "only calls of"),
        ("x.real", "attribute access not allowed"),
        ("lambda: 1", "cannot parse"),  # lambda is a name (SPEC.md: keywords included); ":" is not grammar
        ("x[0]", "subscripts not allowed"),
        ("'text'", "is not a number"),
        ("x if y else b", "if/else not allowed"),
        ("x < y", "comparisons not allowed"),
        ("[x, y]", "lists not allowed"),
        ("sigmod(x)", "unknown function 'sigmod'; did you mean 'sigmoid'?"),
        ("open(x)", "functions are sigmoid, tanh, relu, softplus, exp, sin, cos, log, sqrt, abs, bce, mse"),
        ("sigmoid(x, y)", "takes 1 positional argument"),
        ("bce(p=x, y=y)", "takes 2 positional arguments"),
        ("x**100000", "exponent 100000 is too large"),
        ("2**(2**(2**6))", "too large"),
        ("1e999 * x", "out of range"),
        ("q + 1", "unknown name 'q'"),
        ("x +", "cannot parse"),
        ("x / 0", "division by zero"),
        ("sigmoid", "is a function"),
        ("", "empty"),
        ("x" + " + x" * MAX_SOURCE_CHARS, "longer than"),
        ("(" * 300 + "x" + ")" * 300, "cannot parse"),
        ("x.shape", "attribute access not allowed ('.shape'); the only attribute is .T"),
        ("sigmoid(x).T", "'.T' may follow only a name or a parenthesised expression, not 'sigmoid(x)'"),
        ("x.T.T", "'.T' may follow only a name or a parenthesised expression, not 'x.T'"),
        ("x.T()", "only calls of"),
        ("gelu(x, approximate=1)", "gelu() takes one keyword, approximate = true or false"),
        ("gelu(x, exact=true)", "gelu() takes one keyword, approximate = true or false"),
        ("silu(x, approximate=true)", "silu() takes 1 positional argument"),
    ],
)
def test_rejected_expressions_raise_one_line(source, fragment):
    with pytest.raises(ExpressionError) as caught:
        parse(source)
    assert caught.value.key == "graph.N"
    assert fragment in caught.value.message
    assert "\n" not in str(caught.value)


def test_the_tape_sees_calls_of_registry_names_only():
    """``.T``, ``approximate=true`` and an alias become the calls the tape evaluates: transpose(...),
    gelu_tanh(...), silu(...)."""
    import ast

    assert ast.unparse(parse("x @ w.T + (x @ w).T").tree) == "x @ transpose(w) + transpose(x @ w)"
    assert ast.unparse(parse("gelu(x, approximate=true) + gelu(w, approximate=false)").tree) == (
        "gelu_tanh(x) + gelu(w)")
    assert ast.unparse(parse("swish(x)").tree) == "silu(x)"
    assert parse("gelu(x, approximate=true)").source == "gelu(x, approximate=true)"  # shown as written


def test_name_defined_later_is_reported_as_used_before_defined():
    with pytest.raises(ExpressionError, match="used before it is defined"):
        parse("A3 + x", frozenset({"A3"}))


def test_display_keeps_source_order():
    from derive.sheet.printers.tex import tex_as_written

    assert tex_as_written(parse("x*w + y*b + b").display) == "x w + y b + b"


@pytest.mark.parametrize("tower", ["((((2**64)**64)**64)**64)**64", "(2**64)**64", "((2**64)**64)**-64",
                                   "(10**12)**26"])
def test_a_power_tower_is_bounded_by_its_value_within_a_moment(tower):
    """The exponent bound alone let ((2**64)**64)**64... take 21 s and 512 MB; the value is bounded."""
    import time

    from derive.graph.dag import build_graph

    from ..conftest import DEFAULT, spec_from

    started = time.monotonic()
    with pytest.raises(ExpressionError, match=r"^graph\.A1: '\d+' to the power -?\d+ has \d+ digits"):
        build_graph(spec_from(DEFAULT.replace("x2*w2 + b", f"x2*w2 + b + {tower}")))
    assert time.monotonic() - started < 1.0
    build_graph(spec_from(DEFAULT.replace("x2*w2 + b", "x2*w2 + b + 0.5**64 + 2**40")))  # still fine


@pytest.mark.parametrize("power, message", [
    ("--(63.72462712391217 ** 63.72462712391217)", r"'6372462712391217/100000000000000' to the power "
     r"63\.7246271: a fractional exponent of a number may have at most 4 decimals; round it"),
    ("-((-0.125 ** 5.079227849043991e-254) ** x)",
     r"'1/8' to the power 5\.07922785e-254: a fractional exponent"),
    ("(1 + 5e-254) ** 0.001 * x",
     r"'2000.* characters\) to the power 0\.001 differs from 1 by less than 1e-12; write 1, or other"),
    ("--((0 + -1) ** x)", r"'-1' to the power x is not real where x is not whole"),
])
def test_a_power_sympy_would_hang_on_or_make_complex_is_refused(power, message):
    """Found by make fuzz. A fractional power of numbers is exact in SymPy, a root of the exponent's
    denominator: (63.72...)^(63.72...) raised an integer to a power of about 10^14, and the sign test of
    log((1/8)^(5.08e-254)) builds a minimal polynomial of degree 10^269 (each a hang of the derivation);
    (-1)^x has the derivative (-1)^x i pi, and evaluating i was a traceback."""
    from derive.graph.dag import build_graph

    from ..conftest import DEFAULT, spec_from

    with pytest.raises(ExpressionError, match=f"^graph\\.A1: {message}"):
        build_graph(spec_from(DEFAULT.replace('"x1*w1 + x2*w2 + b"', f'"x1*w1 + x2*w2 + b + {power}"')
                              .replace("x1 = 1.3", "x = 1.3\nx1 = 1.3")))


@pytest.mark.parametrize("power, value", [("2 ** 0.5", 2**0.5), ("0.125 ** 1e-4", 0.125**1e-4),
                                          ("1 ** 0.5", 1.0), ("1.000001 ** 0.5", 1.000001**0.5),
                                          ("2 ** (1/3)", 2 ** (1 / 3)), ("7.3 ** 2.1234", 7.3**2.1234),
                                          ("(-2) ** 3", -8.0)])
def test_a_fractional_power_of_numbers_away_from_1_is_kept(power, value):
    from derive.graph.dag import build_graph
    from derive.graph.evaluate import forward_values

    from ..conftest import DEFAULT, spec_from

    graph = build_graph(spec_from(DEFAULT.replace('"x1*w1 + x2*w2 + b"', f'"x1*w1 + x2*w2 + b + {power}"')))
    expected = 1.3 * 0.7 + 2.1 * -0.3 + 1.0 + value
    assert forward_values(graph, graph.values())["A1"] == pytest.approx(expected, rel=1e-12)
