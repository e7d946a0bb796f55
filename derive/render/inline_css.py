"""A stylesheet written into ``style=`` attributes, for hosts that drop ``<style>`` (Canvas, Moodle).

tinycss2 parses ``worksheet.css`` and keeps, rule by rule, only the declarations whose property
the host's sanitizer keeps (so what the host shows is what derive wrote, not what is left after
it); css-inline (an HTML5 parser and a CSS selector engine) then applies the rules to every
element they match, without fetching anything.
"""

from __future__ import annotations

from collections.abc import Iterable


def kept_rules(css: str, kept: frozenset[str]) -> str:
    """``css`` with only the declarations whose property is in ``kept`` (at-rules dropped)."""
    import tinycss2

    rules = []
    for rule in tinycss2.parse_stylesheet(css, skip_whitespace=True, skip_comments=True):
        if rule.type != "qualified-rule":
            continue
        declarations = [d for d in _declarations(rule.content) if d.lower_name in kept]
        if declarations:
            body = "; ".join(f"{d.name}: {tinycss2.serialize(d.value).strip()}"
                             f"{' !important' if d.important else ''}" for d in declarations)
            rules.append(f"{tinycss2.serialize(rule.prelude).strip()} {{ {body}; }}")
    return "\n".join(rules)


def _declarations(content: Iterable) -> list:
    import tinycss2

    return [d for d in tinycss2.parse_blocks_contents(content, skip_whitespace=True, skip_comments=True)
            if d.type == "declaration"]


def inline_styles(fragment: str, css: str, kept: frozenset[str]) -> str:
    """``fragment`` with the rules of ``css`` that ``kept`` allows in each element's ``style=``."""
    import css_inline

    inliner = css_inline.CSSInliner(load_remote_stylesheets=False, keep_style_tags=False)
    return inliner.inline_fragment(fragment, kept_rules(css, kept)).strip() + "\n"
