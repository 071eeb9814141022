"""What the admin API is sent is checked against its schema in ``schemas/admin/`` before it
is used: bad input is a 400 in the admin error format whose message starts with the
field's JSON path, never a 500. The cases are drawn from the operation catalogue and the
request schemas, so a new admin route or field is covered as soon as it is catalogued."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import fields
from typing import Any

import httpx
import pytest
from flask import Flask

from mockserver import create_app
from mockserver.admin._inputs import ClockRange, InputError, parse_json
from mockserver.faults import Fault, FaultError
from mockserver.scenarios import PRESETS, Outcome, Scenario
from statuskit.registry import default_registry
from tests.mock.thalamus_support import state_of

REGISTRY = default_registry()
OPERATIONS = REGISTRY.catalogue("admin")["operations"]
WITH_BODY = [op for op in OPERATIONS if "requestBody" in op]
JSON = "application/json"


def _url(op: dict[str, Any]) -> str:
    """The operation's path, each path parameter filled with its catalogue example."""
    path: str = op["path"]
    for param in op.get("parameters", []):
        if param["in"] == "path":
            path = path.replace("{" + param["name"] + "}", str(param["example"]))
    return path


def _schema(op: dict[str, Any]) -> str:
    name: str = op["requestBody"]["content"][JSON]
    return name


def _example(op: dict[str, Any]) -> dict[str, Any]:
    example: dict[str, Any] = REGISTRY.source("admin", _schema(op))["examples"][0]
    return example


FIELDS = [
    pytest.param(op, name, id=f"{op['operationId']}.{name}")
    for op in WITH_BODY
    for name in REGISTRY.source("admin", _schema(op))["properties"]
]
BODIES = [pytest.param(op, id=op["operationId"]) for op in WITH_BODY]
REQUIRED = [
    pytest.param(op, id=op["operationId"])
    for op in WITH_BODY
    if REGISTRY.source("admin", _schema(op)).get("required")
]


@pytest.fixture(scope="module")
def app() -> Flask:
    """One mock for the module: a refused request changes nothing."""
    return create_app({"generated": 0})


@pytest.fixture
def http(app: Flask) -> Iterator[httpx.Client]:
    with httpx.Client(transport=httpx.WSGITransport(app=app), base_url="http://mock") as c:
        yield c


def refused(response: httpx.Response) -> str:
    """The message of a 400 in the admin API's error format."""
    assert response.status_code == 400, response.text
    assert response.headers["content-type"] == JSON
    body = response.json()
    assert REGISTRY.validate("admin", "error", body) == []
    assert body["error"]["status"] == 400
    message: str = body["error"]["message"]
    assert "\n" not in message
    return message


# -- the catalogue names a schema for everything an admin route reads --------------------------


@pytest.mark.parametrize("op", BODIES)
def test_every_admin_body_has_its_schema_with_a_valid_example(op: dict[str, Any]) -> None:
    name = _schema(op)
    assert set(op["requestBody"]["content"]) == {JSON}
    source = REGISTRY.source("admin", name)
    assert source["x-operations"] == [op["operationId"]]
    assert source["examples"]
    for example in source["examples"]:
        assert REGISTRY.validate("admin", name, example) == []


def test_every_admin_query_has_its_schema() -> None:
    with_query = [
        op for op in OPERATIONS if any(p["in"] == "query" for p in op.get("parameters", []))
    ]
    assert with_query, "the journal takes query parameters"
    for op in with_query:
        source = REGISTRY.source("admin", f"{op['operationId']}-query")
        declared = [p["name"] for p in op["parameters"] if p["in"] == "query"]
        assert list(source["properties"]) == declared
        for param in op["parameters"]:
            assert param["schema"] == {
                "$ref": f"{op['operationId']}-query.json#/$defs/{param['name']}"
            }


