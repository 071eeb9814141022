"""ARCHITECTURE.md stays true: every module of the kit's packages has its row, grouped by
package, and no module has two."""

from __future__ import annotations

import fnmatch
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
PAGE = (REPO / "ARCHITECTURE.md").read_text(encoding="utf-8")
PACKAGES = ("statuskit", "mockserver", "contract_tests", "bench")
MODULES = sorted(
    p.relative_to(REPO).as_posix()
    for package in PACKAGES
    for p in (REPO / package).rglob("*.py")
    if "__pycache__" not in p.parts
)
_TICKS = re.compile(r"`([^`]+)`")


def _rows() -> list[list[str]]:
    """The backticked names of each table row's first cell."""
    rows = []
    for line in PAGE.splitlines():
        if line.startswith("| `"):
            rows.append(_TICKS.findall(line.split(" | ")[0]))
    return rows


def _names(row: list[str]) -> set[str]:
    """The module paths a row names: whole paths, globs, or file names after a folder."""
    folders = [t for t in row if t.endswith("/")]
    named = set()
    for token in row:
        for module in MODULES:
            after_folder = any(module == folder + token for folder in folders)
            if module == token or fnmatch.fnmatch(module, token) or after_folder:
                named.add(module)
    return named


@pytest.mark.parametrize("module", MODULES)
def test_every_module_has_a_row(module: str) -> None:
    assert any(module in _names(row) for row in _rows()), f"{module} is not in ARCHITECTURE.md"


def test_no_module_is_named_twice() -> None:
    seen: dict[str, int] = {}
    for row in _rows():
        for module in _names(row):
            seen[module] = seen.get(module, 0) + 1
    assert {m: n for m, n in seen.items() if n > 1} == {}


def test_the_tables_are_grouped_by_package() -> None:
    headings = re.findall(r"^## (.+)$", PAGE, flags=re.MULTILINE)
    for package in ("statuskit.wire", "statuskit.client", "statuskit.drift", "mockserver"):
        assert any(package in h for h in headings), package
