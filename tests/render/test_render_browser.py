"""Headless Chromium renders the HTML page: a screenshot, and every <math> with a real size."""

from __future__ import annotations

import json
import re
import subprocess

import pytest

from derive.render.html import render_page
from derive.sheet.build import build_worksheet

from ..conftest import DEFAULT, require_tool, spec_from

MEASURE = """<script>
const sizes = [...document.querySelectorAll('math')].map(m => {
  const box = m.getBoundingClientRect(); return [box.width, box.height]; });
document.body.setAttribute('data-math', JSON.stringify(sizes));
</script></body>"""


def chromium(tmp_path, *arguments: str) -> subprocess.CompletedProcess:
    binary = require_tool("chromium")
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
             "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
             f"--user-data-dir={tmp_path / 'profile'}"]
    return subprocess.run([binary, *flags, *arguments], capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def page():
    return render_page(build_worksheet(spec_from(DEFAULT), "neuron-bce"))


def test_screenshot_of_the_page(tmp_path, page):
    html = tmp_path / "sheet.html"
    html.write_text(page, encoding="utf-8")
    png = tmp_path / "sheet.png"
    chromium(tmp_path, f"--screenshot={png}", "--window-size=1000,2000", html.as_uri())
    assert png.exists() and png.stat().st_size > 20_000


def test_every_math_element_has_a_size(tmp_path, page):
    html = tmp_path / "measure.html"
    html.write_text(page.replace("</body>", MEASURE), encoding="utf-8")
    run = chromium(tmp_path, "--virtual-time-budget=5000", "--dump-dom", html.as_uri())
    found = re.search(r'data-math="([^"]*)"', run.stdout)
    assert found, run.stderr[-2000:]
    sizes = json.loads(found.group(1).replace("&quot;", '"'))
    assert len(sizes) == page.count("<math")
    assert all(width > 0 and height > 0 for width, height in sizes), sizes
