"""A request refused before its body arrived does not cost the next request on the same
keep-alive connection (found by the soak, bench/soak.py)."""

from __future__ import annotations

import select
import socket
from collections.abc import Iterator
from urllib.parse import urlparse

import httpx
import pytest

from mockserver import create_app
from mockserver.process import serve_process
from tests.helpers import served

UPLOAD = b"POST /api/v4/import/file?token=statuskit-token HTTP/1.1\r\nHost: mock\r\n"
STATUS = b"GET /api/v4/import/status/274?touchpoint=test&token=statuskit-token HTTP/1.1\r\n"


@pytest.fixture(scope="module", params=["granian", "gunicorn"])
def address(request: pytest.FixtureRequest) -> Iterator[tuple[str, int]]:
    with serve_process("--server", request.param) as running:
        url = urlparse(running.base_url)
        assert url.hostname is not None
        assert url.port is not None
        yield url.hostname, url.port


def received(sock: socket.socket) -> bytes:
    """Everything the server sends until it closes the connection or goes quiet."""
    data = b""
    sock.settimeout(5)
    try:
        while chunk := sock.recv(65536):
            data += chunk
            if data.count(b"HTTP/1.1 ") == 2 and data.endswith(b"\r\n\r\n"):
                break  # the second answer (a 401: no session) has no body
    except TimeoutError:
        pass
    return data


def test_the_next_request_is_answered_after_an_early_refusal(address: tuple[str, int]) -> None:
    with socket.create_connection(address) as sock:
        # An upload without its touchpoint is refused whatever its body holds; the body
        # follows only once the refusal could have been sent, as on a busy server.
        sock.sendall(UPLOAD + b"Content-Length: 300\r\n\r\n")
        select.select([sock], [], [], 1.0)
        sock.sendall(b"x" * 300 + STATUS + b"Host: mock\r\n\r\n")
        data = received(sock)
    first, _, rest = data.partition(b"\r\n\r\n")
    assert first.startswith(b"HTTP/1.1 400")
    # A server may close after an answer only if that answer says so (RFC 9112, 9.6):
    # otherwise the client sends its next request on the connection, and it is lost.
    if b"\r\nconnection: close" not in first.lower():
        assert b"HTTP/1.1 401" in rest


def test_a_body_is_read_to_its_length_under_a_server_that_never_ends_it() -> None:
    # Werkzeug's server hands the raw socket over as wsgi.input: reading past the
    # Content-Length would wait for bytes the client never sends. Two POSTs with bodies on
    # one kept-alive connection must both be answered.
    with served(create_app()) as base_url, httpx.Client(base_url=base_url, timeout=10) as client:
        for _ in range(2):
            client.cookies.clear()  # a second login with the first's session is a 400
            answer = client.post(
                "/api/v3/thalamus_security_check?touchpoint=test&token=statuskit-token",
                json={"principal": "consumer@example.com", "password": "statuskit"},
            )
            assert answer.status_code == 200, answer.text
