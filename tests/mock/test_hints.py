"""Near-miss hints: in the X-Statuskit-Hint header and the journal, never in the body, and
never quoting a credential."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from mockserver import create_app
from mockserver.hints import header_value
from tests.mock.conftest import auth_v2, client_for, login_v1

Q = {"touchpoint": "test", "token": "statuskit-token"}
FILES = "/v1/omnichannel/accounts/acme/profiles/main/files"
V2_FILES = "/v2/omnichannel/accounts/acme/profiles/main/files"
HINT = "x-statuskit-hint"


@pytest.fixture(scope="module")
def client() -> Iterator[httpx.Client]:
    with client_for(create_app({"generated": 0})) as client:
        yield client


@pytest.fixture(scope="module")
def thalamus(client: httpx.Client) -> dict[str, str]:
    """The Cookie header of a Thalamus session."""
    login = client.post(
        "/api/v3/thalamus_security_check", params=Q, auth=("consumer@example.com", "statuskit")
    )
    assert login.status_code == 200
    client.cookies.clear()
    return {"Cookie": f"JSESSIONID={login.cookies['JSESSIONID']}"}


def hinted(response: httpx.Response, status: int, body: bytes | None = None) -> str:
    """The hint of a response with ``status`` and, if given, exactly ``body``."""
    assert response.status_code == status, response.text
    if body is not None:
        assert response.content == body
    hint: str | None = response.headers.get(HINT)
    assert hint, "a hint was expected"
    return hint


# -- Thalamus ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "body", "hint"),
    [
        (
            {},
            b'{"errors":{"partnerDataSource":"TouchpointCodeRequired"}}',
            "missing parameter 'touchpoint': send it as the query parameter 'touchpoint' "
            "or the header 'Thalamus-Touchpoint'",
        ),
        (
            {"touchpoint": "test"},
            b'{"errors":{"token":"Required"}}',
            "missing parameter 'token': send it as the query parameter 'token' "
            "or the header 'Thalamus-Token'",
        ),
        (
            {"touchpoint": "nope", "token": "x"},
            b'{"errors":{"partnerDataSource":"InvalidTouchpointCode"}}',
            "unknown touchpoint: this mock takes 'test' and STATUSKIT_THALAMUS_TOUCHPOINT",
        ),
    ],
)
def test_thalamus_missing_parameters_are_named_with_where_to_send_them(
    client: httpx.Client, params: dict[str, str], body: bytes, hint: str
) -> None:
    response = client.get("/api/v4/import/status/274", params=params)
    assert hinted(response, 400, body) == hint


def test_a_wrong_token_is_never_echoed(client: httpx.Client) -> None:
    wrong = "wrong-token-7c1e9a"
    response = client.get("/api/v4/import/status/274", params={**Q, "token": wrong})
    hint = hinted(response, 400, b'{"errors":{"token":"InvalidToken"}}')
    assert "STATUSKIT_THALAMUS_TOKEN" in hint
    assert wrong not in hint
    [entry] = client.get("/__admin/v1/journal", params={"limit": 1}).json()["entries"]
    assert entry["hint"] == hint
    assert wrong not in str(entry)


def test_no_session_says_how_to_log_in(client: httpx.Client) -> None:
    response = client.get("/api/v4/import/status/274", params=Q)
    assert hinted(response, 401, b"").startswith(
        "no login session: log in with POST /api/v3/thalamus_security_check"
    )
    stale = client.get("/api/v4/import/status/274", params=Q, headers={"Cookie": "JSESSIONID=0"})
    assert "names no live session" in hinted(stale, 401)


@pytest.mark.parametrize(("wanted", "closest"), [(290, 280), (1, 274), (276, None)])
def test_an_unknown_id_gets_the_closest_known_id(
    client: httpx.Client, thalamus: dict[str, str], wanted: int, closest: int | None
) -> None:
    response = client.get(f"/api/v4/import/status/{wanted}", params=Q, headers=thalamus)
    if closest is None:
        assert response.status_code == 200
        assert HINT not in response.headers
        return
    body = b'{"errors":{"id":"NotFound"}}'
    assert hinted(response, 404, body) == f"no import with that id; closest known id: {closest}"


def test_a_malformed_id_says_what_an_id_is(client: httpx.Client, thalamus: dict[str, str]) -> None:
    response = client.get("/api/v4/import/status/12x", params=Q, headers=thalamus)
    assert hinted(response, 400, b'{"errors":{"id":"InvalidId"}}') == (
        "the id must be a positive integer"
    )


@pytest.mark.parametrize(
    ("method", "path", "hint"),
    [
        (
            "GET",
            "/api/v4/import/statuses/274",
            "no such route; closest: GET /api/v4/import/status/{id}",
        ),
        ("GET", "/api/v4/import/file", "GET is not served on this path; it takes POST"),
        (
            "GET",
            "/v1/omnichannel/accounts/acme/profile/main/files/a.csv",
            "no such route; closest: "
            "GET /v1/omnichannel/accounts/{account}/profiles/{profile}/files/{name}",
        ),
        ("GET", "/__admin/v1/clocks", "no such route; closest: GET /__admin/v1/clock"),
    ],
)
def test_an_unknown_route_gets_the_closest_route(
    client: httpx.Client, method: str, path: str, hint: str
) -> None:
    response = client.request(method, path)
    assert response.status_code in (404, 405)
    assert response.headers[HINT] == hint


# -- Tealium -------------------------------------------------------------------------------


def test_an_unknown_file_gets_the_closest_file_name(client: httpx.Client) -> None:
    v1 = login_v1(client)
    response = client.get(
        f"{FILES}/sales-transaction_2016feb4v5.csv", params=v1.params, headers=v1.headers
    )
    body = b'{"returnCode":404,"message":"Supplied file name not found"}'
    assert hinted(response, 404, body) == (
        "no such file in acme/main; closest: sales-transaction_2016feb4v50.csv"
    )


def test_an_unknown_profile_gets_the_closest_account_and_profile(client: httpx.Client) -> None:
    v2 = auth_v2(client)
    response = client.get(
        "/v2/omnichannel/accounts/acme/profiles/mian/files/orders_2026nov01.csv", headers=v2
    )
    assert hinted(response, 404) == "no files in acme/mian; closest account/profile: acme/main"


def test_v1_says_which_credential_is_missing(client: httpx.Client) -> None:
    v1 = login_v1(client)
    url = f"{FILES}/orders_2026nov01.csv"
    neither = client.get(url)
    no_utk = client.get(url, headers=v1.headers)
    no_cookie = client.get(url, params=v1.params)
    stale = client.get(url, params={"utk": "0" * 32}, headers=v1.headers)
    assert "JSESSIONID cookie and the utk query parameter" in hinted(neither, 401)
    assert hinted(no_utk, 401).startswith("missing the utk query parameter")
    assert hinted(no_cookie, 401).startswith("missing the JSESSIONID cookie")
    assert "name no live session together" in hinted(stale, 401)
    for response in (neither, no_utk, no_cookie, stale):
        assert v1.utk not in response.headers[HINT]
        assert v1.jsessionid not in response.headers[HINT]


def test_v2_says_whether_the_bearer_is_missing_or_stale(client: httpx.Client) -> None:
    url = f"{V2_FILES}/orders_2026nov01.csv"
    missing = client.get(url)
    stale = client.get(url, headers={"Authorization": "Bearer a.b.c"})
    assert hinted(missing, 401).startswith("send 'Authorization: Bearer <token>'")
    assert hinted(stale, 401) == "the bearer token is expired or was not issued by this server"
    assert "a.b.c" not in stale.headers[HINT]


def test_a_missing_count_parameter_is_named(client: httpx.Client) -> None:
    v2 = auth_v2(client)
    response = client.get(
        f"{V2_FILES}/count", params={"filePrefix": "", "startDate": "2016-01-01T00:00Z"}, headers=v2
    )
    body = b'{"returnCode":400,"message":"Missing required parameter: endDate"}'
    assert hinted(response, 400, body).startswith("missing parameter: endDate")


def test_a_wrong_login_is_hinted_without_the_password(client: httpx.Client) -> None:
    response = client.post("/v1/login", data={"username": "user@example.com", "password": "s3cr"})
    hint = hinted(response, 401)
    assert hint.startswith("the username or password is wrong")
    assert "s3cr" not in hint


def test_successful_answers_carry_no_hint(client: httpx.Client, thalamus: dict[str, str]) -> None:
    response = client.get("/api/v4/import/status/274", params=Q, headers=thalamus)
    assert response.status_code == 200
    assert HINT not in response.headers


def test_a_hint_header_is_printable_ascii() -> None:
    assert header_value("closest: café.csv") == "closest: caf%C3%A9.csv"
    assert header_value("a\r\nb") == "a%0D%0Ab"
    assert len(header_value("x" * 1000)) == 300
