"""Waiting for completion: terminal states, progress, timeouts, all without sleeping."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
import respx

from statuskit.client import TealiumClient, ThalamusClient, current_state, is_terminal
from statuskit.client.models import FileStatus, ImportRecord
from statuskit.client.polling import terminal_states
from statuskit.errors import InvalidArgumentError, NotFoundError, WaitTimeoutError
from statuskit.registry import default_registry
from tests.client.conftest import (
    FILE_NAME,
    FILES,
    PASSWORD,
    TEALIUM,
    THALAMUS,
    TOKEN,
    FakeTime,
    transport,
)

STATUS = "/api/v4/import/status/274"


def thalamus(router: respx.Router, fake_time: FakeTime) -> ThalamusClient:
    return ThalamusClient(
        THALAMUS,
        touchpoint="test",
        token=TOKEN,
        principal="consumer@example.com",
        password=PASSWORD,
        transport=transport(router),
        clock=fake_time.clock,
        sleep=fake_time.sleep,
    )


def states(record: dict[str, Any], *names: str) -> list[httpx.Response]:
    return [httpx.Response(200, json=record | {"state": name}) for name in names]


def test_terminal_states_are_states_the_schemas_know() -> None:
    registry = default_registry()
    thalamus_states = registry.source("thalamus", "common")["$defs"]["state"]["enum"]
    tealium_states = registry.enum("tealium", "state", schema="status-entry")
    assert set(thalamus_states) - terminal_states("thalamus") == {"WAITING", "PROCESSING"}
    assert set(tealium_states) >= terminal_states("tealium")


def test_wait_polls_until_a_terminal_state(
    thalamus_router: respx.Router, fake_time: FakeTime, record_bytes: bytes
) -> None:
    record = json.loads(record_bytes)
    route = thalamus_router.get(STATUS).mock(
        side_effect=states(record, "WAITING", "PROCESSING", "PROCESSING", "PROCESSED")
    )
    seen: list[str] = []
    with thalamus(thalamus_router, fake_time) as c:
        done = c.wait_for_completion(
            274, timeout=60, poll_interval=5, on_progress=lambda r: seen.append(r.state)
        )
    assert done.state == "PROCESSED"
    assert seen == ["WAITING", "PROCESSING", "PROCESSING", "PROCESSED"]
    assert fake_time.sleeps == [5, 5, 5]
    assert route.call_count == 4


@pytest.mark.parametrize("state", sorted(terminal_states("thalamus")))
def test_each_terminal_state_ends_the_wait_at_once(
    thalamus_router: respx.Router, fake_time: FakeTime, record_bytes: bytes, state: str
) -> None:
    thalamus_router.get(STATUS).mock(side_effect=states(json.loads(record_bytes), state))
    with thalamus(thalamus_router, fake_time) as c:
        assert c.wait_for_completion(274, timeout=60).state == state
    assert fake_time.sleeps == []


def test_an_unknown_state_is_waited_on_until_the_timeout(
    thalamus_router: respx.Router, fake_time: FakeTime, record_bytes: bytes
) -> None:
    record = json.loads(record_bytes) | {"state": "ARCHIVING"}
    route = thalamus_router.get(STATUS).respond(200, json=record)
    with thalamus(thalamus_router, fake_time) as c, pytest.raises(WaitTimeoutError) as caught:
        c.wait_for_completion(274, timeout=10, poll_interval=4)
    assert fake_time.sleeps == [4, 4, 2]  # the last poll falls at the deadline, not past it
    assert route.call_count == 4
    assert isinstance(caught.value, TimeoutError)
    assert isinstance(caught.value.last, ImportRecord)
    assert caught.value.last.state == "ARCHIVING"
    assert caught.value.elapsed == 10
    assert "still ARCHIVING after 10.0s" in str(caught.value)


def test_a_zero_timeout_polls_once(
    thalamus_router: respx.Router, fake_time: FakeTime, record_bytes: bytes
) -> None:
    route = thalamus_router.get(STATUS).mock(
        side_effect=states(json.loads(record_bytes), "WAITING")
    )
    with thalamus(thalamus_router, fake_time) as c, pytest.raises(WaitTimeoutError):
        c.wait_for_completion(274, timeout=0)
    assert route.call_count == 1
    assert fake_time.sleeps == []


def test_errors_while_polling_are_raised(
    thalamus_router: respx.Router, fake_time: FakeTime
) -> None:
    thalamus_router.get(STATUS).respond(404, json={"errors": {"id": "NotFound"}})
    with thalamus(thalamus_router, fake_time) as c, pytest.raises(NotFoundError):
        c.wait_for_completion(274, timeout=10)


@pytest.mark.parametrize(("timeout", "interval"), [(-1, 1), (10, 0), (10, -2)])
def test_bad_wait_arguments(
    thalamus_router: respx.Router, fake_time: FakeTime, timeout: float, interval: float
) -> None:
    with thalamus(thalamus_router, fake_time) as c, pytest.raises(InvalidArgumentError):
        c.wait_for_completion(274, timeout=timeout, poll_interval=interval)
    assert not thalamus_router.calls


def _history(file_status: dict[str, Any], *entries: dict[str, Any]) -> dict[str, Any]:
    stamp = {"$date": "2016-04-04T22:27:57.285Z"}
    return file_status | {"status": [{"timestamp": stamp} | entry for entry in entries]}


@pytest.mark.parametrize(
    ("entries", "terminal", "state"),
    [
        ([], False, None),
        ([{"state": "DOWNLOADING"}], False, "DOWNLOADING"),
        ([{"state": "DOWNLOADING"}, {"state": "PROCESSED"}], True, "PROCESSED"),
        ([{"state": "PROCESSING"}, {"state": "FAILED_PROCESSING"}], True, "FAILED_PROCESSING"),
        ([{"state": "PROCESSING", "last_failure": "Unknown file prefix"}], True, "PROCESSING"),
        ([{"state": "PROCESSED"}, {"state": "PROCESSING"}], False, "PROCESSING"),  # latest wins
        ([{"state": "QUARANTINED"}], False, "QUARANTINED"),
    ],
)
def test_tealium_terminal_states(
    file_status_bytes: bytes, entries: list[dict[str, Any]], terminal: bool, state: str | None
) -> None:
    status = FileStatus.from_json(_history(json.loads(file_status_bytes), *entries))
    assert (is_terminal(status), current_state(status)) == (terminal, state)


def test_tealium_wait_follows_the_latest_entry(
    tealium_router: respx.Router, fake_time: FakeTime, file_status_bytes: bytes
) -> None:
    base = json.loads(file_status_bytes)
    tealium_router.get(f"{FILES}/{FILE_NAME}").mock(
        side_effect=[
            httpx.Response(200, json=_history(base, {"state": "DOWNLOADING"})),
            httpx.Response(
                200, json=_history(base, {"state": "DOWNLOADING"}, {"state": "FAILED_PROCESSING"})
            ),
        ]
    )
    with TealiumClient(
        TEALIUM,
        account="acme",
        profile="main",
        username="u@example.com",
        password=PASSWORD,
        transport=transport(tealium_router),
        clock=fake_time.clock,
        sleep=fake_time.sleep,
    ) as c:
        done = c.wait_for_completion(FILE_NAME, timeout=30, poll_interval=2)
        assert current_state(done) == "FAILED_PROCESSING"
        with pytest.raises(InvalidArgumentError):
            c.wait_for_completion("x" * 151, timeout=30)
    assert fake_time.sleeps == [2]
