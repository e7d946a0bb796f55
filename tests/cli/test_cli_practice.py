"""derive render and derive batch with --format practice and scorm: the files, the variants a page
carries, and one-line errors for what does not go together."""

from __future__ import annotations

import json
import re

import pytest

from ..classsets import CLASS
from ..conftest import DEFAULT
from ..conftest import run_cli as run


def variants_of(page: str) -> list[str]:
    data = re.search(r'<script type="application/json" id="practice-data">(.*?)</script>', page, re.S)[1]
    return [variant["id"] for variant in json.loads(data)["variants"]]


def test_render_of_a_spec_without_rules_is_a_page_of_its_own_sheet(monkeypatch, capsys, tmp_path):
    spec = tmp_path / "neuron.toml"
    spec.write_text(DEFAULT)
    code, out, err = run(monkeypatch, capsys, "render", str(spec), "--format", "practice,scorm,json",
                         "--out", str(tmp_path))
    assert code == 0, err
    assert out.split() == [str(tmp_path / name) for name in ("neuron.json", "neuron.practice.html",
                                                             "neuron.practice.scorm.zip")]
    page = (tmp_path / "neuron.practice.html").read_text(encoding="utf-8")
    assert variants_of(page) == [""] and 'class="new-numbers"' not in page
    assert "<title>Backpropagation through one sigmoid neuron</title>" in page


def test_render_with_rules_carries_the_batchs_variants(monkeypatch, capsys, tmp_path):
    """``render --format practice --count 2`` writes the very page of ``batch --count 2``."""
    spec = tmp_path / "class.toml"
    spec.write_text(CLASS)
    code, out, err = run(monkeypatch, capsys, "render", str(spec), "--format", "practice", "--count", "2",
                         "--out", str(tmp_path / "render"))
    assert code == 0, err
    code, out, err = run(monkeypatch, capsys, "batch", str(spec), "--count", "2", "--format", "practice",
                         "--out", str(tmp_path / "set"), "--workers", "1")
    assert code == 0, err
    assert str(tmp_path / "set" / "practice.html") in out.split()
    page = (tmp_path / "render" / "class.practice.html").read_bytes()
    assert page == (tmp_path / "set" / "practice.html").read_bytes()
    assert variants_of(page.decode()) == ["class-2026-01", "class-2026-02"]


@pytest.mark.parametrize(("arguments", "message"), [
    (("--format", "practice", "--count", "3"), "--count: goes with [variants] rules"),
    (("--format", "moodle"), "--format: moodle is a quiz for a class set: `derive batch SPEC --count N "
                             "--format moodle` writes it"),
    (("--format", "practice", "--blanks", "numbers"), "--format: practice is written for the spec's set, "
                                                       "not with --variant or --blanks"),
    (("--format", "html", "--count", "3"), "--count: goes with --variant"),
    (("--format", "practise"), "--format: unknown format 'practise'"),
])
def test_what_does_not_go_together_is_one_line_with_exit_status_2(monkeypatch, capsys, tmp_path, arguments,
                                                                    message):
    spec = tmp_path / "neuron.toml"
    spec.write_text(DEFAULT)
    code, out, err = run(monkeypatch, capsys, "render", str(spec), "--out", str(tmp_path / "out"), *arguments)
    assert code == 2 and out == ""
    assert err.startswith(f"derive: error: {message}") and err.count("\n") == 1, err
    assert not (tmp_path / "out").exists()
