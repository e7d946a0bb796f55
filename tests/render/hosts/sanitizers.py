"""The hosts' real sanitizers, run as the hosts run them: Canvas's allowlist under Ruby's Sanitize
gem (``canvas_sanitize.rb``) and Moodle's ``purify_html`` configuration under HTMLPurifier
(``moodle_purify.php``). Each takes a fragment and returns what the host keeps of it.
"""

from __future__ import annotations

import shutil
import subprocess
from functools import lru_cache
from pathlib import Path

from ...conftest import require_tool

HERE = Path(__file__).parent
DEBIAN_HTMLPURIFIER = Path("/usr/share/php/HTMLPurifier.auto.php")
PHP8_FIXES = {
    "Encoder.php": ("$str{$i}", "$str[$i]"),
    "ChildDef/Custom.php": ("$raw{0}", "$raw[0]"),
    "TagTransform/Font.php": ("$attr['size']{0}", "$attr['size'][0]"),
}
"""Debian 12's php-htmlpurifier (4.11) has three string offsets in braces, which PHP 8 refuses to
compile (fixed upstream in 4.12 as brackets); the tests run a copy with these spelt as brackets."""


def canvas(fragment: str) -> str:
    """What Canvas keeps of ``fragment``."""
    ruby = require_tool("ruby")
    return _run([ruby, str(HERE / "canvas_sanitize.rb")], fragment)


def moodle(fragment: str) -> str:
    """What Moodle keeps of ``fragment`` (a teacher's text through ``format_text``'s purifier)."""
    php = require_tool("php")
    return _run([php, "-d", f"include_path={_htmlpurifier()}", str(HERE / "moodle_purify.php")], fragment)


@lru_cache(maxsize=1)
def _htmlpurifier() -> Path:
    """A copy of Debian's HTMLPurifier that PHP 8 compiles (see ``PHP8_FIXES``)."""
    if not DEBIAN_HTMLPURIFIER.exists():
        require_tool("php-htmlpurifier (/usr/share/php/HTMLPurifier.auto.php)")
    import atexit
    import tempfile

    root = Path(tempfile.mkdtemp(prefix="derive-htmlpurifier-"))
    atexit.register(shutil.rmtree, root, True)
    for path in DEBIAN_HTMLPURIFIER.parent.glob("HTMLPurifier*"):
        (shutil.copytree if path.is_dir() else shutil.copy)(path, root / path.name)
    for name, (old, new) in PHP8_FIXES.items():
        source = root / "HTMLPurifier" / name
        text = source.read_text()
        if old in text:
            source.write_text(text.replace(old, new))
    return root


def _run(command: list[str], fragment: str) -> str:
    done = subprocess.run(command, input=fragment, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and not done.stderr, done.stderr
    return done.stdout
