"""What the bookkeeping notes of one exchange for the journal: whether it is journaled at
all, and the answer as it was sent (its status, headers and body).

Left out of the journal are its own routes (reading the journal does not change it), the
dashboard's files under ``/__admin/ui/``, and the dashboard's reads of the admin API: a
``GET`` carrying ``X-Statuskit-UI: 1``, so a dashboard polling every second does not fill
the journal it shows. The dashboard's writes (a fault added) are journaled.

The answer's body is kept without a copy where it is already whole in memory (the hot
path's, a ``Reply``'s, the proxy's, Flask's), and never read where it may be a stream.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from mockserver._inputs import StartResponse

__all__ = [
    "JOURNAL_PREFIX",
    "UI_HEADER",
    "UI_PREFIX",
    "Call",
    "close",
    "kept",
    "noting",
    "unjournaled",
]

JOURNAL_PREFIX = "/__admin/v1/journal"
#: The dashboard's static files: never journaled.
UI_PREFIX = "/__admin/ui/"
#: The header the dashboard sends with its calls; its reads of the admin API are not
#: journaled (its writes are).
UI_HEADER = "X-Statuskit-UI"
_UI_ENVIRON = "HTTP_" + UI_HEADER.upper().replace("-", "_")
_READS = frozenset({"GET", "HEAD"})
#: Statuses whose answer never has a body (RFC 9110).
_BODILESS = frozenset({204, 304})


@dataclass(slots=True)
class Call:
    """What one request met: its status, hint and fault, and the answer's headers as sent
    (``None``: nothing was answered) and whole body (``None``: not kept, a stream)."""

    status: int | None = None
    hint: str | None = None
    fault: str | None = None
    headers: list[tuple[str, str]] | None = None
    body: bytes | None = None


def unjournaled(path: str, environ: dict[str, Any]) -> bool:
    """Whether an admin request stays out of the journal: the journal's own routes, the
    dashboard's files, and the dashboard's reads."""
    return (
        path.startswith((JOURNAL_PREFIX, UI_PREFIX))
        or path == UI_PREFIX[:-1]
        or (environ.get(_UI_ENVIRON) == "1" and environ.get("REQUEST_METHOD") in _READS)
    )


def close(result: Iterable[bytes]) -> None:
    """Close a WSGI answer's iterable, if it can be."""
    closing = getattr(result, "close", None)
    if closing is not None:
        closing()


def noting(call: Call, start_response: StartResponse) -> StartResponse:
    """``start_response``, noting the status and headers in ``call``."""

    def respond(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        call.status, call.headers = int(status[:3]), headers
        return start_response(status, headers, exc_info)

    return respond


def _sized(headers: list[tuple[str, str]]) -> bool:
    """Whether an answer says its length: a body of known length, whole in memory (a
    stream says none)."""
    return any(name.lower() == "content-length" for name, _ in headers)


def kept(result: Iterable[bytes], call: Call) -> Iterable[bytes]:
    """``result``, the answer's body noted in ``call``.

    A list (the hot path's, the proxy's, a ``Reply``'s) is the body already. Another
    iterable of known length (Flask's) holds an answer made in memory: it is joined before
    the server sends it, so the entry is queued before the client has its answer. One of
    no stated length may be a stream: it is left as it is, unread.
    """
    if type(result) is list:
        call.body = result[0] if len(result) == 1 else b"".join(result)
        return result
    if call.status in _BODILESS:
        call.body = b""
        return result
    if call.headers is None or not _sized(call.headers):
        return result
    try:
        call.body = b"".join(result)
    finally:
        close(result)
    return [call.body]
