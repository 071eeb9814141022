"""The Thalamus mock's consumer login and logout (docs/wire.md, "Login and logout")."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from mockserver.thalamus import create_app
from tests.mock.thalamus_support import (
    CLIENT,
    COOKIE,
    LOGIN,
    LOGOUT,
    PASSWORD,
    PRINCIPAL,
    STATUS,
    TOKEN,
    assert_error,
    assert_unauthorized,
    assert_valid,
    basic,
    client,
    login,
)

EXAMPLE_PATH = f"{STATUS}/274"


def status_ok(http: httpx.Client) -> bool:
    """Whether ``http``'s session can read the documented example."""
    response = http.get(EXAMPLE_PATH, params=CLIENT)
    assert response.status_code in (200, 401)
    return response.status_code == 200


# -- success --------------------------------------------------------------------------------


def test_json_login_answers_the_principal_and_sets_the_session_cookie(
    thalamus_http: httpx.Client,
) -> None:
    response = thalamus_http.post(
        LOGIN, params=CLIENT, json={"principal": PRINCIPAL, "password": PASSWORD}
    )
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {"principal": PRINCIPAL}
    assert_valid("login-response", response.json())
    cookie = response.headers["set-cookie"]
    name, _, rest = cookie.partition("=")
    value, *attributes = (part.strip() for part in rest.split(";"))
    assert name == COOKIE
    assert len(value) >= 32
    assert sorted(attributes) == ["HttpOnly", "Path=/"]
    assert status_ok(thalamus_http)


def test_basic_login(thalamus_http: httpx.Client) -> None:
    response = thalamus_http.post(
        LOGIN, params=CLIENT, headers={"Authorization": basic(PRINCIPAL, PASSWORD)}
    )
    assert response.status_code == 200
    assert response.json() == {"principal": PRINCIPAL}
    assert status_ok(thalamus_http)


def test_login_takes_touchpoint_and_token_as_headers(thalamus_http: httpx.Client) -> None:
    response = thalamus_http.post(
        LOGIN,
        headers={
            "Thalamus-Touchpoint": "test",
            "Thalamus-Token": TOKEN,
            "Authorization": basic(PRINCIPAL, PASSWORD),
        },
    )
    assert response.status_code == 200


def test_basic_wins_over_a_json_body(thalamus_http: httpx.Client) -> None:
    # [KIT] with both, the Authorization header is the credentials.
    response = thalamus_http.post(
        LOGIN,
        params=CLIENT,
        headers={"Authorization": basic(PRINCIPAL, PASSWORD)},
        json={"principal": "someone@else", "password": "wrong-password"},
    )
    assert response.status_code == 200
    wrong = client(create_app({}))
    response = wrong.post(
        LOGIN,
        params=CLIENT,
        headers={"Authorization": basic(PRINCIPAL, "wrong-password")},
        json={"principal": PRINCIPAL, "password": PASSWORD},
    )
    assert_unauthorized(response)


def test_sessions_are_per_client(thalamus_app: Any) -> None:
    first, second = client(thalamus_app), client(thalamus_app)
    login(first)
    login(second)  # not "already logged in": that is per session cookie
    assert status_ok(first)
    assert status_ok(second)
    assert first.cookies[COOKIE] != second.cookies[COOKIE]
    assert first.get(LOGOUT, params=CLIENT).status_code == 204
    assert not status_ok(first)
    assert status_ok(second)


# -- refusals -------------------------------------------------------------------------------


def test_the_client_checks_come_first(thalamus_http: httpx.Client) -> None:
    good = {"principal": PRINCIPAL, "password": PASSWORD}
    response = thalamus_http.post(LOGIN, params={"token": TOKEN}, json=good)
    assert_error(response, 400, "partnerDataSource", "TouchpointCodeRequired")
    response = thalamus_http.post(LOGIN, params={"touchpoint": "nope", "token": TOKEN}, json=good)
    assert_error(response, 400, "partnerDataSource", "InvalidTouchpointCode")
    response = thalamus_http.post(LOGIN, params={"touchpoint": "test"}, json=good)
    assert_error(response, 400, "token", "Required")
    response = thalamus_http.post(LOGIN, params={"touchpoint": "test", "token": "x"}, json=good)
    assert_error(response, 400, "token", "InvalidToken")
    assert COOKIE not in thalamus_http.cookies


@pytest.mark.parametrize(
    ("principal", "password"),
    [
        (PRINCIPAL, "wrong-password"),
        ("someone@example.com", PASSWORD),
        (PRINCIPAL.upper(), PASSWORD),
        (PRINCIPAL, PASSWORD.upper()),
    ],
)
@pytest.mark.parametrize("how", ["json", "basic"])
def test_wrong_credentials_are_401(
    thalamus_http: httpx.Client, principal: str, password: str, how: str
) -> None:
    if how == "json":
        response = thalamus_http.post(
            LOGIN, params=CLIENT, json={"principal": principal, "password": password}
        )
    else:
        response = thalamus_http.post(
            LOGIN, params=CLIENT, headers={"Authorization": basic(principal, password)}
        )
    assert_unauthorized(response)
    assert "set-cookie" not in response.headers
    assert not status_ok(thalamus_http)


