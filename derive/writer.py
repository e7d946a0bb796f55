"""The only module that touches the disk: each file written to a temporary name, then renamed.

Every file derive writes is named inside an output folder (``--out``) with ``inside``,
which refuses a name that would resolve outside it: a ``..``, an absolute name, or a
symlink pointing out.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from .errors import DeriveError, quoted


def inside(out: Path, name: str) -> Path:
    """``out / name``, checked to resolve inside ``out`` (symlinks followed), else a DeriveError."""
    path = out / name
    root, resolved = out.resolve(), path.resolve()
    if Path(name).is_absolute() or root not in resolved.parents:
        raise DeriveError("--out", f"{quoted(name)} would be written outside {out} (to {resolved}); refused")
    return path


def write_atomic(path: Path, content: str | bytes) -> Path:
    """Write ``content`` to ``path`` so a reader never sees a half-written file."""
    data = content.encode("utf-8") if isinstance(content, str) else content
    return write_atomic_stream(path, lambda stream: stream.write(data))


def write_atomic_stream(path: Path, write: Callable[[BinaryIO], object]) -> Path:
    """Let ``write`` fill a temporary file beside ``path``, then rename it into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            write(stream)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path
