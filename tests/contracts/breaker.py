"""A pytest plugin that breaks the in-process mock the contract suites test, one way per
``STATUSKIT_BREAK`` value, so the suites' own tests can prove they catch it. Loaded with
``-p breaker`` from the folder it is copied into."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable
from typing import Any

import pytest

import mockserver

App = Callable[[dict[str, Any], Any], Iterable[bytes]]
_create = mockserver.create_app


def rows_ok_as_string(app: App) -> App:
    """Serve ``rowsOk`` as a string in every import record a status lookup answers."""

    def wrapper(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        seen: dict[str, Any] = {}

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            seen.update(status=status, headers=headers)
            return lambda data: None

        body = b"".join(app(environ, capture))
        if environ["PATH_INFO"].startswith("/api/v4/import/status/") and body:
            record = json.loads(body)
            if "rowsOk" in record:
                record["rowsOk"] = str(record["rowsOk"])
                body = json.dumps(record).encode()
        headers = [(k, v) for k, v in seen["headers"] if k.lower() != "content-length"]
        start_response(seen["status"], [*headers, ("Content-Length", str(len(body)))])
        return [body]

    return wrapper


def token_not_needed(app: App) -> App:
    """Answer Thalamus requests without a token as if they had sent the right one."""
    token = os.environ.get("STATUSKIT_THALAMUS_TOKEN") or "statuskit-token"

    def wrapper(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        if "token=" not in environ.get("QUERY_STRING", ""):
            environ.setdefault("HTTP_THALAMUS_TOKEN", token)
        return app(environ, start_response)

    return wrapper


def not_a_mock(app: App) -> App:
    """Hide the admin API (so the target is "live") and drop a kit decision: the
    ``WWW-Authenticate`` header of Thalamus's 401."""

    def wrapper(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        if environ["PATH_INFO"].startswith("/__admin/"):
            start_response("404 Not Found", [("Content-Type", "application/json")])
            return [b"{}"]

        def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            kept = [(k, v) for k, v in headers if k.lower() != "www-authenticate"]
            return start_response(status, kept, exc_info)

        return app(environ, start)

    return wrapper


WRAPPERS = {
    "rows-ok-as-string": rows_ok_as_string,
    "token-not-needed": token_not_needed,
    "not-a-mock": not_a_mock,
}


def pytest_configure(config: pytest.Config) -> None:
    how = os.environ["STATUSKIT_BREAK"]
    if how == "no-150-check":
        from mockserver.tealium import api

        api.MAX_NAME = 10**6
        return
    wrap = WRAPPERS[how]

    def create_app(settings: Any = None) -> Any:
        app = _create(settings)
        app.wsgi_app = wrap(app.wsgi_app)  # type: ignore[method-assign,assignment]
        return app

    mockserver.create_app = create_app  # type: ignore[assignment]
