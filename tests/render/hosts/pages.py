"""Host pages for the browser tests: a sanitized fragment put where the host puts it.

Each page imitates what matters of its host (written for these tests from the hosts' documented
setup, not copied): Canvas's content area with MathML left to the browser; Moodle's, whose
MathJax filter typesets ``\\( \\)``; MkDocs Material with its documented arithmatex + MathJax setup
(``processHtmlClass: "arithmatex"``) and its slate (dark) palette and ``table:not([class])`` rule;
furo's dark mode; JupyterLab's dark theme around a rendered-HTML output. MathJax is the pinned npm
copy that ``.ci/run`` installs next to this file, loaded from disk.
"""

from __future__ import annotations

from pathlib import Path

MATHJAX = Path(__file__).parent / "node_modules" / "mathjax" / "es5" / "tex-chtml.js"

MOODLE_MATHJAX = """<script>window.MathJax = {tex: {inlineMath: [["\\\\(", "\\\\)"]],
  displayMath: [["\\\\[", "\\\\]"]]}, startup: {typeset: true}};</script>"""
"""Moodle's filter_mathjaxloader typesets the TeX between these delimiters in a teacher's text."""

MATERIAL_MATHJAX = """<script>window.MathJax = {tex: {inlineMath: [["\\\\(", "\\\\)"]],
  displayMath: [["\\\\[", "\\\\]"]], processEscapes: true, processEnvironments: true},
  options: {ignoreHtmlClass: ".*|", processHtmlClass: "arithmatex"}};</script>"""
"""MkDocs Material's documented javascripts/mathjax.js: only ``.arithmatex`` is typeset."""

EVERY_DELIMITER_MATHJAX = """<script>window.MathJax = {tex: {inlineMath: [["$", "$"], ["\\\\(", "\\\\)"]],
  displayMath: [["$$", "$$"], ["\\\\[", "\\\\]"]], processEscapes: true, processEnvironments: true,
  processRefs: true}, options: {ignoreHtmlClass: "no-class-is-ignored"}};</script>"""
"""MathJax reading every delimiter there is, as JupyterLab's MathJax 3 typesetter sets it up (``$ $``,
``\\( \\)``, ``$$ $$``, ``\\[ \\]``, environments), and ignoring no class: the worst case for
text that must not become math (``render.inert``)."""

CANVAS_CSS = """
body { margin: 0; font-family: "Lato Extended", "Lato", "Helvetica Neue", Helvetica, Arial, sans-serif;
  color: #2d3b45; background: #fff; }
.user_content { padding: 24px; max-width: 900px; font-size: 16px; line-height: 1.5; }
.user_content table { border-collapse: collapse; }
"""

MOODLE_CSS = """
body { margin: 0; font-family: -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  font-size: 0.9375rem; color: #1d2125; background: #f8f9fa; }
#page-content { margin: 16px; padding: 20px; background: #fff; border: 1px solid #dee2e6; }
.no-overflow { overflow: auto; }
table { border-collapse: collapse; }
"""

MATERIAL_SLATE_CSS = """
[data-md-color-scheme=slate] { --md-hue: 232; --md-default-bg-color: hsla(var(--md-hue),15%,14%,1);
  --md-default-fg-color: hsla(var(--md-hue),75%,95%,1);
  --md-default-fg-color--light: hsla(var(--md-hue),75%,90%,0.62);
  --md-typeset-color: var(--md-default-fg-color); --md-typeset-a-color: #5c8ee6;
  --md-code-bg-color: hsla(var(--md-hue),15%,18%,1); --md-code-fg-color: hsla(var(--md-hue),18%,86%,0.82);
  --md-typeset-table-color: hsla(var(--md-hue),75%,95%,0.12); color-scheme: dark; }
body { margin: 0; background-color: var(--md-default-bg-color); color: var(--md-typeset-color);
  font-family: Roboto, -apple-system, Helvetica, Arial, sans-serif; }
.md-content__inner { margin: 0 16px 24px; padding-top: 12px; max-width: 61rem; }
.md-typeset { font-size: .8rem; line-height: 1.6; color: var(--md-typeset-color); }
.md-typeset h1, .md-typeset h2, .md-typeset h3 { color: var(--md-default-fg-color--light); font-weight: 300; }
.md-typeset p, .md-typeset ul, .md-typeset ol { margin: 1em 0; }
.md-typeset a { color: var(--md-typeset-a-color); }
.md-typeset code, .md-typeset pre { background-color: var(--md-code-bg-color);
  color: var(--md-code-fg-color); }
.md-typeset table:not([class]) { background-color: var(--md-default-bg-color);
  border: .05rem solid var(--md-typeset-table-color); border-radius: .1rem; display: inline-block;
  font-size: .64rem; max-width: 100%; overflow: auto; }
.md-typeset table:not([class]) td { border-top: .05rem solid var(--md-typeset-table-color);
  padding: .9375em 1.25em; vertical-align: top; }
.md-typeset table:not([class]) th { font-weight: 700; min-width: 5rem; padding: .9375em 1.25em;
  vertical-align: top; color: var(--md-default-fg-color); }
.md-typeset .arithmatex { overflow: auto hidden; }
.md-typeset div.arithmatex { margin: 1em 0; }
"""

