"""Helpers for tests against ``statuskit serve`` over a real socket: logged-in callers whose
every request opens a fresh connection, and the admin API."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

Q = {"touchpoint": "test", "token": "statuskit-token"}
FILE = "sales-transaction_2016feb4v50.csv"
FAULTS, JOURNAL = "/__admin/v1/faults", "/__admin/v1/journal"


@dataclass(frozen=True)
class Callers:
    """One Thalamus session and one Tealium v1 session on a server at ``base``."""

    base: str
    jsessionid: str
    tealium_cookie: str
    utk: str

    def __repr__(self) -> str:
        return f"Callers({self.base!r}, ***)"

    def thalamus(self, record_id: str | int = 274, **kwargs: Any) -> httpx.Response:
        """``GET /api/v4/import/status/{id}`` on a fresh connection."""
        return httpx.get(
            f"{self.base}/api/v4/import/status/{record_id}",
            params=Q,
            headers={"Cookie": f"JSESSIONID={self.jsessionid}", **kwargs.pop("headers", {})},
            timeout=10,
            **kwargs,
        )

    def tealium(self, name: str = FILE, **kwargs: Any) -> httpx.Response:
        """``GET /v1/.../files/{name}`` on a fresh connection."""
        return httpx.get(
            f"{self.base}/v1/omnichannel/accounts/acme/profiles/main/files/{name}",
            params={"utk": self.utk},
            headers={"Cookie": f"JSESSIONID={self.tealium_cookie}", **kwargs.pop("headers", {})},
            timeout=10,
            **kwargs,
        )

    def fault(self, **spec: Any) -> dict[str, Any]:
        """Add a fault through the admin API; return it as stored."""
        response = httpx.post(f"{self.base}{FAULTS}", json=spec, timeout=10)
        assert response.status_code == 201, response.text
        body: dict[str, Any] = response.json()
        return body

    def admin(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """Any admin call."""
        return httpx.request(method, f"{self.base}{path}", timeout=10, **kwargs)

    def journal(self, **params: Any) -> list[dict[str, Any]]:
        """The journal's entries."""
        response = self.admin("GET", JOURNAL, params=params)
        assert response.status_code == 200, response.text
        entries: list[dict[str, Any]] = response.json()["entries"]
        return entries


def _thalamus_session(base: str) -> str:
    response = httpx.post(
        f"{base}/api/v3/thalamus_security_check",
        params=Q,
        auth=("consumer@example.com", "statuskit"),
        timeout=10,
    )
    assert response.status_code == 200, response.text
    return response.cookies["JSESSIONID"]


def login_thalamus(base: str) -> Callers:
    """Log in to Thalamus only (a server with ``--api thalamus``)."""
    return Callers(base, _thalamus_session(base), "", "")


def login(base: str) -> Callers:
    """Log in to both APIs of the server at ``base``."""
    session = _thalamus_session(base)
    tealium = httpx.post(
        f"{base}/v1/login",
        data={"username": "user@example.com", "password": "statuskit"},
        timeout=10,
    )
    assert tealium.status_code == 200, tealium.text
    cookie = tealium.headers["set-cookie"].split(";", 1)[0].partition("=")[2]
    return Callers(base, session, cookie, tealium.json()["utk"])
