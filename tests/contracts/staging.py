"""A staging stand-in for ``statuskit check``: a statuskit mock that hides its admin API (so
the suites take it for a live target) and answers some error cases differently; a test
serves it with ``tests.helpers.served``, on an ephemeral port of 127.0.0.1 in a thread of the
test's own process."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

from werkzeug.wsgi import LimitedStream

import mockserver

__all__ = ["Staging"]

Start = Callable[..., Any]


class Staging:
    """The mock, but a Thalamus error answer whose ``errors`` are one of ``unauthorized``
    (``{field: code}``) is a bare 401 instead, as a staging API that decided otherwise
    than the kit might answer."""

    def __init__(self, unauthorized: Iterable[tuple[str, str]]) -> None:
        self.app = mockserver.create_app()
        self.unauthorized = {(field, code) for field, code in unauthorized}

    def __call__(self, environ: dict[str, Any], start_response: Start) -> Iterable[bytes]:
        if environ["PATH_INFO"].startswith("/__admin/"):
            start_response("404 Not Found", [("Content-Type", "application/json")])
            return [b"{}"]
        # The dev server hands over its socket's stream: the mock reads a body to its end.
        length = int(environ.get("CONTENT_LENGTH") or 0)
        environ["wsgi.input"] = LimitedStream(environ["wsgi.input"], length)
        seen: dict[str, Any] = {}

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            seen.update(status=status, headers=headers)
            return lambda data: None

        body = b"".join(self.app(environ, capture))
        if self._rewritten(body):
            start_response("401 Unauthorized", [("Content-Length", "0")])
            return [b""]
        headers = [(k, v) for k, v in seen["headers"] if k.lower() != "content-length"]
        start_response(seen["status"], [*headers, ("Content-Length", str(len(body)))])
        return [body]

    def _rewritten(self, body: bytes) -> bool:
        try:
            errors = json.loads(body).get("errors")
        except (ValueError, AttributeError):
            return False
        return isinstance(errors, dict) and any(
            (field, code) in self.unauthorized for field, code in errors.items()
        )
