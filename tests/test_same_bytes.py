"""The speed work changes no byte of what derive writes.

``derive render`` (its TensorFlow child forked before anything else, WeasyPrint imported without
``find_library``'s probes) writes the golden files, and the JSON and PDF that ``build_worksheet``
and ``render_all`` make in this process. ``derive batch`` (each variant's tape asked once, its
survey's answers carried into its build, workers forked warm) writes each variant's files and
the answers as the plain path makes them here: one variant at a time, in this process, every
number TensorFlow gives computed anew.
"""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace
from pathlib import Path

from derive.classset.answers import answers_csv
from derive.classset.batch import VariantTask, one_variant, set_precision
from derive.classset.variants import plan_for
from derive.render.formats import render_all
from derive.sheet.build import build_worksheet
from derive.spec.examples import example_path
from derive.spec.schema import load_spec, parse_spec

from .classsets import CLASS

GOLDEN = Path(__file__).parent / "render" / "golden"
FORMATS = ("html", "json", "tex")


def derive(*arguments: str) -> None:
    """``derive ARGUMENTS`` through its console entry point, in a new process."""
    run = subprocess.run([sys.executable, "-c", "from derive.cli import main; main()", *arguments],
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0 and run.stderr == "", run.stderr


def test_render_writes_the_golden_files_and_the_plain_paths_json_and_pdf(tmp_path):
    derive("render", "neuron-bce", "--out", str(tmp_path))
    goldens = sorted(GOLDEN.iterdir())
    assert [p.name for p in goldens] == ["neuron-bce.fragment.html", "neuron-bce.html", "neuron-bce.tex"]
    for golden in goldens:
        assert (tmp_path / golden.name).read_bytes() == golden.read_bytes(), golden.name
    sheet = build_worksheet(load_spec(example_path("neuron-bce"), ()), "neuron-bce")
    plain = render_all(sheet, ("json", "pdf"))
    assert (tmp_path / "neuron-bce.json").read_bytes() == plain["neuron-bce.json"].encode()
    assert (tmp_path / "neuron-bce.pdf").read_bytes() == plain["neuron-bce.pdf"]


def test_a_class_set_is_the_plain_paths_variant_by_variant(tmp_path):
    spec = tmp_path / "class.toml"
    spec.write_text(CLASS)
    derive("batch", str(spec), "--count", "3", "--format", ",".join(FORMATS), "--workers", "2",
           "--out", str(tmp_path / "set"))
    written = {p.name: p.read_bytes() for p in (tmp_path / "set").iterdir()}

    plan = plan_for(parse_spec(CLASS, (), str(spec)), CLASS, "class", None)
    base = VariantTask(CLASS, str(spec), "class", plan.seed, 0, formats=FORMATS)
    base = replace(base, precision=set_precision(base, 3))
    results = [one_variant(replace(base, index=k)) for k in (1, 2, 3)]
    assert [r.error for r in results] == ["", "", ""]
    expected = {name: content.encode() if isinstance(content, str) else content
                for result in results for name, content in result.documents.items()}
    assert len(expected) == 3 * 2 * len(FORMATS)  # a student sheet and a key in each format
    for name, content in expected.items():
        assert written[name] == content, name
    assert written["answers.csv"] == answers_csv([r.row for r in results]).encode()
