"""Bounded work in the grammar and the graph: each limit a one-line error, quickly, or a clean fallback."""

from __future__ import annotations

import time

import numpy as np
import pytest
import sympy as sp

from derive.errors import ExpressionError, SpecError
from derive.graph.dag import MAX_PATHS, build_graph
from derive.graph.evaluate import evaluate
from derive.graph.expressions import MAX_CALL_DEPTH, parse_expression
from derive.symbolic.derivation import derive

from ..conftest import spec_from

NAMES = {name: sp.Symbol(name, real=True) for name in ("x", "w")}


def nested(function: str, depth: int) -> str:
    source = "x*w"
    for _ in range(depth):
        source = f"{function}({source})"
    return source


def spec_text(graph: str) -> str:
    return f'title = "t"\n[inputs]\nx = 0.5\n[parameters]\nw = 0.8\n[graph]\n{graph}\n'


def test_calls_nested_past_the_limit_are_refused_naming_depth_and_limit():
    started = time.perf_counter()
    with pytest.raises(ExpressionError, match=r"^graph\.A1: calls nested 20 deep; the limit is 12 "):
        parse_expression(nested("sigmoid", 20), "graph.A1", NAMES)
    assert time.perf_counter() - started < 0.5


@pytest.mark.parametrize("function", ["sigmoid", "tanh", "log", "softplus"])
def test_calls_nested_to_the_limit_derive_in_well_under_a_second(function):
    graph = build_graph(spec_from(spec_text(f'A1 = "{nested(function, MAX_CALL_DEPTH)}"')))
    started = time.perf_counter()
    derive(graph)
    assert time.perf_counter() - started < 1.0


@pytest.mark.parametrize(("source", "fragment"), [
    ("w*sqrt(-1)", "sqrt(-1) is not a finite real number (I)"),
    ("w*log(0)", "log(0) is not a finite real number (zoo)"),
    ("w + log(-1)", "log(-1) is not a finite real number (I*pi)"),
    ("w*(-1)**0.5", "is not a finite real number"),
    ("w*" + "9" * 400, "out of range (at most 1e+12)"),
])
def test_constants_that_are_not_real_numbers_are_one_line_errors(source, fragment):
    with pytest.raises(ExpressionError) as caught:
        parse_expression(source, "graph.A1", NAMES)
    assert caught.value.key == "graph.A1" and fragment in caught.value.message
    assert "\n" not in str(caught.value)


def fibonacci_graph(nodes: int, operator: str = "+") -> str:
    lines = ['n0 = "x*w"', 'n1 = "n0*w"']
    lines += [f'n{i} = "n{i - 1} {operator} n{i - 2}"' for i in range(2, nodes)]
    return spec_text("\n".join(lines))


def test_paths_are_counted_without_enumerating_them():
    graph = build_graph(spec_from(fibonacci_graph(40)))
    # paths from n_k to n0 follow the Fibonacci numbers F(1) = F(2) = 1: n39 reaches n1 in F(39)
    # ways and n0 directly or through n1; w is used by n1 and n0.
    fib = [0, 1]
    while len(fib) < 42:
        fib.append(fib[-1] + fib[-2])
    to_n1, to_n0 = fib[39], fib[39] + fib[38]
    assert graph.path_count("n1") == to_n1
    assert graph.path_count("n0") == to_n0
    assert graph.path_count("w") == to_n1 + to_n0
    with pytest.raises(SpecError, match=rf"^graph\.n39: {to_n1 + to_n0:,} paths lead to w; the limit is 32$"):
        graph.paths("w")


