"""The mock, made to drift by a helper that mutates its answers, yields exactly the expected
finding, with the right severity, for every kind of difference."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest

from statuskit.catalogue import operation
from tests.drift.conftest import run_against
from tests.drift.mutate import Answer, Mutating, Rule, json_edit, set_status

RECORD = r"GET /api/v4/import/status/\d{1,5}"
LIST = r"GET /api/v4/import/status"
# The refusals' requests, as the catalogue writes them.
_STATUS, _FILE = operation("thalamus", "get-status"), operation("tealium", "get-file-status")
UNKNOWN_ID = r"GET /api/v4/import/status/" + _STATUS.case("404 id:NotFound").request.path["id"]
FILES = r"GET /v1/omnichannel/accounts/acme/profiles/main/files"
FILE = FILES + r"/(?!count$|search$)[^/]+"
NO_SUCH_FILE = FILES + "/" + re.escape(_FILE.case("notFound").request.path["name"])
LONG_NAME = FILES + "/" + _FILE.over_max_length("path", "name")
WRONG_SESSION = "utk=" + _FILE.case("badSession").request.credentials["session"]
_LIST = operation("thalamus", "list-imports")


def status_documented(op: Any, case: str) -> bool:
    """Whether the catalogue documents ``case``'s status: drift's ``documented`` for it."""
    return bool(op.documented(op.case(case))[0])


def code_documented(op: Any, case: str) -> bool:
    """Whether the catalogue documents ``case``'s code and body."""
    return bool(op.documented(op.case(case))[1])


Expected = tuple[
    str, str, str, str, str, bool
]  # kind, severity, operation, probe, path, documented


def drop(key: str) -> Callable[[Any], None]:
    def edit(body: Any) -> None:
        del body[key]

    return edit


def rename(old: str, new: str) -> Callable[[Any], None]:
    def edit(body: Any) -> None:
        body[new] = body.pop(old)

    return edit


def put(key: str, value: Any) -> Callable[[Any], None]:
    def edit(body: Any) -> None:
        body[key] = value

    return edit


def stringify(key: str) -> Callable[[Any], None]:
    def edit(body: Any) -> None:
        body[key] = str(body[key])

    return edit


def new_last_state(body: Any) -> None:
    body["status"][-1]["state"] = "QUEUED"


def plain_text(answer: Answer) -> None:
    answer.set_header("Content-Type", "text/plain")


def date_without_zone(body: Any) -> None:
    body["created_at"]["$date"] = body["created_at"]["$date"].replace("Z", "")


def flat_touchpoint_error(body: Any) -> Any:
    # Only the missing-touchpoint refusal changes; the other 400s keep their shape.
    missing = {"errors": {"partnerDataSource": "TouchpointCodeRequired"}}
    return {"error": "TouchpointCodeRequired"} if body == missing else body


def insecure_cookie(answer: Answer) -> None:
    cookie = dict((k.lower(), v) for k, v in answer.headers)["set-cookie"]
    answer.set_header("Set-Cookie", cookie.replace("; Secure", ""))


