"""A warm start for batch workers: importing this module does a worker's one-time work.

A class set's workers each spent about 8 s before their first sheet: importing TensorFlow
(about 3 s), WeasyPrint's first document (fontconfig, Pango), ziamath's math font, the
DejaVu faces of ``outline_text``, compiling the templates. ``derive.cli.batch`` starts its workers
from a multiprocessing fork server that preloads this module, so that work is done once and
every worker is forked from it.

Nothing here may start a thread, since a process with threads must not be forked: TensorFlow
is imported but never run (its thread pools start with the first operation, in each
worker), and ``derive.cli.batch`` makes numpy's BLAS single-threaded before the fork server
starts. A test checks that the warmed process has one thread.

The fork server imports this module, so importing it is what warms; ``warm_or_leave_cold``
keeps a failure from taking the fork server down.
"""

from __future__ import annotations


def warm() -> None:
    """Do the renderers' first-use work, and import TensorFlow."""
    from ..render.warm import warm_renderers
    from . import blanks  # noqa: F401 - imported to be inherited

    warm_renderers()
    from ..numeric import tape as numeric  # noqa: F401 - TensorFlow, imported last and not run


def warm_or_leave_cold() -> None:
    """``warm()``, or nothing if it fails: the fork server survives only an ImportError from
    its preload, and a worker that starts cold will meet the same error where it can report it
    (a missing Pango, say, need not stop an html-only set)."""
    try:
        warm()
    except Exception:  # noqa: BLE001 - any failure here is met again, and reported, in the workers
        pass


warm_or_leave_cold()
