"""The package's shape: imports point down, and a few modules stay independent of others.

These tests read the source (``ast``), they import nothing: a cycle or an
upward import is found even when Python happens to resolve it at run time.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "sitrex"


def _module_name(path: Path) -> str:
    parts = path.relative_to(SRC.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _resolve(node: ast.ImportFrom, module: str, is_package: bool) -> str:
    if not node.level:
        return node.module or ""
    base = module.split(".")
    base = base if is_package else base[:-1]
    base = base[:len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def _imports(path: Path, *, top_level_only: bool) -> set[str]:
    """sitrex modules imported by the file (names of modules, not of objects)."""
    module = _module_name(path)
    tree = ast.parse(path.read_text(encoding="utf-8"))
    nodes = tree.body if top_level_only else list(ast.walk(tree))
    if top_level_only:  # statements run at import: not in functions, classes or TYPE_CHECKING
        def runs_at_import(stmt):
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                return False
            return not (isinstance(stmt, ast.If) and "TYPE_CHECKING" in ast.unparse(stmt.test))
        nodes = [n for stmt in tree.body if runs_at_import(stmt) for n in ast.walk(stmt)]
    found: set[str] = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("sitrex"))
        elif isinstance(node, ast.ImportFrom):
            target = _resolve(node, module, path.name == "__init__.py")
            if not target.startswith("sitrex"):
                continue
            for alias in node.names:   # "from sitrex.x import y": y may be a submodule
                sub = f"{target}.{alias.name}"
                found.add(sub if (SRC.parent / (sub.replace(".", "/") + ".py")).exists()
                          or (SRC.parent / sub.replace(".", "/")).is_dir() else target)
    return found


def _graph() -> dict[str, set[str]]:
    modules = {_module_name(p): p for p in SRC.rglob("*.py")}
    graph = {}
    for name, path in modules.items():
        if path.name == "__init__.py":
            continue   # package __init__ files re-export; they are not floors of their own
        graph[name] = {m for m in _imports(path, top_level_only=True)
                       if m in modules and m != name and not modules[m].name == "__init__.py"}
    return graph


def test_no_module_level_import_cycle():
    graph = _graph()
    state: dict[str, int] = {}
    stack: list[str] = []
    cycles = []

    def visit(node):
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                cycles.append(stack[stack.index(nxt):] + [nxt])
            elif nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node)
    assert not cycles, "module-level import cycles: " + "; ".join(" -> ".join(c) for c in cycles)


@pytest.mark.parametrize("lower, higher", [
    ("sitrex.pretrained", "sitrex.estimators"),
    ("sitrex.skeleton", "sitrex.backends"),
    ("sitrex.angles", "sitrex.feedback"),
    ("sitrex.sides", "sitrex.feedback"),         # the report mirrors a coach with it, not back
    ("sitrex.sides", "sitrex.estimators"),
    ("sitrex.measurement", "sitrex.conditioning"),   # cleaning uses the body measures, not back
    ("sitrex.sequences", "sitrex.estimators"),
    ("sitrex.models", "sklearn"),
    ("sitrex.feedback", "sitrex.live"),          # live streams the offline comparison, not back
    ("sitrex.overlay", "sitrex.live"),
    ("sitrex.exceptions", "sitrex."),
])
def test_lower_floors_never_import_higher_ones(lower, higher):
    """At any level, functions included: a lower floor knows nothing of a higher one."""
    paths = ([SRC.parent / (lower.replace(".", "/") + ".py")]
             if (SRC.parent / (lower.replace(".", "/") + ".py")).exists()
             else sorted((SRC.parent / lower.replace(".", "/")).rglob("*.py")))
    offenders = []
    for path in paths:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import) else
                     [_resolve(node, _module_name(path), path.name == "__init__.py")]
                     if isinstance(node, ast.ImportFrom) else [])
            offenders += [f"{path.name}:{node.lineno} imports {n}" for n in names
                          if n == higher or n.startswith(higher if higher.endswith(".")
                                                         else higher + ".")]
    assert not offenders, offenders


def test_no_module_is_much_over_450_lines_without_a_reason():
    """Long modules must say why at the top (a line containing 'Long module:')."""
    long = []
    for path in SRC.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        if text.count("\n") > 480 and "Long module:" not in text[:3000]:
            long.append(f"{path.relative_to(SRC)} ({text.count(chr(10))} lines)")
    assert not long, long
