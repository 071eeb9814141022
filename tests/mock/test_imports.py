"""The mock's modules import one another without a circle.

A circle can hide behind an import inside a function until someone moves it, so every
import statement counts, wherever it is in a module; only those under ``if TYPE_CHECKING:``
do not, since they never run. Importing ``a.b.c`` first runs the ``__init__`` of ``a`` and
``a.b``, so it counts as an import of those packages too, except of the importer's own
packages, which are already being set up when it runs.

The graph is read from the source with ``ast``: it covers every module, including those a
test run happens not to import, and a circle shows up whatever order modules load in.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import mockserver

ROOT = Path(mockserver.__file__).parent
APP_FACTORY = "mockserver._app"


def module_name(path: Path, root: Path) -> str:
    """The dotted name of the module at ``path`` in the package at ``root``."""
    parts = path.relative_to(root.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _run_at_import(tree: ast.Module) -> Iterator[ast.Import | ast.ImportFrom]:
    """The module's import statements, at any depth, outside ``if TYPE_CHECKING:``."""
    pending: list[ast.AST] = [tree]
    while pending:
        node = pending.pop()
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            pending.extend(node.orelse)
            continue
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        pending.extend(ast.iter_child_nodes(node))


def _imported(node: ast.Import | ast.ImportFrom, importer: str, is_package: bool) -> list[str]:
    """What ``node`` loads: a module, or (``from x import name``) ``x`` for a name it
    defines, ``x.name`` for a submodule."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    base = node.module or ""
    if node.level:
        package = importer if is_package else importer.rpartition(".")[0]
        for _ in range(node.level - 1):
            package = package.rpartition(".")[0]
        base = f"{package}.{base}" if base else package
    return [f"{base}.{alias.name}" for alias in node.names]


def import_graph(root: Path) -> dict[str, set[str]]:
    """For each module of the package at ``root``, the package's modules importing it runs."""
    paths = {module_name(path, root): path for path in sorted(root.rglob("*.py"))}
    graph: dict[str, set[str]] = {}
    for importer, path in paths.items():
        is_package = path.name == "__init__.py"
        own = {importer.rsplit(".", n)[0] for n in range(importer.count(".") + 1)}
        runs: set[str] = set()
        for node in _run_at_import(ast.parse(path.read_text(encoding="utf-8"))):
            for name in _imported(node, importer, is_package):
                if name not in paths and isinstance(node, ast.ImportFrom):
                    # ``from x import name``: reading a name ``x`` defines needs ``x`` run
                    # first, even when ``x`` is the importer's own package.
                    name = name.rpartition(".")[0]
                if name not in paths:
                    continue  # another package's
                parents = {name.rsplit(".", n)[0] for n in range(1, name.count(".") + 1)}
                runs |= {name, *(parents - own)}
        graph[importer] = runs - {importer}
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One circle of imports in ``graph`` (``[a, b, a]``), or ``None``."""
    done: set[str] = set()

    def visit(name: str, path: list[str]) -> list[str] | None:
        if name in path:
            return [*path[path.index(name) :], name]
        if name in done:
            return None
        for target in sorted(graph[name]):
            found = visit(target, [*path, name])
            if found is not None:
                return found
        done.add(name)
        return None

    for name in sorted(graph):
        cycle = visit(name, [])
        if cycle is not None:
            return cycle
    return None


SAMPLE = {
    "__init__.py": "from pkg.core import make\n",
    "core.py": (
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n"
        "    from pkg.extra import Thing\n"
        "def make():\n"
        "    from pkg.api.views import view\n"
    ),
    "extra.py": "import json\nfrom pkg import make\n",
    "api/__init__.py": "from pkg.api.views import view\n",
    "api/views.py": "from pkg.api import helpers\nfrom pkg.core import make\nview = 1\n",
    "api/helpers.py": "from .. import leaf\n",
    "leaf.py": "",
}


def test_the_graph_counts_what_runs_at_import_and_finds_a_circle(tmp_path: Path) -> None:
    for name, source in SAMPLE.items():
        (tmp_path / "pkg" / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "pkg" / name).write_text(source, encoding="utf-8")
    graph = import_graph(tmp_path / "pkg")
    assert graph == {
        "pkg": {"pkg.core"},
        # Inside a function counts, and so does the package it runs; TYPE_CHECKING does not.
        "pkg.core": {"pkg.api", "pkg.api.views"},
        # A name from the importer's own package needs that package's __init__ run.
        "pkg.extra": {"pkg"},
        "pkg.api": {"pkg.api.views"},
        # A sibling submodule does not run the package again.
        "pkg.api.views": {"pkg.api.helpers", "pkg.core"},
        # Relative, two levels up.
        "pkg.api.helpers": {"pkg.leaf"},
        "pkg.leaf": set(),
    }
    assert find_cycle(graph) == ["pkg.core", "pkg.api", "pkg.api.views", "pkg.core"]


def test_no_module_of_the_mock_imports_itself_round_a_circle() -> None:
    assert find_cycle(import_graph(ROOT)) is None


def test_only_the_create_app_factories_import_the_app_factory() -> None:
    graph = import_graph(ROOT)
    factories = {
        module_name(path, ROOT)
        for path in ROOT.rglob("*.py")
        if any(
            isinstance(node, ast.FunctionDef) and node.name == "create_app"
            for node in ast.parse(path.read_text(encoding="utf-8")).body
        )
    }
    importers = {name for name, runs in graph.items() if APP_FACTORY in runs}
    assert importers <= factories, sorted(importers - factories)