# -- bodies ------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/__admin/v1/thalamus/imports", "/__admin/v1/tealium/files"])
def test_the_reported_scenario_is_a_400_naming_it(http: httpx.Client, path: str) -> None:
    message = refused(http.post(path, json={"scenario": [[]]}))
    assert message == "scenario: [[]] is not of type 'string', 'object'"


@pytest.mark.parametrize(("op", "name"), FIELDS)
def test_a_field_of_the_wrong_shape_is_a_400_naming_it(
    http: httpx.Client, op: dict[str, Any], name: str
) -> None:
    body = {**_example(op), name: [[]]}
    message = refused(http.request(op["method"], _url(op), json=body))
    # An array field (replay's resources) takes [[]] as an array: its first item is named.
    assert message.startswith((f"{name}: [[]] is not ", f"{name}[0]: [] is not ")), message


@pytest.mark.parametrize(
    ("content", "headers", "message"),
    [
        (b"[[]]", {}, "body: [[]] is not of type 'object'"),
        (b'"text"', {}, "body: 'text' is not of type 'object'"),
        (b"{", {}, "body: not valid JSON: "),
        (b'{"x": NaN}', {}, "body: not valid JSON: NaN is not JSON"),
        (b'{"x": 1e400}', {}, "body: not valid JSON: 1e400 is not a finite number"),
        (b'{"x": "\\ud800"}', {}, "x: a lone UTF-16 surrogate is not text"),
        (b"\xff\xfe{", {}, "body: not valid JSON: "),
        (b"[" * 100_000, {}, "body: "),
        (b'{"unknown": 1}', {}, "body: Additional properties are not allowed ('unknown'"),
        (b"{}", {"Content-Type": "text/plain"}, "body: send JSON, with Content-Type: "),
    ],
    ids=[
        "nested-array",
        "string",
        "truncated",
        "nan",
        "infinite",
        "lone-surrogate",
        "not-utf8",
        "too-deep",
        "unknown-field",
        "not-json-type",
    ],
)
@pytest.mark.parametrize("op", BODIES)
def test_a_body_of_the_wrong_shape_is_a_400(
    http: httpx.Client, op: dict[str, Any], content: bytes, headers: dict[str, str], message: str
) -> None:
    sent = http.request(
        op["method"], _url(op), content=content, headers={"Content-Type": JSON, **headers}
    )
    assert refused(sent).startswith(message)


@pytest.mark.parametrize("op", REQUIRED)
def test_a_missing_required_field_is_a_400_naming_it(
    http: httpx.Client, op: dict[str, Any]
) -> None:
    first = REGISTRY.source("admin", _schema(op))["required"][0]
    for sent in (
        http.request(op["method"], _url(op)),
        http.request(op["method"], _url(op), json={}),
    ):
        assert refused(sent).startswith(f"body: '{first}' is a required property")


def test_a_wrong_value_deep_inside_is_named_by_its_path(http: httpx.Client) -> None:
    body = {"scenario": {"preset": "partial-errors", "rows": -5}}
    message = refused(http.post("/__admin/v1/thalamus/imports", json=body))
    assert message == "scenario.rows: -5 is less than the minimum of 0"


def test_an_integral_float_counts_as_an_integer(http: httpx.Client) -> None:
    made = http.post("/__admin/v1/thalamus/imports", json={"count": 2.0, "scenario": {"rows": 1.0}})
    assert made.status_code == 201, made.text
    assert [item["rows"] for item in made.json()["items"]] == [0, 0]  # still WAITING
    assert '"fileSize":64,' in made.text


# -- rules the schemas cannot say --------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"count": 100, "scenario": "slow-success"}, "count: 100 items of this scenario make up"),
        ({"count": 2, "scenario": {"rows": 600_000}}, "and 1200000 rows; one call makes at most"),
        ({"scenario": {"error_rate": 0.6, "skip_rate": 0.6}}, "scenario: scenario 'custom': "),
    ],
)
def test_a_create_beyond_what_one_call_makes_is_a_400(
    http: httpx.Client, body: dict[str, Any], message: str
) -> None:
    for path in ("/__admin/v1/thalamus/imports", "/__admin/v1/tealium/files"):
        assert message in refused(http.post(path, json=body))


