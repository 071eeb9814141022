"""Response helpers shared by both mocks, and the never-drifts gate."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from flask import Response

from statuskit.registry import SchemaRegistry

__all__ = ["JSON", "Gate", "dumps", "respond"]

JSON = "application/json"


def dumps(obj: Any) -> bytes:
    """Compact UTF-8 JSON, the bytes the mock sends."""
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode()


def respond(
    body: bytes | None = None, status: int = 200, headers: Mapping[str, str] | None = None
) -> Response:
    """A response with a JSON body (or none), never re-encoding stored bytes."""
    if body is None:
        response = Response(b"", status=status, headers=dict(headers or {}))
        # Flask would label the empty body text/html; an API's empty answer has no type.
        del response.headers["Content-Type"]
        return response
    return Response(body, status=status, mimetype=JSON, headers=dict(headers or {}))


class Gate:
    """Every body the mock creates or changes passes here before it is stored or sent.

    With ``enabled`` (the default), a body its strict schema rejects raises
    :class:`~statuskit.errors.ContractViolation` at once: the mock fails loudly rather than
    drift. Bodies are checked when made, never on a read, so reads stay cheap.
    """

    def __init__(self, registry: SchemaRegistry, *, enabled: bool = True) -> None:
        self.registry = registry
        self.enabled = enabled

    def encode(self, api: str, schema: str, obj: Any) -> bytes:
        """Check ``obj`` against ``api``/``schema`` (strict) and return its JSON bytes."""
        if self.enabled:
            self.registry.check(api, schema, obj)
        return dumps(obj)
