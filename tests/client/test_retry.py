"""Retries, backoff bounds, Retry-After, and every fault a body or a connection can have."""

from __future__ import annotations

import gzip
import logging
import random
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import httpx
import pytest
import respx

from statuskit.client import RetryEvent, RetryPolicy, ThalamusClient
from statuskit.client.retry import parse_retry_after
from statuskit.errors import (
    InvalidArgumentError,
    InvalidRequestError,
    MalformedResponseError,
    RateLimitedError,
    ResponseError,
    ServerError,
    TransportError,
)
from tests.client.conftest import PASSWORD, THALAMUS, TOKEN, FakeTime, transport

STATUS = "/api/v4/import/status/274"


def client(
    router: respx.Router, fake_time: FakeTime, events: list[RetryEvent] | None = None, **kw: Any
) -> ThalamusClient:
    kw.setdefault("retry", RetryPolicy(jitter=lambda: 1.0))
    return ThalamusClient(
        THALAMUS,
        touchpoint="test",
        token=TOKEN,
        principal="consumer@example.com",
        password=PASSWORD,
        transport=transport(router),
        clock=fake_time.clock,
        sleep=fake_time.sleep,
        on_retry=None if events is None else events.append,
        **kw,
    )


# -- the policy, alone ------------------------------------------------------------------


def test_backoff_grows_exponentially_to_its_cap() -> None:
    policy = RetryPolicy(backoff_base=0.5, backoff_max=3.0, jitter=lambda: 1.0)
    assert [policy.backoff(n) for n in range(1, 6)] == [0.5, 1.0, 2.0, 3.0, 3.0]
    assert RetryPolicy(jitter=lambda: 0.0).backoff(4) == 0.0


def test_jittered_backoff_stays_within_its_bounds() -> None:
    policy = RetryPolicy(backoff_base=0.25, backoff_max=4.0, jitter=random.Random(7).random)
    for attempt in range(1, 12):
        ceiling = min(4.0, 0.25 * 2 ** (attempt - 1))
        draws = [policy.backoff(attempt) for _ in range(200)]
        assert all(0.0 <= d <= ceiling for d in draws)
        assert max(draws) > ceiling / 2  # the jitter spreads over the whole range


def test_the_policy_refuses_statuses_that_are_not_transient() -> None:
    with pytest.raises(InvalidArgumentError, match="not transient"):
        RetryPolicy(statuses=frozenset({429, 500}))
    with pytest.raises(InvalidArgumentError, match="max_attempts"):
        RetryPolicy(max_attempts=0)


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("3", 3.0),
        (" 0 ", 0.0),
        ("soon", None),
        ("-1", None),
        (None, None),
        ("Wed, 21 Oct 2015 07:28:30 GMT", 30.0),
        ("Wed, 21 Oct 2015 07:27:00 GMT", 0.0),  # in the past: no wait
    ],
)
def test_retry_after_parses_seconds_and_http_dates(
    value: str | None, seconds: float | None
) -> None:
    now = datetime(2015, 10, 21, 7, 28, tzinfo=UTC)
    assert parse_retry_after(value, now=now) == seconds


# -- the client retrying ----------------------------------------------------------------


@pytest.mark.parametrize("status", [429, 502, 503, 504])
def test_transient_statuses_are_retried_with_growing_waits(
    thalamus_router: respx.Router, fake_time: FakeTime, record_bytes: bytes, status: int
) -> None:
    route = thalamus_router.get(STATUS).mock(
        side_effect=[
            httpx.Response(status),
            httpx.Response(status),
            httpx.Response(200, content=record_bytes),
        ]
    )
    events: list[RetryEvent] = []
    with client(thalamus_router, fake_time, events) as c:
        assert c.get_status(274).id == 274
    assert route.call_count == 3
    assert fake_time.sleeps == [0.5, 1.0]
    assert [(e.attempt, e.reason, e.delay) for e in events] == [
        (1, str(status), 0.5),
        (2, str(status), 1.0),
    ]


