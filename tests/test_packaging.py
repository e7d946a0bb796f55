"""A non-editable install renders too: the wheel carries the templates and the examples."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

RENDER_FROM_WHEEL = """
import derive, sys
from derive.render.templating import templates_dir
from derive.spec.examples import example_path
from derive.render.html import render_page
from derive.sheet.build import build_worksheet
from derive.spec.schema import load_spec
assert derive.__file__.startswith(sys.argv[1]), derive.__file__
assert str(templates_dir()).startswith(sys.argv[1]), templates_dir()
html = render_page(build_worksheet(load_spec(example_path("neuron-bce")), "neuron-bce"))
assert "0.7824498" in html and "<math" in html
print("ok")
"""


def test_wheel_renders_without_the_checkout(tmp_path):
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(tmp_path),
                    str(ROOT)], check=True, capture_output=True)
    wheel = next(tmp_path.glob("derive-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert "derive/templates/html/base.html.j2" in names and "derive/examples/neuron-bce.toml" in names
    unpacked = tmp_path / "unpacked"
    zipfile.ZipFile(wheel).extractall(unpacked)
    run = subprocess.run([sys.executable, "-c", RENDER_FROM_WHEEL, str(unpacked)], capture_output=True,
                         text=True, env={"PYTHONPATH": str(unpacked), "PATH": "/usr/bin:/bin"}, cwd=tmp_path)
    assert run.stdout.strip() == "ok", run.stderr[-2000:]


def test_the_dask_extra_brings_what_the_readme_recipe_imports():
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"][
        "optional-dependencies"]
    pins = dict(requirement.split("==") for requirement in extras["dask"])
    assert set(pins) == {"dask", "distributed"} and all(pins.values())
    assert "derive[dask]" in extras["test"]  # the distributed test runs what the extra brings
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", readme, re.S)
    recipe = next(block for block in blocks if "distributed" in block)
    assert set(re.findall(r"^(?:from|import) (\w+)", recipe, re.M)) - {"pathlib", "derive"} <= set(pins)
    assert "pip install 'derive[dask]'" in readme
