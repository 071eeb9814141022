"""The Thalamus mock: the client checks, their order, and GET /api/v4/import/status/{id}.

docs/wire.md, "Thalamus v4", is the specification these tests hold the mock to.
"""

from __future__ import annotations

import json

import httpx
import pytest
from flask import Flask

from mockserver.thalamus import create_app
from statuskit.fixtures import documented
from tests.mock.thalamus_support import (
    CLIENT,
    COOKIE,
    EXAMPLE,
    SEEDED,
    STATUS,
    TOKEN,
    TOUCHPOINT,
    assert_error,
    assert_unauthorized,
    assert_valid,
    client,
    login,
    wsgi_path,
)

EXAMPLE_PATH = f"{STATUS}/274"

# -- the documented example ------------------------------------------------------------


def test_the_documented_example_is_served_as_documented(thalamus_session: httpx.Client) -> None:
    response = thalamus_session.get(EXAMPLE_PATH, params={"touchpoint": "test", "token": TOKEN})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    fixture = documented("thalamus", "get-status", 200)
    assert response.json() == json.loads(fixture.text())
    assert_valid("import-record", response.json())


@pytest.mark.parametrize("record", SEEDED, ids=lambda r: str(r["id"]))
def test_every_seeded_record_is_served(
    thalamus_session: httpx.Client, record: dict[str, object]
) -> None:
    response = thalamus_session.get(f"{STATUS}/{record['id']}", params=CLIENT)
    assert response.status_code == 200
    assert response.json() == record


# -- touchpoint and token: the checks, in order ------------------------------------------


def test_touchpoint_missing(thalamus_session: httpx.Client) -> None:
    response = thalamus_session.get(EXAMPLE_PATH, params={"token": TOKEN})
    assert_error(response, 400, "partnerDataSource", "TouchpointCodeRequired")


def test_touchpoint_empty_counts_as_missing(thalamus_session: httpx.Client) -> None:
    response = thalamus_session.get(EXAMPLE_PATH, params={"touchpoint": "", "token": TOKEN})
    assert_error(response, 400, "partnerDataSource", "TouchpointCodeRequired")


@pytest.mark.parametrize("touchpoint", ["web", "TEST", " test", "test "])
def test_touchpoint_unknown(thalamus_session: httpx.Client, touchpoint: str) -> None:
    response = thalamus_session.get(EXAMPLE_PATH, params={"touchpoint": touchpoint, "token": TOKEN})
    assert_error(response, 400, "partnerDataSource", "InvalidTouchpointCode")


def test_token_missing(thalamus_session: httpx.Client) -> None:
    response = thalamus_session.get(EXAMPLE_PATH, params={"touchpoint": TOUCHPOINT})
    assert_error(response, 400, "token", "Required")


@pytest.mark.parametrize("token", ["wrong", TOKEN.upper(), TOKEN + "x", TOKEN[:-1], "é"])
def test_token_wrong(thalamus_session: httpx.Client, token: str) -> None:
    response = thalamus_session.get(EXAMPLE_PATH, params={"touchpoint": TOUCHPOINT, "token": token})
    assert_error(response, 400, "token", "InvalidToken")


def test_no_session_is_401_with_an_empty_body(thalamus_http: httpx.Client) -> None:
    assert_unauthorized(thalamus_http.get(EXAMPLE_PATH, params=CLIENT))


def test_an_unknown_session_cookie_is_401(thalamus_http: httpx.Client) -> None:
    response = thalamus_http.get(EXAMPLE_PATH, params=CLIENT, headers={"Cookie": f"{COOKIE}=nope"})
    assert_unauthorized(response)


def test_an_expired_session_is_401(thalamus_app: Flask, thalamus_session: httpx.Client) -> None:
    from mockserver.thalamus.api import SESSION_TTL
    from tests.mock.thalamus_support import state_of

    state = state_of(thalamus_app)
    now = state.clock()
    state.clock = lambda: now + SESSION_TTL - 1
    assert thalamus_session.get(EXAMPLE_PATH, params=CLIENT).status_code == 200
    state.clock = lambda: now + SESSION_TTL + 1
    assert_unauthorized(thalamus_session.get(EXAMPLE_PATH, params=CLIENT))


@pytest.mark.parametrize(
    ("params", "path", "logged_in", "expected"),
    [
        # Each row breaks every later check too, so only the order decides the answer.
        (
            {"token": "wrong"},
            f"{STATUS}/abc",
            False,
            ("partnerDataSource", "TouchpointCodeRequired"),
        ),
        (
            {"touchpoint": "web"},
            f"{STATUS}/abc",
            False,
            ("partnerDataSource", "InvalidTouchpointCode"),
        ),
        ({"touchpoint": "test"}, f"{STATUS}/abc", False, ("token", "Required")),
        (
            {"touchpoint": "test", "token": "wrong"},
            f"{STATUS}/abc",
            False,
            ("token", "InvalidToken"),
        ),
        (CLIENT, f"{STATUS}/abc", False, None),  # 401
        (CLIENT, f"{STATUS}/abc", True, ("id", "InvalidId")),
        (CLIENT, f"{STATUS}/999999", True, ("id", "NotFound")),
    ],
)
def test_check_order(
    thalamus_http: httpx.Client,
    params: dict[str, str],
    path: str,
    logged_in: bool,
    expected: tuple[str, str] | None,
) -> None:
    if logged_in:
        login(thalamus_http)
    response = thalamus_http.get(path, params=params)
    if expected is None:
        assert_unauthorized(response)
    else:
        status = 404 if expected[1] == "NotFound" else 400
        assert_error(response, status, *expected)


