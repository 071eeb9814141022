"""The proxy's validator on exchanges built by hand: what the application sends wrong, and
what the upstream answers otherwise, each found with drift's kind, severity, path and
``documented`` flag; nothing found in clean traffic; no secret in any finding."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from mockserver import create_app
from statuskit.catalogue import operation
from statuskit.client import TealiumClient, ThalamusClient
from statuskit.drift.model import DriftFinding
from statuskit.errors import NotFoundError
from statuskit.proxy._validate import UNDOCUMENTED, Validator
from statuskit.wire import carriers
from statuskit.wire import tealium as wire_tealium
from tests.drift.mutate import Mutating, Rule, json_edit
from tests.drift.test_mutations import FILE, RECORD, drop, new_last_state, put, rename, stringify
from tests.proxy.exchanges import (
    RECORD_PATH,
    SESSION,
    TOKEN,
    UTK,
    exchange,
    from_httpx,
    record,
    tealium_file,
    thalamus,
    v1,
    v2,
)

_STATUS = operation("thalamus", "get-status")
_LIST = operation("thalamus", "list-imports")
_FILE = operation("tealium", "get-file-status")
_COUNT = operation("tealium", "count")
LIST_PATH = _LIST.path
FILE_NAME = tealium_file()["file"]["name"]
V1_FILE = _FILE.templates[0].format(account="acme", profile="main", name=FILE_NAME)
V2_FILE = _FILE.templates[1].format(account="acme", profile="main", name=FILE_NAME)
V1_COUNT = _COUNT.templates[0].format(account="acme", profile="main")
#: A valid window for Tealium's count (the catalogue's ``minute`` format).
WINDOW = {"filePrefix": "", "startDate": "2016-04-04T00:00Z", "endDate": "2016-04-05T00:00Z"}
#: Thalamus's 401 as the catalogue writes it: no body, its challenge header.
CHALLENGE = tuple(_LIST.body(401).headers.items())  # type: ignore[union-attr]

Seen = tuple[str, str, str, bool]  # kind, severity, path, documented


def seen(findings: Any) -> set[Seen]:
    return {(f.kind, f.severity, f.path, f.documented) for f in findings}


@pytest.fixture
def validator() -> Validator:
    return Validator()


def edited(edit: Callable[[Any], Any], body: dict[str, Any]) -> dict[str, Any]:
    result = edit(body)
    return body if result is None else result


# -- clean traffic ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "built",
    [
        lambda: exchange(RECORD_PATH, thalamus(), body=record()),
        lambda: exchange(RECORD_PATH, thalamus(token_in="query"), body=record()),
        lambda: exchange(
            LIST_PATH, thalamus(), query={"pageSize": "25"}, status=401, response_headers=CHALLENGE
        ),
        lambda: exchange(V1_FILE, v1(), body=tealium_file()),
        lambda: exchange(V2_FILE, v2(), body=tealium_file()),
        lambda: exchange(V1_COUNT, v1(), query=WINDOW, body={"count": 3}),
    ],
    ids=["record", "token in the query", "401", "v1 file", "v2 file", "count"],
)
def test_documented_traffic_has_no_finding(validator: Validator, built: Any) -> None:
    verdict = validator.observe(built())
    assert verdict.findings == ()
    assert (verdict.summary, verdict.blocking) == ("", False)


# -- the request -----------------------------------------------------------------------


def _names(credential: str, api: str) -> set[str]:
    return {
        c.name
        for c in carriers(api)
        if c.credential == credential and c.where in ("query", "header")
    }


def test_a_missing_touchpoint_is_found(validator: Validator) -> None:
    verdict = validator.observe(exchange(RECORD_PATH, thalamus(touchpoint=None), body=record()))
    [finding] = verdict.findings
    assert (finding.kind, finding.severity, finding.documented) == (
        "request-credential-missing",
        "breaking",
        True,
    )
    # Both places the catalogue lets the touchpoint travel are named.
    assert all(name in finding.path for name in _names("touchpoint", "thalamus"))
    assert (finding.api, finding.operation, finding.probe) == ("thalamus", "get-status", "traffic")
    assert verdict.blocking


def test_a_missing_session_cookie_breaks_a_kit_decision_only(validator: Validator) -> None:
    # The name JSESSIONID is the kit's guess: a session under another name is no
    # documented break.
    verdict = validator.observe(exchange(RECORD_PATH, thalamus(session=None), body=record()))
    [finding] = verdict.findings
    assert (finding.kind, finding.documented) == ("request-credential-missing", False)
    assert not verdict.blocking


@pytest.mark.parametrize(
    ("credentials", "missing"),
    [
        (v1(session=None), f"<cookie {wire_tealium.session_cookie()}>"),
        (v1(utk=None), f"<query {wire_tealium.session_parameter()}>"),
    ],
    ids=["utk without its cookie", "cookie without its utk"],
)
def test_a_v1_session_needs_both_halves(
    validator: Validator, credentials: Any, missing: str
) -> None:
    verdict = validator.observe(exchange(V1_FILE, credentials, body=tealium_file()))
    assert seen(verdict.findings) == {("request-credential-missing", "breaking", missing, True)}


def test_a_v2_call_without_a_bearer_is_found(validator: Validator) -> None:
    # The same operation by its v2 route: its own security group.
    verdict = validator.observe(exchange(V2_FILE, v2(None), body=tealium_file()))
    [finding] = verdict.findings
    assert finding.kind == "request-credential-missing"
    assert "Authorization" in finding.path
    assert "bearer" in finding.path


def test_a_file_name_over_its_max_length_is_found_by_its_length(validator: Validator) -> None:
    name = _FILE.over_max_length("path", "name")
    path = _FILE.templates[0].format(account="acme", profile="main", name=name)
    verdict = validator.observe(
        exchange(path, v1(), status=400, body={"returnCode": 400, "message": "bad"})
    )
    assert seen(verdict.findings) == {("request-invalid", "breaking", "<path name>", True)}
    [finding] = verdict.findings
    assert finding.observed == f"string of {len(name)} characters"
    assert name not in json.dumps(finding.to_dict())


def test_an_undocumented_parameter_is_found_and_credentials_are_not(
    validator: Validator,
) -> None:
    verdict = validator.observe(
        exchange(RECORD_PATH, thalamus(token_in="query"), query={"verbose": "1"}, body=record())
    )
    assert seen(verdict.findings) == {
        ("request-undocumented-parameter", "warning", "<query verbose>", True)
    }


@pytest.mark.parametrize("case", [c for c in _LIST.errors if c.request.query], ids=lambda c: c.name)
def test_each_bad_list_filter_of_the_catalogue_is_found(validator: Validator, case: Any) -> None:
    # The catalogue's own refused values: each breaks its parameter's schema.
    [(name, value)] = case.request.query.items()
    answer = {"errors": {case.field: case.value}}
    verdict = validator.observe(
        exchange(LIST_PATH, thalamus(), query={name: value}, status=case.status, body=answer)
    )
    assert seen(verdict.findings) == {
        ("request-invalid", "breaking", f"<query {name}>", _documented_param(name))
    }


def _documented_param(name: str) -> bool:
    # The flags' pattern is a kit decision (docs/wire.md), the rest is documented.
    spec = _LIST.parameters[("query", name)]["schema"]
    return "#/$defs/flag" not in json.dumps(spec)


def test_good_list_filters_are_not_findings(validator: Validator) -> None:
    query = {
        "pageSize": str(_LIST.default("pageSize")),
        "orderBy": _LIST.allowed("orderBy")[-1],
        "ascending": "FALSE",
        "beginDate": "2024-02-29",
        "state": "6",
    }
    verdict = validator.observe(
        exchange(LIST_PATH, thalamus(), query=query, status=401, response_headers=CHALLENGE)
    )
    assert verdict.findings == ()


def test_a_required_query_parameter_absent_is_found_and_an_allowed_empty_one_is_not(
    validator: Validator,
) -> None:
    without = {k: v for k, v in WINDOW.items() if k != "startDate"}
    verdict = validator.observe(exchange(V1_COUNT, v1(), query=without, body={"count": 1}))
    assert seen(verdict.findings) == {("request-invalid", "breaking", "<query startDate>", True)}


def test_an_undocumented_route_is_one_finding_without_its_ids(validator: Validator) -> None:
    verdict = validator.observe(exchange("/api/v4/import/statuses/274", thalamus(), status=404))
    [finding] = verdict.findings
    assert (finding.kind, finding.severity, finding.operation) == (
        "request-undocumented-route",
        "warning",
        UNDOCUMENTED,
    )
    assert finding.api == "thalamus"
    assert "274" not in finding.path
    again = validator.observe(exchange("/api/v4/import/statuses/275", thalamus(), status=404))
    assert again.findings[0].key == finding.key


def test_request_checks_can_be_turned_off() -> None:
    quiet = Validator(check_requests=False)
    assert quiet.observe(exchange(RECORD_PATH, body=record())).findings == ()


# -- the response ----------------------------------------------------------------------

RESPONSE_CASES: dict[str, tuple[Any, set[Seen]]] = {
    "type change": (stringify("rowsOk"), {("type-changed", "breaking", "$.rowsOk", True)}),
    "removed field": (drop("rowsOk"), {("field-removed", "breaking", "$.rowsOk", True)}),
    "added field": (put("retentionDays", 30), {("field-added", "info", "$.retentionDays", True)}),
    "new enum value": (
        put("state", "ARCHIVED"),
        {("enum-value-added", "warning", "$.state", True)},
    ),
    "rename": (
        rename("rowsOk", "rowsOK"),
        {
            ("field-removed", "breaking", "$.rowsOk", True),
            ("field-added", "info", "$.rowsOK", True),
        },
    ),
}


@pytest.mark.parametrize("name", RESPONSE_CASES)
def test_a_mutated_record_is_classified_as_drift_does(validator: Validator, name: str) -> None:
    edit, expected = RESPONSE_CASES[name]
    verdict = validator.observe(exchange(RECORD_PATH, thalamus(), body=edited(edit, record())))
    assert seen(verdict.findings) == expected
    assert all(f.schema == "thalamus/import-record" for f in verdict.findings)


def test_a_new_tealium_state_is_found_in_the_status_list(validator: Validator) -> None:
    body = edited(new_last_state, tealium_file())
    verdict = validator.observe(exchange(V1_FILE, v1(), body=body))
    assert seen(verdict.findings) == {("enum-value-added", "warning", "$.status[*].state", True)}


def test_a_status_the_operation_does_not_answer_is_found(validator: Validator) -> None:
    assert 202 not in _STATUS.statuses
    verdict = validator.observe(exchange(RECORD_PATH, thalamus(), status=202, body=record()))
    assert seen(verdict.findings) == {("status-code-changed", "breaking", "<status>", True)}


def test_an_undocumented_refusal_must_keep_the_error_shape(validator: Validator) -> None:
    assert 503 not in _STATUS.statuses
    html = b"<html>down</html>"
    verdict = validator.observe(exchange(RECORD_PATH, thalamus(), status=503, body=html))
    assert seen(verdict.findings) == {
        ("status-code-changed", "breaking", "<status>", True),
        ("error-shape-changed", "breaking", "$", True),
    }


def test_an_error_code_the_api_does_not_have_is_a_warning(validator: Validator) -> None:
    body = {"errors": {"id": "Exploded"}}
    verdict = validator.observe(exchange(RECORD_PATH, thalamus(), status=400, body=body))
    assert seen(verdict.findings) == {("error-shape-changed", "warning", "$.errors.id", True)}


def test_a_kit_decision_body_is_never_a_documented_break(validator: Validator) -> None:
    body404 = _FILE.body(404)
    assert body404 is not None
    assert body404.kit
    path = _FILE.templates[0].format(account="acme", profile="main", name="nope.csv")
    shapes = {
        "new code": ({"returnCode": 4040, "message": "gone"}, "warning", "$.returnCode"),
        "new shape": ({"error": {"code": 404}}, "breaking", "$"),
    }
    for body, severity, where in shapes.values():
        verdict = validator.observe(exchange(path, v1(), status=404, body=body))
        assert seen(verdict.findings) == {("error-shape-changed", severity, where, False)}
        assert not verdict.blocking


def test_a_json_body_as_text_is_a_kit_decided_header_change(validator: Validator) -> None:
    text = (("Content-Type", "text/plain"),)
    verdict = validator.observe(
        exchange(RECORD_PATH, thalamus(), body=record(), response_headers=text)
    )
    assert seen(verdict.findings) == {("header-changed", "warning", "<header Content-Type>", False)}


def test_an_identical_answer_is_judged_once_and_counted_each_time() -> None:
    # One state seen over enough answers: the others are reported as never seen only when
    # the repeats of the one cached answer are counted.
    validator = Validator(min_enum_samples=3)
    same = exchange(RECORD_PATH, thalamus(), body=record())
    for _ in range(2):
        assert validator.observe(same).findings == ()
    assert validator.unseen() == []
    validator.observe(same)
    unseen = [f for f in validator.unseen() if f.path == "$.state"]
    assert unseen
    assert all(f.observed == "not seen in 3 samples" for f in unseen)
    states = {f.expected.split(" ")[0] for f in unseen}
    assert record()["state"] not in states
    assert len(states) > 1


def test_a_cached_verdict_is_the_verdict(validator: Validator) -> None:
    def mutated() -> Any:
        return exchange(RECORD_PATH, thalamus(), body=edited(stringify("rowsOk"), record()))

    first, again = validator.observe(mutated()), validator.observe(mutated())
    assert first.findings
    assert again.findings == first.findings
    other = validator.observe(
        exchange(RECORD_PATH, thalamus(), body=edited(drop("rowsOk"), record()))
    )
    assert other.findings != first.findings


# -- secrets ---------------------------------------------------------------------------


def test_no_finding_and_no_summary_carries_a_credential(validator: Validator) -> None:
    echoed = {**record(), "echo": TOKEN, "session": SESSION, "utk": UTK}
    verdicts = [
        validator.observe(exchange(RECORD_PATH, thalamus(token_in="query"), body=echoed)),
        validator.observe(exchange(V1_FILE, v1(), body={**tealium_file(), "note": UTK})),
    ]
    found: list[DriftFinding] = [f for v in verdicts for f in v.findings]
    assert {f.kind for f in found} == {"field-added"}
    text = json.dumps([f.to_dict() for f in found]) + "".join(v.summary for v in verdicts)
    text += json.dumps(validator.findings.snapshot())
    for secret in (TOKEN, SESSION, UTK):
        assert secret not in text
    assert "***" in text


# -- real traffic, in process ----------------------------------------------------------


class Watched(httpx.BaseTransport):
    """A transport to a WSGI app that shows each exchange to a validator, as the proxy does."""

    def __init__(self, app: Any, validator: Validator) -> None:
        self.inner = httpx.WSGITransport(app=app)
        self.validator = validator

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        response.read()
        seen = from_httpx(request, response)
        self.validator.findings.add(seen, self.validator.observe(seen).findings)
        return response


def _client_flows(app: Any, validator: Validator) -> None:
    """The README's flows with the reference clients: Thalamus, then Tealium v1 and v2."""
    base = "http://127.0.0.1:8080"
    with ThalamusClient.from_env(base, transport=Watched(app, validator)) as client:
        created = client.upload(b"sku,qty\n1,2\n", "nightly-stock", 25012, filename="stock.xlsx")
        client.get_status(created.id)
        client.get_status(record()["id"])
        client.list_imports()
        client.logout()
    start, end = datetime(2016, 1, 1, tzinfo=UTC), datetime(2030, 1, 1, tzinfo=UTC)
    for version in (1, 2):
        with TealiumClient.from_env(
            base, transport=Watched(app, validator), api_version=version
        ) as tealium:
            tealium.count(FILE_NAME[:5], start, end)
            for found in tealium.search(FILE_NAME[:5], start, end):
                tealium.get_file_status(found.file.name)
            with pytest.raises(NotFoundError):
                tealium.get_file_status("no-such-file.csv")
            tealium.logout()


