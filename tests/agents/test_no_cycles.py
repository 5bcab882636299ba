"""The agents package is one layer: its modules import each other without cycles, and nothing above it.

Read from the source with `ast`, every import counts: at module level, inside functions (the lazy
imports that keep the openai SDK out of the CLI's start-up), under ``if TYPE_CHECKING``. Importing
a name from a package (``from agents.strategies import X``) is an arrow to the package's
``__init__``; importing a submodule is not an arrow to its parent packages (Python runs their
``__init__`` first, but the module does not depend on what they hold).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator, Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

FORBIDDEN = ("pactlab.workflow", "pactlab.app", "policies", "evals")
"""What agents may not import: the workflow and the applications above, the sibling rooms beside it."""


def modules_under(package: Path) -> dict[str, Path]:
    """Dotted module name → file, for every module of the package (its root's parent is the import root)."""
    out = {}
    for path in sorted(package.rglob("*.py")):
        parts = list(path.relative_to(package.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


def imported_names(name: str, path: Path) -> Iterator[str]:
    """Every dotted name the module imports, made absolute: ``from m import x`` gives ``m.x``."""
    is_package = path.name == "__init__.py"
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: against the importing module's package
                anchor = name.split(".")
                anchor = anchor[: len(anchor) - node.level + (1 if is_package else 0)]
                base = ".".join([*anchor, *([node.module] if node.module else [])])
            for alias in node.names:
                yield base if alias.name == "*" else f"{base}.{alias.name}"


def import_graph(modules: Mapping[str, Path]) -> dict[str, set[str]]:
    """Module → the modules of the same package it imports (the longest dotted prefix that is one)."""

    def target(dotted: str) -> str | None:
        parts = dotted.split(".")
        return next((t for n in range(len(parts), 0, -1) if (t := ".".join(parts[:n])) in modules), None)

    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        targets = {target(dotted) for dotted in imported_names(name, path)}
        graph[name] = {t for t in targets if t is not None and t != name}
    return graph


def cycles(graph: Mapping[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan's algorithm), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = stack[stack.index(v) :]
            del stack[stack.index(v) :]
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


AGENTS = modules_under(ROOT / "agents")


def test_every_agents_module_is_read() -> None:
    assert {"agents", "agents.base", "agents.registry", "agents.llm", "agents.llm.negotiator"} <= set(AGENTS)


def test_no_import_cycle_among_agents_modules() -> None:
    graph = import_graph(AGENTS)
    found = cycles(graph)
    shown = ["; ".join(f"{m} -> {', '.join(sorted(graph[m] & set(c)))}" for m in c) for c in found]
    assert not found, "import cycles among agents modules:\n" + "\n".join(shown)


def test_agents_import_no_layer_above_and_no_sibling_room() -> None:
    offenders = sorted(
        f"{name} imports {dotted}"
        for name, path in AGENTS.items()
        for dotted in imported_names(name, path)
        if any(dotted == f or dotted.startswith(f + ".") for f in FORBIDDEN)
    )
    assert not offenders, "\n".join(offenders)


def test_the_check_sees_imports_inside_functions_and_relative_imports(tmp_path: Path) -> None:
    pkg = tmp_path / "pkg"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "__init__.py").write_text("from pkg.a import f\n")
    (pkg / "a.py").write_text("def f():\n    from pkg.sub import b\n    return b\n")
    (pkg / "sub" / "__init__.py").write_text("")
    (pkg / "sub" / "b.py").write_text("from ..a import f\nfrom . import c\n")
    (pkg / "sub" / "c.py").write_text("from pkg import sub\n")
    graph = import_graph(modules_under(pkg))
    assert graph == {
        "pkg": {"pkg.a"},
        "pkg.a": {"pkg.sub.b"},
        "pkg.sub": set(),
        "pkg.sub.b": {"pkg.a", "pkg.sub.c"},
        "pkg.sub.c": {"pkg.sub"},
    }
    assert cycles(graph) == [["pkg.a", "pkg.sub.b"]]
