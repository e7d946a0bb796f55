"""Long formulas break at + and = into rows that fit the line, and read back as the right numbers.

A chain rule over five paths (written here, its gradient computed here in NumPy by hand) is
printed in TeX and MathML; each side of the broken chain, read back by the tests' own
evaluators (``texeval``, ``mathmleval``) over values computed here, is the gradient. A short
equation stays on one row.
"""

from __future__ import annotations

import textwrap

import numpy as np
import pytest
import sympy as sp

from derive.render.html import print_layout
from derive.render.layout import COLUMN, _rows, printed, width
from derive.sheet.build import build_worksheet
from derive.sheet.formula import NUMBER_BOX, STEP_BOX, Formula, Number, Numbers, Symbolic
from derive.sheet.printers import MATHML, TEX

from ..conftest import DEFAULT, spec_from
from ..mathmleval import MathMLEvaluator
from ..mathmleval import aligned_sides as mathml_sides
from ..texeval import TexEvaluator
from ..texeval import aligned_sides as tex_sides

X = (0.5, -1.25, 2.0, 0.75, -0.3)
W, B, Y = 0.4, -0.1, 1.0
KINDS = ("sigmoid", "sigmoid", "tanh", "tanh", "sigmoid")
FIVE_PATHS = textwrap.dedent(f'''
    title = "One weight on five paths"
    [inputs]
    {chr(10).join(f"x{i} = {x}" for i, x in enumerate(X, 1))}
    y = {Y}
    [parameters]
    w = {W}
    b = {B}
    [graph]
    {chr(10).join(f'a{i} = "w*x{i} + b"' for i in range(1, 6))}
    {chr(10).join(f'h{i} = "{kind}(a{i})"' for i, kind in enumerate(KINDS, 1))}
    L = "(h1 + h2 + h3 + h4 + h5 - y)**2"
    [train]
    learning_rate = 0.1
''')


A4 = print_layout("a4")
"""The A4 PDF's layout, which these tests break formulas for."""
LINE = A4.line


def _by_hand() -> dict[str, object]:
    """The forward values and dL/dw of FIVE_PATHS in NumPy: five paths L -> h_i -> a_i -> w."""
    x = np.array(X)
    a = W * x + B
    sigmoid = 1 / (1 + np.exp(-a))
    h = np.where([kind == "sigmoid" for kind in KINDS], sigmoid, np.tanh(a))
    slope = np.where([kind == "sigmoid" for kind in KINDS], h * (1 - h), 1 - h ** 2)
    upstream = 2 * (h.sum() - Y)
    return {"x": x, "a": a, "h": h, "slope": slope, "upstream": upstream,
            "dw": float(np.sum(upstream * slope * x)), "db": float(np.sum(upstream * slope))}


@pytest.fixture(scope="module")
def sheet():
    return build_worksheet(spec_from(FIVE_PATHS), "five")


def _tex_names(hand) -> dict[str, object]:
    """Each name's TeX, and each local derivative's partial, to its value by hand."""
    names: dict[str, object] = {"y": Y, "w": W, "b": B, r"\frac{\partial L}{\partial w}": hand["dw"]}
    for i in range(5):
        n = i + 1
        names |= {f"x_{{{n}}}": X[i], f"a_{{{n}}}": hand["a"][i], f"h_{{{n}}}": hand["h"][i],
                  rf"\frac{{\partial L}}{{\partial h_{{{n}}}}}": hand["upstream"],
                  rf"\frac{{\partial h_{{{n}}}}}{{\partial a_{{{n}}}}}": hand["slope"][i],
                  rf"\frac{{\partial a_{{{n}}}}}{{\partial w}}": X[i],
                  rf"\frac{{\partial a_{{{n}}}}}{{\partial b}}": 1.0}
    return names


def test_a_five_path_chain_rule_breaks_into_rows_that_fit(sheet):
    chain = next(c for c in sheet.chains if c.parameter == "w")
    shown = printed(chain.formula, A4)
    assert len(shown.rows) >= 4 and shown.continued  # the sum of paths and the numbers continue
    key_rows, _ = _part_rows(chain.formula, student=False)
    for row in key_rows:
        assert sum(width(part) for part in row) + 1.4 * len(row) <= LINE
    for index in shown.continued:  # a continued row opens with the sum's sign, never with =
        assert shown.aligned()[index].startswith((r"&\quad + ", r"&\quad - "))


