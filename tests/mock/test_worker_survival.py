"""A server worker killed during concurrent uploads is replaced, and nothing acknowledged is
lost (docs/reliability.md, "Workers that die").

``statuskit serve --workers 2`` runs as a user starts it, on granian and on gunicorn. Threads
upload Thalamus imports through the API and create Tealium files through the admin API; once
some are acknowledged, one worker is killed. The uploads go on. Afterwards every
acknowledged write reads back as written under its own id, the server still answers new
uploads, it has two workers again, and its output says in exactly one line which worker
died and which pid replaced it.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TypeVar

import httpx
import pytest

from mockserver._supervised_granian import CRASH_LOOP
from mockserver.process import ServerProcess, serve_process
from tests.mock.served import Callers, Q, login, login_thalamus
from tests.mock.thalamus_support import IMPORT_TYPES, STATUS, UPLOAD

T = TypeVar("T")

THALAMUS_THREADS, UPLOADS_PER_THREAD = 4, 30
TEALIUM_FILES = 20
#: Acknowledged writes before the kill: well under the total, so writes go on around it.
KILL_AFTER = 25
#: Seconds any single wait may take on a busy two-core machine (a bound, not a measure).
DEADLINE = 90


def live_workers(server: ServerProcess) -> set[int]:
    """The server's child processes that have not exited (its workers)."""
    pid = server.process.pid
    children: set[int] = set()
    for task in os.listdir(f"/proc/{pid}/task"):
        with contextlib.suppress(OSError):
            text = Path(f"/proc/{pid}/task/{task}/children").read_text()
            children |= {int(child) for child in text.split()}
    return {child for child in children if _running(child)}


