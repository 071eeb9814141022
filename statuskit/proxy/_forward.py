"""Forwarding one request to the upstream, and reading its answer, byte for byte.

The upstream is one base URL (``https://staging.example/urest_service``): a request the
proxy receives at ``/v1/login`` goes to ``/urest_service/v1/login`` there. The method,
query, end-to-end headers and body go as the application sent them; the answer comes back
as the upstream sent it (its ``Content-Encoding`` untouched: nothing is decompressed).
Only what RFC 9110 makes hop-by-hop (:data:`HOP_BY_HOP`, and whatever ``Connection``
names) is left out both ways, and ``Host`` names the upstream, as it must for the upstream
to route the request and, over TLS, to match its certificate.

Speed matters (``docs/benchmarks.md``): connections to the upstream are kept alive and
reused (:class:`Forwarder`), and each answer is read by a small HTTP/1.1 reader on the raw
socket (``_http1``) rather than :mod:`http.client`. Nothing here ever
sends a request the application did not send: a kept connection the upstream closed
while idle is noticed before it is used, and a request is sent again, on a new
connection, only when it is idempotent and its first attempt died on a reused connection
before any answer arrived (RFC 9110, 9.2.2).

A failure is an :class:`UpstreamError`: 504 for a timeout, 502 for anything else, with a
one-line reason that names the upstream by host and port only.
"""

from __future__ import annotations

import contextlib
import select
import socket
import ssl
import time
from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit

from statuskit.errors import ConfigError
from statuskit.proxy._http1 import Connection, NoAnswer, NotHttp

__all__ = [
    "HOP_BY_HOP",
    "MAX_IDLE",
    "Answer",
    "Forwarder",
    "Upstream",
    "UpstreamError",
    "end_to_end",
    "environ_headers",
    "raw_path",
    "read_body",
]

#: [DOC] RFC 9110 7.6.1: the connection's own fields, never forwarded (with those the
#: ``Connection`` field names). ``Proxy-Authorization`` and ``Proxy-Authenticate`` speak to
#: a proxy, so they stop here too; ``Content-Length`` is set again for the body as read, and
#: ``Expect`` is not passed on, since the proxy has read the whole body already.
HOP_BY_HOP = frozenset(
    {
        "connection",
        "proxy-connection",
        "keep-alive",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "proxy-authorization",
        "proxy-authenticate",
        "content-length",
        "expect",
    }
)
#: RFC 9110 9.2.2: the methods a client (or a proxy) may send again after a failure.
IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE"})
#: Idle kept-alive connections the pool holds at most; more are closed when done.
MAX_IDLE = 64
#: PEP 3333 gives the path percent-decoded; these stay as they are when it is encoded back.
_PATH_SAFE = "/:@!$&'()*+,;=~"


