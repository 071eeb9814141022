"""Masking credentials wherever the client renders a request: messages, reprs, logs.

Secrets travel in query values (``utk``, ``token``), headers (``Authorization``,
``Cookie``/``Set-Cookie``, ``Thalamus-Token``) and session cookies (``JSESSIONID``): the
names are :func:`statuskit.wire.secret_names`, read from the catalogues. Everything the
client shows a human passes through here first.
"""

from __future__ import annotations

import functools
import logging
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

import httpx

from statuskit.secrets import REDACTED
from statuskit.wire import secret_names

__all__ = [
    "SECRET_HEADERS",
    "SECRET_PARAMS",
    "protect_library_logs",
    "redact_text",
    "request_line",
    "safe_request",
    "safe_response",
]

if TYPE_CHECKING:
    #: The query parameters whose values are secret, lower-cased (``utk``, ``token``).
    SECRET_PARAMS: frozenset[str]
    #: The headers whose values are secret, lower-cased (``authorization``, ``cookie``...).
    SECRET_HEADERS: frozenset[str]


@dataclass(frozen=True)
class _Masks:
    params: frozenset[str]
    headers: frozenset[str]
    #: A secret query value inside any text: ``?utk=abc`` or ``&token=abc``.
    query: re.Pattern[str]
    #: A secret header inside httpcore's debug traces: ``(b'Set-Cookie', b'JSESSIONID=...')``.
    trace_header: re.Pattern[str]
    #: A session cookie pair anywhere else (``JSESSIONID=...``).
    cookie_pair: re.Pattern[str]


def _alternatives(names: tuple[str, ...]) -> str:
    return "|".join(re.escape(n) for n in names)


@functools.cache
def _masks() -> _Masks:
    # Built on first use, not at import: the names come from the schemas.
    params, headers = secret_names(where="query"), secret_names(where="header")
    return _Masks(
        params=frozenset(n.lower() for n in params),
        headers=frozenset(n.lower() for n in headers),
        query=re.compile(rf"(?i)([?&](?:{_alternatives(params)})=)[^&\s'\"#]*"),
        trace_header=re.compile(
            rf"(?i)(b?['\"](?:{_alternatives(headers)})['\"],\s*b?['\"])[^'\"]*"
        ),
        cookie_pair=re.compile(
            rf"(?i)((?:{_alternatives(secret_names(where='cookie'))})=)[^;\s'\"]*"
        ),
    )


def __getattr__(name: str) -> frozenset[str]:
    if name == "SECRET_PARAMS":
        return _masks().params
    if name == "SECRET_HEADERS":
        return _masks().headers
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# The loggers of the libraries under the client that may print a URL or a header.
_LIBRARY_LOGGERS = (
    "httpx",
    "httpcore.connection",
    "httpcore.http11",
    "httpcore.http2",
    "httpcore.proxy",
    "httpcore.socks",
)


def _mask_query(text: str) -> str:
    return _masks().query.sub(rf"\g<1>{REDACTED}", text)


def redact_text(text: str) -> str:
    """``text`` with secret query values, trace headers and session cookies masked."""
    text = _mask_query(text)
    text = _masks().trace_header.sub(rf"\g<1>{REDACTED}", text)
    return _masks().cookie_pair.sub(rf"\g<1>{REDACTED}", text)


def _safe_url(url: httpx.URL) -> httpx.URL:
    if not url.query:
        return url
    secret = _masks().params
    pairs = [(k, REDACTED if k.lower() in secret else v) for k, v in url.params.multi_items()]
    return url.copy_with(params=pairs)


def _safe_headers(headers: httpx.Headers) -> httpx.Headers:
    secret = _masks().headers
    return httpx.Headers(
        [(k, REDACTED if k.lower() in secret else v) for k, v in headers.multi_items()]
    )


def request_line(request: httpx.Request) -> str:
    """``"GET http://host/path?utk=***"``: a request line safe to print."""
    return f"{request.method} {_mask_query(str(request.url))}"


def safe_request(request: httpx.Request) -> httpx.Request:
    """A copy of ``request`` with secret query values and headers masked, and no body
    (a login's body holds a password)."""
    return httpx.Request(
        request.method, _safe_url(request.url), headers=_safe_headers(request.headers)
    )


def safe_response(response: httpx.Response, *, keep_body: bool = True) -> httpx.Response:
    """A copy of ``response`` with secret headers masked, tied to :func:`safe_request`'s
    copy. ``keep_body=False`` drops the body, for answers that carry credentials."""
    return httpx.Response(
        response.status_code,
        headers=_safe_headers(response.headers),
        content=response.content if keep_body else b"",
        request=safe_request(response.request),
    )


class _RedactingFilter(logging.Filter):
    """Masks credentials in a library's log records before any handler sees them."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = redact_text(message)
        if masked != message:
            record.msg, record.args = masked, ()
        return True


def protect_library_logs() -> None:
    """Mask credentials in httpx's and httpcore's own log records, once per process.

    httpx logs every request's URL at INFO (``?utk=`` included) and httpcore logs response
    headers at DEBUG (``Set-Cookie`` included). A filter on a logger runs before its
    records propagate, so no handler anywhere sees the raw values. Adding it twice is a
    no-op.
    """
    for name in _LIBRARY_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, _RedactingFilter) for f in logger.filters):
            logger.addFilter(_RedactingFilter())
