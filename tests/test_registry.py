"""The registry: structured findings, a raising variant that pytest reports as a failure,
typed usage errors, compiled validators cached, and secrets kept out of messages."""

from __future__ import annotations

from pathlib import Path

import pytest

import statuskit
from statuskit.errors import ContractViolation, SchemaLoadError, UnknownSchemaError
from statuskit.fixtures import documented
from statuskit.registry import SchemaRegistry


def test_findings_carry_json_path_schema_path_and_message(registry: SchemaRegistry) -> None:
    record = documented("thalamus", "get-status", 200).load()
    record["owner"]["entityType"] = 99999
    [finding] = registry.validate("thalamus", "import-record", record)
    assert finding.path == "$.owner.entityType"
    assert finding.schema_path.endswith("/enum")
    assert finding.keyword == "enum"
    assert "99999" in finding.message
    assert str(finding).startswith("$.owner.entityType: ")


def test_check_raises_a_contract_violation_that_is_an_assertion(registry: SchemaRegistry) -> None:
    with pytest.raises(AssertionError) as caught:
        registry.check("tealium", "count", {"count": -1})
    error = caught.value
    assert isinstance(error, ContractViolation)
    assert [f.path for f in error.findings] == ["$.count"]
    assert "tealium count (strict): $.count" in str(error)


def test_module_level_helpers_use_the_shared_registry() -> None:
    assert statuskit.validate("tealium", "count", {"count": 3}) == []
    with pytest.raises(ContractViolation):
        statuskit.check("tealium", "count", {"count": "3"})
    assert statuskit.default_registry() is statuskit.default_registry()


def test_unknown_names_are_lookup_errors(registry: SchemaRegistry) -> None:
    with pytest.raises(LookupError, match="no schema thalamus/status"):
        registry.validate("thalamus", "status", {})
    with pytest.raises(UnknownSchemaError, match="no schemas for API 'nope'"):
        registry.names("nope")


def test_validators_are_compiled_once(registry: SchemaRegistry) -> None:
    first = registry.validator("thalamus", "import-record")
    assert registry.validator("thalamus", "import-record") is first
    assert registry.validator("thalamus", "import-record", strict=False) is not first


def test_secret_values_never_reach_findings(registry: SchemaRegistry) -> None:
    secret = "hunter2-" * 13  # over the password's 100-character limit
    body = {"principal": "ana", "password": secret}
    [finding] = registry.validate("thalamus", "login-request", body)
    assert "hunter2" not in str(finding)
    assert finding.message == "secret value violates 'maxLength'"


def test_broken_schema_folder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(SchemaLoadError, match="no schemas found"):
        SchemaRegistry(tmp_path)


def test_wrong_id_is_rejected(tmp_path: Path) -> None:
    root = tmp_path
    (root / "demo").mkdir()
    (root / "demo" / "x.json").write_text('{"$id": "https://elsewhere.invalid/x.json"}')
    with pytest.raises(SchemaLoadError, match=r"\$id must be"):
        SchemaRegistry(root)
