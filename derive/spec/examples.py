"""Built-in example specs shipped inside the package, addressed by name."""

from __future__ import annotations

import tomllib
from importlib import resources
from pathlib import Path

DEFAULT_EXAMPLE = "neuron-bce"


def example_names() -> list[str]:
    """Every built-in example, sorted."""
    folder = resources.files("derive") / "examples"
    return sorted(entry.name.removesuffix(".toml") for entry in folder.iterdir()
                  if entry.name.endswith(".toml"))


def example_path(name: str) -> Path | None:
    """The file of example ``name``, or None if there is none."""
    candidate = resources.files("derive") / "examples" / f"{name}.toml"
    return Path(str(candidate)) if candidate.is_file() else None


def example_title(name: str) -> str:
    """The title line of an example, for listings."""
    path = example_path(name)
    return tomllib.loads(path.read_text(encoding="utf-8")).get("title", "") if path else ""
