"""The Tealium mock's file endpoints, seed data and generated files (v1 and v2 alike)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import httpx
import pytest
from flask import Flask

from mockserver.tealium.api import MAX_NAME, TealiumApi
from mockserver.tealium.files import COUNTERS, FileFactory, created_ms, parse_ms
from mockserver.tealium.views import MAX_SEARCH
from statuskit.errors import ContractViolation
from statuskit.fixtures import documented, seed
from statuskit.registry import default_registry
from tests.mock.conftest import V1, Fresh, assert_body, assert_error, files_url, login_v1

NOT_FOUND = {"returnCode": 404, "message": "Supplied file name not found"}
TOO_LONG = {"returnCode": 400, "message": "File name exceeds 150 chars"}
EVERYTHING = {"filePrefix": "", "startDate": "2000-01-01T00:00Z", "endDate": "2999-12-31T23:59Z"}


@pytest.fixture(scope="module", params=["v1", "v2"])
def auth(request: pytest.FixtureRequest, v1: V1, v2: dict[str, str]) -> dict[str, Any]:
    """Keyword arguments that authenticate one version, with that version's files path."""
    if request.param == "v1":
        return {"params": v1.params, "headers": v1.headers, "base": files_url("v1")}
    return {"params": {}, "headers": v2, "base": files_url("v2")}


def get(client: httpx.Client, auth: dict[str, Any], path: str, **params: str) -> httpx.Response:
    return client.get(
        auth["base"] + path, params={**auth["params"], **params}, headers=auth["headers"]
    )


def tealium_api(app: Flask) -> TealiumApi:
    api: TealiumApi = app.extensions["statuskit"].api("tealium")
    return api


def add_file(app: Flask, name: str, created: int = 1_700_000_000_000, **kw: Any) -> None:
    api = tealium_api(app)
    api.store_file(
        api.files.build(
            account=kw.pop("account", "acme"),
            profile=kw.pop("profile", "main"),
            name=name,
            created_ms=created,
            steps_ms=[created + 1],
            **kw,
        )
    )


# -- one file ---------------------------------------------------------------------------


def test_the_documented_example_is_served_as_documented(
    tealium: httpx.Client, auth: dict[str, Any]
) -> None:
    response = get(tealium, auth, "/sales-transaction_2016feb4v50.csv")
    assert response.status_code == 200
    assert (
        assert_body(response, "file-status") == documented("tealium", "get-file-status", 200).load()
    )


@pytest.mark.parametrize("fixture", seed("tealium"), ids=lambda f: f["file"]["name"])
def test_seed_fixtures_are_served(tealium: httpx.Client, v1: V1, fixture: dict[str, Any]) -> None:
    base = files_url("v1", fixture["account"], fixture["profile"])
    response = tealium.get(
        f"{base}/{fixture['file']['name']}", params=v1.params, headers=v1.headers
    )
    assert response.json() == fixture


def test_an_unknown_file_is_the_documented_404(tealium: httpx.Client, auth: dict[str, Any]) -> None:
    for path in ("/nothing.csv", "/sales-transaction_2016feb4v50", "/a%2Fb.csv", "/a/b.csv"):
        response = get(tealium, auth, path)
        assert_error(response, 404, 404)
        assert response.json() == NOT_FOUND
    other = tealium.get(
        auth["base"].replace("/main/", "/dev/") + "/sales-transaction_2016feb4v50.csv",
        params=auth["params"],
        headers=auth["headers"],
    )
    assert other.json() == NOT_FOUND


@pytest.mark.parametrize(
    "char",
    ["a", "é", "€", "😀", "/", " ", "%", "?"],
    ids=["ascii", "e-acute", "euro", "emoji", "slash", "space", "percent", "question"],
)
def test_the_150_character_limit_counts_decoded_code_points(
    tealium: httpx.Client, auth: dict[str, Any], char: str
) -> None:
    for length, expected in ((MAX_NAME, NOT_FOUND), (MAX_NAME + 1, TOO_LONG)):
        name = char * (length - 4) + ".csv"
        response = get(tealium, auth, "/" + quote(name, safe=""))
        assert response.json() == expected, (length, response.text)


