"""Request fuzzing of the Tealium mock: whatever arrives, never a 5xx, never HTML, and every
JSON body valid against the strict schema of what it answers."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from flask import Flask
from hypothesis import given, settings
from hypothesis import strategies as st
from werkzeug.test import TestResponse

from mockserver.tealium import create_app
from mockserver.tealium.api import MAX_NAME
from statuskit.registry import default_registry
from tests.mock.conftest import API_KEY, PASSWORD, USERNAME, V1, auth_v2, client_for, login_v1

FUZZ = settings(deadline=None, max_examples=150)
VERSIONS = st.sampled_from(["v1", "v2"])
#: Header values a server can receive: latin-1 without control characters.
HEADER_TEXT = st.text(
    st.characters(min_codepoint=0x20, max_codepoint=0xFF, exclude_characters="\x7f"), max_size=300
)
ANY_TEXT = st.text(max_size=200)
NAMES = st.one_of(
    st.text(min_size=1, max_size=200),
    st.builds(lambda c, n: c * n + ".csv", st.characters(), st.integers(140, 160)),
)
# "." and ".." are dot segments httpx removes; "count" and "search" are other endpoints.
NAMES = NAMES.filter(lambda name: name not in {".", "..", "count", "search"})


@pytest.fixture(scope="module")
def app() -> Flask:
    """One app for the whole module: fuzzing must not need fresh state."""
    return create_app({"generated": 60})


@pytest.fixture(scope="module")
def client(app: Flask) -> Iterator[httpx.Client]:
    with client_for(app, pep3333=True) as client:
        yield client


@pytest.fixture(scope="module")
def creds(client: httpx.Client) -> dict[str, Any]:
    """Valid v1 and v2 credentials, made before any fuzzing can lock the user out."""
    return {"v1": login_v1(client), "v2": auth_v2(client)}


def authed(creds: dict[str, Any], version: str) -> dict[str, Any]:
    if version == "v1":
        caller: V1 = creds["v1"]
        return {"params": caller.params, "headers": caller.headers}
    return {"params": {}, "headers": creds["v2"]}


def schema_for(method: str, path: str, status: int) -> str:
    """Which strict schema the body of this answer must satisfy."""
    if status != 200:
        return "error"
    if path.endswith("/login"):
        return "login-response"
    if path.endswith("/auth"):
        return "auth-response"
    if path.endswith("/files/count"):
        return "count"
    if path.endswith("/files/search"):
        return "file-status-list"
    return "file-status"


def check(response: httpx.Response | TestResponse) -> Any:
    """No 5xx, no HTML, and a body valid against its schema; return the parsed body."""
    if isinstance(response, httpx.Response):
        method, path, content = response.request.method, response.request.url.path, response.content
    else:
        method, path, content = response.request.method, response.request.path, response.data
    status, content_type = response.status_code, response.headers.get("content-type")
    assert status < 500, content[:300]
    if not content:
        # OPTIONS (200), logout (204) and HEAD answer without a body, and without a type.
        assert status in (200, 204) or method == "HEAD"
        assert content_type is None or method == "HEAD"
        return None
    assert content_type == "application/json"
    body = json.loads(content)
    findings = default_registry().validate("tealium", schema_for(method, path, status), body)
    assert not findings, (path, status, findings)
    return body


@FUZZ
@given(version=VERSIONS, name=NAMES, safe=st.sampled_from(["", "/"]))
def test_any_file_name(
    client: httpx.Client, creds: dict[str, Any], version: str, name: str, safe: str
) -> None:
    path = f"/{version}/omnichannel/accounts/acme/profiles/main/files/{quote(name, safe=safe)}"
    response = client.get(path, **authed(creds, version))
    body = check(response)
    if len(name) > MAX_NAME:
        assert body == {"returnCode": 400, "message": "File name exceeds 150 chars"}
    elif response.status_code != 200:
        # Every name up to the limit reaches the view, whatever its slashes.
        assert body == {"returnCode": 404, "message": "Supplied file name not found"}


@FUZZ
@given(
    version=VERSIONS,
    account=st.text(min_size=1, max_size=40),
    authorization=st.none() | HEADER_TEXT | HEADER_TEXT.map(lambda t: "Bearer " + t),
    cookie=st.none() | HEADER_TEXT | HEADER_TEXT.map(lambda t: "JSESSIONID=" + t),
    utk=st.none() | ANY_TEXT,
)
def test_any_credentials(
    app: Flask,
    version: str,
    account: str,
    authorization: str | None,
    cookie: str | None,
    utk: str | None,
) -> None:
    # Werkzeug's client: httpx's WSGI transport refuses header bytes beyond ASCII.
    headers = {
        name: value
        for name, value in (("Authorization", authorization), ("Cookie", cookie))
        if value is not None
    }
    base = f"/{version}/omnichannel/accounts/{quote(account, safe='')}/profiles/main/files"
    response = app.test_client(use_cookies=False).get(
        f"{base}/x.csv", headers=headers, query_string={} if utk is None else {"utk": utk}
    )
    body = check(response)
    assert body is not None
    assert body["returnCode"] in (1401, 404)


@FUZZ
@given(
    version=VERSIONS,
    endpoint=st.sampled_from(["count", "search"]),
    params=st.dictionaries(
        st.sampled_from(["filePrefix", "startDate", "endDate", "utk", "x"]) | ANY_TEXT,
        st.one_of(
            ANY_TEXT,
            st.from_regex(r"\A[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}Z\Z"),
            st.sampled_from(["", "orders", "sales", "2017-01-01T12:34Z", "2030-01-01T00:00Z"]),
        ),
        max_size=6,
    ),
)
def test_any_query(
    client: httpx.Client,
    creds: dict[str, Any],
    version: str,
    endpoint: str,
    params: dict[str, str],
) -> None:
    kw = authed(creds, version)
    path = f"/{version}/omnichannel/accounts/acme/profiles/main/files/{endpoint}"
    response = client.get(path, params={**params, **kw["params"]}, headers=kw["headers"])
    check(response)
    assert response.status_code in (200, 400)


FORM_KEYS = st.sampled_from(["username", "password", "key", "utk"]) | st.text(max_size=10)
FORM_VALUES = st.sampled_from([USERNAME, PASSWORD, API_KEY, ""]) | ANY_TEXT


@FUZZ
@given(
    path=st.sampled_from(["/v1/login", "/v2/auth", "/v1/logout"]),
    form=st.dictionaries(FORM_KEYS, FORM_VALUES, max_size=4),
)
def test_any_form(
    client: httpx.Client, creds: dict[str, Any], path: str, form: dict[str, str]
) -> None:
    response = client.post(path, data=form)
    check(response)
    assert response.status_code in ((204,) if path.endswith("logout") else (200, 401))


@FUZZ
@given(
    path=st.sampled_from(["/v1/login", "/v2/auth"]),
    content_type=st.sampled_from(
        [
            None,
            "application/x-www-form-urlencoded",
            "application/x-www-form-urlencoded; charset=latin-1",
            "multipart/form-data",
            "multipart/form-data; boundary=xyz",
            "application/json",
            "text/plain",
        ]
    )
    | HEADER_TEXT,
    body=st.binary(max_size=500),
)
def test_any_body(
    app: Flask, creds: dict[str, Any], path: str, content_type: str | None, body: bytes
) -> None:
    headers = {} if content_type is None else {"Content-Type": content_type}
    response = app.test_client(use_cookies=False).post(path, data=body, headers=headers)
    check(response)
    assert response.status_code in (200, 401)


@FUZZ
@given(
    method=st.sampled_from(["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]),
    version=VERSIONS,
    rest=st.text(max_size=80),
)
def test_any_route(client: httpx.Client, method: str, version: str, rest: str) -> None:
    response = client.request(method, f"/{version}/" + quote(rest, safe="/"))
    check(response)
