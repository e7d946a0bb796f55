"""derive batch, derive stress, derive render --variant/--blanks: files, IDs, one-line errors."""

from __future__ import annotations

import json
import re

import pytest

from derive.classset import batch as batch_module

from ..classsets import CLASS
from ..conftest import DEFAULT
from ..conftest import run_cli as run


@pytest.fixture
def spec(tmp_path):
    path = tmp_path / "class.toml"
    path.write_text(CLASS)
    return path


def test_batch_then_render_variant_regenerates_exactly_that_pair(monkeypatch, capsys, tmp_path, spec):
    code, out, err = run(monkeypatch, capsys, "batch", str(spec), "--count", "3", "--format", "html,json",
                         "--out", str(tmp_path / "set"), "--workers", "1")
    assert code == 0, err
    assert err == ""  # no progress bar when stderr is not a terminal
    assert str(tmp_path / "set" / "answers.csv") in out
    # the line names the set's one precision, the one every key was printed at, and its redraws
    summary = re.fullmatch(rf"3 variants in {re.escape(str(tmp_path / 'set'))} \(3 rendered now\), every "
                           r"computed number to (\d) significant digits; (\d) draws? (?:was|were) "
                           r"refused and redrawn(: \d \(.*\))?", out.splitlines()[-1])
    assert summary is not None, out.splitlines()[-1]
    keys = sorted((tmp_path / "set").glob("*.key.json"))
    assert len(keys) == 3
    assert {json.loads(k.read_text())["precision"] for k in keys} == {int(summary.group(1))}
    assert (summary.group(3) is None) == (summary.group(2) == "0")
    code, out, err = run(monkeypatch, capsys, "render", str(spec), "--variant", "class-2026-02",
                         "--count", "3", "--format", "html,json", "--out", str(tmp_path / "again"))
    assert code == 0, err
    written = sorted(p.name for p in (tmp_path / "again").iterdir())
    assert written == ["class-2026-02.key.html", "class-2026-02.key.json", "class-2026-02.student.html",
                       "class-2026-02.student.json"]
    for name in written:
        assert (tmp_path / "again" / name).read_bytes() == (tmp_path / "set" / name).read_bytes()


def test_batch_writes_into_output_spec_seed_by_default(monkeypatch, capsys, tmp_path, spec):
    monkeypatch.chdir(tmp_path)
    code, _, err = run(monkeypatch, capsys, "batch", str(spec), "--count", "1", "--format", "json",
                       "--seed", "9", "--workers", "1")
    assert code == 0, err
    assert (tmp_path / "output" / "class-9" / "class-9-01.key.json").is_file()


def test_render_blanks_alone_adds_the_student_sheet(monkeypatch, capsys, tmp_path):
    code, out, err = run(monkeypatch, capsys, "render", "--blanks", "steps", "--format", "html",
                         "--out", str(tmp_path))
    assert code == 0, err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["neuron-bce.html", "neuron-bce.student.html"]
    assert 'class="answer-box"' in (tmp_path / "neuron-bce.student.html").read_text()
    assert 'class="answer-box"' not in (tmp_path / "neuron-bce.html").read_text()


def test_a_failed_variant_exits_non_zero_naming_it_and_a_rerun_finishes(monkeypatch, capsys, tmp_path, spec):
    real = batch_module.make_variant

    def failing(task):
        if task.index == 2:
            return batch_module.VariantResult(2, "class-2026-02", error="TypeError: injected")
        return real(task)

    monkeypatch.setattr(batch_module, "make_variant", failing)
    arguments = ("batch", str(spec), "--count", "3", "--format", "json", "--out", str(tmp_path),
                 "--workers", "1")
    code, _, err = run(monkeypatch, capsys, *arguments)
    assert code == 1
    assert err == ("derive: error: variant 2 (class-2026-02): TypeError: injected; variant 1 is complete; "
                   "rerun the same command to finish the set\n")
    assert (tmp_path / "class-2026-01.key.json").is_file()
    assert not (tmp_path / "class-2026-02.key.json").exists()
    monkeypatch.setattr(batch_module, "make_variant", real)
    code, out, _ = run(monkeypatch, capsys, *arguments)
    assert code == 0 and "(2 rendered now)" in out