@pytest.mark.parametrize(
    "header",
    ["Basic !!!not-base64!!!", "Basic " + "//79/g==", "Basic"],
    ids=["not-base64", "not-utf8", "no-credentials"],
)
def test_unreadable_basic_credentials_are_401(thalamus_http: httpx.Client, header: str) -> None:
    response = thalamus_http.post(LOGIN, params=CLIENT, headers={"Authorization": header})
    if header == "Basic":
        # No "Basic " prefix with credentials: not Basic auth at all, and no body either.
        assert_error(response, 400, "principal", "Required")
    else:
        assert_unauthorized(response)


def test_a_missing_password_is_401(thalamus_http: httpx.Client) -> None:
    # [DOC] the password is optional only on passwordless touchpoints; the kit's have one.
    response = thalamus_http.post(LOGIN, params=CLIENT, json={"principal": PRINCIPAL})
    assert_unauthorized(response)
    response = thalamus_http.post(
        LOGIN, params=CLIENT, json={"principal": PRINCIPAL, "password": None}
    )
    assert_unauthorized(response)


def test_second_login_while_logged_in(thalamus_session: httpx.Client) -> None:
    good = {"principal": PRINCIPAL, "password": PASSWORD}
    response = thalamus_session.post(LOGIN, params=CLIENT, json=good)
    assert_error(response, 400, "party", "PartyAlreadyLoggedin")
    # Even with wrong credentials: the live session is what is refused.
    response = thalamus_session.post(
        LOGIN, params=CLIENT, json={"principal": PRINCIPAL, "password": "nope-nope"}
    )
    assert_error(response, 400, "party", "PartyAlreadyLoggedin")
    assert status_ok(thalamus_session)


def test_login_again_after_logout_or_expiry(thalamus_app: Any) -> None:
    from mockserver.thalamus.api import SESSION_TTL
    from tests.mock.thalamus_support import state_of

    http = client(thalamus_app)
    login(http)
    old = http.cookies[COOKIE]
    assert http.get(LOGOUT, params=CLIENT).status_code == 204
    # The stale cookie is no live session, so it does not block a new login.
    http.cookies.set(COOKIE, old)
    login(http)
    state = state_of(thalamus_app)
    now = state.clock()
    state.clock = lambda: now + SESSION_TTL + 1
    login(http)
    assert status_ok(http)


@pytest.mark.parametrize(
    ("content", "content_type"),
    [
        (b"{not json", "application/json"),
        (b'{"principal": "x",}', "application/json"),
        (b"[]", "application/json"),
        (b'"consumer@example.com"', "application/json"),
        (b"null", "application/json"),
        (b"\xff\xfe{}", "application/json"),
        (b"[" * 100_000, "application/json"),
    ],
    ids=["broken", "trailing-comma", "array", "string", "null", "bad-utf8", "deep"],
)
def test_a_body_that_is_not_a_json_object_is_invalid_json(
    thalamus_http: httpx.Client, content: bytes, content_type: str
) -> None:
    response = thalamus_http.post(
        LOGIN, params=CLIENT, content=content, headers={"Content-Type": content_type}
    )
    assert_error(response, 400, "body", "InvalidJson")


@pytest.mark.parametrize(
    "content_type",
    ["application/x-www-form-urlencoded", "text/plain", "multipart/form-data; boundary=x"],
)
def test_another_content_type_is_unsupported(
    thalamus_http: httpx.Client, content_type: str
) -> None:
    body = b'{"principal": "consumer@example.com", "password": "statuskit"}'
    response = thalamus_http.post(
        LOGIN, params=CLIENT, content=body, headers={"Content-Type": content_type}
    )
    assert_error(response, 400, "body", "UnsupportedMediaType")


def test_a_form_login_is_unsupported(thalamus_http: httpx.Client) -> None:
    response = thalamus_http.post(
        LOGIN, params=CLIENT, data={"principal": PRINCIPAL, "password": PASSWORD}
    )
    assert_error(response, 400, "body", "UnsupportedMediaType")


@pytest.mark.parametrize(
    "body",
    [{}, {"password": PASSWORD}, {"principal": ""}, {"principal": None}, {"principal": 7}],
    ids=["empty", "password-only", "empty-string", "null", "number"],
)
def test_principal_required(thalamus_http: httpx.Client, body: dict[str, Any]) -> None:
    response = thalamus_http.post(LOGIN, params=CLIENT, json=body)
    assert_error(response, 400, "principal", "Required")


def test_no_body_and_no_basic_is_principal_required(thalamus_http: httpx.Client) -> None:
    assert_error(thalamus_http.post(LOGIN, params=CLIENT), 400, "principal", "Required")


def test_basic_with_an_empty_principal_is_principal_required(thalamus_http: httpx.Client) -> None:
    response = thalamus_http.post(
        LOGIN, params=CLIENT, headers={"Authorization": basic("", PASSWORD)}
    )
    assert_error(response, 400, "principal", "Required")


