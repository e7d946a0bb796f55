"""Shared fixtures: specs written as text, the way instructors write them."""

from __future__ import annotations

import contextlib
import textwrap

import pytest

from derive.spec.schema import Spec, parse_spec

DEFAULT = textwrap.dedent('''
    title = "Backpropagation through one sigmoid neuron"
    intro = "One training example, one neuron, binary cross-entropy."
    [inputs]
    x1 = 1.3
    x2 = 2.1
    Y  = 1.0
    [parameters]
    w1 = 0.7
    w2 = -0.3
    b  = 1.0
    [graph]
    A1 = "x1*w1 + x2*w2 + b"
    A2 = "sigmoid(A1)"
    A3 = "bce(A2, Y)"
    [train]
    loss = "A3"
    learning_rate = 0.1
    steps = 1
''')

# One hidden unit feeding two outputs: two paths from the loss to w and b.
TWO_OUTPUTS = textwrap.dedent('''
    title = "One hidden unit, two outputs"
    [inputs]
    x = 0.5
    t1 = 1.0
    t2 = 0.0
    [parameters]
    w = 0.8
    b = -0.2
    v1 = 1.5
    v2 = -0.7
    [graph]
    z = "x*w + b"
    h = "sigmoid(z)"
    o1 = "h*v1"
    o2 = "h*v2"
    L = "0.5*(o1 - t1)**2 + 0.5*(o2 - t2)**2"
    [train]
    learning_rate = 0.5
''')


def spec_from(text: str, *overrides: str) -> Spec:
    """A validated spec from TOML text."""
    return parse_spec(text, overrides)


@pytest.fixture
def default_spec() -> Spec:
    return spec_from(DEFAULT)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true",
                     help="rewrite the golden files from the current output (review the diff first)")


def require_tool(name: str) -> str:
    """The path of an external tool; skip without it, fail under DERIVE_REQUIRE_TOOLS=1."""
    import os
    import shutil

    path = shutil.which(name)
    if path is None:
        message = f"{name} is not installed (make tools installs it)"
        if os.environ.get("DERIVE_REQUIRE_TOOLS") == "1":
            pytest.fail(message)
        pytest.skip(message)
    return path


HOSTILE_TITLE = r"<script>alert(1)</script> & \input{/etc/passwd} 100% $x$ a_b #1 ~ ^"
HOSTILE_INTRO = r"Costs & benefits: 50% of \textbf{x}_1 {braces} <b>bold</b>"


def run_cli(monkeypatch, capsys, *arguments: str) -> tuple[int, str, str]:
    """Run the ``derive`` command in-process: (exit status, stdout, stderr)."""
    import sys

    from derive.cli.commands import main

    monkeypatch.setattr(sys, "argv", ["derive", *arguments])
    code = 0
    try:
        main()
    except SystemExit as exit_:
        code = exit_.code or 0
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def write_page_pdf(page, boxes=None) -> bytes:
    """WeasyPrint's PDF of ``page`` (a ``weasyprint.HTML``), with ``boxes``' drawings drawn in if given."""
    return page.write_pdf() if boxes is None else boxes.write_pdf(page.render())


@contextlib.contextmanager
def headless_chromium(*arguments: str):
    """Debian's Chromium driven by Playwright, headless (skips without chromium, as require_tool)."""
    chromium = require_tool("chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium,
                                              args=["--no-sandbox", "--disable-gpu", *arguments])
        try:
            yield launched
        finally:
            launched.close()
