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

from ..sheet.formula import Formula, Part, part_text
from ..sheet.model import GeneralRule, Worksheet
from ..sheet.parts import PRODUCT_RULE, letter
from ..sheet.printers import MATHML, TEX, Style
from . import formulas
from .inert import inert_html
from .layout import FRAGMENT, PAGE, PT_PER_MM, PT_PER_PX, Layout, Printed, printed
from .pdf.formulas import Aligned, FormulaBoxes
from .templating import html_environment, paper_width_mm

MATH_STYLES: dict[str, tuple[Style, Callable[..., Markup]]] = {
    "mathml": (MATHML, formulas.mathml),
    "tex": (TEX, formulas.tex_delimited),
}
"""Each ``--math`` style: the printer that writes the formulas, and what wraps them for the page."""


def _plot(sheet: Worksheet) -> Markup:
    from .figures.plot import loss_plot_svg

    return Markup(loss_plot_svg(sheet) if len(sheet.history) > 2 else "")


def formula_block(sheet: Worksheet, formula: Formula, layout: Layout, style: Style = TEX,
                  pieces: bool = False, width: float = 0,
                  rows_of_student: bool = False) -> str | tuple | Aligned:
    """``formula`` as one formula, its rows aligned on the relation when it needs several (in
    rows of ``layout``'s line, or of at most ``width`` em, if given: a formula in a table's
    column); with ``pieces``, a row's parts for the PDF's layout (``rows_of_student``: in the
    student sheet's rows)."""
    shown = printed(formula, layout, sheet.student, sheet.blanks == "steps", style, column=width,
                    rows_of_student=rows_of_student)
    if not pieces:
        return shown.lines()[0] if len(shown.rows) == 1 else shown.block()
    return _laid_pieces(shown)


def _laid_pieces(shown: Printed) -> tuple[str, ...] | Aligned:
    """A printed formula as the PDF lays it out: one row's parts, or an aligned formula's cells."""
    return shown.pieces()[0] if len(shown.rows) == 1 else Aligned(*shown.cells())


def shares_layout(sheet: Worksheet) -> bool:
    """Whether the sheet's print page is laid out once for its whole class set: a student
    sheet's, and a variant's key, whose numbers are drawn after layout into boxes sized by
    the student sheet's answer boxes (``render_print_html``)."""
    return sheet.student or bool(sheet.variant)


def _math(sheet: Worksheet, style: Style, wrap: Callable[..., Markup], value: str | tuple | Part,
          display: bool = False) -> Markup:
    """A printed row (or a PDF row's pieces) wrapped for the page; a part (a name) printed first."""
    if not isinstance(value, str | tuple):
        value = part_text(value, style, sheet.student, sheet.blanks == "steps")
    return wrap(value, display=display)


def rule_lines(sheet: Worksheet, rule: GeneralRule) -> tuple[Formula, ...]:
    """A general rule's steps as the sheet shows them (a steps-mode student sheet: the definition)."""
    return rule.lines(sheet.student and sheet.blanks == "steps")


def _render(template: str, sheet: Worksheet, math: tuple[Style, Callable[..., Markup]], top: int,
            layout: Layout, pieces: bool = False, **extra: object) -> str:
    """``template`` filled in, its formulas broken for ``layout``; ``extra`` may bring its own
    ``picture`` (the graph) and ``plot``."""
    if "picture" not in extra:
        from .figures.picture import graph_html

        extra["picture"] = Markup(graph_html(sheet))
    style, wrap = math
    m = partial(_math, sheet, style, wrap)
    if "plot" not in extra:
        extra["plot"] = _plot(sheet)
    context = {"sheet": sheet, "m": m, "md": partial(m, display=True), "top": top, "symbol": letter,
               "product": PRODUCT_RULE, "given": _as_text,
               "line": partial(formula_block, sheet, style=style, pieces=pieces, layout=layout),
               "rule_lines": partial(rule_lines, sheet), **extra}
    return html_environment().get_template(template).render(context)


def _as_text(text: str, face: str = "mono", computed: bool = False) -> Markup:
    """A given (or ``computed``) number, or the variant ID, as it is: text that no host's MathJax
    reads as math (a variant ID holds the spec file's name)."""
    return inert_html(text)