CASES: dict[str, tuple[str, tuple[Rule, ...], set[Expected]]] = {
    "removed field": (
        "thalamus",
        (Rule(RECORD, json_edit(drop("rowsOk"))),),
        {("field-removed", "breaking", "get-status", "record", "$.rowsOk", True)},
    ),
    "renamed field": (
        "thalamus",
        (Rule(RECORD, json_edit(rename("rowsOk", "rowsOK"))),),
        {
            ("field-removed", "breaking", "get-status", "record", "$.rowsOk", True),
            ("field-added", "info", "get-status", "record", "$.rowsOK", True),
        },
    ),
    "int to string": (
        "thalamus",
        (Rule(RECORD, json_edit(stringify("fileSize"))),),
        {("type-changed", "breaking", "get-status", "record", "$.fileSize", True)},
    ),
    "int to string in a kit-decided envelope": (
        "thalamus",
        (Rule(r"GET /api/v4/import/status", json_edit(stringify("totalItems"))),),
        {("type-changed", "breaking", "list-imports", "list", "$.totalItems", False)},
    ),
    "field turns null": (
        "thalamus",
        (Rule(RECORD, json_edit(put("fileName", None))),),
        {("nullability-changed", "breaking", "get-status", "record", "$.fileName", True)},
    ),
    "new state value (thalamus)": (
        "thalamus",
        (Rule(RECORD, json_edit(put("state", "ARCHIVED"))),),
        {("enum-value-added", "warning", "get-status", "record", "$.state", True)},
    ),
    "new state value (tealium)": (
        "tealium",
        (Rule(FILE, json_edit(new_last_state)),),
        {("enum-value-added", "warning", "get-file-status", "file", "$.status[*].state", True)},
    ),
    "new optional field": (
        "tealium",
        (Rule(FILE, json_edit(put("retention_days", 30))),),
        {("field-added", "info", "get-file-status", "file", "$.retention_days", True)},
    ),
    "date format": (
        "tealium",
        (Rule(FILE, json_edit(date_without_zone)),),
        {("format-changed", "breaking", "get-file-status", "file", "$.created_at['$date']", True)},
    ),
    "error body in another shape (tealium 404)": (
        "tealium",
        (
            Rule(
                NO_SUCH_FILE,
                json_edit(lambda body: {"error": {"code": 404, "message": body["message"]}}),
                statuses=(404,),
            ),
        ),
        # A documented case whose body's shape is a kit decision.
        {
            (
                "error-shape-changed",
                "breaking",
                "get-file-status",
                "notFound",
                "$",
                code_documented(_FILE, "notFound"),
            )
        },
    ),
    "error body in another shape (thalamus touchpoint)": (
        "thalamus",
        (Rule(RECORD, json_edit(flat_touchpoint_error), statuses=(400,)),),
        {
            (
                "error-shape-changed",
                "breaking",
                "get-status",
                "touchpointMissing",
                "$",
                code_documented(_STATUS, "touchpointMissing"),
            )
        },
    ),
    "404 replaced by 400 (thalamus)": (
        "thalamus",
        (Rule(UNKNOWN_ID, set_status(400), statuses=(404,)),),
        {
            (
                "status-code-changed",
                "breaking",
                "get-status",
                "id:NotFound",
                "<status>",
                status_documented(_STATUS, "404 id:NotFound"),
            )
        },
    ),
    "404 replaced by 400 (tealium)": (
        "tealium",
        (Rule(NO_SUCH_FILE, set_status(400), statuses=(404,)),),
        {
            (
                "status-code-changed",
                "breaking",
                "get-file-status",
                "notFound",
                "<status>",
                status_documented(_FILE, "notFound"),
            )
        },
    ),
    "400 replaced by 200 for a 151-character name": (
        "tealium",
        (Rule(LONG_NAME, set_status(200), statuses=(400,)),),
        {
            (
                "status-code-changed",
                "breaking",
                "get-file-status",
                "nameTooLong",
                "<status>",
                status_documented(_FILE, "nameTooLong"),
            )
        },
    ),
    "wrong token accepted": (
        "tealium",
        (Rule(FILE, set_status(200), statuses=(401,), query=WRONG_SESSION),),
        {
            (
                "auth-behaviour-changed",
                "breaking",
                "get-file-status",
                "badSession",
                "<status>",
                status_documented(_FILE, "badSession"),
            )
        },
    ),
    "another refusal code": (
        "tealium",
        (
            Rule(
                FILE,
                json_edit(put("returnCode", 1469)),
                statuses=(401,),
                query=WRONG_SESSION,
            ),
        ),
        {
            (
                "auth-behaviour-changed",
                "breaking",
                "get-file-status",
                "badSession",
                "$.returnCode",
                code_documented(_FILE, "badSession"),
            )
        },
    ),
    "another message": (
        "tealium",
        (
            Rule(
                FILE,
                json_edit(put("message", "Not authenticated")),
                statuses=(401,),
                query=WRONG_SESSION,
            ),
        ),
        # The message of the documented example (fixtures/tealium/documented/).
        {
            (
                "auth-behaviour-changed",
                "breaking",
                "get-file-status",
                "badSession",
                "$.message",
                code_documented(_FILE, "badSession"),
            )
        },
    ),
    "another code for a kit-decision filter case": (
        "thalamus",
        (
            Rule(
                LIST,
                json_edit(put("errors", {"page": "InvalidName"})),
                statuses=(400,),
                query="page=0",
            ),
        ),
        {
            (
                "error-shape-changed",
                "warning",
                "list-imports",
                "page:InvalidFormat",
                "$.errors.page",
                code_documented(_LIST, "400 page:InvalidFormat"),
            )
        },
    ),
    "content type": (
        "thalamus",
        (Rule(RECORD, plain_text),),
        {("header-changed", "warning", "get-status", "record", "<header Content-Type>", False)},
    ),
    "no WWW-Authenticate": (
        "thalamus",
        (Rule(RECORD, lambda a: a.set_header("WWW-Authenticate", None), statuses=(401,)),),
        {
            (
                "header-changed",
                "warning",
                "get-status",
                "noSession",
                "<header WWW-Authenticate>",
                False,
            )
        },
    ),
    "tealium cookie loses its documented attributes": (
        "tealium",
        (Rule(r"POST /v1/login", insecure_cookie),),
        {("header-changed", "warning", "login", "login", "<header Set-Cookie>", True)},
    ),
}


