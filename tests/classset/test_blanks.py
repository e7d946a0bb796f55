"""The student sheet: the key's layout with boxes where the key has numbers, and no answer left."""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass, fields, is_dataclass, replace

import pytest
import sympy as sp

from derive.classset.blanks import ARRAY_BOX, EARLIER, NUMBER_BOX, STEP_BOX, problem_json, student_sheet
from derive.render import formulas
from derive.render.html import print_layout, render_fragment, render_page, rule_lines
from derive.render.layout import printed
from derive.render.pdf.document import render_pdf
from derive.render.pdf.formulas import drawing
from derive.render.tex import render_tex
from derive.sheet.build import build_worksheet
from derive.sheet.formula import Formula, Number, Numbers, Symbolic
from derive.sheet.printers import MATHML
from derive.spec.examples import example_names, example_path
from derive.spec.schema import load_spec

from ..classsets import found, given_numbers, html_text, key_answers, tex_text
from ..conftest import DEFAULT, TWO_OUTPUTS, require_tool, spec_from

A4 = print_layout("a4")
"""The A4 PDF's layout, which these tests print formulas in."""


def rows(sheet, formula: Formula) -> tuple[str, ...]:
    """The right-hand sides of ``formula`` as ``sheet`` prints it, one string per row."""
    return tuple(" = ".join(row) for row in printed(formula, A4, sheet.student, sheet.blanks == "steps").rows)


def line(sheet, formula: Formula) -> str:
    """``formula`` as ``sheet`` prints it, on one line."""
    return " ".join(printed(formula, A4, sheet.student, sheet.blanks == "steps").lines())


@pytest.fixture(scope="module", params=["default", "two-outputs", "three-steps"])
def key(request):
    text = {"default": DEFAULT, "two-outputs": TWO_OUTPUTS,
            "three-steps": DEFAULT.replace("steps = 1", "steps = 3")}[request.param]
    return build_worksheet(spec_from(text), "key", variant="neuron-bce-2026-01")


@pytest.mark.parametrize("blanks", ["numbers", "steps"])
def test_the_student_sheet_holds_none_of_the_keys_answers(key, blanks, tmp_path):
    student = student_sheet(key, blanks)
    answers = key_answers(key)
    assert len(answers) >= 12
    assert found(html_text(render_page(key)), answers) == answers  # the search finds them on the key
    assert found(html_text(render_page(student)), answers) == set()
    assert found(html_text(render_fragment(student)), answers) == set()
    assert found(html_text(render_fragment(student, "tex")), answers) == set()
    assert found(tex_text(render_tex(key)), answers) == answers
    assert found(tex_text(render_tex(student)), answers) == set()


def test_the_student_sheet_does_not_give_away_the_disagreements(key):
    """The three-way check is the key's own: a student sheet leaves the section out, so neither the
    largest disagreements (scientific notation, too short for ``key_answers``' mantissa search) nor
    the column reach it."""
    from derive.render.templating import scientific

    student = student_sheet(key)
    largest = {scientific(key.symbolic_vs_tape), scientific(key.finite_difference_vs_tape)}
    column = {row.shown_disagreement for row in key.checks}
    pages = {"html": html_text(render_page(key)), "tex": tex_text(render_tex(key))}
    assert all(figure in text for figure in largest | column for text in pages.values())
    for text in (html_text(render_page(student)), tex_text(render_tex(student))):
        assert [figure for figure in largest | column if figure in text] == []
        assert "Checking the numbers three ways" not in text and "Disagreement" not in text


