r"""TeX from SymPy: a ``LatexPrinter`` subclass for derive's notation and the sheet's forms.

It applies the spec's ``[notation]`` to symbols, writes factors before parenthesised
sums (``sigma(z)(1 - sigma(z))``, ``x_1(A_2 - Y)``), prints ReLU's step as an indicator,
and, for equations shown as the instructor wrote them, keeps source order.

With arrays in the graph (``arrays`` names them), a product of two array-valued factors is
element-wise and printed with ``\odot``; a matrix product ``A B`` parenthesizes a sum or a
product on either side, and a transpose anything but a symbol: ``x^{T} (\mathbf{1}[a > 0]
\odot (G W_{2}^{T}))``, never ``x^{T} \mathbf{1}[a > 0] G W_{2}^{T}``.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping

import sympy as sp
from sympy.printing.conventions import split_super_sub
from sympy.printing.latex import LatexPrinter, translate
from sympy.printing.precedence import PRECEDENCE

from ...graph.axes import along, axis_mean, axis_sum, count_along, scaled_sum
from ...graph.functions import count, matmul, mean, total, transpose
from ...graph.named import NamedFunctionBase
from ...graph.products import outer
from ...graph.vectors import rowsum, spread
from ...numbers import tex_factor, tex_number
from ...symbolic.backprop import Upstream
from .. import forms
from .products import factor_rank, scaled_fraction, split_quotient


def array_valued(expr: sp.Basic, arrays: frozenset[str]) -> bool:
    """Whether ``expr`` is array-valued: it holds an array name outside any reduction (both
    printers ask, to print a product of arrays as element-wise)."""
    if isinstance(expr, mean | total | count):
        return False
    if isinstance(expr, matmul | transpose):
        return True
    if expr.is_Symbol:
        return expr.name in arrays
    return any(array_valued(arg, arrays) for arg in expr.args)


def _powered(tex: str, exp: str | None) -> str:
    """``tex`` raised to ``exp`` (LaTeX's printer passes a function's power down), in parentheses."""
    return rf"\left({tex}\right)^{{{exp}}}" if exp else tex


def symbol_tex(name: str) -> str:
    """A name as a textbook sets it: one letter italic, a word upright (``\\mathrm{loss}``,
    ``y_{\\mathrm{pred}}``), Greek names as letters and SymPy's accents (``yhat``: ``\\hat{y}``)."""
    base, supers, subs = split_super_sub(name)
    text = _word(base)
    if subs:
        text += "_{" + " ".join(_word(s) for s in subs) + "}"
    if supers:
        text += "^{" + " ".join(_word(s) for s in supers) + "}"
    return text


def _word(text: str) -> str:
    translated = translate(text)
    word = translated == text and len(text) > 1 and not text.isdigit()
    return rf"\mathrm{{{text}}}" if word else translated


def ordered_terms(printer, expr: sp.Add, order: str | None = None) -> list[sp.Expr]:
    """The terms of ``expr`` in the order both printers write them: as written (``source_order``),
    else SymPy's order with a positive term moved first; a sum broken across rows breaks here."""
    terms = list(printer._as_ordered_terms(expr, order=order))
    if not printer.source_order and terms and terms[0].could_extract_minus_sign():
        positive = next((t for t in terms if not t.could_extract_minus_sign()), None)
        if positive is not None:
            terms.remove(positive)
            terms.insert(0, positive)
    return terms


