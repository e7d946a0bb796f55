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
from .hosts import HOSTS
from .templating import papers

Rendered = str | bytes | dict[str, str | bytes]
"""What a format renders: one document, or, for a format that writes files beside it (the
fragment's pictures, for a host that drops inline SVG), every file keyed by its name, the
document's own (``Format.file_name``) among them."""


@dataclass(frozen=True)
class Options:
    """Choices that change a rendering but not the numbers."""

    math: str | None = None
    """``mathml`` or ``tex`` (``\\( \\)`` for a host's MathJax); None: the host's default."""
    paper: str = "a4"
    """One of ``templating.papers()``: a paper is a pair of child templates."""
    host: str = "plain"
    """The course site the fragment is for, one of ``hosts.HOSTS``: what it keeps of styles,
    pictures and math decides how the fragment is written (and whether pictures are files)."""

    def __post_init__(self) -> None:
        if self.host not in HOSTS:
            raise DeriveError("--host", f"expected one of {', '.join(HOSTS)}, got {quoted(self.host)}")
        maths = HOSTS[self.host].maths
        if self.math is None:
            object.__setattr__(self, "math", maths[0])
        elif self.math not in ("mathml", "tex"):
            raise DeriveError("--math", f"expected mathml or tex, got {quoted(self.math)}")
        elif self.math not in maths:
            raise DeriveError("--math", f"--host {self.host} shows only {' or '.join(maths)} math, "
                                        f"got {quoted(self.math)}")
        if self.paper not in papers():
            raise DeriveError("--paper", f"expected one of {', '.join(papers())}, got {quoted(self.paper)}")


@dataclass(frozen=True)
class Format:
    """One output format: its name (``--format``), its file suffix, and how to render a sheet in it."""

    name: str
    suffix: str
    render: Callable[[Worksheet, Options], Rendered]

    def file_name(self, stem: str) -> str:
        return f"{stem}{self.suffix}"

    def files(self, sheet: Worksheet, options: Options) -> dict[str, str | bytes]:
        """Every file this format writes for ``sheet``, keyed by name."""
        rendered = self.render(sheet, options)
        return rendered if isinstance(rendered, dict) else {self.file_name(sheet.stem): rendered}


def _html(sheet: Worksheet, options: Options) -> str:
    from .html import render_page

    return render_page(sheet)


def _fragment(sheet: Worksheet, options: Options) -> Rendered:
    from .html import render_fragment_files

    name = TABLE["fragment"].file_name(sheet.stem)
    files = render_fragment_files(sheet, name, options.math or "mathml", options.host)
    return files if len(files) > 1 else files[name]


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
    """Every requested format of ``sheet`` (and the files beside it), keyed by output file name."""
    documents: dict[str, str | bytes] = {}
    for name in formats:
        documents.update(TABLE[name].files(sheet, options))
    return documents
