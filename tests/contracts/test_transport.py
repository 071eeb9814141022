"""The guarded transport: pacing without sleeping, the budget, refused writes, dry runs,
and observers."""

from __future__ import annotations

from typing import NoReturn

import httpx
import pytest

from statuskit.contracts.transport import Budget, ContractTransport, Guard, Pacer
from statuskit.errors import GuardrailError

LIVE = "https://staging.statuskit.invalid"


class FakeTime:
    """A clock that moves only when something sleeps on it, or when told."""

    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def test_the_pacer_spaces_requests_by_one_over_the_rate() -> None:
    time = FakeTime()
    pacer = Pacer(5, clock=time.clock, sleep=time.sleep)
    for _ in range(4):
        pacer.wait()
    assert time.slept == pytest.approx([0.2, 0.2, 0.2])


def test_the_pacer_does_not_wait_when_requests_are_already_far_apart() -> None:
    time = FakeTime()
    pacer = Pacer(2, clock=time.clock, sleep=time.sleep)
    pacer.wait()
    time.now += 1.0
    assert pacer.wait() == 0.0
    time.now += 0.1
    assert pacer.wait() == pytest.approx(0.4)
    assert time.slept == pytest.approx([0.4])


def test_a_pacer_needs_a_positive_rate() -> None:
    with pytest.raises(ValueError, match="positive"):
        Pacer(0)


def _echo(seen: list[httpx.Request]) -> httpx.MockTransport:
    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"ok": True})

    return httpx.MockTransport(answer)


def _guard(limit: int = 10, *, writes: bool = False) -> Guard:
    return Guard(Budget(limit), None, writes, lambda method, path: path == "/v1/login")


def _client(transport: httpx.BaseTransport) -> httpx.Client:
    return httpx.Client(base_url=LIVE, transport=transport)


def test_gets_and_logins_go_out_and_writes_are_refused() -> None:
    seen: list[httpx.Request] = []
    with _client(ContractTransport(_echo(seen), guard=_guard())) as client:
        client.get("/api/v4/import/status/1")
        client.post("/v1/login", data={"username": "u", "password": "p"})
        with pytest.raises(GuardrailError, match="--contract-allow-writes"):
            client.post("/api/v4/import/file", content=b"x")
    assert [r.method for r in seen] == ["GET", "POST"]


def test_writes_go_out_when_allowed() -> None:
    seen: list[httpx.Request] = []
    with _client(ContractTransport(_echo(seen), guard=_guard(writes=True))) as client:
        client.post("/api/v4/import/file", content=b"x")
    assert len(seen) == 1


def test_the_budget_stops_requests_and_the_refusal_is_the_suites_to_make() -> None:
    seen: list[httpx.Request] = []
    reasons: list[str] = []

    def refuse(reason: str) -> NoReturn:
        reasons.append(reason)
        raise RuntimeError(reason)

    transport = ContractTransport(_echo(seen), guard=_guard(2), refuse=refuse)
    with _client(transport) as client:
        client.get("/a")
        client.get("/b")
        with pytest.raises(RuntimeError):
            client.get("/c")
    assert len(seen) == transport.count == 2
    assert reasons == [
        "not sent: the request budget of 2 is spent (raise it with --contract-budget)"
    ]


def test_pacing_happens_in_the_transport() -> None:
    time = FakeTime()
    guard = Guard(
        Budget(10), Pacer(4, clock=time.clock, sleep=time.sleep), False, lambda m, p: False
    )
    with _client(ContractTransport(_echo([]), guard=guard)) as client:
        for _ in range(3):
            client.get("/x")
    assert time.slept == pytest.approx([0.25, 0.25])


def test_observers_see_each_exchange_read() -> None:
    seen: list[tuple[str, bytes]] = []

    def observe(request: httpx.Request, response: httpx.Response) -> None:
        seen.append((request.url.path, response.content))

    with _client(ContractTransport(_echo([]), observers=[observe])) as client:
        client.get("/x")
    assert seen == [("/x", b'{"ok":true}')]


def test_a_dry_run_lists_requests_masked_and_sends_nothing() -> None:
    sent: list[httpx.Request] = []
    stood_in: list[httpx.Request] = []
    transport = ContractTransport(
        _echo(sent),
        guard=_guard(),
        dry_run=True,
        stand_in=_echo(stood_in),
        label=lambda: "test_x",
    )
    with _client(transport) as client:
        client.get("/v1/x", params={"utk": "utk-SECRET-1", "n": "1"})
        with pytest.raises(GuardrailError):
            client.post("/api/v4/import/file")
    assert sent == []
    assert len(stood_in) == 1
    [listed] = transport.sent
    assert listed.label == "test_x"
    assert listed.line == f"GET {LIVE}/v1/x?utk=***&n=1"
    assert transport.count == 0


def test_a_dry_run_without_a_stand_in_refuses() -> None:
    transport = ContractTransport(_echo([]), dry_run=True)
    with _client(transport) as client, pytest.raises(GuardrailError, match="dry run"):
        client.get("/x")
    assert len(transport.sent) == 1
