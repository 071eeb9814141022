"""Probing is paced, bounded and GET-and-login only; progress is a bar on a terminal and
plain lines elsewhere."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable
from typing import Any

import httpx
import pytest
from flask import Flask

from statuskit.drift import DriftOptions, Progress
from statuskit.drift._http import BudgetExhausted, Http
from tests.drift.conftest import THALAMUS_PROBES, run_against
from tests.drift.mutate import Mutating


class FakeTime:
    """A clock that only moves when slept on."""

    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(round(seconds, 3))
        self.now += seconds


def http_for(handler: Callable[[httpx.Request], httpx.Response], **kwargs: object) -> Http:
    return Http(
        "http://target.invalid",
        logins=frozenset({"/login"}),
        transport=httpx.MockTransport(handler),
        **kwargs,  # type: ignore[arg-type]
    )


def test_requests_are_paced() -> None:
    time = FakeTime()
    http = http_for(lambda r: httpx.Response(200), pace=0.5, sleep=time.sleep, clock=time.clock)
    for _ in range(3):
        http.send(http.build("GET", "/x"))
    assert time.slept == [0.5, 0.5]


def test_the_budget_bounds_the_run() -> None:
    http = http_for(lambda r: httpx.Response(200), pace=0, budget=2)
    http.send(http.build("GET", "/x"))
    http.send(http.build("GET", "/x"))
    with pytest.raises(BudgetExhausted):
        http.send(http.build("GET", "/x"))
    assert (http.sent, http.exhausted) == (2, True)


def test_a_429_is_waited_out_once() -> None:
    time = FakeTime()
    answers = iter([httpx.Response(429, headers={"Retry-After": "7"}), httpx.Response(200)])
    http = http_for(lambda r: next(answers), pace=0, sleep=time.sleep, clock=time.clock)
    assert http.send(http.build("GET", "/x")).status_code == 200
    assert time.slept == [7.0]
    assert http.sent == 2


@pytest.mark.parametrize(
    ("method", "path"), [("POST", "/api/v4/import/file"), ("DELETE", "/x"), ("PUT", "/login")]
)
def test_only_gets_and_the_login_can_be_sent(method: str, path: str) -> None:
    http = http_for(lambda r: httpx.Response(200))
    with pytest.raises(ValueError, match="only GET and log in"):
        http.build(method, path)
    assert http.build("POST", "/login").method == "POST"


def test_a_whole_run_sends_only_gets_and_logins(mock_app: Flask) -> None:
    methods: list[str] = []

    def spy(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        methods.append(f"{environ['REQUEST_METHOD']} {environ['PATH_INFO']}")
        answer: Iterable[bytes] = mock_app(environ, start_response)
        return answer

    for api in ("thalamus", "tealium"):
        run_against(spy, api)
    assert {m for m in methods if not m.startswith("GET ")} == {
        "POST /api/v3/thalamus_security_check",
        "POST /v1/login",
    }


def test_a_small_budget_is_a_note_not_an_error(mock_app: Flask) -> None:
    report = run_against(Mutating(mock_app), "tealium", options=DriftOptions(pace=0, budget=3))
    assert report.requests == 3
    assert report.notes == ["the request budget (3) ran out; later probes were not sent"]
    assert report.findings == []


def test_progress_is_a_bar_on_a_terminal_and_lines_elsewhere(mock_app: Flask) -> None:
    terminal, plain = io.StringIO(), io.StringIO()
    run_against(mock_app, "thalamus", progress=Progress(terminal, tty=True))
    run_against(mock_app, "thalamus", progress=Progress(plain, tty=False))
    drawn = terminal.getvalue()
    n = THALAMUS_PROBES
    assert drawn.count("\r[") == n
    assert drawn.endswith("\n")
    # The last refusal: list-imports' last filter case.
    assert f"] {n}/{n} GET /api/v4/import/status -> 400" in drawn
    lines = plain.getvalue().splitlines()
    assert len(lines) == n
    assert lines[0] == f"statuskit drift: 1/{n} POST /api/v3/thalamus_security_check -> 200"
    silent = io.StringIO()
    run_against(mock_app, "thalamus", progress=Progress(silent, enabled=False))
    assert silent.getvalue() == ""
