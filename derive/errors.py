"""Errors a user can act on: each names the spec key at fault and what was expected.

The CLI prints them as one line and exits with status 2; nothing else in derive
catches them, so a bad spec never reaches a half-written file. A message is one clean
line whatever the spec holds: control characters and terminal escape codes in keys and
values are shown escaped (``\\n``, ``\\x1b``), and quoted inputs are cut to ``QUOTE_LIMIT``
characters with their length said.
"""

from __future__ import annotations

import re

QUOTE_LIMIT = 80
"""Characters of a user's input quoted in a message before it is cut."""
KEY_LIMIT = 80
MESSAGE_LIMIT = 600

_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]")
"""C0/C1 controls (newline, ESC), zero-width and bidirectional marks, line separators."""


def printable(text: str) -> str:
    """``text`` on one line, every control character shown as its escape (``\\n``, ``\\x1b``)."""
    return _UNPRINTABLE.sub(lambda match: match.group().encode("unicode_escape").decode("ascii"), text)


def cut(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, saying how long it was."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… ({len(text):,} characters)"


def quoted(value: object) -> str:
    """A user's input as a message quotes it: its repr, cut to ``QUOTE_LIMIT`` characters."""
    if isinstance(value, str) and len(value) > QUOTE_LIMIT:
        return f"{value[:QUOTE_LIMIT]!r}… ({len(value):,} characters)"
    return cut(repr(value), QUOTE_LIMIT)


class DeriveError(Exception):
    """A problem with the user's input, reported as ``key: message``."""

    def __init__(self, key: str, message: str) -> None:
        key = printable(cut(key, KEY_LIMIT))
        message = printable(cut(message, MESSAGE_LIMIT))
        super().__init__(f"{key}: {message}" if key else message)
        self.key = key
        self.message = message

    def __reduce__(self) -> tuple:
        """Pickled as it is (key and message already made printable and cut), so that an error
        raised in a child process (``numeric.tape_process``, a class set's worker) arrives whole."""
        return _rebuilt, (type(self), self.key, self.message)


def _rebuilt(kind: type[DeriveError], key: str, message: str) -> DeriveError:
    """A pickled DeriveError of class ``kind``, without running its checks on the text again."""
    error = kind.__new__(kind)
    Exception.__init__(error, f"{key}: {message}" if key else message)
    error.key, error.message = key, message
    return error


class SpecError(DeriveError):
    """The spec file or an override is malformed or inconsistent."""


class ExpressionError(SpecError):
    """An expression is outside the whitelist grammar."""


class NumericError(DeriveError):
    """A value is not finite, or the three ways of computing a gradient disagree."""
