"""An aligned formula in the PDF is set from its cells exactly as ziamath sets the whole ``<mtable>``.

``pdf.formulas.aligned_drawing`` lays a broken formula's cells out one part at a time and
places them with ziamath's table arithmetic; here every aligned formula of three examples
(their keys, on a full line and in a narrow column, display and inline) is laid out both ways
and each glyph, rule and path point must land in the same place, within 0.03 px (the
operators' three decimals, rounded once more for each nested placement).
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from pathlib import Path

import numpy as np
import pytest

import derive.examples
from derive.render.html import formula_block, print_layout
from derive.render.layout import printed
from derive.render.pdf.formulas import Aligned, _laid_out, aligned_drawing, drawing
from derive.sheet.build import build_worksheet
from derive.sheet.formula import Formula
from derive.sheet.model import Worksheet
from derive.sheet.printers import MATHML
from derive.spec.schema import parse_spec

EXAMPLES = ("l2-regularization", "softmax-cross-entropy", "tanh-sigmoid-network")
TOLERANCE_PX = 0.03
A4 = print_layout("a4")


def _sheet(name: str) -> Worksheet:
    path = Path(derive.examples.__path__[0]) / f"{name}.toml"
    return build_worksheet(parse_spec(path.read_text(), (), str(path)), name)


def _formulas(value: object) -> list[Formula]:
    """Every formula in the worksheet model."""
    if isinstance(value, Formula):
        return [value]
    if dataclasses.is_dataclass(value):
        return [f for field in dataclasses.fields(value) for f in _formulas(getattr(value, field.name))]
    if isinstance(value, tuple | list):
        return [f for item in value for f in _formulas(item)]
    return []


def placed(operators: bytes) -> dict[tuple[str, str], list[np.ndarray]]:
    """What PDF operators draw, in absolute coordinates: each glyph form's placement (scale and
    origin), each rectangle's corner and width, each path point, grouped by kind (and glyph)."""
    stack, ctm, operands = [], np.eye(3), []
    found: dict[tuple[str, str], list[np.ndarray]] = defaultdict(list)
    name = ""
    for token in operators.decode().split():
        if token == "q":
            stack.append(ctm.copy())
        elif token == "Q":
            ctm = stack.pop()
        elif token == "cm":
            a, b, c, d, e, f = operands[-6:]
            ctm = np.array([[a, b, 0], [c, d, 0], [e, f, 1]]) @ ctm
        elif token.startswith("/"):
            name = token
        elif token == "Do":
            found["glyph", name].append(np.array([ctm[0, 0], ctm[2, 0], ctm[2, 1]]))
        elif token == "re":
            x, y, w, _ = operands[-4:]
            found["rect", ""].append(np.array([*(np.array([x, y, 1]) @ ctm)[:2], w * ctm[0, 0]]))
        elif token in ("m", "l", "c"):
            found["point", ""].append((np.array([*operands[-2:], 1]) @ ctm)[:2])
        else:
            try:
                operands.append(float(token))
                continue
            except ValueError:
                pass
        operands = []
    return found


def same_ink(a: bytes, b: bytes) -> bool:
    """Whether two operator streams draw the same things at the same places (``TOLERANCE_PX``)."""
    first, second = placed(a), placed(b)
    if first.keys() != second.keys():
        return False
    for kind, items in first.items():
        others = list(second[kind])
        if len(items) != len(others):
            return False
        for item in items:
            distances = [float(np.max(np.abs(item - other))) for other in others]
            nearest = int(np.argmin(distances))
            if distances[nearest] > TOLERANCE_PX:
                return False
            others.pop(nearest)
    return True


def _aligned(name: str) -> list[tuple[Aligned, str]]:
    """Each aligned formula of the example's key (a full line and a 20 em column): its cells and
    the printer's ``<mtable>``."""
    found = []
    for formula in _formulas(_sheet(name)):
        for column in (0, 20):
            shown = printed(formula, A4, False, False, MATHML, column=column)
            if len(shown.rows) > 1:
                found.append((Aligned(*shown.cells()), shown.block()))
    return found


@pytest.mark.parametrize("name", EXAMPLES)
def test_cells_set_as_ziamath_sets_the_table(name):
    formulas = _aligned(name)
    assert len(formulas) >= 4, "the example no longer breaks formulas: pick one that does"
    for cells, table in formulas:
        for display in (True, False):
            composed, whole = aligned_drawing(cells, display), _laid_out(table, display)
            assert composed.extent == pytest.approx(whole.extent, abs=1e-9)
            assert (composed.left, composed.top, composed.width, composed.height) == pytest.approx(
                (whole.left, whole.top, whole.width, whole.height), abs=1e-3)  # ziamath's viewBox: 3 decimals
            assert composed.advance == pytest.approx(whole.advance, abs=1e-9)
            assert same_ink(composed.operators, whole.operators)


def test_the_comparison_can_fail():
    (cells, table), (other, _) = _aligned("tanh-sigmoid-network")[:2]
    assert not same_ink(aligned_drawing(other, True).operators, _laid_out(table, True).operators)
    lower = dataclasses.replace(cells, rows=(*cells.rows[:-1], ("<mrow><mo>=</mo><mn>1</mn></mrow>",)))
    assert not same_ink(aligned_drawing(lower, True).operators, _laid_out(table, True).operators)


def test_the_print_page_takes_a_broken_formula_as_its_cells():
    sheet = _sheet("tanh-sigmoid-network")
    broken = next(f for f in _formulas(sheet) if len(printed(f, A4, False, False, MATHML).rows) > 1)
    block = formula_block(sheet, broken, A4, MATHML, pieces=True)
    assert isinstance(block, Aligned)
    assert drawing(block, True).extent == pytest.approx(_laid_out(formula_block(sheet, broken, A4, MATHML),
                                                                  True).extent)
