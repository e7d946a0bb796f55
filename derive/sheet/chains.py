"""A chain rule as the model shows it: the path terms in symbols, expressions and numbers.

Shared by ``build`` (the gradient of each parameter) and ``build_gradients`` (the
[gradient] tables), so that neither imports the other.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping

import numpy as np
import sympy as sp

from ..graph.evaluate import reduce_to
from ..numbers import shown, tex_factor, tex_number
from ..symbolic.derivation import ChainRule, Derivation
from ..symbolic.texparts import Tex
from . import model
from .formula import Formula, Number, Numbers, Symbolic, frozen, part_tex

ROW = 44
"""About how many characters a derivation's row holds."""


def _dotted(t: Tex, factors: list[sp.Expr]) -> str:
    parts = [rf"\left({t.expr(f)}\right)" if f.is_Add and len(factors) > 1 else t.expr(f) for f in factors]
    return r" \cdot ".join(parts)


def _given(tex: str) -> Symbolic:
    return Symbolic(tex, "given")


def chain_view(t: Tex, loss: str, derivation: Derivation, chain: ChainRule, local: Mapping[str, float],
               total: float, p: int) -> model.ChainRule:
    """The chain rule for the model: symbols, expressions in node names, numbers, result."""
    symbol = t.partial(loss, chain.parameter)
    result = Number(frozen(total), tex_number(total, p))
    if chain.backward is not None:
        written = chain.shown_backward if chain.shown_backward is not None else chain.backward
        symbols = Symbolic(t.expr(written))
        formula = Formula(_given(symbol), (symbols, result), width=1)  # one part per row
        return model.ChainRule(chain.parameter, t.name(chain.parameter), symbol, symbols, result, formula,
                               (), (), frozen(total), shown(total, p))
    terms: list[model.PathTerm] = []
    for path in chain.paths:
        symbols = r" \cdot ".join(t.partial(e.node, e.input) for e in path.edges)
        values = [local[e.key] for e in path.edges]
        product = reduce_to(functools.reduce(np.multiply, values, 1.0), np.shape(total))
        summed = [r"\sum_{i} "] if np.ndim(total) == 0 and any(np.ndim(v) > 0 for v in values) else []
        factors = [derivation.edges[e.key].in_nodes for e in path.edges]
        items: list = [*summed]
        for index, value in enumerate(values):
            items += [r" \cdot "] if index else []
            items.append(Number(frozen(value), tex_factor(value, p)))
        numbers = Formula(Numbers(tuple(items)), (Number(frozen(product), shown(product, p)),))
        terms.append(model.PathTerm(
            path.path, r" \to ".join(t.name(n) for n in path.path), symbols, Symbolic(_dotted(t, factors)),
            Symbolic(t.expr(path.simplified)) if path.simplified is not None else None,
            numbers, frozen(product), shown(product, p)))
    simplifications = tuple(
        Formula(_given(rf"{t.partial(a.node, a.input)} \cdot {t.partial(b.node, b.input)}"),
                (Symbolic(t.expr(s.result)),))
        for s in chain.simplifications for a, b in [s.edges]
    )
    joined_symbols = Symbolic(" + ".join(term.symbols_tex for term in terms) or "0")
    joined: list = []
    for index, term in enumerate(terms):
        joined += [" + "] if index else []
        joined += term.numbers.lhs.items
    joined_numbers = Numbers(tuple(joined) or ("0",))
    parts: list = [joined_symbols]
    if len(terms) == 1:
        parts += [terms[0].expression] + ([terms[0].simplified] if terms[0].simplified else [])
    elif terms:
        parts.append(Symbolic(" + ".join((term.simplified or term.expression).tex for term in terms)))
    parts += [joined_numbers, result] if terms else []
    parts = [part for index, part in enumerate(parts)
             if index == 0 or part_tex(part) != part_tex(parts[index - 1])]
    return model.ChainRule(chain.parameter, t.name(chain.parameter), symbol, joined_symbols, joined_numbers,
                           Formula(_given(symbol), tuple(parts), width=ROW), tuple(terms), simplifications,
                           frozen(total), shown(total, p))
