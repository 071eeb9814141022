"""The hypothesis strategies draw only schema-valid instances, and check their arguments
before drawing anything."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, find, given, settings
from hypothesis.errors import InvalidArgument

from statuskit.errors import UnknownSchemaError
from statuskit.registry import SchemaRegistry
from statuskit.strategies import from_schema, schema_names
from tests.helpers import REGISTRY

DRAWABLE = [(api, name) for api in REGISTRY.apis() for name in schema_names(api)]


@pytest.mark.parametrize(("api", "name"), DRAWABLE)
@pytest.mark.parametrize("strict", [True, False], ids=["strict", "tolerant"])
def test_at_least_200_drawn_instances_validate(
    registry: SchemaRegistry, api: str, name: str, strict: bool
) -> None:
    seen: list[object] = []

    @settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(from_schema(api, name, strict=strict))
    def drawn_instance_validates(instance: object) -> None:
        seen.append(instance)
        assert registry.validate(api, name, instance, strict=strict) == []

    drawn_instance_validates()
    # A schema with fewer than 200 instances (admin/set-import-state-request: one of six
    # states) is drawn exhaustively: every draw a different instance.
    distinct = {json.dumps(instance, sort_keys=True) for instance in seen}
    assert len(seen) >= 200 or len(distinct) == len(seen) > 1


def test_every_instance_schema_is_drawable(registry: SchemaRegistry) -> None:
    # Only the $defs-only "common" files are left out.
    left_out = {(a, n) for a, n in registry} - set(DRAWABLE)
    assert left_out == {(api, "common") for api in registry.apis()}


def test_unknown_schema_fails_before_drawing() -> None:
    with pytest.raises(UnknownSchemaError, match="no schema thalamus/nope"):
        from_schema("thalamus", "nope")


def test_unsupported_keyword_fails_before_drawing(tmp_path: Path) -> None:
    root = tmp_path
    (root / "demo").mkdir()
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://statuskit.invalid/schemas/demo/odd.json",
        "type": "string",
        "dependentRequired": {},
    }
    (root / "demo" / "odd.json").write_text(json.dumps(schema))
    with pytest.raises(InvalidArgument, match="dependentRequired"):
        from_schema("demo", "odd", registry=SchemaRegistry(root))


def test_tolerant_level_draws_states_outside_the_enum(registry: SchemaRegistry) -> None:
    known = registry.enum("tealium", "state", schema="status-entry")
    entry = find(
        from_schema("tealium", "status-entry", strict=False), lambda e: e["state"] not in known
    )
    assert registry.validate("tealium", "status-entry", entry, strict=False) == []
    assert registry.validate("tealium", "status-entry", entry)[0].keyword == "enum"
