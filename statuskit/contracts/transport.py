"""The contract suites' transport: every request of a run passes through it.

:class:`ContractTransport` wraps the transport that reaches the target (an in-process
``WSGITransport`` or a real ``HTTPTransport``) and, in this order:

1. refuses what the guard forbids: against a live target, anything but a GET or a session
   call (login, logout) unless writes are allowed, and anything over the request budget;
2. paces what it sends (at most ``rate`` requests a second);
3. in a dry run, lists the request and has a stand-in (the in-process mock) answer it, so
   the flow goes on without anything reaching the target;
4. hands each exchange to an observer (the coverage recorder).

Refusing calls ``refuse(reason)``, which must raise: the suites pass ``pytest.skip``, so a
refused test is skipped with the reason. The clock and sleep of :class:`Pacer` are
injectable, so pacing is tested without sleeping.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import NoReturn

import httpx

from statuskit.client._redact import request_line
from statuskit.errors import GuardrailError

__all__ = ["Budget", "ContractTransport", "Guard", "Pacer", "Sent"]

Observer = Callable[[httpx.Request, httpx.Response], None]
_READS = frozenset({"GET", "HEAD", "OPTIONS"})


def _raise(reason: str) -> NoReturn:
    raise GuardrailError(reason)


class Pacer:
    """At most ``rate`` requests a second: each request waits until ``1/rate`` seconds
    after the one before it. ``clock`` is monotonic seconds; ``sleep`` waits."""

    def __init__(
        self,
        rate: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if rate <= 0:
            raise ValueError(f"rate must be positive, not {rate}")
        self.interval = 1.0 / rate
        self.clock = clock
        self.sleep = sleep
        self._next: float | None = None

    def wait(self) -> float:
        """Wait for this request's turn; return the seconds waited."""
        now = self.clock()
        delay = 0.0
        if self._next is not None and now < self._next:
            delay = self._next - now
            self.sleep(delay)
            now = self._next
        self._next = now + self.interval
        return delay


@dataclass
class Budget:
    """How many requests a run may send; :meth:`take` spends one."""

    limit: int
    spent: int = 0

    def take(self) -> bool:
        """Spend one request; ``False`` once the budget is gone."""
        if self.spent >= self.limit:
            return False
        self.spent += 1
        return True


@dataclass
class Guard:
    """The live guardrails: which requests may go out, how many, and how fast.

    ``is_session(method, path)`` says whether a request is a login or logout (allowed
    without ``allow_writes``); ``path`` is the URL's path.
    """

    budget: Budget
    pacer: Pacer | None
    allow_writes: bool
    is_session: Callable[[str, str], bool]

    def refusal(self, request: httpx.Request) -> str | None:
        """Why ``request`` may not be sent, or ``None`` when it may."""
        method, path = request.method.upper(), request.url.path
        if not self.allow_writes and method not in _READS and not self.is_session(method, path):
            return (
                f"not sent: {method} {path} may change data on {request.url.host}, a live "
                "target; pass --contract-allow-writes to allow it"
            )
        if not self.budget.take():
            return (
                f"not sent: the request budget of {self.budget.limit} is spent "
                "(raise it with --contract-budget)"
            )
        return None


@dataclass(frozen=True)
class Sent:
    """A request listed by a dry run: which test sent it, and its line (credentials masked)."""

    label: str
    line: str


@dataclass
class ContractTransport(httpx.BaseTransport):
    """A transport that guards, paces, lists (dry run) and observes every request.

    ``label`` names the test under way, for the dry-run list.
    """

    inner: httpx.BaseTransport
    guard: Guard | None = None
    observers: list[Observer] = field(default_factory=list)
    dry_run: bool = False
    stand_in: httpx.BaseTransport | None = None
    refuse: Callable[[str], NoReturn] = _raise
    label: Callable[[], str] = lambda: ""
    sent: list[Sent] = field(default_factory=list)
    count: int = 0

    def __repr__(self) -> str:
        return f"ContractTransport(sent={self.count}, dry_run={self.dry_run})"

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if self.guard is not None:
            reason = self.guard.refusal(request)
            if reason is not None:
                self.refuse(reason)
        if self.dry_run:
            self.sent.append(Sent(self.label(), request_line(request)))
            if self.stand_in is None:
                self.refuse("dry run: nothing is sent")
            return self.stand_in.handle_request(request)
        if self.guard is not None and self.guard.pacer is not None:
            self.guard.pacer.wait()
        response = self.inner.handle_request(request)
        self.count += 1
        if self.observers:
            response.read()
            for observe in self.observers:
                observe(request, response)
        return response

    def close(self) -> None:
        for transport in self._transports():
            transport.close()

    def _transports(self) -> Iterable[httpx.BaseTransport]:
        yield self.inner
        if self.stand_in is not None:
            yield self.stand_in