def widest_chars(precision: int) -> int:
    """The most characters a number shown to ``precision`` significant digits takes
    (``numbers.shown``): ``-0.000`` and its digits (below 1e-4 it is ``-1.2345e-5``, no longer)."""
    return precision + len("-0.000")


def values_free(sheet: Worksheet) -> Worksheet:
    """The sheet with its computed values blank, as the student sheet's picture shows it: the
    graph a class set's printed key shares with every variant (its values are in its tables)."""
    from dataclasses import replace

    return replace(sheet, forward=tuple(replace(q, shown="") for q in sheet.forward),
                   local=tuple(replace(d, shown="") for d in sheet.local))


def render_page(sheet: Worksheet) -> str:
    """One self-contained HTML file: inline CSS, MathML, no scripts, no network."""
    return _render("html/page.html.j2", sheet, MATH_STYLES["mathml"], top=1, layout=PAGE)


def render_fragment(sheet: Worksheet, math: str = "mathml") -> str:
    """One ``<section class="derive-worksheet">`` for a host page; ``math='tex'`` for MathJax/KaTeX."""
    if math not in ("mathml", "tex"):
        raise ValueError(f"math must be 'mathml' or 'tex', not {math!r}")
    return _render("html/fragment.html.j2", sheet, MATH_STYLES[math], top=2, layout=FRAGMENT)


@dataclass(frozen=True)
class PrintRow:
    """A formula as the PDF takes it: its MathML parts (laid out one by one) and the same
    formula printed in TeX, the box's text alternative."""

    pieces: tuple[str, ...] | Aligned
    tex: str
    like: tuple[str, ...] | Aligned | None = None
    """On a class set's key, the same formula on the student sheet: the box is as large as both."""


def _print_block(sheet: Worksheet, layout: Layout, formula: Formula, width: float = 0) -> PrintRow:
    """``formula_block`` as the PDF takes it: its MathML pieces, and as its text alternative the
    same rows in TeX, one after the other (a chain of equalities read in order, without the
    alignment's markup). A class set's key is printed in its student sheet's rows and sized
    like it (``shares_layout``)."""
    key = shares_layout(sheet) and not sheet.student
    steps = sheet.blanks == "steps"
    pieces = formula_block(sheet, formula, layout, MATHML, pieces=True, width=width, rows_of_student=key)
    rows = printed(formula, layout, sheet.student, steps, TEX, column=width, rows_of_student=key).lines()
    like = _laid_pieces(printed(formula, layout, True, False, MATHML, column=width)) if key else None
    return PrintRow(pieces, " ".join(rows), like)


def _boxed(sheet: Worksheet, boxes: FormulaBoxes, value: PrintRow | Part, display: bool = False) -> Markup:
    """A row, or a part (a name), as the empty box ``boxes`` draws it into, its TeX its alternative."""
    if isinstance(value, PrintRow):
        return boxes.box(value.pieces, display, alt=value.tex, like=value.like)
    steps = sheet.blanks == "steps"
    like = part_text(value, MATHML, True) if shares_layout(sheet) and not sheet.student else None
    return boxes.box(part_text(value, MATHML, sheet.student, steps), display,
                     alt=part_text(value, TEX, sheet.student, steps), like=like)


def arithmatex(tex: str, display: bool = False) -> Markup:
    """``tex`` as pymdownx.arithmatex's generic mode writes it (``<span class="arithmatex">\\(...\\)</span>``,
    a ``<div>`` around ``\\[...\\]``): MkDocs Material's MathJax setup typesets only that class."""
    from .tex_safety import check_tex

    opening, closing, tag = (r"\[", r"\]", "div") if display else (r"\(", r"\)", "span")
    return Markup('<{0} class="arithmatex">{1}{2}{3}</{0}>').format(tag, opening, check_tex(tex), closing)


def render_fragment_files(sheet: Worksheet, name: str, math: str = "mathml",
                          host: str = "plain") -> dict[str, str | bytes]:
    """The fragment for ``host`` under the file name ``name``, and the pictures it shows, if the
    host drops inline SVG, as image files beside it (``<img alt src>``, relative to the fragment)."""
    from .hosts import HOSTS

    spec = HOSTS[host]
    wrap = arithmatex if spec.arithmatex and math == "tex" else MATH_STYLES[math][1]
    files: dict[str, str | bytes] = {}
    extra: dict[str, object] = {}
    if spec.picture_files:
        extra, files = _picture_files(sheet, name.removesuffix(".fragment.html"))
    template = "html/fragment-inline.html.j2" if spec.inline_styles else "html/fragment.html.j2"
    text = _render(template, sheet, (MATH_STYLES[math][0], wrap), top=2, layout=FRAGMENT, **extra)
    if spec.kept_properties is not None:
        from .inline_css import inline_styles

        text = inline_styles(text, _stylesheet(), spec.kept_properties)
    return {name: text, **files}


