"""How big a spec may be: limits checked before the work they bound is started.

Each limit was set by measuring what still renders in reasonable time on a 2-core machine
(json and html, in one process with TensorFlow loaded): a spec past one is refused at once
with a line naming the key, the limit and the value, never left to run for minutes.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from ..errors import SpecError

MAX_SPEC_CHARS = 200_000
"""Characters of TOML: a 1000x1000 matrix (4 MB) took 4.5 s to read before anything checked it."""
MAX_ELEMENTS = 1_000
"""Numbers in one array or matrix: 1000 points of a regression render in 6 s, a 100x100 matrix
took 220 s."""
MAX_TOTAL_ELEMENTS = 2_000
"""Numbers in all inputs and parameters together."""
MAX_NAMES = 100
"""Inputs and parameters together (each is a box of the graph picture and a row of tables)."""
MAX_NODES = 40
"""Nodes of [graph]: a chain of 40 nodes that each use w renders in 3 s, of 100 in 40 s."""
MAX_USES = 200
"""Uses of names by nodes (the graph's edges; each is a local derivative on the sheet)."""
MAX_STEPS = 5_000
"""train.steps: the default neuron takes about 1.2 s a thousand steps (100,000 took 42 s)."""
MAX_JACOBIAN = 4096
"""Entries of a mixing node's Jacobian (softmax, @) up to which it is computed, checked whole and
printed; beyond, the sheet writes its backward rule and checks the gradients it feeds (a softmax
over 1,000 numbers has 1,000,000 entries, once printed as 23 MB of HTML)."""
MAX_CHECK_WORK = 20 * 10**9
"""Work of the three-way check (``symbolic.work``: operations times the numbers each touches),
one to three billion a second on 2 cores: the built-in examples count at most 1.7e7; a softmax over
1,000 numbers 1e9 (its checks take 1.1 s); a 10-node chain's 4th derivative 1.4e10 (5 s); 19 tanh
layers over 1,000 numbers with 1,000 weights 2.7e10 (23 s); 39 softmax nodes over 1,000 numbers
1.2e11 (they ran 600 s and 12.9 GB before their Jacobians were left out)."""

_ASSIGNMENT = re.compile(r"\s*(?:\"([^\"]*)\"|'([^']*)'|([A-Za-z0-9_-]+))\s*=")
_TABLE = re.compile(r"\s*\[\[?\s*([A-Za-z0-9_.\"' -]+?)\s*\]\]?\s*(?:#.*)?$")


MAX_SPEC_BYTES = 4 * MAX_SPEC_CHARS
"""Bytes of a spec file read at most: UTF-8 takes at most 4 a character, so a larger file is over
``MAX_SPEC_CHARS`` for sure (a 1 GB spec was once read whole: 9 s, 2.2 GB)."""


def read_text(path: Path) -> str:
    """The text of the spec file at ``path``, read no further than ``MAX_SPEC_BYTES`` (a 1 GB file,
    one that grows, or one whose size ``stat`` does not tell, such as a pipe); past it a SpecError
    naming the key that holds most of what was read (else the path) and the file's size by ``stat``."""
    try:
        with open(path, "rb") as stream:
            size = os.fstat(stream.fileno()).st_size
            data = stream.read(MAX_SPEC_BYTES + 1)
    except OSError as error:
        raise SpecError(str(path), f"cannot read the spec ({error.strerror or error})") from None
    if len(data) > MAX_SPEC_BYTES:
        key = _largest_key(data.decode("utf-8", "replace")) or str(path)
        count = f"{size:,}" if size > MAX_SPEC_BYTES else f"{MAX_SPEC_BYTES + 1:,} or more"
        raise SpecError(key, f"the spec has {count} bytes; the limit is {MAX_SPEC_CHARS:,} characters "
                             f"(arrays hold at most {MAX_ELEMENTS:,} numbers)")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise SpecError(str(path), "the spec is not UTF-8 text") from None


def check_text_size(text: str, source: str) -> None:
    """Refuse spec text over ``MAX_SPEC_CHARS``, naming the key that holds most of it."""
    if len(text) <= MAX_SPEC_CHARS:
        return
    key = _largest_key(text) or source
    raise SpecError(key, f"the spec has {len(text):,} characters; the limit is {MAX_SPEC_CHARS:,} "
                         f"(arrays hold at most {MAX_ELEMENTS:,} numbers)")


def _largest_key(text: str) -> str | None:
    """The dotted key whose value takes the most lines' characters (a line scan, not a parse)."""
    table, key, sizes = "", None, {}
    for line in text.splitlines():
        header = _TABLE.match(line)
        if header:
            table, key = header.group(1).replace('"', "").replace("'", "").strip(), None
            continue
        assignment = _ASSIGNMENT.match(line)
        if assignment:
            name = next(group for group in assignment.groups() if group is not None)
            key = f"{table}.{name}" if table else name
        if key is not None:
            sizes[key] = sizes.get(key, 0) + len(line) + 1
    return max(sizes, key=sizes.__getitem__) if sizes else None


def elements(value: Any) -> int:
    """How many numbers a scalar, array or matrix holds."""
    count, stack = 0, [value]
    while stack:  # without recursion: TOML arrays may nest deeply
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(item)
        else:
            count += 1
    return count


def _shape(value: list) -> str:
    if value and isinstance(value[0], list) and all(isinstance(row, list) for row in value):
        return f"a {len(value)}x{len(value[0])} matrix"
    return f"an array of {len(value)}"


def check_sizes(data: dict[str, Any]) -> None:
    """Refuse raw spec data past one of the limits above, before the schema reads it."""
    values = {}
    for section in ("inputs", "parameters"):
        table = data.get(section)
        for name, value in table.items() if isinstance(table, dict) else ():
            if isinstance(value, dict):  # x1 = { value = [...], trainable = false }
                value = value.get("value")
            values[f"{section}.{name}"] = value
    if len(values) > MAX_NAMES:
        raise SpecError("inputs", f"{len(values):,} inputs and parameters; the limit is {MAX_NAMES}")
    graph = data.get("graph")
    if isinstance(graph, dict) and len(graph) > MAX_NODES:
        raise SpecError("graph", f"{len(graph):,} nodes; the limit is {MAX_NODES}")
    total = 0
    for key, value in values.items():
        count = elements(value)
        if count > MAX_ELEMENTS:
            raise SpecError(key, f"{_shape(value)} holds {count:,} numbers; the limit is {MAX_ELEMENTS:,}")
        total += count
    if total > MAX_TOTAL_ELEMENTS:
        raise SpecError("inputs", f"inputs and parameters hold {total:,} numbers together; the limit is "
                                  f"{MAX_TOTAL_ELEMENTS:,}")
