"""Fork first: ``derive render``'s TensorFlow child, started before anything heavy is imported.

The child (``numeric.tape_process``) spends seconds importing TensorFlow while the render
does everything that needs no number; whatever the parent imported before forking it (click,
pydantic, SymPy through the schema and the model: about 0.6 s) delayed it, and on a busy
machine delayed the whole render. So ``cli.main`` calls ``start`` before any of that, on the
bare arguments: ``derive render``, unless it asks for help, a variant, blanks or only a
practice page, which run no child. ``render_one`` then ``take``s the child, or starts one
where none was started (the in-process CLI of the tests, the arguments read otherwise than
here); ``close`` kills a child nobody took: the spec was refused (in the same fraction of a
second: the child never answered anything) or the command needed none.
"""

from __future__ import annotations

from ..classset.lifeline import start_worker
from ..numeric.tape_process import TapeProcess

_started: TapeProcess | None = None
NO_CHILD = frozenset({"-h", "--help", "--version", "--variant", "--blanks"})
"""Options with which ``derive render`` runs no tape child (``render_with_blanks`` runs in-process)."""
PAGES_ONLY = frozenset({"practice", "scorm"})
"""Formats written for the spec's set (``cli.practice``), without a sheet of the spec's own."""


def start(arguments: list[str]) -> None:
    """Fork the tape child now if ``arguments`` (after ``derive``) are a render that uses it."""
    global _started
    if arguments[:1] == ["render"] and _wants_tape(arguments[1:]):
        _started = TapeProcess.start(start_worker)


def _wants_tape(options: list[str]) -> bool:
    names = {option[:option.find("=")] if "=" in option else option for option in options}  # --format=pdf
    if names & NO_CHILD:
        return False
    formats = [value for option, value in zip(options, options[1:], strict=False) if option == "--format"]
    formats += [option.removeprefix("--format=") for option in options if option.startswith("--format=")]
    return not formats or not {f.strip() for f in formats[-1].split(",")} <= PAGES_ONLY


def take() -> TapeProcess:
    """The child started first, or one started now."""
    global _started
    started, _started = _started, None
    return started if started is not None else TapeProcess.start(start_worker)


def close() -> None:
    """Kill the child if nobody took it."""
    global _started
    if _started is not None:
        _started.close()
        _started = None
