"""The Thalamus list's defaults and orderBy values come from the catalogue, not from code."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from mockserver.thalamus.views import ListDefaults
from statuskit.registry import default_registry
from tests.helpers import edited_catalogue


def _list_parameter(catalogue: dict[str, Any], name: str) -> dict[str, Any]:
    (entry,) = (e for e in catalogue["operations"] if e["operationId"] == "list-imports")
    for param in entry["parameters"]:
        spec = catalogue["parameters"][param] if isinstance(param, str) else param
        if spec["name"] == name:
            return spec  # type: ignore[no-any-return]
    raise AssertionError(f"list-imports has no parameter {name}")


def test_the_shipped_defaults() -> None:
    defaults = ListDefaults.from_registry(default_registry())
    assert (defaults.page, defaults.page_size, defaults.order_by, defaults.ascending) == (
        1,
        25,
        "name",
        True,
    )
    assert set(defaults.columns) == {"name", "creationDate", "state"}


def test_a_changed_catalogue_changes_the_defaults(tmp_path: Path) -> None:
    def change(catalogue: dict[str, Any]) -> None:
        _list_parameter(catalogue, "pageSize")["schema"]["default"] = 50
        _list_parameter(catalogue, "ascending")["schema"]["default"] = "false"
        order = _list_parameter(catalogue, "orderBy")["schema"]
        order.update(enum=["creationDate", "name"], default="creationDate")

    defaults = ListDefaults.from_registry(edited_catalogue(tmp_path, "thalamus", change))
    chosen = (defaults.page_size, defaults.order_by, defaults.ascending)
    assert chosen == (50, "creationDate", False)
    assert dict(defaults.columns) == {"creationDate": "created_ms", "name": "name"}


def test_an_order_the_store_cannot_serve_is_refused_at_start(tmp_path: Path) -> None:
    def change(catalogue: dict[str, Any]) -> None:
        _list_parameter(catalogue, "orderBy")["schema"]["enum"].append("fileSize")

    with pytest.raises(ValueError, match=r"no store column to order by \['fileSize'\]"):
        ListDefaults.from_registry(edited_catalogue(tmp_path, "thalamus", change))