def _part_rows(formula: Formula, student: bool):
    from derive.render.layout import _rows

    return _rows(formula, student, LINE)


def test_every_side_of_the_broken_chain_reads_back_as_the_gradient_in_tex(sheet):
    hand = _by_hand()
    evaluate = TexEvaluator(_tex_names(hand))
    for parameter, expected in (("w", hand["dw"]), ("b", hand["db"])):
        chain = next(c for c in sheet.chains if c.parameter == parameter)
        shown = printed(chain.formula, A4)
        for text in (shown.block(), "\n".join(shown.aligned())):
            sides = tex_sides(text)
            assert len(sides) == len(chain.formula.parts) + 1
            for side in sides[1:]:
                # the numbers row carries the sheet's 4 digits; the symbolic rows are exact
                assert float(evaluate(side)) == pytest.approx(expected, rel=2e-3), side


def test_every_side_of_the_broken_chain_reads_back_as_the_gradient_in_mathml(sheet):
    hand = _by_hand()
    tex_names = _tex_names(hand)
    names = {_mathml(q.symbol): tex_names[q.tex] for q in (*sheet.inputs, *sheet.parameters, *sheet.forward)
             if q.tex in tex_names}  # the values by hand, under each name's and partial's MathML
    names |= {_mathml(d.symbol): tex_names[d.symbol_tex] for d in sheet.local if d.symbol_tex in tex_names}
    evaluate = MathMLEvaluator(names)
    chain = next(c for c in sheet.chains if c.parameter == "w")
    markup = printed(chain.formula, A4, style=MATHML).block()
    assert markup.startswith("<mtable")
    sides = mathml_sides(markup)
    assert len(sides) == len(chain.formula.parts) + 1
    for side in sides[1:]:
        assert float(evaluate.row(side)) == pytest.approx(hand["dw"], rel=2e-3)


def _mathml(part: Symbolic) -> str:
    from derive.sheet.formula import part_text

    return part_text(part, MATHML)


def test_a_student_chain_rule_has_one_box_and_no_repeated_numbers(sheet):
    """The local derivatives' numbers inside a chain rule are answers asked above: a student
    sheet leaves that row out and boxes only the gradient, in rows that fit the line."""
    from derive.sheet.formula import for_student

    chain = next(c for c in sheet.chains if c.parameter == "w")
    key, student = printed(chain.formula, A4), printed(chain.formula, A4, student=True)
    assert len(student.rows) < len(key.rows)
    boxes = [text for row in student.rows for text in row if r"\rule" in text]
    assert len(boxes) == 1 and student.rows[-1][-1] == boxes[0]
    rows, _ = _part_rows(for_student(chain.formula), student=True)
    for row in rows:
        assert sum(width(part, student=True) for part in row) + 1.4 * len(row) <= LINE


def test_a_short_equation_is_not_broken():
    sheet = build_worksheet(spec_from(DEFAULT))
    for formula in (*(e.formula for e in sheet.equations), *(u.numbers for u in sheet.updates),
                    *(u.rule for u in sheet.updates)):
        shown = printed(formula, A4)
        assert len(shown.rows) == 1 and not shown.continued
        assert shown.block() == shown.lines()[0]  # one row: no table, no aligned
        assert not printed(formula, A4, style=MATHML).block().startswith("<mtable")
    for chain in sheet.chains:
        assert not printed(chain.formula, A4).continued


def test_a_sum_of_eight_terms_breaks_at_plus_in_a_narrow_column_and_reads_back():
    terms = [sp.Mul(sp.Symbol(f"x{i}"), sp.Symbol(f"w{i}"), evaluate=False) for i in range(1, 9)]
    written = Symbolic(sp.Add(*terms, evaluate=False), role="given", written=True)
    formula = Formula(Symbolic(sp.Symbol("z"), role="given"), (written,))
    rng = np.random.default_rng(13)
    values = {f"x_{{{i}}}": v for i, v in enumerate(rng.normal(size=8), 1)}
    values |= {f"w_{{{i}}}": v for i, v in enumerate(rng.normal(size=8), 1)}
    expected = sum(values[f"x_{{{i}}}"] * values[f"w_{{{i}}}"] for i in range(1, 9))
    assert len(printed(formula, A4).rows) == 1  # the line holds it
    shown = printed(formula, A4, style=TEX, column=12)  # a table's column of 12 em does not
    assert len(shown.rows) > 1 and shown.continued == frozenset(range(1, len(shown.rows)))
    sides = tex_sides(shown.block())
    assert float(TexEvaluator(values)(sides[1])) == pytest.approx(expected)