def test_the_student_pdf_holds_none_of_the_keys_answers(tmp_path):
    pdftotext = require_tool("pdftotext")
    key = build_worksheet(spec_from(DEFAULT), "key", variant="neuron-bce-2026-01")
    texts = {}
    for name, sheet in (("key", key), ("student", student_sheet(key))):
        path = tmp_path / f"{name}.pdf"
        path.write_bytes(render_pdf(sheet))
        texts[name] = subprocess.run([pdftotext, "-layout", str(path), "-"], check=True, capture_output=True,
                                     text=True).stdout
    answers = key_answers(key)
    assert found(texts["key"], answers) >= {"0.7824498", "0.2828153", "0.7282815", "0.2136941"}
    assert found(texts["student"], answers) == set()
    assert "Answer key, variant neuron-bce-2026-01" in texts["key"]
    # the student sheet's variant ID and given numbers are outlines (its layout is shared by
    # every variant) over the same text, invisible, for readers and search; the ID is in the
    # PDF's title too
    assert "Student sheet, variant neuron-bce-2026-01" in texts["student"]
    titles = {name: subprocess.run([require_tool("pdfinfo"), str(tmp_path / f"{name}.pdf")], check=True,
                                   capture_output=True, text=True).stdout for name in texts}
    assert "Title:           Backpropagation" in titles["student"]
    assert "(student sheet, variant neuron-bce-2026-01)" in titles["student"]
    assert "(answer key, variant neuron-bce-2026-01)" in titles["key"]
    assert texts["student"].count("\f") <= texts["key"].count("\f")  # the key adds the check table


def test_student_and_key_state_the_same_exercise(key):
    student = student_sheet(key)
    assert student.student and not key.student
    assert student.inputs == key.inputs and student.parameters == key.parameters
    assert student.equations == key.equations and student.learning_rate == key.learning_rate
    assert given_numbers(student) == given_numbers(key)
    assert student.variant == key.variant


def test_every_computed_number_is_blank_in_numbers_mode(key):
    """Every answer has its box once; where the sheet repeats an answer asked above it (the loss
    before the step, the parameters after the first), it shows a dash, never a second box."""
    student = student_sheet(key)
    assert all(q.shown == "" for q in student.forward)
    assert all(d.shown == "" for d in student.local) and all(c.shown == "" for c in student.chains)
    assert all(u.shown_new == "" and NUMBER_BOX in line(student, u.numbers) for u in student.updates)
    assert student.shown_loss_before == EARLIER and student.shown_decrease == ""
    assert student.shown_loss_after == ("" if key.steps == 1 else EARLIER)
    assert all(r.shown_tape == r.shown_symbolic == r.shown_finite_difference == "" for r in student.checks)
    assert student.history == ()  # no loss curve: it would draw the answers
    first, *later = student.history_table
    assert first.shown_loss == EARLIER and first.shown_parameters == key.history_table[0].shown_parameters
    assert all(step.shown_loss == "" for step in later)
    for step in later:
        assert all(v == (EARLIER if step.step == 1 else "") for v in step.shown_parameters)


def test_numbers_mode_keeps_the_derivation_and_boxes_each_answer_once():
    key = build_worksheet(spec_from(DEFAULT))
    student = student_sheet(key)
    chain = student.chains[0]
    assert rows(student, chain.formula)[0] == rows(key, key.chains[0].formula)[0]  # the symbolic rule stays
    # the local derivatives' numbers are asked above: the product of boxes is left out, one box stays
    assert rows(student, chain.formula)[-1].endswith(NUMBER_BOX)
    assert " = ".join(rows(student, chain.formula)).count(NUMBER_BOX) == 1
    local = {d.key: d for d in student.local}
    question = r"\frac{\partial}{\partial w_{1}}\left(x_{1} w_{1} + x_{2} w_{2} + b\right)"
    assert rows(student, local["A1/w1"].formula) == (rf"{question} = x_{{1}} = {NUMBER_BOX}",)
    gradient = r"\frac{\partial A_{3}}{\partial w_{1}}"
    update = rf"w_{{1}} \leftarrow w_{{1}} - \eta\, {gradient} = 0.7 - 0.1 \cdot {gradient} = {NUMBER_BOX}"
    assert line(student, student.updates[0].numbers) == update
    assert student.rules == key.rules


