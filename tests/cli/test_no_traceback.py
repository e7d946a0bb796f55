"""Issue 25's tracebacks and unbounded work, from the command line: each valid spec or plain
mistake renders, or is refused on one line naming the key (exit 2, nothing written)."""

from __future__ import annotations

import json
import textwrap

import numpy as np
import pytest

from ..classsets import CLASS
from ..conftest import run_cli as run

LAYER = textwrap.dedent('''
    title = "A dense layer"
    [inputs]
    x = [[1.0, 2.0, 3.0]]
    [parameters]
    w = [[0.5, -0.3], [0.1, 0.8], [-0.6, 0.2]]
    b = [0.1, 0.2]
    [graph]
''')
X, W, B = np.array([[1.0, 2.0, 3.0]]), np.array([[0.5, -0.3], [0.1, 0.8], [-0.6, 0.2]]), np.array([0.1, 0.2])
SCALAR = textwrap.dedent('''
    title = "One weight"
    [inputs]
    x = 1.5
    [parameters]
    w = 0.7
    [graph]
''')


def refused(code: int, err: str, out, starts: str) -> None:
    """One line of derive's own, exit 2, no traceback, nothing written."""
    assert code == 2, err
    assert err.count("\n") == 1 and err.startswith("derive: error: "), err
    assert err.startswith(starts), err
    assert "Traceback" not in err
    assert not out.exists() or not any(out.iterdir())


def rendered(monkeypatch, capsys, tmp_path, text: str, *arguments: str) -> dict:
    spec = tmp_path / "sheet.toml"
    spec.write_text(text)
    out = tmp_path / "out"
    code, _, err = run(monkeypatch, capsys, "render", str(spec), "--format", "json,html", "--out", str(out),
                       *arguments)
    assert code == 0 and err == "", err
    assert (out / "sheet.html").is_file()
    return json.loads((out / "sheet.json").read_text())


@pytest.mark.parametrize("wrt", ["w", "b"])
def test_a_gradient_table_over_a_matrix_product_renders(monkeypatch, capsys, tmp_path, wrt):
    text = LAYER + f'y = "x @ w + b"\nL = "mean(y**2)"\n[gradient]\nof = "L"\nwrt = ["{wrt}"]\n'
    data = rendered(monkeypatch, capsys, tmp_path, text)
    upstream = 2 * (X @ W + B) / 2  # dL/dy of the mean of y^2 over 2 entries
    expected = X.T @ upstream if wrt == "w" else upstream.sum(axis=0)
    [table] = data["gradient_tables"]
    np.testing.assert_allclose(table["gradients"][wrt], expected, rtol=1e-6)


def test_a_bias_whose_gradient_cancels_checks_and_renders(monkeypatch, capsys, tmp_path):
    text = LAYER + 'z = "x @ w + b"\nL = "sum(z - b)"\n[train]\nlearning_rate = 0.1\n'
    (tmp_path / "sheet.toml").write_text(text)
    code, out, err = run(monkeypatch, capsys, "check", str(tmp_path / "sheet.toml"))
    assert code == 0 and out.startswith("ok: A dense layer"), err
    data = rendered(monkeypatch, capsys, tmp_path, text)
    assert data["gradients"]["b"] == [0.0, 0.0]
    np.testing.assert_allclose(data["gradients"]["w"], X.T @ np.ones((1, 2)), rtol=1e-6)


def test_order_two_of_a_relu_renders_as_zero_away_from_the_kink(monkeypatch, capsys, tmp_path):
    text = SCALAR + 'h = "relu(x*w)"\nL = "h**2"\n[gradient]\nof = "L"\nwrt = ["w"]\norder = 2\n'
    data = rendered(monkeypatch, capsys, tmp_path, text)
    [table] = data["gradient_tables"]
    assert table["gradients"]["w"] == pytest.approx(2 * 1.5**2, rel=1e-6)  # (x w)^2'' = 2 x^2


def test_order_two_through_a_matrix_product_is_refused_in_one_line(monkeypatch, capsys, tmp_path):
    spec = tmp_path / "sheet.toml"
    spec.write_text(LAYER + 'y = "x @ w"\nL = "sum(y**2)"\n[gradient]\nof = "L"\nwrt = ["w"]\norder = 2\n')
    out = tmp_path / "out"
    for command in (["render", str(spec), "--out", str(out)], ["check", str(spec)]):
        code, _, err = run(monkeypatch, capsys, *command)
        refused(code, err, out, "derive: error: gradient.order: order 2 of L in w passes through y = x @ w,")


