"""What derive's LaTeX may hold: every control sequence and environment it writes, and nothing else.

The ``.tex`` and every ``\\( \\)`` formula of a ``--math tex`` fragment (which the host's MathJax
or KaTeX will read) are checked against this vocabulary before they leave: the template's own
commands, the TeX escapes of user text, the printers' and the figures' commands, SymPy's names
for symbols, and admitted ``[notation]``. So nothing such as ``\\input``, ``\\catcode``,
``\\write18``, ``\\href`` or MathJax's ``\\require`` can reach a reader, whatever a hole upstream.
"""

from __future__ import annotations

import re
from functools import lru_cache

from ..errors import DeriveError
from ..notation import COMMANDS as NOTATION_COMMANDS
from .templating import TEX_SPECIALS, templates_dir

TEMPLATE = "tex/worksheet.tex.j2"

PRINTED = frozenset("""
frac left right cdot times ldots cdots vdots sqrt sum prod mapsto leftarrow rightarrow to odot quad qquad
operatorname log ln exp sin cos tan sinh cosh tanh max min mathbf mathrm text begin end
partial top sigma leq geq neq otherwise
begingroup endgroup setbox hbox ifdim wd fi box resizebox linewidth makebox noindent par
node draw fill footnotesize scriptsize
""".split()) | frozenset(", ; : ! \\ { } [ ] | _ $ % # &".split()) | {" "}
"""What derive's printers (formulas, numbers, matrices) and figures (the TikZ graph and plot) write."""

_CONTROL_SEQUENCE = re.compile(r"\\([A-Za-z]+|.)", re.DOTALL)
_ENVIRONMENT = re.compile(r"\\(?:begin|end)\{([A-Za-z*]+)\}")
_BEGIN_OR_END = re.compile(r"\\(?:begin|end)(?![A-Za-z])")
ENVIRONMENTS = frozenset("document center tabular longtable align* aligned enumerate itemize verbatim "
                         "bmatrix cases tikzpicture".split())
"""The environments derive's template, printers and figures open."""


def check_tex(document: str) -> str:
    """``document`` if every control sequence in it is one derive writes, else a DeriveError."""
    if "^^" in document:  # TeX reads ^^5c as a backslash: a command spelt without one
        raise DeriveError("tex", "the LaTeX would hold a ^^ escape, which derive never writes; refused")
    # \begin{NAME} runs \csname NAME\endcsname: any command, by name, so names are checked too
    environments = _ENVIRONMENT.findall(document)
    if len(environments) != len(_BEGIN_OR_END.findall(document)):
        raise DeriveError("tex", "the LaTeX would hold a \\begin or \\end without a plain {name}; refused")
    if unknown := sorted(set(environments) - ENVIRONMENTS):
        raise DeriveError("tex", f"the LaTeX would open the environment {unknown[0]}, which derive never "
                                 "writes; refused")
    unknown = sorted(set(_CONTROL_SEQUENCE.findall(document)) - admitted())
    if unknown:
        shown = ", ".join("\\" + name for name in unknown[:5])
        raise DeriveError("tex", f"the LaTeX would hold {shown}, which derive never writes; refused")
    return document


@lru_cache(maxsize=1)
def admitted() -> frozenset[str]:
    """Every control sequence a worksheet's LaTeX may hold."""
    from sympy.printing.latex import modifier_dict, other_symbols, tex_greek_dictionary

    template = (templates_dir() / TEMPLATE).read_text(encoding="utf-8")
    symbol_names = " ".join([*tex_greek_dictionary.values(), *(f("x") for f in modifier_dict.values())])
    return (PRINTED | NOTATION_COMMANDS | frozenset(other_symbols)
            | _names(template) | _names(" ".join(TEX_SPECIALS.values())) | _names(symbol_names))


def _names(tex: str) -> frozenset[str]:
    return frozenset(_CONTROL_SEQUENCE.findall(tex))
