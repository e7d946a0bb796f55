"""Simplification bounded by counted work: the bounds against real expansions, the budget, and the
inputs that took minutes (each now derived in a moment, the same way on every run)."""

from __future__ import annotations

import time

import pytest
import sympy as sp

from derive.errors import SpecError
from derive.graph.dag import build_graph
from derive.symbolic import budget
from derive.symbolic.backprop import tidy
from derive.symbolic.budget import MAX_WORK, expanded, simplification_budget
from derive.symbolic.derivation import Target, derive

from ..conftest import DEFAULT, spec_from

x, y, w, b = sp.symbols("x y w b", real=True)


def terms_and_degree(polynomial: sp.Expr) -> tuple[int, int]:
    """Terms and total degree of ``polynomial`` expanded (SymPy's own expansion, as a check)."""
    expanded_form = sp.expand(polynomial)
    terms = sp.Add.make_args(expanded_form)
    return len(terms), max(sp.Poly(term, x, y, w, b).total_degree() for term in terms)


@pytest.mark.parametrize("expression", [
    (x + y) ** 3,                     # 4 terms, degree 3 (exactly the bound)
    (x + w) ** 6 * (y + b) ** 6,      # 49 terms, degree 12
    ((x + w) ** 2 + b) ** 3,
    x * (x + y + w) ** 4 + b,
])
def test_the_counted_bounds_are_at_least_the_expansion(expression):
    bound = expanded(expression)
    terms, degree = terms_and_degree(expression)
    assert bound.terms >= terms and bound.degree >= degree
    assert bound.below_terms == 1 and bound.below_degree == 0


def test_the_bound_of_a_power_of_a_sum_is_the_count_of_its_monomials():
    assert (expanded((x + y) ** 3).terms, expanded((x + y) ** 3).degree) == (4, 3)
    assert expanded((x + y + w) ** 4).terms == 15  # C(3 + 4 - 1, 4), as the expansion has
    assert terms_and_degree((x + y + w) ** 4)[0] == 15


def test_a_fraction_is_counted_over_its_common_denominator():
    bound = expanded(1 / (x + b) - (x + w) / (x + b) ** 2)
    # p = (x + b)^2 - (x + w)(x + b) over q = (x + b)^3: at most 3 + 2*2 terms of degree 2 ... the
    # counted bound may be loose, never below what cancel writes
    numerator, denominator = sp.fraction(sp.together(1 / (x + b) - (x + w) / (x + b) ** 2))
    assert bound.terms >= terms_and_degree(numerator)[0]
    assert bound.below_terms >= terms_and_degree(denominator)[0]


def test_a_large_product_of_powers_is_left_as_derived():
    product = 6 * (x + b) ** 6 * (y + b) ** 6 * (x + w) ** 6 * (y + w) ** 5  # 4,116 terms expanded
    assert expanded(product).work > MAX_WORK
    assert tidy(product) == product


def test_each_expression_is_simplified_once_and_the_budget_is_spent(monkeypatch):
    calls = []
    real = budget.expanded
    monkeypatch.setattr(budget, "expanded", lambda e: calls.append(e) or real(e))
    with simplification_budget():
        first = tidy(-2 * (y - x) / 3)
        again = tidy(-2 * (y - x) / 3)
    assert first == again and x - y in sp.Mul.make_args(first)  # 2 (x - y) / 3, factored
    assert len(calls) == 1
    with simplification_budget(0):  # no budget left: nothing is simplified
        assert tidy(2 * x / 3 - 2 * y / 3) == 2 * x / 3 - 2 * y / 3


def test_the_default_sheet_keeps_its_simplification():
    chain = derive(build_graph(spec_from(DEFAULT))).chains["w1"]
    A2, Y = sp.Symbol("A2", real=True), sp.Symbol("Y", real=True)
    assert any(s.result == A2 - Y for s in chain.simplifications)


def spec(graph: dict[str, str], extra: str = "") -> str:
    nodes = "".join(f'{name} = "{source}"\n' for name, source in graph.items())
    return f'title = "t"\n[inputs]\nx = 0.5\ny = 1.5\n[parameters]\nw = 0.8\nb = 0.1\n[graph]\n{nodes}{extra}'


SLOW = {  # each took over 30 s (the first two) or 7 to 15 s before the work was counted
    "a chain of fifth powers": {"A1": "(x + w)**5", **{f"A{i}": f"(A{i - 1} + w)**5" for i in range(2, 7)}},
    "nested sixth powers": {"A1": "(((x + w)**6 + b)**6 + y)**6"},
    "a product of sixth powers": {"A1": "(x+w)**6*(x+b)**6*(y+w)**6*(y+b)**6"},
    "a chain of ratios": {"A1": "(x + w)/(x + b)", **{f"A{i}": f"(A{i - 1} + w)/(A{i - 1} + b)"
                                                      for i in range(2, 9)}},
    "12 chained sigmoids": {"A1": "sigmoid(x*w + b)", **{f"A{i}": f"sigmoid(A{i - 1}*w + b)"
                                                         for i in range(2, 13)}},
}


