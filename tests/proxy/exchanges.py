"""Exchanges built by hand for the validator's and the aggregator's unit tests: no server.

Credentials travel where :mod:`statuskit.wire` puts them, bodies come from the documented
fixtures, and each exchange is matched to its operation by the catalogue, as the proxy does.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

import httpx

from statuskit.catalogue import classify, operations
from statuskit.fixtures import documented
from statuskit.proxy import Exchange
from statuskit.wire import tealium as wire_tealium
from statuskit.wire import thalamus as wire_thalamus

__all__ = [
    "JSON",
    "OPS",
    "SESSION",
    "TOKEN",
    "UTK",
    "exchange",
    "record",
    "tealium_file",
    "thalamus",
    "v1",
    "v2",
]

OPS = operations()
JSON = (("Content-Type", "application/json"),)
#: Credential values long enough for the redactor to mask (it skips very short ones).
TOKEN = "tok-5f1c9e2a7b"
SESSION = "sess-0d4e8a61c3"
UTK = "utk-93b7c1f02e"
RECORD_PATH = "/api/v4/import/status/274"


def record() -> dict[str, Any]:
    """Thalamus's documented record (a fresh copy to mutate)."""
    data: dict[str, Any] = documented("thalamus", "get-status", 200).load()
    return data


def tealium_file() -> dict[str, Any]:
    """Tealium's documented file status (a fresh copy to mutate)."""
    data: dict[str, Any] = documented("tealium", "get-file-status", 200).load()
    return data


def thalamus(
    touchpoint: str | None = "test",
    token: str | None = TOKEN,
    session: str | None = SESSION,
    *,
    token_in: wire_thalamus.Place = "header",
) -> tuple[dict[str, str], dict[str, str]]:
    """A Thalamus consumer call's query and headers (``None``: that credential left out)."""
    params, headers = wire_thalamus.placed(touchpoint, token, token_in=token_in)
    cookie = f"{wire_thalamus.session_cookie()}={session}" if session is not None else None
    headers.update(wire_thalamus.session_headers(cookie))
    return params, headers


def v1(
    utk: str | None = UTK, session: str | None = SESSION
) -> tuple[dict[str, str], dict[str, str]]:
    """A Tealium v1 call's query and headers: the utk and the session cookie."""
    cookie = f"{wire_tealium.session_cookie()}={session}" if session is not None else None
    return wire_tealium.v1_credentials(utk, cookie)


def v2(token: str | None = TOKEN) -> tuple[dict[str, str], dict[str, str]]:
    """A Tealium v2 call's query and headers: the bearer token."""
    return {}, wire_tealium.bearer_headers(token)


def exchange(
    path: str,
    credentials: tuple[Mapping[str, str], Mapping[str, str]] = ({}, {}),
    *,
    query: Mapping[str, str] | None = None,
    method: str = "GET",
    status: int = 200,
    body: Any = None,
    response_headers: tuple[tuple[str, str], ...] = JSON,
    started: float = 1_790_000_000.0,
) -> Exchange:
    """One exchange: ``body`` is JSON unless it is bytes (``None``: no body)."""
    params, headers = credentials
    op = classify(OPS, method, path)
    content = (
        body if isinstance(body, bytes) else b"" if body is None else json.dumps(body).encode()
    )
    return Exchange(
        api=None if op is None else op.api,
        operation=op,
        method=method,
        path=path,
        query=urlencode({**params, **(query or {})}),
        request_headers=tuple(headers.items()),
        request_body=b"",
        status=status,
        response_headers=response_headers,
        response_body=content,
        started=started,
        elapsed=0.01,
    )


def from_httpx(
    request: httpx.Request, response: httpx.Response, *, started: float = 0.0
) -> Exchange:
    """The exchange an httpx request and its (read) answer make, as the proxy would see it."""
    op = classify(OPS, request.method, request.url.path)
    return Exchange(
        api=None if op is None else op.api,
        operation=op,
        method=request.method,
        path=request.url.path,
        query=request.url.query.decode(),
        request_headers=tuple(request.headers.multi_items()),
        request_body=request.content,
        status=response.status_code,
        response_headers=tuple(response.headers.multi_items()),
        response_body=response.content,
        started=started,
        elapsed=0.0,
    )
