"""The import graph follows the flow: no loops, and every import points down the layers."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parent.parent / "src" / "sawt"

# Lowest first. A module may import its own layer's modules (without loops) and
# anything below; never above. Names are module paths under sawt, a package
# stands for all its modules.
LAYERS: list[set[str]] = [
    {"version", "errors", "models", "files", "progress", "console", "text", "ffmpeg"},
    {"config"},
    {"read"},
    {"speech"},
    {"audio"},
    {"publishing", "web"},
    {"pipeline", "batch", "probe", "workers", "starter", "cluster", "sources"},
    {"cli", "cli_shell", "__init__", "__main__", "api"},
]


def _module_name(path: Path) -> str:
    rel = path.relative_to(SRC).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__" and len(parts) > 1:
        parts.pop()
    return ".".join(parts)


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "sawt":
                found |= {alias.name for alias in node.names}
            elif node.module.startswith("sawt."):
                found.add(node.module[len("sawt.") :])
        elif isinstance(node, ast.Import):
            found |= {a.name[len("sawt.") :] for a in node.names if a.name.startswith("sawt.")}
    return found


def _layer(module: str) -> int:
    top = module.split(".")[0]
    for n, layer in enumerate(LAYERS):
        if top in layer:
            return n
    raise AssertionError(f"sawt.{module} belongs to no layer: add it to LAYERS")


def _graph() -> dict[str, set[str]]:
    return {_module_name(p): _imports(p) for p in sorted(SRC.rglob("*.py"))}


def test_every_import_points_down_the_layers() -> None:
    upward = [
        f"sawt.{mod} (layer {_layer(mod)}) imports sawt.{dep} (layer {_layer(dep)})"
        for mod, deps in _graph().items()
        for dep in deps
        if _layer(dep) > _layer(mod)
    ]
    assert upward == []


def _package(module: str) -> str:
    parts = module.split(".")
    return ".".join(parts[:2]) if parts[0] in ("speech",) and len(parts) > 2 else parts[0]


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    cycles: list[list[str]] = []
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 1:
                cycles.append([*stack[stack.index(nxt) :], nxt])
            elif nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = 2

    for node in sorted(edges):
        if node not in state:
            visit(node)
    return cycles


@pytest.mark.parametrize("level", ["module", "package"])
def test_no_import_loops(level: str) -> None:
    graph = _graph()
    known = set(graph)

    def resolve(dep: str) -> str:
        # "from sawt.x import y" may name a module y or a name in x.
        return dep if dep in known else dep.rsplit(".", 1)[0]

    edges: dict[str, set[str]] = {}
    for mod, deps in graph.items():
        for dep in deps:
            a, b = mod, resolve(dep)
            if level == "package":
                a, b = _package(a), _package(b)
            if a != b and b in known | {_package(k) for k in known}:
                edges.setdefault(a, set()).add(b)
    assert _cycles(edges) == []


def test_the_graph_is_read() -> None:
    graph = _graph()
    assert "pipeline" in graph and "speech.arabic.spoken" in graph
    assert "models" in graph["speech.arabic.spoken"] or any(
        d.startswith("models") for d in graph["speech.arabic.spoken"]
    )