def test_a_long_row_of_numbers_breaks_between_terms():
    items: list = []
    for index in range(6):
        items += ["+"] if index else []
        items += [Number(-1.278037, 7, factor=True), "cdot", Number(0.1702221, 7), "cdot", Number(1.3, 7)]
    formula = Formula(Symbolic(sp.Symbol("g"), role="given"), (Numbers(tuple(items)), Number(1.0, 7)))
    shown = printed(formula, A4)
    assert shown.continued and len(shown.rows) >= 3
    sides = tex_sides(shown.block())
    assert float(TexEvaluator({})(sides[1])) == pytest.approx(6 * -1.278037 * 0.1702221 * 1.3)


def test_a_table_column_breaks_an_equation_but_a_steps_sheet_still_gives_it():
    terms = [sp.Mul(sp.Symbol(f"x{i}"), sp.Symbol(f"w{i}"), evaluate=False) for i in range(1, 5)]
    written = Symbolic(sp.Add(*terms, sp.Symbol("b"), evaluate=False), role="given", written=True)
    equation = Formula(Symbolic(sp.Symbol("a"), role="given"), (written,))  # given, never a step
    assert len(printed(equation, A4, student=True, steps=True).rows) == 1
    narrow = printed(equation, A4, student=True, steps=True, column=COLUMN)
    assert len(narrow.rows) > 1 and narrow.continued
    assert STEP_BOX not in narrow.block() and NUMBER_BOX not in narrow.block()
    text = tex_sides(narrow.block())[1].replace(" ", "")
    assert text == "x_{1}w_{1}+x_{2}w_{2}+x_{3}w_{3}+x_{4}w_{4}+b"


def test_the_json_tex_of_a_broken_formula_is_one_unbroken_chain(sheet):
    hand = _by_hand()
    chain = next(c for c in sheet.chains if c.parameter == "w")
    assert len(printed(chain.formula, A4).rows) > 1
    assert r"\quad" not in chain.formula.tex and "&" not in chain.formula.tex
    evaluate = TexEvaluator(_tex_names(hand))
    for side in tex_sides(chain.formula.tex)[1:]:
        assert float(evaluate(side)) == pytest.approx(hand["dw"], rel=2e-3)


def test_the_key_prints_the_chain_rule_as_before():
    sheet = build_worksheet(spec_from(DEFAULT))
    chain = next(c for c in sheet.chains if c.parameter == "w1")
    assert printed(chain.formula, A4).aligned() == (
        r"\frac{\partial A_{3}}{\partial w_{1}} &= \frac{\partial A_{3}}{\partial A_{2}} \cdot "
        r"\frac{\partial A_{2}}{\partial A_{1}} \cdot \frac{\partial A_{1}}{\partial w_{1}} = "
        r"\left(\frac{1 - Y}{1 - A_{2}} - \frac{Y}{A_{2}}\right) \cdot A_{2} \left(1 - A_{2}\right) "
        r"\cdot x_{1} = \left(A_{2} - Y\right) x_{1}",  # the textbook form, in the order of the path
        r"&= \left({-}1.278037\right) \cdot 0.1702221 \cdot 1.3 = {-}0.2828153")
    local = {d.key: d for d in sheet.local}
    question = r"\frac{\partial}{\partial w_{1}}\left(x_{1} w_{1} + x_{2} w_{2} + b\right)"
    symbol = r"\frac{\partial A_{1}}{\partial w_{1}}"
    assert local["A1/w1"].formula.tex == rf"{symbol} = {question} = x_{{1}} = 1.3"
    assert printed(sheet.equations[0].formula, A4).pieces() == (("A_{1}", "= x_{1} w_{1} + x_{2} w_{2} + b"),)


def test_a_student_formula_holds_no_answer_digits():
    sheet = build_worksheet(spec_from(DEFAULT))
    for blanks in (False, True):
        for chain in sheet.chains:
            text = " ".join(printed(chain.formula, A4, student=True, steps=blanks).lines())
            assert chain.shown.lstrip("-") not in text and NUMBER_BOX in text


