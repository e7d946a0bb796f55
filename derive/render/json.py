"""The worksheet model as JSON: SPEC.md's keys, numbers as the shortest decimal of the dtype."""

from __future__ import annotations

import json
from typing import Any

from ..numbers import exact
from ..sheet.formula import part_tex
from ..sheet.model import Worksheet


def worksheet_data(sheet: Worksheet) -> dict[str, Any]:
    """The machine-readable result (SPEC.md), plus the derivation's TeX."""

    def n(value: float) -> float:
        return exact(value, sheet.dtype)

    data: dict[str, Any] = {
        "title": sheet.title,
        "intro": sheet.intro,
        "dtype": sheet.dtype,
        "loss_node": sheet.loss,
        "learning_rate": sheet.learning_rate,
        "steps": sheet.steps,
        "inputs": {q.name: exact(q.value, "float64") for q in sheet.inputs},
        "parameters": {q.name: exact(q.value, "float64") for q in sheet.parameters},
        "forward": {q.name: n(q.value) for q in sheet.forward},
        "precision": sheet.precision,
        "local": {d.key: n(d.value) if d.value is not None else None for d in sheet.derivatives},
        "gradients": {c.parameter: n(c.value) for c in sheet.chains},
        "updated": {name: n(value) for name, value in sheet.history[-1].parameters}
        if sheet.history else {},
        "loss": {"before": n(sheet.loss_before),
                 "after": n(sheet.loss_after) if sheet.loss_after is not None else None},
        "history": [{"step": s.step, "loss": n(s.loss),
                     "parameters": {k: n(v) for k, v in s.parameters}} for s in sheet.history],
        "gradient_tables": [
            {"of": g.of, "order": g.order,
             "gradients": {e.wrt: n(e.tape) if e.tape is not None else None for e in g.entries},
             "symbolic": {e.wrt: exact(e.symbolic, "float64") for e in g.entries},
             "finite_difference": {e.wrt: exact(e.finite_difference, "float64")
                                   if e.finite_difference is not None else None for e in g.entries},
             "one_sided_difference": {e.wrt: e.forward_difference for e in g.entries
                                      if e.forward_difference is not None},
             "why": {e.wrt: e.reason for e in g.entries}}
            for g in sheet.gradient_tables
        ],
        "backward_pass": {e.name: e.formula.tex for e in sheet.backward_pass},
        "answers": [{"key": a.key, "asks": a.asks_tex, "step": a.step, "value": n(a.value), "shown": a.shown}
                    for a in sheet.answers],
        "notes": list(sheet.notes),
        "checks": {"symbolic_vs_tape": float(f"{sheet.symbolic_vs_tape:.3g}"),
                   "finite_difference_vs_tape": float(f"{sheet.finite_difference_vs_tape:.3g}"),
                   "tolerance": sheet.tolerance},
        "derivation": {
            "equations": {e.name: e.formula.tex for e in sheet.equations},
            "local": {d.key: d.formula.tex for d in sheet.derivatives},
            "chain_rule": {c.parameter: {"symbols": c.symbols.tex, "numbers": part_tex(c.numbers),
                                         "derivation": c.formula.tex,
                                         "simplifications": [s.tex for s in c.simplifications]}
                           for c in sheet.chains},
        },
    }
    return data


def to_json(sheet: Worksheet) -> str:
    """Deterministic JSON text of the worksheet."""
    return json.dumps(worksheet_data(sheet), indent=2, ensure_ascii=False, allow_nan=False) + "\n"
