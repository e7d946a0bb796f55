"""The class-set pipeline: one draw makes a student sheet and its key; the set is reproducible,
runs on any executor, survives a failure at variant k, and a rerun finishes it."""

from __future__ import annotations

import csv
import json
import multiprocessing
import subprocess
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import pytest

from derive.classset import batch
from derive.classset.batch import BatchFailure, Settings, expected_files, run_batch
from derive.errors import DeriveError, SpecError
from derive.render.formats import FORMATS

from ..classsets import CLASS, found, html_text, tex_text
from ..conftest import DEFAULT, require_tool
from .quiz_sets import SEED_NEURON

FAST = ("html", "tex", "json")
SETTINGS = Settings(count=4, formats=FAST)


def run(out: Path, settings: Settings = SETTINGS, text: str = CLASS, **keywords) -> batch.Report:
    return run_batch(text, "class.toml", "neuron", out, settings, **keywords)


def files(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(out.iterdir())}


@pytest.fixture(scope="module")
def clean(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("clean")
    run(out)
    return out


def test_a_batch_writes_every_variant_and_the_answers(clean):
    names = set(files(clean))
    for k in range(1, 5):
        assert set(expected_files(f"neuron-2026-{k:02d}", FAST)) <= names
    assert {"answers.csv", "answers.json", "batch.json"} <= names
    assert not [n for n in names if n.endswith(".tmp")]
    rows = list(csv.DictReader((clean / "answers.csv").open()))
    assert [r["id"] for r in rows] == [f"neuron-2026-{k:02d}" for k in range(1, 5)]
    data = json.loads((clean / "answers.json").read_text())
    assert data["seed"] == 2026 and len(data["variants"]) == 4


def test_student_and_key_from_one_draw_agree_on_every_input(clean):
    for k in range(1, 5):
        key = json.loads((clean / f"neuron-2026-{k:02d}.key.json").read_text())
        student = json.loads((clean / f"neuron-2026-{k:02d}.student.json").read_text())
        assert student["inputs"] == key["inputs"] and student["parameters"] == key["parameters"]
        assert student["learning_rate"] == key["learning_rate"]
        problem = [(clean / f"neuron-2026-{k:02d}.{role}.html").read_text().split("<h2>The problem</h2>")[1]
                   .split("<h2>The model</h2>")[0] for role in ("student", "key")]
        assert problem[0] == problem[1]
    drawn = {json.dumps(json.loads((clean / f"neuron-2026-{k:02d}.key.json").read_text())["inputs"])
             for k in range(1, 5)}
    assert len(drawn) == 4  # every student has their own numbers


def test_the_student_files_hold_none_of_their_keys_answers(clean):
    for row in csv.DictReader((clean / "answers.csv").open()):
        given = {row[c].lstrip("-") for c in row if c.startswith(("input:", "parameter:", "learning_rate"))}
        answers = {v.lstrip("-") for c, v in row.items() if c.split(":")[0] in
                   ("forward", "local", "gradient", "updated", "loss")} - given
        answers = {a for a in answers if sum(ch.isdigit() for ch in a) >= 3}
        assert len(answers) >= 10
        key_html = html_text((clean / f"{row['id']}.key.html").read_text())
        assert found(key_html, answers) == answers
        assert found(html_text((clean / f"{row['id']}.student.html").read_text()), answers) == set()
        assert found(tex_text((clean / f"{row['id']}.student.tex").read_text()), answers) == set()
        assert found((clean / f"{row['id']}.student.json").read_text(), answers) == set()


def test_the_same_spec_and_seed_give_the_same_bytes_on_any_executor(clean, tmp_path):
    run(tmp_path / "again")
    assert files(tmp_path / "again") == files(clean)
    with ThreadPoolExecutor(3) as threads:
        run(tmp_path / "threads", executor=threads, window=2)
    assert files(tmp_path / "threads") == files(clean)


def test_spawned_worker_processes_give_the_same_bytes(clean, tmp_path):
    with ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("spawn")) as pool:
        run(tmp_path / "processes", executor=pool)
    assert files(tmp_path / "processes") == files(clean)


