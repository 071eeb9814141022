"""Request inputs and replies that do not depend on Flask.

The views' logic reads a request through :class:`Inputs` and answers with a
:class:`Reply`. A Flask view adapts ``flask.request`` (:class:`FlaskInputs`) and turns the
reply into a response; the hot path adapts the raw WSGI environ (:class:`EnvironInputs`)
and writes the reply itself. Both run the same logic, so they cannot disagree.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import parse_qsl

from flask import Request, Response
from werkzeug.http import parse_cookie

from mockserver._http import JSON

__all__ = ["EnvironInputs", "FlaskInputs", "Inputs", "Rejection", "Reply", "StartResponse"]

StartResponse = Callable[..., Any]


class Inputs(Protocol):
    """What the logic may read of a request."""

    def query(self, name: str) -> str | None: ...

    def header(self, name: str) -> str | None: ...

    def cookie(self, name: str) -> str | None: ...


@dataclass(frozen=True, slots=True)
class Reply:
    """A finished answer: status, JSON body bytes (or none) and extra headers."""

    status: int
    body: bytes | None = None
    headers: Mapping[str, str] = field(default_factory=dict)

    def response(self) -> Response:
        """As a Flask response."""
        if self.body is None:
            return Response(b"", status=self.status, headers=dict(self.headers))
        return Response(self.body, status=self.status, mimetype=JSON, headers=dict(self.headers))

    def wsgi(self, start_response: StartResponse) -> Iterable[bytes]:
        """Written straight to a WSGI server."""
        body = self.body or b""
        headers = [("Content-Length", str(len(body))), *self.headers.items()]
        if self.body is not None:
            headers.append(("Content-Type", JSON))
        start_response(_STATUS_LINES.get(self.status) or f"{self.status} Error", headers)
        return [body]


class Rejection(Exception):
    """Raised by the logic to answer at once with ``reply``."""

    def __init__(self, reply: Reply) -> None:
        super().__init__(reply.status)
        self.reply = reply


class FlaskInputs:
    """:class:`Inputs` over ``flask.request``."""

    __slots__ = ("request",)

    def __init__(self, request: Request) -> None:
        self.request = request

    def query(self, name: str) -> str | None:
        return self.request.args.get(name)

    def header(self, name: str) -> str | None:
        return self.request.headers.get(name)

    def cookie(self, name: str) -> str | None:
        return self.request.cookies.get(name)


class EnvironInputs:
    """:class:`Inputs` over a WSGI environ, parsed lazily; the first value of a repeated
    query parameter or cookie wins, as with Flask."""

    __slots__ = ("_cookies", "_query", "environ")

    def __init__(self, environ: Mapping[str, Any]) -> None:
        self.environ = environ
        self._query: dict[str, str] | None = None
        self._cookies: Mapping[str, str] | None = None

    def query(self, name: str) -> str | None:
        if self._query is None:
            pairs = parse_qsl(self.environ.get("QUERY_STRING", ""), keep_blank_values=True)
            self._query = {}
            for key, value in pairs:
                self._query.setdefault(key, value)
        return self._query.get(name)

    def header(self, name: str) -> str | None:
        value: str | None = self.environ.get("HTTP_" + name.upper().replace("-", "_"))
        return value

    def cookie(self, name: str) -> str | None:
        if self._cookies is None:
            self._cookies = parse_cookie(self.environ.get("HTTP_COOKIE", ""))
        return self._cookies.get(name)


def _status_lines() -> dict[int, str]:
    from http import HTTPStatus

    return {s.value: f"{s.value} {s.phrase}" for s in HTTPStatus}


_STATUS_LINES = _status_lines()
