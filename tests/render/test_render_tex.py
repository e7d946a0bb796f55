"""The LaTeX source compiles with pdflatex, without shell escape, for plain and hostile sheets."""

from __future__ import annotations

import subprocess

import pytest

from derive.render.templating import escape_tex
from derive.render.tex import render_tex
from derive.sheet.build import build_worksheet
from derive.spec.examples import example_names

from ..conftest import DEFAULT, HOSTILE_INTRO, HOSTILE_TITLE, TWO_OUTPUTS, require_tool, spec_from


def test_escape_tex_covers_every_special():
    assert escape_tex(r"\{}$%#&_^~") == (r"\textbackslash{}\{\}\$\%\#\&\_\allowbreak{}\textasciicircum{}"
                                         r"\textasciitilde{}")


def compile_tex(tmp_path, source: str) -> str:
    pdflatex = require_tool("pdflatex")
    (tmp_path / "sheet.tex").write_text(source, encoding="utf-8")
    for _ in range(2):  # twice, for the page count in the footer
        run = subprocess.run([pdflatex, "-no-shell-escape", "-interaction=nonstopmode", "-halt-on-error",
                              "sheet.tex"], cwd=tmp_path, capture_output=True, text=True, timeout=120)
        assert run.returncode == 0, run.stdout[-3000:]
    pdftotext = require_tool("pdftotext")
    return subprocess.run([pdftotext, str(tmp_path / "sheet.pdf"), "-"], capture_output=True,
                          text=True).stdout


@pytest.mark.parametrize("overrides", [(), ("train.steps=25",)])
def test_default_compiles_with_pdflatex(tmp_path, overrides):
    text = compile_tex(tmp_path, render_tex(build_worksheet(spec_from(DEFAULT, *overrides))))
    assert "0.7824498" in text and "Page 1 of" in text


def test_multi_path_sheet_compiles(tmp_path):
    text = compile_tex(tmp_path, render_tex(build_worksheet(spec_from(TWO_OUTPUTS))))
    assert "2 paths lead from the loss" in text


def test_hostile_text_compiles_as_text(tmp_path):
    spec = spec_from(DEFAULT, f"title={HOSTILE_TITLE}", f"intro={HOSTILE_INTRO}")
    text = compile_tex(tmp_path, render_tex(build_worksheet(spec)))
    assert "\\input{/etc/passwd} 100% $x$ a_b #1" in text
    assert "\\textbf{x}_1 {braces} <b>bold</b>" in text


@pytest.mark.parametrize("name", example_names())
def test_every_example_compiles(tmp_path, name):
    from derive.spec.examples import example_path
    from derive.spec.schema import load_spec

    pdflatex = require_tool("pdflatex")
    (tmp_path / "sheet.tex").write_text(render_tex(build_worksheet(load_spec(example_path(name)), name)))
    run = subprocess.run([pdflatex, "-no-shell-escape", "-interaction=nonstopmode", "-halt-on-error",
                          "sheet.tex"], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout[-3000:]


def test_a_paper_is_a_pair_of_child_templates():
    """--paper offers exactly the papers the templates folder holds, each an html and a tex child."""
    from derive.errors import DeriveError
    from derive.render.formats import Options
    from derive.render.templating import paper_width_mm, papers, templates_dir

    assert papers() == ["a4", "letter"]
    for paper in papers():
        assert (templates_dir() / "tex" / "paper" / f"{paper}.tex.j2").is_file()
    assert paper_width_mm("a4") == 210.0
    assert paper_width_mm("letter") == 215.9
    with pytest.raises(DeriveError, match=r"^--paper: expected one of a4, letter, got 'a5'"):
        Options(paper="a5")
