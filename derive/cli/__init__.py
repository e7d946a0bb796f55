"""The ``derive`` command (click): thin commands that parse options and call the stages."""

from .commands import cli, main

__all__ = ["cli", "main"]