def test_many_paths_fall_back_to_the_backward_recursion_with_the_right_gradient():
    graph = build_graph(spec_from(fibonacci_graph(12)))
    assert graph.path_count("w") > MAX_PATHS
    started = time.perf_counter()
    derivation = derive(graph)
    assert time.perf_counter() - started < 1.0
    chain = derivation.chains["w"]
    assert chain.paths == () and chain.backward is not None
    env = {graph.symbols[n]: v for n, v in {"x": 0.5, "w": 0.8}.items()}
    for node in graph.nodes:
        env[graph.symbols[node.name]] = evaluate(node.expression.sympy, env)

    def loss(w: float) -> float:  # the same graph, written out in NumPy
        values = [0.5 * w, 0.5 * w * w]
        for _ in range(2, 12):
            values.append(values[-1] + values[-2])
        return values[-1]

    h = 1e-5
    assert np.isclose(evaluate(chain.total, env), (loss(0.8 + h) - loss(0.8 - h)) / (2 * h), rtol=1e-7)


def test_a_derivation_that_doubles_a_level_is_refused_in_a_moment():
    graph = build_graph(spec_from(fibonacci_graph(40, "*")))
    started = time.perf_counter()
    message = r"^graph\.n\d+: dn39/dn\d+ has [\d,]+ parts written out; the limit is"
    with pytest.raises(SpecError, match=message):
        derive(graph)
    assert time.perf_counter() - started < 2.0


def test_a_node_written_out_past_the_limit_is_refused():
    graph = build_graph(spec_from(fibonacci_graph(40, "*")))
    with pytest.raises(SpecError, match=r"^graph\.n39: written out over inputs and parameters it has"):
        graph.inlined("n39")


def test_a_long_chain_has_no_recursion_error():
    lines = ['n0 = "x*w"'] + [f'n{i} = "0.5*n{i - 1}"' for i in range(1, 40)]
    graph = build_graph(spec_from(spec_text("\n".join(lines))))
    assert graph.paths("w") == (tuple(f"n{i}" for i in range(39, -1, -1)) + ("w",),)


@pytest.mark.parametrize("source", ["(x + w)**64 * (x - w)**64", "sigmoid((x + w)**64)**64",
                                    "(x + w + b)**64"])
def test_powers_of_sums_are_derived_without_expanding_them(source):
    names = {**NAMES, "b": sp.Symbol("b", real=True)}
    text = spec_text(f'A1 = "{source}"').replace("w = 0.8", "w = 0.8\nb = 0.1")
    assert parse_expression(source, "graph.A1", names)
    started = time.perf_counter()
    derive(build_graph(spec_from(text)))  # factoring the expanded polynomial ran out of memory
    assert time.perf_counter() - started < 1.0


def test_a_power_of_a_power_is_bounded_by_the_combined_exponent():
    with pytest.raises(ExpressionError, match=r"exponent 4096 \(powers of powers multiply\) is too large"):
        parse_expression("((x + w)**64)**64", "graph.A1", NAMES)


def test_a_constant_that_simplifies_to_e_is_evaluated():  # found by make fuzz: exp(cos(0)) is E
    graph = build_graph(spec_from(spec_text('A1 = "w*exp(cos(0)) - exp(cos(0))"')))
    assert derive(graph).chains["w"].total is not None


def test_what_sympy_itself_refuses_is_a_one_line_error():  # found by make fuzz
    with pytest.raises(ExpressionError, match=r"^graph\.A1: cannot build 'max\(x, 0 @ 0\)': "):
        parse_expression("max(x, 0 @ 0)", "graph.A1", NAMES)


def test_uses_of_names_past_the_limit_are_refused_at_the_node_that_passes_it():
    # ten nodes that each use x1..x20 and w (21 uses each): the tenth brings 210 > 200
    inputs = "".join(f"x{i} = 0.{i % 10}\n" for i in range(1, 21))
    terms = " + ".join(f"x{i}*w" for i in range(1, 21))
    graph = "".join(f'A{k} = "{terms}"\n' for k in range(1, 11))
    text = f'title = "t"\n[inputs]\n{inputs}[parameters]\nw = 0.8\n[graph]\n{graph}'
    refusal = r"^graph\.A10: the nodes up to here use names 210 times; the limit is 200 "
    with pytest.raises(SpecError, match=refusal):
        build_graph(spec_from(text))
    nine = text.replace(f'A10 = "{terms}"\n', "")
    assert len(build_graph(spec_from(nine)).edges) == 189
