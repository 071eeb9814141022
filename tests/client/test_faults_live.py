"""The reference client against every fault the mock injects, over a real socket: it
survives what it should (retries, a new login) and raises the right typed error otherwise."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from mockserver.process import serve_process
from statuskit.client import RetryPolicy, TealiumClient, ThalamusClient
from statuskit.errors import MalformedResponseError, ServerError
from statuskit.mock import MockServer

STATUS_ROUTE = "GET /api/v4/import/status/{id}"
FILE = "sales-transaction_2016feb4v50.csv"


@pytest.fixture(scope="module")
def mock() -> Iterator[MockServer]:
    with serve_process("--workers", "2") as running, MockServer(running.base_url) as server:
        yield server


@pytest.fixture
def slept(mock: MockServer) -> list[float]:
    """What the client would have slept between attempts; it sleeps not at all."""
    mock.reset()
    return []


def thalamus(mock: MockServer, slept: list[float]) -> ThalamusClient:
    policy = RetryPolicy(max_attempts=4, jitter=lambda: 1.0)
    client = ThalamusClient.from_env(mock.base_url, environ={}, retry=policy, sleep=slept.append)
    client.login()
    return client


@pytest.mark.parametrize(
    "fault",
    [
        {"kind": "status", "status": 502},
        {"kind": "status", "status": 503},
        {"kind": "status", "status": 504},
        {"kind": "rate-limit", "retry_after": 2},
        {"kind": "reset"},
        {"kind": "truncate"},
        {"kind": "latency", "ms": 30},
        {"kind": "dribble", "chunk_bytes": 256, "delay_ms": 5},
    ],
    ids=lambda f: "-".join(str(v) for v in f.values()),
)
def test_the_client_survives_retryable_faults(
    mock: MockServer, slept: list[float], fault: dict[str, Any]
) -> None:
    with thalamus(mock, slept) as client:
        mock.add_fault(**fault, api="thalamus", route=STATUS_ROUTE, times=2)
        record = client.get_status(274)
    assert record.id == 274
    if fault["kind"] in ("latency", "dribble"):
        assert slept == []  # slow but whole answers need no retry
    else:
        assert len(slept) == 2  # two failures, two waits, then the answer
    if fault["kind"] == "rate-limit":
        assert min(slept) >= 2  # Retry-After honoured


def test_a_500_is_not_retried_and_is_a_server_error(mock: MockServer, slept: list[float]) -> None:
    with thalamus(mock, slept) as client:
        mock.add_fault(kind="status", status=500, api="thalamus", route=STATUS_ROUTE, times=1)
        with pytest.raises(ServerError, match="500"):
            client.get_status(274)
    assert slept == []


def test_malformed_json_is_a_malformed_response(mock: MockServer, slept: list[float]) -> None:
    with thalamus(mock, slept) as client:
        mock.add_fault(kind="malformed", api="thalamus", route=STATUS_ROUTE, times=1)
        with pytest.raises(MalformedResponseError):
            client.get_status(274)


def test_too_many_failures_give_up_with_the_last_error(
    mock: MockServer, slept: list[float]
) -> None:
    with thalamus(mock, slept) as client:
        mock.add_fault(kind="status", status=503, api="thalamus", route=STATUS_ROUTE, times=10)
        with pytest.raises(ServerError, match="gave up after 4 attempts"):
            client.get_status(274)


def test_an_expired_session_logs_in_again_once(mock: MockServer, slept: list[float]) -> None:
    with thalamus(mock, slept) as client:
        assert client.get_status(274).state == "CANCELED"
        mock.advance(9 * 3600)  # past the 8-hour session
        assert client.get_status(274).state == "CANCELED"
    logins = [r for r in mock.requests("/api/v3/thalamus_security_check")]
    assert [r["status"] for r in logins] == [200, 200]


def test_tealium_client_survives_an_outage_and_an_expired_token(
    mock: MockServer, slept: list[float]
) -> None:
    policy = RetryPolicy(max_attempts=4, jitter=lambda: 1.0)
    with TealiumClient.from_env(
        mock.base_url, environ={}, api_version=2, retry=policy, sleep=slept.append
    ) as client:
        client.login()
        mock.fail_next(2, status=503, api="tealium")
        assert client.get_file_status(FILE).file.name == FILE
        mock.advance(31 * 60)  # past the token's 30 minutes
        assert client.get_file_status(FILE).file.name == FILE
