"""The README's Python example runs as written."""

from __future__ import annotations

import re
from pathlib import Path

from .conftest import DEFAULT

README = Path(__file__).resolve().parents[1] / "README.md"


def test_the_readme_python_example_runs(tmp_path, monkeypatch):
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    assert blocks, "the README has a Python example"
    (tmp_path / "my-neuron.toml").write_text(DEFAULT, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    namespace: dict = {}
    exec(compile(blocks[0], "README.md", "exec"), namespace)  # noqa: S102 - the README's own code
    sheet = namespace["sheet"]
    assert sheet.title == "Backpropagation through one sigmoid neuron"
    assert sheet._repr_html_().startswith('<section class="derive-worksheet"')