class UpstreamError(Exception):
    """The upstream could not be reached, or did not answer in time."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        #: 502 (unreachable, refused, reset, TLS) or 504 (no answer in time).
        self.status = status
        self.reason = reason


@dataclass(frozen=True)
class Upstream:
    """Where the proxy forwards: a scheme, host and port, and a base path."""

    scheme: str
    host: str
    port: int
    #: The path every forwarded path is put under, without a trailing ``/`` (``""``: none).
    base_path: str = ""

    @classmethod
    def parse(cls, url: str) -> Upstream:
        """``http(s)://host[:port][/base/path]``; :class:`ConfigError` (one line) otherwise.

        A URL with credentials in it (``user:password@``), a query or a fragment is
        refused: the proxy forwards the application's own credentials and query, and the
        message never repeats what was given.
        """
        try:
            parts = urlsplit(url.strip())
            port = parts.port
        except ValueError:
            raise ConfigError(
                "--upstream: not a URL (write http(s)://host[:port][/path])"
            ) from None
        if parts.scheme not in ("http", "https"):
            raise ConfigError("--upstream must start with http:// or https://")
        if not parts.hostname:
            raise ConfigError("--upstream has no host (write http(s)://host[:port][/path])")
        if parts.username is not None or parts.password is not None:
            raise ConfigError(
                "--upstream must not carry credentials (user:password@): the proxy forwards "
                "the application's own"
            )
        if parts.query or parts.fragment or url.strip().endswith(("?", "#")):
            raise ConfigError("--upstream must not carry a query or fragment")
        default = 443 if parts.scheme == "https" else 80
        return cls(parts.scheme, parts.hostname, port or default, parts.path.rstrip("/"))

    @property
    def netloc(self) -> str:
        """``host`` or ``host:port`` (the port only when not the scheme's default), as
        ``Host`` names it."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        default = 443 if self.scheme == "https" else 80
        return host if self.port == default else f"{host}:{self.port}"

    @property
    def url(self) -> str:
        """The upstream as it is shown: never a credential, which it cannot hold."""
        return f"{self.scheme}://{self.netloc}{self.base_path}"

    def target(self, path: str, query: str) -> str:
        """The request target on the upstream for a proxied ``path`` and raw ``query``."""
        return f"{self.base_path}{path}" + (f"?{query}" if query else "")


@dataclass(frozen=True)
class Answer:
    """The upstream's answer: its status, headers (all of them, in order) and body."""

    status: int
    reason: str
    headers: tuple[tuple[str, str], ...]
    body: bytes
    #: Seconds from sending the request to the end of the body.
    elapsed: float


def raw_path(environ: Mapping[str, Any]) -> str:
    """The request's path, percent-encoded again from PEP 3333's decoded ``PATH_INFO``.

    The server decoded it, so an encoded ``/`` (``%2F``) cannot be told from a plain one;
    every other byte means what it meant (``docs/proxy.md``).
    """
    path = str(environ.get("SCRIPT_NAME", "")) + str(environ.get("PATH_INFO", ""))
    return quote(path.encode("latin-1", "replace"), safe=_PATH_SAFE) or "/"


def environ_headers(environ: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The request's headers from a WSGI environ, as ``Name-Like-This`` pairs."""
    headers = []
    for key, value in environ.items():
        if key.startswith("HTTP_"):
            name = key[5:]
        elif key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
            name = key
        else:
            continue
        if value == "" and name != "HTTP_HOST":
            continue  # a WSGI server's empty CONTENT_TYPE is no header
        headers.append(("-".join(w.capitalize() for w in name.split("_")), str(value)))
    return headers


def end_to_end(headers: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """``headers`` without the hop-by-hop ones (:data:`HOP_BY_HOP`, and those
    ``Connection`` names)."""
    pairs = list(headers)
    named = {
        token.strip().lower()
        for key, value in pairs
        if key.lower() == "connection"
        for token in value.split(",")
    }
    return [(k, v) for k, v in pairs if k.lower() not in HOP_BY_HOP and k.lower() not in named]


def read_body(environ: Mapping[str, Any]) -> bytes | None:
    """The request body: ``Content-Length`` bytes, or all of a chunked one; ``None`` when
    the request has none (it then goes on with no ``Content-Length`` either)."""
    stream = environ.get("wsgi.input")
    length = str(environ.get("CONTENT_LENGTH") or "")
    if stream is None:
        return None
    if length:
        try:
            size = int(length)
        except ValueError:
            return None
        return stream.read(size) if size > 0 else b""
    if "chunked" in str(environ.get("HTTP_TRANSFER_ENCODING", "")).lower():
        data: bytes = stream.read()
        return data
    return None


class _Deadline:
    """The time left for one exchange, applied to the socket before each wait."""

    def __init__(self, seconds: float) -> None:
        self.end = time.monotonic() + seconds

    def left(self) -> float:
        remaining = self.end - time.monotonic()
        if remaining <= 0:
            raise TimeoutError("the exchange's deadline passed")
        return remaining


class Forwarder:
    """Sends requests to one :class:`Upstream` over kept-alive connections.

    Idle connections wait in a LIFO pool shared by the server's threads (a thread takes
    one, sends, and gives it back), so there are never more open than requests in flight
    plus :data:`MAX_IDLE`, however the server recycles its threads. :meth:`close` closes
    them all.
    """

    def __init__(
        self, upstream: Upstream, *, timeout: float, context: ssl.SSLContext | None = None
    ) -> None:
        self.upstream = upstream
        self.timeout = timeout
        self.context = context
        # deque's append and pop are atomic: the pool needs no lock of its own.
        self._idle: deque[Connection] = deque()
        self._closed = False

    def send(
        self,
        method: str,
        target: str,
        headers: Sequence[tuple[str, str]],
        body: bytes | None,
    ) -> Answer:
        """Forward one request, within the timeout; :class:`UpstreamError` otherwise.

        ``headers`` are the end-to-end ones; ``Host`` is set to the upstream's.
        """
        deadline = _Deadline(self.timeout)
        started = time.perf_counter()
        sent = [("Host", self.upstream.netloc)]
        sent += [(k, v) for k, v in headers if k.lower() != "host"]
        while True:
            connection, reused = self._take()
            try:
                if connection is None:
                    connection = self._new(deadline)
                connection.sock.settimeout(deadline.left())
                connection.send(method, target, sent, body)
                (status, reason, got), content, keep = connection.receive(method, deadline.left)
            except TimeoutError:
                _close(connection)
                raise UpstreamError(
                    504, f"{self._where()} did not answer within {self.timeout:g} s"
                ) from None
            except NoAnswer as exc:
                _close(connection)
                if reused and method.upper() in IDEMPOTENT:
                    continue  # the kept connection had died: once more, on a new one
                raise UpstreamError(502, f"{self._where()} {exc.args[0]}") from None
            except NotHttp as exc:
                _close(connection)
                raise UpstreamError(502, f"{self._where()} {exc.args[0]}") from None
            except ValueError as exc:
                _close(connection)
                raise UpstreamError(502, f"the request cannot be sent: {exc}") from None
            except OSError as exc:
                _close(connection)
                raise UpstreamError(502, f"{self._where()} {_describe(exc)}") from None
            self._give(connection, keep)
            elapsed = time.perf_counter() - started
            return Answer(status, reason, got, content, elapsed=elapsed)

    def close(self) -> None:
        """Close every idle connection, and each busy one when its request is done."""
        self._closed = True
        while self._idle:
            with contextlib.suppress(IndexError):
                self._idle.pop().close()

    # -- the pool --------------------------------------------------------------------------

    def _take(self) -> tuple[Connection | None, bool]:
        """An idle connection still open (and that it is reused), or ``None``: make one."""
        while True:
            try:
                connection = self._idle.pop()
            except IndexError:
                return None, False
            if not _dropped(connection.sock):
                return connection, True
            connection.close()  # the upstream closed it while it was idle

    def _give(self, connection: Connection, keep: bool) -> None:
        if keep and not self._closed and len(self._idle) < MAX_IDLE:
            self._idle.append(connection)
        else:
            connection.close()

    def _new(self, deadline: _Deadline) -> Connection:
        up = self.upstream
        sock = socket.create_connection((up.host, up.port), timeout=deadline.left())
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            if up.scheme == "https":
                context = self.context or ssl.create_default_context()
                sock = context.wrap_socket(sock, server_hostname=up.host)
        except BaseException:
            sock.close()
            raise
        return Connection(sock)

    def _where(self) -> str:
        return f"the upstream {self.upstream.netloc}"


def _close(connection: Connection | None) -> None:
    if connection is not None:
        connection.close()


def _dropped(sock: socket.socket) -> bool:
    """Whether an idle kept connection was closed by its peer (it reads as ready: EOF)."""
    try:
        readable, _, _ = select.select([sock], [], [], 0)
    except (OSError, ValueError):
        return True
    return bool(readable)


def _describe(exc: BaseException) -> str:
    """One line for a connection failure; never a credential (there is none in it)."""
    if isinstance(exc, ConnectionRefusedError):
        return "refused the connection"
    if isinstance(exc, ssl.SSLError):
        return f"failed the TLS handshake ({exc.reason or type(exc).__name__})"
    if isinstance(exc, socket.gaierror):
        return "could not be resolved"
    if isinstance(exc, ConnectionResetError | BrokenPipeError):
        return "closed the connection without an answer"
    detail = exc.strerror if isinstance(exc, OSError) and exc.strerror else type(exc).__name__
    return f"could not be reached ({detail})"
