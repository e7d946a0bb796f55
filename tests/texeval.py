"""A small evaluator for the TeX derive prints in matrix formulas, written for the tests.

It reads a printed formula back as mathematics and computes it with NumPy, so a formula is
checked by its value, not by its text: a missing parenthesis changes the value (or the
shapes stop fitting) and the test fails. Juxtaposition of two arrays is a matrix product
(as the sheet prints ``A B`` for ``A @ B``), of a scalar and anything a scaling; ``\\odot``
is element-wise; ``^{T}`` transposes; ``\\sum_{i}`` sums what follows over its first axis;
``\\mathbf{1}[a > 0]`` is the indicator.
"""

from __future__ import annotations

import re

import numpy as np

_TOKEN = re.compile(r"\\sum_\{i\}|\\left\(|\\right\)|\\left\[|\\right\]|\\frac|\\odot|\\mathbf\{1\}|\\cdot"
                    r"|\^\{T\}|\^\{\d+\}|\{-\}\d+(?:\.\d+)?|\d+(?:\.\d+)?|[{}+\->]|\s+|.")


class TexEvaluator:
    """Evaluate TeX over ``names``: a map from each name's printed TeX (``W_{1}``) to its value."""

    def __init__(self, names: dict[str, object]) -> None:
        self.names = {tex: np.asarray(value, dtype=np.float64) for tex, value in names.items()}
        self.by_length = sorted(self.names, key=len, reverse=True)

    def __call__(self, tex: str) -> np.ndarray:
        self.tokens, self.position = self._tokens(tex), 0
        value = self.expression()
        if self.position != len(self.tokens):
            raise ValueError(f"unread TeX from {''.join(self.tokens[self.position:])!r}")
        return value

    def _tokens(self, tex: str) -> list[str]:
        tokens, position = [], 0
        while position < len(tex):
            name = next((n for n in self.by_length if tex.startswith(n, position)), None)
            if name is not None and not tex[position].isspace():
                tokens.append(name)
                position += len(name)
                continue
            token = _TOKEN.match(tex, position).group(0)
            position += len(token)
            if not token.isspace():
                tokens.append(token)
        return tokens

    def peek(self) -> str | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def take(self, expected: str | None = None) -> str:
        token = self.tokens[self.position]
        if expected is not None and token != expected:
            raise ValueError(f"expected {expected!r}, found {token!r}")
        self.position += 1
        return token

    def expression(self) -> np.ndarray:
        value = self.elementwise()
        while self.peek() in ("+", "-"):
            sign = self.take()
            right = self.elementwise()
            value = value + right if sign == "+" else value - right
        return value

    def elementwise(self) -> np.ndarray:
        negative = self.peek() == "-" and bool(self.take())
        value = self.juxtaposed()
        while self.peek() in (r"\odot", r"\cdot"):
            self.take()
            value = value * self.juxtaposed()
        return -value if negative else value

    def juxtaposed(self) -> np.ndarray:
        value = self.power()
        while self.peek() not in (None, "+", "-", r"\odot", r"\cdot", r"\right)", r"\right]", "}", ">"):
            right = self.power()
            value = value @ right if value.ndim >= 1 and right.ndim >= 1 else value * right
        return value

    def power(self) -> np.ndarray:
        value = self.atom()
        while self.peek() is not None and self.peek().startswith("^{"):
            exponent = self.take()[2:-1]
            value = value.T if exponent == "T" else value ** int(exponent)
        return value

    def atom(self) -> np.ndarray:
        token = self.take()
        if token in self.names:
            return self.names[token]
        if re.fullmatch(r"(\{-\})?\d+(\.\d+)?", token):
            return np.float64(token.replace("{-}", "-"))
        if token in (r"\left(", "{"):
            value = self.expression()
            self.take(r"\right)" if token == r"\left(" else "}")
            return value
        if token == r"\frac":
            self.take("{")
            numerator = self.expression()
            self.take("}")
            self.take("{")
            denominator = self.expression()
            self.take("}")
            return numerator / denominator
        if token == r"\sum_{i}":  # a sum over the batch (the first axis), to the end of the product
            return np.sum(self.elementwise(), axis=0)
        if token == r"\mathbf{1}":
            self.take(r"\left[")
            inner = self.expression()
            self.take(">")
            self.take("0")
            self.take(r"\right]")
            return (inner > 0).astype(np.float64)
        raise ValueError(f"cannot read {token!r}")


def aligned_sides(tex: str) -> list[str]:
    r"""The sides of a chain of equalities, however it is broken into rows: ``a = b`` on one line,
    or amsmath rows (``\begin{aligned} lhs &= a + b \\ &\quad + c \\ &= d \end{aligned}``, or the
    rows of an ``align*``), a continued row's terms joined to the side they continue. The
    left-hand side is the first."""
    body = tex.removeprefix(r"\begin{aligned}").removesuffix(r"\end{aligned}")
    for mark in (r"\\", "&", r"\quad"):
        body = body.replace(mark, " ")
    sides, depth, start = [], 0, 0
    for position, character in enumerate(body):
        depth += {"{": 1, "}": -1}.get(character, 0)
        if character == "=" and depth == 0:
            sides.append(body[start:position].strip())
            start = position + 1
    return [*sides, body[start:].strip()]
