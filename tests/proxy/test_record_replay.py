"""Record, then replay, end to end: a lifecycle polled through ``statuskit proxy --record``
in front of a ``statuskit serve`` upstream replays in a fresh ``statuskit serve``, where the
reference client sees the same states, in the same order, to the same end."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import httpx
import pytest

from mockserver.process import serve_process
from statuskit.client import ThalamusClient
from statuskit.client.polling import is_terminal
from statuskit.proxy import ProxyOptions, create_proxy_app
from statuskit.proxy import _handler as proxy_handler
from statuskit.proxy._record import EXCHANGES, LIFECYCLES
from tests.helpers import served

START = 1_800_000_000
SCENARIO = {"rows": 300, "wait_seconds": 30, "process_seconds": 90, "progress_steps": 3}
#: A poller that reads every minute, through an import of 3 + 9 minutes.
POLL_SECONDS = 60
SLOW_SCENARIO = {"rows": 300, "wait_seconds": 180, "process_seconds": 540, "progress_steps": 3}


def distinct(states: list[str]) -> list[str]:
    return [s for i, s in enumerate(states) if i == 0 or states[i - 1] != s]


@contextmanager
def recording_proxy(upstream: str, folder: Path) -> Iterator[str]:
    """``create_proxy_app`` with ``record=folder`` in front of ``upstream``, served."""
    app = create_proxy_app(ProxyOptions(upstream=upstream, api="thalamus", record=str(folder)))
    with closing(app), served(app) as url:
        yield url


def record_lifecycle(
    folder: Path,
    scenario: dict[str, int],
    *,
    polls: int,
    every: int,
    at: Callable[[float], object] = lambda moment: None,
) -> tuple[int, list[str]]:
    """One import of ``scenario`` on a ``statuskit serve`` upstream, polled through a proxy
    recording into ``folder`` up to ``polls`` times, staging's clock ``every`` seconds on per
    poll (each moment told to ``at`` first): its real id and the states the client saw."""
    through_proxy: list[str] = []
    with (
        serve_process("--api", "thalamus") as upstream,
        httpx.Client(base_url=upstream.base_url) as staging,
    ):
        staging.post("/__admin/v1/clock/freeze", json={"at": START})
        made = staging.post("/__admin/v1/thalamus/imports", json={"scenario": scenario})
        real_id: int = made.json()["items"][0]["id"]
        with (
            recording_proxy(upstream.base_url, folder) as proxy,
            ThalamusClient.from_env(proxy, environ={}) as client,
        ):
            for n in range(polls):
                at(START + n * every)
                staging.post("/__admin/v1/clock/set", json={"at": START + n * every})
                record = client.get_status(real_id)
                through_proxy.append(record.state)
                if is_terminal(record):
                    break
    return real_id, through_proxy


def test_a_lifecycle_recorded_through_the_proxy_replays_in_a_fresh_serve(tmp_path: Path) -> None:
    folder = tmp_path / "recorded"
    real_id, through_proxy = record_lifecycle(folder, SCENARIO, polls=20, every=10)
    assert through_proxy[-1] == "PROCESSED"
    [resource] = json.loads((folder / LIFECYCLES).read_text())["resources"]
    assert resource["key"] != str(real_id)
    steps = resource["steps"]
    assert [run["state"] for run in resource["states"]] == distinct(through_proxy)

    with (
        serve_process("--api", "thalamus") as fresh,
        httpx.Client(base_url=fresh.base_url) as admin,
        ThalamusClient.from_env(fresh.base_url, environ={}) as client,
    ):
        admin.post("/__admin/v1/clock/freeze", json={"at": START})
        replayed = admin.post(
            "/__admin/v1/replay", json=json.loads((folder / LIFECYCLES).read_text())
        )
        assert replayed.status_code == 201, replayed.text
        seen = []
        # The recorded timing is the proxy's: each step at its moment after the first sight.
        for step in steps:
            admin.post("/__admin/v1/clock/set", json={"at": START + step["at_ms"] / 1000})
            record = client.get_status(resource["key"])
            assert record.to_json() == step["body"]
            seen.append(record.state)
        assert distinct(seen) == distinct(through_proxy)
        assert seen[-1] == "PROCESSED"


@pytest.fixture
def staging_time(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The proxy's wall clock, as the moments of staging's clock this test sets.

    A real import takes minutes and its poller reads it minute by minute, so the proxy
    records minutes; here staging's clock jumps a minute per poll in a few milliseconds of
    wall time. The proxy stamps each exchange with ``time.time()``: it reads staging's
    moment instead, so the recording holds the minutes a real one would.
    """
    moment = [float(START)]
    monkeypatch.setattr(proxy_handler, "time", SimpleNamespace(time=lambda: moment[0]))
    return moment


def _body_at(steps: list[dict[str, Any]], at_ms: int) -> Any:
    """The body a replay shows ``at_ms`` after its start: the last step begun by then."""
    return [s for s in steps if s["at_ms"] <= at_ms][-1]["body"]


def test_serve_replay_dir_plays_a_recorded_lifecycle_poll_for_poll(
    tmp_path: Path, staging_time: list[float]
) -> None:
    folder = tmp_path / "recorded"

    def follow(moment: float) -> None:
        staging_time[0] = moment

    real_id, through_proxy = record_lifecycle(
        folder, SLOW_SCENARIO, polls=30, every=POLL_SECONDS, at=follow
    )
    assert distinct(through_proxy) == ["WAITING", "PROCESSING", "PROCESSED"]
    [resource] = json.loads((folder / LIFECYCLES).read_text())["resources"]
    # Each progress step while processing is a body of its own.
    assert len(resource["steps"]) == 2 + SLOW_SCENARIO["progress_steps"]
    assert str(real_id) not in json.dumps(resource)
    assert [run["state"] for run in resource["states"]] == distinct(through_proxy)
    assert all(step["at_ms"] % (POLL_SECONDS * 1000) == 0 for step in resource["steps"])
    polls = [json.loads(line) for line in (folder / EXCHANGES).read_text().splitlines()]
    assert [p["operation"] for p in polls].count("get-status") == len(through_proxy)

    replayed: list[str] = []
    with serve_process("--api", "thalamus", "--replay", str(folder)) as fresh:
        assert any("Replaying the recording" in line for line in fresh.banner)
        with (
            httpx.Client(base_url=fresh.base_url) as admin,
            ThalamusClient.from_env(fresh.base_url, environ={}) as client,
        ):
            # The replay started with the server, a moment ago: freezing now and polling at
            # the recording's minutes from here sees what each poll saw, as long as the
            # server took less than a minute to start (tests/mock/test_replay.py too).
            base = admin.post("/__admin/v1/clock/freeze").json()["now"]
            for n in range(len(through_proxy)):
                admin.post("/__admin/v1/clock/set", json={"at": base + n * POLL_SECONDS})
                record = client.get_status(resource["key"])
                assert record.to_json() == _body_at(resource["steps"], n * POLL_SECONDS * 1000)
                replayed.append(record.state)
    assert replayed == through_proxy
