"""The renderers' one-time work, done before the first sheet: imports, templates, fonts.

A process's first sheet paid for importing WeasyPrint and pikepdf, compiling the Jinja
templates, loading ziamath's math font and the DejaVu faces of ``outline_text``,
WeasyPrint's first document (fontconfig, Pango), and compiling Graphviz's WebAssembly
module (``figures.engine``: about a second, or 10 ms from the user's cache).
``warm_renderers`` does all of it, and nothing that needs TensorFlow: ``derive render``
calls it while its tape process imports TensorFlow, and ``classset.warm`` calls it in the
fork server of a class set's workers. It starts no thread, so a warmed process may still fork.
"""

from __future__ import annotations

import logging


def warm_renderers() -> None:
    """Import the renderers and do their first-use work."""
    import pikepdf  # noqa: F401 - imported to be inherited

    from . import json as export_json  # noqa: F401 - imported to be inherited
    from . import tex as render_tex  # noqa: F401 - imported to be inherited
    from .figures import engine
    from .pdf import document as render_pdf  # noqa: F401 - imported to be inherited
    from .pdf.formulas import drawing
    from .pdf.outline_text import FACES, face
    from .pdf.weasy import weasyprint
    from .templating import html_environment, tex_environment

    for environment, folder in ((html_environment(), "html/"), (tex_environment(), "tex/")):
        for name in environment.list_templates(filter_func=lambda n, f=folder: n.startswith(f)
                                               and n.endswith(".j2")):
            environment.get_template(name)
    for name in FACES:
        face(name)
    drawing("x")  # loads ziamath's math font
    engine.warm()
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    weasyprint().HTML(string="<p>warm <b>up</b></p>").write_pdf()
