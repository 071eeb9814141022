"""The proxy's HTTP/1.1 reader on a raw socket: each framing of RFC 9112, and when a
connection may carry another request. One end of a socket pair plays the upstream."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from statuskit.proxy._http1 import Connection, Head, NoAnswer, NotHttp

Pair = tuple[Connection, socket.socket]


@pytest.fixture
def pair() -> Iterator[Pair]:
    ours, theirs = socket.socketpair()
    connection = Connection(ours)
    try:
        yield connection, theirs
    finally:
        connection.close()
        theirs.close()


def _answer(
    pair: Pair, raw: bytes, method: str = "GET", close: bool = False
) -> tuple[Head, bytes, bool]:
    connection, theirs = pair
    connection.send(method, "/x?a=1", [("Host", "up")], None)
    assert theirs.recv(65536) == f"{method} /x?a=1 HTTP/1.1\r\nHost: up\r\n\r\n".encode()
    theirs.sendall(raw)
    if close:
        theirs.shutdown(socket.SHUT_WR)
    return connection.receive(method, lambda: 5.0)


def test_a_content_length_body_is_read_exactly_and_the_connection_kept(pair: Pair) -> None:
    head, body, keep = _answer(
        pair, b"HTTP/1.1 201 Created\r\nA:  1 \r\nContent-Length: 3\r\n\r\nabc"
    )
    assert head == (201, "Created", (("A", "1"), ("Content-Length", "3")))
    assert (body, keep) == (b"abc", True)


def test_a_chunked_body_is_joined_and_its_trailer_left_out(pair: Pair) -> None:
    raw = (
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"3;x=y\r\nabc\r\n2\r\nde\r\n0\r\nT: 1\r\n\r\n"
    )
    _, body, keep = _answer(pair, raw)
    assert (body, keep) == (b"abcde", True)


def test_a_body_without_length_runs_to_the_close_and_the_connection_is_not_kept(pair: Pair) -> None:
    _, body, keep = _answer(pair, b"HTTP/1.1 200 OK\r\n\r\nall of it", close=True)
    assert (body, keep) == (b"all of it", False)


@pytest.mark.parametrize(
    "raw",
    [
        b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok",
        b"HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok",
        b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokEXTRA",
    ],
    ids=["connection-close", "http-1.0", "bytes-after-the-answer"],
)
def test_a_connection_is_kept_only_when_both_sides_may_go_on(pair: Pair, raw: bytes) -> None:
    _, body, keep = _answer(pair, raw)
    assert (body, keep) == (b"ok", False)


def test_a_head_answer_has_no_body_whatever_its_length_says(pair: Pair) -> None:
    head, body, keep = _answer(pair, b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n", "HEAD")
    assert head[2] == (("Content-Length", "10"),)
    assert (body, keep) == (b"", True)


def test_an_interim_answer_is_read_past(pair: Pair) -> None:
    raw = b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n"
    head, body, keep = _answer(pair, raw)
    assert (head[0], body, keep) == (204, b"", True)


@pytest.mark.parametrize(
    "raw",
    [
        b"SSH-2.0-OpenSSH\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nok",
        b"HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nshort",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
    ],
    ids=["not-http", "two-lengths", "cut-short", "bad-chunk"],
)
def test_what_is_not_http_or_ends_too_soon_is_not_taken_for_an_answer(
    pair: Pair, raw: bytes
) -> None:
    with pytest.raises(NotHttp):
        _answer(pair, raw, close=True)


def test_a_connection_closed_before_any_answer_is_no_answer(pair: Pair) -> None:
    with pytest.raises(NoAnswer):
        _answer(pair, b"", close=True)


@pytest.mark.parametrize(
    ("target", "headers"),
    [("/a b", []), ("/a", [("X", "1\r\nInjected: yes")]), ("/a", [("X:Y", "1")])],
)
def test_a_request_that_would_split_is_never_written(
    pair: Pair, target: str, headers: list[tuple[str, str]]
) -> None:
    connection, theirs = pair
    with pytest.raises(ValueError, match="HTTP does not allow"):
        connection.send("GET", target, headers, None)
    theirs.setblocking(False)
    with pytest.raises(BlockingIOError):
        theirs.recv(1)