def test_threads_sharing_a_kept_student_layout_give_the_same_pdfs(tmp_path):
    settings = Settings(count=3, formats=("pdf",))
    run(tmp_path / "here", settings)
    with ThreadPoolExecutor(3) as threads:
        run(tmp_path / "threads", settings, executor=threads, window=3)
    assert files(tmp_path / "threads") == files(tmp_path / "here")


def test_workers_forked_warm_give_the_same_bytes_as_this_process(tmp_path):
    """``derive batch``'s pool: workers forked from the fork server that preloaded derive.classset.warm."""
    import os

    from derive.cli.batch import executor_for

    settings = Settings(count=2, formats=(*FAST, "pdf"))
    run(tmp_path / "here", settings)
    environment = {name: os.environ.get(name)
                   for name in ("OPENBLAS_NUM_THREADS", "PYTHONPATH", "DERIVE_LIFELINE")}
    with executor_for(2) as pool:
        assert {name: os.environ.get(name) for name in environment} == environment  # the fork server's only
        run(tmp_path / "forked", settings, executor=pool)
    assert files(tmp_path / "forked") == files(tmp_path / "here")


def test_another_seed_gives_other_numbers(clean, tmp_path):
    run(tmp_path / "other", Settings(count=4, seed=7, formats=FAST))
    other = (tmp_path / "other" / "neuron-7-01.key.json").read_text()
    assert other != (clean / "neuron-2026-01.key.json").read_text()


def test_a_failure_at_variant_k_leaves_the_earlier_ones_intact_and_a_rerun_finishes(clean, tmp_path,
                                                                                    monkeypatch):
    real = batch.make_variant

    def failing(task):
        result = real(task)
        if task.index == 3:
            return batch.VariantResult(task.index, result.variant, error="injected failure")
        return result

    monkeypatch.setattr(batch, "make_variant", failing)
    out = tmp_path / "broken"
    with pytest.raises(BatchFailure, match=r"^variant 3 \(neuron-2026-03\): injected failure; "
                                           r"variants 1 to 2 are complete; rerun the same command to "
                                           r"finish the set$"):
        run(out)
    written = files(out)
    for k in (1, 2):
        for name in expected_files(f"neuron-2026-{k:02d}", FAST):
            assert written[name] == files(clean)[name]
    assert not [n for n in written if n.startswith(("neuron-2026-03", "neuron-2026-04"))]
    assert "answers.csv" not in written and not [n for n in written if n.endswith(".tmp")]
    monkeypatch.setattr(batch, "make_variant", real)
    report = run(out)
    assert report.rendered == 2  # variants 1 and 2 were complete
    assert files(out) == files(clean)


def test_a_write_failure_halfway_through_a_variant_is_finished_by_the_rerun(clean, tmp_path, monkeypatch):
    real = batch.write_atomic
    calls = []

    def full_disk(path, content):
        calls.append(path.name)
        if path.name == "neuron-2026-02.key.tex":
            raise OSError(28, "No space left on device")
        return real(path, content)

    monkeypatch.setattr(batch, "write_atomic", full_disk)
    out = tmp_path / "full"
    with pytest.raises(BatchFailure, match=r"^variant 2 \(neuron-2026-02\): cannot write "
                                           r"neuron-2026-02.key.tex: No space left on device; "
                                           r"variant 1 is complete"):
        run(out)
    assert (out / "neuron-2026-02.student.html").exists()  # half a variant: whole files only
    monkeypatch.setattr(batch, "write_atomic", real)
    assert run(out).rendered == 3
    assert files(out) == files(clean)


def test_a_broken_executor_is_named_by_the_variant_it_was_running(tmp_path):
    class DyingPool(ThreadPoolExecutor):
        def submit(self, function, task):
            if task.index != 2 or function is not batch.make_variant:  # dies making variant 2
                return super().submit(function, task)
            future = Future()
            future.set_exception(BrokenProcessPool("a worker died"))
            return future

    message = r"^variant 2 \(neuron-2026-02\): BrokenProcessPool: a worker died; variant 1 is complete"
    with DyingPool(2) as pool, pytest.raises(BatchFailure, match=message):
        run(tmp_path, Settings(count=3, formats=("json",)), executor=pool)
    assert (tmp_path / "neuron-2026-01.key.json").is_file()


