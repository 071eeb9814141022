"""The generated models: current with the schemas, and lossless for every valid record."""

from __future__ import annotations

import copy
import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from statuskit.client import _codegen
from statuskit.client._reader import Model
from statuskit.client.models import (
    FileCount,
    FileStatus,
    ImportPage,
    ImportRecord,
    MongoObjectId,
    StatusEntry,
    read_array,
)
from statuskit.errors import ContractViolation, MalformedResponseError
from statuskit.fixtures import documented, fixtures
from statuskit.registry import SchemaRegistry
from statuskit.strategies import from_schema

MODELS: list[tuple[str, str, type[Model]]] = [
    ("thalamus", "import-record", ImportRecord),
    ("thalamus", "import-page", ImportPage),
    ("tealium", "file-status", FileStatus),
    ("tealium", "count", FileCount),
]
# Keys no schema uses, to stand for fields a server adds later.
UNKNOWN_KEYS = st.dictionaries(st.sampled_from(["zNew", "x_added", "~later"]), st.integers())


def test_the_generated_models_are_current() -> None:
    assert _codegen.OUTPUT.read_text(encoding="utf-8") == _codegen.render(), (
        "statuskit/client/_models.py is stale: run python -m statuskit.client._codegen"
    )
    assert _codegen.main(["--check"]) == 0


def test_every_record_schema_has_a_model() -> None:
    modelled = {(api, name) for api, name, _ in MODELS}
    assert modelled == set(_codegen.RECORDS)


@pytest.mark.parametrize(("api", "name", "cls"), MODELS)
def test_fields_are_the_schema_properties(api: str, name: str, cls: type[Model]) -> None:
    from statuskit.registry import default_registry

    properties = default_registry().source(api, name)["properties"]
    assert frozenset(properties) == cls._KNOWN  # type: ignore[attr-defined]
    fields = [f.name for f in dataclasses.fields(cls)]  # type: ignore[arg-type]
    assert len(fields) == len(properties) + 1
    assert fields[-1] == "extra"


@pytest.mark.parametrize(
    "fixture",
    [f for f in fixtures() if f.schema in ("import-record", "file-status")],
    ids=lambda f: f.path.name,
)
def test_the_fixtures_round_trip(fixture: Any) -> None:
    cls = ImportRecord if fixture.api == "thalamus" else FileStatus
    for instance in fixture.instances():
        assert cls.from_json(instance, strict=True).to_json() == instance


def _with_unknown_keys(instance: Any, extra: dict[str, int]) -> Any:
    if isinstance(instance, dict):
        return {k: _with_unknown_keys(v, extra) for k, v in instance.items()} | extra
    if isinstance(instance, list):
        return [_with_unknown_keys(v, extra) for v in instance]
    return instance


@pytest.mark.parametrize(("api", "name", "cls"), MODELS)
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_any_valid_record_round_trips(
    api: str, name: str, cls: type[Model], data: st.DataObject
) -> None:
    strict = data.draw(st.booleans(), label="strict")
    instance = data.draw(from_schema(api, name, strict=strict), label="instance")
    snapshot = copy.deepcopy(instance)
    model = cls.from_json(instance, strict=strict)
    assert model.to_json() == instance
    assert instance == snapshot  # reading never changes the input
    assert json.loads(json.dumps(model.to_json())) == instance


@pytest.mark.parametrize(("api", "name", "cls"), MODELS)
@settings(max_examples=30, deadline=None)
@given(data=st.data())
def test_unknown_keys_and_states_are_kept(
    api: str, name: str, cls: type[Model], data: st.DataObject
) -> None:
    # The tolerant strategies draw any string where the schema has an enum: a new state.
    instance = data.draw(from_schema(api, name, strict=False), label="instance")
    extended = _with_unknown_keys(instance, data.draw(UNKNOWN_KEYS, label="extra"))
    assert cls.from_json(extended).to_json() == extended


def test_a_read_keeps_unknowns_in_extra(documented_record: dict[str, Any]) -> None:
    body = documented_record | {"state": "ARCHIVED", "zNew": {"a": 1}}
    body["owner"] = body["owner"] | {"zNested": True}
    record = ImportRecord.from_json(body)
    assert record.state == "ARCHIVED"
    assert record.extra == {"zNew": {"a": 1}}
    assert record.owner.extra == {"zNested": True}


