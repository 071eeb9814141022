"""One HTTP/1.1 exchange on a raw kept-alive socket: the request written as given, the
answer read by RFC 9112's framing.

:mod:`http.client` parses every answer's headers through :mod:`email`'s feed parser, a
visible share of the proxy's time per request (``docs/benchmarks.md``); this reader splits
the status line and the header lines by hand and reads the body by its framing:
``Content-Length``, ``chunked``, or up to the close (RFC 9112, 6.3). The body comes back as
the upstream sent it (a chunked one with its chunks joined, as ``http.client`` gives it);
nothing is decompressed. A connection is offered again only when its answer was read to
its end, nothing more arrived after it, and neither side said ``Connection: close``.
"""

from __future__ import annotations

import re
import socket
from collections.abc import Callable, Sequence
from typing import NamedTuple

__all__ = ["Connection", "Head", "NoAnswer", "NotHttp"]

#: The bytes asked of the socket at a time.
_CHUNK = 1 << 16
#: The most a status line and headers may take: past it, the answer is not taken for HTTP.
MAX_HEAD = 1 << 17
#: What the request line's target and a header may not hold (CR, LF, NUL, and for the
#: target, any space or control character): they would split or end the request.
_BAD_TARGET = re.compile(r"[\x00-\x20\x7f]")
_BAD_VALUE = re.compile(r"[\r\n\x00]")
_BODILESS = frozenset({204, 304})

Head = tuple[int, str, tuple[tuple[str, str], ...]]
#: Seconds left for the exchange, asked before each wait (it raises ``TimeoutError`` once
#: none are left).
Left = Callable[[], float]


class _Framing(NamedTuple):
    chunked: bool
    #: The body's length; ``None``: up to the close (or chunked).
    length: int | None
    connection: list[str]


class NoAnswer(Exception):
    """The connection ended before any byte of an answer: a request that is idempotent
    may be sent again, on a new connection."""


class NotHttp(Exception):
    """The upstream's answer is not HTTP/1.x as RFC 9112 frames it, or ended too soon."""


