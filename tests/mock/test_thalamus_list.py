"""The Thalamus mock's list: GET /api/v4/import/status (docs/wire.md, "Imports")."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from flask import Flask

from mockserver.thalamus.api import ThalamusApi
from tests.mock.thalamus_support import (
    CLIENT,
    EXAMPLE,
    NOW_MS,
    SEEDED,
    SEEDED_IDS,
    STATE_IDS,
    STATUS,
    assert_error,
    assert_unauthorized,
    ids,
    items,
    listing,
    state_of,
    upload,
    wsgi_path,
)


def put_record(app: Flask, record_id: int, name: str, created_ms: int, **fields: Any) -> None:
    """Store a record directly, for boundaries the fixtures do not reach."""
    api: ThalamusApi = state_of(app).api("thalamus")
    record = api.records.build(
        id=record_id,
        name=name,
        file_name=f"{name}.xlsx",
        import_type=fields.pop("import_type", 25011),
        state=fields.pop("state", "PROCESSED"),
        created_ms=created_ms,
        **fields,
    )
    api.store_record(record)


def param_id(value: object) -> str:
    """A readable test id for a dict of query parameters; nothing for the expectation."""
    if isinstance(value, dict):
        return ",".join(f"{k}={v[:12]!r}" for k, v in value.items()) or "none"
    return ""


def day_ms(day: str) -> int:
    return int(datetime.fromisoformat(day).replace(tzinfo=UTC).timestamp() * 1000)


# -- the list -------------------------------------------------------------------------------


def test_list_defaults(thalamus_fixtures_http: httpx.Client) -> None:
    response = listing(thalamus_fixtures_http)
    page = response.json()
    assert {k: v for k, v in page.items() if k != "items"} == {
        "page": 1,
        "pageSize": 25,
        "totalItems": len(SEEDED),
        "totalPages": 1,
    }
    # orderBy name, ascending; the records are the stored ones, verbatim.
    by_name = sorted(SEEDED, key=lambda r: r["name"])
    assert items(response) == by_name


def test_list_needs_a_session(thalamus_http: httpx.Client) -> None:
    assert_unauthorized(listing(thalamus_http))
    # The filters are checked only after the session.
    assert_unauthorized(listing(thalamus_http, page="0"))


def test_list_with_generated_records(thalamus_session: httpx.Client) -> None:
    page = listing(thalamus_session).json()
    assert (page["totalItems"], page["totalPages"], len(page["items"])) == (27, 2, 25)
    second = listing(thalamus_session, page="2").json()
    assert len(second["items"]) == 2
    all_ids = [r["id"] for r in page["items"] + second["items"]]
    assert sorted(all_ids) == sorted([*SEEDED_IDS, *range(1000, 1020)])


@pytest.mark.parametrize(
    ("size", "pages", "last"),
    [("1", 7, 1), ("2", 4, 1), ("3", 3, 1), ("7", 1, 7), ("100", 1, 7)],
)
def test_pagination(thalamus_fixtures_http: httpx.Client, size: str, pages: int, last: int) -> None:
    seen: list[int] = []
    for page in range(1, pages + 1):
        body = listing(thalamus_fixtures_http, pageSize=size, page=str(page)).json()
        assert (body["page"], body["pageSize"]) == (page, int(size))
        assert (body["totalItems"], body["totalPages"]) == (7, pages)
        seen += [r["id"] for r in body["items"]]
        if page == pages:
            assert len(body["items"]) == last
    assert seen == [r["id"] for r in sorted(SEEDED, key=lambda r: r["name"])]
    past = listing(thalamus_fixtures_http, pageSize=size, page=str(pages + 1)).json()
    assert past["items"] == []
    assert (past["totalItems"], past["totalPages"]) == (7, pages)


def test_page_size_is_capped_at_1000(thalamus_fixtures_http: httpx.Client) -> None:
    # [KIT] a larger pageSize is served as 1000, and the page says so.
    body = listing(thalamus_fixtures_http, pageSize="5000").json()
    assert body["pageSize"] == 1000
    assert len(body["items"]) == 7


def test_a_far_page_is_empty(thalamus_fixtures_http: httpx.Client) -> None:
    body = listing(thalamus_fixtures_http, page="2147483647", pageSize="1000").json()
    assert body["items"] == []
    assert body["page"] == 2147483647


def test_no_match_has_zero_pages(thalamus_fixtures_http: httpx.Client) -> None:
    body = listing(thalamus_fixtures_http, name="no such import").json()
    assert (body["items"], body["totalItems"], body["totalPages"]) == ([], 0, 0)


@pytest.mark.parametrize(
    ("order_by", "key"),
    [
        ("name", lambda r: (r["name"], str(r["id"]))),
        ("creationDate", lambda r: (r["creationDate"], str(r["id"]))),
        ("state", lambda r: (r["state"], str(r["id"]))),
    ],
)
@pytest.mark.parametrize("ascending", ["true", "false", None])
def test_order(
    thalamus_fixtures_http: httpx.Client, order_by: str, key: Any, ascending: str | None
) -> None:
    params = (
        {"orderBy": order_by}
        if ascending is None
        else {"orderBy": order_by, "ascending": ascending}
    )
    expected = sorted(SEEDED, key=key, reverse=ascending == "false")
    if ascending == "false":
        # Ties stay in ascending id order; the fixtures have none except in state.
        expected = sorted(
            sorted(SEEDED, key=lambda r: str(r["id"])),
            key=lambda r: key(r)[0],
            reverse=True,
        )
    assert ids(listing(thalamus_fixtures_http, **params)) == [r["id"] for r in expected]


@pytest.mark.parametrize("value", ["true", "TRUE", "1", "yes", "false", "False", "0", "no"])
def test_booleans(thalamus_fixtures_http: httpx.Client, value: str) -> None:
    truthy = value.lower() in ("true", "1", "yes")
    with_errors = {r["id"] for r in SEEDED if r["rowsWithErrors"] + r["rowsRollbackedWithErrors"]}
    assert with_errors == {277}
    got = set(ids(listing(thalamus_fixtures_http, withErrors=value)))
    assert got == (with_errors if truthy else set(SEEDED_IDS) - with_errors)
    order = ids(listing(thalamus_fixtures_http, ascending=value))
    names = [r["id"] for r in sorted(SEEDED, key=lambda r: r["name"], reverse=not truthy)]
    assert order == names


def test_rollbacked_errors_count_as_errors(
    thalamus_fixtures_app: Flask, thalamus_fixtures_http: httpx.Client
) -> None:
    api: ThalamusApi = state_of(thalamus_fixtures_app).api("thalamus")
    record = api.records.build(
        id=500,
        name="rolled",
        file_name="r.xlsx",
        import_type=25004,
        state="CANCELED",
        created_ms=NOW_MS,
        rows=10,
        rows_ok=10,
    )
    record["rowsRollbacked"] = record["rowsRollbackedWithErrors"] = 3
    api.store_record(record)
    assert 500 in ids(listing(thalamus_fixtures_http, withErrors="true"))


@pytest.mark.parametrize("import_type", [25006, 25004, 25011, 25012])
def test_filter_by_type(thalamus_fixtures_http: httpx.Client, import_type: int) -> None:
    expected = {r["id"] for r in SEEDED if r["owner"]["entityType"] == import_type}
    assert expected
    assert set(ids(listing(thalamus_fixtures_http, type=str(import_type)))) == expected
    # [KIT] a decimal number: leading zeros name the same code.
    assert set(ids(listing(thalamus_fixtures_http, type=f"00{import_type}"))) == expected


@pytest.mark.parametrize(("state", "state_id"), sorted(STATE_IDS.items()))
def test_filter_by_state_id(
    thalamus_fixtures_http: httpx.Client, state: str, state_id: int
) -> None:
    expected = {r["id"] for r in SEEDED if r["state"] == state}
    assert expected
    assert set(ids(listing(thalamus_fixtures_http, state=str(state_id)))) == expected
    assert set(ids(listing(thalamus_fixtures_http, state=f"0{state_id}"))) == expected


def test_filter_by_name_substring_case_insensitively(thalamus_fixtures_http: httpx.Client) -> None:
    assert set(ids(listing(thalamus_fixtures_http, name="partnerSales"))) == {275, 279}
    assert set(ids(listing(thalamus_fixtures_http, name="PARTNERSALES"))) == {275, 279}
    assert set(ids(listing(thalamus_fixtures_http, name="stock"))) == {276, 280}
    assert set(ids(listing(thalamus_fixtures_http, name="hoy"))) == {274}
    # An empty name filters nothing.
    assert len(ids(listing(thalamus_fixtures_http, name=""))) == len(SEEDED)


def test_name_filter_takes_percent_and_underscore_literally(
    thalamus_fixtures_http: httpx.Client,
) -> None:
    made = {
        name: upload(thalamus_fixtures_http, name=name).json()["id"]
        for name in ["50%off", "50Xoff", "a_b", "aXb", "back\\slash", "backslash"]
    }
    assert ids(listing(thalamus_fixtures_http, name="%")) == [made["50%off"]]
    assert ids(listing(thalamus_fixtures_http, name="50%o")) == [made["50%off"]]
    assert ids(listing(thalamus_fixtures_http, name="_")) == [made["a_b"]]
    assert ids(listing(thalamus_fixtures_http, name="a_b")) == [made["a_b"]]
    assert ids(listing(thalamus_fixtures_http, name="\\")) == [made["back\\slash"]]


def test_name_filter_is_case_insensitive_beyond_ascii(thalamus_fixtures_http: httpx.Client) -> None:
    made = upload(thalamus_fixtures_http, name="ÉTÉ Ölçüm ΣΟΦΙΑ").json()["id"]
    for needle in ["été", "ÉTÉ", "ölçüm", "σοφια", "ΣΟΦΙΑ"]:
        assert ids(listing(thalamus_fixtures_http, name=needle)) == [made], needle


def test_date_filters_are_inclusive_whole_utc_days(
    thalamus_fixtures_app: Flask, thalamus_fixtures_http: httpx.Client
) -> None:
    start = day_ms("2024-03-10")
    put_record(thalamus_fixtures_app, 601, "before", start - 1)
    put_record(thalamus_fixtures_app, 602, "first-ms", start)
    put_record(thalamus_fixtures_app, 603, "last-ms", start + 86_400_000 - 1)
    put_record(thalamus_fixtures_app, 604, "after", start + 86_400_000)
    one_day = {"beginDate": "2024-03-10", "endDate": "2024-03-10"}
    assert set(ids(listing(thalamus_fixtures_http, **one_day))) == {602, 603}
    assert set(ids(listing(thalamus_fixtures_http, endDate="2024-03-10"))) == {601, 602, 603}
    begin = set(ids(listing(thalamus_fixtures_http, beginDate="2024-03-10", pageSize="100")))
    assert begin == {602, 603, 604, *SEEDED_IDS}
    # The fixtures: the example on 2025-09-10, the seed on 2025-10-09.
    assert ids(listing(thalamus_fixtures_http, beginDate="2025-09-10", endDate="2025-09-10")) == [
        EXAMPLE["id"]
    ]
    october = listing(thalamus_fixtures_http, beginDate="2025-10-09", endDate="2025-10-09")
    assert set(ids(october)) == set(SEEDED_IDS) - {274}
    assert ids(listing(thalamus_fixtures_http, beginDate="2025-09-11", endDate="2025-10-08")) == []
    # Begin after end: nothing, not an error.
    assert ids(listing(thalamus_fixtures_http, beginDate="2025-10-09", endDate="2025-09-10")) == []


def test_filters_combine(thalamus_fixtures_http: httpx.Client) -> None:
    assert ids(listing(thalamus_fixtures_http, type="25012", state="6")) == [280]
    assert ids(listing(thalamus_fixtures_http, type="25012", state="1")) == []
    assert ids(listing(thalamus_fixtures_http, name="oct", state="2", withErrors="false")) == [276]
    body = listing(
        thalamus_fixtures_http,
        name="partner",
        pageSize="1",
        orderBy="creationDate",
        ascending="false",
    ).json()
    assert (body["totalItems"], body["totalPages"]) == (4, 4)
    assert [r["id"] for r in body["items"]] == [280]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"page": "0"}, ("page", "InvalidFormat")),
        ({"page": "-1"}, ("page", "InvalidFormat")),
        ({"page": "abc"}, ("page", "InvalidFormat")),
        ({"page": "1.5"}, ("page", "InvalidFormat")),
        ({"page": ""}, ("page", "InvalidFormat")),
        ({"page": "²"}, ("page", "InvalidFormat")),
        ({"page": "2147483648"}, ("page", "InvalidFormat")),  # past a Java int
        ({"page": "9" * 5000}, ("page", "InvalidFormat")),
        ({"pageSize": "0"}, ("pageSize", "InvalidFormat")),
        ({"pageSize": "x"}, ("pageSize", "InvalidFormat")),
        ({"pageSize": "9" * 30}, ("pageSize", "InvalidFormat")),
        ({"orderBy": "id"}, ("orderBy", "InvalidName")),
        ({"orderBy": ""}, ("orderBy", "InvalidName")),
        ({"orderBy": "Name"}, ("orderBy", "InvalidName")),
        ({"ascending": "maybe"}, ("ascending", "InvalidFormat")),
        ({"withErrors": ""}, ("withErrors", "InvalidFormat")),
        ({"type": "1"}, ("type", "InvalidCode")),
        ({"type": "abc"}, ("type", "InvalidCode")),
        ({"type": ""}, ("type", "InvalidCode")),
        ({"type": "²"}, ("type", "InvalidCode")),
        ({"type": "\u0662\u0665\u0660\u0661\u0661"}, ("type", "InvalidCode")),  # Arabic-Indic 25011
        ({"type": "9" * 5000}, ("type", "InvalidCode")),
        ({"state": ""}, ("state", "InvalidId")),
        ({"state": "0"}, ("state", "InvalidId")),
        ({"state": "7"}, ("state", "InvalidId")),
        ({"state": "WAITING"}, ("state", "InvalidId")),
        ({"state": "²"}, ("state", "InvalidId")),
        ({"state": "\u0661"}, ("state", "InvalidId")),  # Arabic-Indic 1
        ({"state": "9" * 5000}, ("state", "InvalidId")),
        ({"beginDate": "2025-13-01"}, ("beginDate", "InvalidDateFormat")),
        ({"beginDate": "2025-1-1"}, ("beginDate", "InvalidDateFormat")),
        ({"beginDate": "20250101"}, ("beginDate", "InvalidDateFormat")),
        ({"beginDate": "2025-W01-1"}, ("beginDate", "InvalidDateFormat")),  # ISO week date
        ({"beginDate": "2025-01-01T00:00"}, ("beginDate", "InvalidDateFormat")),
        ({"beginDate": "01/02/2025"}, ("beginDate", "InvalidDateFormat")),
        ({"beginDate": ""}, ("beginDate", "InvalidDateFormat")),
        ({"endDate": "2025-02-30"}, ("endDate", "InvalidDateFormat")),
        (
            {"endDate": "\u0662\u0660\u0662\u0665-\u0660\u0661-\u0660\u0661"},
            ("endDate", "InvalidDateFormat"),
        ),
    ],
    ids=param_id,
)
def test_list_errors(
    thalamus_fixtures_http: httpx.Client, params: dict[str, str], expected: tuple[str, str]
) -> None:
    assert_error(listing(thalamus_fixtures_http, **params), 400, *expected)


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"page": "0", "pageSize": "0", "orderBy": "x"}, ("page", "InvalidFormat")),
        ({"pageSize": "0", "orderBy": "x"}, ("pageSize", "InvalidFormat")),
        ({"orderBy": "x", "ascending": "x", "type": "1"}, ("orderBy", "InvalidName")),
        ({"ascending": "x", "type": "1"}, ("ascending", "InvalidFormat")),
        ({"type": "1", "beginDate": "x", "state": "9"}, ("type", "InvalidCode")),
        ({"beginDate": "x", "endDate": "x"}, ("beginDate", "InvalidDateFormat")),
        ({"endDate": "x", "state": "9"}, ("endDate", "InvalidDateFormat")),
        ({"state": "9", "withErrors": "x"}, ("state", "InvalidId")),
    ],
    ids=param_id,
)
def test_list_check_order(
    thalamus_fixtures_http: httpx.Client, params: dict[str, str], expected: tuple[str, str]
) -> None:
    # [KIT] one error per answer, the first in docs/wire.md's order.
    assert_error(listing(thalamus_fixtures_http, **params), 400, *expected)


def test_list_path_with_trailing_slash_is_no_route(thalamus_fixtures_http: httpx.Client) -> None:
    response = thalamus_fixtures_http.get(wsgi_path(f"{STATUS}/"), params=CLIENT)
    assert_error(response, 404, "path", "NotFound")
