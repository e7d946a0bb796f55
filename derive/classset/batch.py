"""The class set: N seeded variants, each a student sheet and its answer key, plus the answers.

``run_batch`` feeds ``variant_job.make_variant`` tasks to any ``concurrent.futures.Executor``
(or runs them in this process) a few at a time, writes each variant's files (each
atomically) in variant order, and stops at the first variant that fails, so every variant
before it is complete. ``batch.json`` records what the set is; a rerun with the same
settings skips the complete variants and finishes the set. Then it writes answers.csv,
answers.json and, with PDF, students.pdf and keys.pdf (every sheet from a new page, joined
from the variants' PDFs without drawing them again).
"""

from __future__ import annotations

import hashlib
import io
import os
import xml.etree.ElementTree as ElementTree
import zipfile
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor, Future
from contextlib import closing
from dataclasses import dataclass, field, replace
from importlib.metadata import version
from pathlib import Path
from typing import Any, TypeVar

from ..errors import DeriveError, SpecError, quoted
from ..numeric.recorded import Answers
from ..render.formats import FORMATS, Options
from ..render.quiz import SET_FORMATS
from ..render.quiz.tolerance import Tolerance
from ..spec.schema import parse_spec
from ..writer import WriteError, check_inside, inside, write_atomic, write_atomic_stream
from .answers import answers_csv, answers_json
from .blanks import MODES
from .ledger import (  # noqa: F401 - names re-exported
    AGGREGATES,
    MANIFEST,
    claim,
    locked,
    record,
    recorded_precision,
    refuse_another,
    set_names,
)
from .variant_job import (  # noqa: F401 - the task's types re-exported
    Surveyed,
    VariantResult,
    VariantTask,
    expected_files,
    make_variant,
    portable,
    survey_variant,
)
from .variants import Plan, Taken, check_count, check_distinct, format_id, plan_for

FIXED_PDF_DATE = "D:20000101000000Z"
T = TypeVar("T")
R = TypeVar("R")


@dataclass(frozen=True)
class Settings:
    """What a class set is, besides its spec: everything that changes its files."""

    count: int
    seed: int | None = None
    formats: tuple[str, ...] = FORMATS
    blanks: str = "numbers"
    overrides: tuple[str, ...] = ()
    options: Options = Options()
    quizzes: tuple[str, ...] = ()
    """Set formats (``render.quiz.SET_FORMATS``): one file for the whole set, rewritten every run."""
    tolerance: Tolerance = Tolerance()


class BatchFailure(DeriveError):
    """Variant ``index`` failed; the variants before it (or the first ``complete``) are complete."""

    def __init__(self, index: int, variant: str, why: str, complete: int | None = None) -> None:
        complete = index - 1 if complete is None else complete
        done = {0: "", 1: "variant 1 is complete; "}.get(complete, f"variants 1 to {complete} are complete; ")
        super().__init__(f"variant {index} ({variant})",
                         f"{why}; {done}rerun the same command to finish the set")
        self.index = index


@dataclass
class Report:
    """What a batch did."""

    out: Path
    count: int
    rendered: int = 0
    refused: Counter = field(default_factory=Counter)
    files: list[Path] = field(default_factory=list)
    precision: int = 0
    """The set's one precision: significant digits of every computed number on every sheet."""


