"""``[notation]`` values under a whitelist grammar: the TeX a name needs, nothing that runs.

A notation value goes verbatim into MathML (latex2mathml copies ``\\text{...}`` into the
page), into ziamath's PDF layout and into the ``.tex``; so, like an expression, it is read
by a small grammar before anything else sees it. A tokenizer splits it into characters,
braces, ``_``/``^`` and control sequences; a recursive reader admits

- letters, digits, spaces and the punctuation ``( ) [ ] , . ; : ! | + - * / = '``,
- ``_`` and ``^`` with a braced group or one token, at most one of each per item,
- Greek letters and a few symbols (``\\ell``, ``\\partial``, ``\\nabla``, ``\\top``, ...),
- accents (``\\hat``, ``\\bar``, ``\\tilde``, ``\\vec``, ``\\dot``, ...) and font commands
  (``\\mathrm``, ``\\mathbf``, ``\\mathit``, ``\\boldsymbol``, ...) with one argument,
- ``\\text{...}`` holding plain characters (letters and digits of ASCII and Latin-1, spaces,
  ``.,;:!?'()-+=/*[]``), not empty and not starting with ``-``,

braces nested at most ``MAX_DEPTH`` deep; everything else (``\\input``, ``\\catcode``,
``\\write18``, ``\\href``, ``\\def``, ``^^`` escapes, ``&``, ``<``, ``>``, ``#``, ``%``,
unbalanced braces) is a ``SpecError`` naming ``notation.<name>``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from .errors import SpecError, printable

GREEK = frozenset("""
alpha beta gamma delta epsilon varepsilon zeta eta theta vartheta iota kappa lambda mu nu xi pi
varpi rho varrho sigma varsigma tau upsilon phi varphi chi psi omega
Gamma Delta Theta Lambda Xi Pi Sigma Upsilon Phi Psi Omega
""".split())
SYMBOLS = frozenset("ell partial nabla infty prime star ast top cdot circ dagger hbar imath jmath".split())
ACCENTS = frozenset("hat bar tilde vec dot ddot widehat widetilde overline".split())
FONTS = frozenset("mathrm mathbf mathit mathsf mathcal mathbb boldsymbol".split())
TEXT = "text"
COMMANDS = GREEK | SYMBOLS | ACCENTS | FONTS | {TEXT}
"""Every control word a notation may hold (``\\,``, a thin space, is the one control symbol)."""

MAX_DEPTH = 4
"""Braces (groups, arguments) nested deeper than this are refused."""

MATH_PUNCTUATION = frozenset("()[],.;:!|+-*/='")
TEXT_PUNCTUATION = frozenset(".,;:!?'()-+=/*[] ")

ALLOWED = (r"letters, digits, _{...}, ^{...}, Greek letters (\alpha), symbols (\ell, \partial), "
           r"accents (\hat, \bar, \tilde, \vec, \dot), fonts (\mathrm, \mathbf, \mathit, \boldsymbol) "
           r"and \text{...}")

_TOKEN = re.compile(r"\\[A-Za-z]+|\\.|.", re.DOTALL)


@dataclass
class _Reader:
    """A cursor over one notation value's tokens; ``key`` names it in errors."""

    key: str
    tokens: list[str]
    position: int = 0

    def skip_spaces(self) -> None:
        """Math mode ignores spaces between items (``\\text`` reads its own)."""
        while self.peek() == " ":
            self.position += 1

    def peek(self) -> str | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def take(self) -> str:
        token = self.peek()
        if token is None:
            raise self.error("ends too early: a command, _ or ^ needs its argument")
        self.position += 1
        return token

    def error(self, what: str) -> SpecError:
        return SpecError(self.key, f"{what}; notation takes {ALLOWED}")


def check_notation(key: str, value: str) -> str:
    """``value`` if it is admitted notation, else a ``SpecError`` naming ``key``."""
    reader = _Reader(key, _TOKEN.findall(value))
    _sequence(reader, depth=0)
    if reader.peek() is not None:  # only an unmatched "}" stops a top-level sequence
        raise reader.error("has an unmatched '}'")
    return value


