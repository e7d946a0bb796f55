"""The only module that touches the disk: each file written to a temporary name, then renamed.

Every file derive writes is named inside an output folder (``--out``) with ``inside``,
which refuses a name that would resolve outside it: a ``..``, an absolute name, or a
symlink pointing out. A file-system failure (a full disk, a read-only folder, a name too long,
``--out`` a file or a dangling symlink) is a WriteError naming the path and the OS's reason,
with the temporary file removed.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import BinaryIO

from .errors import DeriveError, quoted


class WriteError(DeriveError):
    """A file could not be written: the key is its path, the message the OS's reason."""

    def __init__(self, path: Path, error: OSError) -> None:
        self.reason = str(error.strerror or error)
        super().__init__(str(path), f"cannot write it ({self.reason})")
        self.errno = error.errno


def _folder(path: Path) -> None:
    """Create ``path``'s folder, or a WriteError naming the part of it that is in the way."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except FileExistsError as error:  # --out a file, or a dangling symlink
        where = Path(error.filename or path.parent)
        why = "not a folder"
        if where.is_symlink():
            why = f"a symlink to {os.readlink(where)}, which does not exist"
        raise WriteError(where, OSError(error.errno, why)) from None
    except OSError as error:
        raise WriteError(Path(error.filename or path.parent), error) from None


def inside(out: Path, name: str) -> Path:
    """``out / name``, checked to resolve inside ``out`` (symlinks followed), else a DeriveError."""
    path = out / name
    root, resolved = out.resolve(), path.resolve()
    if Path(name).is_absolute() or root not in resolved.parents:
        raise DeriveError("--out", f"{quoted(name)} would be written outside {out} (to {resolved}); refused")
    return path


def check_inside(out: Path, names: Iterable[str]) -> None:
    """``inside`` for every one of ``names`` before any is written, so that a refusal writes
    nothing: each name is checked, and each that exists in ``out`` as a symlink is resolved (one
    pass over the folder, for the thousands of names of a class set)."""
    wanted = set()
    for name in names:
        if Path(name).name != name or name in (".", ".."):
            inside(out, name)  # a path, not a name: refused unless it stays inside
        wanted.add(name)
    if out.is_dir():
        with os.scandir(out) as entries:
            for entry in entries:
                if entry.name in wanted and entry.is_symlink():
                    inside(out, entry.name)


def write_all(out: Path, documents: Mapping[str, str | bytes]) -> list[Path]:
    """Write each document into ``out`` under its name, once every name is known to stay inside
    ``out`` (``check_inside``): a refused name writes nothing."""
    check_inside(out, documents)
    return [write_atomic(inside(out, name), content) for name, content in documents.items()]


def write_atomic(path: Path, content: str | bytes) -> Path:
    """Write ``content`` to ``path`` so a reader never sees a half-written file."""
    data = content.encode("utf-8") if isinstance(content, str) else content
    return write_atomic_stream(path, lambda stream: stream.write(data))


def write_atomic_stream(path: Path, write: Callable[[BinaryIO], object]) -> Path:
    """Let ``write`` fill a temporary file beside ``path``, then rename it into place."""

    def fill(temporary: Path) -> None:
        with open(temporary, "wb") as stream:
            write(stream)

    return write_atomic_path(path, fill)


def write_atomic_path(path: Path, fill: Callable[[Path], object]) -> Path:
    """Let ``fill`` write a temporary file beside ``path`` by its name, then rename it into place.

    For writers that want a file name rather than a Python stream (qpdf, so that a full disk is
    its error to report rather than a Python exception inside its C++ writer)."""
    _folder(path)
    try:
        handle, name = tempfile.mkstemp(prefix=f".{path.name[:200]}.", suffix=".tmp", dir=path.parent)
    except OSError as error:
        raise WriteError(path, error) from None
    os.close(handle)
    temporary = Path(name)
    try:
        fill(temporary)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except OSError as error:
        temporary.unlink(missing_ok=True)
        raise WriteError(path, error) from None
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return path
