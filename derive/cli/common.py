"""What the ``derive`` commands share: a spec argument resolved to a file, a ``--format`` list parsed."""

from __future__ import annotations

from pathlib import Path

from ..errors import SpecError
from ..render.formats import FORMATS
from ..spec.examples import DEFAULT_EXAMPLE, example_names, example_path


def _resolve(spec: str | None) -> tuple[Path, str]:
    """A spec argument is a file path or the name of a built-in example."""
    name = spec or DEFAULT_EXAMPLE
    path = Path(name)
    if path.is_file():
        return path, path.stem
    builtin = example_path(name)
    if builtin is not None:
        return builtin, name
    raise SpecError(name, f"no such file, and no built-in example of that name "
                          f"(examples: {', '.join(example_names())})")


def _formats(value: str) -> tuple[str, ...]:
    chosen = tuple(dict.fromkeys(part.strip() for part in value.split(",") if part.strip()))
    if value.strip() == "all":
        return FORMATS
    unknown = [f for f in chosen if f not in FORMATS]
    if unknown or not chosen:
        raise SpecError("--format", f"unknown format {', '.join(unknown) or value!r}; "
                                    f"expected a comma-separated list of {', '.join(FORMATS)} or all")
    return chosen
