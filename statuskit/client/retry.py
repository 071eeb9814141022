"""When the client tries a request again, and how long it waits first.

Only idempotent GETs are retried, and only after a connect or read failure, a 429, a 502, a
503 or a 504. Waits grow exponentially from ``backoff_base``, capped at ``backoff_max``,
with full jitter (a uniform draw between zero and the cap, so many clients do not retry in
step). A ``Retry-After`` header is honoured: the client waits at least that long, or gives
up at once when that would exceed the total time budget. Attempts and total time are both
bounded. Every retry is reported to ``on_retry`` and logged at WARNING on
``statuskit.client``.

Everything here is pure: the clock and the random draw are passed in, so tests run without
sleeping.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from statuskit.errors import ClientError, InvalidArgumentError, ResponseError, TransportError

__all__ = ["RETRY_STATUSES", "RetryEvent", "RetryPolicy", "parse_retry_after"]

RETRY_STATUSES = frozenset({429, 502, 503, 504})


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How often and how long to retry an idempotent GET.

    ``max_attempts`` counts the first try (1 disables retries); ``max_elapsed`` bounds the
    seconds from the first try to the start of the last, waits included. ``jitter`` returns
    a float in ``[0, 1)``; pass a seeded ``random.Random().random`` for reproducible waits.
    """

    max_attempts: int = 4
    backoff_base: float = 0.5
    backoff_max: float = 8.0
    max_elapsed: float = 30.0
    statuses: frozenset[int] = RETRY_STATUSES
    jitter: Callable[[], float] = field(default=random.random, compare=False)

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise InvalidArgumentError(f"max_attempts must be at least 1, not {self.max_attempts}")
        if self.backoff_base < 0 or self.backoff_max < 0 or self.max_elapsed < 0:
            raise InvalidArgumentError("backoff_base, backoff_max and max_elapsed must be >= 0")
        if not self.statuses <= RETRY_STATUSES:
            extra = sorted(self.statuses - RETRY_STATUSES)
            raise InvalidArgumentError(
                f"only {sorted(RETRY_STATUSES)} may be retried, not {extra}: "
                "another status is not transient"
            )

    def backoff(self, attempt: int) -> float:
        """The jittered wait after failed attempt number ``attempt`` (1-based)."""
        ceiling = min(self.backoff_max, self.backoff_base * 2.0 ** (attempt - 1))
        return self.jitter() * ceiling

    def retryable(self, error: ClientError) -> bool:
        """Whether ``error`` is one a retry may follow (for an idempotent request)."""
        if isinstance(error, TransportError):
            return error.retryable
        return isinstance(error, ResponseError) and error.status_code in self.statuses

    def delay(
        self, error: ClientError, *, attempt: int, elapsed: float, retry_after: float | None
    ) -> float | None:
        """Seconds to wait before the next attempt, or ``None`` to give up.

        ``attempt`` is the number of the attempt that just failed and ``elapsed`` the
        seconds since the first one started.
        """
        if attempt >= self.max_attempts or not self.retryable(error):
            return None
        wait = self.backoff(attempt)
        if retry_after is not None:
            wait = max(wait, retry_after)
        if elapsed + wait > self.max_elapsed:
            return None
        return wait


@dataclass(frozen=True, slots=True)
class RetryEvent:
    """One retry, as reported to ``on_retry``: ``request`` is the request line with every
    credential masked, ``reason`` the status or exception that caused it, ``attempt`` the
    number of the attempt that failed, and ``delay`` the seconds before the next one."""

    request: str
    reason: str
    attempt: int
    max_attempts: int
    delay: float
    error: ClientError

    def __str__(self) -> str:
        return (
            f"retrying {self.request} after {self.reason} "
            f"(attempt {self.attempt} of {self.max_attempts} failed) in {self.delay:.2f}s"
        )


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """The seconds a ``Retry-After`` header asks for: delay-seconds or an HTTP-date.

    ``None`` for a missing or unreadable value; never negative.
    """
    if value is None:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    moment = now if now is not None else datetime.now(UTC)
    return max(0.0, (when - moment).total_seconds())