def run_batch(spec_text: str, source: str, stem: str, out: Path, settings: Settings,
              executor: Executor | None = None, window: int | None = None,
              progress: Callable[[VariantResult], None] | None = None, replace_set: bool = False) -> Report:
    """Write the class set of ``spec_text`` into ``out``; raise BatchFailure at the first failed variant.
    A folder holding another set is refused before any work, unless ``replace_set`` (``ledger.claim``)."""
    from ..symbolic.prepare import prepare

    check_count(settings.count)
    if settings.blanks not in MODES:
        raise SpecError("--blanks", f"expected one of {', '.join(MODES)}, got {quoted(settings.blanks)}")
    spec = parse_spec(spec_text, settings.overrides, source)
    plan = plan_for(spec, spec_text, stem, settings.seed)
    check_distinct(plan, settings.count)
    if settings.formats:
        _check_names(source, expected_files(plan.variant_id(settings.count), settings.formats))
    refuse_another(out, _manifest(spec_text, stem, plan.seed, settings), replace_set)
    check_inside(out, set_names(plan.variant_id, settings.count, settings.formats))
    derivation = portable(prepare(spec).derivation)
    with locked(out):
        return _run_locked(spec, plan, derivation, spec_text, source, stem, out, settings, executor,
                           window, progress, replace_set)


def _run_locked(spec, plan, derivation, spec_text: str, source: str, stem: str, out: Path,
                settings: Settings, executor: Executor | None, window: int | None,
                progress: Callable[[VariantResult], None] | None, replace_set: bool = False) -> Report:
    """``run_batch`` once it holds ``out``'s lock."""
    manifest = _manifest(spec_text, stem, plan.seed, settings)
    complete = claim(out, manifest, replace_set)
    base = VariantTask(spec_text, source, stem, plan.seed, 0, settings.overrides, settings.formats,
                       settings.blanks, settings.options, derivation, quiz=settings.quizzes)
    precision = recorded_precision(out, manifest)
    answers: dict[int, Answers] = {}
    if precision is None:
        precision, answers = survey_set(base, settings.count, executor, window, complete)
        record(out, manifest, complete, precision)
    base = replace(base, precision=precision)

    def task(k: int) -> VariantTask:
        done = k <= complete and _complete(out, plan.variant_id(k), settings.formats)
        return replace(base, index=k, formats=() if done else settings.formats, answers=answers.pop(k, {}))

    def written(k: int) -> None:
        if k > complete:
            record(out, manifest, k, precision)

    tasks = (task(k) for k in range(1, settings.count + 1))
    report = Report(out, settings.count, precision=precision)
    rows, records, pieces = _write_variants(out, tasks, executor, window or 2 * (os.cpu_count() or 1),
                                            report, progress, plan, written)
    about = {"title": spec.title, "spec": stem, "seed": plan.seed, "count": settings.count,
             "blanks": settings.blanks, "precision": precision, "rules": dict(spec.variants)}
    report.files.append(write_atomic(inside(out, "answers.csv"), answers_csv(rows)))
    report.files.append(write_atomic(inside(out, "answers.json"), answers_json(records, about)))
    if "pdf" in settings.formats:
        ids = [plan.variant_id(k) for k in range(1, settings.count + 1)]
        for role, name in (("student", "students.pdf"), ("key", "keys.pdf")):
            report.files.append(_join(out, name, [f"{v}.{role}.pdf" for v in ids], spec.title, role))
    for name in settings.quizzes:
        quiz = SET_FORMATS[name]
        content = quiz.render(tuple(p[name] for p in pieces), f"{spec.title} ({stem}-{plan.seed})",
                              settings.tolerance)
        check_xml(quiz.file_name, content)
        report.files.append(write_atomic(inside(out, quiz.file_name), content))
    return report


def check_xml(name: str, content: bytes) -> None:
    """Refuse to write a quiz file whose XML (each ``.xml`` of a zip) does not parse, which its
    LMS would refuse at import, long after the batch said it was done."""
    documents = {name: content} if name.endswith(".xml") else {}
    if zipfile.is_zipfile(io.BytesIO(content)):
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            documents = {f"{name}/{member}": archive.read(member) for member in archive.namelist()
                         if member.endswith(".xml")}
    for where, document in documents.items():
        try:
            ElementTree.fromstring(document)
        except ElementTree.ParseError as error:
            raise DeriveError(where, f"derive wrote XML that does not parse ({error}); not written") from None


