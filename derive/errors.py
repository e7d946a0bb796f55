"""Errors a user can act on: each names the spec key at fault and what was expected.

The CLI prints them as one line and exits with status 2; nothing else in derive
catches them, so a bad spec never reaches a half-written file.
"""

from __future__ import annotations


class DeriveError(Exception):
    """A problem with the user's input, reported as ``key: message``."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(f"{key}: {message}" if key else message)
        self.key = key
        self.message = message


class SpecError(DeriveError):
    """The spec file or an override is malformed or inconsistent."""


class ExpressionError(SpecError):
    """An expression is outside the whitelist grammar."""


class NumericError(DeriveError):
    """A value is not finite, or the three ways of computing a gradient disagree."""