def test_steps_mode_blanks_the_derivation_but_keeps_the_questions():
    key = build_worksheet(spec_from(DEFAULT))
    student = student_sheet(key, "steps")
    symbolic = {"A_{2} - Y", r"\left(1 - A_{2}\right)", r"\frac{1 - Y}{1 - A_{2}}",
                r"\sigma\left(z\right) \left(1"}
    strings = [*(row for d in student.local for row in rows(student, d.formula)),
               *(row for c in student.chains for row in rows(student, c.formula)),
               *(line(student, s) for c in student.chains for s in c.simplifications),
               *(line(student, r.formula) for r in student.rules),
               *(line(student, step) for r in student.rules for step in rule_lines(student, r))]
    assert not [s for s in strings if any(form in s for form in symbolic)]
    local = {d.key: d for d in student.local}
    question = r"\frac{\partial}{\partial A_{1}}\left(\sigma\left(A_{1}\right)\right)"
    assert rows(student, local["A2/A1"].formula) == (f"{question} = {STEP_BOX}", NUMBER_BOX)
    assert rows(student, student.chains[0].formula) == (STEP_BOX, NUMBER_BOX)
    sigmoid = student.rules[0]
    assert tuple(line(student, step) for step in rule_lines(student, sigmoid)) == (
        r"\sigma\left(z\right) = \frac{1}{1 + e^{- z}}",
        rf"\frac{{d}}{{d z}} \sigma\left(z\right) = {STEP_BOX}")
    assert line(student, student.updates[0].numbers) == rf"w_{{1}} \leftarrow {STEP_BOX} = {NUMBER_BOX}"


def test_only_the_answers_among_the_numbers_are_boxed():
    update = _update()
    assert printed(update, A4).lines() == (
        r"w_{1} \leftarrow 0.7 - 0.1 \cdot \left({-}0.2828153\right) = 0.7282815",)
    assert printed(update, A4, student=True).lines() == (
        rf"w_{{1}} \leftarrow 0.7 - 0.1 \cdot {NUMBER_BOX} = {NUMBER_BOX}",)
    steps = printed(update, A4, student=True, steps=True)
    assert steps.lines() == (rf"w_{{1}} \leftarrow {STEP_BOX} = {NUMBER_BOX}",)
    g, x1 = Symbolic(sp.Symbol("g"), role="given"), Symbolic(sp.Symbol("x1"))
    vector = Formula(g, (x1, Number((1.0, 2.5), 7)), derivation=True)
    assert printed(vector, A4, student=True).lines() == (f"g = x_{{1}} = {ARRAY_BOX}",)
    assert printed(vector, A4, student=True, steps=True).lines() == (f"g = {STEP_BOX}", f"= {ARRAY_BOX}")


def _update() -> Formula:
    """w1 <- 0.7 - 0.1 * (-0.2828153) = 0.7282815: the old value and the rate given."""
    old, rate = Number(0.7, 7, given=True), Number(0.1, 7, given=True)
    grad, new = Number(-0.2828153, 7, factor=True), Number(0.7282815, 7)
    return Formula(Symbolic(sp.Symbol("w1"), role="given"), (Numbers((old, "-", rate, "cdot", grad)), new),
                   arrow=True)


def test_the_box_draws_in_mathml_pdf_and_latex(tmp_path):
    for steps in (False, True):
        markup = printed(_update(), A4, student=True, steps=steps, style=MATHML).lines()[0]
        # two boxes (the gradient's and the new value's, or the step's and the value's), each
        # two posts and a base line
        assert str(formulas.mathml(markup)).count('<mspace mathbackground="black"') == 6
        assert drawing(markup).operators.count(b" re f") == 6
    pdflatex = require_tool("pdflatex")
    student = student_sheet(build_worksheet(spec_from(DEFAULT), "student"), "steps")
    (tmp_path / "student.tex").write_text(render_tex(student))
    result = subprocess.run([pdflatex, "-interaction=nonstopmode", "-halt-on-error", "student.tex"],
                            cwd=tmp_path, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-2000:]


def test_the_student_json_states_the_problem_only():
    key = build_worksheet(spec_from(DEFAULT), variant="neuron-bce-2026-01")
    data = json.loads(problem_json(student_sheet(key), "numbers"))
    assert data["inputs"] == {"x1": 1.3, "x2": 2.1, "Y": 1.0} and data["variant"] == "neuron-bce-2026-01"
    assert data["graph"]["A2"] == "sigmoid(A1)" and data["sheet"] == "student"
    assert not {"forward", "local", "gradients", "updated", "loss", "history"} & set(data)


