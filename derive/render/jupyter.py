"""Jupyter shows a worksheet as its course-site fragment.

The model imports no renderer, so the renderer registers itself: importing ``derive.render``
(which ``import derive`` does) gives ``Worksheet`` its ``_repr_html_``.
"""

from __future__ import annotations

from ..sheet.model import Worksheet


def worksheet_html(sheet: Worksheet) -> str:
    """Show the worksheet inline in Jupyter, as the course-site fragment."""
    from .html import render_fragment

    return render_fragment(sheet)


def register() -> None:
    """Give every worksheet its Jupyter display."""
    Worksheet._repr_html_ = worksheet_html  # type: ignore[attr-defined]