class Connection:
    """One kept-alive connection (its socket already connected), and the bytes read from it
    past the last answer (none, when it may be reused)."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self._buffer = bytearray()
        self._left: Left | None = None

    def close(self) -> None:
        """Close the socket."""
        self.sock.close()

    def send(
        self, method: str, target: str, headers: Sequence[tuple[str, str]], body: bytes | None
    ) -> None:
        """Write one request: ``headers`` as given (``Host`` among them), and a
        ``Content-Length`` for ``body`` when there is one; :class:`ValueError` for a target
        or header that would split the request."""
        if _BAD_TARGET.search(target) or _BAD_TARGET.search(method):
            raise ValueError("the request target holds a character HTTP does not allow")
        lines = [f"{method} {target} HTTP/1.1"]
        for name, value in headers:
            if _BAD_VALUE.search(name) or _BAD_VALUE.search(value) or ":" in name:
                raise ValueError("a request header holds a character HTTP does not allow")
            lines.append(f"{name}: {value}")
        if body is not None:
            lines.append(f"Content-Length: {len(body)}")
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        try:
            self.sock.sendall(head + body if body else head)
        except (ConnectionResetError, BrokenPipeError) as exc:
            raise NoAnswer("closed the connection without an answer") from exc

    def receive(self, method: str, left: Left) -> tuple[Head, bytes, bool]:
        """The answer to the request sent: its status, reason and headers, its body, and
        whether the connection may carry another request; each wait within ``left()``."""
        self._left = left
        while True:
            status, reason, headers, version = self._head()
            if not 100 <= status < 200:
                break  # an interim answer (100 Continue, 103) is read past, as http.client does
        keep = version != "HTTP/1.0"
        framing = _framing(headers)
        for token in framing.connection:
            keep = (keep and token != "close") or token == "keep-alive"
        if method == "HEAD" or status in _BODILESS:
            body = b""
        elif framing.chunked:
            body = self._chunked()
        elif framing.length is not None:
            body = self._exactly(framing.length)
        else:
            body, keep = self._to_the_close(), False
        return (status, reason, headers), body, keep and not self._buffer

    # -- reading -------------------------------------------------------------------------

    def _fill(self) -> bool:
        """Read what the socket has into the buffer; ``False`` at its end."""
        if self._left is not None:
            self.sock.settimeout(self._left())
        try:
            data = self.sock.recv(_CHUNK)
        except ConnectionResetError:
            data = b""
        self._buffer += data
        return bool(data)

    def _line(self, limit: int = MAX_HEAD) -> bytes:
        while True:
            end = self._buffer.find(b"\n")
            if end >= 0:
                line = bytes(self._buffer[:end])
                del self._buffer[: end + 1]
                return line.removesuffix(b"\r")
            if len(self._buffer) > limit:
                raise NotHttp("sent a line too long to be HTTP")
            if not self._fill():
                raise NotHttp("closed the connection in the middle of its answer")

    def _head(self) -> tuple[int, str, tuple[tuple[str, str], ...], str]:
        while not self._buffer:
            if not self._fill():
                raise NoAnswer("closed the connection without an answer")
        end = -1
        while end < 0:
            end = self._buffer.find(b"\r\n\r\n")
            if end < 0 and len(self._buffer) > MAX_HEAD:
                raise NotHttp("sent headers too long to be HTTP")
            if end < 0 and not self._fill():
                raise NotHttp("closed the connection in the middle of its answer")
        raw = bytes(self._buffer[:end]).decode("latin-1")
        del self._buffer[: end + 4]
        first, *lines = raw.split("\r\n")
        version, _, rest = first.partition(" ")
        code, _, reason = rest.partition(" ")
        if not version.startswith("HTTP/1.") or len(code) != 3 or not code.isdigit():
            raise NotHttp("sent something that is not HTTP (a bad status line)")
        headers: list[tuple[str, str]] = []
        for line in lines:
            if line[:1] in (" ", "\t") and headers:  # obsolete line folding: one value
                name, value = headers.pop()
                headers.append((name, value + " " + line.strip(" \t")))
                continue
            name, colon, value = line.partition(":")
            if not colon or not name or name != name.strip():
                raise NotHttp("sent something that is not HTTP (a bad header line)")
            headers.append((name, value.strip(" \t")))
        return int(code), reason, tuple(headers), version

    def _exactly(self, size: int) -> bytes:
        while len(self._buffer) < size:
            if not self._fill():
                raise NotHttp("closed the connection in the middle of its answer")
        body = bytes(self._buffer[:size])
        del self._buffer[:size]
        return body

    def _chunked(self) -> bytes:
        parts = []
        while True:
            size_line = self._line().partition(b";")[0].strip()
            try:
                size = int(size_line, 16)
            except ValueError:
                raise NotHttp("sent something that is not HTTP (a bad chunk size)") from None
            if size == 0:
                break
            parts.append(self._exactly(size))
            if self._line():
                raise NotHttp("sent something that is not HTTP (a chunk too long)")
        while self._line():  # the trailer section, left out as http.client leaves it out
            pass
        return b"".join(parts)

    def _to_the_close(self) -> bytes:
        while self._fill():
            pass
        body = bytes(self._buffer)
        self._buffer.clear()
        return body


def _framing(headers: Sequence[tuple[str, str]]) -> _Framing:
    """What frames the body (RFC 9112, 6.3): ``chunked``, a ``length``, or neither (up to
    the close: also a transfer coding that does not end in chunked); and the
    ``Connection`` tokens."""
    chunked, coded, lengths, connection = False, False, set[str](), list[str]()
    for name, value in headers:
        lowered = name.lower()
        if lowered == "transfer-encoding":
            codings = [c.strip().lower() for c in value.split(",") if c.strip()]
            coded = coded or bool(codings)
            chunked = bool(codings) and codings[-1] == "chunked"
        elif lowered == "content-length":
            lengths.update(v.strip() for v in value.split(","))
        elif lowered == "connection":
            connection += [t.strip().lower() for t in value.split(",")]
    length = None
    if lengths and not coded:
        if len(lengths) != 1 or not next(iter(lengths)).isdigit():
            raise NotHttp("sent something that is not HTTP (a bad Content-Length)")
        length = int(next(iter(lengths)))
    return _Framing(chunked, length, connection)
