"""A non-editable install renders too: the wheel carries the templates and the examples, and its
sheets need no program on the PATH (the graph's layout is Graphviz in WebAssembly, not ``dot``)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tomllib
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pikepdf

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "render" / "golden"
TOOLS = ("dot", "neato", "pdftoppm", "pdftotext", "chromium", "pdflatex", "ruby", "php", "node")
"""What the tests use elsewhere, or the graph picture used to: none of it may be needed to render."""

RENDER_FROM_WHEEL = """
import derive, shutil, sys
from pathlib import Path
from derive.render.formats import FORMATS, render_all
from derive.render.templating import templates_dir
from derive.spec.examples import example_path
from derive.sheet.build import build_worksheet
from derive.spec.schema import load_spec
assert derive.__file__.startswith(sys.argv[1]), derive.__file__
assert str(templates_dir()).startswith(sys.argv[1]), templates_dir()
found = [tool for tool in sys.argv[3].split(",") if shutil.which(tool)]
assert not found, found
sheet = build_worksheet(load_spec(example_path("neuron-bce")), "neuron-bce")
for name, content in render_all(sheet, FORMATS).items():
    (Path(sys.argv[2]) / name).write_bytes(content if isinstance(content, bytes) else content.encode())
print("ok")
"""


def test_wheel_renders_every_format_without_the_checkout_or_any_tool(tmp_path):
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(tmp_path),
                    str(ROOT)], check=True, capture_output=True)
    wheel = next(tmp_path.glob("derive-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert "derive/templates/html/base.html.j2" in names and "derive/examples/neuron-bce.toml" in names
    unpacked, out, empty = tmp_path / "unpacked", tmp_path / "out", tmp_path / "bin"
    zipfile.ZipFile(wheel).extractall(unpacked)
    out.mkdir()
    empty.mkdir()  # the PATH: nothing on it (this Python is called by its full path)
    run = subprocess.run([sys.executable, "-c", RENDER_FROM_WHEEL, str(unpacked), str(out), ",".join(TOOLS)],
                         capture_output=True, text=True, cwd=tmp_path, timeout=600,
                         env={"PYTHONPATH": str(unpacked), "PATH": str(empty)})
    assert run.stdout.strip() == "ok", run.stderr[-2000:]
    files = {p.name: p for p in out.iterdir()}
    assert sorted(files) == sorted(f"neuron-bce{suffix}" for suffix in
                                   (".html", ".fragment.html", ".pdf", ".tex", ".json"))
    for name in ("neuron-bce.html", "neuron-bce.fragment.html", "neuron-bce.tex"):  # the same bytes here
        assert files[name].read_text(encoding="utf-8") == (GOLDEN / name).read_text(encoding="utf-8"), name

    page = files["neuron-bce.html"].read_text(encoding="utf-8")
    svg = ET.fromstring(page[page.index("<svg"):page.index("</svg>") + 6])
    shown = {"".join(t.itertext()) for t in svg.iter("{http://www.w3.org/2000/svg}text")}
    assert {"x1", "x2", "Y", "w1", "w2", "b", "A1", "A2", "A3"} <= shown
    assert len(list(svg.iter("{http://www.w3.org/2000/svg}path"))) >= 8  # the eight arrows' curves
    with pikepdf.open(files["neuron-bce.pdf"]) as pdf:
        figures = [str(o.Alt) for o in pdf.objects if isinstance(o, pikepdf.Dictionary)
                   and o.get("/S") == "/Figure" and "/Alt" in o]
    assert any(alt.startswith("Computational graph: x1 = 1.3") and "A3 = 0.2453255" in alt for alt in figures)
    assert r"\begin{tikzpicture}" in files["neuron-bce.tex"].read_text(encoding="utf-8")
    assert json.loads(files["neuron-bce.json"].read_text(encoding="utf-8"))["title"].startswith("Backprop")


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
