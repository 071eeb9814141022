"""The fixtures: verbatim copies of the vendors' examples, and seed data the mocks start
from, every one valid against its strict schema."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from statuskit.fixtures import Fixture, documented, fixtures, seed
from statuskit.registry import SchemaRegistry

ALL = fixtures()
SHARED_DOCS = Path(__file__).resolve().parents[2] / "shared" / "api-docs"


@pytest.mark.parametrize("fixture", ALL, ids=lambda f: f"{f.api}/{f.path.name}")
def test_every_fixture_validates_strictly(registry: SchemaRegistry, fixture: Fixture) -> None:
    for instance in fixture.instances():
        assert registry.validate(fixture.api, fixture.schema, instance) == []


def test_fixtures_cover_both_apis_and_both_kinds() -> None:
    assert {(f.api, f.kind) for f in ALL} == {
        (api, kind) for api in ("thalamus", "tealium") for kind in ("documented", "seed")
    }


@pytest.mark.parametrize(
    ("api", "pointer", "states"),
    [
        (
            "thalamus",
            ("state",),
            {
                "WAITING",
                "PROCESSING",
                "PROCESSED",
                "ERROR_IN_FILE_FORMAT",
                "CONFIGURATION_PENDING",
                "CANCELED",
            },
        ),
        (
            "tealium",
            ("status", -1, "state"),
            {"DOWNLOADING", "DOWNLOADED", "PROCESSING", "PROCESSED", "FAILED_PROCESSING"},
        ),
    ],
)
def test_seed_has_a_record_in_every_state(
    registry: SchemaRegistry, api: str, pointer: tuple[Any, ...], states: set[str]
) -> None:
    def at(record: Any) -> Any:
        for part in pointer:
            record = record[part]
        return record

    assert {at(r) for r in seed(api)} == states
    # The schema's enum is the authority on which states exist.
    schema = "common" if api == "thalamus" else "status-entry"
    assert set(registry.enum(api, "state", schema=schema)) == states


def test_thalamus_seed_counters_are_coherent() -> None:
    for record in seed("thalamus"):
        done = record["rowsOk"] + record["rowsWithErrors"] + record["rowsSkipped"]
        assert done <= record["rows"] == record["totalToProcess"], record["id"]


def test_documented_400_keeps_its_duplicate_key_and_parses_to_the_last(
    registry: SchemaRegistry,
) -> None:
    fixture = documented("thalamus", "get-status", 400)
    assert fixture.raw
    assert fixture.text().count('"partnerDataSource"') == 2
    assert fixture.load() == {"errors": {"partnerDataSource": "InvalidTouchpointCode"}}
    # A real response carries one of the two codes; the schema accepts each.
    for code in ("TouchpointCodeRequired", "InvalidTouchpointCode"):
        body = {"errors": {"partnerDataSource": code}}
        assert registry.validate("thalamus", "error", body) == []


@pytest.mark.skipif(
    not SHARED_DOCS.is_dir(), reason="the vendor pages are not beside this checkout"
)
@pytest.mark.parametrize(
    ("api", "operation", "page"),
    [
        ("thalamus", "get-status", "thalamus-get-status.txt"),
        ("tealium", "get-file-status", "tealium-omnichannel-file-status.txt"),
    ],
)
def test_documented_examples_are_verbatim(api: str, operation: str, page: str) -> None:
    text = documented(api, operation, 200).text().strip()
    assert text in (SHARED_DOCS / page).read_text(encoding="utf-8")
    json.loads(text)