@pytest.mark.parametrize(
    "fault",
    [
        httpx.ConnectError("refused"),
        httpx.ConnectTimeout("slow"),
        httpx.ReadError("reset"),
        httpx.ReadTimeout("slow"),
        httpx.RemoteProtocolError("peer closed connection without sending complete message body"),
    ],
)
def test_connect_and_read_failures_are_retried(
    thalamus_router: respx.Router, fake_time: FakeTime, record_bytes: bytes, fault: Exception
) -> None:
    route = thalamus_router.get(STATUS).mock(
        side_effect=[fault, httpx.Response(200, content=record_bytes)]
    )
    with client(thalamus_router, fake_time) as c:
        assert c.get_status(274).id == 274
    assert route.call_count == 2


@pytest.mark.parametrize(
    "fault",
    [httpx.WriteError("broken pipe"), httpx.UnsupportedProtocol("ftp"), httpx.PoolTimeout("")],
)
def test_other_transport_failures_are_not_retried(
    thalamus_router: respx.Router, fake_time: FakeTime, fault: Exception
) -> None:
    route = thalamus_router.get(STATUS).mock(side_effect=fault)
    with client(thalamus_router, fake_time) as c, pytest.raises(TransportError) as caught:
        c.get_status(274)
    assert route.call_count == 1
    assert not caught.value.retryable
    assert caught.value.__cause__ is not None


def test_attempts_are_bounded_and_the_error_says_so(
    thalamus_router: respx.Router, fake_time: FakeTime
) -> None:
    route = thalamus_router.get(STATUS).mock(side_effect=httpx.ConnectError("refused"))
    with client(thalamus_router, fake_time) as c, pytest.raises(TransportError) as caught:
        c.get_status(274)
    assert route.call_count == 4
    assert fake_time.sleeps == [0.5, 1.0, 2.0]
    assert "gave up after 4 attempts" in str(caught.value)
    assert "is up and reachable" in str(caught.value)
    assert isinstance(caught.value.__cause__, httpx.ConnectError)


def test_total_time_is_bounded(thalamus_router: respx.Router, fake_time: FakeTime) -> None:
    route = thalamus_router.get(STATUS).respond(503)
    policy = RetryPolicy(max_attempts=10, backoff_base=1.0, max_elapsed=5.0, jitter=lambda: 1.0)
    with client(thalamus_router, fake_time, retry=policy) as c, pytest.raises(ServerError):
        c.get_status(274)
    assert fake_time.sleeps == [1.0, 2.0]  # a third wait (4 s) would end past 5 s
    assert route.call_count == 3


def test_retry_after_is_honoured(
    thalamus_router: respx.Router, fake_time: FakeTime, record_bytes: bytes
) -> None:
    thalamus_router.get(STATUS).mock(
        side_effect=[
            httpx.Response(429, headers={"Retry-After": "7"}),
            httpx.Response(503, headers={"Retry-After": "0"}),
            httpx.Response(200, content=record_bytes),
        ]
    )
    with client(thalamus_router, fake_time) as c:
        c.get_status(274)
    assert fake_time.sleeps == [7.0, 1.0]  # never shorter than asked, nor than the backoff


def test_a_retry_after_beyond_the_budget_gives_up_at_once(
    thalamus_router: respx.Router, fake_time: FakeTime
) -> None:
    later = format_datetime(datetime.now(UTC) + timedelta(hours=1), usegmt=True)
    thalamus_router.get(STATUS).respond(
        429,
        json={"errors": {"server": "TooManyRequests"}},
        headers={"Retry-After": later},
    )
    with client(thalamus_router, fake_time) as c, pytest.raises(RateLimitedError) as caught:
        c.get_status(274)
    assert fake_time.sleeps == []
    assert caught.value.retry_after is not None
    assert 3500 < caught.value.retry_after <= 3600
    assert caught.value.errors == {"server": "TooManyRequests"}
    assert "Retry-After" in str(caught.value)


