"""The tables under the graph picture: the local derivatives it leaves off its arrows, and the
values of the boxes that show only their shape.

An array is printed as an instructor reads it, not as a nested list: a whole Jacobian is
stated by its pattern (``jacobian``: "0 unless k = i; the same for every i") and the matrices
that remain, each a grid with its rows and columns named by index. Every number goes through
``numbers`` (``shown`` in HTML, ``tex_number`` in LaTeX) at the sheet's precision. On a
student sheet the computed numbers are answers, so their cells stay empty.
"""

from __future__ import annotations

from html import escape

import numpy as np

from ...numbers import shown, tex_number
from ...sheet.model import LocalDerivative, Quantity, Worksheet
from .geometry import Runs
from .jacobian import Pattern, blocks, pattern
from .names import name_runs

NOTE = ("The local derivatives do not fit readably on the graph's arrows (too many, or arrays), so "
        "they are listed here instead.")
ELSEWHERE = ("The local derivatives do not fit readably on the graph's arrows; each is worked out, with "
             "its value, under Local derivatives below.")
"""Under a picture without labels whose derivatives are all numbers: the sheet's section on the
local derivatives already states each of them, so a table here would print them twice."""


def listed_elsewhere(sheet: Worksheet) -> bool:
    """Whether the local-derivative section states every label the picture leaves out (all are
    scalars, each with its value), so that no table under the picture repeats them."""
    shapes = _shapes(sheet)
    return all(not shapes[d.node] and not shapes[d.input] for d in sheet.derivatives)


def html_runs(runs: Runs) -> str:
    """Runs as HTML text: scripts in ``<sub>``/``<sup>``."""
    tags = {1: "sub", -1: "sup"}
    return "".join(f"<{tags[s]}>{escape(t)}</{tags[s]}>" if s in tags else escape(t) for t, s in runs)


def entry_runs(runs: Runs, letters: str) -> Runs:
    """A name's entry: ``a`` + ``ij`` -> a_ij; a name with a script of its own in parentheses,
    (W_1)_kl."""
    if not letters:
        return list(runs)
    base = list(runs) if all(shift == 0 for _, shift in runs) else [("(", 0), *runs, (")", 0)]
    return [*base, (letters, 1)]


def _shapes(sheet: Worksheet) -> dict[str, tuple[int, ...]]:
    return {q.name: np.shape(q.value) for q in (*sheet.inputs, *sheet.parameters, *sheet.forward)}


def _runs(sheet: Worksheet) -> dict[str, Runs]:
    return {q.name: list(name_runs(q.symbol)) for q in (*sheet.inputs, *sheet.parameters, *sheet.forward)}


GRID_COLUMNS_MOST = 6
"""Columns in one printed grid: a wider matrix (a row of 8 values) is printed as several grids of
consecutive columns, one under the other, so that it never leaves the text block."""


def _grid(values: np.ndarray, rows: str, columns: str, precision: int) -> str:
    """A matrix as HTML tables, rows and columns headed by their index values, at most
    ``GRID_COLUMNS_MOST`` columns to a table."""
    return "".join(_grid_columns(values, rows, columns, precision, first)
                   for first in range(0, values.shape[1], GRID_COLUMNS_MOST))


def _grid_columns(values: np.ndarray, rows: str, columns: str, precision: int, first: int) -> str:
    """The grid of ``values``' columns from ``first`` (counted from 0) on, as many as fit."""
    indices = range(first, min(first + GRID_COLUMNS_MOST, values.shape[1]))
    head = "".join(f'<th scope="col">{escape(columns)} = {j + 1}</th>' if columns else "<td></td>"
                   for j in indices)
    body = "".join(  # an index with no letter (a row or column vector) heads nothing: no empty header
        (f'<tr><th scope="row">{escape(rows)} = {i + 1}</th>' if rows else "<tr><td></td>")
        + "".join(f"<td>{escape(shown(float(row[j]), precision))}</td>" for j in indices) + "</tr>"
        for i, row in enumerate(values))
    return f'<table class="graph-matrix"><tr><td></td>{head}</tr>{body}</table>'


def pattern_sentence(p: Pattern, node: Runs, input_: Runs) -> str:
    """The pattern in words, HTML: ``∂a_ij/∂x_k = 0 unless k = i; the same for every i. By (j):``."""
    if p.entrywise:
        name = html_runs(entry_runs(node, p.out) if p.out else entry_runs(input_, p.input))
        return f"Entry by entry, for each {name}:"
    head = (f"∂{html_runs(entry_runs(node, p.out))}/∂{html_runs(entry_runs(input_, p.input))}")
    parts = []
    if p.equal:
        parts.append(" = 0 unless " + " and ".join(f"{b} = {a}" for b, a in p.equal))
    if p.every:
        parts.append("the same for every " + ", ".join(p.every))
    said = "; ".join(parts) + ("; " if parts else " ")
    return f"{head}{said}by {', '.join(p.letters) or 'its one entry'}:"


