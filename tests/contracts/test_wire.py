"""The wire table and the coverage derived from it and from the schemas."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from mockserver import create_app
from statuskit.contracts.coverage import Coverage, render
from statuskit.contracts.wire import classify, error_cases, operations
from statuskit.registry import default_registry

Q = {"touchpoint": "test", "token": "statuskit-token"}


OPERATIONS = operations()
REGISTRY = default_registry()


def test_every_error_code_is_in_its_error_schema() -> None:
    # operations() checks each code against the schema enums, and each status is documented.
    assert operations("/custom/login")[0].pattern.pattern == "/custom/login"


@pytest.mark.parametrize(
    ("method", "path", "name"),
    [
        ("GET", "/api/v4/import/status/274", "get-status"),
        ("GET", "/api/v4/import/status", "list-imports"),
        ("POST", "/api/v4/import/file", "upload"),
        ("GET", "/v1/omnichannel/accounts/a/profiles/p/files/count", "count"),
        ("GET", "/v2/omnichannel/accounts/a/profiles/p/files/search", "search"),
        ("GET", "/v2/omnichannel/accounts/a/profiles/p/files/x%2Fy.csv", "get-file-status"),
        ("POST", "/v2/auth", "auth"),
    ],
)
def test_requests_are_classified_by_method_and_path(method: str, path: str, name: str) -> None:
    op = classify(OPERATIONS, method, path)
    assert op is not None
    assert op.name == name


def test_an_unknown_request_is_no_operation() -> None:
    assert classify(OPERATIONS, "DELETE", "/api/v4/import/status/1") is None


@pytest.mark.parametrize("raw_id", ["27/4", "/274", "274/", ""])
def test_an_id_that_is_not_one_segment_is_no_operation(raw_id: str) -> None:
    # The path is classified decoded, as the server routes it: %2F is another route.
    assert classify(OPERATIONS, "GET", f"/api/v4/import/status/{raw_id}") is None


CATALOGUED = [
    (api, entry)
    for api in ("thalamus", "tealium")
    for entry in REGISTRY.catalogue(api)["operations"]
]


@pytest.mark.parametrize(
    ("api", "entry"), CATALOGUED, ids=[f"{api}-{e['operationId']}" for api, e in CATALOGUED]
)
def test_every_catalogued_route_is_classified_as_its_operation(
    api: str, entry: dict[str, Any]
) -> None:
    path = re.sub(r"\{[^}]+\}", "x", entry["path"])
    op = classify(OPERATIONS, entry["method"], path)
    assert op is not None
    # The wire table names Tealium's v1 and v2 twins once.
    assert (op.api, op.name) == (api, re.sub(r"^v\d+-", "", entry["operationId"]))


def _observed(coverage: Coverage) -> Coverage:
    transport = httpx.WSGITransport(app=create_app({"generated": 0}))
    with httpx.Client(base_url="http://mock", transport=transport) as http:
        for request in (
            http.build_request("GET", "/api/v4/import/status/274"),
            http.build_request(
                "GET", "/api/v4/import/status/274", params={"touchpoint": "test", "token": "x"}
            ),
            http.build_request("GET", "/api/v4/import/status/274", params=Q),
        ):
            coverage.observe(request, http.send(request))
        login = http.build_request(
            "POST",
            "/api/v3/thalamus_security_check",
            params=Q,
            headers={"Authorization": "Basic Y29uc3VtZXJAZXhhbXBsZS5jb206c3RhdHVza2l0"},
        )
        answer = http.send(login)
        coverage.observe(login, answer)
        cookie = answer.headers["set-cookie"].split(";")[0]
        found = http.build_request(
            "GET", "/api/v4/import/status/274", params=Q, headers={"Cookie": cookie}
        )
        coverage.observe(found, http.send(found))
    return coverage


def test_coverage_counts_statuses_codes_states_and_fields() -> None:
    summary = _observed(Coverage(OPERATIONS, ("thalamus",))).summary()["thalamus"]
    assert summary["requests"] == 5
    assert summary["statuses"]["observed"] == [
        "get-status 200",
        "get-status 400",
        "get-status 401",
        "login 200",
    ]
    assert summary["error_cases"]["observed"] == [
        "get-status 400 partnerDataSource:TouchpointCodeRequired",
        "get-status 400 token:InvalidToken",
    ]
    assert summary["states"]["observed"] == ["CANCELED"]
    assert "import-record:owner.entityType" in summary["fields"]["observed"]
    # Shown only as null in the documented example: never a value.
    assert "import-record:relatedEntityType" in summary["fields"]["never"]
    assert "upload 400 file:Required" in summary["error_cases"]["never"]
    assert "upload 400 file:Required" in summary["kit_decisions"]


def test_the_universe_comes_from_the_schemas() -> None:
    coverage = Coverage(OPERATIONS, ("thalamus", "tealium"))
    registry = default_registry()
    thalamus_states = registry.source("thalamus", "common")["$defs"]["state"]["enum"]
    tealium_states = registry.source("tealium", "status-entry")["properties"]["state"]["enum"]
    assert coverage.universe("thalamus")["states"] == thalamus_states
    assert coverage.universe("tealium")["states"] == tealium_states
    record_fields = registry.source("thalamus", "import-record")["properties"]
    universe = coverage.universe("thalamus")["fields"]
    assert {f"import-record:{name}" for name in record_fields} <= set(universe)
    cases = [f"{op.name} {case}" for op, case in error_cases(OPERATIONS, "tealium")]
    assert coverage.universe("tealium")["error_cases"] == cases
    unreachable = coverage.summary()["thalamus"]["error_codes"]["produced_by_no_documented_request"]
    assert "CredentialAlreadyExists" in unreachable


def test_the_rendering_lists_what_was_never_seen() -> None:
    coverage = _observed(Coverage(OPERATIONS, ("thalamus",), base_path="/"))
    lines = render(coverage.summary(), target="the in-process mock")
    assert lines[0] == "contract coverage of the in-process mock"
    assert "  statuses: 4/15 observed" in lines
    assert "    never: upload 400 file:Required [KIT]" in lines


def test_coverage_records_nothing_while_paused() -> None:
    coverage = Coverage(OPERATIONS, ("thalamus",))
    with coverage.paused():
        _observed(coverage)
    assert coverage.summary()["thalamus"]["requests"] == 0


def test_a_decoded_path_with_a_newline_is_still_classified() -> None:
    op = classify(OPERATIONS, "GET", "/v1/omnichannel/accounts/a/profiles/p/files/a\nb.csv")
    assert op is not None
    assert op.name == "get-file-status"
