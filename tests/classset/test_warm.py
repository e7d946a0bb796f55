"""The fork server's warm start: everything a worker needs once, and no thread to fork."""

from __future__ import annotations

import json
import os
import subprocess
import sys


def test_the_warmed_process_has_one_thread_and_tensorflow_imported(tmp_path):
    """With an empty cache, so that the warm-up compiles Graphviz's module (on its one thread)."""
    probe = ("import json, os, sys, derive.classset.warm\n"
             "from derive.render.figures.engine import _compiled\n"
             "from derive.render.pdf.outline_text import face, FACES\n"
             "from derive.render.templating import html_environment, tex_environment\n"
             "compiled = sorted(k[1] for e in (html_environment(), tex_environment()) for k in e.cache)\n"
             "threads = len(os.listdir(f'/proc/{os.getpid()}/task'))\n"
             "print(json.dumps({'threads': threads, 'tensorflow': 'tensorflow' in sys.modules,\n"
             "                  'fonts': face.cache_info().currsize == len(FACES), 'templates': compiled,\n"
             "                  'graphviz': _compiled.cache_info().currsize}))")
    environment = {**os.environ, "OPENBLAS_NUM_THREADS": "1",  # as derive.cli.batch starts the fork server
                   "XDG_CACHE_HOME": str(tmp_path)}
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True,
                            env=environment)
    state = json.loads(result.stdout.strip().splitlines()[-1])
    templates = ["html/base.html.j2", "html/fragment-inline.html.j2",
                 "html/fragment.html.j2", "html/page.html.j2", "html/paper/a4.html.j2",
                 "html/paper/letter.html.j2", "html/print.html.j2", "tex/paper/a4.tex.j2",
                 "tex/paper/letter.tex.j2", "tex/worksheet.tex.j2"]
    assert state == {"threads": 1, "tensorflow": True, "fonts": True, "templates": templates, "graphviz": 1}
    assert [p.suffix for p in (tmp_path / "derive").iterdir()] == [".cwasm"]  # compiled, and kept


def test_a_failing_warm_up_leaves_the_fork_server_standing(monkeypatch):
    """The fork server dies on any preload error but ImportError; workers then start cold."""
    import derive.classset.warm as warm

    calls = []

    def broken() -> None:
        calls.append("warm")
        raise OSError("cannot load library 'pango-1.0-0'")

    monkeypatch.setattr(warm, "warm", broken)
    warm.warm_or_leave_cold()  # does not raise
    assert calls == ["warm"]  # it did try to warm: passing by doing nothing is not passing

