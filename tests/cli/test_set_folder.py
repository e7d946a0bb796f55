"""A set folder holds one set, and a refused render writes nothing (issue 25, item 5)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ..classsets import CLASS
from ..conftest import run_cli as run


@pytest.fixture
def spec(tmp_path):
    path = tmp_path / "class.toml"
    path.write_text(CLASS)
    return path


def _files(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(out.iterdir())}


def _batch(monkeypatch, capsys, spec: Path, out: Path, *arguments: str) -> tuple[int, str, str]:
    return run(monkeypatch, capsys, "batch", str(spec), "--out", str(out), "--workers", "1", *arguments)


def test_a_smaller_set_in_fewer_formats_is_refused_then_replaces_the_old_one_whole(monkeypatch, capsys,
                                                                                  tmp_path, spec):
    out = tmp_path / "set"
    code, _, err = _batch(monkeypatch, capsys, spec, out, "--count", "3", "--format", "pdf,moodle")
    assert code == 0, err
    assert {"quiz.moodle.xml", "keys.pdf", "class-2026-03.key.pdf"} <= set(_files(out))
    before = _files(out)
    code, stdout, err = _batch(monkeypatch, capsys, spec, out, "--count", "2", "--format", "html")
    assert code == 2 and stdout == "" and err.count("\n") == 1 and "Traceback" not in err
    assert err == (f"derive: error: --out: {out} holds another class set (--count 3 there, 2 now; --format "
                   "pdf there, html now; quizzes moodle there, none now); add --replace to replace it, or "
                   "choose another --out\n")
    assert _files(out) == before
    code, _, err = _batch(monkeypatch, capsys, spec, out, "--count", "2", "--format", "html", "--replace")
    assert code == 0, err
    code, _, err = _batch(monkeypatch, capsys, spec, tmp_path / "clean", "--count", "2", "--format", "html")
    assert code == 0, err
    assert _files(out) == _files(tmp_path / "clean")  # no quiz, no PDF, no variant 3 of the old set


def test_another_spec_into_a_set_folder_is_refused(monkeypatch, capsys, tmp_path, spec):
    out = tmp_path / "set"
    assert _batch(monkeypatch, capsys, spec, out, "--count", "2", "--format", "json")[0] == 0
    other = tmp_path / "other.toml"
    other.write_text(CLASS.replace("learning_rate = 0.1", "learning_rate = 0.2"))
    code, _, err = _batch(monkeypatch, capsys, other, out, "--count", "2", "--format", "json",
                          "--seed", "2026")
    assert code == 2 and err.startswith(f"derive: error: --out: {out} holds another class set (the spec "
                                        "'class' there, 'other' now); add --replace")
    spec.write_text(CLASS.replace("learning_rate = 0.1", "learning_rate = 0.2"))  # the same spec, edited
    code, _, err = _batch(monkeypatch, capsys, spec, out, "--count", "2", "--format", "json")
    assert code == 2 and "holds another class set (the spec's text edited)" in err


def test_a_render_refused_for_a_symlink_out_of_out_writes_nothing(monkeypatch, capsys, tmp_path):
    out, elsewhere = tmp_path / "out", tmp_path / "elsewhere.json"
    out.mkdir()
    elsewhere.write_text("mine")
    (out / "neuron-bce.json").symlink_to(elsewhere)  # html comes first and was written before
    code, _, err = run(monkeypatch, capsys, "render", "--format", "html,json", "--out", str(out))
    assert code == 2 and err.startswith("derive: error: --out: 'neuron-bce.json' would be written outside")
    assert sorted(p.name for p in out.iterdir()) == ["neuron-bce.json"] and elsewhere.read_text() == "mine"


def test_a_variant_render_refused_for_a_symlink_writes_nothing(monkeypatch, capsys, tmp_path, spec):
    out = tmp_path / "out"
    out.mkdir()
    (out / "class-2026-02.key.json").symlink_to(tmp_path / "elsewhere.json")
    code, _, err = run(monkeypatch, capsys, "render", str(spec), "--variant", "class-2026-02",
                       "--format", "html,json", "--out", str(out))
    assert code == 2 and "'class-2026-02.key.json' would be written outside" in err
    assert sorted(p.name for p in out.iterdir()) == ["class-2026-02.key.json"]
