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


@pytest.mark.parametrize("name", MODULES)
def test_all_is_sorted_and_resolves(name: str) -> None:
    module = importlib.import_module(name)
    exported = module.__all__
    assert exported == sorted(exported)
    for attribute in exported:
        assert getattr(module, attribute) is not None, attribute


def test_package_root_matches_its_modules() -> None:
    assert (
        statuskit.ContractViolation is importlib.import_module("statuskit.errors").ContractViolation
    )
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        _ = statuskit.nope