@pytest.mark.parametrize(
    "scenario",
    [
        {"wait_seconds": 0, "process_seconds": 0},
        {"process_seconds": 0.001, "progress_steps": 100},
        {"outcome": "cancelled", "process_seconds": 0, "stop_at": 0.0001},
    ],
)
def test_steps_within_one_millisecond_make_one_snapshot(
    http: httpx.Client, scenario: dict[str, Any]
) -> None:
    # Once a 500: two snapshots of one record at one millisecond broke the store's key.
    for path in ("/__admin/v1/thalamus/imports", "/__admin/v1/tealium/files"):
        made = http.post(path, json={"scenario": scenario})
        assert made.status_code == 201, made.text


def test_the_clock_stays_within_its_range(app: Flask, http: httpx.Client) -> None:
    before = http.post("/__admin/v1/clock/freeze", json={"at": 1_000}).json()
    assert "at: '3000-01-02T00:00:00Z' is outside the mock clock's range, 1970-01-01 to " in (
        refused(http.post("/__admin/v1/clock/set", json={"at": "3000-01-02T00:00:00Z"}))
    )
    assert refused(http.post("/__admin/v1/clock/set", json={"at": -1})).startswith("at: -1 is less")
    assert refused(http.post("/__admin/v1/clock/set", json={"at": "nan"})).startswith("at: 'nan'")
    assert refused(http.post("/__admin/v1/clock/advance", json={"seconds": -1_001})) == (
        "seconds: -1001 would take the clock to -1, outside 1970-01-01 to 3000-01-01"
    )
    assert http.get("/__admin/v1/clock").json() == before
    http.post("/__admin/v1/clock/reset")
    assert state_of(app).clock() > 1_000


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("limit=abc", "limit: 'abc' is not of type 'integer'"),
        ("limit=0", "limit: 0 is less than the minimum of 1"),
        ("limit=2.5", "limit: '2.5' is not of type 'integer'"),
        ("limit=" + "9" * 5000, "limit: '99999"),
        ("since=nan", "since: 'nan' is not epoch seconds or an ISO-8601 date-time with a zone"),
        ("until=yesterday", "until: 'yesterday' is not epoch seconds"),
        ("since=40000000000", "since: '40000000000' is outside the mock clock's range"),
        ("since=", "since: '' should be non-empty"),
    ],
)
@pytest.mark.parametrize("method", ["GET", "HEAD"])
def test_a_bad_journal_query_is_a_400_naming_the_parameter(
    http: httpx.Client, method: str, query: str, message: str
) -> None:
    response = http.request(method, f"/__admin/v1/journal?{query}")
    if method == "HEAD":
        assert response.status_code == 400
    else:
        assert refused(response).startswith(message)


def test_a_good_journal_query_still_reads(http: httpx.Client) -> None:
    http.get("/__admin/v1/clock")
    response = http.get("/__admin/v1/journal", params={"path": "/__admin/", "since": 0, "limit": 1})
    assert response.status_code == 200
    assert len(response.json()["entries"]) == 1


# -- the schemas and the code they describe agree ----------------------------------------------


def test_the_scenario_schema_is_the_scenario_class() -> None:
    source = REGISTRY.source("admin", "scenario")
    assert set(source["properties"]) == {f.name for f in fields(Scenario)} | {"preset"}
    assert source["properties"]["outcome"]["enum"] == list(Outcome.__args__)  # type: ignore[attr-defined]
    presets = source["$defs"]["preset"]["enum"]
    assert presets == list(PRESETS)
    assert re.fullmatch(r"\^\((.*)\)\$", source["pattern"]).group(1).split("|") == presets  # type: ignore[union-attr]
    for preset in PRESETS.values():
        assert REGISTRY.validate("admin", "scenario", preset.as_dict()) == []
        assert REGISTRY.validate("admin", "scenario", preset.name) == []
    assert REGISTRY.validate("admin", "scenario", Scenario().as_dict()) == []