def test_rows_hold_whole_parts_up_to_a_columns_width():
    long_name, short_name = sp.Symbol("a" * 30), sp.Symbol("b" * 10)
    parts = (Symbolic(long_name), Symbolic(short_name), Number(2.0, 7))
    long = Formula(Symbolic(sp.Symbol("y"), role="given"), parts)
    printed_rows = printed(long, A4, column=22).rows  # 30 letters fill 22 em; 10 and "= 2" share the next
    assert printed_rows == ((rf"\mathrm{{{'a' * 30}}}",), (rf"\mathrm{{{'b' * 10}}}", "2"))  # words upright
    assert printed(long, A4, column=22).continued == frozenset()


def _long_sum(terms: int) -> str:
    """A neuron on ``terms`` inputs: its pre-activation is a sum of ``terms`` products."""
    inputs = "\n".join(f"x{i} = {0.1 * i:.1f}" for i in range(1, terms + 1))
    weights = "\n".join(f"w{i} = {0.05 * i:.2f}" for i in range(1, terms + 1))
    total = " + ".join(f"x{i}*w{i}" for i in range(1, terms + 1))
    return (f'title = "A sum of {terms} products"\n[inputs]\n{inputs}\ny = 1.0\n[parameters]\n{weights}\n'
            f'[graph]\nz = "{total}"\nL = "(z - y)**2"\n[train]\nlearning_rate = 0.1\n')


def test_each_output_fits_its_own_text_block():
    """A layout's line is the most whole em whose rows, laid out up to 1/FILL wider than the
    estimate, still fit the text block: Letter's (215.9 mm) wider than A4's (210 mm) in the PDF
    (18 mm margins) and the article (2 cm), a course site's column narrower than the page's."""
    from derive.render.formulas import TEXT_SIZE_PX
    from derive.render.layout import FILL, FRAGMENT, PAGE, TEX_FILL
    from derive.render.tex import tex_layout

    def text_em(paper_mm: float, margin_mm: float, indent_pt: float, font_pt: float) -> float:
        return ((paper_mm - 2 * margin_mm) / 25.4 * 72 - indent_pt) / font_pt

    pdf_font = TEXT_SIZE_PX * 1.1 * 0.75  # display math at 1.1 of 14.5 px, in pt
    cases = {
        "A4 PDF": (print_layout("a4"), text_em(210, 18, 12, pdf_font), FILL),
        "Letter PDF": (print_layout("letter"), text_em(215.9, 18, 12, pdf_font), FILL),
        "A4 .tex": (tex_layout("a4"), text_em(210, 20, 1.5 * 10.95, 10.95), TEX_FILL),
        "Letter .tex": (tex_layout("letter"), text_em(215.9, 20, 1.5 * 10.95, 10.95), TEX_FILL),
        "page": (PAGE, (761.6 - 1.2 * 16) / 16, FILL),  # 50 rem less 2 x 1.2 rem padding, at 16 px
        "fragment": (FRAGMENT, (640 - 1.2 * 16) / 16, FILL),
    }
    for name, (layout, room, fill) in cases.items():
        assert layout.line / fill <= room < (layout.line + 1) / fill, name
    assert cases["A4 PDF"][0].line == cases["A4 .tex"][0].line == 37  # the line A4 sheets were checked at
    assert print_layout("letter").line > print_layout("a4").line
    assert tex_layout("letter").line > tex_layout("a4").line
    assert FRAGMENT.line < print_layout("a4").line < PAGE.line


def test_a_course_sites_column_breaks_a_long_sum_where_the_a4_page_does_not():
    """The fragment (``--host``) is printed for a course site's column: a sum that one A4 row
    holds takes two there; no sum takes fewer rows in the fragment than on A4. The fragment's
    rows are what ``render_fragment`` writes, each within the column's line."""
    from derive.render.html import render_fragment
    from derive.render.layout import FRAGMENT

    more = 0
    for terms in range(9, 12):
        sheet = build_worksheet(spec_from(_long_sum(terms)), f"sum-{terms}")
        formula = sheet.equations[0].formula
        narrow, a4 = printed(formula, FRAGMENT, style=MATHML), printed(formula, A4, style=MATHML)
        assert narrow.block() in render_fragment(sheet)
        assert len(narrow.rows) >= len(a4.rows), terms
        more += len(narrow.rows) > len(a4.rows)
        rows, _ = _rows(formula, False, FRAGMENT.line)
        for index, row in enumerate(rows):
            lead = width(formula.lhs) if index == 0 else 1.0  # the first row's side, or a sum's indent
            assert lead + sum(width(part) for part in row) + 1.4 * len(row) <= FRAGMENT.line
    assert more >= 1
