"""Fixtures for the mocks' tests: apps, in-process clients and logged-in callers.
Thalamus fixtures are named ``thalamus_*``."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from flask import Flask

from mockserver.config import MockConfig
from mockserver.tealium import create_app as create_tealium
from mockserver.thalamus import create_app as create_thalamus_app
from statuskit.registry import default_registry
from tests.mock.thalamus_support import NOW_MS, client, login, state_of

USERNAME, PASSWORD, API_KEY = "user@example.com", "statuskit", "statuskit-api-key"
FILES = "/omnichannel/accounts/{account}/profiles/{profile}/files"


def client_for(app: Flask, *, pep3333: bool = False) -> httpx.Client:
    """An httpx client calling ``app`` in process.

    httpx's ``WSGITransport`` hands the app a decoded ``PATH_INFO``; the mock copes with
    that for the usual names. With ``pep3333`` the path is passed as PEP 3333 says (its
    UTF-8 bytes read as latin-1), exactly as a real server would.
    """
    wsgi: Any = app
    if pep3333:

        def wsgi(environ: dict[str, Any], start_response: Any) -> Any:
            environ["PATH_INFO"] = environ["PATH_INFO"].encode("utf-8").decode("latin-1")
            return app(environ, start_response)

    return httpx.Client(transport=httpx.WSGITransport(app=wsgi), base_url="http://mock.invalid")


@dataclass(frozen=True)
class V1:
    """A logged-in v1 caller: the JSESSIONID cookie and the utk."""

    jsessionid: str
    utk: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Cookie": f"JSESSIONID={self.jsessionid}"}

    @property
    def params(self) -> dict[str, str]:
        return {"utk": self.utk}

    def __repr__(self) -> str:
        return "V1(***)"


def login_v1(client: httpx.Client, username: str = USERNAME, password: str = PASSWORD) -> V1:
    """Log in through ``POST /v1/login``; the cookie is read from Set-Cookie, as a client must."""
    response = client.post("/v1/login", data={"username": username, "password": password})
    assert response.status_code == 200, response.text
    cookie = response.headers["set-cookie"].split(";", 1)[0]
    name, _, value = cookie.partition("=")
    assert name == "JSESSIONID"
    # The cookie's Path does not match the API's paths: never let httpx resend it itself.
    client.cookies.clear()
    return V1(value, response.json()["utk"])


def auth_v2(client: httpx.Client, key: str = API_KEY) -> dict[str, str]:
    """Authorization headers from ``POST /v2/auth``."""
    response = client.post("/v2/auth", data={"username": USERNAME, "key": key})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}


def files_url(version: str, account: str = "acme", profile: str = "main") -> str:
    """The files base path of one version, account and profile."""
    return f"/{version}" + FILES.format(account=account, profile=profile)


@pytest.fixture(scope="module")
def tealium_app() -> Flask:
    """A Tealium app shared by a module's read-only tests."""
    return create_tealium()


@pytest.fixture(scope="module")
def tealium(tealium_app: Flask) -> Iterator[httpx.Client]:
    """A client of :func:`tealium_app`."""
    with client_for(tealium_app) as client:
        yield client


@pytest.fixture(scope="module")
def v1(tealium: httpx.Client) -> V1:
    """A v1 session on :func:`tealium_app`."""
    return login_v1(tealium)


@pytest.fixture(scope="module")
def v2(tealium: httpx.Client) -> dict[str, str]:
    """v2 bearer headers for :func:`tealium_app`."""
    return auth_v2(tealium)


Fresh = Callable[..., tuple[Flask, httpx.Client]]


@pytest.fixture
def fresh() -> Iterator[Fresh]:
    """A factory of private Tealium apps (no generated files unless asked), for tests
    that change state, the config or the clock."""
    clients: list[httpx.Client] = []

    def make(**config: Any) -> tuple[Flask, httpx.Client]:
        app = create_tealium({"generated": 0, **config})
        clients.append(client_for(app))
        return app, clients[-1]

    yield make
    for made in clients:
        made.close()


def assert_body(response: httpx.Response, schema: str) -> Any:
    """The response's JSON body, after checking it is JSON and valid against ``schema``."""
    assert response.headers["content-type"] == "application/json", response.text[:200]
    body = response.json()
    findings = default_registry().validate("tealium", schema, body)
    assert not findings, findings
    return body


def assert_error(response: httpx.Response, status: int, code: int) -> str:
    """Check a Tealium error response; return its message."""
    assert response.status_code == status, response.text[:200]
    body = assert_body(response, "error")
    assert body["returnCode"] == code
    message: str = body["message"]
    return message


@pytest.fixture(autouse=True)
def _thalamus_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """``create_app({...})`` reads ``STATUSKIT_*``: the caller's environment must not leak in."""
    for name in (
        "TOUCHPOINT",
        "TOKEN",
        "PRINCIPAL",
        "PASSWORD",
    ):
        monkeypatch.delenv(f"STATUSKIT_THALAMUS_{name}", raising=False)


@pytest.fixture
def thalamus_config() -> MockConfig:
    """The default configuration, independent of the environment."""
    return MockConfig.from_env({})


@pytest.fixture
def thalamus_app(thalamus_config: MockConfig) -> Flask:
    """A fresh Thalamus mock with private in-memory state."""
    return create_thalamus_app(thalamus_config)


@pytest.fixture
def thalamus_http(thalamus_app: Flask) -> Iterator[httpx.Client]:
    """A client of :func:`thalamus_app`, not logged in."""
    with client(thalamus_app) as http:
        yield http


@pytest.fixture
def thalamus_session(thalamus_http: httpx.Client) -> httpx.Client:
    """:func:`thalamus_http`, logged in: its cookie jar holds the session."""
    login(thalamus_http)
    return thalamus_http


@pytest.fixture
def thalamus_fixtures_app() -> Flask:
    """A mock holding only the fixtures (no generated records), with a fixed clock."""
    app = create_thalamus_app(MockConfig.from_env({}, generated=0))
    state_of(app).clock = lambda: NOW_MS / 1000
    return app


@pytest.fixture
def thalamus_fixtures_http(thalamus_fixtures_app: Flask) -> Iterator[httpx.Client]:
    """A logged-in client of :func:`thalamus_fixtures_app`."""
    with client(thalamus_fixtures_app) as http:
        login(http)
        yield http