@pytest.mark.parametrize("how", ["json", "basic"])
@pytest.mark.parametrize(
    ("password", "expected"),
    [
        ("", 400),
        ("abc", 400),
        ("abcd", 200),
        ("é" * 4, 200),  # characters, not bytes
        ("p" * 100, 200),
        ("p" * 101, 400),
        ("é" * 100, 200),
    ],
    ids=["0", "3", "4", "4-non-ascii", "100", "101", "100-non-ascii"],
)
def test_password_length(password: str, expected: int, how: str) -> None:
    # Configure that very password, so a length that passes the check logs in.
    http = client(create_app({"thalamus": {"password": password}}))
    if how == "json":
        response = http.post(
            LOGIN, params=CLIENT, json={"principal": PRINCIPAL, "password": password}
        )
    else:
        response = http.post(
            LOGIN, params=CLIENT, headers={"Authorization": basic(PRINCIPAL, password)}
        )
    if expected == 400:
        assert_error(response, 400, "password", "InvalidFormat")
    else:
        assert response.status_code == 200, response.text


@pytest.mark.parametrize("password", [1234, 12.5, True, ["statuskit"], {"p": "statuskit"}])
def test_a_password_that_is_not_a_string_is_invalid_format(
    thalamus_http: httpx.Client, password: Any
) -> None:
    response = thalamus_http.post(
        LOGIN, params=CLIENT, json={"principal": PRINCIPAL, "password": password}
    )
    assert_error(response, 400, "password", "InvalidFormat")


def test_a_password_with_a_lone_surrogate_is_just_wrong(thalamus_http: httpx.Client) -> None:
    # JSON can spell a lone surrogate, which no UTF-8 string holds.
    body = b'{"principal": "consumer@example.com", "password": "\\ud800abc"}'
    response = thalamus_http.post(
        LOGIN, params=CLIENT, content=body, headers={"Content-Type": "application/json"}
    )
    assert_unauthorized(response)


# -- the login path -------------------------------------------------------------------------


def test_the_login_path_is_configurable() -> None:
    http = client(create_app({"thalamus_login_path": "/custom/login"}))
    assert_error(
        http.post(LOGIN, params=CLIENT, json={"principal": PRINCIPAL, "password": PASSWORD}),
        404,
        "path",
        "NotFound",
    )
    response = http.post(
        "/custom/login", params=CLIENT, json={"principal": PRINCIPAL, "password": PASSWORD}
    )
    assert response.status_code == 200
    assert response.json() == {"principal": PRINCIPAL}
    assert status_ok(http)


def test_login_answers_post_only(thalamus_http: httpx.Client) -> None:
    response = thalamus_http.get(LOGIN, params=CLIENT)
    assert_error(response, 405, "method", "MethodNotAllowed")


# -- logout ---------------------------------------------------------------------------------


def test_logout_ends_the_session(thalamus_session: httpx.Client) -> None:
    cookie = thalamus_session.cookies[COOKIE]
    response = thalamus_session.get(LOGOUT, params=CLIENT)
    assert response.status_code == 204
    assert response.content == b""
    assert "content-type" not in response.headers
    # The cookie is cleared too.
    assert response.headers["set-cookie"].startswith(f"{COOKIE}=;")
    assert COOKIE not in thalamus_session.cookies
    # And the session is over even for a client that keeps sending the old cookie.
    response = thalamus_session.get(
        EXAMPLE_PATH, params=CLIENT, headers={"Cookie": f"{COOKIE}={cookie}"}
    )
    assert_unauthorized(response)


def test_logout_without_a_session_is_still_204(thalamus_http: httpx.Client) -> None:
    # [KIT] logout is idempotent.
    assert thalamus_http.get(LOGOUT, params=CLIENT).status_code == 204
    response = thalamus_http.get(LOGOUT, params=CLIENT, headers={"Cookie": f"{COOKIE}=nope"})
    assert response.status_code == 204


def test_logout_checks_touchpoint_and_token_first(thalamus_session: httpx.Client) -> None:
    # "Every endpoint takes these": logout too. A refused logout leaves the session alone.
    response = thalamus_session.get(LOGOUT)
    assert_error(response, 400, "partnerDataSource", "TouchpointCodeRequired")
    response = thalamus_session.get(LOGOUT, params={"touchpoint": "test", "token": "wrong"})
    assert_error(response, 400, "token", "InvalidToken")
    assert status_ok(thalamus_session)
    headers = {"Thalamus-Touchpoint": "test", "Thalamus-Token": TOKEN}
    assert thalamus_session.get(LOGOUT, headers=headers).status_code == 204
    assert not status_ok(thalamus_session)


def test_logout_answers_get_only(thalamus_session: httpx.Client) -> None:
    response = thalamus_session.post(LOGOUT, params=CLIENT)
    assert_error(response, 405, "method", "MethodNotAllowed")
    assert status_ok(thalamus_session)