def test_other_settings_in_the_same_folder_redo_every_variant(clean, tmp_path):
    out = tmp_path / "changed"
    run(out)
    report = run(out, Settings(count=4, formats=FAST, blanks="steps"), replace_set=True)
    assert report.rendered == 4
    assert files(out)["neuron-2026-01.key.html"] == files(clean)["neuron-2026-01.key.html"]
    assert files(out)["neuron-2026-01.student.html"] != files(clean)["neuron-2026-01.student.html"]


def test_refused_draws_are_redrawn_and_their_reasons_kept(tmp_path):
    text = CLASS.replace("x1 = { min = -2.0, max = 2.0, step = 0.1 }",
                         "x1 = { min = -12.0, max = 12.0, step = 1.0 }")
    report = run(tmp_path, Settings(count=6, formats=("json",)), text)
    data = json.loads((tmp_path / "answers.json").read_text())
    refused = [r for v in data["variants"] for r in v["refused"]]
    assert refused and {r["reason"] for r in refused} <= {"saturated", "loss-not-decreasing", "zero-gradient",
                                                          "imprecise"}
    assert sum(report.refused.values()) == len(refused)
    redrawn = next(v for v in data["variants"] if v["refused"])
    assert redrawn["draw"] == len(redrawn["refused"])
    assert "graph.A2: sigmoid is saturated" in redrawn["refused"][0]["detail"]


def test_a_variant_whose_every_draw_is_refused_stops_the_batch_naming_it(tmp_path):
    text = DEFAULT + "[variants]\nx1 = { choices = [100.0] }\n"
    with pytest.raises(BatchFailure, match=r"^variant 1 \(neuron-0-01\): variants: all 100 draws refused: "
                                           r"100 \(saturated sigmoid or tanh\); move or narrow"):
        run(tmp_path, Settings(count=1, formats=("json",)), text)


@pytest.mark.parametrize(("settings", "message"), [
    (Settings(count=0), "^--count: expected 1 to 10000 variants, got 0"),
    (Settings(count=2, blanks="answers"), "^--blanks: expected one of numbers, steps, got 'answers'"),
])
def test_bad_settings_are_spec_errors_before_anything_is_written(tmp_path, settings, message):
    with pytest.raises(SpecError, match=message):
        run(tmp_path / "none", settings)
    assert not (tmp_path / "none").exists()


def test_the_expected_files_are_the_files_a_variant_renders():
    from derive.classset.variant_job import variant_documents
    from derive.sheet.build import build_worksheet

    from ..conftest import spec_from

    formats = tuple(f for f in FORMATS if f != "pdf")
    key = build_worksheet(spec_from(DEFAULT), "x.key")
    assert sorted(variant_documents(key, formats, "numbers")) == sorted(expected_files("x", formats))


def test_a_pdf_set_starts_every_sheet_on_an_odd_page_with_its_id_on_every_page_reproducibly(tmp_path):
    pdftotext = require_tool("pdftotext")
    report = run(tmp_path / "one", Settings(count=2, formats=("pdf",)))
    again = batch.make_variant(batch.VariantTask(CLASS, "class.toml", "neuron", 2026, 1, formats=("pdf",),
                                                 precision=report.precision))
    assert again.documents == {name: (tmp_path / "one" / name).read_bytes() for name in again.documents}

    def pages(path: Path) -> list[str]:
        return subprocess.run([pdftotext, str(path), "-"], check=True, capture_output=True,
                              text=True).stdout.split("\f")[:-1]

    for role, label in (("students", "Student sheet"), ("keys", "Answer key")):
        singles = [pages(tmp_path / "one" / f"neuron-2026-{k:02d}.{role[:-1]}.pdf") for k in (1, 2)]
        for k, single in enumerate(singles, 1):  # the running header: the ID drawn on every page
            assert all(f"{label} neuron-2026-{k:02d}" in page for page in single)
        blank = [""] * (len(singles[0]) % 2)
        joined = pages(tmp_path / "one" / f"{role}.pdf")
        assert joined == singles[0] + blank + singles[1]
        starts = [i + 1 for i, page in enumerate(joined) if f"{label}, variant" in page]
        assert starts == [1, len(singles[0] + blank) + 1] and all(start % 2 for start in starts)


