"""derive: step-by-step backpropagation worksheets.

SymPy derives every chain-rule term, TensorFlow computes the matching numbers on a
GradientTape, and the two are checked against central finite differences.

    >>> from derive import load_spec, build_worksheet
    >>> sheet = build_worksheet(load_spec(path))
"""

from . import render  # noqa: F401 - registers the worksheet's Jupyter display
from .errors import DeriveError, SpecError
from .sheet.build import build_worksheet
from .sheet.model import Worksheet
from .spec import Spec, load_spec, parse_spec

__all__ = ["DeriveError", "Spec", "SpecError", "Worksheet", "build_worksheet", "load_spec", "parse_spec"]
