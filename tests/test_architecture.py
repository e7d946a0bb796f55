"""The package's shape, read from its own import statements (ast; nothing is imported).

Imports run one way, down the pipeline: no cycles, the renderers read only the sheet model
and the ground floor, and the model imports no renderer.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "derive"
COMPUTING = ("derive.numeric", "derive.symbolic", "derive.graph")


def _name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path, known: set[str]) -> set[str]:
    """The derive modules ``path`` imports (at the top or inside a function), by full name."""
    name = _name(path)
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = ".".join(base + ([node.module] if node.module else []))
            targets = [module] + [f"{module}.{alias.name}" for alias in node.names]
        else:
            continue
        for target in targets:
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target and target not in (name, "derive"):
                found.add(target)
    return found


def _graph() -> dict[str, set[str]]:
    files = {_name(p): p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts}
    graph = {name: _imports(path, set(files)) for name, path in files.items()}
    # a package's __init__ re-exporting its own children is not a cycle
    return {name: {m for m in deps if not (files[name].name == "__init__.py" and m.startswith(name + "."))}
            for name, deps in graph.items()}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


@pytest.fixture(scope="module")
def graph() -> dict[str, set[str]]:
    return _graph()


def test_the_reader_sees_relative_and_lazy_imports(graph):
    assert "derive.sheet.model" in graph["derive.sheet.build"]
    assert "derive.numeric.keras_check" in graph["derive.sheet.build"]  # imported inside a function
    assert "derive.errors" in graph["derive.render.pdf.document"]  # three dots up


def test_cycles_are_found():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_import_cycles(graph):
    assert _cycles(graph) == []


def test_the_renderers_import_no_computing_stage(graph):
    reach = {(n, m) for n, deps in graph.items() if n.startswith("derive.render")
             for m in deps if m.startswith(COMPUTING)}
    assert reach == set()


def test_the_sheet_imports_no_renderer(graph):
    back = {(n, m) for n, deps in graph.items() if n.startswith("derive.sheet")
            for m in deps if m.startswith("derive.render")}
    assert back == set()


GROUND_FLOOR = ("derive.errors", "derive.writer", "derive.numbers", "derive.notation")


def test_the_ground_floor_imports_only_the_ground_floor(graph):
    for name in GROUND_FLOOR:
        assert graph[name] <= set(GROUND_FLOOR), name


def test_no_module_is_over_400_lines():
    long = {str(p.relative_to(PACKAGE)): n for p in PACKAGE.rglob("*.py")
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > 400}
    assert long == {}


LAYERS = ("spec", "graph", "symbolic", "numeric", "sheet", "render", "classset", "cli")
# The schema refuses a value named like a function, so it reads the function registry's names;
# to go when the registry (issue 11, item 3) owns that check.
KNOWN_UPWARD = {("derive.spec.schema", "derive.graph.functions")}


def _layer(name: str) -> int:
    part = name.split(".")[1]
    return LAYERS.index(part) + 1 if part in LAYERS else 0  # 0: errors, writer, numbers


def test_imports_run_down_the_pipeline(graph):
    upward = {(n, m) for n, deps in graph.items() if n != "derive"
              for m in deps if _layer(m) > _layer(n)}
    assert upward == KNOWN_UPWARD
