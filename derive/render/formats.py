"""The formats: one table of ``Format`` entries (name, file suffix, render), as nbconvert's exporters.

``render_all``, the class-set job and the CLI read this table and nothing else; adding a
format is one entry here (and its renderer module). Rendering returns text or bytes keyed
by file name; only ``writer`` touches the disk.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..errors import DeriveError, quoted
from ..sheet.model import Worksheet
from .templating import papers


@dataclass(frozen=True)
class Options:
    """Choices that change a rendering but not the numbers."""

    math: str = "mathml"
    paper: str = "a4"
    """One of ``templating.papers()``: a paper is a pair of child templates."""

    def __post_init__(self) -> None:
        if self.math not in ("mathml", "tex"):
            raise DeriveError("--math", f"expected mathml or tex, got {quoted(self.math)}")
        if self.paper not in papers():
            raise DeriveError("--paper", f"expected one of {', '.join(papers())}, got {quoted(self.paper)}")


@dataclass(frozen=True)
class Format:
    """One output format: its name (``--format``), its file suffix, and how to render a sheet in it."""

    name: str
    suffix: str
    render: Callable[[Worksheet, Options], str | bytes]

    def file_name(self, stem: str) -> str:
        return f"{stem}{self.suffix}"


def _html(sheet: Worksheet, options: Options) -> str:
    from .html import render_page

    return render_page(sheet)


def _fragment(sheet: Worksheet, options: Options) -> str:
    from .html import render_fragment

    return render_fragment(sheet, options.math)


def _pdf(sheet: Worksheet, options: Options) -> bytes:
    from .pdf.document import render_pdf

    return render_pdf(sheet, options.paper)


def _tex(sheet: Worksheet, options: Options) -> str:
    from .tex import render_tex

    return render_tex(sheet, options.paper)


def _json(sheet: Worksheet, options: Options) -> str:
    from .json import to_json

    return to_json(sheet)


# The renderers are imported when a format is first rendered, so reading the table is cheap.
TABLE: dict[str, Format] = {f.name: f for f in (
    Format("html", ".html", _html),
    Format("fragment", ".fragment.html", _fragment),
    Format("pdf", ".pdf", _pdf),
    Format("tex", ".tex", _tex),
    Format("json", ".json", _json),
)}
FORMATS = tuple(TABLE)
"""Every format's name, in the table's order (what ``--format all`` means)."""


def render_all(
    sheet: Worksheet, formats: tuple[str, ...], options: Options = Options()
) -> dict[str, str | bytes]:
    """Every requested format of ``sheet``, keyed by output file name."""
    return {TABLE[name].file_name(sheet.stem): TABLE[name].render(sheet, options) for name in formats}
