"""The worksheet as a standalone LaTeX article that compiles with pdflatex."""

from __future__ import annotations

from ..sheet.model import Worksheet
from .templating import tex_environment

PAPER_CLASS_OPTION = {"a4": "a4", "letter": "letter"}


def render_tex(sheet: Worksheet, paper: str = "a4") -> str:
    """LaTeX source of the worksheet: amsmath, booktabs, TikZ pictures, escaped user text."""
    from .figures.picture import graph_tikz
    from .figures.plot import loss_plot_tikz

    plot = loss_plot_tikz(sheet) if len(sheet.history) > 2 else ""
    template = tex_environment().get_template("tex/worksheet.tex.j2")
    return template.render(sheet=sheet, paper=PAPER_CLASS_OPTION[paper], picture=graph_tikz(sheet), plot=plot)
