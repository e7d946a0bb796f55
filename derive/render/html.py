"""The worksheet as HTML: a self-contained page, a course-site fragment, and print HTML.

All three fill the same base template; they differ in how math is written (MathML,
MathJax/KaTeX delimiters, or empty boxes that the PDF writer draws formulas into) and in
what wraps the body.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from markupsafe import Markup

from ..sheet.formula import Formula, Part, part_text, printed, rule_steps
from ..sheet.model import GeneralRule, Worksheet
from ..sheet.parts import PRODUCT_RULE, letter
from ..sheet.printers import MATHML, TEX, Style
from . import formulas
from .pdf.formulas import FormulaBoxes
from .templating import html_environment

MATH_STYLES: dict[str, tuple[Style, Callable[..., Markup]]] = {
    "mathml": (MATHML, formulas.mathml),
    "tex": (TEX, formulas.tex_delimited),
}
"""Each ``--math`` style: the printer that writes the formulas, and what wraps them for the page."""


def _plot(sheet: Worksheet) -> Markup:
    from .figures.plot import loss_plot_svg

    return Markup(loss_plot_svg(sheet) if len(sheet.history) > 2 else "")


def formula_lines(sheet: Worksheet, formula: Formula, style: Style = TEX, pieces: bool = False) -> tuple:
    """``formula`` as the sheet prints it in ``style`` (a key, or a student sheet's boxes), one
    item per row: the printed row, or with ``pieces`` the row's parts, which the PDF lays out
    one by one."""
    shown = printed(formula, sheet.student, sheet.blanks == "steps", style)
    return shown.pieces() if pieces else shown.lines()


def _math(sheet: Worksheet, style: Style, wrap: Callable[..., Markup], value: str | tuple | Part,
          display: bool = False) -> Markup:
    """A printed row (or a PDF row's pieces) wrapped for the page; a part (a name) printed first."""
    if not isinstance(value, str | tuple):
        value = part_text(value, style, sheet.student, sheet.blanks == "steps")
    return wrap(value, display=display)


def rule_lines(sheet: Worksheet, rule: GeneralRule) -> tuple[Formula, ...]:
    """A general rule's steps as the sheet shows them (a steps-mode student sheet: the definition)."""
    return rule_steps(rule.steps, rule.definitions, rule.formula, sheet.student and sheet.blanks == "steps")


def _render(template: str, sheet: Worksheet, math: tuple[Style, Callable[..., Markup]], top: int,
            pieces: bool = False, **extra: object) -> str:
    """``template`` filled in; ``extra`` may bring its own ``picture`` (the graph)."""
    if "picture" not in extra:
        from .figures.picture import graph_html

        extra["picture"] = Markup(graph_html(sheet))
    style, wrap = math
    lines = partial(formula_lines, sheet, style=style, pieces=pieces)
    m = partial(_math, sheet, style, wrap)
    context = {"sheet": sheet, "m": m, "md": partial(m, display=True), "top": top, "symbol": letter,
               "product": PRODUCT_RULE, "plot": _plot(sheet), "given": _as_text, "lines": lines,
               "line": lambda f: lines(f)[0],
               "rule_lines": partial(rule_lines, sheet), **extra}
    return html_environment().get_template(template).render(context)


def _as_text(text: str, face: str = "mono") -> str:
    """A given number (or the variant ID) as it is: text, escaped by the template."""
    return text


def render_page(sheet: Worksheet) -> str:
    """One self-contained HTML file: inline CSS, MathML, no scripts, no network."""
    return _render("html/page.html.j2", sheet, MATH_STYLES["mathml"], top=1)


def render_fragment(sheet: Worksheet, math: str = "mathml") -> str:
    """One ``<section class="derive-worksheet">`` for a host page; ``math='tex'`` for MathJax/KaTeX."""
    if math not in ("mathml", "tex"):
        raise ValueError(f"math must be 'mathml' or 'tex', not {math!r}")
    return _render("html/fragment.html.j2", sheet, MATH_STYLES[math], top=2)


@dataclass(frozen=True)
class PrintRow:
    """A formula's row as the PDF takes it: its MathML parts (laid out one by one) and the same
    row printed in TeX, the box's text alternative."""

    pieces: tuple[str, ...]
    tex: str


def _print_rows(sheet: Worksheet, formula: Formula) -> tuple[PrintRow, ...]:
    pieces = formula_lines(sheet, formula, MATHML, pieces=True)
    rows = zip(pieces, formula_lines(sheet, formula, TEX), strict=True)
    return tuple(PrintRow(pieces, tex) for pieces, tex in rows)


def _boxed(sheet: Worksheet, boxes: FormulaBoxes, value: PrintRow | Part, display: bool = False) -> Markup:
    """A row, or a part (a name), as the empty box ``boxes`` draws it into, its TeX its alternative."""
    if isinstance(value, PrintRow):
        return boxes.box(value.pieces, display, alt=value.tex)
    steps = sheet.blanks == "steps"
    return boxes.box(part_text(value, MATHML, sheet.student, steps), display,
                     alt=part_text(value, TEX, sheet.student, steps))


def render_print_html(sheet: Worksheet, boxes: FormulaBoxes, paper: str = "a4") -> str:
    """The page styled for paper, as WeasyPrint takes it: each formula an empty box of its
    size, which ``boxes`` remembers and draws into once the PDF is laid out; so are the graph's
    labels (``picture_print``) and, on a student sheet, the given numbers and the variant ID
    (``outline_text.given_box``), in boxes that do not depend on them, so that every variant's
    student sheet has the same HTML (``render_pdf`` lays it out once)."""
    from .pdf.outline_text import given_box
    from .pdf.picture_print import graph_print_html

    name = f"html/paper/{paper}.html.j2"
    line_px = (paper_width_mm(name) - 2 * SIDE_MARGIN_MM) * 96 / 25.4
    given = partial(given_box, boxes) if sheet.student else _as_text
    rows = partial(_print_rows, sheet)
    return _render(name, sheet, (MATHML, boxes.box), top=1, pieces=True, side_margin=f"{SIDE_MARGIN_MM}mm",
                   picture=graph_print_html(sheet, line_px, boxes), given=given, lines=rows,
                   line=lambda f: rows(f)[0], m=partial(_boxed, sheet, boxes),
                   md=partial(_boxed, sheet, boxes, display=True))


def paper_width_mm(name: str) -> float:
    """The width of the paper whose print template is ``name``, as the template gives it."""
    template = html_environment().get_template(name)
    return float("".join(template.blocks["paper_width_mm"](template.new_context())))


SIDE_MARGIN_MM = 18
