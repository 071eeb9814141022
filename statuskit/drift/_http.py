"""The only way drift probes reach a target: paced, bounded, GET-and-login only.

Every request waits ``pace`` seconds after the previous one started, the run stops sending
after ``budget`` requests, a 429 is waited out once, and a transport failure becomes the
:class:`~statuskit.errors.DriftError` that says which (unreachable, TLS). Cookies are never
kept between requests: each probe says exactly which credentials it sends.
"""

from __future__ import annotations

import ssl
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import httpx

from statuskit import __version__
from statuskit.client._redact import protect_library_logs, request_line
from statuskit.client.retry import parse_retry_after
from statuskit.errors import TargetTlsError, TargetUnreachableError

__all__ = ["BudgetExhausted", "Http", "safe_target"]

# The methods a probe may use: reads, and the login that makes reads possible.
_ALLOWED = frozenset({"GET", "POST"})
_MAX_RETRY_AFTER = 30.0


class BudgetExhausted(Exception):
    """The request budget is spent; the run reports what it has (not an error)."""


def safe_target(base_url: str) -> str:
    """``base_url`` without user info, query or fragment, fit for a report."""
    url = httpx.URL(base_url)
    return str(url.copy_with(userinfo=b"", query=None, fragment=None)).rstrip("/")


def _tls_failure(exc: BaseException) -> bool:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, ssl.SSLError) or "[SSL" in str(current):
            return True
        current = current.__cause__ or current.__context__
    return False


@dataclass
class Http:
    """A paced, bounded HTTP client for one target.

    ``logins`` are the paths a POST may go to; any other POST, and any method but GET and
    POST, is refused before it is sent, so a probe can never change the target's data.
    """

    base_url: str
    logins: frozenset[str]
    transport: httpx.BaseTransport | None = None
    timeout: float = 10.0
    pace: float = 0.25
    budget: int = 60
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic
    sent: int = 0
    #: Whether a request was refused for want of budget.
    exhausted: bool = False

    def __post_init__(self) -> None:
        protect_library_logs()
        self._client = httpx.Client(
            base_url=self.base_url.rstrip("/"),
            transport=self.transport,
            timeout=self.timeout,
            follow_redirects=False,
            # Named, so an operator reading the target's logs knows what probed it.
            headers={"User-Agent": f"statuskit-drift/{__version__}"},
        )
        self._last: float | None = None

    def close(self) -> None:
        """Close the connection pool."""
        self._client.close()

    def build(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        data: Mapping[str, str] | None = None,
    ) -> httpx.Request:
        """A request to ``path`` under the base URL; refused unless GET or a login POST."""
        if method not in _ALLOWED or (method == "POST" and path not in self.logins):
            raise ValueError(f"drift probes only GET and log in, not {method} {path}")
        return self._client.build_request(method, path, params=params, headers=headers, data=data)

    def send(self, request: httpx.Request) -> httpx.Response:
        """Send ``request`` within the pace and the budget; wait out one 429."""
        response = self._send_once(request)
        if response.status_code == 429 and self.sent < self.budget:
            wait = parse_retry_after(response.headers.get("retry-after"))
            self.sleep(min(wait if wait is not None else max(self.pace * 4, 1.0), _MAX_RETRY_AFTER))
            response = self._send_once(request)
        return response

    def _send_once(self, request: httpx.Request) -> httpx.Response:
        if self.sent >= self.budget:
            self.exhausted = True
            raise BudgetExhausted
        if self._last is not None:
            wait = self._last + self.pace - self.clock()
            if wait > 0:
                self.sleep(wait)
        self._last = self.clock()
        self.sent += 1
        try:
            response = self._client.send(request)
            response.read()
        except httpx.TimeoutException:
            raise TargetUnreachableError(
                f"{request_line(request)} got no answer within {self.timeout:g}s"
            ) from None
        except httpx.TransportError as exc:
            if _tls_failure(exc):
                raise TargetTlsError(f"{request_line(request)}: {exc}") from None
            what = "cannot connect to" if isinstance(exc, httpx.ConnectError) else "lost"
            raise TargetUnreachableError(
                f"{what} {safe_target(self.base_url)} ({_reason(exc)})"
            ) from None
        finally:
            # Never let a cookie from one answer ride along on the next probe.
            self._client.cookies.clear()
        return response


def _reason(exc: httpx.TransportError) -> str:
    text = str(exc) or type(exc).__name__
    # httpcore prefixes errno numbers: "[Errno 111] Connection refused" reads better bare.
    return text.split("] ", 1)[-1].strip().rstrip(".").lower() or type(exc).__name__
