"""Fixtures for the client's tests: documented bodies, a fake clock, respx routers."""

from __future__ import annotations

from dataclasses import dataclass, field

import httpx
import pytest
import respx

from statuskit.fixtures import documented

THALAMUS = "http://thalamus.test"
TEALIUM = "http://tealium.test"
# Credentials distinctive enough to find in any text they leak into.
TOKEN = "tok-SECRET-1f2e"
PASSWORD = "pw-SECRET-9a8b"
SESSION = "sess-SECRET-77aa"
UTK = "utk-SECRET-4c4c"
JWT = "jwt-SECRET-eyJh"
API_KEY = "key-SECRET-5d5d"
SECRETS = (TOKEN, PASSWORD, SESSION, UTK, JWT, API_KEY)
FILES = "/v1/omnichannel/accounts/acme/profiles/main/files"
FILES_V2 = "/v2/omnichannel/accounts/acme/profiles/main/files"
FILE_NAME = "sales-transaction_2016feb4v50.csv"


@dataclass
class FakeTime:
    """A monotonic clock that only moves when something sleeps on it."""

    now: float = 1000.0
    sleeps: list[float] = field(default_factory=list)

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    async def async_sleep(self, seconds: float) -> None:
        self.sleep(seconds)


@pytest.fixture
def fake_time() -> FakeTime:
    return FakeTime()


@pytest.fixture(scope="session")
def record_bytes() -> bytes:
    """Thalamus's documented import record, byte for byte."""
    return documented("thalamus", "get-status", 200).text().encode()


@pytest.fixture(scope="session")
def file_status_bytes() -> bytes:
    """Tealium's documented file status, byte for byte."""
    return documented("tealium", "get-file-status", 200).text().encode()


@pytest.fixture
def thalamus_router() -> respx.Router:
    """A router for Thalamus with a working Basic login that sets the session cookie."""
    router = respx.Router(base_url=THALAMUS, assert_all_called=False)
    router.post("/api/v3/thalamus_security_check", name="login").respond(
        200,
        json={"principal": "consumer@example.com"},
        headers={"Set-Cookie": f"JSESSIONID={SESSION}; Path=/; HttpOnly"},
    )
    router.get("/api/v3/logout", name="logout").respond(204)
    return router


@pytest.fixture
def tealium_router() -> respx.Router:
    """A router for Tealium with working v1 login and v2 auth."""
    router = respx.Router(base_url=TEALIUM, assert_all_called=False)
    router.post("/v1/login", name="login").respond(
        200,
        json={"utk": UTK},
        headers={"Set-Cookie": f"JSESSIONID={SESSION}; Path=/urest_service; Secure; HttpOnly"},
    )
    router.post("/v1/logout", name="logout").respond(204)
    router.post("/v2/auth", name="auth").respond(200, json={"token": JWT})
    return router


def transport(router: respx.Router) -> httpx.MockTransport:
    return httpx.MockTransport(router.handler)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"
