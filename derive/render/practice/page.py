"""The practice page: one self-contained HTML file holding every variant, its script and its bounds.

The first variant's sheet is in the page; the others wait in ``<template>`` elements (inert,
out of the document until "New numbers" clones one in). Each box's bounds are the key's number
minus and plus the quizzes' margin (``quiz.tolerance.margin``: the same numbers Moodle's
``{1:NUMERICAL:=value:margin}`` and QTI's ``vargte``/``varlte`` hold), as exact decimals in a
JSON block that the script reads; a box is right when the typed number lies within them, ends
included, as in both LMSs. The answers are in the page's source: it is for practice, not for
marks that count (a SCORM package reports the score all the same).

The page fetches nothing: a Content-Security-Policy allows no source for anything but the
page's own script (by its hash) and inline styles, so that it works from a file, a web server
or an LMS's frame alike.
"""

from __future__ import annotations

import base64
import hashlib
import json
from decimal import Decimal
from functools import lru_cache

from markupsafe import Markup

from ..quiz.tolerance import Tolerance, decimal_text, margin
from ..templating import html_environment, templates_dir
from .variant import PracticeVariant

POLICY = ("default-src 'none'; script-src '{script}'; style-src 'unsafe-inline'; img-src data:; "
          "base-uri 'none'; form-action 'none'")
"""What the page may load: nothing from anywhere, its own script, its inline styles."""


def render_practice(variants: tuple[PracticeVariant, ...], name: str, tolerance: Tolerance,
                    scorm: bool = False) -> str:
    """The page for ``variants`` (the first shown first), titled ``name``; with ``scorm``, its
    script reports each check to the SCORM 1.2 API of the LMS it runs in."""
    script = _script()
    first, *others = variants
    return html_environment().get_template("practice/page.html.j2").render(
        title=name, first=Markup(first.body), others=[Markup(v.body) for v in others],
        precision=first.precision, count=len(variants), tolerance=tolerance.text,
        data=Markup(script_json(_data(variants, tolerance, scorm))), script=Markup(script),
        policy=POLICY.format(script=_hash(script)))


def _data(variants: tuple[PracticeVariant, ...], tolerance: Tolerance, scorm: bool) -> dict:
    """What the script reads: each variant's ID and each box's answers.csv column and bounds."""
    def bounds(box) -> dict[str, str]:
        width = margin(box.shown, box.digits, tolerance, box.spread)
        key = Decimal(box.shown)
        return {"column": box.key, "lo": decimal_text(key - width), "hi": decimal_text(key + width)}

    return {"scorm": scorm, "variants": [{"id": v.variant, "boxes": [bounds(b) for b in v.boxes]}
                                         for v in variants]}


def script_json(data: dict) -> str:
    """JSON for a ``<script type="application/json">``: no ``<``, ``>`` or ``&`` as itself, so
    that no text in it (a variant ID) can close the element or open a comment."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


@lru_cache(maxsize=1)
def _script() -> str:
    script = (templates_dir() / "practice" / "practice.js").read_text(encoding="utf-8")
    assert "</script" not in script.lower()
    return script


def _hash(script: str) -> str:
    """The CSP source of ``script``: its SHA-256, base64."""
    return "sha256-" + base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")
