"""The command line: outputs, one-line errors with exit status 2, nothing half-written."""

from __future__ import annotations

import json
import sys

import pytest

from ..conftest import DEFAULT
from ..conftest import run_cli as run


def test_render_default_writes_json(monkeypatch, capsys, tmp_path):
    code, out, _ = run(monkeypatch, capsys, "render", "--format", "json", "--out", str(tmp_path))
    assert code == 0
    data = json.loads((tmp_path / "neuron-bce.json").read_text())
    assert data["forward"]["A2"] == pytest.approx(0.7824498, abs=5e-8)
    assert data["loss"]["after"] == pytest.approx(0.2136941, abs=5e-8)
    assert set(data) >= {"title", "forward", "local", "gradients", "updated", "loss", "history", "checks"}
    assert str(tmp_path / "neuron-bce.json") in out


def test_render_a_file_with_overrides(monkeypatch, capsys, tmp_path):
    spec = tmp_path / "my-sheet.toml"
    spec.write_text(DEFAULT)
    code, _, _ = run(monkeypatch, capsys, "render", str(spec), "--format", "json", "--out",
                     str(tmp_path), "--set", "x1=2.0", "--set", "train.learning_rate=0.05")
    assert code == 0
    data = json.loads((tmp_path / "my-sheet.json").read_text())
    assert data["inputs"]["x1"] == 2.0 and data["learning_rate"] == 0.05
    assert data["forward"]["A1"] == pytest.approx(2.0 * 0.7 - 0.3 * 2.1 + 1.0, abs=1e-6)


BAD = {
    "toml": ("title = \n", "TOML syntax error"),
    "no-graph": ('title = "t"\n', "graph: missing"),
    "cycle": (DEFAULT.replace("x2*w2 + b", "x2*w2 + b + A2"), "graph.A1: 'A2' is used before"),
    "duplicate": (DEFAULT.replace("b  = 1.0", "w1 = 1.0"), None),
    "shadow": (DEFAULT.replace("b  = 1.0", "log = 1.0"), "parameters.log"),
    "unknown-function": (DEFAULT.replace("sigmoid(A1)", "sigmod(A1)"), "graph.A2: unknown function"),
    "non-number": (DEFAULT.replace("x1 = 1.3", 'x1 = "one"'), "inputs.x1: expected a finite number"),
    "python": (DEFAULT.replace("sigmoid(A1)", "__import__('os').getcwd()"), "graph.A2"),
    "exponent": (DEFAULT.replace("sigmoid(A1)", "A1**99999"), "graph.A2: exponent"),
    "learning-rate": (DEFAULT.replace("learning_rate = 0.1", "learning_rate = -1"),
                      "train.learning_rate"),
    "saturated": (DEFAULT.replace("x1 = 1.3", "x1 = 100.0").replace("Y  = 1.0", "Y = 0.0"),
                  "graph.A3: value is not finite"),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_input_is_one_line_exit_2_and_no_file(monkeypatch, capsys, tmp_path, case):
    text, fragment = BAD[case]
    spec = tmp_path / "bad.toml"
    spec.write_text(text)
    out_dir = tmp_path / "out"
    code, _, err = run(monkeypatch, capsys, "render", str(spec), "--format", "json", "--out", str(out_dir))
    assert code == 2
    assert err.startswith("derive: error: ") and err.count("\n") == 1
    assert "Traceback" not in err
    if fragment:
        assert fragment in err
    assert not out_dir.exists() or not any(out_dir.iterdir())


def test_check_validates_without_rendering(monkeypatch, capsys, tmp_path):
    spec = tmp_path / "s.toml"
    spec.write_text(DEFAULT)
    code, out, _ = run(monkeypatch, capsys, "check", str(spec))
    assert code == 0 and out.startswith("ok: Backpropagation through one sigmoid neuron")


def test_examples_lists_the_default(monkeypatch, capsys):
    code, out, _ = run(monkeypatch, capsys, "examples")
    assert code == 0 and "neuron-bce" in out


@pytest.mark.parametrize("command", [[], ["render"], ["check"], ["examples"]])
def test_every_command_has_help_with_an_example(monkeypatch, capsys, command):
    code, out, _ = run(monkeypatch, capsys, *command, "--help")
    assert code == 0 and "Example" in out


def test_unknown_format_and_spec_are_errors(monkeypatch, capsys):
    code, _, err = run(monkeypatch, capsys, "render", "--format", "docx")
    assert code == 2 and "--format" in err
    code, _, err = run(monkeypatch, capsys, "render", "no-such-sheet")
    assert code == 2 and "no-such-sheet" in err


def test_check_and_help_do_not_load_tensorflow():
    import subprocess

    code = "import sys, derive.cli; print('tensorflow' in sys.modules)"
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert run.stdout.strip() == "False"