def test_the_reference_clients_against_the_mock_give_no_finding(validator: Validator) -> None:
    _client_flows(create_app(), validator)
    report = validator.findings.report()
    assert report.findings == []
    # Every operation the flows use was seen: logins, uploads, reads, refusals, logouts.
    assert report.requests >= 20
    assert any(note.startswith("tealium login:") for note in report.notes)


def test_a_mutated_upstream_is_found_under_the_clients_traffic(validator: Validator) -> None:
    # Drift the clients survive (a tolerant reader): a new field, a new state.
    app = Mutating(
        create_app(),
        Rule(RECORD, json_edit(put("retentionDays", 30))),
        Rule(FILE, json_edit(new_last_state)),
    )
    _client_flows(app, validator)
    assert all(app.seen.get(i) for i in range(2))
    assert seen(validator.findings.findings()) == {
        ("field-added", "info", "$.retentionDays", True),
        ("enum-value-added", "warning", "$.status[*].state", True),
    }


def test_a_case_answered_under_another_status_is_found(validator: Validator) -> None:
    # 404 id:NotFound (a kit decision) answered as a 400: the status is one get-status
    # lists, but the code names a case the catalogue writes with 404.
    body = {"errors": {"id": "NotFound"}}
    verdict = validator.observe(exchange(RECORD_PATH, thalamus(), status=400, body=body))
    assert seen(verdict.findings) == {("status-code-changed", "breaking", "<status>", False)}
    # Tealium's unknown file (a documented 404) answered as a 400.
    refusal = {"returnCode": 404, "message": "Supplied file name not found"}
    verdict = validator.observe(exchange(V1_FILE, v1(), status=400, body=refusal))
    assert ("status-code-changed", "breaking", "<status>", True) in seen(verdict.findings)