def test_strict_reading_reports_json_and_schema_paths(documented_record: dict[str, Any]) -> None:
    body = documented_record | {"owner": {"id": 265, "entityType": 1}}
    with pytest.raises(ContractViolation) as caught:
        ImportRecord.from_json(body, strict=True)
    assert isinstance(caught.value, AssertionError)
    assert caught.value.path == "$.owner.entityType"
    assert caught.value.schema_path is not None
    assert caught.value.schema_path.endswith("/enum")
    assert ImportRecord.from_json(body).owner.entity_type == 1  # tolerant keeps it


@pytest.mark.parametrize(
    ("change", "path", "keyword"),
    [
        ({"rows": "576"}, "$.rows", "type"),
        ({"rows": True}, "$.rows", "type"),
        ({"owner": None}, "$.owner", "type"),
        ({"mediumContextData": {"touchpointId": 3}}, "$.mediumContextData", "required"),
        ({"tags": 1}, "$", None),  # an unknown key is fine, whatever its value
    ],
)
def test_tolerant_reading_still_needs_types_and_required_keys(
    documented_record: dict[str, Any], change: dict[str, Any], path: str, keyword: str | None
) -> None:
    body = documented_record | change
    if keyword is None:
        assert ImportRecord.from_json(body).extra == change
        return
    with pytest.raises(MalformedResponseError) as caught:
        ImportRecord.from_json(body)
    assert (caught.value.findings[0].path, caught.value.findings[0].keyword) == (path, keyword)


def test_integral_floats_are_integers(documented_record: dict[str, Any]) -> None:
    record = ImportRecord.from_json(documented_record | {"rows": 576.0})
    assert record.rows == 576
    assert type(record.rows) is int


def test_nested_models_read_and_check_alone() -> None:
    assert MongoObjectId.from_json({"$oid": "5702ea6db993f8f8cbea334c"}).oid.startswith("5702")
    with pytest.raises(ContractViolation):
        MongoObjectId.from_json({"$oid": "not hex"}, strict=True)
    entry = StatusEntry.from_json(
        {"state": "PROCESSED", "timestamp": {"$date": "2016-04-04T22:27:58.797Z"}}
    )
    assert entry.last_failure is None
    assert "last_failure" not in entry.to_json()


def test_read_array_names_the_bad_item() -> None:
    good = documented("tealium", "get-file-status", 200).load()
    location = ("tealium", "file-status-list", "")
    assert len(read_array(FileStatus, [good, good], location)) == 2
    with pytest.raises(MalformedResponseError) as caught:
        read_array(FileStatus, [good, {"_id": 1}], location)
    assert caught.value.findings[0].path.startswith("$[1]")


# -- the generator's refusals -------------------------------------------------------------


def _registry(tmp_path: Path, properties: dict[str, Any], required: list[str]) -> SchemaRegistry:
    folder = tmp_path / "demo"
    folder.mkdir()
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://statuskit.invalid/schemas/demo/thing.json",
        "type": "object",
        "required": required,
        "properties": properties,
    }
    (folder / "thing.json").write_text(json.dumps(schema))
    return SchemaRegistry(tmp_path)


@pytest.mark.parametrize(
    ("properties", "required", "message"),
    [
        ({"a": {"type": ["integer", "null"]}}, [], "optional nullable"),
        ({"a": {"type": ["integer", "string"]}}, ["a"], "cannot type"),
        ({"a": {}}, ["a"], "cannot type"),
        (
            {"a": {"type": "array", "items": {"type": "array", "items": {"type": "integer"}}}},
            ["a"],
            "arrays of arrays",
        ),
        ({"aB": {"type": "string"}, "a_b": {"type": "string"}}, ["aB", "a_b"], "one field name"),
    ],
)
def test_the_generator_refuses_shapes_it_cannot_type(
    tmp_path: Path, properties: dict[str, Any], required: list[str], message: str
) -> None:
    generator = _codegen._Generator(_registry(tmp_path, properties, required))
    with pytest.raises(_codegen.CodegenError, match=message):
        generator.record("demo", "thing", "Thing")


def test_the_generator_names_fields_in_snake_case(tmp_path: Path) -> None:
    properties = {"$oid": {"type": "string"}, "class": {"type": "string"}, "to_json": {}}
    properties["to_json"] = {"type": "boolean"}
    generator = _codegen._Generator(_registry(tmp_path, properties, list(properties)))
    generator.record("demo", "thing", "Thing")
    [spec] = generator.order
    assert [f.name for f in spec.fields] == ["oid", "class_", "to_json_"]


@pytest.fixture
def documented_record() -> dict[str, Any]:
    record: dict[str, Any] = documented("thalamus", "get-status", 200).load()
    return record
