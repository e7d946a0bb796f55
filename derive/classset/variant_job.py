"""One variant of a class set: draw, refuse and redraw, build the key, blank it, render both.

``make_variant`` takes a picklable ``VariantTask`` and returns a ``VariantResult``; it never
raises, so an error comes back to the batch naming its variant (an exception raised in a
worker process would not even survive the trip back: ``DeriveError`` does not pickle).
Any ``concurrent.futures.Executor`` can run it, in this process, in spawned worker
processes, or on a dask.distributed cluster.

The symbolic derivation depends only on the spec's graph, so the batch derives once and
ships the result in every task; a variant only substitutes numbers, runs the tape and
renders. A task without one derives once per process.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from typing import Any

from ..errors import DeriveError, NumericError
from ..numeric.recorded import Answers, Recorded
from ..render.formats import FORMATS, TABLE, Options, render_all
from ..sheet.model import Worksheet
from ..spec.schema import parse_spec
from ..symbolic.prepare import prepare
from .answers import answer_record, answer_row
from .blanks import problem_json, student_sheet
from .refusals import REASONS, RefusedDraw, accept
from .variants import MAX_DRAWS, Plan, Values, format_id, plan_for

DEFAULT_OPTIONS = Options()


@dataclass(frozen=True)
class VariantTask:
    """Everything one worker needs for variant ``index``; picklable."""

    spec_text: str
    source: str
    stem: str
    seed: int
    index: int
    overrides: tuple[str, ...] = ()
    formats: tuple[str, ...] = FORMATS
    """Formats to render; empty for the answers only (a variant already written)."""
    blanks: str = "numbers"
    options: Options = Options()
    derivation: Any = None
    """The spec's ``symbolic.derive`` result, or None to derive here."""
    quiz: tuple[str, ...] = ()
    """The set formats (``render.quiz.SET_FORMATS``) to build the variant's piece for."""
    precision: int | None = None
    """The class set's one precision (significant digits), or None for the draw's own."""
    skip: tuple[tuple[Values, int], ...] = ()
    """Draws earlier variants accepted, each with its variant's index: refused as ``duplicate``."""
    answers: Answers = field(default_factory=dict)
    """TensorFlow's answers for the draw the survey accepted (``numeric.recorded``), so that the
    variant's build asks TensorFlow nothing the survey already asked."""


@dataclass(frozen=True)
class VariantResult:
    """One variant's files and answers, or the error that stopped it."""

    index: int
    variant: str
    attempt: int = 0
    refused: tuple[tuple[int, str, str], ...] = ()
    drawn: Values = ()
    documents: dict[str, str | bytes] = field(default_factory=dict)
    row: dict[str, str] = field(default_factory=dict)
    record: dict[str, Any] = field(default_factory=dict)
    error: str = ""
    pieces: dict[str, Any] = field(default_factory=dict)
    """The variant's piece for each set format the task named (``set_pieces``)."""


def draw_sheet(task: VariantTask, plan: Plan) -> tuple[Worksheet, int, tuple[tuple[int, str, str], ...],
                                                       Answers]:
    """The key of variant ``task.index``: the first draw not refused, the refused ones, and
    TensorFlow's answers for the key (``numeric.recorded``; ``task.answers`` are used first).
    A draw in ``task.skip`` is refused first, as ``duplicate``, before any number is computed."""
    refused: list[tuple[int, str, str]] = []
    variant = plan.variant_id(task.index)
    owners = dict(task.skip)
    for attempt in range(MAX_DRAWS):
        draw = plan.draw(task.index, attempt)
        if draw.values in owners:
            refused.append((attempt, "duplicate", str(duplicate(plan, owners[draw.values]))))
            continue
        spec = parse_spec(task.spec_text, (*task.overrides, *draw.overrides(plan)), task.source)
        tape_runner = Recorded(task.answers)
        try:
            key = accept(prepare(spec, task.derivation), f"{variant}.key", variant, task.precision,
                         tape_runner)
            if task.precision is not None and key.precision < task.precision:
                raise RefusedDraw("display.precision", f"float32 and float64 agree on {key.precision} "
                                  f"significant digits, not the set's {task.precision}", "imprecise")
            return key, attempt, tuple(refused), tape_runner.answers
        except RefusedDraw as refusal:
            refused.append((attempt, refusal.reason, str(refusal)))
    tally = Counter(reason for _, reason, _ in refused)
    advice = "widen the [variants] ranges or add choices" if "duplicate" in tally \
        else "move or narrow the [variants] ranges"
    raise NumericError("variants", f"all {MAX_DRAWS} draws refused: {tally_text(tally)}; {advice} "
                       "(see `derive stress`)")


def duplicate(plan: Plan, owner: int) -> RefusedDraw:
    """The refusal of a draw that variant ``owner`` (an index) drew and accepted before."""
    return RefusedDraw("variants", f"the same numbers as {plan.variant_id(owner)}", "duplicate")


def tally_text(tally: Counter) -> str:
    """``2 (saturated sigmoid or tanh), 1 (the loss does not decrease)``."""
    return ", ".join(f"{n} ({REASONS[reason]})" for reason, n in tally.most_common())


