"""What a class set's folder holds: one set, one batch at a time, and which variants are complete.

``batch.json`` records what the set is (the manifest: the spec's digest, seed, count, formats,
quizzes ...) and how many variants, from the first, are complete under it, with the set's one
precision once the batch has found it (so a rerun does not survey the draws again). Variants are
written in order, so the complete ones are always a prefix; the count is raised after each
variant's files are written. A rerun with the same manifest resumes there.

A folder holds one set. A batch whose manifest differs from the one ``batch.json`` records (another
spec, the same spec edited, another count, seed or formats) is refused with one line before any
work, unless told to replace it (``--replace``): then every file of the old set (its variants,
answers, joined PDFs, quizzes) is removed before the new ``batch.json`` is written, so that an
interruption part-way leaves the old set's ``batch.json``, and the same command finishes the job.

``.batch.lock`` is held (``flock``) while a batch runs, so a second batch into the same
folder is refused instead of mixing its files in; the kernel releases it when the process
ends, however it ends.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ..errors import DeriveError, quoted
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


_UNREADABLE = {"set": None}
"""What ``_recorded`` gives for a ``batch.json`` that is not one derive wrote."""


def _recorded(out: Path) -> dict[str, Any] | None:
    """What ``out``'s ``batch.json`` says, or None where there is none (no set)."""
    path = inside(out, MANIFEST)
    try:
        recorded = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        return _UNREADABLE
    return recorded if isinstance(recorded, dict) and isinstance(recorded.get("set"), dict) else _UNREADABLE


def refuse_another(out: Path, manifest: dict[str, Any], replace: bool = False) -> None:
    """A one-line error if ``out`` holds another set than ``manifest``'s and ``replace`` is not given."""
    recorded = _recorded(out)
    if replace or recorded is None or recorded.get("set") == manifest:
        return
    raise DeriveError("--out", f"{out} holds another class set ({_differences(recorded['set'], manifest)}); "
                               "add --replace to replace it, or choose another --out")


def claim(out: Path, manifest: dict[str, Any], replace: bool = False) -> int:
    """How many variants, from the first, ``out`` holds complete for this very set.

    Another set is refused (``refuse_another``) or, with ``replace``, removed whole; then the count
    starts at 0."""
    refuse_another(out, manifest, replace)
    recorded = _recorded(out)
    if recorded is not None and recorded.get("set") == manifest:
        complete = recorded.get("complete")
        if isinstance(complete, int) and not isinstance(complete, bool) and complete >= 0:
            return complete
    if recorded is not None:
        remove_set(out, recorded.get("set"))
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


def set_names(variant_id: Callable[[int], str], count: int, formats: tuple[str, ...]) -> Iterator[str]:
    """Every name a set of ``count`` variants in ``formats`` may write into its folder."""
    from ..render.quiz import SET_FORMATS
    from .variant_job import expected_files

    yield from (MANIFEST, LOCK, *AGGREGATES, *(quiz.file_name for quiz in SET_FORMATS.values()))
    for k in range(1, count + 1):
        yield from expected_files(variant_id(k), formats)


_VARIANT_FILE = r"-\d+\.(?:student|key)\."
"""What follows ``<stem>-<seed>`` in the name of a variant's file (``-07.key.pdf``)."""


def set_files(out: Path, manifest: dict[str, Any] | None) -> list[Path]:
    """The files in ``out`` that belong to the set of ``manifest`` (None: a set whose ``batch.json``
    cannot be read; then any variant's file), ``batch.json`` last."""
    from ..render.quiz import SET_FORMATS

    stem, seed = (manifest or {}).get("stem"), (manifest or {}).get("seed")
    prefix = re.escape(f"{stem}-{seed}") if isinstance(stem, str) and isinstance(seed, int) else r".+-\d+"
    variant = re.compile(prefix + _VARIANT_FILE)
    named = {*AGGREGATES, *(quiz.file_name for quiz in SET_FORMATS.values())}
    found = sorted(entry for entry in out.iterdir()
                   if entry.name in named or variant.match(entry.name)) if out.is_dir() else []
    return [*found, out / MANIFEST]


def remove_set(out: Path, manifest: dict[str, Any] | None) -> None:
    """Remove every file of the set of ``manifest`` from ``out``, ``batch.json`` last: an interruption
    leaves the old ``batch.json`` naming what is left, so the next run removes the rest."""
    for path in set_files(out, manifest):
        try:
            path.unlink(missing_ok=True)
        except OSError as error:
            raise WriteError(path, error) from None


_DESCRIBED = (("stem", "the spec"), ("spec_sha256", "the spec's text"), ("seed", "--seed"),
              ("count", "--count"), ("formats", "--format"), ("quizzes", "quizzes"), ("blanks", "--blanks"),
              ("overrides", "--set"), ("math", "--math"), ("paper", "--paper"), ("derive", "derive"))


def _differences(old: dict[str, Any] | None, new: dict[str, Any]) -> str:
    """How the set a folder holds differs from the one asked for, in words: ``--count 40 there, 10
    now; the spec's text edited``."""
    if old is None:
        return "its batch.json cannot be read"

    def said(value: Any) -> str:
        if isinstance(value, list):
            return ",".join(map(str, value)) or "none"
        return quoted(value) if isinstance(value, str) else str(value)

    parts = []
    for key, label in _DESCRIBED:
        if old.get(key) == new.get(key) or (key == "spec_sha256" and old.get("stem") != new.get("stem")):
            continue
        if key == "spec_sha256":
            parts.append("the spec's text edited")
        elif key not in old:
            parts.append(f"{label} not recorded there (an older derive)")
        else:
            parts.append(f"{label} {said(old[key])} there, {said(new.get(key))} now")
    return "; ".join(parts) or "other settings"
