"""Bounds on the size of what SymPy derives, so no spec makes a sheet that never finishes.

A tree's size is counted over its distinct subexpressions (each counted as often as it occurs,
but computed once), so the count itself is cheap even where the tree, written out, is huge:
a backward pass through nodes that each use the two before them doubles a level.
"""

from __future__ import annotations

import sympy as sp

from ..errors import SpecError

MAX_RESULT_PARTS = 3000
"""Parts of one derived expression (a local derivative, a node's upstream gradient) as printed."""
SIMPLIFY_OPS = 40
"""Operations in an expression beyond which factoring and cancelling are not tried: factor(cancel())
of nested sigmoids grows about threefold a level (94 operations took 1.3 s); the seeds' have 9."""


def tree_size(expression: sp.Basic, limit: int | None = None) -> int:
    """How many parts ``expression`` has written out as a tree (shared parts counted each time)."""
    sizes: dict[sp.Basic, int] = {}
    stack: list[tuple[sp.Basic, bool]] = [(expression, False)]
    while stack:
        node, ready = stack.pop()
        if node in sizes:
            continue
        if ready or not node.args:
            sizes[node] = 1 + sum(sizes[arg] for arg in node.args)
            continue
        stack.append((node, True))
        stack.extend((arg, False) for arg in node.args if arg not in sizes)
    return sizes[expression]


def bounded(expression: sp.Expr, key: str, what: str) -> sp.Expr:
    """``expression``, or a SpecError naming ``key`` when it has more than ``MAX_RESULT_PARTS`` parts."""
    size = tree_size(expression)
    if size > MAX_RESULT_PARTS:
        raise SpecError(key, f"{what} has {size:,} parts written out; the limit is {MAX_RESULT_PARTS:,} "
                             "(fewer nodes that reuse each other, or simpler expressions)")
    return expression


MAX_EXPANDED_POWER = 6
"""A power of a sum above this is never factored: cancelling expands it ((x + w + b)**64 has
2,145 terms, and factoring them ran out of memory)."""


def small(expression: sp.Expr) -> bool:
    """Whether ``expression`` is small enough to be factored and cancelled quickly."""
    if tree_size(expression) > 4 * SIMPLIFY_OPS or sp.count_ops(expression) > SIMPLIFY_OPS:
        return False
    return not any(power.base.is_Add and power.exp.is_Number and abs(power.exp) > MAX_EXPANDED_POWER
                   for power in expression.atoms(sp.Pow))