def _html_value(value, precision: int, node: Runs, input_: Runs | None,
                out_shape: tuple[int, ...], in_shape: tuple[int, ...]) -> str:
    """One derivative's cell (``input_`` None: a value's): a number, or its pattern and matrices."""
    if np.ndim(value) == 0:
        return f"= {escape(shown(value, precision))}"
    p = pattern(value, out_shape, in_shape)
    out = [f"<p>{pattern_sentence(p, node, input_)}</p>"] if input_ is not None else []
    rows, columns = (p.letters[-2:-1], p.letters[-1:]) if len(p.letters) >= 2 else ("", p.letters)
    for lead, block in blocks(p):
        if lead:
            out.append("<p>" + ", ".join(f"{letter} = {i}" for letter, i in lead) + ":</p>")
        out.append(_grid(block, rows, columns, precision))
    return "".join(out)


def too_large(d: LocalDerivative, shapes: dict[str, tuple[int, ...]]) -> str:
    """What stands for a Jacobian the sheet does not compute (its value None: more entries than
    the check takes whole), in words, or "" for any other derivative."""
    if d.value is not None:
        return ""
    entries = int(np.prod(shapes[d.node])) * int(np.prod(shapes[d.input]))
    return (f"a Jacobian of {entries:,} entries, too many to print; the sheet writes the backward rule "
            "that backpropagation applies, and the gradients it feeds are checked three ways")


def derivative_table(sheet: Worksheet) -> str:
    """The local derivatives the picture leaves out, one row per arrow, with a sentence that says why
    (only the sentence where the sheet's section on local derivatives states them all)."""
    if listed_elsewhere(sheet):
        return f'<p class="graph-note">{ELSEWHERE}</p>'
    runs, shapes = _runs(sheet), _shapes(sheet)
    rows = []
    for d in sheet.derivatives:
        arrow = html_runs([("∂", 0), *runs[d.node], ("/∂", 0), *runs[d.input]])
        cell = escape(too_large(d, shapes)) or "" if sheet.student or not d.shown else _html_value(
            d.value, sheet.precision, runs[d.node], runs[d.input], shapes[d.node], shapes[d.input])
        rows.append(f"<tr><td>{arrow}</td><td>{cell or '= '}</td></tr>")
    return (f'<p class="graph-note">{NOTE}</p>\n'
            f'<table class="graph-derivatives">\n<thead><tr><th scope="col">Arrow</th><th scope="col">Local '
            f"derivative</th></tr></thead>\n<tbody>\n" + "\n".join(rows) + "\n</tbody>\n</table>")


def value_table(sheet: Worksheet, shape_only: tuple[Quantity, ...]) -> str:
    """The values of the boxes that show only their shape: each a grid (nodes: the sheet's
    precision; inputs and parameters are in the table of the problem above)."""
    runs = _runs(sheet)
    nodes = [q for q in shape_only if q.role == "node"]
    given = [q for q in shape_only if q.role != "node"]
    note = ("Boxes holding arrays too large to print in them show their shape"
            + (f"; the values of {', '.join(html_runs(runs[q.name]) for q in given)} are in the table "
               "of inputs and parameters" if given else "") + ".")
    if not nodes or sheet.student:
        return f'<p class="graph-note">{note}</p>'
    body = "\n".join(
        f"<tr><td>{html_runs(runs[q.name])}</td><td>"
        f"{_html_value(q.value, sheet.precision, runs[q.name], None, np.shape(q.value), ())}</td></tr>"
        for q in nodes)
    return (f'<p class="graph-note">{note}</p>\n<table class="graph-values">\n<thead><tr><th scope="col">Box'
            f'</th><th scope="col">Value</th></tr></thead>\n<tbody>\n{body}\n</tbody>\n</table>')


def _tex_grid(block: np.ndarray, precision: int) -> str:
    return tex_number(tuple(tuple(float(v) for v in row) for row in block), precision)


def tex_derivative_rows(sheet: Worksheet) -> list[str]:
    """The left-out labels as LaTeX table rows: the derivative's symbol (the sheet's TeX)
    and its value, or its pattern and matrices."""
    shapes = _shapes(sheet)
    out = []
    for d in sheet.derivatives:
        out.append(rf"${d.symbol_tex}$ & {_tex_value(sheet, d, shapes)} \\")
    return out


def _tex_value(sheet: Worksheet, d: LocalDerivative, shapes: dict[str, tuple[int, ...]]) -> str:
    if sheet.student or not d.shown:
        return too_large(d, shapes) or "$= {}$"
    if np.ndim(d.value) == 0:
        return f"$= {tex_number(d.value, sheet.precision)}$"
    p = pattern(d.value, shapes[d.node], shapes[d.input])
    words = []
    if p.entrywise:
        words.append("entry by entry")
    else:
        indices = ";".join(",".join(letters) for letters in (p.out, p.input) if letters)
        words.append(f"entry ${indices}$" if len(indices) == 1 else f"entry $({indices})$")
        words += [f"0 unless ${b} = {a}$" for b, a in p.equal]
        if p.every:
            words.append("the same for every $" + ",".join(p.every) + "$")
    words.append(f"by ${','.join(p.letters)}$" if p.letters else "one entry")
    grids = [("$" + ",".join(f"{letter}={i}" for letter, i in lead) + "$: " if lead else "")
             + f"${_tex_grid(block, sheet.precision)}$" for lead, block in blocks(p)]
    return "; ".join(words) + ": " + r" \quad ".join(grids)
