"""Every client module declares a sorted ``__all__`` whose names exist, and stays small."""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

import pytest

import statuskit.client

MODULES = ["statuskit.client"] + [
    f"statuskit.client.{m.name}" for m in pkgutil.iter_modules(statuskit.client.__path__)
]
# Hand-written modules stay under ~400 lines; the generated models are exempt.
LIMIT = 400


@pytest.mark.parametrize("name", MODULES)
def test_all_is_sorted_and_resolves(name: str) -> None:
    module = importlib.import_module(name)
    assert module.__all__ == sorted(module.__all__)
    for attribute in module.__all__:
        assert getattr(module, attribute) is not None, attribute


@pytest.mark.parametrize("name", [m for m in MODULES if not m.endswith("._models")])
def test_modules_stay_small(name: str) -> None:
    path = Path(importlib.import_module(name).__file__ or "")
    assert len(path.read_text(encoding="utf-8").splitlines()) <= LIMIT


def test_the_package_exports_both_clients_and_their_twins() -> None:
    for name in ("ThalamusClient", "AsyncThalamusClient", "TealiumClient", "AsyncTealiumClient"):
        assert name in statuskit.client.__all__