SESSIONLESS: dict[str, tuple[str, Rule]] = {
    "thalamus": (
        "login",
        Rule(r"POST /api/v3/thalamus_security_check", lambda a: a.set_header("Set-Cookie", None)),
    ),
    "tealium": ("login", Rule(r"POST /v1/login", json_edit(lambda body: {}))),
}


@pytest.mark.parametrize("api", list(SESSIONLESS))
def test_a_login_without_a_session_is_auth_drift_and_stops_the_run(
    api: str, mutated: Callable[..., Mutating]
) -> None:
    operation, rule = SESSIONLESS[api]
    report = run_against(mutated(rule), api)
    found = summary(report)
    assert ("auth-behaviour-changed", "breaking", operation, "login", "<session>", True) in found
    # Tealium's body lost its utk too: that is the body's own finding.
    assert found - {
        ("auth-behaviour-changed", "breaking", operation, "login", "<session>", True)
    } <= {("field-removed", "breaking", "login", "login", "$.utk", True)}
    assert [p.probe for p in report.probes] == ["login"]
    assert report.notes == ["the login gave no session, so no probe behind it was sent"]


def summary_of(findings: Any) -> set[Expected]:
    return {(f.kind, f.severity, f.operation, f.probe, f.path, f.documented) for f in findings}


def summary(report: Any) -> set[Expected]:
    return summary_of(report.findings)


@pytest.mark.parametrize("case", list(CASES))
def test_each_mutation_yields_exactly_its_finding(
    case: str, mutated: Callable[..., Mutating]
) -> None:
    api, rules, expected = CASES[case]
    app = mutated(*rules)
    report = run_against(app, api)
    assert len(app.seen) == len(rules), "a mutation never fired"
    assert summary(report) == expected
    # A kit decision answered otherwise is listed apart and fails nothing by default ...
    kit = {e for e in expected if not e[-1]}
    assert summary_of(report.kit_decisions) == kit
    assert summary_of(report.documented) == expected - kit
    breaking = {e for e in expected if e[1] == "breaking"}
    assert report.failed == bool(breaking - kit)
    assert report.exit_code == (1 if breaking - kit else 0)
    # ... and counts again, by severity, for a team that relies on the kit's guesses.
    strict = replace(report, fail_on_kit_decisions=True)
    assert strict.failed == bool(breaking)
    assert strict.exit_code == (1 if breaking else 0)


def test_the_mutations_cover_both_sides_of_the_exit_policy() -> None:
    # The test above proves the policy only if some mutation breaks nothing but kit
    # decisions (exit 0, 1 with --fail-on-kit-decisions) and some breaks a documented rule.
    kit_only = [
        name
        for name, (_, _, expected) in CASES.items()
        if not any(e[-1] for e in expected) and any(e[1] == "breaking" for e in expected)
    ]
    documented = [
        name
        for name, (_, _, expected) in CASES.items()
        if any(e[-1] and e[1] == "breaking" for e in expected)
    ]
    assert "int to string in a kit-decided envelope" in kit_only
    assert "removed field" in documented


def all_processed(body: Any) -> None:
    for item in body["items"]:
        item["state"] = "PROCESSED"


def test_states_never_seen_over_many_samples(mock_app: Any) -> None:
    from mockserver import create_app
    from statuskit.drift import DriftOptions

    app = Mutating(
        create_app({"generated": 150}),
        Rule(r"GET /api/v4/import/status", json_edit(all_processed)),
    )
    report = run_against(app, "thalamus", options=DriftOptions(pace=0, page_size=150))
    found = {(f.kind, f.severity, f.path, f.expected.split()[0]) for f in report.findings}
    # At most a warning, and only for the documented value; the inferred ones are info.
    assert found == {
        ("enum-value-removed", "warning", "$.items[*].state", "CANCELED"),
        ("enum-value-removed", "info", "$.items[*].state", "WAITING"),
        ("enum-value-removed", "info", "$.items[*].state", "PROCESSING"),
        ("enum-value-removed", "info", "$.items[*].state", "ERROR_IN_FILE_FORMAT"),
        ("enum-value-removed", "info", "$.items[*].state", "CONFIGURATION_PENDING"),
    }
    assert {f.samples for f in report.findings} == {150}
    assert not report.failed
