"""Issue 25, items 1 and 2 from the command line: a number float32 cannot compute and a descent that
diverges are refused on one line naming the key (exit 2, nothing written, stderr derive's line
alone); the same spec in float64 writes a sheet whose JSON is strict and true."""

from __future__ import annotations

import json
from fractions import Fraction

import pytest

from ..conftest import run_cli as run

CANCELLED = 'title = "t"\n[parameters]\nw = 1.0\n[graph]\nL = "(w + 1e8) - 1e8"\n'
SQUARES = 'title = "t"\n[parameters]\nw = 1e4\n[graph]\nL = "(w + 0.001)**2 - w**2"\n'
DIVERGING = 'title = "t"\n[parameters]\nw = 0.5\n[graph]\nL = "w**2"\n[train]\nlearning_rate = 1e300\n'


def render(monkeypatch, capsys, tmp_path, text: str, *arguments: str) -> tuple[int, str]:
    spec = tmp_path / "sheet.toml"
    spec.write_text(text)
    code, _, err = run(monkeypatch, capsys, "render", str(spec), "--out", str(tmp_path / "out"), *arguments)
    return code, err


@pytest.mark.parametrize("text, starts", [
    (CANCELLED, "derive: error: graph.L: float32 and float64 agree on 0 significant digits of L"),
    (SQUARES, "derive: error: graph.L: float32 rounding puts dL/dw beyond the three-way check's tolerance"),
    (DIVERGING, "derive: error: train.learning_rate: w after step 1 is not finite"),
], ids=["cancelled", "squares", "diverging"])
def test_refused_on_one_line_with_nothing_written(monkeypatch, capsys, tmp_path, text, starts):
    code, err = render(monkeypatch, capsys, tmp_path, text)
    assert code == 2 and err.count("\n") == 1 and err.startswith(starts), err
    if "float32" in starts:  # a precision refusal names the way out
        assert err.rstrip().endswith('set display.dtype = "float64", or choose other inputs'), err
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_the_cancelled_sum_in_float64_writes_1_in_strict_json(monkeypatch, capsys, tmp_path):
    code, err = render(monkeypatch, capsys, tmp_path, CANCELLED, "--set", "display.dtype=float64",
                       "--format", "json")
    assert code == 0 and err == "", err

    def refuse(name: str) -> float:
        raise AssertionError(f"{name} is not JSON")

    data = json.loads((tmp_path / "out" / "sheet.json").read_text(), parse_constant=refuse)
    assert Fraction(data["forward"]["L"]) == (Fraction(1) + 10**8) - 10**8
    [answer] = [a for a in data["answers"] if a["key"] == "forward:L"]
    assert answer["shown"] == "1"
