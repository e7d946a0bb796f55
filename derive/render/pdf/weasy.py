"""WeasyPrint, imported without compiler probes: ``weasyprint()`` returns the module.

At import, WeasyPrint opens GObject, Pango, HarfBuzz and fontconfig through cffi, trying for
each a list of names (``libgobject-2.0-0``, ``gobject-2.0-0``, ``gobject-2.0``,
``libgobject-2.0.so.0``, ...). cffi hands each name the dynamic linker does not open to
``ctypes.util.find_library``, which on Linux runs ``ldconfig -p``, then gcc (and through it
ld), then ld, for each: 22 names, over a hundred processes at every start of derive. Every
list holds the library's soname (``libgobject-2.0.so.0``), which the dynamic linker opens
by itself, from the places it searches, as ``find_library`` would have found it. So while
WeasyPrint is imported here, ``find_library`` finds nothing at once and WeasyPrint goes on to
that name: the same libraries, no process. Should that fail (a library in a place only
``find_library``'s probes know), the import runs again as WeasyPrint wrote it.
"""

from __future__ import annotations

import contextlib
import ctypes.util
import io
import sys
from collections.abc import Iterator
from types import ModuleType


def weasyprint() -> ModuleType:
    """The ``weasyprint`` module, imported (the first time) without ``find_library``'s probes."""
    if "weasyprint" not in sys.modules and sys.platform.startswith("linux"):
        with contextlib.suppress(OSError), _sonames_only(), contextlib.redirect_stdout(io.StringIO()):
            import weasyprint  # noqa: F401 - WeasyPrint prints on stdout when a library is missing
    import weasyprint

    return weasyprint


@contextlib.contextmanager
def _sonames_only() -> Iterator[None]:
    """``ctypes.util.find_library`` finding nothing, and running nothing, for a while."""
    find_library = ctypes.util.find_library
    ctypes.util.find_library = lambda name: None
    try:
        yield
    finally:
        ctypes.util.find_library = find_library
