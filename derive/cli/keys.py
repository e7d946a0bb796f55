"""``derive keys``: the spec format's reference (``cli/reference.py``) laid out for a terminal.

Plain text, the same on every terminal: each key on a line with its type and default, aligned
within its table, its doc wrapped under it. A topic (a table, a key, a function, ``expressions``
or ``functions``) picks a part; an ``inputs.x1`` finds ``inputs.<name>``.
"""

from __future__ import annotations

import difflib
import re
import textwrap

import click

from ..errors import DeriveError
from ..graph.functions import FUNCTIONS
from .reference import NAME, Entry, expression_entries, function_entries, sections

WIDTH = 88
"""Docs are wrapped to this many columns (fixed, so the output is the same on every terminal)."""

INTRO = (
    "The spec format (format 1): one TOML file, top-level keys first, then the tables. Each key with "
    f"its type, its default and what it does; {NAME} is a name you choose (letters, digits and _). "
    "`derive keys SECTION` shows one table (derive keys train), `derive keys KEY` one key "
    "(derive keys train.steps); `derive keys expressions` and `derive keys functions` the grammar of "
    "[graph]. `--set KEY=VALUE` overrides any single value on the command line."
)


def reference_text(topic: str | None = None) -> str:
    """The whole reference, or the part of it ``topic`` names (a table, a key, a function)."""
    tables = sections()
    parts = {"expressions": expression_entries(), "functions": function_entries()}
    if topic is None:
        return "\n\n".join([_wrap(INTRO, ""), *(_block(table) for table in tables),
                            "Expressions (the values of [graph])\n" + _block(parts["expressions"]),
                            "Functions\n" + _block(parts["functions"])]) + "\n"
    chosen = topic.strip().strip("[]")[:200]
    if chosen in parts:
        return _block(parts[chosen]) + "\n"
    entries = next(([*_heading_for(found, table), *found] for table in tables
                    if (found := _matching(chosen, table))), [])
    entries = entries or [e for e in parts["functions"] if e.key.split("(")[0] == chosen]
    if not entries:
        known = [e.key.strip("[]") for table in tables for e in table] + [*FUNCTIONS, *parts]
        hint = difflib.get_close_matches(chosen, known, n=1, cutoff=0.6)
        suggestion = f" (did you mean {hint[0]!r}?)" if hint else ""
        raise DeriveError(topic, f"no table, key or function of that name{suggestion}; "
                                 "derive keys lists them all")
    return _block(entries) + "\n"


def _heading_for(found: list[Entry], table: list[Entry]) -> list[Entry]:
    """The table's own line, when the first key found has no doc of its own (``inputs.<name>``)."""
    return [table[0]] if not found[0].doc and table[0] not in found else []


def _matching(topic: str, entries: list[Entry]) -> list[Entry]:
    """The entries at or under ``topic`` (``inputs.x1`` is ``inputs.<name>``; ``gradient[1]`` is
    ``gradient``), those naming it most exactly (``variants.seed`` before ``variants.<name>``)."""
    wanted = re.sub(r"\[\d+\]", "", topic).split(".")
    scored = []
    for entry in entries:
        parts = entry.key.strip("[]").split(".")
        if len(parts) >= len(wanted) and all(p in (w, NAME) for w, p in zip(wanted, parts, strict=False)):
            scored.append((parts[: len(wanted)].count(NAME), entry))
    best = min((score for score, _ in scored), default=0)
    return [entry for score, entry in scored if score == best]


def _block(entries: list[Entry]) -> str:
    """Entries as lines: the key, its type and default aligned, the doc wrapped under it (or beside a
    key with neither, as a function's title beside its signature)."""
    width = max(len(entry.key) for entry in entries)
    lines = []
    for entry in entries:
        if entry.kind or entry.default:
            lines.append("  ".join(part for part in (entry.key.ljust(width), entry.kind,
                                                      f"({entry.default})" if entry.default else "") if part))
            lines.extend([_wrap(entry.doc, "    ")] if entry.doc else [])
        else:
            lines.append(_wrap(entry.doc, " " * (width + 2), first=entry.key.ljust(width) + "  "))
    return "\n".join(lines)


def _wrap(text: str, indent: str, first: str | None = None) -> str:
    text = re.sub(r"``([^`]+)``", r"`\1`", text)
    return textwrap.fill(text, WIDTH, initial_indent=indent if first is None else first,
                         subsequent_indent=indent, break_on_hyphens=False, break_long_words=False)


@click.command()
@click.argument("topic", required=False)
def keys(topic: str | None) -> None:
    """List every key of the spec format with its type, default and doc; or one table, key or function.

    \b
    Example:
      derive keys                  # everything: keys, expressions, functions
      derive keys train            # the [train] table
      derive keys gradient.order   # one key
      derive keys functions        # every function with its parameters
    """
    click.echo(reference_text(topic), nl=False)
