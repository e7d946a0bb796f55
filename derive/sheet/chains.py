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
from ..symbolic.texparts import Tex, rows
from . import model


def _dotted(t: Tex, factors: list[sp.Expr]) -> str:
    parts = [rf"\left({t.expr(f)}\right)" if f.is_Add and len(factors) > 1 else t.expr(f) for f in factors]
    return r" \cdot ".join(parts)


def chain_view(t: Tex, loss: str, derivation: Derivation, chain: ChainRule, local: Mapping[str, float],
               total: float, p: int) -> model.ChainRule:
    """The chain rule for the model: symbols, expressions in node names, numbers, result."""
    if chain.backward is not None:
        rows_ = (t.expr(chain.backward), tex_number(total, p))
        return model.ChainRule(chain.parameter, t.name(chain.parameter), t.partial(loss, chain.parameter),
                               t.expr(chain.backward), tex_number(total, p), rows_, (), (), total,
                               shown(total, p))
    terms: list[model.PathTerm] = []
    for path in chain.paths:
        symbols = r" \cdot ".join(t.partial(e.node, e.input) for e in path.edges)
        values = [local[e.key] for e in path.edges]
        product = reduce_to(functools.reduce(np.multiply, values, 1.0), np.shape(total))
        summed = r"\sum_{i} " if np.ndim(total) == 0 and any(np.ndim(v) > 0 for v in values) else ""
        factors = [derivation.edges[e.key].in_nodes for e in path.edges]
        terms.append(model.PathTerm(
            path.path, r" \to ".join(t.name(n) for n in path.path), symbols, _dotted(t, factors),
            t.expr(path.simplified) if path.simplified is not None else "",
            summed + r" \cdot ".join(tex_factor(v, p) for v in values), product, shown(product, p)))
    simplifications = tuple(
        rf"{t.partial(a.node, a.input)} \cdot {t.partial(b.node, b.input)} = {t.expr(s.result)}"
        for s in chain.simplifications for a, b in [s.edges]
    )
    joined_symbols = " + ".join(term.symbols_tex for term in terms) or "0"
    joined_numbers = " + ".join(term.numbers_tex for term in terms) or "0"
    parts = [joined_symbols]
    if len(terms) == 1:
        parts += [terms[0].expression_tex] + ([terms[0].simplified_tex] if terms[0].simplified_tex else [])
    elif terms:
        parts.append(" + ".join(term.simplified_tex or term.expression_tex for term in terms))
    parts += [joined_numbers, tex_number(total, p)] if terms else []
    parts = [part for index, part in enumerate(parts) if index == 0 or part != parts[index - 1]]
    return model.ChainRule(chain.parameter, t.name(chain.parameter), t.partial(loss, chain.parameter),
                           joined_symbols,
                           joined_numbers, rows(parts), tuple(terms), simplifications, total,
                           shown(total, p))
