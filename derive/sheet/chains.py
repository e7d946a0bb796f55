"""A chain rule as the model shows it: the path terms in symbols, expressions and numbers.

Shared by ``build`` (the gradient of each parameter) and ``build_gradients`` (the
[gradient] tables), so that neither imports the other.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping

import numpy as np

from ..graph.evaluate import reduce_to
from ..numbers import shown
from ..symbolic.derivation import ChainRule, Derivation
from . import forms, model
from .formula import Formula, Number, Numbers, frozen, part_tex
from .parts import Parts


def answer_key(kind: str, name: str, step: int = 0, steps: int = 1) -> str:
    """An answer's key (its answers.csv column): ``gradient:w1``; a value after a step of a sheet
    of several steps names its step, ``updated:w1@2``."""
    return f"{kind}:{name}@{step}" if step and steps > 1 else f"{kind}:{name}"


def chain_view(t: Parts, loss: str, derivation: Derivation, chain: ChainRule, local: Mapping[str, float],
               total: float, p: int, answer: str = "") -> model.ChainRule:
    """The chain rule for the model: symbols, expressions in node names, numbers, result (the
    site of ``answer``; the local derivatives' numbers refer to their own answers)."""
    symbol = t.partial(loss, chain.parameter)
    result = Number(frozen(total), p, answer=answer)
    if chain.backward is not None:
        written = chain.shown_backward if chain.shown_backward is not None else chain.backward
        symbols = t.expr(written)
        formula = Formula(symbol, (symbols, result), derivation=True, one_per_row=True)
        return model.ChainRule(chain.parameter, t.name(chain.parameter), symbol, symbols, result, formula,
                               (), (), frozen(total), shown(total, p))
    terms: list[model.PathTerm] = []
    for path in chain.paths:
        partials = forms.Dotted(*(t.partial_form(e.node, e.input) for e in path.edges))
        values = [local[e.key] for e in path.edges]
        product = reduce_to(functools.reduce(np.multiply, values, 1.0), np.shape(total))
        summed = ["sum"] if np.ndim(total) == 0 and any(np.ndim(v) > 0 for v in values) else []
        factors = [derivation.edges[e.key].in_nodes for e in path.edges]
        items: list = [*summed]
        for index, value in enumerate(values):
            items += ["cdot"] if index else []
            items.append(Number(frozen(value), p, factor=True, ref=t.partial(path.edges[index].node,
                                                                              path.edges[index].input)))
        numbers = Formula(Numbers(tuple(items)), (Number(frozen(product), p),))
        terms.append(model.PathTerm(
            path.path, t.expr(forms.Path(*(t.symbol(n) for n in path.path)), "given"), t.expr(partials),
            t.expr(forms.Dotted(*factors)),
            t.expr(forms.InOrder(*path.in_order)) if path.in_order else (
                t.expr(path.simplified) if path.simplified is not None else None),
            numbers, frozen(product), shown(product, p)))
    simplifications = tuple(
        Formula(t.expr(forms.Dotted(t.partial_form(a.node, a.input), t.partial_form(b.node, b.input)),
                       "given"),
                (t.expr(s.result),))
        for s in chain.simplifications for a, b in [s.edges]
    )
    joined_symbols = t.expr(forms.Terms(*(term.symbols.expr for term in terms)))
    joined: list = []
    for index, term in enumerate(terms):
        joined += ["+"] if index else []
        joined += term.numbers.lhs.items
    joined_numbers = Numbers(tuple(joined) or (Number(0.0, p, given=True),))
    parts: list = [joined_symbols]
    if len(terms) == 1:
        parts += [terms[0].expression] + ([terms[0].simplified] if terms[0].simplified else [])
    elif terms:
        parts.append(t.expr(forms.Terms(*((term.simplified or term.expression).expr for term in terms))))
    parts += [joined_numbers, result] if terms else []
    parts = [part for index, part in enumerate(parts)
             if index == 0 or part_tex(part) != part_tex(parts[index - 1])]
    return model.ChainRule(chain.parameter, t.name(chain.parameter), symbol, joined_symbols, joined_numbers,
                           Formula(symbol, tuple(parts), derivation=True), tuple(terms), simplifications,
                           frozen(total), shown(total, p))