class DerivePrinter(LatexPrinter):
    """LaTeX with the spec's notation; ``source_order`` keeps unevaluated trees as written."""

    def __init__(self, notation: Mapping[str, str] | None = None, source_order: bool = False,
                 arrays: Iterable[str] = ()):
        super().__init__({"order": "none"} if source_order else {})
        self.notation = dict(notation or {})
        self.source_order = source_order
        self.arrays = frozenset(arrays)

    def is_array(self, expr: sp.Basic) -> bool:
        return array_valued(expr, self.arrays)

    def _print_matmul(self, expr: matmul, exp: str | None = None) -> str:
        left, right = (self._matrix_operand(arg) for arg in expr.args)
        return _powered(f"{left} {right}", exp)

    def _matrix_operand(self, arg: sp.Expr) -> str:
        """A side of ``A B``: a sum, a negated or an element-wise product in parentheses."""
        elementwise = arg.is_Mul and sum(self.is_array(f) for f in arg.args) >= 2
        if arg.is_Add or elementwise or arg.could_extract_minus_sign():
            return rf"\left({self._print(arg)}\right)"
        return self._print(arg)

    def _print_transpose(self, expr: transpose, exp: str | None = None) -> str:
        inner = self._print(expr.args[0])
        if not expr.args[0].is_Atom:
            inner = rf"\left({inner}\right)"
        return _powered(f"{inner}^{{T}}", exp)

    def _elementwise(self, expr: sp.Mul) -> str | None:
        r"""``c A \odot B`` for a product of two or more array-valued factors, else None; array
        factors with a negative power go under a fraction bar (``\frac{t}{p}``, not ``1/p \odot t``)."""
        factors = expr.as_ordered_factors()
        arrays = [f for f in factors if self.is_array(f)]
        if len(arrays) < 2:
            return None
        scalar = sp.Mul(*[f for f in factors if not self.is_array(f)])
        sign, scalar = ("- ", -scalar) if scalar.could_extract_minus_sign() else ("", scalar)
        ordered = arrays if self.source_order else sorted(arrays, key=factor_rank)
        under, over = split_quotient(ordered)
        body = self._odot(over) if over else "1"
        if under:
            body = rf"\frac{{{body}}}{{{self._odot(under)}}}"
        if scalar == 1:
            return f"{sign}{body}"
        head = rf"\left({self._print(scalar)}\right)" if scalar.is_Add else self._print(scalar)
        return rf"{sign}{head} {body}" if under else rf"{sign}{head} \left({body}\right)"

    def _odot(self, factors: list[sp.Expr]) -> str:
        many = len(factors) > 1
        grouped = [many and (f.is_Add or isinstance(f, matmul)) for f in factors]
        return r" \odot ".join(rf"\left({self._print(f)}\right)" if group else self._print(f)
                                for f, group in zip(factors, grouped, strict=True))

    def _print_Symbol(self, expr: sp.Symbol, style: str = "plain") -> str:
        if expr.name in self.notation:
            return self.notation[expr.name]
        if expr.name in self._settings["symbol_names"]:
            return super()._print_Symbol(expr, style)
        return symbol_tex(expr.name)

    def _print_Mul(self, expr: sp.Mul) -> str:
        if not expr.could_extract_minus_sign() and (split := scaled_fraction(expr)) is not None:
            over, under, body = split
            scale = rf"\frac{{{self._print(over)}}}{{{self._print(under)}}}"
            return f"{scale} {self.parenthesize(body, PRECEDENCE['Add'])}"
        if self.arrays and (elementwise := self._elementwise(expr)) is not None:
            return elementwise
        if self.source_order:
            if expr.args and expr.args[0] == -1:
                rest = sp.Mul(*expr.args[1:], evaluate=False)
                return "- " + self.parenthesize(rest, 1000 if rest.is_Add else 0)
            return super()._print_Mul(expr)
        coefficient, rest = expr.as_coeff_Mul()
        if coefficient.is_negative:
            return "- " + self._print(-expr)
        if coefficient != 1 and rest.is_Mul is False and isinstance(rest, sp.Heaviside):
            # "0.8 1[a > 0]" reads as 0.81: a number before an indicator takes a dot
            return rf"{self._print(coefficient)} \cdot {self._print(rest)}"
        factors = list(expr.as_ordered_factors())
        ordered = sorted(factors, key=factor_rank)
        if ordered == factors:
            return super()._print_Mul(expr)
        self._settings["order"] = "none"
        try:
            return super()._print_Mul(sp.Mul(*ordered, evaluate=False))
        finally:
            self._settings["order"] = None

    def _print_Add(self, expr: sp.Add, order: str | None = None) -> str:
        """A sum opens with a positive term, as a textbook writes it: ``p - Y``, not ``- Y + p``."""
        terms = ordered_terms(self, expr, order)
        if terms != list(self._as_ordered_terms(expr, order=order)):
            return super()._print_Add(sp.Add(*terms, evaluate=False), order="none")
        return super()._print_Add(expr, order)

    def _print_Heaviside(self, expr: sp.Heaviside, exp: str | None = None) -> str:
        tex = rf"\mathbf{{1}}\left[{self._print(expr.args[0])} > 0\right]"
        return rf"{tex}^{{{exp}}}" if exp else tex

    def _print_NamedFunctionBase(self, expr: NamedFunctionBase, exp: str | None = None) -> str:
        """A registry function: its name (``head``) and its arguments in parentheses."""
        head = f"{expr.head.tex}^{{{exp}}}" if exp else expr.head.tex
        return rf"{head}\left({', '.join(self._print(a) for a in expr.args)}\right)"

    def _print_count(self, expr: count, exp: str | None = None) -> str:
        return f"n^{{{exp}}}" if exp else "n"

    def _print_count_along(self, expr: count_along, exp: str | None = None) -> str:
        """n, the length of the axis a mean runs over (SymPy's lookup skips a renamed subclass)."""
        return self._print_count(expr, exp)

    def _print_rowsum(self, expr: rowsum, exp: str | None = None) -> str:
        inner = self._print(expr.args[0])
        if not expr.args[0].is_Atom:
            inner = rf"\left({inner}\right)"
        return rf"\left(\sum_{{j}} {inner}\right)^{{{exp}}}" if exp else rf"\sum_{{j}} {inner}"

    def _print_spread(self, expr: spread, exp: str | None = None) -> str:
        """A term summed over the array it is broadcast across: printed as the term."""
        inner = self._print(expr.args[0])
        return rf"\left({inner}\right)^{{{exp}}}" if exp else inner

    def _print_axis_sum(self, expr: axis_sum, exp: str | None = None) -> str:
        r"""sum(x, 0) as ``\operatorname{sum}_{\mathrm{axis}=0}(x)``, the reduction the code line names."""
        return self._reduction("sum", expr, exp)

    def _print_axis_mean(self, expr: axis_mean, exp: str | None = None) -> str:
        return self._reduction("mean", expr, exp)

    def _reduction(self, name: str, expr: sp.Expr, exp: str | None) -> str:
        head = rf"\operatorname{{{name}}}_{{\mathrm{{axis}}={self._print(expr.args[1])}}}"
        head = f"{head}^{{{exp}}}" if exp else head
        return rf"{head}\left({self._print(expr.args[0])}\right)"

    def _print_scaled_sum(self, expr: scaled_sum, exp: str | None = None) -> str:
        r"""``\frac{1}{n} \sum_{i} (p - y) \odot x``: a scalar factor, then the sum over the elements."""
        scale, body = expr.args
        inner = self._print(body)
        inner = rf"\left({inner}\right)" if body.is_Add else inner
        head = "" if scale == 1 else ("- " if scale == -1 else self._print(scale) + " ")
        return _powered(rf"{head}\sum_{{i}} {inner}", exp)

    def _print_along(self, expr: along, exp: str | None = None) -> str:
        """A reduction's gradient broadcast back along its axis: printed as the gradient (the sheet's
        note says so)."""
        inner = self._print(expr.args[0])
        return rf"\left({inner}\right)^{{{exp}}}" if exp else inner

    def _print_Upstream(self, expr: Upstream, exp: str | None = None) -> str:
        """dL/d(node), a backward rule's upstream gradient, as the partial it stands for."""
        printed = self._print(forms.partial(*(sp.Symbol(name) for name in expr.partial)))
        return rf"\left({printed}\right)^{{{exp}}}" if exp else printed

    def _print_outer(self, expr: outer, exp: str | None = None) -> str:
        """An outer product as the matrix product it is: x^T G, or G v^T."""
        a, b, side = expr.args
        return self._print(matmul(transpose(a), b) if side == 0 else matmul(a, transpose(b)), exp=exp)

    def _print_Partial(self, expr: forms.Partial) -> str:
        top, bottom = self._print(expr.top), self._print(expr.bottom)
        if expr.order == 1:
            return rf"\frac{{\partial {top}}}{{\partial {bottom}}}"
        return rf"\frac{{\partial^{{{expr.order}}} {top}}}{{\partial {bottom}^{{{expr.order}}}}}"

    def _print_Slashed(self, expr: forms.Slashed) -> str:
        partial = expr.partial
        top, bottom = self._print(partial.top), self._print(partial.bottom)
        if partial.order == 1:
            return rf"\partial {top}/\partial {bottom}"
        return rf"\partial^{{{partial.order}}} {top}/\partial {bottom}^{{{partial.order}}}"

    def _print_DerivativeOf(self, expr: forms.DerivativeOf) -> str:
        variable, order = self._print(expr.variable), expr.order
        operator = (rf"\frac{{\partial}}{{\partial {variable}}}" if order == 1 else
                    rf"\frac{{\partial^{{{order}}}}}{{\partial {variable}^{{{order}}}}}")
        return rf"{operator}\left({self._print(expr.expression)}\right)"

    def _print_Dotted(self, expr: forms.Dotted) -> str:
        many = len(expr.args) > 1
        return r" \cdot ".join(rf"\left({self._print(f)}\right)" if many and f.is_Add else self._print(f)
                                for f in expr.args)

    def _print_InOrder(self, expr: forms.InOrder) -> str:
        factors = list(expr.args)
        sign = "- " if len(factors) > 1 and factors[0] == -1 else ""
        factors = factors[1:] if sign else factors
        many = len(factors) > 1
        fenced = [many and (f.is_Add or (index > 0 and f.could_extract_minus_sign()))
                  for index, f in enumerate(factors)]
        return sign + " ".join(rf"\left({self._print(f)}\right)" if fence else self._print(f)
                               for f, fence in zip(factors, fenced, strict=True))

    def _print_Terms(self, expr: forms.Terms) -> str:
        if not expr.args:
            return "0"
        text = self._print(expr.args[0])
        for term in expr.args[1:]:
            negative = term.could_extract_minus_sign()
            text += f" - {self._print(-term)}" if negative else f" + {self._print(term)}"
        return text

    def _print_Continued(self, expr: forms.Continued) -> str:
        first = expr.args[0]
        sign, rest = ("- ", forms.Terms(-first, *expr.args[1:])) if first.could_extract_minus_sign() else \
            ("+ ", forms.Terms(*expr.args))
        return sign + self._print(rest)

    def _print_Descent(self, expr: forms.Descent) -> str:
        parameter, rate, gradient = (self._print(a) for a in expr.args)
        return rf"{parameter} - {rate}\, {gradient}"

    def _print_State(self, expr: forms.State) -> str:
        letter = self._print(expr.letter)
        letter = rf"\hat{{{letter}}}" if expr.hat else letter
        return letter if expr.parameter is None else rf"{letter}_{{{self._print(expr.parameter)}}}"

    def _print_Jacobian(self, expr: forms.Jacobian) -> str:
        indices, upstream, mapped = expr.args
        count = "index" if int(indices) == 1 else "indices"
        return (rf"\text{{a Jacobian with {int(indices)} {count}; backpropagation maps }} "
                rf"{self._print(upstream)} \mapsto {self._print(mapped)}")

    def _print_Path(self, expr: forms.Path) -> str:
        return r" \to ".join(self._print(name) for name in expr.args)


