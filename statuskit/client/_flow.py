"""The vocabulary of the sans-IO core: requests to make and effects for a driver to perform.

A *flow* is a generator that yields effects (:class:`Send` a request, :class:`Sleep` a
while) and receives what sending returned: an :class:`httpx.Response`, or the
:class:`httpx.RequestError` it raised (never raised into the flow, so a flow reads as
straight-line code).
"""

from __future__ import annotations

from collections.abc import Generator, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

import httpx

__all__ = ["Call", "Effect", "Flow", "Outcome", "Send", "Sleep"]

T = TypeVar("T")

Outcome = httpx.Response | httpx.RequestError


@dataclass(frozen=True, slots=True)
class Send:
    """Send this request; the flow receives the :data:`Outcome`."""

    request: httpx.Request


@dataclass(frozen=True, slots=True)
class Sleep:
    """Wait this many seconds; the flow receives ``None``."""

    seconds: float


Effect = Send | Sleep
Flow = Generator[Effect, Outcome | None, T]


@dataclass(frozen=True, slots=True)
class Call:
    """One API request before the credentials are added.

    ``path`` is already percent-encoded. ``idempotent`` marks a GET that may be retried;
    ``authenticated`` one that sends the session (a login does not); ``relogin`` one that
    may log in first and again on an expired session (a logout may not); ``secret_body``
    an answer that carries credentials, never kept on an error.
    """

    method: str
    path: str
    operation: str
    params: Mapping[str, str] = field(default_factory=dict)
    headers: Mapping[str, str] = field(default_factory=dict)
    data: Mapping[str, str] | None = None
    json: Any = None
    files: Mapping[str, tuple[str, bytes, str]] | None = None
    idempotent: bool = False
    authenticated: bool = True
    relogin: bool = True
    secret_body: bool = False