def _sequence(reader: _Reader, depth: int) -> None:
    """Items up to a closing brace (left for the caller) or the end."""
    reader.skip_spaces()
    while reader.peek() not in (None, "}"):
        _item(reader, depth)
        reader.skip_spaces()


def _item(reader: _Reader, depth: int) -> None:
    """One atom, then at most one subscript and one superscript (primes count as one)."""
    if reader.peek() in ("_", "^"):
        raise reader.error(f"has a {reader.peek()} with nothing before it")
    _atom(reader, depth)
    reader.skip_spaces()
    seen: set[str] = set()
    if reader.peek() == "'":
        while reader.peek() == "'":
            reader.take()
        seen.add("^")
    while reader.peek() in ("_", "^"):
        mark = reader.take()
        if mark in seen:
            raise reader.error(f"has a second {mark} on one symbol (write {mark}{{...}} once)")
        seen.add(mark)
        _argument(reader, _deeper(reader, depth))
        reader.skip_spaces()
    if seen and reader.peek() == "'":
        raise reader.error("has a prime after _ or ^ (TeX reads it as a second superscript; write x'_{1})")


def _deeper(reader: _Reader, depth: int) -> int:
    """One level down (a group, a script, a command's argument), within ``MAX_DEPTH``."""
    if depth + 1 > MAX_DEPTH:
        raise reader.error(f"nests groups, scripts and commands more than {MAX_DEPTH} deep")
    return depth + 1


def _argument(reader: _Reader, depth: int) -> None:
    """A braced group or a single token, as a script or a command's argument, at ``depth``."""
    reader.skip_spaces()
    if reader.peek() in (None, "_", "^", "}", "'"):
        raise reader.error("has a command, _ or ^ without its argument")
    if reader.peek() == "{":
        reader.take()
        _group(reader, depth)
    else:
        _atom(reader, depth)


def _group(reader: _Reader, depth: int) -> None:
    """The rest of a group whose ``{`` was taken."""
    _sequence(reader, depth)
    if reader.peek() != "}":
        raise reader.error("has an unmatched '{'")
    reader.take()


def _atom(reader: _Reader, depth: int) -> None:
    token = reader.take()
    if token == "{":
        _group(reader, _deeper(reader, depth))
    elif token.startswith("\\"):
        _command(reader, token, depth)
    elif not (token.isascii() and (token.isalnum() or token in MATH_PUNCTUATION)):
        raise reader.error(f"holds {_shown(token)}, which is not allowed{_hint(token)}")


def _command(reader: _Reader, token: str, depth: int) -> None:
    if token == r"\,":
        return
    if token[1:] not in COMMANDS:
        raise reader.error(f"holds {_shown(token)}, which is not allowed")
    if token[1:] == TEXT:
        _text(reader)
    elif token[1:] in ACCENTS or token[1:] in FONTS:
        _argument(reader, _deeper(reader, depth))


def _text(reader: _Reader) -> None:
    """``\\text{...}``: plain characters only, up to the closing brace."""
    if reader.peek() != "{":
        raise reader.error(r"has \text without {...}")
    reader.take()
    if reader.peek() in ("}", "-"):  # ziamath cannot lay out an empty text or one that opens with -
        raise reader.error(r"has a \text{...} that is empty or starts with '-'")
    while (token := reader.take()) != "}":
        if not _plain(token):
            raise reader.error(rf"holds {_shown(token)} inside \text{{...}}, which takes plain characters")


def _plain(token: str) -> bool:
    """Letters and digits (ASCII and Latin-1, which pdflatex's T1 fonts and utf8 input have),
    and the punctuation of ``TEXT_PUNCTUATION``."""
    if len(token) != 1:
        return False
    return token in TEXT_PUNCTUATION or (token.isalnum() and ord(token) < 0x100)


def _hint(character: str) -> str:
    """`` (write \\lambda)`` for a Greek letter typed as itself."""
    words = unicodedata.name(character, "").split()
    name = words[-1].lower().replace("lamda", "lambda") if words[:1] == ["GREEK"] else ""
    name = name.capitalize() if "CAPITAL" in words else name
    return rf" (write \{name})" if name in GREEK else ""


def _shown(token: str) -> str:
    """A refused token as the message shows it: quoted, control characters escaped."""
    return f"'{printable(token)}'"