# -- placement: query parameter or header -------------------------------------------------


@pytest.mark.parametrize(
    ("params", "headers"),
    [
        ({"touchpoint": TOUCHPOINT, "token": TOKEN}, {}),
        ({}, {"Thalamus-Touchpoint": TOUCHPOINT, "Thalamus-Token": TOKEN}),
        ({"touchpoint": TOUCHPOINT}, {"Thalamus-Token": TOKEN}),
        ({"token": TOKEN}, {"Thalamus-Touchpoint": TOUCHPOINT}),
        ({}, {"thalamus-touchpoint": TOUCHPOINT, "THALAMUS-TOKEN": TOKEN}),
    ],
    ids=["query", "headers", "query+header", "header+query", "header-case"],
)
def test_touchpoint_and_token_as_query_or_header(
    thalamus_session: httpx.Client, params: dict[str, str], headers: dict[str, str]
) -> None:
    response = thalamus_session.get(EXAMPLE_PATH, params=params, headers=headers)
    assert response.status_code == 200
    assert response.json() == EXAMPLE


def test_the_query_wins_over_the_header(thalamus_session: httpx.Client) -> None:
    good = {"Thalamus-Touchpoint": TOUCHPOINT, "Thalamus-Token": TOKEN}
    bad_query = thalamus_session.get(
        EXAMPLE_PATH, params={"touchpoint": "web", "token": TOKEN}, headers=good
    )
    assert_error(bad_query, 400, "partnerDataSource", "InvalidTouchpointCode")
    bad_token = thalamus_session.get(
        EXAMPLE_PATH, params={"touchpoint": TOUCHPOINT, "token": "wrong"}, headers=good
    )
    assert_error(bad_token, 400, "token", "InvalidToken")
    bad_headers = {"Thalamus-Touchpoint": "web", "Thalamus-Token": "wrong"}
    good_query = thalamus_session.get(EXAMPLE_PATH, params=CLIENT, headers=bad_headers)
    assert good_query.status_code == 200


def test_an_empty_query_parameter_still_wins(thalamus_session: httpx.Client) -> None:
    # [KIT] present but empty is "sent": the header is not consulted.
    headers = {"Thalamus-Touchpoint": TOUCHPOINT, "Thalamus-Token": TOKEN}
    response = thalamus_session.get(EXAMPLE_PATH, params={"token": ""}, headers=headers)
    assert_error(response, 400, "token", "Required")


def test_plain_headers_are_not_the_documented_ones(thalamus_session: httpx.Client) -> None:
    response = thalamus_session.get(
        EXAMPLE_PATH, headers={"Touchpoint": TOUCHPOINT, "Token": TOKEN}
    )
    assert_error(response, 400, "partnerDataSource", "TouchpointCodeRequired")


@pytest.mark.parametrize("where", ["query", "header"])
def test_activity_is_accepted(thalamus_session: httpx.Client, where: str) -> None:
    if where == "query":
        response = thalamus_session.get(EXAMPLE_PATH, params={**CLIENT, "activity": "42"})
    else:
        response = thalamus_session.get(
            EXAMPLE_PATH, params=CLIENT, headers={"Thalamus-Activity": "anything at all"}
        )
    assert response.status_code == 200
    assert response.json() == EXAMPLE


# -- the id -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw_id",
    [
        "abc",
        "0",
        "00",
        "-1",
        "1.5",
        "1e3",
        "+274",
        " 274",
        "274 ",
        "0x112",
        "²",  # a digit to str.isdigit(), not a decimal integer
        "\u0662\u0667\u0664",  # Arabic-Indic 274: int() would take it
        "\uff12\uff17\uff14",  # fullwidth 274
        "9" * 5000,  # past int()'s digit limit
        "9223372036854775808",  # past a Java long
        "9" * 40,
    ],
)
def test_an_id_that_is_not_a_positive_integer_is_invalid(
    thalamus_session: httpx.Client, raw_id: str
) -> None:
    response = thalamus_session.get(wsgi_path(f"{STATUS}/{raw_id}"), params=CLIENT)
    assert_error(response, 400, "id", "InvalidId")


@pytest.mark.parametrize("raw_id", ["1", "275999", "9223372036854775807"])
def test_an_unknown_id_is_404(thalamus_session: httpx.Client, raw_id: str) -> None:
    response = thalamus_session.get(f"{STATUS}/{raw_id}", params=CLIENT)
    assert_error(response, 404, "id", "NotFound")


def test_leading_zeros_name_the_same_id(thalamus_session: httpx.Client) -> None:
    # [KIT] the id is read as a decimal number, as Java's Long.parseLong does.
    response = thalamus_session.get(f"{STATUS}/000274", params=CLIENT)
    assert response.status_code == 200
    assert response.json() == EXAMPLE


def test_wsgi_path_delivers_non_ascii_intact() -> None:
    # The helper the id tests rely on: the view must see exactly the characters sent.
    from flask import request

    app = Flask(__name__)

    @app.get("/echo/<value>")
    def echo(value: str) -> str:
        return f"{value}|{request.path}"

    with client(app) as http:
        assert http.get(wsgi_path("/echo/²\u0662")).text == "²\u0662|/echo/²\u0662"


def test_the_mock_serves_the_example_through_the_package_factory() -> None:
    # mockserver.create_app (both APIs) serves Thalamus too.
    from mockserver import create_app as create_combined
    from mockserver.config import MockConfig

    for factory in (create_app, create_combined):
        with client(factory(MockConfig.from_env({}))) as http:
            login(http)
            assert http.get(EXAMPLE_PATH, params=CLIENT).json() == EXAMPLE
