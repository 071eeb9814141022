"""The schemas themselves: valid 2020-12, fully annotated with provenance, and derived
into two strictness levels that behave as documented."""

from __future__ import annotations

import pytest
from jsonschema import Draft202012Validator

from statuskit.fixtures import documented
from statuskit.registry import BASE_URI, SchemaRegistry
from statuskit.strictness import derive
from tests.helpers import SCHEMAS, subschemas


@pytest.mark.parametrize(("api", "name"), SCHEMAS)
@pytest.mark.parametrize("strict", [True, False], ids=["strict", "tolerant"])
def test_every_schema_passes_its_metaschema(
    registry: SchemaRegistry, api: str, name: str, strict: bool
) -> None:
    Draft202012Validator.check_schema(registry.source(api, name))
    Draft202012Validator.check_schema(registry.schema(api, name, strict=strict))


@pytest.mark.parametrize(("api", "name"), SCHEMAS)
def test_every_schema_and_property_records_its_source(
    registry: SchemaRegistry, api: str, name: str
) -> None:
    source = registry.source(api, name)
    assert source["$id"] == f"{BASE_URI}{api}/{name}.json"
    assert source["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert source.get("x-source"), "the schema names where it comes from"
    missing = [
        f"{where}/properties/{prop}"
        for where, sub in subschemas(source)
        for prop, spec in sub.get("properties", {}).items()
        if not spec.get("x-source")
    ]
    assert missing == []


@pytest.mark.parametrize(("api", "name"), SCHEMAS)
def test_enums_are_typed_and_decisions_explained(
    registry: SchemaRegistry, api: str, name: str
) -> None:
    # A tolerant schema drops enums, so each enum needs a type to fall back on.
    for where, sub in subschemas(registry.source(api, name)):
        if "enum" in sub:
            assert "type" in sub, f"{where}: an enum without a type"
        provenance = sub.get("x-enum-provenance")
        if provenance is not None:
            assert sorted(provenance) == sorted(str(v) for v in sub["enum"]), where
        if "x-decision" in sub:
            assert sub.get("x-kit-decision") is True, f"{where}: a decision not flagged as one"


@pytest.mark.parametrize(("api", "name"), SCHEMAS)
def test_strict_closes_every_declared_object_and_tolerant_opens_it(
    registry: SchemaRegistry, api: str, name: str
) -> None:
    strict, tolerant = registry.schema(api, name), registry.schema(api, name, strict=False)
    for where, sub in subschemas(strict):
        if "properties" in sub:
            assert sub["additionalProperties"] is False, where
    for where, sub in subschemas(tolerant):
        assert "enum" not in sub, where
        assert sub.get("additionalProperties") is not False, where


def test_derive_leaves_its_input_untouched() -> None:
    source = {"type": "object", "properties": {"s": {"type": "string", "enum": ["A"]}}}
    before = repr(source)
    assert derive(source, "strict")["additionalProperties"] is False
    assert "enum" not in derive(source, "tolerant")["properties"]["s"]
    assert repr(source) == before


def test_explicit_maps_keep_their_value_schema(registry: SchemaRegistry) -> None:
    errors = registry.schema("thalamus", "error")["properties"]["errors"]
    assert errors["additionalProperties"] == {"$ref": "#/$defs/code"}


def test_derived_levels_reference_their_own_level(registry: SchemaRegistry) -> None:
    record = documented("thalamus", "get-status", 200).load()
    record["mediumContextData"]["newKey"] = 1  # unknown key inside a $ref'd schema
    assert registry.validate("thalamus", "import-record", record, strict=False) == []
    [finding] = registry.validate("thalamus", "import-record", record)
    assert finding.path == "$.mediumContextData"
    assert finding.keyword == "additionalProperties"


@pytest.mark.parametrize(("api", "name"), SCHEMAS)
def test_terminal_states_are_states_and_explained(
    registry: SchemaRegistry, api: str, name: str
) -> None:
    for where, sub in subschemas(registry.source(api, name)):
        if "x-terminal-states" in sub:
            assert set(sub["x-terminal-states"]) < set(sub["enum"]), where
            assert sub.get("x-terminal-source", "").startswith("kit decision"), where
