"""The worksheet as a standalone LaTeX article that compiles with pdflatex.

The document is checked before it leaves: every control sequence in it must be one that
derive writes (the template's own, the TeX escapes of user text, the printers' and the
figures' vocabulary, SymPy's names for symbols, and admitted ``[notation]``), so nothing
such as ``\\input``, ``\\catcode`` or ``\\write18`` can reach an instructor's pdflatex.

User text (a title, an intro) may hold any Unicode; pdflatex's utf8 input with T1 fonts
knows Latin-1, Latin Extended-A and the common punctuation, and stops at anything else. So
after the check each other character is written the way pdflatex can set it: a Greek letter
or a common math sign as its math symbol (σ as ``\\ensuremath{\\sigma}``), anything else
(an emoji, CJK text) as its code point in typewriter type, ``[U+1F600]``, so the document
always compiles and the reader sees which character stood there.
"""

from __future__ import annotations

import re

from ..sheet.formula import Formula
from ..sheet.model import Worksheet
from .layout import PT_PER_MM, TEX_FILL, Layout, printed
from .templating import paper_width_mm, tex_environment
from .tex_safety import check_tex

SIDE_MARGIN_MM = 20
"""The article's side margins (``geometry``'s ``hmargin``)."""
FONT_PT = 10.95
"""The article's ``11pt`` size, as LaTeX sets it."""
MATH_INDENT_EM = 1.5
"""``fleqn``'s indent of a display formula (the template's ``\\mathindent``)."""


def tex_layout(paper: str) -> Layout:
    """Where the article on ``paper`` breaks formulas: its text block (the paper less the side
    margins), less a display formula's indent, at 11 pt."""
    text_pt = (paper_width_mm(paper) - 2 * SIDE_MARGIN_MM) * PT_PER_MM
    return Layout.fitted(text_pt, MATH_INDENT_EM * FONT_PT, FONT_PT, TEX_FILL)


def render_tex(sheet: Worksheet, paper: str = "a4") -> str:
    """LaTeX source of the worksheet: amsmath, booktabs, TikZ pictures, escaped user text."""
    from .figures.picture import graph_tikz
    from .figures.plot import loss_plot_tikz

    plot = loss_plot_tikz(sheet) if len(sheet.history) > 2 else ""
    blank_steps = sheet.student and sheet.blanks == "steps"
    layout = tex_layout(paper)

    def rule_lines(rule):
        return rule.lines(blank_steps)

    def shown(formula: Formula):
        return printed(formula, layout, sheet.student, blank_steps)

    def line(formula: Formula, width: float = 0) -> str:
        """The formula as one (rows aligned in ``aligned``), in rows of ``width`` em if given."""
        return printed(formula, layout, sheet.student, blank_steps, column=width).block()

    template = tex_environment().get_template(f"tex/paper/{paper}.tex.j2")
    document = template.render(sheet=sheet, picture=graph_tikz(sheet), plot=plot, line=line,
                               side_margin=f"{SIDE_MARGIN_MM / 10:g}cm",
                               aligned=lambda f: shown(f).aligned(),
                               rule_lines=rule_lines)
    return pdflatex_text(check_tex(document))


_KEPT = ((0xA0, 0x125), (0x128, 0x137), (0x139, 0x13E), (0x141, 0x148), (0x14A, 0x165),
         (0x168, 0x17E), (0x2010, 0x2016), (0x2018, 0x201A), (0x201C, 0x201E), (0x2020, 0x2022),
         (0x2026, 0x2026), (0x2030, 0x2031), (0x2039, 0x203A), (0x20AC, 0x20AC), (0x2122, 0x2122))
"""What pdflatex (utf8 input, T1 and TS1 fonts) sets as it is, found by compiling each character."""
_GREEK = dict(zip("αβγδεζηθικλμνξπρςστυφχψωΓΔΘΛΞΠΣΥΦΨΩ", (
    "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi pi rho varsigma sigma "
    "tau upsilon phi chi psi omega Gamma Delta Theta Lambda Xi Pi Sigma Upsilon Phi Psi Omega").split(),
    strict=True))
_LOOKALIKE = dict(zip("ΑΒΕΖΗΙΚΜΝΟΡΤΧοϐϑϕϖϱϵ", (
    "A B E Z H I K M N O P T X o beta vartheta varphi varpi varrho epsilon").split(), strict=True))
_SIGNS = {"−": "-", "∂": "partial", "∇": "nabla", "∞": "infty", "≤": "leq", "≥": "geq", "≠": "neq",
          "≈": "approx", "→": "to", "←": "leftarrow", "∑": "sum", "∏": "prod", "√": "surd", "∈": "in",
          "⋅": "cdot", "∘": "circ", "∫": "int", "ℓ": "ell"}
_NON_ASCII = re.compile(r"[^\x00-\x7f]")


def _settable(character: str) -> str:
    code = ord(character)
    if any(low <= code <= high for low, high in _KEPT):
        return character
    name = _GREEK.get(character) or _SIGNS.get(character) or _LOOKALIKE.get(character)
    if name is not None:
        command = name if len(name) == 1 else f"\\{name}"
        return f"\\ensuremath{{{command}}}" if len(name) > 1 or character in _SIGNS else name
    return f"\\texttt{{[U+{code:04X}]}}"


def pdflatex_text(document: str) -> str:
    """``document`` with every character pdflatex cannot set written as it can (see above)."""
    return _NON_ASCII.sub(lambda match: _settable(match.group()), document)
