"""The comparison engine on single bodies: what it calls documented, how it merges, what
it says about enum values never seen, and what it never quotes."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from statuskit.drift import Comparison, compare
from statuskit.drift.compare import json_path
from statuskit.fixtures import documented


@pytest.fixture
def record() -> Any:
    return documented("thalamus", "get-status", 200).load()


def only(findings: list[Any]) -> Any:
    [finding] = findings
    return finding


def test_a_conforming_body_has_no_findings(record: Any) -> None:
    assert compare("thalamus", "import-record", record) == []


@pytest.mark.parametrize(
    ("field", "value", "kind", "documented"),
    [
        # Shown only as null in the docs, typed by the kit: a different type is on the kit.
        ("relatedEntityType", "x", "type-changed", False),
        # Typed by the kit as a number, but shown as 0: a string breaks the docs.
        ("percentageProcessed", "0", "type-changed", True),
        # A shared type whose only kit decision is its year-3000 bound.
        ("creationDate", "2025-01-01", "type-changed", True),
        ("creationDate", 10**14, "format-changed", False),
        ("percentageProcessed", None, "nullability-changed", True),
    ],
)
def test_documented_or_kit_decision(
    record: Any, field: str, value: Any, kind: str, documented: bool
) -> None:
    record[field] = value
    finding = only(compare("thalamus", "import-record", record))
    assert (finding.kind, finding.path, finding.documented) == (kind, f"$.{field}", documented)


def test_an_envelope_decided_by_the_kit_is_a_kit_decision(record: Any) -> None:
    page = {"items": [record], "page": 1, "pageSize": 25, "totalItems": 1}
    finding = only(compare("thalamus", "import-page", page))
    assert (finding.kind, finding.path, finding.documented) == (
        "field-removed",
        "$.totalPages",
        False,
    )
    assert finding.rule == "thalamus/import-page.json#/required"


def test_rules_name_where_they_are_written(record: Any) -> None:
    record["rowsOk"] = "576"
    finding = only(compare("thalamus", "import-record", record))
    assert finding.rule == "thalamus/common.json#/$defs/count/type"
    assert finding.expected == "integer (>= 0)"
    assert finding.observed == 'string "576"'
    assert finding.source == "thalamus-get-status.txt: Example Response (576)"


def test_a_rename_is_hinted(record: Any) -> None:
    record["rowsOK"] = record.pop("rowsOk")
    removed, added = compare("thalamus", "import-record", record)
    assert (removed.kind, removed.hint) == ("field-removed", "maybe renamed to $.rowsOK")
    assert (added.kind, added.hint) == ("field-added", "maybe renamed from $.rowsOk")


def test_secrets_are_never_quoted() -> None:
    [finding] = compare("tealium", "login-response", {"utk": 12345678})
    assert finding.observed == "integer ***"
    [finding] = compare("tealium", "login-response", {"utk": "u", "password": "hunter22"})
    assert finding.observed == "string ***"


def test_findings_merge_across_bodies(record: Any) -> None:
    comparison = Comparison("thalamus")
    for _ in range(3):
        broken = copy.deepcopy(record)
        broken["fileSize"] = "82"
        comparison.add("import-record", broken, operation="get-status", probe="record")
    assert only(comparison.findings()).samples == 3


def test_enum_values_never_seen_over_many_samples(record: Any) -> None:
    few, many = Comparison("thalamus"), Comparison("thalamus")
    for comparison, count in ((few, 99), (many, 100)):
        for _ in range(count):
            comparison.add("import-record", record | {"state": "PROCESSED"})
    assert few.findings() == []
    found = {f.evidence["value"]: f for f in many.findings() if f.path == "$.state"}
    # CANCELED is documented, the other four are inferred: a warning and four infos.
    assert {v: (f.kind, f.severity) for v, f in found.items()} == {
        "WAITING": ("enum-value-removed", "info"),
        "PROCESSING": ("enum-value-removed", "info"),
        "ERROR_IN_FILE_FORMAT": ("enum-value-removed", "info"),
        "CONFIGURATION_PENDING": ("enum-value-removed", "info"),
        "CANCELED": ("enum-value-removed", "warning"),
    }
    assert {f.samples for f in found.values()} == {100}
    # The import types never varied either; they are documented, without provenance.
    types = {f.evidence["value"]: f.severity for f in many.findings() if f.path != "$.state"}
    assert types == {25006: "warning", 25004: "warning", 25012: "warning"}


@pytest.mark.parametrize(
    ("parts", "path"),
    [
        ((), "$"),
        (("status", 0, "state"), "$.status[*].state"),
        (("created_at", "$date"), "$.created_at['$date']"),
        (("a b", "it's"), "$['a b']['it\\'s']"),
    ],
)
def test_json_paths(parts: tuple[Any, ...], path: str) -> None:
    assert json_path(parts) == path
