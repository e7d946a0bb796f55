"""WeasyPrint imported without ``find_library``'s probes (``render.pdf.weasy``)."""

from __future__ import annotations

import subprocess
import sys

import pytest

RECORD = ("import subprocess\nstarted = []\noriginal = subprocess.Popen.__init__\n"
          "def record(self, args, *rest, **keywords):\n    started.append(args)\n"
          "    return original(self, args, *rest, **keywords)\n"
          "subprocess.Popen.__init__ = record\n")


def processes_started(code: str) -> str:
    run = subprocess.run([sys.executable, "-c", RECORD + code + "\nprint(started)"], capture_output=True,
                         text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    return run.stdout.strip()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="probes: Linux")
def test_weasyprint_starts_no_process_and_prints():
    assert "ldconfig" in processes_started("import weasyprint")  # as WeasyPrint imports itself
    started = processes_started("from derive.render.pdf.weasy import weasyprint\n"
                                "pdf = weasyprint().HTML(string='<p>one</p>').write_pdf()\n"
                                "assert pdf.startswith(b'%PDF')")
    assert started == "[]"