def _running(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    # The state letter follows the command name, which is in parentheses.
    return stat.rsplit(")", 1)[1].split()[0] not in {"Z", "X"}


def eventually(check: Callable[[], T | None], what: str, server: ServerProcess) -> T:
    """Poll ``check`` until it gives a value, within the deadline."""
    deadline = time.monotonic() + DEADLINE
    while time.monotonic() < deadline:
        found = check()
        if found is not None:
            return found
        time.sleep(0.05)
    output = "\n".join(server.output)
    pytest.fail(f"gave up waiting: {what}; workers {live_workers(server)}; output:\n{output}")


@dataclass
class Writes:
    """Every write attempted: what was acknowledged, answered otherwise, or unanswered."""

    #: Thalamus upload name → the id its acknowledgement gave.
    imports: dict[str, int] = field(default_factory=dict)
    #: Tealium file names acknowledged.
    files: list[str] = field(default_factory=list)
    acknowledged: int = 0
    #: Acknowledged writes whose request started after the kill.
    after_kill: int = 0
    refused: list[str] = field(default_factory=list)
    unanswered: list[str] = field(default_factory=list)
    killed_at: float | None = None
    enough: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def attempt(self, send: Callable[[], httpx.Response], expected: int) -> httpx.Response | None:
        """Send one write; file its outcome; the response if it was acknowledged."""
        started = time.monotonic()
        try:
            response = send()
        except httpx.TransportError as exc:  # the worker died with the request in flight
            with self.lock:
                self.unanswered.append(type(exc).__name__)
            return None
        with self.lock:
            if response.status_code != expected:
                self.refused.append(f"{response.status_code} {response.text[:200]}")
                return None
            self.acknowledged += 1
            if self.killed_at is not None and started > self.killed_at:
                self.after_kill += 1
            if self.acknowledged >= KILL_AFTER:
                self.enough.set()
        return response


@contextmanager
def fresh_connections(callers: Callers) -> Iterator[httpx.Client]:
    """A client that opens a new connection for each request: requests spread over the
    workers, and one on a dead worker's connection fails alone."""
    no_reuse = httpx.Limits(max_keepalive_connections=0)
    with httpx.Client(base_url=callers.base, timeout=30, limits=no_reuse) as client:
        yield client


def upload(client: httpx.Client, callers: Callers, name: str) -> httpx.Response:
    """A Thalamus upload through the API."""
    return client.post(
        UPLOAD,
        params={**Q, "name": name, "type": str(IMPORT_TYPES[2])},
        headers={"Cookie": f"JSESSIONID={callers.jsessionid}"},
        files={"file": (f"{name}.xlsx", name.encode() * 50)},
    )


def read_import(client: httpx.Client, callers: Callers, record_id: int) -> httpx.Response:
    """A Thalamus import's status through the API."""
    cookie = {"Cookie": f"JSESSIONID={callers.jsessionid}"}
    return client.get(f"{STATUS}/{record_id}", params=Q, headers=cookie)


def uploader(callers: Callers, writes: Writes, thread: int) -> None:
    with fresh_connections(callers) as client:
        for n in range(UPLOADS_PER_THREAD):
            name = f"survivor-{thread}-{n}"
            response = writes.attempt(partial(upload, client, callers, name), 200)
            if response is not None:
                with writes.lock:
                    writes.imports[name] = response.json()["id"]


def file_maker(callers: Callers, writes: Writes) -> None:
    with fresh_connections(callers) as client:
        for n in range(TEALIUM_FILES):
            name = f"survivor-{n}.csv"
            create = partial(client.post, "/__admin/v1/tealium/files", json={"name": name})
            response = writes.attempt(create, 201)
            if response is not None:
                with writes.lock:
                    writes.files.append(response.json()["items"][0]["file"]["name"])


def concurrent_writes(server: ServerProcess, callers: Callers, kill: int) -> tuple[Writes, int]:
    """Write from several threads; SIGKILL-like ``kill`` one worker mid-way. Returns the
    writes and the pid killed."""
    writes = Writes()
    with ThreadPoolExecutor(THALAMUS_THREADS + 1) as pool:
        running = [pool.submit(uploader, callers, writes, t) for t in range(THALAMUS_THREADS)]
        running.append(pool.submit(file_maker, callers, writes))
        assert writes.enough.wait(DEADLINE), "the first writes never came back"
        victim = min(live_workers(server))
        with writes.lock:
            writes.killed_at = time.monotonic()
        os.kill(victim, kill)
        for future in running:
            future.result()
    return writes, victim


@pytest.fixture
def server(request: pytest.FixtureRequest) -> Iterator[ServerProcess]:
    """``statuskit serve --workers 2`` on the server named by the test, both workers up."""
    with serve_process("--workers", "2", "--server", request.param) as running:
        eventually(lambda: len(live_workers(running)) == 2 or None, "two workers", running)
        yield running


def replacement_line(server: ServerProcess, victim: int, reason: str) -> re.Match[str]:
    """The one line that reports ``victim``'s death and its replacement."""
    pattern = re.compile(
        rf"statuskit: worker ([12]) \(pid {victim}\) died \({reason}\); replaced by pid (\d+)"
    )
    return eventually(
        lambda: next(filter(None, map(pattern.fullmatch, list(server.output))), None),
        f"the line reporting worker {victim}'s replacement",
        server,
    )


CASES = [
    pytest.param("granian", signal.SIGKILL, "killed by SIGKILL", id="granian-SIGKILL"),
    pytest.param("gunicorn", signal.SIGKILL, "killed by SIGKILL", id="gunicorn-SIGKILL"),
    # How gunicorn's arbiter kills a worker that timed out: it leaves at once (status 1).
    pytest.param("gunicorn", signal.SIGABRT, "exit code 1", id="gunicorn-SIGABRT"),
    # A gunicorn worker told to stop by someone other than the arbiter leaves through
    # Python's exit (status 0), running the cleanup its stack holds: it must not be the
    # shared state's.
    pytest.param("gunicorn", signal.SIGTERM, "exit code 0", id="gunicorn-SIGTERM"),
]


@pytest.mark.parametrize(("server", "kill", "reason"), CASES, indirect=["server"])
def test_a_killed_worker_is_replaced_and_no_acknowledged_write_is_lost(
    server: ServerProcess, kill: signal.Signals, reason: str
) -> None:
    callers = login(server.base_url)
    writes, victim = concurrent_writes(server, callers, kill)

    # The others kept serving: every answer was an acknowledgement, and most writes started
    # after the kill got one. Only requests around the kill went unanswered: those the dead
    # worker had in flight and, on granian, connections queued on its own listening socket
    # as it died (docs/reliability.md); never one after the replacement (see below).
    assert writes.refused == []
    assert len(writes.unanswered) < writes.after_kill, writes.unanswered

    # Replaced, in one line that names the dead and the new pid.
    line = replacement_line(server, victim, reason)

    def two_again() -> set[int] | None:
        workers = live_workers(server)
        return workers if len(workers) == 2 and victim not in workers else None

    workers = eventually(two_again, "two workers again", server)
    assert int(line.group(2)) in workers
    output = list(server.output)
    assert [text for text in output if " died (" in text] == [line.group(0)], output
    assert not [t for t in output if "Unexpected exit" in t or "Worker (pid:" in t], output

    # Every acknowledged write reads back as written, under an id no other write got.
    ids = list(writes.imports.values())
    assert len(set(ids)) == len(ids)
    with fresh_connections(callers) as client:
        names = [read_import(client, callers, i).json().get("name") for i in ids]
        files = [callers.tealium(name).status_code for name in writes.files]
        # The server still answers, and hands out ids no earlier write got.
        later = [upload(client, callers, f"after-{n}") for n in range(10)]
        assert [r.status_code for r in later] == [200] * 10
        later_ids = [r.json()["id"] for r in later]
        later_names = [read_import(client, callers, i).json().get("name") for i in later_ids]
    assert names == list(writes.imports)
    assert files == [200] * len(writes.files)
    assert later_names == [f"after-{n}" for n in range(10)]
    assert len(set(later_ids) | set(ids)) == len(later_ids) + len(ids)
    assert callers.admin("GET", "/__admin/v1/journal", params={"limit": 5}).status_code == 200
    assert server.process.poll() is None

    # And it still stops cleanly, with nothing unreadable on the way.
    assert server.stop() == 0
    assert "statuskit: stopped" in server.output
    assert not [text for text in server.output if "Traceback" in text]


@pytest.mark.parametrize("server", ["granian", "gunicorn"], indirect=True)
def test_a_worker_killed_again_as_soon_as_it_is_replaced_is_replaced_again(
    server: ServerProcess,
) -> None:
    # Granian's own rule would stop the whole server at the second kill within 5.5 s; a
    # worker is taken for a crash loop only at its CRASH_LOOP-th quick death in a row.
    victim = min(live_workers(server))
    lines = []
    for _ in range(CRASH_LOOP - 1):
        os.kill(victim, signal.SIGKILL)
        line = replacement_line(server, victim, "killed by SIGKILL")
        lines.append(line.group(0))
        victim = int(line.group(2))
    assert len({line.split(" (pid")[0] for line in lines}) == 1  # the same worker each time
    assert [text for text in server.output if " died (" in text] == lines
    eventually(
        lambda: live_workers(server) if len(live_workers(server)) == 2 else None,
        "two workers again",
        server,
    )
    callers = login(server.base_url)
    assert callers.thalamus().status_code == 200
    assert server.stop() == 0


def test_a_gunicorn_worker_aborted_mid_request_leaves_it_unanswered_not_a_500() -> None:
    # SIGABRT is how gunicorn's arbiter kills a worker that timed out. Gunicorn itself would
    # answer the request in flight with its HTML 500 page; the worker leaves at once.
    # Two workers: one sleeps in the slow request while the other answers the admin API.
    with serve_process("--server", "gunicorn", "--api", "thalamus", "--workers", "2") as running:
        eventually(lambda: len(live_workers(running)) == 2 or None, "two workers", running)
        callers = login_thalamus(running.base_url)
        fault = callers.fault(kind="latency", ms=20_000, api="thalamus", times=1)
        outcome: list[str] = []

        def slow_request() -> None:
            with fresh_connections(callers) as client:
                try:
                    outcome.append(str(read_import(client, callers, 274).status_code))
                except httpx.TransportError as exc:
                    outcome.append(type(exc).__name__)

        request = threading.Thread(target=slow_request)
        request.start()

        def in_flight() -> int | None:
            # The fault is counted before its delay starts: the request is being served.
            listed = callers.admin("GET", "/__admin/v1/faults").json()["faults"]
            return next((1 for f in listed if f["id"] == fault["id"] and f["fired"]), None)

        eventually(in_flight, "the slow request to arrive", running)
        workers = live_workers(running)
        for worker in workers:  # whichever is serving it
            os.kill(worker, signal.SIGABRT)
        request.join(timeout=DEADLINE)
        # The connection closed without an answer (neither a status nor a timeout).
        assert outcome in (["RemoteProtocolError"], ["ReadError"])
        for worker in workers:
            replacement_line(running, worker, "exit code 1")
        assert callers.thalamus().status_code == 200
