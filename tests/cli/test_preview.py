"""``derive preview``: served on 127.0.0.1, rendered again on a change, an error shown on the page.

Driven by a real headless Chromium (Playwright with Debian's chromium): the page reloads by
itself when the spec changes, and a bad spec shows its error above the last good sheet.
"""

from __future__ import annotations

import math
import socket
import subprocess
import sys
import time

import pytest

from derive.cli.preview import addressed_here

from ..conftest import DEFAULT, headless_chromium


@pytest.fixture
def served(tmp_path):
    """A running ``derive preview`` of a spec in ``tmp_path``: (spec path, URL); stopped after."""
    spec = tmp_path / "sheet.toml"
    spec.write_text(DEFAULT)
    process = subprocess.Popen([sys.executable, "-c", "from derive.cli import main; main()", "preview",
                                str(spec), "--port", "0"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
    line = process.stdout.readline()
    assert "http://127.0.0.1:" in line, process.stderr.read()
    yield spec, line.split(" at ")[1].split()[0]
    process.terminate()
    process.wait(timeout=20)
    assert process.stderr.read() == ""  # no line derive did not write, TensorFlow's included


@pytest.fixture
def browser():
    with headless_chromium() as launched:
        yield launched


def test_the_page_follows_the_file_and_shows_an_error_over_the_last_good_sheet(served, browser):
    spec, url = served
    page = browser.new_page()
    page.goto(url)
    assert page.title() == "Backpropagation through one sigmoid neuron"
    assert "0.2453255" in page.inner_text("body")  # the seed's loss, computed
    started = time.monotonic()
    spec.write_text(DEFAULT.replace("Backpropagation through one sigmoid neuron", "Changed title")
                    .replace("x1 = 1.3", "x1 = 2.0"))
    page.wait_for_function("document.title === 'Changed title'", timeout=30_000)
    assert time.monotonic() - started < 15
    loss = -math.log(1 / (1 + math.exp(-(2.0 * 0.7 - 0.3 * 2.1 + 1.0))))  # BCE with Y = 1, by hand
    assert f"{loss:.6g}" in page.inner_text("body")
    spec.write_text(DEFAULT.replace("sigmoid(A1)", "sigmod(A1)"))
    alert = page.wait_for_selector("[role=alert]", timeout=30_000)
    assert "derive: error: graph.A2: unknown function 'sigmod'" in alert.inner_text()
    assert page.title() == "Changed title"  # the last good sheet stays
    spec.write_text(DEFAULT)
    page.wait_for_function("document.title === 'Backpropagation through one sigmoid neuron'", timeout=30_000)
    assert page.query_selector("[role=alert]") is None


def _raw_get(port: int, host: str | None, path: str = "/") -> tuple[int, bytes]:
    """A GET of ``path`` sent by hand to 127.0.0.1:``port`` with this Host header (none: HTTP/1.0
    without one): the status and the whole response."""
    head = f"GET {path} HTTP/1.1\r\nHost: {host}\r\n" if host is not None else f"GET {path} HTTP/1.0\r\n"
    with socket.create_connection(("127.0.0.1", port), timeout=60) as connection:
        connection.sendall(f"{head}Connection: close\r\n\r\n".encode("ascii"))
        response = b""
        while chunk := connection.recv(65536):
            response += chunk
    return int(response.split(b" ", 2)[1]), response


def test_only_requests_addressed_to_this_machine_get_the_sheet(served):
    """DNS rebinding: a page at evil.example whose name now resolves to 127.0.0.1 sends its own name."""
    _, url = served
    port = int(url.rstrip("/").rsplit(":", 1)[1])
    for host in (f"127.0.0.1:{port}", f"localhost:{port}", f"[::1]:{port}", f"LocalHost:{port}"):
        status, response = _raw_get(port, host)
        assert status == 200 and b"0.2453255" in response, host  # the seed's loss, on the sheet
    for host in (f"evil.example:{port}", f"127.0.0.1.evil.example:{port}", "evil.example",
                 f"localhost:{port + 1}", "", None):
        for path in ("/", "/version"):
            status, response = _raw_get(port, host, path)
            assert status == 421 and b"0.2453255" not in response and b"sigmoid" not in response, (host, path)


@pytest.mark.parametrize("hosts, port, answered", [
    (["127.0.0.1:8000"], 8000, True), (["localhost"], 8000, True), (["[::1]:8000"], 8000, True),
    (["evil.example:8000"], 8000, False), (["127.0.0.1:8001"], 8000, False), ([], 8000, False),
    (["127.0.0.1:8000", "evil.example:8000"], 8000, False), (["localhost.evil.example:8000"], 8000, False),
])
def test_addressed_here(hosts, port, answered):
    assert addressed_here(hosts, port) is answered


def test_a_spec_derive_fails_on_shows_one_line_and_the_preview_keeps_serving(tmp_path, monkeypatch):
    """x = 5e-324 once raised ZeroDivisionError and ended a running preview; whatever derive's own
    fault, the page shows it as one line above the last good sheet, and the next save renders."""
    import derive.sheet.build
    from derive.cli.preview import Preview

    spec = tmp_path / "sheet.toml"
    spec.write_text(DEFAULT)
    state = Preview(str(spec), ())
    state.render()
    good = state.page
    assert good and not state.error

    def broken(*arguments, **options):
        raise ZeroDivisionError("float division by zero")

    real = derive.sheet.build.build_worksheet
    monkeypatch.setattr(derive.sheet.build, "build_worksheet", broken)
    state.render()
    assert state.page == good and state.version == 2
    assert state.error.startswith(f"derive: error: {spec}: derive failed on this spec (ZeroDivisionError: ")
    assert "\n" not in state.error
    monkeypatch.setattr(derive.sheet.build, "build_worksheet", real)
    spec.write_text(DEFAULT.replace("x1 = 1.3", "x1 = 5e-324"))
    state.render()
    assert not state.error and state.page != good


def test_a_browser_that_goes_away_mid_answer_leaves_no_traceback(served):
    """A reload or a closed tab cuts the connection while the sheet is being sent: the server
    writes into a reset socket, says nothing on stderr (the fixture checks), and keeps serving."""
    import struct

    _, url = served
    port = int(url.rsplit(":", 1)[1].strip("/"))
    for _ in range(5):
        connection = socket.create_connection(("127.0.0.1", port), timeout=60)
        connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # close = reset
        connection.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        connection.recv(1)  # the answer has started
        connection.close()
    time.sleep(1.0)  # the handler threads meet the reset
    status, body = _raw_get(port, "127.0.0.1")
    assert status == 200 and b"Backpropagation through one sigmoid neuron" in body
