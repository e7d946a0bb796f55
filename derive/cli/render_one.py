"""One sheet for ``derive render``, its TensorFlow imported in a child while this process works.

In series, a cold render imported TensorFlow (about 3 s) and then did its own work. Here
``derive render`` forks the child that imports TensorFlow (``numeric.tape_process``) before
anything else (``first``); meanwhile the spec is refused or passed on everything that needs no
numbers (schema, names, grammar, shapes: ``build_graph`` and the float64 forward pass), so a bad
spec never asks the child anything (it is killed), and this process warms the renderers
(``render.warm``) and derives the chain rules. The child is killed as soon as the sheet has its
numbers, or when anything fails.

The sheet is the one ``build_worksheet`` makes in-process (the same code runs the tape, in
the child), so the files are byte for byte the same: ``tests/cli/test_render_one.py``.
"""

from __future__ import annotations

from ..numeric.rehearsal import Rehearsal
from ..render.formats import Options, render_all
from ..render.html import render_print_html
from ..render.pdf.formulas import FormulaBoxes
from ..render.warm import warm_renderers
from ..sheet.build import build_worksheet
from ..spec.schema import Spec
from ..symbolic.prepare import Prepared, prepare, shaped_graph
from . import first


def render_one(spec: Spec, stem: str, formats: tuple[str, ...], options: Options) -> dict[str, str | bytes]:
    """Every requested format of ``spec``'s sheet, keyed by output file name."""
    graph = shaped_graph(spec)  # names, grammar, shapes: refused here, before any child is asked anything
    with first.take() as tape_runner:  # forked first thing by ``derive render``, or now
        warm_renderers()
        prepared = prepare(spec, graph=graph)
        if tape_runner.forked:
            _rehearse(prepared, stem, formats, options)
        sheet = build_worksheet(prepared, stem, tape_runner=tape_runner)
    return render_all(sheet, formats, options)


def _rehearse(prepared: Prepared, stem: str, formats: tuple[str, ...], options: Options) -> None:
    """Render the sheet with SymPy's numbers (``numeric.rehearsal``) and throw it away: the
    renderers' caches keep its formulas for the sheet with the tape's numbers (the PDF only as
    far as its print page, whose formulas those caches hold). Whatever goes
    wrong here is met again, and reported, there."""
    try:
        sheet = build_worksheet(prepared, stem, tape_runner=Rehearsal(prepared.derivation))
        render_all(sheet, tuple(f for f in formats if f != "pdf"), options)
        if "pdf" in formats:  # the formulas' layout is cached; WeasyPrint's page layout is not
            render_print_html(sheet, FormulaBoxes(), options.paper)
    except Exception:  # noqa: BLE001, S110 - see above
        pass
