"""Upstreams for the proxy's forwarding tests, each on an ephemeral port of 127.0.0.1.

``echo`` answers with what it received (the raw request target, headers and body), and
serves a few fixed answers a proxy must pass on untouched; ``silent`` accepts connections
and never answers; ``closed_port`` is a port nothing listens on.
"""

from __future__ import annotations

import base64
import gzip
import json
import socket
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from tests.helpers import served

__all__ = ["GZIPPED", "LOGIN_COOKIE", "Echo", "closed_port", "silent"]

#: The gzip'd body ``/gzip`` answers: a proxy must not decompress it.
GZIPPED = gzip.compress(b'{"rows": [1, 2, 3], "note": "\xc3\xa9"}', mtime=0)
#: The session cookie ``/login`` sets, as Tealium documents its attributes.
LOGIN_COOKIE = "JSESSIONID=0123abcd; Path=/urest_service; Secure; HttpOnly"


class Echo:
    """A WSGI upstream that records what it was sent and says it back."""

    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []
        self._lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        seen = {
            "method": environ["REQUEST_METHOD"],
            "target": environ.get("REQUEST_URI") or environ.get("RAW_URI"),
            "query": environ.get("QUERY_STRING", ""),
            "headers": sorted(
                [key[5:].replace("_", "-").lower(), str(value)]
                for key, value in environ.items()
                if key.startswith("HTTP_")
            )
            + ([["content-type", environ["CONTENT_TYPE"]]] if environ.get("CONTENT_TYPE") else []),
            "body": base64.b64encode(body).decode(),
        }
        with self._lock:
            self.received.append(seen)
        path = environ["PATH_INFO"]
        if path.endswith("/gzip"):
            start_response(
                "418 I'm a teapot",
                [
                    ("Content-Type", "application/json"),
                    ("Content-Encoding", "gzip"),
                    ("X-Repeated", "one"),
                    ("X-Repeated", "two"),
                    ("Cache-Control", "no-store"),
                    ("Content-Length", str(len(GZIPPED))),
                ],
            )
            return [GZIPPED]
        if path.endswith("/login"):
            start_response(
                "200 OK",
                [
                    ("Content-Type", "application/json"),
                    ("Set-Cookie", LOGIN_COOKIE),
                    ("Set-Cookie", "theme=dark; Domain=upstream.example; Path=/elsewhere"),
                    ("Content-Length", "2"),
                ],
            )
            return [b"{}"]
        answer = json.dumps(seen).encode()
        start_response(
            "200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(answer)))]
        )
        return [answer]

    @contextmanager
    def serving(self) -> Iterator[str]:
        """Serve on an ephemeral port until the block ends; the base URL."""
        with served(self) as url:
            yield url


@contextmanager
def silent() -> Iterator[str]:
    """An upstream that accepts connections and reads, but never answers; its base URL."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.05)
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
            except OSError:
                continue
            held.append(connection)

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        stop.set()
        thread.join()
        for connection in held:
            connection.close()
        listener.close()


def closed_port() -> int:
    """A port of 127.0.0.1 nothing listens on (it was bound a moment ago, then freed)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port