FURO_DARK_CSS = """
body[data-theme=dark] { --color-background-primary: #131416; --color-foreground-primary: #cfd0d0;
  --color-foreground-secondary: #9ca0a5; --color-table-border: #444d55;
  --color-code-background: #1a1c1e; --color-code-foreground: #d0d0d0; }
body { margin: 0; background: var(--color-background-primary); color: var(--color-foreground-primary);
  font-family: -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; }
article { padding: 1rem 2rem; max-width: 46em; }
table.docutils { border-radius: .2rem; border-spacing: 0; border-collapse: collapse; }
table.docutils td, table.docutils th { border: 1px solid var(--color-table-border); padding: 0 .25rem; }
table { color: var(--color-foreground-primary); }
code, pre { background: var(--color-code-background); color: var(--color-code-foreground); }
h1, h2, h3 { color: var(--color-foreground-primary); }
"""

JUPYTERLAB_DARK_CSS = """
:root { --jp-layout-color0: #111111; --jp-layout-color1: #212121; --jp-layout-color2: #424242;
  --jp-ui-font-color1: rgba(255,255,255,0.87); --jp-content-font-color1: rgba(255,255,255,1);
  --jp-border-color1: #616161; --jp-rendermime-table-row-hover-background: rgba(3,169,244,0.2);
  --jp-ui-font-size1: 13px; --jp-content-font-size1: 14px; }
body { margin: 0; background: var(--jp-layout-color0); color: var(--jp-content-font-color1);
  font-family: system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; }
.jp-OutputArea-output { padding: 8px 20px; }
.jp-RenderedHTMLCommon { color: var(--jp-content-font-color1); font-size: var(--jp-content-font-size1);
  line-height: 1.3; padding-right: 20px; }
.jp-RenderedHTMLCommon table { border-collapse: collapse; border-spacing: 0; border: none;
  color: var(--jp-ui-font-color1); font-size: var(--jp-ui-font-size1); table-layout: fixed;
  margin-left: auto; margin-bottom: 1em; margin-right: auto; }
.jp-RenderedHTMLCommon thead { border-bottom: 1px solid var(--jp-border-color1); vertical-align: bottom; }
.jp-RenderedHTMLCommon td, .jp-RenderedHTMLCommon th, .jp-RenderedHTMLCommon tr { vertical-align: middle;
  padding: 0.5em; line-height: normal; white-space: normal; max-width: none; border: none;
  text-align: right; }
.jp-RenderedHTMLCommon th { font-weight: bold; }
.jp-RenderedHTMLCommon tbody tr:nth-child(odd) { background: var(--jp-layout-color0); }
.jp-RenderedHTMLCommon tbody tr:nth-child(even) { background: var(--jp-layout-color1); }
.jp-RenderedHTMLCommon tbody tr:hover { background: var(--jp-rendermime-table-row-hover-background); }
.jp-RenderedHTMLCommon code { background-color: var(--jp-layout-color2); color: var(--jp-ui-font-color1); }
.jp-RenderedHTMLCommon pre { background-color: var(--jp-layout-color1); }
"""


def _page(title: str, css: str, body: str, head: str = "", body_attributes: str = "") -> str:
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{title}</title>\n'
            f"<style>{css}</style>\n{head}</head>\n<body{body_attributes}>\n{body}\n</body></html>\n")


def _mathjax(config: str) -> str:
    return f'{config}\n<script src="{MATHJAX.as_uri()}"></script>'


def canvas(fragment: str, mathjax: str = "") -> str:
    """A Canvas page: the fragment in the content area; MathML left to the browser (or ``mathjax``)."""
    head = _mathjax(mathjax) if mathjax else ""
    return _page("Canvas", CANVAS_CSS, f'<div class="show-content user_content">{fragment}</div>', head)


def moodle(fragment: str, mathjax: str = MOODLE_MATHJAX) -> str:
    """A Moodle page: the text in the page content, with the MathJax filter on."""
    body = f'<div id="page-content"><div class="no-overflow">{fragment}</div></div>'
    return _page("Moodle", MOODLE_CSS, body, _mathjax(mathjax))


def markdown_page(fragment: str) -> str:
    """A Markdown page holding ``fragment``, as MkDocs builds it: Python-Markdown with the
    extensions Material's math setup names (pymdownx.arithmatex, generic mode) and md_in_html."""
    import markdown

    text = f"# Week 3\n\nThe sheet for this week:\n\n{fragment}\nA formula of the page's own: $a_1$.\n"
    return markdown.markdown(text, extensions=["pymdownx.arithmatex", "md_in_html", "tables"],
                             extension_configs={"pymdownx.arithmatex": {"generic": True}})


def mkdocs_slate(content: str, mathjax: str = MATERIAL_MATHJAX) -> str:
    """A MkDocs Material page in the slate (dark) palette, with Material's MathJax setup."""
    body = f'<article class="md-content__inner md-typeset">{content}</article>'
    return _page("MkDocs Material", MATERIAL_SLATE_CSS, body, _mathjax(mathjax),
                 ' data-md-color-scheme="slate"')


def furo_dark(fragment: str) -> str:
    """A Sphinx furo page in dark mode, the fragment in a ``.. raw:: html`` block."""
    return _page("Sphinx furo", FURO_DARK_CSS, f"<article>{fragment}</article>",
                 body_attributes=' data-theme="dark"')


def jupyterlab_dark(fragment: str, mathjax: str = "") -> str:
    """A JupyterLab cell output in the dark theme (what ``_repr_html_`` lands in), typeset by
    ``mathjax`` if given (JupyterLab typesets HTML outputs: ``EVERY_DELIMITER_MATHJAX``)."""
    body = f'<div class="jp-OutputArea-output jp-RenderedHTMLCommon jp-RenderedHTML">{fragment}</div>'
    return _page("JupyterLab", JUPYTERLAB_DARK_CSS, body, _mathjax(mathjax) if mathjax else "")