@dataclass(frozen=True)
class Surveyed:
    """The digits variant ``index``'s own draw supports, or the error that stopped it."""

    index: int
    variant: str
    digits: int = 0
    error: str = ""
    attempt: int = 0
    refused: tuple[tuple[int, str, str], ...] = ()
    drawn: Values = ()
    answers: Answers = field(default_factory=dict)
    """TensorFlow's answers for the draw (``numeric.recorded``), for the variant's task."""


def survey_variant(task: VariantTask) -> Surveyed:
    """The significant digits of variant ``task.index`` drawn on its own (``task.precision``
    unset), without rendering: the batch's set precision is the smallest of these."""
    variant = format_id(task.stem, task.seed, task.index)
    try:
        plan = _plan(task.spec_text, task.source, task.stem, task.seed, task.overrides)
        if task.derivation is None:
            task = replace(task, derivation=_derivation(task.spec_text, task.source, task.overrides))
        key, attempt, refused, answers = draw_sheet(replace(task, precision=None), plan)
        return Surveyed(task.index, variant, key.precision, "", attempt, refused,
                        plan.draw(task.index, attempt).values, answers)
    except DeriveError as error:
        return Surveyed(task.index, variant, error=str(error))
    except Exception as error:  # a bug must still name its variant
        return Surveyed(task.index, variant, error=f"{type(error).__name__}: {error}")


def make_variant(task: VariantTask) -> VariantResult:
    """Draw, build, blank and render variant ``task.index``; errors come back in the result."""
    variant = format_id(task.stem, task.seed, task.index)
    try:
        plan = _plan(task.spec_text, task.source, task.stem, task.seed, task.overrides)
        if task.derivation is None:
            task = replace(task, derivation=_derivation(task.spec_text, task.source, task.overrides))
        key, attempt, refused, _ = draw_sheet(task, plan)
        documents = variant_documents(key, task.formats, task.blanks, task.options)
        return VariantResult(task.index, variant, attempt, refused, plan.draw(task.index, attempt).values,
                             documents, answer_row(key), answer_record(key, task.index, attempt, refused),
                             pieces=set_pieces(key, task.quiz))
    except DeriveError as error:
        return VariantResult(task.index, variant, error=str(error))
    except Exception as error:  # a bug must still name its variant, and not kill the batch's writes
        return VariantResult(task.index, variant, error=f"{type(error).__name__}: {error}")


def variant_documents(key: Worksheet, formats: tuple[str, ...], blanks: str,
                      options: Options = DEFAULT_OPTIONS, student_stem: str | None = None
                      ) -> dict[str, str | bytes]:
    """The student sheet's and the key's files, by name (``<id>.student.html``, ``<id>.key.pdf``)."""
    stem = student_stem if student_stem is not None else key.stem.removesuffix(".key") + ".student"
    student = student_sheet(key, blanks, stem=stem)
    documents = render_all(student, tuple(f for f in formats if f != "json"), options)
    if "json" in formats:
        documents[TABLE["json"].file_name(student.stem)] = problem_json(student, blanks)
    documents.update(render_all(key, formats, options))
    return documents


def set_pieces(key: Worksheet, names: tuple[str, ...]) -> dict[str, Any]:
    """What each set format ``names`` takes of this variant (``SetFormat.piece``), built once
    for formats that take the same piece (Moodle and QTI a question, practice and SCORM a page's
    variant)."""
    from ..render.quiz import SET_FORMATS

    if not names:
        return {}
    student = student_sheet(key)
    built: dict[Any, Any] = {}
    for name in names:
        build = SET_FORMATS[name].piece
        if build not in built:
            built[build] = build(key, student)
    return {name: built[SET_FORMATS[name].piece] for name in names}


_PLANS: dict[tuple, Plan] = {}
_DERIVATIONS: dict[tuple, Any] = {}


def _derivation(spec_text: str, source: str, overrides: tuple[str, ...]) -> Any:
    """The spec's derivation, once per process (when the task could not carry it)."""
    cache_key = (spec_text, source, overrides)
    if cache_key not in _DERIVATIONS:
        _DERIVATIONS[cache_key] = prepare(parse_spec(spec_text, overrides, source)).derivation
    return _DERIVATIONS[cache_key]


def _plan(spec_text: str, source: str, stem: str, seed: int, overrides: tuple[str, ...]) -> Plan:
    cache_key = (spec_text, source, stem, seed, overrides)
    if cache_key not in _PLANS:
        _PLANS[cache_key] = plan_for(parse_spec(spec_text, overrides, source), spec_text, stem, seed)
    return _PLANS[cache_key]


def expected_files(variant: str, formats: tuple[str, ...]) -> list[str]:
    """The files of variant ``variant`` in ``formats``: its student sheet's, then its key's."""
    return [TABLE[f].file_name(f"{variant}.{role}") for role in ("student", "key") for f in formats]


def portable(derivation: Any) -> Any:
    """The derivation if it pickles (to ship to workers), else None: each worker derives."""
    import pickle

    try:
        pickle.dumps(derivation)
    except Exception:  # noqa: BLE001 - any pickling failure means "derive in the worker"
        return None
    return derivation
