"""Imports and files move through their scenario's lifecycle on the mock's clock.

The pollers here are plain httpx loops, written as a consumer would write them; the admin
API drives the clock, so a whole lifecycle runs in milliseconds with no sleep.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from flask import Flask

from mockserver import create_app
from mockserver.scenarios import PRESETS
from mockserver.thalamus.records import FINAL_STATE_ID
from statuskit.registry import default_registry

STATE_IDS: dict[str, int] = default_registry().definition("thalamus", "state")["x-state-ids"]

Q = {"touchpoint": "test", "token": "statuskit-token"}
TERMINAL_THALAMUS = {"PROCESSED", "ERROR_IN_FILE_FORMAT", "CANCELED", "CONFIGURATION_PENDING"}
TERMINAL_TEALIUM = {"PROCESSED", "FAILED_PROCESSING"}
COUNTERS = ("rows", "rowsOk", "rowsWithErrors", "rowsSkipped", "percentageProcessed")


@pytest.fixture(scope="module")
def app() -> Flask:
    return create_app({"generated": 0})


@pytest.fixture
def http(app: Flask) -> Iterator[httpx.Client]:
    with httpx.Client(transport=httpx.WSGITransport(app=app), base_url="http://mock") as client:
        assert client.post("/__admin/v1/reset").status_code == 204
        client.post("/__admin/v1/clock/freeze", json={"at": 1_800_000_000})
        yield client


def thalamus_poll(http: httpx.Client, import_id: int, step: float) -> list[dict[str, Any]]:
    """A consumer's poller: log in, then GET until a terminal state, the clock standing in
    for time.sleep(step)."""
    http.post(
        "/api/v3/thalamus_security_check", params=Q, auth=("consumer@example.com", "statuskit")
    )
    seen = []
    for _ in range(10_000):
        record = http.get(f"/api/v4/import/status/{import_id}", params=Q).json()
        seen.append(record)
        if record["state"] in TERMINAL_THALAMUS:
            return seen
        http.post("/__admin/v1/clock/advance", json={"seconds": step})
    raise AssertionError("never finished")


@pytest.mark.parametrize("preset", sorted(PRESETS))
def test_every_thalamus_preset_runs_to_its_end(http: httpx.Client, preset: str) -> None:
    created = http.post("/__admin/v1/thalamus/imports", json={"scenario": preset})
    assert created.status_code == 201
    [record] = created.json()["items"]
    assert record["state"] == "WAITING"
    seen = thalamus_poll(http, record["id"], step=PRESETS[preset].process_seconds / 7 + 0.5)
    final_id = FINAL_STATE_ID[PRESETS[preset].outcome]
    assert STATE_IDS[seen[-1]["state"]] == final_id
    for before, after in itertools.pairwise(seen):
        for counter in COUNTERS:
            assert before[counter] <= after[counter], counter
        assert before["modificationDate"] <= after["modificationDate"]
    for body in seen:
        assert default_registry().validate("thalamus", "import-record", body) == []
        done = body["rowsOk"] + body["rowsWithErrors"] + body["rowsSkipped"]
        assert done <= body["rows"] == body["totalToProcess"]
    # Terminal stays terminal.
    http.post("/__admin/v1/clock/advance", json={"seconds": 7 * 3600})  # within the session
    again = http.get(f"/api/v4/import/status/{record['id']}", params=Q).json()
    assert again == seen[-1]


def tealium_poll(http: httpx.Client, name: str, step: float) -> list[dict[str, Any]]:
    login = http.post("/v1/login", data={"username": "user@example.com", "password": "statuskit"})
    cookie = login.headers["set-cookie"].split(";")[0]
    url = f"/v1/omnichannel/accounts/acme/profiles/main/files/{name}"
    seen = []
    for _ in range(10_000):
        status = http.get(url, params={"utk": login.json()["utk"]}, headers={"Cookie": cookie})
        seen.append(status.json())
        if seen[-1]["status"][-1]["state"] in TERMINAL_TEALIUM:
            return seen
        if len(seen) > 50 and seen[-1] == seen[-50]:
            return seen  # stands still: configuration pending
        http.post("/__admin/v1/clock/advance", json={"seconds": step})
    raise AssertionError("never finished")


@pytest.mark.parametrize("preset", sorted(PRESETS))
def test_every_tealium_preset_runs_to_its_end(http: httpx.Client, preset: str) -> None:
    name = f"{preset}.csv"
    created = http.post("/__admin/v1/tealium/files", json={"scenario": preset, "name": name})
    assert created.status_code == 201
    seen = tealium_poll(http, name, step=PRESETS[preset].process_seconds / 7 + 0.5)
    final = [entry["state"] for entry in seen[-1]["status"]]
    outcome = PRESETS[preset].outcome
    if outcome == "processed":
        assert final == ["DOWNLOADING", "DOWNLOADED", "PROCESSING", "PROCESSED"]
    elif outcome == "configuration-pending":
        assert final == ["DOWNLOADING", "DOWNLOADED"]
    else:
        assert final[-1] == "FAILED_PROCESSING"
        assert seen[-1]["status"][-1]["last_failure"]
    for before, after in itertools.pairwise(seen):
        assert len(before["status"]) <= len(after["status"])
        stamps = [entry["timestamp"]["$date"] for entry in after["status"]]
        assert stamps == sorted(stamps)
    for body in seen:
        assert default_registry().validate("tealium", "file-status", body) == []


def test_uploads_follow_the_configured_scenario(http: httpx.Client) -> None:
    http.post(
        "/api/v3/thalamus_security_check", params=Q, auth=("consumer@example.com", "statuskit")
    )
    upload = http.post(
        "/api/v4/import/file",
        params={**Q, "name": "up", "type": "25011"},
        files={"file": ("up.xlsx", b"x" * 10)},
    ).json()
    assert upload["state"] == "WAITING"
    http.post("/__admin/v1/clock/advance", json={"seconds": 3600})
    done = http.get(f"/api/v4/import/status/{upload['id']}", params=Q).json()
    assert (done["state"], done["rowsOk"]) == ("PROCESSED", PRESETS["fast-success"].rows)


def test_a_state_can_be_set_directly(http: httpx.Client) -> None:
    [record] = http.post("/__admin/v1/thalamus/imports", json={"scenario": "slow-success"}).json()[
        "items"
    ]
    path = f"/__admin/v1/thalamus/imports/{record['id']}/state"
    changed = http.post(path, json={"state": "PROCESSED"})
    assert changed.status_code == 200
    assert changed.json()["state"] == "PROCESSED"
    http.post("/__admin/v1/clock/advance", json={"seconds": 10_000})
    http.post(
        "/api/v3/thalamus_security_check", params=Q, auth=("consumer@example.com", "statuskit")
    )
    later = http.get(f"/api/v4/import/status/{record['id']}", params=Q).json()
    assert later["state"] == "PROCESSED"  # the rest of the scenario no longer applies
    assert http.post(path, json={"state": "DONE"}).status_code == 400
    assert (
        http.post(
            "/__admin/v1/thalamus/imports/999999/state", json={"state": "WAITING"}
        ).status_code
        == 404
    )


def test_a_file_state_can_be_set_directly(http: httpx.Client) -> None:
    http.post("/__admin/v1/tealium/files", json={"scenario": "slow-success", "name": "s.csv"})
    failed = http.post(
        "/__admin/v1/tealium/files/state", json={"name": "s.csv", "state": "FAILED_PROCESSING"}
    )
    assert failed.status_code == 200
    assert [e["state"] for e in failed.json()["status"]] == ["DOWNLOADING", "FAILED_PROCESSING"]
    done = http.post(
        "/__admin/v1/tealium/files/state", json={"name": "s.csv", "state": "PROCESSED"}
    )
    assert [e["state"] for e in done.json()["status"]][-1] == "PROCESSED"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"scenario": "nope"}, "scenario: 'nope' does not match '^(fast-success|"),
        ({"scenario": {"rows": -5}}, "scenario.rows: -5 is less than the minimum of 0"),
        ({"count": 0}, "count: 0 is less than the minimum of 1"),
        ({"type": 1}, "type: 1 is not one of [25006"),
        ({"name": ""}, "name: '' should be non-empty"),
    ],
)
def test_bad_creations_are_400(http: httpx.Client, body: dict[str, Any], message: str) -> None:
    response = http.post("/__admin/v1/thalamus/imports", json=body)
    assert response.status_code == 400
    assert message in response.json()["error"]["message"]


def test_many_at_once_and_presets_listed(http: httpx.Client) -> None:
    made = http.post("/__admin/v1/tealium/files", json={"count": 3, "name": "batch.csv"})
    assert [f["file"]["name"] for f in made.json()["items"]] == [
        "0000_batch.csv",
        "0001_batch.csv",
        "0002_batch.csv",
    ]
    presets = http.get("/__admin/v1/scenarios").json()
    assert set(presets) == set(PRESETS)


def test_reset_returns_to_the_seed(http: httpx.Client) -> None:
    [record] = http.post("/__admin/v1/thalamus/imports", json={}).json()["items"]
    assert http.post("/__admin/v1/reset").status_code == 204
    http.post(
        "/api/v3/thalamus_security_check", params=Q, auth=("consumer@example.com", "statuskit")
    )
    assert http.get(f"/api/v4/import/status/{record['id']}", params=Q).status_code == 404
    assert http.get("/api/v4/import/status/274", params=Q).status_code == 200
    assert http.get("/__admin/v1/clock").json()["frozen"] is False


@pytest.mark.parametrize(
    ("path", "body"),
    [
        # A valid name, but with count > 1 each gets a 0000_ prefix: too long for Tealium.
        ("/__admin/v1/tealium/files", {"name": "x" * 146 + ".csv", "count": 2}),
        ("/__admin/v1/tealium/files", {"name": "y" * 142 + ".csv", "count": 3}),
    ],
)
def test_an_item_that_would_break_its_schema_is_a_400(
    http: httpx.Client, path: str, body: dict[str, Any]
) -> None:
    response = http.post(path, json=body)
    assert response.status_code == 400
    assert "would break its schema" in response.json()["error"]["message"]
