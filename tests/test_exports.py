"""Every public module declares a sorted ``__all__`` whose names all exist."""

from __future__ import annotations

import importlib
import pkgutil

import pytest

import statuskit

MODULES = ["statuskit"] + [
    m.name
    for m in pkgutil.walk_packages(statuskit.__path__, "statuskit.")
    if not m.name.rpartition(".")[2].startswith("_")
]


def isort_order(name: str) -> tuple[int, str]:
    """The order ruff's RUF022 keeps ``__all__`` in: constants, then classes, then the rest."""
    if name.isupper() and len(name) > 1:
        return 0, name
    return (1 if name[:1].isupper() else 2), name


@pytest.mark.parametrize("name", MODULES)
def test_all_is_sorted_and_resolves(name: str) -> None:
    module = importlib.import_module(name)
    exported = module.__all__
    assert exported == sorted(exported, key=isort_order)
    for attribute in exported:
        assert getattr(module, attribute) is not None, attribute


def test_package_root_matches_its_modules() -> None:
    assert (
        statuskit.ContractViolation is importlib.import_module("statuskit.errors").ContractViolation
    )
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        _ = statuskit.nope