def test_the_fault_schema_names_the_served_apis(app: Flask) -> None:
    properties = REGISTRY.source("admin", "faults-add-request")["properties"]
    keeper = state_of(app).bookkeeping
    assert keeper is not None
    assert properties["api"]["enum"] == keeper.apis


FAULT_SCHEMA = REGISTRY.source("admin", "faults-add-request")["properties"]


@pytest.mark.parametrize("kind", sorted(FAULT_SCHEMA["kind"]["x-settings"]))
def test_each_kind_takes_the_settings_the_schema_gives_it(kind: str) -> None:
    takes = FAULT_SCHEMA["kind"]["x-settings"][kind]
    # One setting at a time: latency takes ms, or min_ms and max_ms, not both.
    given = {name: (503 if name == "status" else 1) for name in takes[:1]}
    fault = Fault.parse({"kind": kind, "api": "thalamus", **given}, apis=("thalamus",))
    assert fault.kind == kind
    assert all(getattr(fault, name) == value for name, value in given.items())
    for other in {n for names in FAULT_SCHEMA["kind"]["x-settings"].values() for n in names}:
        if other not in takes:
            with pytest.raises(FaultError, match=f"'{other}' does not apply"):
                Fault.parse({"kind": kind, "api": "thalamus", other: 1}, apis=("thalamus",))


def test_a_status_fault_answers_only_the_schemas_statuses() -> None:
    for status in FAULT_SCHEMA["status"]["enum"]:
        fault = Fault.parse(
            {"kind": "status", "status": status, "api": "thalamus"}, apis=("thalamus",)
        )
        assert fault.status == status
    with pytest.raises(FaultError, match="'status' must be one of"):
        Fault.parse({"kind": "status", "status": 418, "api": "thalamus"}, apis=("thalamus",))


def test_the_file_states_are_tealiums(app: Flask) -> None:
    client = app.test_client()
    states = REGISTRY.enum("tealium", "state", schema="status-entry")
    for state in (*states, "STATUSKIT_NO_SUCH_STATE"):
        response = client.post(
            "/__admin/v1/tealium/files/state", json={"name": "x.csv", "state": state}
        )
        # A known state gets past the schema (to an unknown file's 404); any other is a 400.
        assert (response.status_code == 400) == (state not in states), (state, response.json)


def test_the_clock_range_is_thalamus_timestamps_in_seconds() -> None:
    millis = REGISTRY.source("thalamus", "common")["$defs"]["epochMillis"]
    clock = ClockRange.from_registry(REGISTRY)
    assert (clock.earliest * 1000, clock.latest * 1000) == (millis["minimum"], millis["maximum"])
    assert str(clock) == "1970-01-01 to 3000-01-01"


# -- the pieces --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [(b'{"a": 1.0}', {"a": 1}), (b'{"a": 1.5}', {"a": 1.5}), (b'{"a": 1e300}', {"a": 1e300})],
)
def test_json_numbers_are_read_as_json_schema_counts_them(text: bytes, expected: Any) -> None:
    parsed = parse_json(text)
    assert parsed == expected
    assert type(parsed["a"]) is type(expected["a"])


def test_moments_parse_as_epoch_seconds_or_zoned_iso_8601() -> None:
    clock = ClockRange.from_registry(REGISTRY)
    assert clock.moment("at", "2026-01-01T00:00:00Z") == 1_767_225_600.0
    assert clock.moment("at", "2026-01-01T01:00:00+01:00") == 1_767_225_600.0
    assert clock.moment("at", "12.5") == 12.5
    for bad in ("2026-01-01T00:00:00", "inf", "", True, None):
        with pytest.raises(InputError, match=r"^at: .* is not epoch seconds"):
            clock.moment("at", bad)