NUMBER_BOX = r"\rule{0.06em}{1.1em}\rule{8.5em}{0.06em}\rule{0.06em}{1.1em}"
"""A fill-in field for one number: 33 mm at 11 pt, room for -0.03714 written by hand."""
ARRAY_BOX = r"\rule{0.06em}{1.5em}\rule{11em}{0.06em}\rule{0.06em}{1.5em}"
"""A wider, taller field for a vector or matrix."""
STEP_BOX = r"\rule{0.06em}{1.5em}\rule{13em}{0.06em}\rule{0.06em}{1.5em}"
"""The widest field, for a derivation step."""

_BOXES = {"number": NUMBER_BOX, "array": ARRAY_BOX, "step": STEP_BOX}
_OPERATORS = {"+": " + ", "-": " - ", "cdot": r" \cdot ", "sum": r"\sum_{i} "}
_RELATIONS = {"=": "=", "leftarrow": r"\leftarrow", "continue": r"\quad"}
"""What opens a row: a relation, or (``continue``) the indent of a sum continued from the row above."""


_THREAD = threading.local()


def per_thread(printer: type, notation: tuple[tuple[str, str], ...], arrays: frozenset[str],
               written: bool):
    """One ``printer`` per notation and thread: a printer keeps state while it prints (its
    settings, its DOM), so threads rendering sheets side by side never share one."""
    printers = _THREAD.__dict__.setdefault("printers", {})
    key = (printer, notation, arrays, written)
    if key not in printers:
        printers[key] = printer(dict(notation), source_order=written, arrays=arrays)
    return printers[key]