def test_a_field_added_to_the_model_later_is_blanked_by_the_safety_net():
    """A table a later model adds: its shown text is emptied by name, its formula boxed by the printer."""
    @dataclass(frozen=True)
    class Table:
        name: str
        shown_value: str
        formula: Formula

    formula = Formula(Symbolic(sp.Symbol("x"), role="given"),
                      (Numbers((Number(0.25, 7), "cdot", Number(2.0, 7))), Number(0.5, 7)))
    key = build_worksheet(spec_from(DEFAULT))
    later = replace(key, notes=("off by 3e-06 from 36",), gradient_tables=(Table("w", "0.5", formula),))
    for blanks in ("numbers", "steps"):
        student = student_sheet(later, blanks)
        (table,) = student.gradient_tables
        assert table.shown_value == "" and student.notes == ()
        assert "0.25" not in line(student, table.formula) and "0.5" not in line(student, table.formula)


def given_shown(sheet) -> set[str]:
    return {q.shown for q in (*sheet.inputs, *sheet.parameters)} | {sheet.shown_learning_rate}


def shown_texts(value, name: str = "") -> list[tuple[str, str]]:
    """Every non-empty ``shown*`` text anywhere in a model, with its field name (a formula's
    numbers are printed by the printer, checked below)."""
    if isinstance(value, Formula | Number | Numbers | Symbolic):
        return []
    if isinstance(value, str):
        return [(name, value)] if name.startswith("shown") and value else []
    if isinstance(value, tuple):
        return [item for v in value for item in shown_texts(v, name)]
    if is_dataclass(value):
        return [item for f in fields(value) for item in shown_texts(getattr(value, f.name), f.name)]
    return []


def formulas_in(value) -> list[Formula]:
    """Every formula anywhere in a model."""
    if isinstance(value, Formula):
        return [value]
    if isinstance(value, tuple):
        return [f for item in value for f in formulas_in(item)]
    if is_dataclass(value) and not isinstance(value, type):
        return [f for field in fields(value) for f in formulas_in(getattr(value, field.name))]
    return []


def numbers_in(formula: Formula) -> list[Number]:
    parts = (formula.lhs, *formula.parts)
    return [item for part in parts for item in (part.items if isinstance(part, Numbers) else (part,))
            if isinstance(item, Number)]


@pytest.mark.parametrize("name", example_names())
@pytest.mark.parametrize("blanks", ["numbers", "steps"])
def test_every_example_s_student_sheet_blanks_every_computed_number(name, blanks):
    key = build_worksheet(load_spec(example_path(name)), name, variant="x-1-01")
    student = student_sheet(key, blanks)
    allowed = {"shown_old", "shown_learning_rate"}
    given = given_shown(key) | {t for step in student.history_table[:1] for t in step.shown_parameters}
    given |= {EARLIER}  # a number asked earlier on the sheet, repeated as a dash
    left = [(field, text) for field, text in shown_texts(student)
            if field not in allowed and text not in given and text not in (NUMBER_BOX, ARRAY_BOX)]
    assert left == []
    for formula in formulas_in(student):  # no answer's digits in any printed formula
        text = line(student, formula)
        for box in (NUMBER_BOX, ARRAY_BOX, STEP_BOX):
            text = text.replace(box, " ")
        answers = [n.shown for n in numbers_in(formula)
                   if not n.given and sum(map(str.isdigit, n.shown)) >= 3]
        assert not [shown for shown in answers if shown in text], text
    assert student.notes == () and all(g.notes == () for g in student.gradient_tables)


def test_the_student_sheet_has_one_box_per_answer(key):
    """The boxes of the student sheet are the sheet's list of answers, one each: table cells
    (``answer-box``) and boxes in formulas (two posts and a base line, in MathML)."""
    student = student_sheet(key)
    page = render_page(student)
    cells = page.count('class="answer-box"')
    in_formulas = page.count('<mspace mathbackground="black"')
    assert in_formulas % 3 == 0
    assert cells + in_formulas // 3 == len(key.answers)


def test_a_step_table_of_many_parameters_boxes_each_loss_once():
    """With more than four parameters the step table is split in tables of four columns: the
    loss is in the first only, so each answer still has one box."""
    text = example_path("tanh-sigmoid-network").read_text()
    text = text.replace("learning_rate", "steps = 2\nlearning_rate")
    key = build_worksheet(spec_from(text), "net")
    assert len(key.parameters) > 4 and key.steps == 2
    page = render_page(student_sheet(key))
    boxes = page.count('class="answer-box"') + page.count('<mspace mathbackground="black"') // 3
    assert boxes == len(key.answers)
