"""The class-set commands: ``derive batch``, ``derive stress``, and ``render --variant/--blanks``.

Bad input (an unknown rule, a count below 1, a variant ID of another spec) is the usual one
line with exit status 2, before anything is written. A batch that fails at variant k says
which and why, with exit status 1; the variants before k are complete, and rerunning the
same command finishes the set. The progress bar (rich, on stderr) shows only on a terminal.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.forkserver
import os
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, ProcessPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import click

from ..errors import DeriveError, SpecError, printable, quoted
from ..render.formats import FORMATS, Options
from ..render.templating import papers


def register(group: click.Group) -> None:
    """Add ``batch`` and ``stress`` to the ``derive`` command group."""
    group.add_command(batch)
    group.add_command(stress)


def default_workers() -> int:
    """The cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


@contextmanager
def executor_for(workers: int | None) -> Iterator[Executor | None]:
    """None (run in this process) for one worker, else a process pool (default: one per core).

    Workers are forked from a fork server that has imported ``derive.classset.warm`` (TensorFlow, the
    renderers, their fonts and templates), so each starts warm; it is started here, to warm
    up while this process reads and derives the spec. Nothing is ever forked from a process
    that runs threads: the fork server imports TensorFlow but runs nothing on it, and its
    BLAS is single-threaded (the workers' matrices are tiny). Where there is no fork server,
    workers are spawned. The fork server, its workers and the resource tracker end with this
    process (``classset.lifeline``), provided it is called from the main thread (the kernel ties
    the fork server to the thread that started it).
    """
    workers = workers if workers is not None else default_workers()
    if workers < 1:
        raise SpecError("--workers", f"expected 1 or more, got {workers}")
    if workers == 1:
        yield None
        return
    from ..classset.lifeline import ignore_ctrl_c

    pool = ProcessPoolExecutor(workers, mp_context=_worker_context(), initializer=ignore_ctrl_c)
    try:
        yield pool
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _worker_context() -> multiprocessing.context.BaseContext:
    """A started fork server preloading ``derive.classset.warm``, or spawn where there is none.

    ``derive.classset.lifeline`` is preloaded first: it ties the fork server to this process
    before the seconds of the warm-up, and each worker to the fork server as it is forked."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["derive.classset.lifeline", "derive.classset.warm"])
    with _fork_server_environment():
        multiprocessing.forkserver.ensure_running()
    return context


@contextmanager
def _fork_server_environment() -> Iterator[None]:
    """The environment the fork server starts in (this process's is restored after).

    BLAS is single-threaded, read when the fork server imports numpy, so that it runs no
    thread; the fork server ends with this process, whose pid it is given (``classset.lifeline``:
    not the parent it finds, which is init if this process died while it started); and this very
    ``derive`` comes first on the path, so that workers run the code this process runs (the
    fork server does not take this process's ``sys.path``).
    """
    from ..classset.lifeline import ENVIRONMENT

    here = str(Path(__file__).resolve().parents[2])  # the folder holding this derive package
    settings = {"OPENBLAS_NUM_THREADS": "1", ENVIRONMENT: str(os.getpid()),
                "PYTHONPATH": os.pathsep.join(p for p in (here, os.environ.get("PYTHONPATH")) if p)}
    saved = {name: os.environ.get(name) for name in settings}
    os.environ.update(settings)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@contextmanager
def progress_bar(total: int, label: str) -> Iterator[Callable[[int], None]]:
    """``update(done)`` for a rich progress bar on a terminal's stderr; silent otherwise."""
    if not sys.stderr.isatty():
        yield lambda done: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(label, total=total)
        yield lambda done: bar.update(task, completed=done)


def read_spec(spec: str | None) -> tuple[str, str, str]:
    """(text, source, stem) of a spec file or built-in example name."""
    from ..spec.limits import read_text
    from .common import _resolve

    path, stem = _resolve(spec)
    return read_text(path), str(path), stem


_SHARED = [
    click.option("--seed", type=int, default=None, help="Seed of the draws (default: variants.seed)."),
    click.option("--workers", type=int, default=None,
                 help="Processes to use (default: the machine's cores)."),
    click.option("--set", "overrides", multiple=True, metavar="KEY=VALUE",
                 help="Override a scalar of the spec before drawing, e.g. --set train.learning_rate=0.05."),
]


def _shared(function):
    for option in reversed(_SHARED):
        function = option(function)
    return function


@click.command()
@click.argument("spec")
@click.option("--count", type=int, required=True, help="Number of variants (students).")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Directory to write into (default: output/<spec>-<seed>).")
@click.option("--format", "format_", default="all", show_default=True,
              help=f"Comma-separated formats of each sheet: {', '.join(FORMATS)}, or all; and of files "
                   "for the whole set: moodle (Moodle XML, Cloze), qti (QTI 1.2 zip for Canvas), practice "
                   "(a page that checks each box), scorm (that page as a SCORM 1.2 package).")
@click.option("--tolerance", default=None, metavar="MARGIN",
              help="How far a quiz answer may be from the key's: 1% (relative) or 0.001 (absolute); "
                   "default ten units in the last digit shown.")
@click.option("--blanks", default="numbers", show_default=True,
              help="What the student sheet leaves blank: numbers (every computed number) or steps "
                   "(the derivation too).")
@click.option("--math", type=click.Choice(["mathml", "tex"]), default="mathml", show_default=True,
              help="Math in the HTML fragments.")
@click.option("--paper", type=click.Choice(papers()), default="a4", show_default=True,
              help="Paper size of the PDFs and LaTeX.")
@click.option("--replace", is_flag=True,
              help="Replace the class set OUT holds (another spec's, or this one's edited or with other "
                   "settings): its files are removed first. Without it such a folder is refused.")
@_shared
def batch(spec: str, count: int, out: Path | None, format_: str, tolerance: str | None, blanks: str,
          math: str, paper: str, replace: bool, seed: int | None, workers: int | None,
          overrides: tuple[str, ...]) -> None:
    """Write a class set: COUNT variants of SPEC, each a student sheet and its answer key.

    Each variant draws its numbers by the spec's [variants] rules and has an ID such as
    neuron-bce-2026-07 on both sheets; `derive render SPEC --variant ID` regenerates it.
    Besides <ID>.student.* and <ID>.key.*, the set has answers.csv, answers.json and, with
    PDF, students.pdf and keys.pdf for printing; --format moodle or qti adds one quiz file
    for the whole set (quiz.moodle.xml, quiz.qti.zip) that an LMS imports and grades, and
    practice or scorm a page of every variant that checks itself (practice.html,
    practice.scorm.zip).

    \b
    Example:
      derive batch my-neuron.toml --count 40 --seed 2026 --format pdf,html
      derive batch my-neuron.toml --count 40 --format moodle --tolerance 1%
      derive batch my-neuron.toml --count 40 --format practice,scorm
    """
    from ..classset.batch import BatchFailure, Settings, run_batch
    from ..classset.blanks import MODES
    from ..classset.variant_job import tally_text
    from ..classset.variants import check_count, check_distinct, plan_for
    from ..render.quiz.tolerance import parse_tolerance
    from ..spec.schema import parse_spec

    text, source, stem = read_spec(spec)
    sheets, quizzes = split_formats(format_)
    settings = Settings(count, seed, sheets, blanks, overrides, Options(math=math, paper=paper), quizzes,
                        parse_tolerance(tolerance))
    check_count(count)
    if blanks not in MODES:
        raise SpecError("--blanks", f"expected one of {', '.join(MODES)}, got {quoted(blanks)}")
    plan = plan_for(parse_spec(text, overrides, source), text, stem, seed)
    check_distinct(plan, count)
    out = out if out is not None else Path("output") / f"{stem}-{plan.seed}"
    done = 0

    def advance(_result) -> None:
        nonlocal done
        done += 1
        update(done)

    try:
        with executor_for(workers) as executor, \
                progress_bar(count, f"{stem}-{plan.seed}") as update:
            report = run_batch(text, source, stem, out, settings, executor, progress=advance,
                               replace_set=replace)
    except BatchFailure as failure:
        click.echo(f"derive: error: {failure}", err=True)
        sys.exit(1)
    for path in report.files:
        click.echo(printable(str(path)))
    reasons = tally_text(report.refused)
    total = sum(report.refused.values())
    draws = "draw was" if total == 1 else "draws were"
    refused = f"{total} {draws} refused and redrawn" + (f": {reasons}" if reasons else "")
    variants = "variant" if count == 1 else "variants"
    click.echo(f"{count} {variants} in {out} ({report.rendered} rendered now), every computed number to "
               f"{report.precision} significant digits; {refused}")


def split_formats(value: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """``--format``'s sheet formats and its set formats (quizzes): ``pdf,moodle`` -> (pdf), (moodle)."""
    from ..render.quiz import SET_FORMATS
    from .common import _formats

    names = [part.strip() for part in value.split(",")]
    unknown = [name for name in names if name and name not in (*FORMATS, *SET_FORMATS, "all")]
    if unknown:
        expected = f"{', '.join(FORMATS)} or all, and of quizzes {', '.join(SET_FORMATS)}"
        raise SpecError("--format", f"unknown format {', '.join(map(quoted, unknown))}; "
                                    f"expected a comma-separated list of {expected}")
    quizzes = tuple(dict.fromkeys(name for name in names if name in SET_FORMATS))
    rest = ",".join(name for name in names if name not in SET_FORMATS)
    return (_formats(rest) if rest.strip() or not quizzes else ()), quizzes


@click.command()
@click.argument("spec")
@click.option("--count", type=int, default=1000, show_default=True, help="Number of draws to judge.")
@_shared
def stress(spec: str, count: int, seed: int | None, workers: int | None, overrides: tuple[str, ...]) -> None:
    """Judge COUNT draws of SPEC's [variants] rules: refusals per reason, range of each answer.

    \b
    Example:
      derive stress my-neuron.toml --count 1000
    """
    from ..classset.stress import format_report, stress_test

    text, source, stem = read_spec(spec)
    with executor_for(workers) as executor, progress_bar(count, "stress") as update:
        report = stress_test(text, source, stem, count, seed, overrides, executor, update)
    click.echo(format_report(report), nl=False)


def render_with_blanks(spec: str | None, format_: str, out: Path, overrides: tuple[str, ...],
                       options: Options, variant: str | None, blanks: str | None,
                       count: int | None = None) -> list[Path]:
    """``derive render --variant ID`` (the variant's student sheet and key, as the batch wrote
    them: with ``--count N``, at the N-variant set's one precision) or ``--blanks MODE`` alone
    (the usual files plus ``<stem>.student.*``)."""
    from dataclasses import replace

    from ..classset.batch import one_variant, survey_set
    from ..classset.blanks import MODES
    from ..classset.variant_job import VariantTask, variant_documents
    from ..classset.variants import check_count, check_distinct, parse_id, plan_for
    from ..sheet.build import build_worksheet
    from ..spec.schema import parse_spec
    from ..writer import write_all
    from .common import _formats

    formats = _formats(format_)
    mode = blanks or "numbers"
    if mode not in MODES:
        raise SpecError("--blanks", f"expected one of {', '.join(MODES)}, got {quoted(mode)}")
    text, source, stem = read_spec(spec)
    if variant is None:
        key = build_worksheet(parse_spec(text, overrides, source), stem)
        documents = variant_documents(key, formats, mode, options, student_stem=f"{stem}.student")
    else:
        owner, seed, index = parse_id(variant)
        if owner != stem:
            raise SpecError("--variant", f"{quoted(variant)} is a variant of {quoted(owner)}, "
                                         f"not of {quoted(stem)}")
        task = VariantTask(text, source, stem, seed, index, overrides, formats, mode, options)
        if count is not None:
            check_count(count)
            if index > count:
                raise SpecError("--count", f"{quoted(variant)} is variant {index}, beyond a set of {count}")
            check_distinct(plan_for(parse_spec(text, overrides, source), text, stem, seed), count)
            precision, answers = survey_set(task, count)
            task = replace(task, precision=precision)
        result = one_variant(task, answers if count is not None else None)
        if result.error:
            raise DeriveError("", result.error)
        if count is None:
            click.echo("derive: note: without --count, the variant shows the digits of its own draw; "
                       "add --count N (its class set's size) for the set's one precision", err=True)
        documents = result.documents
    return write_all(out, documents)
