"""The I/O shells that run the core's flows: one blocking, one async.

They own (or borrow) the httpx client, perform each :class:`~statuskit.client._base.Send`
and :class:`~statuskit.client._base.Sleep`, and nothing else. A caller-supplied client is
used as it is (its headers, auth, event hooks and transport apply) and never closed; its
``base_url``, default ``params`` and cookie jar do not apply, because the client keeps its
own session and sends it explicitly.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from http.cookiejar import CookieJar, DefaultCookiePolicy
from types import TracebackType
from typing import Any, Self, TypeVar, cast

import httpx

from statuskit.client._base import CoreOptions
from statuskit.client._flow import Flow, Outcome, Sleep
from statuskit.client._redact import protect_library_logs
from statuskit.errors import InvalidArgumentError

__all__ = [
    "AsyncDriver",
    "AsyncOptions",
    "SyncDriver",
    "SyncOptions",
]

T = TypeVar("T")

#: Seconds to connect, and between bytes read, when no timeout is given.
DEFAULT_TIMEOUT = 10.0


class SyncOptions(CoreOptions, total=False):
    """Options of the blocking clients."""

    #: Seconds (or an ``httpx.Timeout``); default 10 s, or a supplied client's own.
    timeout: float | httpx.Timeout | None
    #: The transport of the client's own ``httpx.Client`` (``httpx.MockTransport``,
    #: ``httpx.WSGITransport``, a respx router's): the seam for tests.
    transport: httpx.BaseTransport | None
    #: An ``httpx.Client`` to send through instead of an owned one; never closed here.
    http_client: httpx.Client | None
    #: How to wait between retries and polls (tests pass a fake).
    sleep: Callable[[float], None]


class AsyncOptions(CoreOptions, total=False):
    """Options of the async clients."""

    timeout: float | httpx.Timeout | None
    transport: httpx.AsyncBaseTransport | None
    http_client: httpx.AsyncClient | None
    sleep: Callable[[float], Awaitable[None]]


def _no_cookie_jar() -> CookieJar:
    # The client sends its session explicitly; an owned client keeps no cookies at all,
    # so no credential lingers in a jar.
    return CookieJar(policy=DefaultCookiePolicy(allowed_domains=[]))


def _check_options(options: CoreOptions, allowed: frozenset[str]) -> None:
    unknown = sorted(set(options) - allowed)
    if unknown:
        raise TypeError(f"unexpected keyword arguments: {', '.join(unknown)}")
    if options.get("http_client") is not None and options.get("transport") is not None:
        raise InvalidArgumentError(
            "pass transport= or http_client=, not both: a supplied client has its own transport"
        )


def _timeout(options: SyncOptions | AsyncOptions, owned: bool) -> dict[str, Any] | None:
    """The per-request timeout extension, or ``None`` to keep the httpx client's."""
    value = options.get("timeout")
    if value is None:
        return None if not owned else httpx.Timeout(DEFAULT_TIMEOUT).as_dict()
    return httpx.Timeout(value).as_dict()


class SyncDriver:
    """Runs flows with a blocking ``httpx.Client``."""

    def __init__(self, options: SyncOptions) -> None:
        _check_options(options, SyncOptions.__optional_keys__)
        protect_library_logs()
        supplied = options.get("http_client")
        self._owns_http = supplied is None
        self._http = supplied or httpx.Client(
            transport=options.get("transport"), cookies=_no_cookie_jar()
        )
        self._timeout = _timeout(options, self._owns_http)
        self._sleep = options.get("sleep") or time.sleep

    def _run(self, flow: Flow[T]) -> T:
        outcome: Outcome | None = None
        try:
            while True:
                try:
                    effect = flow.send(outcome)
                except StopIteration as stop:
                    return cast(T, stop.value)
                outcome = None
                if isinstance(effect, Sleep):
                    self._sleep(effect.seconds)
                    continue
                request = effect.request
                _prepare(request, self._http.headers, self._timeout)
                try:
                    outcome = self._http.send(request)
                except httpx.RequestError as exc:
                    outcome = exc
        finally:
            flow.close()

    def close(self) -> None:
        """Close the owned httpx client (a supplied one stays open)."""
        if self._owns_http:
            self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class AsyncDriver:
    """Runs flows with an ``httpx.AsyncClient``."""

    def __init__(self, options: AsyncOptions) -> None:
        _check_options(options, AsyncOptions.__optional_keys__)
        protect_library_logs()
        supplied = options.get("http_client")
        self._owns_http = supplied is None
        self._http = supplied or httpx.AsyncClient(
            transport=options.get("transport"), cookies=_no_cookie_jar()
        )
        self._timeout = _timeout(options, self._owns_http)
        self._sleep = options.get("sleep") or asyncio.sleep

    async def _run(self, flow: Flow[T]) -> T:
        outcome: Outcome | None = None
        try:
            while True:
                try:
                    effect = flow.send(outcome)
                except StopIteration as stop:
                    return cast(T, stop.value)
                outcome = None
                if isinstance(effect, Sleep):
                    await self._sleep(effect.seconds)
                    continue
                request = effect.request
                _prepare(request, self._http.headers, self._timeout)
                try:
                    outcome = await self._http.send(request)
                except httpx.RequestError as exc:
                    outcome = exc
        finally:
            flow.close()

    async def aclose(self) -> None:
        """Close the owned httpx client (a supplied one stays open)."""
        if self._owns_http:
            await self._http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()


def _prepare(
    request: httpx.Request, defaults: httpx.Headers, timeout: dict[str, Any] | None
) -> None:
    """Add the httpx client's default headers (User-Agent, Accept...) and the timeout."""
    for name, value in defaults.multi_items():
        if name not in request.headers:
            request.headers[name] = value
    if timeout is not None:
        request.extensions["timeout"] = timeout
