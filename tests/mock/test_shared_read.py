"""Threads of one worker share a read of the control row only if it began after they asked.

On PostgreSQL each read is a round trip, so concurrent requests share one; a read already
under way when a request arrives may miss a write committed just before it, so that
request must wait for the next read (read-your-writes across instances).
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from mockserver.control import SharedRead


class Row:
    """A control row whose reads can be held open, counting the reads begun."""

    def __init__(self) -> None:
        self.generation = 0
        self.reads = 0
        self.began = threading.Event()
        self.release = threading.Event()
        self.release.set()

    def read(self) -> tuple[int, str]:
        self.reads += 1
        seen = self.generation  # what a database read sees: the commits before it began
        self.began.set()
        self.release.wait(10)
        return seen, "{}"


def test_a_read_under_way_is_not_given_to_a_request_that_came_after_a_write() -> None:
    row = Row()
    shared = SharedRead(row.read)
    row.release.clear()
    with ThreadPoolExecutor(2) as pool:
        first = pool.submit(shared)
        assert row.began.wait(10)
        row.generation = 1  # committed after the first read began, before the second asks
        second = pool.submit(shared)
        # Give the second request time to ask while the first read is held (the answer is
        # right however the threads interleave; this is what lets a wrong one show).
        threading.Event().wait(0.05)
        row.release.set()
        assert first.result(10) == (0, "{}")
        assert second.result(10) == (1, "{}")
    assert row.reads == 2


def test_requests_waiting_together_share_the_next_read() -> None:
    row = Row()
    shared = SharedRead(row.read)
    row.release.clear()
    with ThreadPoolExecutor(8) as pool:
        under_way = pool.submit(shared)
        assert row.began.wait(10)
        row.generation = 7
        waiting = [pool.submit(shared) for _ in range(6)]
        threading.Event().wait(0.05)
        row.release.set()
        assert under_way.result(10) == (0, "{}")
        assert {future.result(10) for future in waiting} == {(7, "{}")}
    # One read under way, then at most one more for each thread that came meanwhile, and
    # in practice far fewer: they share.
    assert 2 <= row.reads <= 7


def test_a_failed_read_fails_everyone_who_waited_for_it() -> None:
    calls = 0

    def read() -> tuple[int, str]:
        nonlocal calls
        calls += 1
        raise ConnectionError("store down")

    shared = SharedRead(read)
    with pytest.raises(ConnectionError):
        shared()
    with pytest.raises(ConnectionError):
        shared()  # a new request asks again: a failure is not remembered
    assert calls == 2
