"""Failures of the multi-host setup: PostgreSQL stopped under load, and an instance killed.

A setup of its own (this module breaks it). The tests run in this order: the outage leaves
PostgreSQL running again; the kill test then takes instance A away for good.
"""

from __future__ import annotations

import functools
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from typing import Any

import httpx
import pytest

from statuskit.client import ThalamusClient
from statuskit.errors import TransportError
from statuskit.registry import default_registry
from tests.mock.served import Callers, login
from tests.multihost.cluster import Cluster, cluster, descendants
from tests.multihost.conftest import require

#: Longer than any answer may take while PostgreSQL is down (the pool waits about 2 s for
#: a connection): a request still unanswered then has hung. (``Callers`` wait 10 s too.)
BOUND = 10.0
#: How long PostgreSQL's return may take to reach every worker's pool.
RECOVERY = 30.0

Call = Callable[[], httpx.Response]


@pytest.fixture(scope="module")
def outage() -> Iterator[Cluster]:
    """Two instances on PostgreSQL behind nginx, for this module alone."""
    require()
    with cluster() as running:
        yield running


def calls(setup: Cluster, callers: Callers) -> list[tuple[str, str, Call]]:
    """(label, api, call): each API and the admin API through each instance and nginx."""
    auth = {"Authorization": f"Bearer {setup.admin_token}"}
    found: list[tuple[str, str, Call]] = []
    for where in (setup.url, *(i.url for i in setup.instances)):
        at = replace(callers, base=where)  # one session, valid on every instance
        found += [
            (f"thalamus at {where}", "thalamus", at.thalamus),
            (f"tealium at {where}", "tealium", at.tealium),
            (f"admin at {where}", "admin", functools.partial(_clock, where, auth)),
        ]
    return found


def _clock(where: str, auth: dict[str, str]) -> httpx.Response:
    return httpx.get(f"{where}/__admin/v1/clock", headers=auth, timeout=BOUND)


def unavailable(api: str, response: httpx.Response) -> bool:
    """Whether ``response`` is a 503 in ``api``'s own error format, with ``Retry-After``."""
    if response.status_code != 503 or "retry-after" not in response.headers:
        return False
    if response.headers.get("content-type") != "application/json":
        return False
    return default_registry().validate(api, "error", response.json()) == []


@dataclass
class Load:
    """Threads calling every call in turn until stopped; every answer or error kept."""

    calls: list[tuple[str, str, Call]]
    answers: list[tuple[str, int]] = field(default_factory=list)
    wrong: list[str] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)

    def run(self) -> None:
        while not self.stop.is_set():
            for label, api, call in self.calls:
                try:
                    response = call()
                except httpx.HTTPError as exc:  # a hang (timeout) or a dropped connection
                    self.wrong.append(f"{label}: {type(exc).__name__}")
                    continue
                self.answers.append((label, response.status_code))
                if response.status_code != 200 and not unavailable(api, response):
                    self.wrong.append(f"{label}: {response.status_code} {response.text[:200]}")


def pids(setup: Cluster) -> set[int]:
    """Every process of every instance."""
    return {
        pid
        for i in setup.instances
        for pid in (i.server.process.pid, *descendants(i.server.process.pid))
    }


def until_all_answer_200(checks: list[tuple[str, str, Call]]) -> None:
    deadline = time.monotonic() + RECOVERY
    for label, _, call in checks:
        while (status := call().status_code) != 200:
            assert time.monotonic() < deadline, f"{label} still answers {status}"
            time.sleep(0.2)


def test_postgres_stopped_under_load_answers_503_then_recovers(outage: Cluster) -> None:
    assert outage.postgres is not None
    checks = calls(outage, login(outage.url))
    assert [call().status_code for _, _, call in checks] == [200] * len(checks)
    before = pids(outage)
    load = Load(checks)
    threads = [threading.Thread(target=load.run) for _ in range(3)]
    for thread in threads:
        thread.start()
    try:
        outage.postgres.stop()
        # All at once: each waits for the pool's bounded wait, so one after another is slow.
        with ThreadPoolExecutor(len(checks)) as pool:
            answers = list(pool.map(lambda check: check[2](), checks))
        for (label, api, _), response in zip(checks, answers, strict=True):
            assert unavailable(api, response), (label, response.status_code, response.text)
        outage.postgres.start()
        until_all_answer_200(checks)
    finally:
        load.stop.set()
        for thread in threads:
            thread.join()
        if not outage.postgres.running():
            outage.postgres.start()
    assert load.wrong == []
    assert {status for _, status in load.answers} == {200, 503}
    # No instance exited, no worker died and was replaced: the same processes serve on.
    assert all(i.server.process.poll() is None for i in outage.instances)
    assert pids(outage) == before
    for _ in range(3):
        assert [call().status_code for _, _, call in checks] == [200] * len(checks)
    # What the instances printed through the outage never shows the database's password.
    for instance in outage.instances:
        printed = "\n".join([*instance.server.banner, *instance.server.output])
        assert outage.postgres.password not in printed


def test_a_killed_instance_loses_nothing_it_acknowledged(outage: Cluster) -> None:
    a, b = outage.instances
    acknowledged: list[tuple[int, str]] = []
    failures: list[BaseException] = []

    def upload_until_gone() -> None:
        with ThalamusClient.from_env(a.url) as via_a:
            for n in range(10_000):
                name = f"before-the-kill-{n}"
                try:
                    record = via_a.upload(b"k,v\n", name, 25012, filename="k.xlsx")
                except TransportError:
                    return  # A is gone: this upload was never acknowledged
                except BaseException as exc:
                    failures.append(exc)
                    return
                acknowledged.append((record.id, name))

    uploader = threading.Thread(target=upload_until_gone)
    uploader.start()
    while len(acknowledged) < 20 and uploader.is_alive():
        time.sleep(0.01)
    # A journal read through B has every worker, A's included, write what it queued: what
    # was answered before it began is in the table for good. (A's workers write every
    # 10 ms; the entries of what A answered in its last few milliseconds die with it.)
    journaled = len(acknowledged)
    with outage.admin(b.url) as admin:
        admin.requests("/api/v4/import/file")
    a.kill()
    uploader.join(timeout=60)
    assert not uploader.is_alive()
    assert failures == []
    assert len(acknowledged) >= 20
    with ThalamusClient.from_env(b.url) as via_b:
        for record_id, name in acknowledged:
            assert via_b.get_status(record_id).name == name
    # The balancer sends every request to the instance left.
    with ThalamusClient.from_env(outage.url) as client:
        for record_id, name in acknowledged[-5:]:
            assert client.get_status(record_id).name == name
    with outage.admin() as admin:
        uploads: list[dict[str, Any]] = admin.requests("/api/v4/import/file")
    assert len([e for e in uploads if e["status"] in (200, 201)]) >= journaled