def set_precision(base: VariantTask, count: int, executor: Executor | None = None,
                  window: int | None = None, complete: int = 0) -> int:
    """The class set's one precision (``survey_set``)."""
    return survey_set(base, count, executor, window, complete)[0]


def survey_set(base: VariantTask, count: int, executor: Executor | None = None,
               window: int | None = None, complete: int = 0) -> tuple[int, dict[int, Answers]]:
    """The class set's one precision: the fewest significant digits any of its ``count``
    variants' own draws supports (``survey_variant``, nothing rendered; a variant's own draw is
    the first that no variant before it took); and, by variant index, TensorFlow's answers for
    that draw, for its task (``VariantTask.answers``). BatchFailure at a variant that fails, saying
    that the first ``complete`` variants are."""
    plan = plan_for(parse_spec(base.spec_text, base.overrides, base.source), base.spec_text, base.stem,
                    base.seed)
    tasks = (replace(base, index=k, formats=()) for k in range(1, count + 1))
    digits: list[int] = []
    answers: dict[int, Answers] = {}
    with closing(distinct_results(survey_variant, tasks, executor, window or 2 * (os.cpu_count() or 1),
                                  plan)) as results:
        while True:
            try:
                surveyed = next(results)
            except StopIteration:
                return min(digits), answers
            except Exception as error:  # the executor itself failed (a worker killed, a lost cluster)
                k = len(digits) + 1
                raise BatchFailure(k, format_id(base.stem, base.seed, k),
                                   f"{type(error).__name__}: {error}", complete) from error
            if surveyed.error:
                raise BatchFailure(surveyed.index, surveyed.variant, surveyed.error, complete)
            digits.append(surveyed.digits)
            answers[surveyed.index] = surveyed.answers


def one_variant(task: VariantTask, answers: dict[int, Answers] | None = None) -> VariantResult:
    """Variant ``task.index`` as its batch makes it (``render --variant``): variants 1 to
    index-1 are drawn first, in this process and without rendering, for the draws they take.
    ``answers``: TensorFlow's, by index (``survey_set``)."""
    plan = plan_for(parse_spec(task.spec_text, task.overrides, task.source), task.spec_text, task.stem,
                    task.seed)
    answers = answers or {}
    earlier = (replace(task, index=k, formats=(), quiz=(), answers=answers.get(k, {}))
               for k in range(1, task.index))
    task = replace(task, answers=answers.get(task.index, task.answers))
    for result in distinct_results(make_variant, (*earlier, task), None, 1, plan):
        if result.error and result.index < task.index:
            return replace(result, error=f"variant {result.index} ({result.variant}), drawn before it: "
                                         f"{result.error}")
    return result


def _write_variants(out: Path, tasks: Iterator[VariantTask], executor: Executor | None, window: int,
                    report: Report, progress: Callable[[VariantResult], None] | None, plan: Plan,
                    written: Callable[[int], None]) -> tuple[list, list, list]:
    """Write each variant's files in order; stop at the first failure. Returns rows, records and
    the set formats' pieces."""
    rows, records, pieces = [], [], []
    with closing(distinct_results(make_variant, tasks, executor, window, plan)) as results:
        while True:
            try:
                result = next(results)
            except StopIteration:
                break
            except Exception as error:  # the executor itself failed (a worker killed, a lost cluster)
                k = len(rows) + 1
                raise BatchFailure(k, plan.variant_id(k), f"{type(error).__name__}: {error}") from error
            if result.error:
                raise BatchFailure(result.index, result.variant, result.error)
            for name, content in result.documents.items():
                try:
                    write_atomic(inside(out, name), content)
                except (OSError, WriteError) as error:
                    reason = error.reason if isinstance(error, WriteError) else error.strerror or error
                    raise BatchFailure(result.index, result.variant,
                                       f"cannot write {name}: {reason}") from None
            written(result.index)
            report.rendered += bool(result.documents)
            report.refused.update(reason for _, reason, _ in result.refused)
            rows.append(result.row)
            records.append(result.record)
            pieces.append(result.pieces)
            if progress is not None:
                progress(result)
    return rows, records, pieces