GRADIENT_SET = '''
title = "The derivative of a cube, one point per student"
[parameters]
x = 2.0
[graph]
y = "x**3"
[gradient]
of = "y"
wrt = ["x"]
[variants]
seed = 7
x = { min = 1.0, max = 3.0, step = 0.5 }
'''


def test_a_gradient_table_with_variants_renders_each_draw(tmp_path):
    """[gradient] + [variants]: every variant's table holds dy/dx = 3 x^2 at its own drawn x."""
    run_batch(GRADIENT_SET, "cube.toml", "cube", tmp_path, Settings(count=3, formats=("json",)))
    for k in range(1, 4):
        key = json.loads((tmp_path / f"cube-7-{k:02d}.key.json").read_text())
        x = key["parameters"]["x"]
        assert x in (1.0, 1.5, 2.0, 2.5, 3.0)
        (table,) = key["gradient_tables"]
        assert table["gradients"]["x"] == pytest.approx(3 * x**2, rel=1e-6)


def _zip(members: dict[str, bytes]) -> bytes:
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def test_check_xml_refuses_a_quiz_file_that_does_not_parse():
    batch.check_xml("quiz.moodle.xml", b'<?xml version="1.0"?>\n<quiz><question/></quiz>\n')
    batch.check_xml("quiz.qti.zip", _zip({"imsmanifest.xml": b"<manifest/>", "variant-1/graph.svg": b"<"}))
    refused = r"^quiz\.moodle\.xml: derive wrote XML that does not parse \(not well-formed \(invalid token\)"
    with pytest.raises(DeriveError, match=refused + r": line 1, column 8\); not written$"):
        batch.check_xml("quiz.moodle.xml", b"<quiz>ab\x01</quiz>")
    broken = _zip({"imsmanifest.xml": b"<manifest/>", "variant-1/assessment.xml": "<a>\uffff</a>".encode()})
    with pytest.raises(DeriveError, match=r"^quiz\.qti\.zip/variant-1/assessment\.xml: derive wrote XML"):
        batch.check_xml("quiz.qti.zip", broken)


@pytest.mark.parametrize("quiz, stem", [("moodle", "neuron\x01"), ("qti", "neuron\uffff")])
def test_a_quiz_that_would_not_parse_is_not_written(tmp_path, quiz, stem):
    """A spec file's name is not the spec: a character XML cannot hold reaches the quiz through
    the variant IDs, and the batch refuses the file instead of saying it is done."""
    settings = Settings(count=1, formats=(), quizzes=(quiz,))
    with pytest.raises(DeriveError, match=r"^quiz\.(moodle\.xml|qti\.zip/variant-1/assessment\.xml): "
                                          r"derive wrote XML that does not parse"):
        run_batch(SEED_NEURON, "class.toml", stem, tmp_path, settings)
    assert not list(tmp_path.glob("quiz.*")) and (tmp_path / "answers.csv").exists()


def test_each_variant_runs_its_tape_once_per_dtype(tmp_path, monkeypatch):
    """The survey's answers go into the variant's build (``numeric.recorded``): a float32 tape and
    its float64 twin for each variant, where the survey and the build each ran both before."""
    from derive.numeric.runner import InProcess

    asked: list[str] = []
    tape = InProcess.run_tape

    def counted(self, graph, dtype_name, learning_rate, steps, optimizer=None):
        asked.append(dtype_name)
        return tape(self, graph, dtype_name, learning_rate, steps, optimizer)

    monkeypatch.setattr(InProcess, "run_tape", counted)
    report = run(tmp_path / "set", Settings(count=3, seed=1, formats=("json",)))
    assert not report.refused  # seed 1: each variant's first draw is its sheet
    assert sorted(asked) == ["float32"] * 3 + ["float64"] * 3
