"""``derive preview SPEC``: the sheet served on 127.0.0.1, rendered again whenever the spec changes.

One process keeps TensorFlow, SymPy and the templates loaded, so a change shows in about a
second. The page is the standalone HTML page with two additions that exist only in the
preview: a banner with the error line when the spec on disk is bad (the last good sheet
stays below it), and a small script that asks ``/version`` a few times a second and
reloads the page when the sheet changed. Files are watched with watchfiles (the folder, so
that an editor's save-by-rename is seen too). Nothing is written to disk.

It answers only a request addressed to this machine (a Host header of 127.0.0.1, localhost
or [::1], at its port), with 421 Misdirected Request otherwise: a web page whose own name its
owner has pointed at 127.0.0.1 (DNS rebinding) sends that name, and cannot read the sheet.
"""

from __future__ import annotations

import re
import sys
import threading
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import click
from markupsafe import escape

from ..errors import DeriveError, printable
from .common import _resolve

RELOAD = """<script>(() => {{
  const shown = "{version}";
  setInterval(async () => {{
    try {{ if ((await (await fetch("/version")).text()) !== shown) location.reload(); }} catch (e) {{}}
  }}, 250);
}})();</script>"""
BANNER = ('<div role="alert" style="position:sticky;top:0;z-index:9;margin:0 0 1em;padding:0.6em 1em;'
          'background:#8b0000;color:#fff;font:15px/1.4 sans-serif">{message}<br><small>The sheet below '
          'is the last one that rendered.</small></div>')
WAITING = ("<!doctype html><html lang=en><head><title>derive preview</title></head>"
           "<body><p>{message}</p></body></html>")


@dataclass
class Preview:
    """What the server shows: the last good page, the current error, and a version number."""

    spec: str
    overrides: tuple[str, ...]
    version: int = 0
    page: str = ""
    error: str = ""
    lock: threading.Lock = field(default_factory=threading.Lock)

    def render(self) -> None:
        """Render the spec as it is on disk now; on an error keep the last good page."""
        from ..render.html import render_page
        from ..sheet.build import build_worksheet
        from ..spec.limits import read_text
        from ..spec.schema import parse_spec

        try:
            path, stem = _resolve(self.spec)
            text = read_text(path)
            page, error = render_page(build_worksheet(parse_spec(text, self.overrides, str(path)), stem)), ""
        except DeriveError as failure:
            page, error = None, f"derive: error: {failure}"
        except Exception as failure:  # a fault of derive's own: shown, and the preview keeps serving
            page, error = None, (f"derive: error: {self.spec}: derive failed on this spec "
                                 f"({type(failure).__name__}: {failure}); please report it")
        with self.lock:
            self.page = page if page is not None else self.page
            self.error = error
            self.version += 1

    def document(self) -> str:
        """The page as served: the sheet, the error banner if any, and the reload script."""
        with self.lock:
            page, error, version = self.page, self.error, self.version
        if not page:
            page = WAITING.format(message=escape(error or "rendering…"))
        banner = BANNER.format(message=escape(printable(error))) if error else ""
        return page.replace("<body>", f"<body>\n{banner}", 1).replace(
            "</body>", RELOAD.format(version=version) + "\n</body>", 1)


_LOCAL_HOST = re.compile(r"(?:127\.0\.0\.1|localhost|\[::1\])(?::(?P<port>[0-9]{1,5}))?", re.IGNORECASE)


def addressed_here(hosts: list[str], port: int) -> bool:
    """Whether a request's Host headers are one, naming this machine (127.0.0.1, localhost or
    [::1]) and, if they give a port, ``port``."""
    match = _LOCAL_HOST.fullmatch(hosts[0].strip()) if len(hosts) == 1 else None
    return match is not None and match["port"] in (None, str(port))


class _Server(ThreadingHTTPServer):
    """The preview's server: a browser that goes away mid-answer (a reload, a closed tab, a poll
    cut short) is nothing to report; any other failure of a request is one line of derive's."""

    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        error = sys.exc_info()[1]
        if not isinstance(error, ConnectionError):
            click.echo(f"derive: error: preview: {type(error).__name__}: {printable(str(error))}", err=True)


def _handler(preview: Preview) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            if not addressed_here(self.headers.get_all("Host") or [], self.server.server_address[1]):
                self.send_error(HTTPStatus.MISDIRECTED_REQUEST,
                                explain="derive preview answers requests to 127.0.0.1 or localhost only")
                return
            if self.path == "/version":
                body, kind = str(preview.version).encode(), "text/plain"
            elif self.path in ("/", "/index.html"):
                body, kind = preview.document().encode(), "text/html; charset=utf-8"
            else:
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Cache-Control", "no-store")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *arguments: object) -> None:  # stderr carries derive's lines only
            pass

    return Handler


@click.command()
@click.argument("spec")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="Port on 127.0.0.1 (0: any free port).")
@click.option("--set", "overrides", multiple=True, metavar="KEY=VALUE", help="Override a scalar of the spec.")
def preview(spec: str, port: int, overrides: tuple[str, ...]) -> None:
    """Serve SPEC's sheet on http://127.0.0.1:PORT/ and render it again whenever the file changes.

    The browser page reloads by itself; a spec error shows on the page above the last good
    sheet. Stop with Ctrl-C.

    \b
    Example:
      derive preview my-neuron.toml --port 8000
    """
    import watchfiles

    path, _ = _resolve(spec)
    state = Preview(spec, overrides)
    state.render()
    try:
        server = _Server(("127.0.0.1", port), _handler(state))
    except OSError as error:
        raise DeriveError("--port", f"cannot serve on 127.0.0.1:{port} ({error.strerror})") from None
    threading.Thread(target=server.serve_forever, daemon=True).start()
    click.echo(f"derive: preview of {printable(str(path))} at http://127.0.0.1:{server.server_port}/ "
               "(Ctrl-C to stop)")
    target = path.resolve()
    try:
        for _changes in watchfiles.watch(target.parent, debounce=50, step=20,
                                         watch_filter=lambda _change, name: Path(name).resolve() == target):
            state.render()
    finally:
        server.shutdown()