def test_the_smallest_subnormal_input_renders(monkeypatch, capsys, tmp_path):
    data = rendered(monkeypatch, capsys, tmp_path, SCALAR.replace("x = 1.5", "x = 5e-324")
                    + 'A = "x*w"\nL = "A**2"\n')
    assert data["inputs"]["x"] == 5e-324


@pytest.mark.parametrize("tolerance", ["1e999999999", "1e999999", "1e-999999", "200%"])
def test_a_tolerance_out_of_range_is_refused_before_any_variant(monkeypatch, capsys, tmp_path, tolerance):
    spec = tmp_path / "class.toml"
    spec.write_text(CLASS)
    out = tmp_path / "out"
    code, _, err = run(monkeypatch, capsys, "batch", str(spec), "--count", "2", "--format", "moodle,html",
                       "--tolerance", tolerance, "--out", str(out))
    refused(code, err, out, "derive: error: --tolerance: expected ")


def test_a_variant_id_with_5000_digits_is_refused_by_its_value(monkeypatch, capsys, tmp_path):
    spec = tmp_path / "class.toml"
    spec.write_text(CLASS)
    out = tmp_path / "out"
    code, _, err = run(monkeypatch, capsys, "render", str(spec), "--variant", "class-7-" + "9" * 5000,
                       "--out", str(out))
    refused(code, err, out, "derive: error: --variant: 'class-7-999")
    assert "expected a variant number of 1 to 10,000" in err and len(err) < 400


@pytest.mark.parametrize("command", ["render", "check", "batch"])
def test_a_1_gb_spec_is_refused_by_its_size(monkeypatch, capsys, tmp_path, command):
    spec = tmp_path / "huge.toml"
    with open(spec, "wb") as stream:
        stream.truncate(2**30)  # sparse
    out = tmp_path / "out"
    extra = {"render": ["--out", str(out)], "check": [], "batch": ["--count", "2", "--out", str(out)]}
    code, _, err = run(monkeypatch, capsys, command, str(spec), *extra[command])
    refused(code, err, out, f"derive: error: {spec}: the spec has 1,073,741,824 bytes; the limit is ")


def _softmaxes(count: int) -> str:
    """``count`` softmax nodes over a trained vector of 1,000 numbers, summed against a target."""
    rng = np.random.default_rng(25)
    p, t = np.round(rng.uniform(-1, 1, 1000), 3).tolist(), np.round(rng.uniform(0, 1, 1000), 3).tolist()
    nodes = "\n".join(f's{i} = "softmax(p*{i % 7 + 1})"' for i in range(1, count + 1))
    total = " + ".join(f"s{i}" for i in range(1, count + 1))
    return (f'title = "Softmax over 1000 numbers"\n[inputs]\nt = {t}\n[parameters]\np = {p}\n[graph]\n'
            f'{nodes}\nL = "sum(({total})*t)"\n')


def test_a_softmax_over_1000_numbers_renders_without_its_jacobian(monkeypatch, capsys, tmp_path):
    # its Jacobian ds1/dp has 1,000,000 entries: once computed, surveyed and printed as 23 MB of HTML
    data = rendered(monkeypatch, capsys, tmp_path, _softmaxes(1))
    html = (tmp_path / "out" / "sheet.html").read_text()
    assert len(html) < 1_000_000 and (tmp_path / "out" / "sheet.json").stat().st_size < 1_000_000
    assert data["local"]["s1/p"] is None and len(data["local"]["L/s1"]) == 1000
    assert "a Jacobian of 1,000,000 entries, too many to print" in html
    p, t = (np.array(_value) for _value in (data["parameters"]["p"], data["inputs"]["t"]))
    s = np.exp(p * 2) / np.exp(p * 2).sum()  # s1 = softmax(2 p); dL/dp = 2 s (t - s . t)
    np.testing.assert_allclose(data["gradients"]["p"], 2 * s * (t - s @ t), rtol=1e-4, atol=1e-9)


def test_39_softmax_nodes_over_1000_numbers_are_refused_before_any_work(monkeypatch, capsys, tmp_path):
    # once killed after 600 s at 12.9 GB
    spec = tmp_path / "sheet.toml"
    spec.write_text(_softmaxes(39))
    out = tmp_path / "out"
    for command in (["render", str(spec), "--out", str(out)], ["check", str(spec)]):
        code, _, err = run(monkeypatch, capsys, *command)
        refused(code, err, out, "derive: error: graph.L: checking the derivatives would take about ")
        assert "the limit is 20 billion" in err and "1,000 in s1" in err
