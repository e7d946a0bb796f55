"""Rendering: the worksheet model to documents in memory (html, fragment, pdf, tex, json).

Reads only ``derive.sheet`` and the ground floor. The formats are one table
(``formats``); ``pdf/`` is the print path, ``figures/`` the graph picture and the loss plot.
"""

from .formats import FORMATS, Options, render_all
from .jupyter import register

register()

__all__ = ["FORMATS", "Options", "render_all"]
