"""``GET /__admin/v1/lifecycles``: the newest imports and files with their whole timelines,
on SQLite and on PostgreSQL state.

Each step the route reports is checked against what the API itself answers when the clock
stands at that step's time, so the route and the API cannot disagree. The states, terminal
states and counters are checked against the schemas and the reference client's reading of
them, never against a list written here.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from flask import Flask

from mockserver import create_app
from mockserver.thalamus import create_app as create_thalamus
from mockserver.thalamus.api import ThalamusApi
from statuskit.client.polling import terminal_states
from statuskit.errors import ConfigError
from statuskit.mock import MockServer
from statuskit.registry import default_registry
from tests.mock.conftest import client_for, login_v1
from tests.mock.thalamus_support import CLIENT, EXAMPLE, STATUS, login, state_of
from tests.postgres import postgres_server, postgres_url

__all__ = ["postgres_server", "postgres_url"]  # the fixtures, for pytest to find

REGISTRY = default_registry()
ROUTE = "/__admin/v1/lifecycles"
T = 1_767_225_600  # 2026-01-01, where each test freezes the clock
#: Waiting 5 s, then four progress steps over 20 s; a quarter of the rows fail.
SCENARIO = {"rows": 200, "wait_seconds": 5, "process_seconds": 20, "progress_steps": 4}
ERRORS = {**SCENARIO, "error_rate": 0.25}
FILES = "/v1/omnichannel/accounts/acme/profiles/main/files"
#: Into a step's millisecond: seconds as a float may fall just short of it.
HALF_MS = 0.0005


def mock(request: pytest.FixtureRequest, generated: int) -> Flask:
    """A mock with both APIs on the backend ``request.param`` names."""
    config: dict[str, Any] = {"generated": generated}
    if request.param == "postgresql":
        config["state_url"] = request.getfixturevalue("postgres_url")
    return create_app(config)


@pytest.fixture(params=["sqlite", "postgresql"])
def app(request: pytest.FixtureRequest) -> Iterator[Flask]:
    """A mock with no generated records, on each backend."""
    made = mock(request, 0)
    yield made
    state_of(made).store.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def generated_app(request: pytest.FixtureRequest) -> Iterator[Flask]:
    """A mock with 2,000 generated imports and files, on each backend."""
    made = mock(request, 2000)
    yield made
    state_of(made).store.close()


@pytest.fixture
def http(app: Flask) -> Iterator[httpx.Client]:
    with client_for(app) as client:
        frozen = client.post("/__admin/v1/clock/freeze", json={"at": T})
        assert frozen.status_code == 200, frozen.text
        yield client


def read(http: httpx.Client, **params: Any) -> dict[str, Any]:
    """The route's answer, checked against its schema."""
    response = http.get(ROUTE, params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert REGISTRY.validate("admin", "lifecycles", body) == []
    return body


def item(body: dict[str, Any], api: str, key: str) -> dict[str, Any]:
    found: list[dict[str, Any]] = [i for i in body["items"] if (i["api"], i["key"]) == (api, key)]
    assert len(found) == 1, found
    return found[0]


def set_clock(http: httpx.Client, at: float) -> None:
    assert http.post("/__admin/v1/clock/set", json={"at": at}).status_code == 200


def step_times(steps: list[dict[str, Any]], created: float) -> list[float]:
    """When each step starts showing: the first shows from always, so from its creation."""
    return [created if step["at"] is None else step["at"] for step in steps]


def holder(api: str, body: dict[str, Any]) -> dict[str, Any]:
    """The object a body's counters sit in: Thalamus's record, Tealium's latest entry."""
    found: dict[str, Any] = body if api == "thalamus" else (body["status"] or [{}])[-1]
    return found


def assert_steps_are_what_the_api_shows(
    http: httpx.Client, entry: dict[str, Any], facts: dict[str, Any], get: Any
) -> None:
    """At each step's time, the API answers that step's state and counters."""
    api = entry["api"]
    for step, at in zip(entry["steps"], step_times(entry["steps"], entry["created"]), strict=True):
        set_clock(http, at + HALF_MS)
        shown = get()
        state = shown["state"] if api == "thalamus" else shown["status"][-1]["state"]
        assert step["state"] == state, (at, step)
        assert step["terminal"] == (state in terminal_states(api))
        counts = holder(api, shown)
        assert step["counters"] == {name: counts.get(name) for name in facts["counters"]}


# -- the steps are the scenario's, as the API shows them ----------------------------------------


def test_an_imports_steps_are_what_thalamus_shows_at_each_time(http: httpx.Client) -> None:
    made = http.post("/__admin/v1/thalamus/imports", json={"scenario": ERRORS}).json()
    key = str(made["items"][0]["id"])
    body = read(http, api="thalamus")
    entry = item(body, "thalamus", key)
    assert body["items"][0]["key"] == key  # the newest first
    assert entry["created"] == T
    assert entry["label"] == f"statuskit-import ({key})"
    steps = entry["steps"]
    times = step_times(steps, T)
    assert steps[0]["at"] is None
    # Waiting 5 s, processing over 20 s: every change falls within, in time order.
    assert times == sorted(set(times))
    assert times[1] == T + 5
    assert times[-1] == T + 25
    assert [s["terminal"] for s in steps] == [False] * (len(steps) - 1) + [True]
    assert steps[-1]["state"] == "PROCESSED"
    assert steps[-1]["counters"]["rowsWithErrors"] == 50
    login(http)
    assert_steps_are_what_the_api_shows(
        http,
        entry,
        body["apis"]["thalamus"],
        lambda: http.get(f"{STATUS}/{key}", params=CLIENT).json(),
    )


def test_a_files_steps_are_what_tealium_shows_at_each_time(http: httpx.Client) -> None:
    made = http.post("/__admin/v1/tealium/files", json={"name": "f.csv", "scenario": ERRORS})
    assert made.status_code == 201, made.text
    body = read(http, api="tealium")
    entry = item(body, "tealium", "acme/main/f.csv")
    assert entry["created"] == T
    assert entry["label"] == "acme/main/f.csv"
    assert entry["steps"][0]["state"] == "DOWNLOADING"
    # Nothing is counted while the file downloads: the counters are null, not 0.
    assert set(entry["steps"][0]["counters"].values()) == {None}
    assert entry["steps"][-1]["counters"]["lines_failed_processing"] == 50
    session = login_v1(http)
    assert_steps_are_what_the_api_shows(
        http,
        entry,
        body["apis"]["tealium"],
        lambda: http.get(f"{FILES}/f.csv", params=session.params, headers=session.headers).json(),
    )


def test_advancing_the_clock_moves_now_but_not_the_steps(http: httpx.Client) -> None:
    http.post("/__admin/v1/thalamus/imports", json={"scenario": SCENARIO})
    before = read(http)
    assert before["now"] == T
    assert http.post("/__admin/v1/clock/advance", json={"seconds": 30}).status_code == 200
    after = read(http)
    assert after["now"] == T + 30
    assert after["items"] == before["items"]


def test_a_set_state_ends_the_timeline_there(http: httpx.Client) -> None:
    key = str(
        http.post("/__admin/v1/thalamus/imports", json={"scenario": SCENARIO}).json()["items"][0][
            "id"
        ]
    )
    set_clock(http, T + 10)
    restated = http.post(f"/__admin/v1/thalamus/imports/{key}/state", json={"state": "CANCELED"})
    assert restated.status_code == 200, restated.text
    steps = item(read(http), "thalamus", key)["steps"]
    assert [s["state"] for s in steps if s["at"] is not None and s["at"] >= T + 10] == ["CANCELED"]
    assert steps[-1] == {**steps[-1], "at": T + 10, "state": "CANCELED", "terminal": True}


def test_a_seed_record_given_a_state_comes_first_with_its_new_step(http: httpx.Client) -> None:
    untouched = read(http, api="thalamus")["items"]
    assert untouched
    assert all(i["created"] is None for i in untouched)
    assert all(i["steps"][0]["at"] is None for i in untouched)
    assert EXAMPLE["state"] != "WAITING"
    restated = http.post("/__admin/v1/thalamus/imports/274/state", json={"state": "WAITING"})
    assert restated.status_code == 200, restated.text
    first = read(http, api="thalamus")["items"][0]
    assert first["key"] == "274"
    assert [(s["at"], s["state"]) for s in first["steps"]] == [
        (None, EXAMPLE["state"]),
        (T, "WAITING"),
    ]


def test_a_replayed_recording_shows_its_steps_from_the_replay_on(
    app: Flask, http: httpx.Client
) -> None:
    api: ThalamusApi = state_of(app).api("thalamus")
    first = api.records.restate({**EXAMPLE, "id": 8121}, "WAITING", at_ms=T * 1000)
    last = api.records.restate(first, "PROCESSED", at_ms=T * 1000 + 2000)
    recording = {
        "version": 1,
        "resources": [
            {
                "api": "thalamus",
                "key": "8121",
                "steps": [
                    {"at_ms": 0, "state": "WAITING", "body": first},
                    {"at_ms": 2000, "state": "PROCESSED", "body": last},
                ],
            }
        ],
    }
    assert http.post("/__admin/v1/replay", json=recording).status_code == 201
    entry = read(http, api="thalamus")["items"][0]
    assert entry["key"] == "8121"
    assert entry["created"] == EXAMPLE["creationDate"] / 1000  # as its body says
    assert [(s["at"], s["state"], s["terminal"]) for s in entry["steps"]] == [
        (None, "WAITING", False),
        (T + 2, "PROCESSED", True),
    ]


# -- which records, and how many --------------------------------------------------------------


def test_the_newest_made_come_first_then_the_newest_others(http: httpx.Client) -> None:
    for n in range(3):
        set_clock(http, T + n)
        http.post("/__admin/v1/thalamus/imports", json={"scenario": SCENARIO, "name": f"i{n}"})
    body = read(http, api="thalamus", limit=5)
    labels = [i["label"].split(" ")[0] for i in body["items"]]
    assert labels[:3] == ["i2", "i1", "i0"]
    assert [i["created"] for i in body["items"]] == [T + 2, T + 1, T, None, None]
    assert len(read(http, api="thalamus", limit=2)["items"]) == 2
    assert {i["api"] for i in read(http, limit=1)["items"]} == {"thalamus", "tealium"}


def test_generated_records_newer_than_the_clock_come_after_the_made_ones(
    generated_app: Flask,
) -> None:
    # Generated records are created from 2025-01-01 over 600 days: after this clock's time.
    with client_for(generated_app) as http:
        http.post("/__admin/v1/clock/freeze", json={"at": 1_700_000_000})
        key = str(http.post("/__admin/v1/thalamus/imports", json={}).json()["items"][0]["id"])
        items = read(http, api="thalamus", limit=20)["items"]
    assert items[0]["key"] == key
    assert items[0]["created"] == 1_700_000_000
    others = items[1:]
    # The others are the newest by creation, as the store lists them.
    _, bodies = state_of(generated_app).store.query(
        "thalamus", at_ms=1_700_000_000_000, order_by="created_ms", ascending=False, limit=19
    )
    assert [i["key"] for i in others] == [str(json.loads(b)["id"]) for b in bodies]
    assert all(i["created"] is None and len(i["steps"]) == 1 for i in others)


# -- the facts come from the schemas ------------------------------------------------------------


def test_each_apis_states_and_terminal_states_are_its_schemas(http: httpx.Client) -> None:
    apis = read(http)["apis"]
    assert sorted(apis) == ["tealium", "thalamus"]
    for api, facts in apis.items():
        assert set(facts["terminal"]) == terminal_states(api)  # the client's reading
        assert set(facts["terminal"]) < set(facts["states"])
    assert apis["thalamus"]["states"] == list(REGISTRY.enum("thalamus", "state"))
    tealium = REGISTRY.enum("tealium", "state", schema="status-entry")
    assert apis["tealium"]["states"] == list(tealium)


def test_every_count_that_moves_in_a_lifecycle_is_a_counter(http: httpx.Client) -> None:
    http.post("/__admin/v1/thalamus/imports", json={"scenario": ERRORS})
    http.post("/__admin/v1/tealium/files", json={"name": "g.csv", "scenario": ERRORS})
    session = login_v1(http)  # first: it empties the client's cookie jar
    login(http)
    body = read(http, limit=1)
    for entry in body["items"]:
        api, facts = entry["api"], body["apis"][entry["api"]]
        times = step_times(entry["steps"], entry["created"])
        seen = []
        for at in times:
            set_clock(http, at + HALF_MS)
            if api == "thalamus":
                shown = http.get(f"{STATUS}/{entry['key']}", params=CLIENT).json()
            else:
                url = f"{FILES}/g.csv"
                shown = http.get(url, params=session.params, headers=session.headers).json()
            seen.append(holder(api, shown))
        moving = {
            name
            for name, value in seen[-1].items()
            if isinstance(value, int) and any(s.get(name) != value for s in seen)
        }
        # A field that shows each step's own time (Thalamus's modificationDate) is a
        # timestamp that moves with the clock, not a count.
        clockwork = {
            name
            for name in moving
            if all(s.get(name) == round(at * 1000) for s, at in zip(seen, times, strict=True))
        }
        assert moving - clockwork, api
        assert moving - clockwork <= set(facts["counters"]), (api, moving)
        assert not clockwork & set(facts["counters"]), (api, clockwork)


def test_the_query_schema_names_the_apis_with_records(app: Flask) -> None:
    keeper = state_of(app).bookkeeping
    assert keeper is not None
    enum = REGISTRY.definition("admin", "api", schema="lifecycles-read-query")["enum"]
    assert enum == keeper.apis


# -- bad queries -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"limit": 0}, "limit: 0 is less than the minimum of 1"),
        ({"limit": 201}, "limit: 201 is greater than the maximum of 200"),
        ({"limit": "x"}, "limit: 'x' is not of type 'integer'"),
        ({"api": "nope"}, "api: 'nope' is not one of ['thalamus', 'tealium']"),
    ],
)
def test_a_bad_query_is_a_400_in_the_admin_format(
    http: httpx.Client, params: dict[str, Any], message: str
) -> None:
    response = http.get(ROUTE, params=params)
    assert response.status_code == 400, response.text
    assert REGISTRY.validate("admin", "error", response.json()) == []
    assert response.json()["error"] == {"status": 400, "message": message}


def test_an_api_the_server_does_not_serve_is_a_404() -> None:
    app = create_thalamus({"generated": 0})
    with client_for(app) as http:
        response = http.get(ROUTE, params={"api": "tealium"})
        assert response.status_code == 404
        assert REGISTRY.validate("admin", "error", response.json()) == []
        assert list(read(http)["apis"]) == ["thalamus"]


# -- the Python wrapper ------------------------------------------------------------------------


def test_the_wrapper_reads_the_route(app: Flask) -> None:
    with MockServer("http://mock.invalid", transport=httpx.WSGITransport(app=app)) as mock:
        mock.freeze(T)
        made = mock.add_import(SCENARIO)
        found = mock.lifecycles(api="thalamus", limit=1)
        assert [i["key"] for i in found["items"]] == [str(made["id"])]
        assert found["now"] == T
        assert list(found["apis"]) == ["thalamus"]
        with pytest.raises(ConfigError, match="limit: 0 is less than the minimum of 1"):
            mock.lifecycles(limit=0)
