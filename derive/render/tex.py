"""The worksheet as a standalone LaTeX article that compiles with pdflatex.

The document is checked before it leaves: every control sequence in it must be one that
derive writes (the template's own, the TeX escapes of user text, the printers' and the
figures' vocabulary, SymPy's names for symbols, and admitted ``[notation]``), so nothing
such as ``\\input``, ``\\catcode`` or ``\\write18`` can reach an instructor's pdflatex.
"""

from __future__ import annotations

from ..sheet.formula import Formula, printed, rule_steps
from ..sheet.model import Worksheet
from .templating import tex_environment
from .tex_safety import check_tex


def render_tex(sheet: Worksheet, paper: str = "a4") -> str:
    """LaTeX source of the worksheet: amsmath, booktabs, TikZ pictures, escaped user text."""
    from .figures.picture import graph_tikz
    from .figures.plot import loss_plot_tikz

    plot = loss_plot_tikz(sheet) if len(sheet.history) > 2 else ""
    blank_steps = sheet.student and sheet.blanks == "steps"

    def rule_lines(rule):
        return rule_steps(rule.steps, rule.definitions, rule.formula, blank_steps)

    def shown(formula: Formula):
        return printed(formula, sheet.student, blank_steps)

    template = tex_environment().get_template(f"tex/paper/{paper}.tex.j2")
    document = template.render(sheet=sheet, picture=graph_tikz(sheet),
                               plot=plot, line=lambda f: shown(f).lines()[0],
                               aligned=lambda f: shown(f).aligned(),
                               rule_lines=rule_lines)
    return check_tex(document)
