"""What the ``derive`` commands share: a spec argument resolved to a file, a ``--format`` list parsed."""

from __future__ import annotations

import re
from pathlib import Path

from ..errors import SpecError
from ..render.formats import FORMATS
from ..spec.examples import DEFAULT_EXAMPLE, example_names, example_path

EXAMPLE_NAME = re.compile(r"[a-z0-9][a-z0-9-]*")
"""How built-in examples are named; any other spec argument is a file path."""


def _resolve(spec: str | None) -> tuple[Path, str]:
    """A spec argument is a file path or the name of a built-in example, never both: a word
    of lower-case letters, digits and hyphens names an example, anything else (a ``/``, a
    ``..``, a ``.toml``) is a path, and a missing file is an error. The stem, which names the
    output files, is the file's own name without its folder."""
    name = spec or DEFAULT_EXAMPLE
    if EXAMPLE_NAME.fullmatch(name):
        if name in example_names():
            return example_path(name), name
        hint = f"; a spec file is given by its path, e.g. ./{name}" if Path(name).is_file() else ""
        raise SpecError(name, f"no built-in example of that name (examples: {', '.join(example_names())})"
                              f"{hint}")
    path = Path(name)
    if not path.is_file():
        raise SpecError(name, "no such spec file" if not path.exists() else "not a file")
    return path, path.stem


def _formats(value: str) -> tuple[str, ...]:
    chosen = tuple(dict.fromkeys(part.strip() for part in value.split(",") if part.strip()))
    if value.strip() == "all":
        return FORMATS
    unknown = [f for f in chosen if f not in FORMATS]
    if unknown or not chosen:
        raise SpecError("--format", f"unknown format {', '.join(unknown) or value!r}; "
                                    f"expected a comma-separated list of {', '.join(FORMATS)} or all")
    return chosen
