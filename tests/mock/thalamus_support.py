"""Constants and helpers for the Thalamus mock's tests."""

from __future__ import annotations

import base64
import json
from typing import Any
from urllib.parse import quote

import httpx
from flask import Flask

from mockserver._state import EXTENSION, MockState
from statuskit.fixtures import documented, seed
from statuskit.registry import default_registry

#: The default credentials (statuskit/credentials.py), as a client sends them.
TOUCHPOINT = "test"
TOKEN = "statuskit-token"
PRINCIPAL = "consumer@example.com"
PASSWORD = "statuskit"
CLIENT = {"touchpoint": TOUCHPOINT, "token": TOKEN}

LOGIN = "/api/v3/thalamus_security_check"
LOGOUT = "/api/v3/logout"
STATUS = "/api/v4/import/status"
UPLOAD = "/api/v4/import/file"
COOKIE = "JSESSIONID"
UNAUTHORIZED = 'Basic realm="Thalamus"'

#: The documented example and the seed fixtures, as the mock starts with them.
EXAMPLE: dict[str, Any] = documented("thalamus", "get-status", 200).load()
SEEDED: list[dict[str, Any]] = [EXAMPLE, *seed("thalamus")]
SEEDED_IDS = sorted(r["id"] for r in SEEDED)
IMPORT_TYPES = (25006, 25004, 25011, 25012)
STATE_IDS = {
    "WAITING": 1,
    "PROCESSING": 2,
    "PROCESSED": 3,
    "ERROR_IN_FILE_FORMAT": 4,
    "CONFIGURATION_PENDING": 5,
    "CANCELED": 6,
}

REGISTRY = default_registry()


def client(app: Flask) -> httpx.Client:
    """An httpx client talking to ``app`` in process."""
    return httpx.Client(transport=httpx.WSGITransport(app=app), base_url="http://mock")


def state_of(app: Flask) -> MockState:
    """The mock state behind ``app``."""
    state: MockState = app.extensions[EXTENSION]
    return state


def login(http: httpx.Client, **params: str) -> httpx.Response:
    """Log in with the default credentials (JSON body); the cookie lands in ``http``'s jar."""
    response = http.post(
        LOGIN, params={**CLIENT, **params}, json={"principal": PRINCIPAL, "password": PASSWORD}
    )
    assert response.status_code == 200, response.text
    return response


def basic(user: str, password: str) -> str:
    """An HTTP Basic ``Authorization`` header value."""
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def error(field: str, code: str) -> dict[str, Any]:
    """The Thalamus error body for one field."""
    return {"errors": {field: code}}


def assert_error(response: httpx.Response, status: int, field: str, code: str) -> None:
    """``response`` is exactly the Thalamus error ``{field: code}`` with ``status``."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    assert response.json() == error(field, code)
    assert REGISTRY.validate("thalamus", "error", response.json()) == []


def assert_unauthorized(response: httpx.Response) -> None:
    """A 401: empty body, naming the Basic scheme."""
    assert response.status_code == 401
    assert response.content == b""
    assert response.headers["www-authenticate"] == UNAUTHORIZED
    assert "content-type" not in response.headers


def assert_valid(name: str, body: Any) -> None:
    """``body`` conforms to the strict Thalamus schema ``name``."""
    assert REGISTRY.validate("thalamus", name, body) == []


def wsgi_path(path: str) -> str:
    """``path`` as httpx must be given it for the app to see ``path`` exactly.

    httpx's ``WSGITransport`` puts the percent-decoded path into ``PATH_INFO`` as it is,
    while WSGI (PEP 3333) wants the UTF-8 bytes decoded as Latin-1, which Flask reverses.
    Encoding the path that way first makes non-ASCII paths arrive intact.
    """
    return quote(path.encode("utf-8").decode("latin-1"), safe="/")


def items(response: httpx.Response) -> list[dict[str, Any]]:
    """The records of a list page, after checking the page against its schema."""
    assert response.status_code == 200, response.text
    page = response.json()
    assert_valid("import-page", page)
    records: list[dict[str, Any]] = page["items"]
    return records


def ids(response: httpx.Response) -> list[int]:
    """The ids of a list page's records, in order."""
    return [r["id"] for r in items(response)]


def compact(obj: Any) -> bytes:
    """The bytes the mock sends for ``obj``."""
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode()


#: The fixed clock of the upload and list tests: 2026-01-01T00:00:00Z.
NOW_MS = 1_767_225_600_000


def upload(
    http: httpx.Client,
    name: str = "weekly",
    import_type: int | str = 25011,
    filename: str = "weekly.xlsx",
    content: bytes = b"PK\x03\x04 spreadsheet",
) -> httpx.Response:
    """Upload one file, with ``name`` and ``type`` in the query."""
    return http.post(
        UPLOAD,
        params={**CLIENT, "name": name, "type": str(import_type)},
        files={"file": (filename, content)},
    )


def listing(http: httpx.Client, **params: str) -> httpx.Response:
    """The list, with these filters."""
    return http.get(STATUS, params={**CLIENT, **params})
