"""Rendering: the worksheet model to documents in memory, one entry per format.

Rendering returns text or bytes keyed by file name; only ``writer`` touches the disk.
"""

from __future__ import annotations

from .export_json import to_json
from .model import Worksheet


def render_all(sheet: Worksheet, formats: tuple[str, ...]) -> dict[str, str | bytes]:
    """Every requested format of ``sheet``, keyed by output file name."""
    renderers = {"json": (".json", to_json)}
    documents: dict[str, str | bytes] = {}
    for name in formats:
        suffix, function = renderers[name]
        documents[f"{sheet.stem}{suffix}"] = function(sheet)
    return documents
