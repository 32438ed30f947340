"""The package layout follows the flow: a module imports only from its own stage or below.

Stages, lowest first. The metric registry is pure definitions (names, formulas, display),
so the config can check SLA targets against it; `core.run` is the one call that ties the
stages together, and only renderers, delivery and the CLI sit above it.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "carecli"
STAGES = ("", "metrics", "config", "input", "timeline", "report", "sla", "core", "render")
STAGES += ("delivery", "cli")
MAX_LINES = 400


def _stage(module: str) -> str:
    """carecli.report.build -> report; carecli.errors (a shared root module) -> ''."""
    parts = module.split(".")
    if module == "carecli.__main__":
        return "cli"  # `python -m carecli` is the CLI
    if len(parts) > 2 or (PACKAGE / parts[-1]).is_dir():
        return parts[1]
    return parts[1] if parts[1] in STAGES else ""


def _modules() -> dict[str, Path]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def _imports(path: Path) -> list[tuple[int, str]]:
    """carecli modules imported anywhere in the file (function-level imports included)."""
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("carecli"):
            for alias in node.names:  # `from carecli.timeline import clock` imports a module
                sub = f"{node.module}.{alias.name}"
                out.append((node.lineno, sub if sub in MODULES else node.module))
        elif isinstance(node, ast.Import):
            out += [(node.lineno, a.name) for a in node.names if a.name.startswith("carecli")]
    return out


MODULES = _modules()


@pytest.mark.parametrize("module", sorted(MODULES))
def test_imports_point_down_the_flow(module: str) -> None:
    if module == "carecli":
        return  # the public API re-exports from the stages (lazily)
    here = STAGES.index(_stage(module))
    for line, imported in _imports(MODULES[module]):
        if imported == "carecli":
            continue  # __version__
        there = STAGES.index(_stage(imported))
        assert there <= here, f"{module}:{line} imports {imported}, a later stage"


def test_no_import_cycles() -> None:
    graph = {m: {i for _, i in _imports(p) if i in MODULES and i != m} for m, p in MODULES.items()}
    graph["carecli"] = set()
    visiting: list[str] = []
    done: set[str] = set()

    def visit(module: str) -> None:
        if module in done:
            return
        assert module not in visiting, " -> ".join([*visiting[visiting.index(module) :], module])
        visiting.append(module)
        for imported in sorted(graph[module]):
            visit(imported)
        visiting.pop()
        done.add(module)

    for module in sorted(graph):
        visit(module)


@pytest.mark.parametrize("module", sorted(MODULES))
def test_modules_stay_small(module: str) -> None:
    lines = len(MODULES[module].read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{module} has {lines} lines; split it by idea"