@pytest.mark.parametrize("status", [400, 401, 403, 404, 409, 422, 500, 501, 505])
def test_no_other_status_is_retried(
    thalamus_router: respx.Router, fake_time: FakeTime, status: int
) -> None:
    route = thalamus_router.get(STATUS).respond(status)
    with client(thalamus_router, fake_time) as c, pytest.raises(ResponseError) as caught:
        c.get_status(274)
    assert caught.value.status_code == status
    assert route.call_count == (2 if status == 401 else 1)  # a 401 earns one new login
    assert fake_time.sleeps == []


def test_retries_are_logged_at_warning(
    thalamus_router: respx.Router,
    fake_time: FakeTime,
    record_bytes: bytes,
    caplog: pytest.LogCaptureFixture,
) -> None:
    thalamus_router.get(STATUS).mock(
        side_effect=[httpx.Response(502), httpx.Response(200, content=record_bytes)]
    )
    with (
        caplog.at_level(logging.WARNING, logger="statuskit.client"),
        client(thalamus_router, fake_time) as c,
    ):
        c.get_status(274)
    [record] = [r for r in caplog.records if r.name == "statuskit.client"]
    assert record.levelno == logging.WARNING
    assert record.getMessage() == (
        f"retrying GET {THALAMUS}{STATUS}?touchpoint=test after 502 "
        "(attempt 1 of 4 failed) in 0.50s"
    )


# -- bodies that cannot be read -----------------------------------------------------------


@pytest.mark.parametrize(
    ("response", "problem"),
    [
        (httpx.Response(200, content=b'{"id": 274, "creat'), "not JSON"),
        (httpx.Response(200, content=b"<html>maintenance</html>"), "not JSON"),
        (httpx.Response(200, content=b""), "empty"),
        (httpx.Response(200, content=b"\xff\xfe\xfa"), "not JSON"),
        (httpx.Response(200, content=b"[1, 2]"), "$: [1, 2] is not of type 'object'"),
        (
            httpx.Response(200, content=b'{"id": 2', headers={"Content-Length": "400"}),
            "truncated: 8 of 400 bytes",
        ),
        (httpx.Response(302, headers={"Location": "/login"}), "unexpected 302"),
    ],
)
def test_unreadable_bodies_are_malformed_and_not_retried(
    thalamus_router: respx.Router, fake_time: FakeTime, response: httpx.Response, problem: str
) -> None:
    route = thalamus_router.get(STATUS).mock(return_value=response)
    with client(thalamus_router, fake_time) as c, pytest.raises(MalformedResponseError) as caught:
        c.get_status(274)
    assert problem in str(caught.value)
    assert STATUS in str(caught.value)
    assert route.call_count == 1
    assert isinstance(caught.value, ValueError)


def test_a_body_that_fails_to_decompress_is_malformed(
    thalamus_router: respx.Router, fake_time: FakeTime
) -> None:
    # A stream, so the body is decoded as the client reads it, not when the mock is built.
    thalamus_router.get(STATUS).mock(
        side_effect=lambda request: httpx.Response(
            200, headers={"Content-Encoding": "gzip"}, stream=httpx.ByteStream(b"not gzip")
        )
    )
    with client(thalamus_router, fake_time) as c, pytest.raises(MalformedResponseError) as caught:
        c.get_status(274)
    assert "Content-Encoding" in str(caught.value)


def test_a_compressed_body_is_not_mistaken_for_a_truncated_one(
    thalamus_router: respx.Router, fake_time: FakeTime, record_bytes: bytes
) -> None:
    packed = gzip.compress(record_bytes)
    thalamus_router.get(STATUS).mock(
        side_effect=lambda request: httpx.Response(
            200,
            headers={"Content-Encoding": "gzip", "Content-Length": str(len(packed))},
            stream=httpx.ByteStream(packed),
        )
    )
    with client(thalamus_router, fake_time) as c:
        assert c.get_status(274).id == 274


def test_an_error_body_that_is_not_json_still_classifies(
    thalamus_router: respx.Router, fake_time: FakeTime
) -> None:
    thalamus_router.get(STATUS).respond(400, content=b'{"errors": {"id": "Inv')
    with client(thalamus_router, fake_time) as c, pytest.raises(InvalidRequestError) as caught:
        c.get_status(274)
    assert caught.value.errors == {}
