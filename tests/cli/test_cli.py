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


def test_a_path_without_toml_is_a_path_and_writes_into_out(monkeypatch, capsys, tmp_path):
    folder = tmp_path / "some" / "path"
    folder.mkdir(parents=True)
    (folder / "evil").write_text(DEFAULT)
    out = tmp_path / "out"
    code, _, err = run(monkeypatch, capsys, "render", str(folder / "evil"), "--format", "json",
                       "--out", str(out))
    assert code == 0, err
    assert [p.name for p in out.iterdir()] == ["evil.json"]
    assert sorted(p.name for p in folder.iterdir()) == ["evil"]


def test_dot_dot_is_a_path_whose_stem_names_the_files_inside_out(monkeypatch, capsys, tmp_path):
    (tmp_path / "x.toml").write_text(DEFAULT)
    work = tmp_path / "a" / "b"
    work.mkdir(parents=True)
    monkeypatch.chdir(work)
    code, _, err = run(monkeypatch, capsys, "render", "../../x.toml", "--format", "json", "--out", "out")
    assert code == 0, err
    assert (work / "out" / "x.json").is_file() and not (tmp_path / "x.json").exists()
    code, _, err = run(monkeypatch, capsys, "render", "../../missing", "--format", "json", "--out", "out")
    assert code == 2 and err == "derive: error: ../../missing: no such spec file\n"


def test_a_bare_word_is_only_ever_an_example_name(monkeypatch, capsys, tmp_path):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "evil").write_text(DEFAULT)
    code, _, err = run(monkeypatch, capsys, "render", "evil", "--format", "json", "--out", "out")
    assert code == 2 and not (tmp_path / "out").exists()
    assert err.startswith("derive: error: evil: no built-in example of that name")
    assert err.rstrip().endswith("a spec file is given by its path, e.g. ./evil") and err.count("\n") == 1


@pytest.mark.parametrize("key, shown", [("a\\nderive: error: forged", "a\\\\nderive: error: forged"),
                                        ("x\\u001b[31mred", "x\\\\x1b[31mred")])
def test_control_characters_in_keys_are_shown_escaped_on_one_line(monkeypatch, capsys, tmp_path, key, shown):
    spec = tmp_path / "bad.toml"
    spec.write_text(DEFAULT.replace("[parameters]", f'"{key}" = 1.0\n[parameters]'))
    code, _, err = run(monkeypatch, capsys, "render", str(spec), "--format", "json", "--out", str(tmp_path))
    assert code == 2 and err.count("\n") == 1 and "\x1b" not in err
    assert shown.replace("\\\\", "\\") in err


def test_a_huge_input_is_quoted_cut_with_its_length(monkeypatch, capsys, tmp_path):
    spec = tmp_path / "bad.toml"
    spec.write_text(DEFAULT.replace('x1 = 1.3', 'x1 = "' + "A" * 150_000 + '"'))
    code, _, err = run(monkeypatch, capsys, "render", str(spec), "--format", "json", "--out", str(tmp_path))
    assert code == 2 and err.count("\n") == 1 and len(err) < 300
    assert err.startswith("derive: error: inputs.x1: expected a finite number, got 'AAAA")
    assert "(150,000 characters)" in err
    spec.write_text(DEFAULT.replace('x1 = 1.3', 'x1 = "' + "A" * 5_000_000 + '"'))  # past the text limit
    code, _, err = run(monkeypatch, capsys, "render", str(spec), "--format", "json", "--out", str(tmp_path))
    assert code == 2 and err.count("\n") == 1
    assert "inputs.x1: the spec has 5,000," in err  # refused by its size, naming the key holding most


@pytest.mark.parametrize("arguments", [("render", "x.toml", "extra", "X\nderive: error: forged"),
                                       ("render", "--paper", "a\nb"), ("bogus",),
                                       ("batch", "x", "--count", "y")])
def test_usage_errors_are_one_line_with_exit_2(monkeypatch, capsys, arguments):
    code, out, err = run(monkeypatch, capsys, *arguments)
    assert code == 2 and out == ""
    assert err.startswith("derive: error: ") and err.count("\n") == 1 and "--help)" in err


def test_stderr_holds_only_derives_own_lines(tmp_path):
    """TensorFlow's absl, oneDNN and CPU-feature lines never reach the user (a fresh process)."""
    import subprocess

    derive = [sys.executable, "-c", "from derive.cli import main; main()"]
    ok = subprocess.run([*derive, "render", "--format", "json", "--out", str(tmp_path)],
                        capture_output=True, text=True, timeout=300)
    assert ok.returncode == 0 and ok.stderr == ""
    spec = tmp_path / "saturated.toml"
    spec.write_text(BAD["saturated"][0])
    failed = subprocess.run([*derive, "render", str(spec), "--format", "json", "--out", str(tmp_path)],
                            capture_output=True, text=True, timeout=300)
    assert failed.returncode == 2
    assert failed.stderr.startswith("derive: error: graph.A3: value is not finite")
    assert failed.stderr.count("\n") == 1


SPEC_ERRORS = {
    "unknown-key": (DEFAULT.replace("learning_rate", "learning_rat"),
                    "train.learning_rat: unknown key (did you mean 'learning_rate'?)"),
    "unknown-name": (DEFAULT.replace("x2*w2 + b", "x2*w2 + bb"),
                     "graph.A1: unknown name 'bb' (did you mean 'b'?)"),
    "function": (DEFAULT.replace("sigmoid(A1)", "sigmod(A1)"),
                 "graph.A2: unknown function 'sigmod'; did you"),
    "shapes": (DEFAULT.replace("x1 = 1.3", "x1 = [1.0, 2.0]").replace("x2 = 2.1", "x2 = [1.0, 2.0, 3.0]"),
               "graph.A1: the shapes do not fit"),
    "notation": (DEFAULT + "[notation]\nx1 = '\\input{x}'\n", "notation.x1: holds '\\input'"),
}


@pytest.mark.parametrize("case", list(SPEC_ERRORS))
def test_a_spec_error_is_reported_before_tensorflow_is_imported(tmp_path, case):
    """Everything that can be refused without numbers is: TOML, schema, names, grammar, shapes."""
    import subprocess

    text, message = SPEC_ERRORS[case]
    spec = tmp_path / "bad.toml"
    spec.write_text(text)
    code = ("import sys\nfrom derive.cli import main\n"
            "sys.argv = ['derive', 'render', sys.argv[1], '--out', sys.argv[2]]\n"
            "try:\n    main()\nexcept SystemExit as e:\n    print(e.code, 'tensorflow' in sys.modules)\n")
    run = subprocess.run([sys.executable, "-c", code, str(spec), str(tmp_path / "out")],
                         capture_output=True, text=True, timeout=120)
    assert run.stdout.split() == ["2", "False"], run.stderr
    assert run.stderr.startswith(f"derive: error: {message}") and run.stderr.count("\n") == 1
    assert not (tmp_path / "out").exists()
