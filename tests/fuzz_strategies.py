"""Hypothesis strategies for specs: valid and near-valid TOML over every section and key, and
expressions from the grammar plus near-misses (unknown names and functions, stray syntax)."""

from __future__ import annotations

import json
import math

from hypothesis import strategies as st

from derive.graph.functions import FUNCTIONS

NAMES = ["x", "x1", "x2", "w", "w1", "b", "y", "Y", "lambda", "sigma", "A1", "A2", "A3", "z"]
NOTATION = ["w_{1}", r"\alpha", r"\hat{y}", r"\mathrm{out}_{h1}", r"\text{loss}", "x'", r"\left(",
            "a & b", r"\input{x}", "{{{{{x}}}}}", r"\sqrt{x}", "^^41", "λ", r"\bar{x}^{2}", "", "%"]
NEAR_MISS = ["sigmod(x)", "x.real", "__import__('os')", "x if y else w", "x < y", "[x, y]", "'s'",
             "x +", "(x", "x)", "x,,y", "lambda: 1", "x @", "f(x)", "sum(x, axis=0)", "x # c", "x\\y",
             "10**400", "1e999", "9" * 400, "((2**64)**64)**64", "sqrt(-1)", "log(0)", "0**-1",
             "x/0", "exp(exp(exp(100)))", "(x+w+b+y)**64", "-" * 300 + "x"]


def numbers() -> st.SearchStrategy[str]:
    return st.one_of(st.integers(-10, 10).map(str), st.sampled_from(["0.5", "1e-3", "2.0", "1e12", "1e13",
                                                                     "0", "64", "65", "0.1"]),
                     st.floats(-100, 100, allow_nan=False).map(repr))


