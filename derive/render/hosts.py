"""The course sites a fragment is pasted into (``--host``), and what each one keeps.

A host is data, not code: which ``--math`` styles it renders, whether it drops ``<style>``
(then every rule of ``worksheet.css`` goes into ``style=`` attributes, filtered to the CSS
properties its sanitizer keeps), whether it drops inline ``<svg>`` (then the pictures are
image files beside the fragment) and how its MathJax wants TeX wrapped. The allowlists are
the hosts' own, read from their source; ``tests/render/hosts/`` runs the real sanitizers.
"""

from __future__ import annotations

from dataclasses import dataclass

CANVAS_PROPERTIES = frozenset("""
background border clear color cursor direction display float font height left line-height
list-style margin max-height max-width min-height min-width overflow overflow-x overflow-y padding
position right text-align table-layout text-decoration text-indent top vertical-align visibility
white-space width z-index zoom
background-attachment background-color background-image background-position background-repeat
border-bottom border-collapse border-color border-left border-right border-spacing border-style
border-top border-width
border-bottom-color border-bottom-style border-bottom-width border-left-color border-left-style
border-left-width border-right-color border-right-style border-right-width border-top-color
border-top-style border-top-width
font-family font-size font-stretch font-style font-variant font-weight
margin-bottom margin-left margin-right margin-top padding-bottom padding-left padding-right padding-top
""".split())
"""The CSS properties Canvas keeps in a ``style=`` attribute: ``style_properties`` and the
``style_expressions`` spelled out, from canvas-lms ``gems/canvas_sanitize/lib/canvas_sanitize/
canvas_sanitize.rb`` (the version with the MathML allowlist)."""

MOODLE_PROPERTIES = frozenset("""
text-align border-style border-top-style border-right-style border-bottom-style border-left-style
clear float font-style font-variant list-style list-style-position list-style-type list-style-image
text-transform color background background-image background-repeat background-attachment
background-position background-color border-color border-top-color border-right-color
border-bottom-color border-left-color border-width border-top-width border-right-width
border-bottom-width border-left-width letter-spacing word-spacing font-size line-height margin
margin-top margin-right margin-bottom margin-left padding padding-top padding-right padding-bottom
padding-left text-indent width height min-width min-height max-width max-height text-decoration
font-family font-weight font border border-top border-right border-bottom border-left
border-collapse caption-side table-layout vertical-align border-spacing white-space
""".split())
"""The CSS properties HTMLPurifier keeps under Moodle's ``purify_html`` configuration (lib/weblib.php):
``HTMLPurifier_CSSDefinition::doSetup`` (4.11), since Moodle turns on none of ``CSS.AllowTricky``
(``display``, ``overflow``), ``CSS.Proprietary`` (``border-radius``) or ``CSS.Trusted``."""


@dataclass(frozen=True)
class Host:
    """What one course site keeps of a fragment."""

    name: str
    maths: tuple[str, ...]
    """The ``--math`` styles the host renders, its default first."""
    kept_properties: frozenset[str] | None = None
    """The host drops ``<style>``: the rules go into ``style=`` attributes, only these properties."""
    picture_files: bool = False
    """The host drops inline ``<svg>``: each picture is an image file beside the fragment."""
    arithmatex: bool = False
    """TeX wrapped as pymdownx.arithmatex's generic mode writes it, which Material's MathJax reads."""

    @property
    def inline_styles(self) -> bool:
        return self.kept_properties is not None


HOSTS: dict[str, Host] = {h.name: h for h in (
    Host("plain", ("mathml", "tex")),
    Host("canvas", ("mathml", "tex"), kept_properties=CANVAS_PROPERTIES, picture_files=True),
    Host("moodle", ("tex",), kept_properties=MOODLE_PROPERTIES, picture_files=True),
    Host("mkdocs", ("tex",), arithmatex=True),
)}
"""Every ``--host``: ``plain`` for any page that keeps ``<style>`` and ``<svg>`` (Sphinx, Jupyter)."""