Drawn = TypeVar("Drawn", VariantResult, Surveyed)


def distinct_results(function: Callable[[VariantTask], Drawn], tasks: Iterable[VariantTask],
                     executor: Executor | None, window: int, plan: Plan) -> Iterator[Drawn]:
    """``ordered_results`` of ``function`` (``make_variant``, ``survey_variant``), where every
    variant refuses the draws the variants before it took (``Taken``). Each task is told them as
    far as they are known when it starts; a variant that took or refused one it was not told
    of, or failed without knowing them all, is run again knowing them all. So the results are
    those of running the variants one after another, on any executor."""
    taken, started = Taken(plan), {}

    def told(task: VariantTask) -> VariantTask:
        started[task.index] = task = replace(task, skip=taken.skip(task.index))
        return task

    with closing(ordered_results(function, map(told, tasks), executor, window)) as results:
        for result in results:
            task = started.pop(result.index)
            duplicates = {a for a, reason, _ in result.refused if reason == "duplicate"}
            if result.error or taken.stale(result.index, result.attempt, duplicates):
                full = replace(task, skip=taken.skip(task.index))
                if full.skip != task.skip:
                    result = function(full) if executor is None else executor.submit(function, full).result()
            if not result.error:
                taken.add(result.index, result.drawn)
            yield result


def ordered_results(function: Callable[[T], R], tasks: Iterable[T], executor: Executor | None,
                    window: int) -> Iterator[R]:
    """``function`` over ``tasks`` in order, at most ``window`` in flight; the rest cancelled on exit."""
    if executor is None:
        yield from map(function, tasks)
        return
    pending: deque[Future] = deque()
    try:
        for task in tasks:
            pending.append(executor.submit(function, task))
            if len(pending) >= window:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
    finally:
        for future in pending:
            future.cancel()


def _manifest(spec_text: str, stem: str, seed: int, settings: Settings) -> dict[str, Any]:
    """What makes the set's files what they are: a rerun with the same manifest resumes."""
    return {"stem": stem, "spec_sha256": hashlib.sha256(spec_text.encode()).hexdigest(),
            "seed": seed, "count": settings.count, "formats": list(settings.formats),
            "quizzes": list(settings.quizzes), "blanks": settings.blanks,
            "overrides": list(settings.overrides), "math": settings.options.math,
            "paper": settings.options.paper, "derive": version("derive")}


MAX_NAME_BYTES = 255
"""The longest file name Linux's and macOS's file systems take."""


def _check_names(source: str, names: list[str]) -> None:
    """Refuse, before any work, a spec whose name makes its variants' file names too long (a
    failure at the first write that a rerun could never get past)."""
    longest = max(names, key=lambda name: len(name.encode()))
    if len(longest.encode()) > MAX_NAME_BYTES:
        raise SpecError(source, f"its name gives file names of {len(longest.encode())} bytes "
                                f"({quoted(longest)}); the limit is {MAX_NAME_BYTES}: rename the spec")


def _complete(out: Path, variant: str, formats: tuple[str, ...]) -> bool:
    return all((out / name).is_file() for name in expected_files(variant, formats))


def _join(out: Path, name: str, parts: list[str], title: str, role: str) -> Path:
    """Join the variants' PDFs into ``out/name``, streamed to a temporary file and renamed."""
    from .pdfjoin import join_pdfs

    kind = "student sheets" if role == "student" else "answer keys"
    info = {"Title": f"{title}: {kind}", "Producer": f"derive {version('derive')}",
            "CreationDate": FIXED_PDF_DATE, "ModDate": FIXED_PDF_DATE}
    return write_atomic_stream(inside(out, name), lambda stream: join_pdfs(
        ((out / part).read_bytes() for part in parts), stream, [part.removesuffix(".pdf") for part in parts],
        info))
