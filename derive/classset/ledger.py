"""What a class set's folder holds: one batch at a time, and which variants are this spec's.

``batch.json`` records what the set is (the manifest: the spec's digest, seed, formats ...)
and how many variants, from the first, are complete under it, with the set's one precision
once the batch has found it (so a rerun does not survey the draws again). Variants are written in order,
so the complete ones are always a prefix; the count is raised after each variant's files are
written. A changed manifest starts the count at 0, so an edited spec rerun into the same
``--out`` never counts the old spec's files as its own, even after a run killed part-way.

``.batch.lock`` is held (``flock``) while a batch runs, so a second batch into the same
folder is refused instead of mixing its files in; the kernel releases it when the process
ends, however it ends.
"""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ..errors import DeriveError
from ..writer import WriteError, inside, write_atomic

MANIFEST = "batch.json"
LOCK = ".batch.lock"
AGGREGATES = ("answers.csv", "answers.json", "students.pdf", "keys.pdf")


@contextmanager
def locked(out: Path) -> Iterator[None]:
    """Hold ``out``'s batch lock, or refuse with a one-line error if another batch holds it."""
    path = inside(out, LOCK)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise WriteError(out, error) from None
    while True:
        try:
            handle = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as error:
            raise WriteError(path, error) from None
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(handle, 32).decode("ascii", "replace").strip() or "unknown"
            os.close(handle)
            raise DeriveError("--out", f"{out} is in use by another derive batch (process {holder}); wait "
                                       "for it to finish, or write into another folder") from None
        try:
            same = os.fstat(handle).st_ino == os.stat(path).st_ino
        except FileNotFoundError:
            same = False
        if same:  # not a lock file that the batch before unlinked after we opened it
            break
        os.close(handle)
    try:
        os.ftruncate(handle, 0)
        os.write(handle, f"{os.getpid()}\n".encode())
        _remove_temporaries(out)
        yield
    finally:
        Path(path).unlink(missing_ok=True)
        os.close(handle)


def _remove_temporaries(out: Path) -> None:
    """Remove what a batch killed mid-write left (``.name.xxxx.tmp``): no one else writes here now."""
    for stale in out.glob(".*.tmp"):
        stale.unlink(missing_ok=True)


def claim(out: Path, manifest: dict[str, Any]) -> int:
    """How many variants, from the first, ``out`` holds complete for this very set.

    For another set (or none), the old aggregates are removed and the count starts at 0."""
    path = inside(out, MANIFEST)
    try:
        recorded = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(recorded, dict) and recorded.get("set") == manifest:
            complete = recorded.get("complete")
            if isinstance(complete, int) and not isinstance(complete, bool) and complete >= 0:
                return complete
    except (OSError, ValueError):
        pass
    for name in AGGREGATES:
        (out / name).unlink(missing_ok=True)
    record(out, manifest, 0)
    return 0


def record(out: Path, manifest: dict[str, Any], complete: int, precision: int | None = None) -> None:
    """Say in ``batch.json`` that variants 1 to ``complete`` are this set's, complete, shown
    to ``precision`` significant digits (None: not found yet)."""
    entry: dict[str, Any] = {"set": manifest, "complete": complete}
    if precision is not None:
        entry["precision"] = precision
    write_atomic(inside(out, MANIFEST), json.dumps(entry, indent=2) + "\n")


def recorded_precision(out: Path, manifest: dict[str, Any]) -> int | None:
    """The precision ``batch.json`` records for this very set, or None."""
    try:
        recorded = json.loads(inside(out, MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    precision = recorded.get("precision") if isinstance(recorded, dict) and recorded.get("set") == manifest \
        else None
    return precision if isinstance(precision, int) and not isinstance(precision, bool) and precision > 0 \
        else None
