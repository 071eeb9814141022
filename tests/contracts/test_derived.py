"""What the contract suites derive from the operation catalogues: the operations a request
is, the coverage universe and its kit marks, the error cases the suites send (their routes,
marks and valid requests), and how an answer to a case is judged."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx
import pytest

from mockserver import create_app
from statuskit.catalogue import classify, error_cases, operation, operations
from statuskit.contracts.cases import check_case, plan, routes, suite_cases
from statuskit.contracts.coverage import Coverage, render
from statuskit.errors import ContractViolation, KitDecisionDiffers
from statuskit.registry import default_registry
from tests.helpers import edited_catalogue

Q = {"touchpoint": "test", "token": "statuskit-token"}


OPERATIONS = operations()
REGISTRY = default_registry()


def test_the_login_moves_to_the_configured_path() -> None:
    login = operation("thalamus", "login", login_path="custom/login")
    assert login.templates == ("/custom/login",)
    assert classify(operations(login_path="/custom/login"), "POST", "/custom/login") is not None


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
        # No session: a case with no body is its status alone.
        "get-status 401",
    ]
    assert summary["states"]["observed"] == ["CANCELED"]
    assert "import-record:owner.entityType" in summary["fields"]["observed"]
    # Shown only as null in the documented example: never a value.
    assert "import-record:relatedEntityType" in summary["fields"]["never"]
    assert "upload 400 file:Required" in summary["error_cases"]["never"]
    # The kit marks come from the cases' provenance.
    assert "upload 400 file:Required" in summary["kit_decisions"]
    assert "get-status 400 token:Required" in summary["kit_decisions"]
    assert "get-status 401" in summary["kit_decisions"]
    assert "get-status 400 partnerDataSource:TouchpointCodeRequired" not in summary["kit_decisions"]


def test_the_universe_comes_from_the_schemas() -> None:
    coverage = Coverage(OPERATIONS, ("thalamus", "tealium"))
    registry = default_registry()
    thalamus_states = registry.enum("thalamus", "state")
    tealium_states = registry.enum("tealium", "state", schema="status-entry")
    assert tuple(coverage.universe("thalamus")["states"]) == thalamus_states
    assert tuple(coverage.universe("tealium")["states"]) == tealium_states
    record_fields = registry.source("thalamus", "import-record")["properties"]
    universe = coverage.universe("thalamus")["fields"]
    assert {f"import-record:{name}" for name in record_fields} <= set(universe)
    cases = [f"{op.name} {case}" for op, case in error_cases(OPERATIONS, "tealium")]
    assert coverage.universe("tealium")["error_cases"] == list(dict.fromkeys(cases))
    # A 5xx or a 413 is in the catalogue, but no documented request should meet one.
    assert "login 500" not in coverage.universe("thalamus")["statuses"]
    assert "upload 413" not in coverage.universe("thalamus")["statuses"]
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


# -- the error cases the suites send ---------------------------------------------------------


def test_the_suites_send_every_case_of_the_catalogues() -> None:
    sent = {(op.api, op.name, case.name) for op, case, _ in suite_cases()}
    catalogued = {(op.api, op.name, case.name) for op in OPERATIONS for case in op.errors}
    assert sent == catalogued


def test_a_case_is_sent_on_the_routes_that_list_it() -> None:
    op = operation("tealium", "get-file-status")
    v1, v2 = (tuple(t for t in op.templates if t.startswith(v)) for v in ("/v1/", "/v2/"))
    assert routes(op, op.case("badSession")) == v1
    assert routes(op, op.case("badBearer")) == v2
    assert set(routes(op, op.case("notFound"))) == set(op.templates)


def test_the_cases_marks_come_from_the_catalogue() -> None:
    from contract_tests.test_error_cases import CASES

    for param in CASES:
        api, name, key, _ = param.values
        op = operation(str(api), str(name))
        case = op.case(str(key))
        marks = {mark.name for mark in param.marks}
        assert ("kit_decision" in marks) == case.kit, param.id
        assert ("mock_only" in marks) == case.mock_only, param.id
        assert ("writes" in marks) == (op.method == "POST" and not op.session), param.id
    ids = {param.id for param in CASES}
    assert "tealium-login-401-1402" in ids
    assert {"tealium-count-badSession-v1", "tealium-count-badBearer-v2"} <= ids


def test_a_valid_request_is_derived_from_the_catalogue() -> None:
    upload = plan(operation("thalamus", "upload"), "/api/v4/import/file")
    assert set(upload.query) == {"name", "type"}
    assert upload.query["type"] in default_registry().enum("thalamus", "importType")
    assert (upload.body, upload.file_part) == ("multipart", "file")
    # A secret credential never travels in the URL; the touchpoint does, as the client sends it.
    where = {s.credential: s.where for s in upload.credentials}
    assert where == {"touchpoint": "query", "token": "header", "session": "cookie"}
    count = operation("tealium", "count")
    v1 = plan(count, count.templates[0])
    assert set(v1.query) == {"filePrefix", "startDate", "endDate"}
    assert [s.where for s in v1.credentials] == ["query", "cookie"]
    assert [s.where for s in plan(count, count.templates[1]).credentials] == ["bearer"]
    assert plan(operation("tealium", "auth"), "/v2/auth").form_schema == "auth-request"


def _answer(status: int, body: Any = None) -> httpx.Response:
    request = httpx.Request("GET", "http://target.invalid/x")
    if body is None:
        return httpx.Response(status, request=request)
    return httpx.Response(status, json=body, request=request)


THALAMUS_TOKEN = {"errors": {"token": "Required"}}


@pytest.mark.parametrize(
    ("api", "name", "key", "answer", "raised"),
    [
        # A kit-decision case whose status differs: reported apart.
        ("thalamus", "get-status", "tokenMissing", _answer(401), KitDecisionDiffers),
        ("thalamus", "logout", "tokenWrong", _answer(401), KitDecisionDiffers),
        # A documented case whose status or code differs: a failure.
        ("thalamus", "get-status", "touchpointMissing", _answer(401), ContractViolation),
        ("thalamus", "list-imports", "touchpointMissing", _answer(400, THALAMUS_TOKEN), None),
        # A documented case under a kit-decision body: its status is vouched for, its code not.
        ("tealium", "get-file-status", "notFound", _answer(400, {"returnCode": 400}), None),
        ("tealium", "get-file-status", "notFound", _answer(404, {"returnCode": 4}), "kit"),
        # A 5xx is never the answer to a documented request, whatever the case.
        ("thalamus", "get-status", "tokenMissing", _answer(500), ContractViolation),
    ],
)
def test_a_case_that_differs_is_judged_by_its_provenance(
    api: str, name: str, key: str, answer: httpx.Response, raised: Any
) -> None:
    op = operation(api, name)
    with pytest.raises(ContractViolation) as caught:
        check_case(op, op.case(key), answer)
    kit = isinstance(caught.value, KitDecisionDiffers)
    assert kit == (raised in (KitDecisionDiffers, "kit")), caught.value


def test_a_case_as_the_catalogue_says_passes() -> None:
    op = operation("thalamus", "get-status")
    assert check_case(op, op.case("tokenMissing"), _answer(400, THALAMUS_TOKEN)) == THALAMUS_TOKEN
    assert check_case(op, op.case("noSession"), _answer(401)) is None


def test_a_case_added_to_a_copy_of_the_catalogue_is_sent_judged_and_covered(
    tmp_path: Path,
) -> None:
    def change(catalogue: dict[str, Any]) -> None:
        logout = next(e for e in catalogue["operations"] if e["operationId"] == "logout")
        logout["errors"].append(
            {
                "status": 400,
                "code": "token:Required",
                "request": {"headers": {"Thalamus-Token": ""}},
                "provenance": {"kit": "an empty token header counts as none"},
            }
        )
        catalogue["errorCases"]["tokenMissing"]["provenance"] = {"documented": "a vendor page"}

    registry = edited_catalogue(tmp_path, "thalamus", change)
    sent = {(op.name, case.name) for op, case, _ in suite_cases(("thalamus",), registry=registry)}
    assert ("logout", "400 token:Required") in sent
    ops = operations("thalamus", registry=registry)
    coverage = Coverage(ops, ("thalamus",), registry=registry)
    assert "logout 400 token:Required" in coverage.universe("thalamus")["error_cases"]
    assert "get-status 400 token:Required" not in coverage.kit("thalamus")
    op = next(o for o in ops if o.name == "get-status")
    with pytest.raises(ContractViolation) as caught:
        check_case(op, op.case("tokenMissing"), _answer(401))
    assert not isinstance(caught.value, KitDecisionDiffers)