@pytest.mark.parametrize("name", SLOW)
def test_inputs_that_took_minutes_derive_quickly_and_alike(name):
    graph = build_graph(spec_from(spec(SLOW[name])))
    started = time.perf_counter()
    first = derive(graph)
    assert time.perf_counter() - started < 10.0  # about 1 s on a loaded 2-core machine
    again = derive(graph)
    assert {k: c.total for k, c in first.chains.items()} == {k: c.total for k, c in again.chains.items()}
    assert {k: [p.simplified for p in c.paths] for k, c in first.chains.items()} == \
        {k: [p.simplified for p in c.paths] for k, c in again.chains.items()}


def test_a_fourth_derivative_too_large_to_write_is_refused_at_its_order():
    graph = {"A1": "sigmoid(x*w + b)", "A2": "sigmoid(A1*w + b)", "A3": "sigmoid(A2*w + b)",
             "A4": "sigmoid(A3*w + b)"}
    text = spec(graph, '[gradient]\nwrt = ["w"]\norder = 4\n')
    started = time.perf_counter()
    with pytest.raises(SpecError) as refused:  # it ran factor_terms for minutes
        derive(build_graph(spec_from(text)), (Target("A4", "w", 4),))
    assert time.perf_counter() - started < 10.0
    assert refused.value.key == "gradient.order" and "the limit is 3,000" in str(refused.value)


def test_a_fourth_derivative_of_a_polynomial_is_derived_and_factored():
    text = spec({"A1": "(x + w)**6"}, '[gradient]\nwrt = ["w"]\norder = 4\n')
    derived = derive(build_graph(spec_from(text)), (Target("A1", "w", 4),)).targets[Target("A1", "w", 4)]
    assert derived.derivatives[-1] == 360 * (x + w) ** 2  # 6*5*4*3 (x + w)^2


def test_a_coefficient_of_hundreds_of_digits_is_not_factored():
    # found by make fuzz: huber(x, w, 3.888759771072606e-277) spent 2.9 s of CPU factoring with the
    # float as an exact fraction p / 2^972 (292 digits)
    tiny = sp.Float("3.888759771072606e-277")
    numerator, denominator = sp.Rational(tiny).p, sp.Rational(tiny).q
    assert expanded(tiny * x + w).digits >= len(str(denominator)) > budget.MAX_DIGITS
    third = expanded(x + sp.Rational(1, 3)).digits
    assert expanded((x + sp.Rational(1, 3)) ** 4).digits == 4 * third  # (1/3)^4: four times the digits
    assert numerator > 0
    text = spec({"A1": "huber(x, w, 3.888759771072606e-277)"})
    started = time.process_time()
    derive(build_graph(spec_from(text)))
    assert time.process_time() - started < 1.0  # 2.9 s before


def test_a_float_exponent_is_not_cancelled():
    """Found by make fuzz: A1 ** -15.14218279665667 hung derive check in cancel's gcd. As a fraction
    the exponent is p / 2^k with p near 2^52, and cancel writes the power as (A1 ** (1 / 2^k)) ** p:
    a polynomial of that degree. Its counted work is past MAX_WORK, so the product stays as derived."""
    exponent = sp.Rational(sp.Float(-15.14218279665667))
    assert abs(exponent.p) > 2**40 and exponent.q > 2**40  # what cancel would take as the degree
    assert expanded(w ** sp.Float(-15.14218279665667) / (w + b)).work > MAX_WORK
    assert expanded(sp.sqrt(w) / (w + b)).work == expanded(w / (w + b)).work  # a root stays cheap
    text = ('title = "t"\n[parameters]\nv = 3\n[graph]\nA1 = "--(v * v)"\n'
            'A2 = "((A1 ** -15.14218279665667) / -(v + A1))"\n')
    started = time.process_time()
    derived = derive(build_graph(spec_from(text)))
    assert time.process_time() - started < 2.0  # it ran for over 30 minutes
    v = sp.Symbol("v", real=True)
    by_hand = sp.diff((v * v) ** sp.Float(-15.14218279665667) / -(v + v * v), v).subs(v, 3)
    total = derived.chains["v"].total
    values = {symbol: 3 for symbol in total.free_symbols if symbol.name == "v"}
    values.update({symbol: 9 for symbol in total.free_symbols if symbol.name == "A1"})  # A1 = v^2
    assert float(total.subs(values)) == pytest.approx(float(by_hand), rel=1e-9)
