"""The benchmark's baseline: a bare WSGI app returning the documented status bytes."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from statuskit.fixtures import documented


def create_app() -> Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]:
    """A WSGI app answering every request with the documented Thalamus record."""
    body = documented("thalamus", "get-status", 200).text().encode()
    headers = [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        start_response("200 OK", headers)
        return [body]

    return app
