"""The shape of the package (issue 21): small modules and classes, and no import cycle.
The layering itself is import-linter's (pyproject [tool.importlinter], `make lint`)."""

from __future__ import annotations

import ast
from pathlib import Path

import grimp

PACKAGE = Path(__file__).resolve().parents[1] / "trakt_sync"
MAX_MODULE_LINES = 450
MAX_CLASS_LINES = 250


def _modules() -> list[Path]:
    return [p for p in sorted(PACKAGE.rglob("*.py")) if "fakes" not in p.relative_to(PACKAGE).parts]


def test_no_module_over_450_lines_outside_the_fakes() -> None:
    long = {
        str(p.relative_to(PACKAGE)): n
        for p in _modules()
        if (n := len(p.read_text().splitlines())) > MAX_MODULE_LINES
    }
    assert long == {}


def test_no_class_over_250_lines() -> None:
    long = {}
    for path in _modules():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ClassDef) and node.end_lineno is not None:
                lines = node.end_lineno - node.lineno + 1
                if lines > MAX_CLASS_LINES:
                    long[f"{path.relative_to(PACKAGE)}:{node.name}"] = lines
    assert long == {}


def test_no_import_cycle_between_modules() -> None:
    """Every import counts, also one inside a function or under TYPE_CHECKING."""
    graph = grimp.build_graph("trakt_sync", cache_dir=None)
    cycles = []
    for module in sorted(graph.modules):
        for imported in graph.find_modules_directly_imported_by(module):
            if imported.startswith(module + "."):
                continue  # a package's __init__ re-exporting its own modules
            back = graph.find_shortest_chain(importer=imported, imported=module)
            if back is not None and not module.startswith(imported + "."):
                cycles.append((module, *back))
    assert cycles == []