class TexStyle:
    """The sheet's parts as TeX: for the .tex file, and a fragment for a host's MathJax or KaTeX."""

    name = "tex"

    def expression(self, expr: sp.Basic, notation: Mapping[str, str], arrays: frozenset[str],
                   written: bool) -> str:
        return per_thread(DerivePrinter, tuple(sorted(notation.items())), arrays, written).doprint(expr)

    def number(self, value: float | tuple, digits: int, factor: bool) -> str:
        return tex_factor(value, digits) if factor else tex_number(value, digits)

    def operator(self, name: str) -> str:
        return _OPERATORS[name]

    def box(self, kind: str) -> str:
        return _BOXES[kind]

    def joined(self, texts: Iterable[str]) -> str:
        return "".join(texts)

    def chain(self, lhs: str | None, relation: str, parts: Iterable[str]) -> str:
        """``lhs = a = b`` (``lhs`` None: ``= a = b``); a relation ``&=`` aligns in ``align*``."""
        align = "&" if relation.startswith("&") else ""
        head = f"{align}{_RELATIONS[relation.lstrip('&')]} {' = '.join(part.strip() for part in parts)}"
        return head if lhs is None else f"{lhs} {head}"

    def aligned(self, lhs: str, rows: Iterable[str]) -> str:
        """Rows (each a ``chain`` without its left-hand side) aligned on their relation, ``lhs``
        before the first: amsmath's ``aligned``."""
        first, *rest = rows
        body = r" \\ ".join((f"{lhs} &{first}", *(f"&{row}" for row in rest)))
        return rf"\begin{{aligned}} {body} \end{{aligned}}"


def tex(expression: sp.Basic, notation: Mapping[str, str] | None = None, arrays: Iterable[str] = ()) -> str:
    """TeX of a derived (evaluated) expression; ``arrays`` names the array-valued symbols."""
    return DerivePrinter(notation, arrays=arrays).doprint(expression)


def tex_as_written(expression: sp.Basic, notation: Mapping[str, str] | None = None,
                   arrays: Iterable[str] = ()) -> str:
    """TeX of an unevaluated expression, in the order the spec wrote it."""
    return DerivePrinter(notation, source_order=True, arrays=arrays).doprint(expression)
