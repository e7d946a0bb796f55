"""[notation] is a whitelist grammar: the TeX a name needs is admitted, anything that runs is refused."""

from __future__ import annotations

import pytest

from derive.errors import SpecError
from derive.notation import ACCENTS, FONTS, GREEK, MAX_DEPTH, SYMBOLS, check_notation

from .conftest import DEFAULT, spec_from

ADMITTED = [
    r"\mathrm{out}_{h1}", r"W^{(1)}", r"a^{[l]}_{j}", r"\hat{y}", r"\bar{x}", r"\tilde{w}", r"\vec{v}",
    r"\dot{x}", r"\boldsymbol{\theta}", r"\mathbf{W}^{\top}", r"\mathit{net}_{1}", r"\lambda", r"\eta",
    r"\text{loss}", r"\text{Gewicht (kg), Stufe 2}", r"w'", r"x''_{1}", r"x _1", r"\ell_{2}",
    r"\mathcal{L}", r"\sigma\,(z)", r"w_{h1 \to o1}".replace(r" \to", ","), r"\hat{\mathbf{y}}_{i}",
    "x1", "{x}_{1}", r"\text{é, µ, ß, ½}", r"\text{a-}", r"\text{1-2}", "x'_{1}",
]


@pytest.mark.parametrize("value", ADMITTED)
def test_what_a_name_needs_is_admitted(value):
    assert check_notation("notation.x1", value) == value


REFUSED = {
    # the attacks of issue 10
    r"\text{<script>document.title='PWNED'</script>}": "'<' inside \\text",
    r"\text{<img/src=https://example.org/x.png>}": "'<' inside \\text",
    r"\href{javascript:alert(1)}{x}": "'\\href'",
    r"\text{\catcode95=12\relax\input{/etc/passwd}}": "'\\catcode' inside \\text",
    r"\input{/etc/passwd}": "'\\input'",
    r"\catcode`\^=12": "'\\catcode'",
    r"\write18{rm -rf ~}": "'\\write'",
    r"\immediate\write18{id}": "'\\immediate'",
    r"\def\x{y}\x": "'\\def'",
    "^^5cinput{/etc/passwd}": "^ with nothing before it",
    "x^^5cinput": "without its argument",
    "a & b": "'&'",
    "a<b": "'<'",
    "a>b": "'>'",
    "{x": "unmatched '{'",
    "x}": "unmatched '}'",
    # variants of our own
    r"\csname input\endcsname{/etc/passwd}": "'\\csname'",
    r"\expandafter\x": "'\\expandafter'",
    r"\mathrm{\input{/etc/passwd}}": "'\\input'",
    r"\hat{\href{javascript:alert(1)}{y}}": "'\\href'",
    r"\text{a\\b}": "inside \\text",
    r"\text{^^5c}": "'^' inside \\text",
    r"\text{a}b}": "unmatched '}'",
    r"\text x": "\\text without {...}",
    r"\mathbf": "without its argument",
    "x_1_2": "second _",
    "x'^{2}": "second ^",
    "100%": "'%'",
    "#1": "'#'",
    "x~y": "'~'",
    "$x$": "'$'",
    'x"y': "'\"'",
    "λ": "(write \\lambda)",
    "Σ_i": "(write \\Sigma)",
    "a\nb": "'\\n'",
    "x\x1b[31m": "'\\x1b'",
    "x\u202ey": "'\\u202e'",
    r"\sqrt{x}": "'\\sqrt'",
    # from the independent review: each crashed a renderer or pdflatex
    "x^2'": "prime after _ or ^",
    "x^{2}'": "prime after _ or ^",
    r"\text{-}": "empty or starts with '-'",
    r"\text{-1}": "empty or starts with '-'",
    r"\text{}": "empty or starts with '-'",
    r"\text{ħ}": "'ħ' inside \\text",
    r"\text{ŉ}": "'ŉ' inside \\text",
    r"\left(x": "'\\left'",
    "{" * (MAX_DEPTH + 1) + "x" + "}" * (MAX_DEPTH + 1): f"more than {MAX_DEPTH} deep",
    r"\hat " * (MAX_DEPTH + 1) + "x": f"more than {MAX_DEPTH} deep",
    "x" + "_{a" * (MAX_DEPTH + 1) + "}" * (MAX_DEPTH + 1): f"more than {MAX_DEPTH} deep",
}


@pytest.mark.parametrize("value", list(REFUSED))
def test_anything_else_is_refused_naming_the_key(value):
    with pytest.raises(SpecError) as caught:
        check_notation("notation.x1", value)
    message = str(caught.value)
    assert message.startswith("notation.x1: ")
    assert REFUSED[value] in message
    assert "\n" not in message and "\x1b" not in message and "\u202e" not in message


@pytest.mark.parametrize("value", [r"\input{/etc/passwd}", r"\text{<script>alert(1)</script>}",
                                   r"\href{javascript:alert(1)}{x}", r"\write18{id}"])
def test_the_spec_refuses_hostile_notation(value):
    text = DEFAULT + f"[notation]\nx1 = '{value}'\n"
    with pytest.raises(SpecError, match=r"^notation\.x1: "):
        spec_from(text)


def test_every_admitted_command_is_one_the_grammar_lists():
    """Each command family is admitted with its argument, so the README's list is the truth."""
    for name in GREEK | SYMBOLS:
        check_notation("notation.x", "\\" + name)
    for name in ACCENTS | FONTS:
        check_notation("notation.x", "\\" + name + "{x}")
        check_notation("notation.x", "\\" + name + " x")


def _every_admitted_form() -> list[str]:
    return (["\\" + name for name in sorted(GREEK | SYMBOLS)]
            + ["\\" + name + "{x}_{1}" for name in sorted(ACCENTS | FONTS)]
            + [r"\text{Gewicht ä, 2nd (kg)}", r"\,x", "W^{(1)}_{ij}", "w''_{1}"])


def test_every_admitted_form_renders_in_mathml_and_ziamath_without_a_warning():
    import warnings

    import ziamath

    from derive.render.formulas import mathml

    for form in _every_admitted_form():
        assert "<math" in mathml(form)  # passes the MathML allowlist
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # ziamath warns on a command it does not know
            ziamath.Latex(form).svg()


def test_every_admitted_form_compiles_with_pdflatex_in_the_sheets_preamble(tmp_path):
    import subprocess

    from .conftest import require_tool

    pdflatex = require_tool("pdflatex")
    body = "\n".join(f"${form}$\\par" for form in _every_admitted_form())
    (tmp_path / "n.tex").write_text(
        "\\documentclass{article}\\usepackage[T1]{fontenc}\\usepackage[utf8]{inputenc}\\usepackage{lmodern}"
        f"\\usepackage{{amsmath,amssymb}}\\begin{{document}}\n{body}\n\\end{{document}}\n", encoding="utf-8")
    run = subprocess.run([pdflatex, "-interaction=nonstopmode", "-halt-on-error", "n.tex"], cwd=tmp_path,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, [line for line in run.stdout.splitlines() if line.startswith("!")]
