"""derive: step-by-step backpropagation worksheets.

SymPy derives every chain-rule term, TensorFlow computes the matching numbers on a
GradientTape, and the two are checked against central finite differences.

    >>> from derive import load_spec, build_worksheet
    >>> sheet = build_worksheet(load_spec(path))

The names below are imported on first use (PEP 562), so that ``derive check`` and a spec
error report in well under a second: SymPy, the renderers and TensorFlow load only when a
stage needs them. Asking for ``build_worksheet`` or ``Worksheet`` also loads ``render``,
which registers the worksheet's Jupyter display.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from .errors import DeriveError, SpecError

_LAZY = {"build_worksheet": "sheet.build", "Worksheet": "sheet.model", "Spec": "spec.schema",
         "load_spec": "spec.schema", "parse_spec": "spec.schema"}

__all__ = ["DeriveError", "Spec", "SpecError", "Worksheet", "build_worksheet", "load_spec", "parse_spec"]


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module 'derive' has no attribute {name!r}")
    if name in ("build_worksheet", "Worksheet"):
        import_module(".render", __name__)  # registers the Jupyter display
    value = getattr(import_module(f".{_LAZY[name]}", __name__), name)
    globals()[name] = value
    return value
