"""On PostgreSQL a worker is told of each new control generation instead of reading the row
per request, and a write returns only once every live worker knows of it."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from mockserver.control import Control
from mockserver.store import Store, open_store
from tests.postgres import postgres_server, postgres_url  # noqa: F401


class Counted:
    """A store whose control reads are counted."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.reads = 0
        real = store.control

        def control() -> tuple[int, str]:
            self.reads += 1
            return real()

        store.control = control  # type: ignore[method-assign]


def listening(control: Control) -> None:
    """Wait until ``control``'s worker is told of generations (its thread connected)."""
    deadline = time.monotonic() + 10
    assert control._listener is not None
    while control._listener.generation() is None:
        assert time.monotonic() < deadline, "the listener never connected"
        time.sleep(0.01)


@pytest.fixture
def instances(postgres_url: str) -> Iterator[tuple[Control, Control, Counted]]:  # noqa: F811
    a, b = open_store(postgres_url), open_store(postgres_url)
    try:
        counted = Counted(b)
        controls = Control(a), Control(b)
        for control in controls:
            listening(control)
        yield controls[0], controls[1], counted
    finally:
        for control in controls:
            assert control._listener is not None
            control._listener.close()
        a.close()
        b.close()


def test_a_told_worker_reads_the_row_only_when_it_changed(
    instances: tuple[Control, Control, Counted],
) -> None:
    a, b, counted = instances
    b.state()
    before = counted.reads
    for _ in range(50):
        b.state()
    assert counted.reads == before  # nothing changed: no round trip at all
    # A write through the other instance returns only once B knows: B's very next look
    # sees it, with one read.
    a.update(lambda raw: raw.update(clock={"offset": 42.0}))
    assert b.state().offset == 42.0
    assert counted.reads == before + 1
    for _ in range(10):
        assert b.state().offset == 42.0
    assert counted.reads == before + 1


def test_every_write_is_seen_at_once_by_the_other_instance(
    instances: tuple[Control, Control, Counted],
) -> None:
    a, b, _ = instances
    for n in range(30):
        writer, reader = (a, b) if n % 2 else (b, a)

        def move(raw: dict[str, Any], n: int = n) -> None:
            raw["clock"] = {"offset": float(n)}

        writer.update(move)
        assert reader.state().offset == float(n)


def test_a_worker_no_longer_told_reads_the_row_again(
    instances: tuple[Control, Control, Counted],
) -> None:
    _, b, counted = instances
    assert b._listener is not None
    b._listener.close()
    assert b._listener.generation() is None
    before = counted.reads
    b.state()
    b.state()
    assert counted.reads == before + 2