def test_raw_non_ascii_names_count_like_encoded_ones(tealium_app: Flask, v1: V1) -> None:
    # Flask's test client sends the UTF-8 bytes unencoded, as PEP 3333 describes them.
    client = tealium_app.test_client(use_cookies=False)
    for length, status in ((MAX_NAME, 404), (MAX_NAME + 1, 400)):
        name = "é€" * ((length - 4) // 2) + "x" * ((length - 4) % 2) + ".csv"
        response = client.get(
            files_url("v1") + "/" + name,
            query_string=v1.params,
            headers=v1.headers,
        )
        assert response.status_code == status


def test_a_150_character_name_is_served(fresh: Fresh) -> None:
    app, client = fresh()
    name = "é" * (MAX_NAME - 4) + ".csv"
    add_file(app, name)
    caller = login_v1(client)
    url = files_url("v1") + "/" + quote(name)
    response = client.get(url, params=caller.params, headers=caller.headers)
    assert assert_body(response, "file-status")["file"]["name"] == name
    raw = app.test_client(use_cookies=False).get(
        files_url("v1") + "/" + name,
        query_string=caller.params,
        headers=caller.headers,
    )
    assert raw.status_code == 200


# -- count and search -------------------------------------------------------------------


def test_count_and_search_find_the_seed_files(tealium: httpx.Client, auth: dict[str, Any]) -> None:
    params = {"filePrefix": "orders_2026nov", "startDate": "2026-11-01T00:00Z"}
    params["endDate"] = "2026-11-30T00:00Z"
    count = get(tealium, auth, "/count", **params)
    assert assert_body(count, "count") == {"count": 5}
    found = assert_body(get(tealium, auth, "/search", **params), "file-status-list")
    assert found == seed("tealium")  # in created_at order


def test_the_date_range_is_inclusive(tealium: httpx.Client, auth: dict[str, Any]) -> None:
    # orders_2026nov01.csv was created at 2026-11-01T08:59:59.500Z.
    def count(start: str, end: str) -> int:
        response = get(
            tealium, auth, "/count", filePrefix="orders_2026nov01", startDate=start, endDate=end
        )
        return int(response.json()["count"])

    assert count("2026-11-01T08:59Z", "2026-11-01T09:00Z") == 1
    assert count("2026-11-01T09:00Z", "2026-11-01T09:00Z") == 0
    assert count("2026-11-01T08:00Z", "2026-11-01T08:59Z") == 0


def test_the_prefix_is_exact(tealium: httpx.Client, auth: dict[str, Any]) -> None:
    for prefix, expected in (
        ("", None),
        ("orders", None),
        ("ORDERS", 0),
        ("orders%", 0),
        ("_rders", 0),
        ("orders_2026nov0_", 0),
    ):
        body = get(tealium, auth, "/count", **{**EVERYTHING, "filePrefix": prefix}).json()
        assert body["count"] > 0 if expected is None else body["count"] == expected, prefix


@pytest.mark.parametrize("endpoint", ["/count", "/search"])
@pytest.mark.parametrize(
    "change",
    [
        {"filePrefix": None},
        {"startDate": None},
        {"endDate": None},
        {"filePrefix": "x" * (MAX_NAME + 1)},
        {"startDate": "2017-01-01"},
        {"startDate": "2017-01-01T12:34"},
        {"startDate": "2017-01-01T12:34:56Z"},
        {"startDate": "2017-01-01 12:34Z"},
        {"endDate": "2017-13-01T00:00Z"},
        {"endDate": "2017-02-30T00:00Z"},
        {"endDate": "2017-01-01T24:00Z"},
        {"startDate": "٢٠١٧-01-01T12:34Z"},
        {"startDate": ""},
        {"startDate": "2017-01-02T00:00Z", "endDate": "2017-01-01T23:59Z"},
    ],
)
def test_the_four_documented_400s(
    tealium: httpx.Client, auth: dict[str, Any], endpoint: str, change: dict[str, str | None]
) -> None:
    params = {k: v for k, v in {**EVERYTHING, **change}.items() if v is not None}
    assert_error(get(tealium, auth, endpoint, **params), 400, 400)


def test_a_150_character_prefix_is_accepted(tealium: httpx.Client, auth: dict[str, Any]) -> None:
    params = {**EVERYTHING, "filePrefix": "x" * MAX_NAME}
    assert get(tealium, auth, "/count", **params).json() == {"count": 0}
    assert get(tealium, auth, "/search", **params).json() == []


def test_search_refuses_more_than_50_matches(fresh: Fresh) -> None:
    app, client = fresh()
    caller = login_v1(client)
    base = files_url("v1")
    for n in range(MAX_SEARCH):
        add_file(app, f"bulk_{n:03d}.csv", created=1_700_000_000_000 + n)
    params = {**caller.params, **EVERYTHING, "filePrefix": "bulk_"}
    found = client.get(f"{base}/search", params=params, headers=caller.headers)
    assert len(assert_body(found, "file-status-list")) == MAX_SEARCH
    add_file(app, "bulk_999.csv")
    too_many = client.get(f"{base}/search", params=params, headers=caller.headers)
    assert "narrow the date range" in assert_error(too_many, 400, 400)
    count = client.get(f"{base}/count", params=params, headers=caller.headers)
    assert count.json() == {"count": MAX_SEARCH + 1}


# -- seed and generated files -----------------------------------------------------------


def _bodies(app: Flask) -> list[bytes]:
    store = app.extensions["statuskit"].store
    return [store.body("tealium", key, at_ms=0) for key in store.keys("tealium")]


def test_generated_files_are_deterministic(fresh: Fresh) -> None:
    first, _ = fresh(generated=30, seed=7)
    again, _ = fresh(generated=30, seed=7)
    other, _ = fresh(generated=30, seed=8)
    assert _bodies(first) == _bodies(again)
    assert _bodies(first) != _bodies(other)
    assert len(_bodies(first)) == 1 + len(seed("tealium")) + 30


def test_generated_files_are_valid_and_coherent() -> None:
    factory = FileFactory(default_registry())
    statuses = factory.generated(300, seed=3)
    assert len({s["file"]["name"] for s in statuses}) == 300
    assert {s["status"][-1]["state"] for s in statuses} == set(
        default_registry().enum("tealium", "state", schema="status-entry")
    )
    for status in statuses:
        assert not default_registry().validate("tealium", "file-status", status)
        times = [created_ms(status)] + [parse_ms(e["timestamp"]["$date"]) for e in status["status"]]
        assert times == sorted(set(times))
        last = status["status"][-1]
        if last["state"] in ("PROCESSED", "FAILED_PROCESSING"):
            assert sum(last[c] for c in COUNTERS) == status["file"]["line_count"]
        assert ("last_failure" in last) == (last["state"] == "FAILED_PROCESSING")
        assert all(not set(COUNTERS) & set(e) for e in status["status"][:-1])


def test_seeding_happens_once_per_database(tmp_path: Any) -> None:
    from mockserver.tealium import create_app

    path = str(tmp_path / "state.sqlite")
    first = create_app({"state_path": path, "generated": 5})
    assert len(_bodies(first)) == 1 + len(seed("tealium")) + 5
    second = create_app({"state_path": path, "generated": 50})
    assert len(_bodies(second)) == 1 + len(seed("tealium")) + 5


def test_a_file_that_breaks_the_schema_is_never_stored(tealium_app: Flask) -> None:
    api = tealium_api(tealium_app)
    status = api.files.build(
        account="acme", profile="main", name="bad.txt", created_ms=0, steps_ms=[]
    )
    with pytest.raises(ContractViolation):
        api.store_file(status)
    assert (
        tealium_app.extensions["statuskit"].store.body("tealium", "acme/main/bad.txt", at_ms=0)
        is None
    )
