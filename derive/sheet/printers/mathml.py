r"""MathML from SymPy: a ``MathMLPresentationPrinter`` subclass that prints what ``tex.DerivePrinter``
prints, in the same textbook order, for HTML pages and the PDF's formula layout.

It shares the TeX printer's decisions (``tex.factor_rank``, positive terms first, ``\odot``
for element-wise products of arrays, parentheses around a matrix product's sums) and adds
what MathML Core needs spelled out: parentheses that stretch only around a fraction, and
TeX's thin space before an upright function name after an operand (``y \log(p)``).
A name the spec's ``[notation]`` gives is that TeX's MathML (latex2mathml converts the
short, whitelisted notation string; formulas themselves never pass through TeX).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import lru_cache
from xml.dom import minidom
from xml.parsers.expat import ExpatError
from xml.sax.saxutils import escape

import sympy as sp
from sympy.core.function import _coeff_isneg
from sympy.printing.conventions import split_super_sub
from sympy.printing.mathml import MathMLPresentationPrinter
from sympy.printing.precedence import PRECEDENCE, precedence_traditional
from sympy.printing.pretty.pretty_symbology import greek_unicode

from ...errors import DeriveError
from ...graph.functions import count, matmul, transpose
from ...graph.named import NamedFunctionBase
from ...graph.products import outer
from ...graph.vectors import rowsum, spread
from ...symbolic.backprop import Upstream
from .. import forms
from .mathml_axes import AxesMathML
from .mathml_forms import FormsMathML
from .products import factor_rank, scaled_fraction, split_quotient
from .tex import array_valued, ordered_terms

Element = minidom.Element
UPRIGHT_FUNCTIONS = frozenset("log ln sin cos tan sinh cosh tanh".split())
"""SymPy functions TeX sets as operator names, with a thin space before them after an operand."""
THIN = "0.1667em"

ACCENTS = {"ddot": "\u00a8", "dot": "\u02d9", "hat": "^", "bar": "\u00af", "tilde": "~", "vec": "\u2192"}
"""The name endings SymPy's TeX printer sets as accents (``yhat``: ŷ), as MathML's ``<mover>``."""


@lru_cache(maxsize=1024)
def _notation_mathml(tex: str) -> str:
    """The ``<math>`` latex2mathml writes for one notation value (a name, never a formula)."""
    from latex2mathml.converter import convert

    return convert(tex)


def plain_row(node: Element) -> bool:
    """A row that groups nothing (not a fenced group, whose parentheses stretch around it)."""
    if node.nodeType != node.ELEMENT_NODE or node.tagName != "mrow":
        return False
    first = node.firstChild
    return not (first is not None and first.nodeType == first.ELEMENT_NODE and first.getAttribute("fence"))


class DeriveMathMLPrinter(AxesMathML, FormsMathML, MathMLPresentationPrinter):
    """Presentation MathML with the spec's notation; ``source_order`` keeps unevaluated trees."""

    def __init__(self, notation: Mapping[str, str] | None = None, source_order: bool = False,
                 arrays: Iterable[str] = ()):
        super().__init__({"order": "none"} if source_order else {})
        self.notation = dict(notation or {})
        self.source_order = source_order
        self.arrays = frozenset(arrays)

    # --- small builders -------------------------------------------------------------------

    def element(self, tag: str, *children: Element, text: str | None = None, **attributes: str) -> Element:
        node = self.dom.createElement(tag)
        for name, value in attributes.items():
            node.setAttribute(name, value)
        if text is not None:  # SymPy's DOM writes text raw, so it is escaped here
            node.appendChild(self.dom.createTextNode(escape(text)))
        for child in children:
            node.appendChild(child)
        return node

    def mo(self, text: str, **attributes: str) -> Element:
        return self.element("mo", text=text, **attributes)

    def row(self, *children: Element) -> Element:
        """An ``<mrow>`` of ``children``, a plain row among them spliced in: ziamath's layout time
        grows with the nesting of rows, and a row in a row means nothing more."""
        node = self.element("mrow")
        for child in children:
            for grandchild in (list(child.childNodes) if plain_row(child) else [child]):
                node.appendChild(grandchild)
        return node

    def fenced(self, inner: Element, opening: str = "(", closing: str = ")") -> Element:
        """``inner`` in parentheses that stretch only when it holds a fraction."""
        stretchy = "true" if inner.getElementsByTagName("mfrac") or inner.tagName == "mfrac" else "false"
        return self.row(self.mo(opening, stretchy=stretchy, fence="true", form="prefix"), inner,
                        self.mo(closing, stretchy=stretchy, fence="true", form="postfix"))

    def thin_space(self) -> Element:
        return self.element("mspace", width=THIN)

    def parenthesize(self, item: sp.Basic, level: int, strict: bool = False) -> Element:
        value = precedence_traditional(item)
        if value < level or (not strict and value <= level):
            return self.fenced(self._print(item))
        return self._print(item)

    def _paren_comma_separated(self, *args: sp.Basic) -> Element:
        inner = self.row()
        for index, arg in enumerate(args):
            if index:
                inner.appendChild(self._comma())
            inner.appendChild(self._print(arg))
        return self.fenced(inner)

    # --- names and numbers ----------------------------------------------------------------

    def _print_Symbol(self, symbol: sp.Symbol, style: str = "plain") -> Element:
        if symbol.name in self.notation:
            try:
                math = minidom.parseString(_notation_mathml(self.notation[symbol.name])).documentElement
            except ExpatError:
                raise DeriveError("html", f"MathML that is not well-formed XML (notation.{symbol.name}); "
                                          "refused") from None
            node = self.row(*(self.dom.importNode(child, True) for child in math.childNodes))
            return node.firstChild if len(node.childNodes) == 1 else node
        name, supers, subs = split_super_sub(symbol.name)
        base = self._script(name, base=True)
        if supers and subs:
            return self.element("msubsup", base, self._scripts(subs), self._scripts(supers))
        if subs:
            return self.element("msub", base, self._scripts(subs))
        return self.element("msup", base, self._scripts(supers)) if supers else base

    def _scripts(self, items: list[str]) -> Element:
        nodes = [self._script(item) for item in items]
        return nodes[0] if len(nodes) == 1 else self.row(*nodes)

    def _script(self, text: str, base: bool = False) -> Element:
        """A name's base or script as the TeX printer sets it (``tex.symbol_tex``): digits upright,
        Greek names as letters, an accent's name as the accent, one letter italic, a word upright."""
        if text.isdigit():
            return self.element("mn", text=text)
        if text in greek_unicode:
            return self.element("mi", text=greek_unicode[text])
        accent = next((a for a in ACCENTS if text.endswith(a) and len(text) > len(a)), None)
        if accent is not None:  # SymPy's (and the TeX printer's) yhat: y with a hat
            return self.element("mover", self._script(text[:-len(accent)], base), self.mo(ACCENTS[accent]),
                                accent="true")
        return self.element("mi", text=text, **({"mathvariant": "normal"} if len(text) > 1 else {}))

    def _print_Exp1(self, expr: sp.Basic) -> Element:
        return self.element("mi", text="e")

    def _print_Pi(self, expr: sp.Basic) -> Element:
        """π as its character (SymPy's printer writes the entity &pi;, which XML does not know)."""
        return self.element("mi", text="\u03c0")

    def _print_exp(self, expr: sp.exp) -> Element:
        return self.element("msup", self._print_Exp1(expr), self._print(expr.args[0]))

    def _print_Integer(self, expr: sp.Integer) -> Element:
        if expr < 0:
            return self.row(self.mo("\u2212"), self.element("mn", text=str(-expr)))
        return self.element("mn", text=str(expr))

    def _print_Float(self, expr: sp.Float) -> Element:
        from sympy.printing.latex import latex

        text = latex(expr)  # the digits the TeX printer writes (a plain decimal for a spec's literal)
        return self.element("mn", text=text.replace("-", "\u2212"))

    # --- arrays ---------------------------------------------------------------------------

    def is_array(self, expr: sp.Basic) -> bool:
        return array_valued(expr, self.arrays)

    def _print_matmul(self, expr: matmul) -> Element:
        return self.row(*(self._matrix_operand(arg) for arg in expr.args))

    def _matrix_operand(self, arg: sp.Expr) -> Element:
        elementwise = arg.is_Mul and sum(self.is_array(f) for f in arg.args) >= 2
        if arg.is_Add or elementwise or arg.could_extract_minus_sign():
            return self.fenced(self._print(arg))
        return self._print(arg)

    def _print_transpose(self, expr: transpose) -> Element:
        inner = self._print(expr.args[0])
        if not expr.args[0].is_Atom:
            inner = self.fenced(inner)
        return self.element("msup", inner, self.element("mi", text="T"))

    def _elementwise(self, expr: sp.Mul) -> Element | None:
        factors = expr.as_ordered_factors()
        arrays = [f for f in factors if self.is_array(f)]
        if len(arrays) < 2:
            return None
        scalar = sp.Mul(*[f for f in factors if not self.is_array(f)])
        node = self.row()
        if scalar.could_extract_minus_sign():
            node.appendChild(self.mo("\u2212"))
            scalar = -scalar
        under, over = split_quotient(arrays if self.source_order else sorted(arrays, key=factor_rank))
        body = self._odot(over) if over else self.element("mn", text="1")
        if under:
            body = self.element("mfrac", body, self._odot(under))
        if scalar != 1:
            node.appendChild(self.fenced(self._print(scalar)) if scalar.is_Add else self._print(scalar))
            body = body if under else self.fenced(body)
        node.appendChild(body)
        return node

    def _odot(self, factors: list[sp.Expr]) -> Element:
        body = self.row()
        for index, f in enumerate(factors):
            if index:
                body.appendChild(self.mo("\u2299"))
            printed, many = self._print(f), len(factors) > 1
            grouped = many and (f.is_Add or isinstance(f, matmul))
            body.appendChild(self.fenced(printed) if grouped else printed)
        return body

    # --- arithmetic -----------------------------------------------------------------------

    def _print_Mul(self, expr: sp.Mul) -> Element:
        if not expr.could_extract_minus_sign() and (split := scaled_fraction(expr)) is not None:
            over, under, body = split  # (1/n) dL/dmu, never a fraction over a fraction
            scale = self.element("mfrac", self._print(over), self._print(under))
            return self.row(scale, self.mo("\u2062"), self.parenthesize(body, PRECEDENCE["Add"]))
        if self.arrays and (elementwise := self._elementwise(expr)) is not None:
            return elementwise
        if self.source_order and expr.args and expr.args[0] == -1:
            rest = sp.Mul(*expr.args[1:], evaluate=False)
            return self.row(self.mo("\u2212"), self.parenthesize(rest, 1000 if rest.is_Add else 0))
        if not self.source_order and _coeff_isneg(expr):
            return self.row(self.mo("\u2212"), self._print(-expr))
        numerator, denominator = sp.fraction(expr, exact=True)
        if denominator != 1:
            return self.element("mfrac", self._print(numerator), self._print(denominator))
        factors = list(expr.args) if self.source_order else list(expr.as_ordered_factors())
        if not self.source_order:
            factors = sorted(factors, key=factor_rank)
        return self._product(factors)

    def _product(self, factors: list[sp.Expr]) -> Element:
        node = self.row()
        for index, factor in enumerate(factors):
            if index:
                previous = factors[index - 1]
                if previous.is_Number and (factor.is_Number or isinstance(factor, sp.Heaviside)):
                    node.appendChild(self.mo("\u00b7"))  # "0.8 1[a > 0]" would read as 0.81
                elif self._upright_function(factor):
                    node.appendChild(self.thin_space())
                else:
                    node.appendChild(self.mo("\u2062"))
            node.appendChild(self.parenthesize(factor, PRECEDENCE["Mul"]))
        return node

    @staticmethod
    def _upright_function(expr: sp.Basic) -> bool:
        if isinstance(expr, sp.Pow):
            expr = expr.base
        if isinstance(expr, NamedFunctionBase):
            return expr.head.upright
        return isinstance(expr, sp.Function) and type(expr).__name__ in UPRIGHT_FUNCTIONS

    def _print_Add(self, expr: sp.Add, order: str | None = None) -> Element:
        return self.signed_sum(ordered_terms(self, expr, order))

    def signed_sum(self, terms: list[sp.Expr]) -> Element:
        """``a + b - c``: a term that carries a minus sign is subtracted (a sum and a path sum)."""
        node = self.row(self._print(terms[0]))
        for term in terms[1:]:
            negative = term.could_extract_minus_sign()
            node.appendChild(self.mo("\u2212" if negative else "+"))
            node.appendChild(self._print(-term if negative else term))
        return node

    def _print_Pow(self, expr: sp.Pow) -> Element:
        if expr.base == sp.E:
            return self.element("msup", self._print_Exp1(expr), self._print(expr.exp))
        if isinstance(expr.base, rowsum | spread):
            return self.element("msup", self.fenced(self._print(expr.base)), self._print(expr.exp))
        if isinstance(expr.base, sp.Function) and expr.exp.is_Integer and expr.exp > 0 \
                and not isinstance(expr.base, count | matmul | transpose | outer):
            # sigma^2(z), as TeX writes a function's power: the power on the name
            return self._function(expr.base, self._print(expr.exp))
        return super()._print_Pow(expr)

    # --- functions ------------------------------------------------------------------------

    def _function(self, expr: sp.Function, power: Element | None = None) -> Element:
        if isinstance(expr, NamedFunctionBase):
            head = self.element("mi", text=expr.head.mathml, **({"mathvariant": "normal"}
                                                                  if expr.head.upright else {}))
        else:
            name = "ln" if type(expr).__name__ == "log" and self._settings["ln_notation"] else \
                type(expr).__name__
            head = self.element("mi", text=name, **({"mathvariant": "normal"} if len(name) > 1 else {}))
        if power is not None:
            head = self.element("msup", head, power)
        return self.row(head, self._paren_comma_separated(*expr.args))

    def _print_Function(self, expr: sp.Function) -> Element:
        return self._function(expr)

    def _print_NamedFunctionBase(self, expr: NamedFunctionBase) -> Element:
        return self._function(expr)

    def _print_count(self, expr: count) -> Element:
        return self.element("mi", text="n")

    def _print_rowsum(self, expr: rowsum) -> Element:
        inner = self._print(expr.args[0])
        inner = inner if expr.args[0].is_Atom else self.fenced(inner)
        return self.row(self.element("munder", self.mo("\u2211"), self.element("mi", text="j")), inner)

    def _print_spread(self, expr: spread) -> Element:
        return self._print(expr.args[0])

    def _print_Upstream(self, expr: Upstream) -> Element:
        """dL/d(node), a backward rule's upstream gradient, as the partial it stands for."""
        return self._print(forms.partial(*(sp.Symbol(name) for name in expr.partial)))

    def _print_outer(self, expr: outer) -> Element:
        a, b, side = expr.args
        return self._print(matmul(transpose(a), b) if side == 0 else matmul(a, transpose(b)))

    def _print_KroneckerDelta(self, expr: sp.KroneckerDelta) -> Element:
        """delta_ij, as TeX's ``\\delta_{i j}``."""
        indices = self.row(*(self._print(index) for index in expr.args[:2]))
        return self.element("msub", self.element("mi", text="\u03b4"), indices)

    def _print_Heaviside(self, expr: sp.Heaviside) -> Element:
        inside = self.row(self._print(expr.args[0]), self.mo(">"), self.element("mn", text="0"))
        return self.row(self.element("mn", text="1", mathvariant="bold"), self.fenced(inside, "[", "]"))

    def _print_Abs(self, expr: sp.Abs, exp: str | None = None) -> Element:
        return self.fenced(self._print(expr.args[0]), "|", "|")

    def _print_Max(self, expr: sp.Max) -> Element:
        return self._function(expr)

    def _print_Min(self, expr: sp.Min) -> Element:
        return self._function(expr)

    def _print_sign(self, expr: sp.sign) -> Element:
        return self.row(self.element("mi", text="sign", mathvariant="normal"),
                        self._paren_comma_separated(*expr.args))

    def _print_Piecewise(self, expr: sp.Piecewise) -> Element:
        """Cases in a brace, as TeX's ``cases``: value, then 'for condition' or 'otherwise'."""
        table = self.element("mtable", columnalign="left left")
        for value, condition in expr.args:
            when = (self.element("mtext", text="otherwise") if condition == sp.true else
                    self.row(self.element("mtext", text="for\u00a0"), self._print(condition)))
            table.appendChild(self.element("mtr", self.element("mtd", self._print(value)),
                                           self.element("mtd", when)))
        return self.row(self.mo("{", stretchy="true", fence="true", form="prefix"), table)

    def _print_Relational(self, expr: sp.core.relational.Relational) -> Element:
        symbols = {">": ">", "<": "<", ">=": "\u2265", "<=": "\u2264", "==": "=", "!=": "\u2260"}
        return self.row(self._print(expr.lhs), self.mo(symbols[expr.rel_op]), self._print(expr.rhs))

    def _print_Derivative(self, expr: sp.Derivative) -> Element:
        from sympy.printing.conventions import requires_partial

        d = "\u2202" if requires_partial(expr.expr) else "d"
        order = sum(n for _, n in expr.variable_count)
        top = self.mo(d) if d == "\u2202" else self.element("mi", text=d)
        top = self.element("msup", top, self.element("mn", text=str(order))) if order > 1 else top
        bottom = self.row()
        for variable, n in expr.variable_count:
            mark = self.mo(d) if d == "\u2202" else self.element("mi", text=d)
            bottom.appendChild(mark)
            printed = self._print(variable)
            power = self.element("mn", text=str(n))
            bottom.appendChild(self.element("msup", printed, power) if n > 1 else printed)
        space = [self.thin_space()] if self._upright_function(expr.expr) else []
        return self.row(self.element("mfrac", top, bottom), *space, self._print(expr.expr))