def expressions(names: list[str], grammar: int = 3) -> st.SearchStrategy[str]:
    """Expressions over ``names``: the grammar (``grammar`` times as often as each kind of
    near-miss), and now and then a near-miss (never with ``grammar=0``: the grammar alone)."""
    leaves = st.one_of(st.sampled_from(names or ["x"]), numbers())

    def extend(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        binary = st.tuples(inner, st.sampled_from(["+", "-", "*", "/", "**", "@"]), inner).map(
            lambda t: f"({t[0]} {t[1]} {t[2]})")
        unary = inner.map(lambda e: f"-{e}")
        call = st.sampled_from(sorted(FUNCTIONS)).flatmap(lambda name: st.lists(
            inner, min_size=1, max_size=3).map(lambda args: f"{name}({', '.join(args)})"))
        return st.one_of(binary, unary, call)

    grammar_strategy = st.recursive(leaves, extend, max_leaves=12)
    if not grammar:
        return grammar_strategy
    return st.one_of(*[grammar_strategy] * grammar, st.sampled_from(NEAR_MISS), st.text(max_size=30))


def values() -> st.SearchStrategy[object]:
    scalar = st.one_of(st.floats(-5, 5, allow_nan=False), st.integers(-3, 3),
                       st.sampled_from([0.0, 1.0, -1.0, 1e300, float("inf"), float("nan"), 10**30]))
    vector = st.lists(st.floats(-5, 5, allow_nan=False), min_size=1, max_size=5)
    matrix = st.integers(1, 3).flatmap(lambda n: st.lists(
        st.lists(st.floats(-3, 3, allow_nan=False), min_size=n, max_size=n), min_size=1, max_size=3))
    odd = st.one_of(st.text(max_size=5), st.booleans(), st.just([]), st.just([[1.0], [1.0, 2.0]]))
    return st.one_of(scalar, scalar, scalar, vector, vector, matrix, odd)


def toml(value: object) -> str:
    """``value`` as a TOML value (strings through JSON's escapes, which TOML reads too)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return "nan" if math.isnan(value) else ("inf" if value == math.inf else
                                                "-inf" if value == -math.inf else repr(value))
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):  # as itself, not JSON's \ud83d\ude00 surrogates, which TOML refuses
        return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f")
    if isinstance(value, list):
        return "[" + ", ".join(toml(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{json.dumps(k)} = {toml(v)}" for k, v in value.items()) + " }"
    raise TypeError(type(value))


def table(name: str, entries: dict[str, object]) -> str:
    return f"[{name}]\n" + "".join(f"{json.dumps(k)} = {toml(v)}\n" for k, v in entries.items())


@st.composite
def specs(draw) -> str:
    """A spec's TOML text: mostly valid, often with one key or value out of place."""
    inputs = draw(st.dictionaries(st.sampled_from(NAMES[:8]), values(), max_size=3))
    raw_parameters = draw(st.dictionaries(st.sampled_from(NAMES[3:10]), values(), min_size=1, max_size=3))
    parameters: dict[str, object] = {}
    for name, value in raw_parameters.items():
        if name in inputs:
            continue
        wrapped = draw(st.booleans()) and draw(st.booleans())
        parameters[name] = {"value": value, "trainable": draw(st.booleans())} if wrapped else value
    known = [*inputs, *parameters]
    graph: dict[str, str] = {}
    for index in range(draw(st.integers(1, 4))):
        node = draw(st.sampled_from([f"A{index + 1}"] * 6 + ["z", "sigmoid", "1x"]))
        graph[node] = draw(expressions(known + list(graph), grammar=10))
    parts = [f"title = {toml(draw(st.sampled_from(['t'] * 6 + ['σ 😀 中', '', 'a' * 400])))}\n"]
    if draw(st.booleans()):
        parts.append(f"intro = {toml(draw(st.text(max_size=20)))}\n")
    parts += [table("inputs", inputs), table("parameters", parameters), table("graph", graph)]
    nodes = list(graph) or ["A1"]
    if draw(st.booleans()):
        parts.append(table("train", draw(st.fixed_dictionaries({}, optional={
            "learning_rate": st.sampled_from([0.1, 0.01, -0.1, 0, "fast"]),
            "steps": st.sampled_from([1, 3, 0, 5001, 2.5]),
            "loss": st.sampled_from(nodes + ["nope"])}))))
    if draw(st.booleans()):
        parts.append(table("display", draw(st.fixed_dictionaries({}, optional={
            "precision": st.integers(-1, 17), "dtype": st.sampled_from(["float32", "float64", "int8"])}))))
    if draw(st.booleans()):
        parts.append(table("notation", draw(st.dictionaries(st.sampled_from(known + nodes + ["q"]),
                                                            st.sampled_from(NOTATION), max_size=2))))
    if draw(st.booleans()):
        rule = st.one_of(st.fixed_dictionaries({"min": st.floats(-2, 0), "max": st.floats(0, 2),
                                                "step": st.sampled_from([0.1, 0.5, 0, -1])}),
                         st.fixed_dictionaries({"choices": st.lists(st.floats(-2, 2), max_size=3)}),
                         st.just({"min": 1.0}), st.just(3))
        parts.append(table("variants", {"seed": draw(st.sampled_from([1, 2026, -1, "s"])),
                                        **draw(st.dictionaries(st.sampled_from(known + ["q"]), rule,
                                                               max_size=2))}))
    if draw(st.booleans()):
        parts.append(table("gradient", draw(st.fixed_dictionaries({}, optional={
            "of": st.sampled_from(nodes + ["q"]), "wrt": st.lists(st.sampled_from(known + nodes), max_size=2),
            "order": st.integers(0, 5), "watch": st.lists(st.sampled_from(known + ["q"]), max_size=2),
            "watch_accessed_variables": st.booleans(),
            "forward_difference": st.sampled_from([1e-3, 0.0, 2.0])}))))
    if draw(st.sampled_from([False] * 9 + [True])):  # one spec in ten: a misspelt table or key
        parts.append(table(draw(st.sampled_from(["trian", "extra", "display"])), {"learning_rat": 0.1}))
    text = "".join(parts)
    return draw(st.one_of(st.just(text), st.just(text), st.just(text), near_miss(text)))


@st.composite
def valid_specs(draw) -> str:
    """A spec well-formed key by key: finite numbers (scalars, vectors of one length, square matrices),
    expressions from the grammar alone, and a valid [train], [display] and [gradient]; whether it
    derives (shapes, domains) is derive's to say."""
    size = draw(st.integers(2, 3))
    scalar = st.one_of(st.floats(-5, 5, allow_nan=False), st.integers(-3, 3),
                       st.sampled_from([0.0, 1.0, -1.0, 0.5, 7.5, 1e6, 1e-6]))
    vector = st.lists(st.floats(-3, 3, allow_nan=False), min_size=size, max_size=size)
    matrix = st.lists(vector, min_size=size, max_size=size)
    value = st.one_of(scalar, scalar, scalar, scalar, vector, matrix)
    inputs = draw(st.dictionaries(st.sampled_from(["x", "x1", "x2", "y"]), value, max_size=3))
    parameters = draw(st.dictionaries(st.sampled_from(["w", "w1", "b", "v"]), value, min_size=1, max_size=3))
    graph: dict[str, str] = {}
    for index in range(draw(st.integers(1, 4))):
        graph[f"A{index + 1}"] = draw(expressions([*inputs, *parameters, *graph], grammar=0))
    parts = ['title = "t"\n', table("inputs", inputs), table("parameters", parameters), table("graph", graph)]
    if draw(st.booleans()):
        parts.append(table("train", {"learning_rate": draw(st.sampled_from([0.1, 0.01, 1.0])),
                                     "steps": draw(st.sampled_from([1, 1, 3]))}))
    if draw(st.booleans()):
        parts.append(table("display", {"dtype": draw(st.sampled_from(["float32", "float64"]))}))
    if draw(st.sampled_from([False, False, True])):
        wrt = draw(st.lists(st.sampled_from([*inputs, *parameters]), min_size=1, max_size=2, unique=True))
        parts.append(table("gradient", {"of": list(graph)[-1], "wrt": wrt, "order": draw(st.integers(1, 2))}))
    return "".join(parts)


def near_miss(text: str) -> st.SearchStrategy[str]:
    """``text`` with one small corruption: a character dropped or added, a line doubled."""
    lines = text.splitlines(keepends=True)
    position = st.integers(0, max(len(text) - 1, 0))
    dropped = position.map(lambda i: text[:i] + text[i + 1:])
    added = st.tuples(position, st.sampled_from(list("[]{}=\"'#\\\n,.") + ["\x00", "\x1b"])).map(
        lambda t: text[:t[0]] + t[1] + text[t[0]:])
    doubled = st.integers(0, max(len(lines) - 1, 0)).map(lambda i: "".join(lines[:i + 1] + lines[i:]))
    return st.one_of(dropped, added, doubled)


def overrides() -> st.SearchStrategy[tuple[str, ...]]:
    key = st.sampled_from(NAMES + ["train.learning_rate", "train.steps", "display.dtype", "title",
                                   "graph.A1", "inputs", "a.b.c", "", "=", "x1.value"])
    value = st.sampled_from(["2.0", "1e999", "nan", "'s'", "[1, 2]", "{a = 1}", "", "9" * 5000, "x"])
    given = st.lists(st.tuples(key, value).map(lambda t: f"{t[0]}={t[1]}"), min_size=1, max_size=2).map(tuple)
    return st.one_of(st.just(()), st.just(()), given)  # most runs give no --set, as most users


SMOOTH_UNARY = ["sin({})", "cos({})", "tanh({})", "sigmoid({})", "softplus({})", "gelu({})",
                "gelu({}, approximate=true)", "silu({})", "erf({})", "exp(tanh({}))", "({})**2",
                "log(1 + ({})**2)", "sqrt(1 + ({})**2)", "1/(1 + ({})**2)", "sin(({})**2)", "cos(3*{})"]
"""Functions that are smooth (and finite) on the whole real line."""


def smooth_expressions(names: list[str]) -> st.SearchStrategy[str]:
    """Expressions over ``names`` that are smooth everywhere: no kink, no pole, no overflow."""
    leaves = st.one_of(st.sampled_from(names), st.sampled_from(["0.5", "2", "3", "-1.5"]))

    def extend(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        unary = st.tuples(st.sampled_from(SMOOTH_UNARY), inner).map(lambda t: t[0].format(t[1]))
        binary = st.tuples(inner, st.sampled_from(["+", "-", "*"]), inner).map(
            lambda t: f"({t[0]} {t[1]} {t[2]})")
        return st.one_of(unary, binary)

    return st.recursive(leaves, extend, max_leaves=6)


@st.composite
def smooth_specs(draw) -> str:
    """A valid float64 spec whose loss is smooth in every parameter (scalars, or vectors of 3), e.g.
    sin((x*w - b)**2): its finite differences must never be what refuses it."""
    size = draw(st.sampled_from([None, None, 3]))
    value = st.floats(-5, 5, allow_nan=False).map(lambda v: round(v, 3))
    entry = value if size is None else st.lists(value, min_size=size, max_size=size)
    inputs = {"x": draw(entry), "y": draw(value)}
    parameters = {"w": draw(entry), "b": draw(value)}
    graph: dict[str, str] = {}
    for index in range(draw(st.integers(1, 3))):
        graph[f"A{index + 1}"] = draw(smooth_expressions(["x", "y", "w", "b", *graph]))
    last = list(graph)[-1]  # every parameter reaches the loss, often through a fast oscillation
    coupling = draw(st.sampled_from(["w*b", "sin((x*w - b)**2)", "cos(y*w*b)", "sin(x*w*w + b)"]))
    graph["L"] = f"sum({last} + {coupling})"  # a vector is summed
    return "".join(["title = \"smooth\"\n", table("inputs", inputs), table("parameters", parameters),
                    table("graph", graph), table("display", {"dtype": "float64"})])