BAD = {
    "other-spec": (["render", "{spec}", "--variant", "neuron-bce-2026-07"],
                   "derive: error: --variant: 'neuron-bce-2026-07' is a variant of 'neuron-bce', "
                   "not of 'class'"),
    "malformed-id": (["render", "{spec}", "--variant", "class-07"],
                     "derive: error: --variant: expected an ID like"),
    "count": (["batch", "{spec}", "--count", "0"],
              "derive: error: --count: expected 1 to 10000 variants, got 0"),
    "blanks": (["batch", "{spec}", "--count", "2", "--blanks", "all"],
               "derive: error: --blanks: expected one of numbers, steps, got 'all'"),
    "render-blanks": (["render", "{spec}", "--blanks", "all"], "derive: error: --blanks: expected one of"),
    "workers": (["batch", "{spec}", "--count", "2", "--workers", "0"],
                "derive: error: --workers: expected 1 or more"),
    "seed": (["batch", "{spec}", "--count", "2", "--seed", "-3"],
             "derive: error: --seed: expected a whole number"),
    "unknown-rule": (["batch", "{unknown}", "--count", "2"], "derive: error: variants.x1: unknown key"),
    "no-rules": (["batch", "{plain}", "--count", "2"], "derive: error: variants: no rules to draw from"),
    "no-rules-variant": (["render", "{plain}", "--variant", "plain-1-01"],
                         "derive: error: variants: no rules"),
    "few-draws": (["batch", "{few}", "--count", "4"],
                  "derive: error: variants: the rules allow 3 different draws, fewer than the 4 variants"),
    "few-draws-variant": (["render", "{few}", "--variant", "few-0-02", "--count", "4"],
                          "derive: error: variants: the rules allow 3 different draws"),
    "stress-count": (["stress", "{spec}", "--count", "0"],
                     "derive: error: --count: expected 1 to 10000 draws"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_input_is_one_line_with_exit_status_2_and_writes_nothing(monkeypatch, capsys, tmp_path, spec,
                                                                     case):
    arguments, message = BAD[case]
    (tmp_path / "unknown.toml").write_text(DEFAULT + "[variants]\nx1 = { normal = 0.0 }\n")
    (tmp_path / "plain.toml").write_text(DEFAULT)
    (tmp_path / "few.toml").write_text(DEFAULT + "[variants]\nx1 = { min = 1.0, max = 2.0, step = 0.5 }\n")
    paths = {"spec": spec, "unknown": tmp_path / "unknown.toml", "plain": tmp_path / "plain.toml",
             "few": tmp_path / "few.toml"}
    out = ["--out", str(tmp_path / "out")] if arguments[0] != "stress" else []
    arguments = [a.format(**paths) for a in arguments] + out
    code, out, err = run(monkeypatch, capsys, *arguments)
    assert code == 2
    assert err.startswith(message) and err.count("\n") == 1, err
    assert not (tmp_path / "out").exists()


def test_stress_prints_refusals_and_ranges(monkeypatch, capsys, spec):
    code, out, err = run(monkeypatch, capsys, "stress", str(spec), "--count", "30", "--workers", "1")
    assert code == 0, err
    assert out.startswith("stress test of class, seed 2026: 30 draws")
    assert "gradient:w1" in out and "loss:after" in out


@pytest.mark.parametrize("command", ["batch", "stress"])
def test_the_new_commands_have_help_with_an_example(monkeypatch, capsys, command):
    code, out, _ = run(monkeypatch, capsys, command, "--help")
    assert code == 0 and "Example:" in out and f"derive {command} my-neuron.toml" in out


@pytest.mark.parametrize("command", ["batch", "stress"])
def test_a_count_beyond_ten_thousand_is_refused_at_once(monkeypatch, capsys, tmp_path, command):
    code, out, err = run(monkeypatch, capsys, command, "neuron-bce", "--count", "10000000", "--workers", "1")
    what = "variants" if command == "batch" else "draws"
    assert code == 2 and err == f"derive: error: --count: expected 1 to 10000 {what}, got 10000000\n"
