"""``derive render --format practice`` (or ``scorm``): the set formats that one spec's render writes.

Without [variants] rules the page carries the spec's own sheet (and has no "New numbers");
with them, ``--count`` variants (default 20) drawn as ``derive batch`` draws a class set: the
spec's seed, every draw judged and refused alike, the set's one precision; so the page's
variant k is variant k of ``derive batch SPEC --count N``, with the same ID.
"""

from __future__ import annotations

from concurrent.futures import Executor
from dataclasses import replace
from typing import Any

from ..errors import DeriveError, SpecError
from ..render.quiz import SET_FORMATS
from ..render.quiz.tolerance import Tolerance

DEFAULT_COUNT = 20
"""Variants on a page rendered from a spec with [variants] rules, unless ``--count`` says otherwise."""


def for_render(names: tuple[str, ...]) -> tuple[str, ...]:
    """``names``, once each is a set format ``derive render`` writes; else the usual one-line error."""
    quizzes = [name for name in names if not SET_FORMATS[name].for_render]
    if quizzes:
        raise SpecError("--format", f"{quizzes[0]} is a quiz for a class set: `derive batch SPEC --count N "
                                    f"--format {quizzes[0]}` writes it")
    return names


def render_sets(text: str, source: str, stem: str, overrides: tuple[str, ...], names: tuple[str, ...],
                count: int | None, executor: Executor | None = None) -> dict[str, bytes]:
    """The files of the set formats ``names`` for one spec, keyed by file name (``<stem>.practice.html``)."""
    from ..spec.schema import parse_spec

    spec = parse_spec(text, overrides, source)
    if any(name != "seed" for name in spec.variants):
        pieces, title = _variant_pieces(spec, text, source, stem, overrides, names, count, executor)
    else:
        if count is not None:
            raise SpecError("--count", "goes with [variants] rules (a page of that many variants) or "
                                       "--variant; this spec has none")
        pieces, title = [_own_pieces(spec, stem, names)], spec.title
    return {f"{stem}.{SET_FORMATS[name].file_name}":
            SET_FORMATS[name].render(tuple(p[name] for p in pieces), title, Tolerance()) for name in names}


def _own_pieces(spec: Any, stem: str, names: tuple[str, ...]) -> dict[str, Any]:
    from ..classset.variant_job import set_pieces
    from ..sheet.build import build_worksheet

    return set_pieces(build_worksheet(spec, stem), names)


def _variant_pieces(spec: Any, text: str, source: str, stem: str, overrides: tuple[str, ...],
                    names: tuple[str, ...], count: int | None,
                    executor: Executor | None) -> tuple[list[dict[str, Any]], str]:
    """Variants 1 to ``count`` of the spec's class set, as the batch draws them: their pieces."""
    from ..classset.batch import ordered_results, survey_set
    from ..classset.variant_job import VariantTask, make_variant, portable
    from ..classset.variants import check_count, plan_for
    from ..symbolic.prepare import prepare

    count = DEFAULT_COUNT if count is None else count
    check_count(count)
    plan = plan_for(spec, text, stem)
    derivation = portable(prepare(spec).derivation)
    base = VariantTask(text, source, stem, plan.seed, 0, overrides, (), derivation=derivation, quiz=names)
    precision, answers = survey_set(base, count, executor)
    base = replace(base, precision=precision)
    tasks = (replace(base, index=k, answers=answers.pop(k, {})) for k in range(1, count + 1))
    pieces = []
    for result in ordered_results(make_variant, tasks, executor, 4):
        if result.error:
            raise DeriveError(f"variant {result.index} ({result.variant})", result.error)
        pieces.append(result.pieces)
    return pieces, f"{spec.title} ({stem}-{plan.seed})"