def _stylesheet() -> str:
    """``worksheet.css`` as the templates include it."""
    return html_environment().get_template("html/worksheet.css").render()


_IMAGE = Markup('<div class="picture"><img src="{}" alt="{}"></div>')
"""A picture file shown in the fragment: in a ``<div>``, which stays a block where the host
removes ``<figure>`` (Moodle), so that the caption starts under the picture, not beside it."""


def _picture_files(sheet: Worksheet, stem: str) -> tuple[dict[str, object], dict[str, str | bytes]]:
    """The graph (and the loss plot) as SVG files named after ``stem``, and the ``<img>`` elements
    (with the derivative table the graph may leave out) that the template shows instead."""
    from .figures.layout import fitted
    from .figures.picture import HTML_MOST, derivative_table, describe, graph_svg
    from .figures.plot import describe_plot, loss_plot_file

    lay = fitted(sheet, HTML_MOST)
    graph = f"{stem}.graph.svg"
    files: dict[str, str | bytes] = {graph: SVG_DECLARATION + graph_svg(sheet, lay) + "\n"}
    picture = _IMAGE.format(graph, describe(sheet))
    if not lay.labelled:
        picture += Markup("\n") + Markup(derivative_table(sheet))
    extra: dict[str, object] = {"picture": picture, "plot": Markup("")}
    plot = loss_plot_file(sheet)
    if plot:
        files[f"{stem}.loss.svg"] = plot
        extra["plot"] = _IMAGE.format(f"{stem}.loss.svg", describe_plot(sheet))
    return extra, files


SVG_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'
"""What a picture that is a file of its own starts with (an inline one has none)."""


def render_print_html(sheet: Worksheet, boxes: FormulaBoxes, paper: str = "a4") -> str:
    """The page styled for paper, as WeasyPrint takes it: each formula an empty box of its
    size, which ``boxes`` remembers and draws into once the PDF is laid out; so are the graph's
    labels (``picture_print``) and, on a student sheet, the given numbers and the variant ID
    (``outline_text.given_box``), in boxes that do not depend on them, so that every variant's
    student sheet has the same HTML (``render_pdf`` lays it out once)."""
    from .pdf.outline_text import given_box
    from .pdf.picture_print import graph_print_html

    name = f"html/paper/{paper}.html.j2"
    line_px = (paper_width_mm(paper) - 2 * SIDE_MARGIN_MM) * 96 / 25.4
    shared = shares_layout(sheet)
    given = partial(given_box, boxes, wide_chars=widest_chars(sheet.precision)) if shared else _as_text
    picture = graph_print_html(values_free(sheet) if shared else sheet, line_px, boxes, values=not shared)
    return _render(name, sheet, (MATHML, boxes.box), top=1, layout=print_layout(paper), pieces=True,
                   side_margin=f"{SIDE_MARGIN_MM}mm", picture=picture, given=given,
                   line=partial(_print_block, sheet, print_layout(paper)), m=partial(_boxed, sheet, boxes),
                   md=partial(_boxed, sheet, boxes, display=True))


SIDE_MARGIN_MM = 18
PRINT_TEXT_PT = 10
"""The print page's text size (``print.html.j2``): a display formula's indent is 1.2 of its em."""


def print_layout(paper: str) -> Layout:
    """Where the PDF on ``paper`` breaks formulas: its text block (the paper less ``SIDE_MARGIN_MM``
    each side), less a display formula's indent, at the display size ziamath sets formulas at."""
    from .formulas import TEXT_SIZE_PX

    text_pt = (paper_width_mm(paper) - 2 * SIDE_MARGIN_MM) * PT_PER_MM
    return Layout.fitted(text_pt, 1.2 * PRINT_TEXT_PT, TEXT_SIZE_PX * 1.1 * PT_PER_PX)
