"""Where the templates live and the two Jinja environments that read them.

Templates sit in the repository's top-level ``templates/`` and ship in the wheel as
``derive/templates``. HTML autoescapes, and its ``inert`` filter writes user text that no host's
MathJax reads as math (``render.inert``); LaTeX uses TeX-safe delimiters (``((* *))``,
``((( )))``) so braces stay TeX's, and escapes every user string with ``esc``.
Both are strict: a missing field fails loudly instead of printing nothing.
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from .inert import inert_html

# an underscore may end a line: a long identifier in prose (watch_accessed_variables) stays in the margins
TEX_SPECIALS = {
    "\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "$": r"\$", "%": r"\%", "#": r"\#",
    "&": r"\&", "_": r"\_\allowbreak{}", "^": r"\textasciicircum{}", "~": r"\textasciitilde{}",
    "<": r"\textless{}", ">": r"\textgreater{}", "|": r"\textbar{}",
}
_TEX_TABLE = str.maketrans(TEX_SPECIALS)


def templates_dir() -> Path:
    """The installed templates (wheel), or the checkout's top-level folder (editable)."""
    installed = Path(str(resources.files("derive"))) / "templates"
    if installed.is_dir():
        return installed
    return Path(__file__).resolve().parents[2] / "templates"


def papers() -> list[str]:
    """Every paper there is: one child template per paper (``html/paper/a4.html.j2`` and
    ``tex/paper/a4.tex.j2``), as nbconvert keeps a paper size in a child of its base template."""
    folder = templates_dir() / "html" / "paper"
    return sorted(path.name.removesuffix(".html.j2") for path in folder.glob("*.html.j2"))


def paper_width_mm(paper: str) -> float:
    """The width of ``paper`` (one of ``papers()``), as its print template gives it."""
    template = html_environment().get_template(f"html/paper/{paper}.html.j2")
    return float("".join(template.blocks["paper_width_mm"](template.new_context())))


def escape_tex(text: object) -> str:
    """``text`` as literal characters in LaTeX's text mode, on one line (control characters,
    which TeX would read as commands or refuse, become spaces)."""
    return _CONTROL.sub(" ", str(text).translate(_TEX_TABLE))


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def scientific(value: float) -> str:
    """A small disagreement or tolerance as ``1.2e-07``."""
    return f"{value:.1e}"


@lru_cache(maxsize=1)
def html_environment() -> Environment:
    environment = Environment(loader=FileSystemLoader(str(templates_dir())), autoescape=True,
                              undefined=StrictUndefined, keep_trailing_newline=True)
    environment.filters["round_sci"] = scientific
    environment.filters["inert"] = inert_html
    return environment


@lru_cache(maxsize=1)
def tex_environment() -> Environment:
    environment = Environment(
        loader=FileSystemLoader(str(templates_dir())), autoescape=False, undefined=StrictUndefined,
        block_start_string="((*", block_end_string="*))", variable_start_string="(((",
        variable_end_string=")))", comment_start_string="((=", comment_end_string="=))",
        keep_trailing_newline=True,
    )
    environment.filters["esc"] = escape_tex
    environment.filters["round_sci"] = scientific
    return environment
