"""The request journal on PostgreSQL: one journal for every instance sharing the database.

Two apps on one database stand for two ``statuskit serve`` instances (each has its own
store and pool, as another host would); the multi-host test runs real ones behind nginx.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
from flask import Flask

from mockserver import create_app
from mockserver._journal_pg import PgJournal
from mockserver._state import EXTENSION, MockState
from mockserver.journal import Journal
from mockserver.process import serve_process
from mockserver.store import open_store
from statuskit.registry import default_registry
from tests.mock.conftest import client_for
from tests.multihost.cluster import descendants
from tests.postgres import PostgresServer, connect, postgres_server, postgres_url

__all__ = ["postgres_server", "postgres_url"]  # the fixtures, used by name

JOURNAL = "/__admin/v1/journal"
STATUS = "/api/v4/import/status/274"
TOKEN = f"tok-{secrets.token_hex(8)}"
PASSWORD = f"pw-{secrets.token_hex(8)}"
CREDENTIALS = {"touchpoint": "test", "token": TOKEN}


def instance(url: str, **config: Any) -> httpx.Client:
    """A client of one more instance on the database at ``url``."""
    settings = {
        "generated": 0,
        "state_url": url,
        "thalamus": {"token": TOKEN, "password": PASSWORD},
        **config,
    }
    return client_for(create_app(settings))


@pytest.fixture
def two(postgres_url: str) -> Iterator[tuple[httpx.Client, httpx.Client]]:
    """Two instances on one fresh database."""
    with instance(postgres_url) as a, instance(postgres_url) as b:
        yield a, b


def entries(client: httpx.Client, **params: Any) -> list[dict[str, Any]]:
    """The journal read through ``client``, checked against its schema."""
    response = client.get(JOURNAL, params=params)
    assert response.status_code == 200, response.text
    body = response.json()
    assert default_registry().validate("admin", "journal", body) == []
    found: list[dict[str, Any]] = body["entries"]
    return found


def paths(client: httpx.Client, **params: Any) -> list[str]:
    """The paths of the journal's entries that are not admin calls."""
    return [e["path"] for e in entries(client, **params) if not e["path"].startswith("/__admin/")]


def test_one_journal_for_two_instances_in_order(two: tuple[httpx.Client, httpx.Client]) -> None:
    a, b = two
    sent = []
    for n in range(12):
        through = (a, b)[n % 2]
        path = f"/api/v4/import/status/{900_000 + n}"
        # Every third one without its touchpoint (a 400), the others without a session.
        response = through.get(path, params=None if n % 3 == 0 else CREDENTIALS)
        sent.append((path, response.status_code, response.headers.get("x-statuskit-hint")))
        # Read through the other instance right after the answer: the entry is there.
        seen = entries((b, a)[n % 2], path="/api/v4/import/status/9")
        assert [(e["path"], e["status"], e["hint"]) for e in seen] == sent
    through_a, through_b = entries(a), entries(b)
    assert through_a == through_b
    assert [(e["path"], e["status"], e["hint"]) for e in through_a] == sent
    assert {status for _, status, _ in sent} == {400, 401}
    assert all(hint for _, _, hint in sent)  # near misses, each with its hint
    assert len({e["id"] for e in through_a}) == len(sent)
    assert [e["real"] for e in through_a] == sorted(e["real"] for e in through_a)


def test_clearing_through_one_instance_clears_for_both(
    two: tuple[httpx.Client, httpx.Client],
) -> None:
    a, b = two
    a.get(STATUS, params=CREDENTIALS)
    b.get(STATUS, params=CREDENTIALS)
    assert paths(a) == paths(b) == [STATUS, STATUS]
    assert b.delete(JOURNAL).json() == {"entries": []}
    assert entries(a) == entries(b) == []
    a.get("/api/v4/import/status/1", params=CREDENTIALS)
    assert paths(b) == ["/api/v4/import/status/1"]


def test_reads_filter_by_path_time_and_limit(two: tuple[httpx.Client, httpx.Client]) -> None:
    a, b = two
    # One clock for both instances: frozen through one, advanced through the other.
    a.post("/__admin/v1/clock/freeze", json={"at": 1_000})
    a.get("/api/v4/import/status/1")
    b.post("/__admin/v1/clock/advance", json={"seconds": 100})
    b.get("/api/v4/import/status/2")
    a.get("/v1/omnichannel/accounts/a/profiles/b/files/c.csv")
    b.get("/v1/omnichannel/accounts/a/profiles/b/files/d_e.csv")
    files = [
        "/v1/omnichannel/accounts/a/profiles/b/files/c.csv",
        "/v1/omnichannel/accounts/a/profiles/b/files/d_e.csv",
    ]
    assert paths(a) == ["/api/v4/import/status/1", "/api/v4/import/status/2", *files]
    assert paths(b, path="/api/") == ["/api/v4/import/status/1", "/api/v4/import/status/2"]
    assert paths(a, path="*/files/*.csv") == files
    assert paths(a, path="*/files/?.csv") == files[:1]
    # A glob's '_' and '%' are the characters themselves.
    assert paths(b, path="*/d_e.csv") == files[1:]
    assert paths(b, path="*/d%e.csv") == []
    assert paths(a, path="*/files/[c].csv") == files[:1]
    assert paths(a, path="*/files/[!c]*.csv") == files[1:]
    assert paths(b, path="/api/v4/import/status/[0-9]") == paths(b, path="/api/")
    assert paths(a, since=1_050) == paths(a, since="1970-01-01T00:17:30Z")
    assert paths(a, since=1_050)[0] == "/api/v4/import/status/2"
    assert paths(b, until=1_050, path="/api/") == ["/api/v4/import/status/1"]
    assert paths(a, limit=1) == files[1:]
    assert paths(b, limit=1, path="*/files/[cd]*") == files[1:]
    assert [e["at"] for e in entries(a, path="/api/")] == [1_000, 1_100]


def test_no_secret_value_reaches_the_table(
    postgres_url: str, two: tuple[httpx.Client, httpx.Client]
) -> None:
    a, b = two
    login = a.post(
        "/api/v3/thalamus_security_check",
        params=CREDENTIALS,
        auth=("consumer@example.com", PASSWORD),
    )
    assert login.status_code == 200, login.text
    session = login.cookies["JSESSIONID"]
    a.cookies.clear()
    cookie = {"Cookie": f"JSESSIONID={session}"}
    assert b.get(STATUS, params=CREDENTIALS, headers=cookie).status_code == 200
    # Where no credential belongs: an encoded name, another parameter, the path, a bare
    # Authorization header.
    b.get(f"{STATUS}?touchpoint=test&tok%65n={TOKEN}", headers=cookie)
    a.get(STATUS, params={"note": PASSWORD}, headers={"Authorization": TOKEN})
    b.get(f"/api/{TOKEN}")
    assert len(entries(a)) == 5
    with connect(postgres_url) as conn:
        rows = conn.execute("SELECT * FROM journal").fetchall()
    assert len(rows) == 5
    table = json.dumps([[str(value) for value in row] for row in rows])
    for secret in (TOKEN, PASSWORD, session):
        assert secret not in table
    assert "/api/***" in table


def test_an_instance_keeps_the_latest_entries(postgres_url: str) -> None:
    store = open_store(postgres_url)
    try:
        journal = Journal(None, 5, store=store)
        backend = journal._backend
        assert isinstance(backend, PgJournal)
        for n in range(12):
            journal.record({"PATH_INFO": f"/{n}"}, api="thalamus", at=n, real=n, status=200)
        # Written by this worker's thread; a flush waits for every worker's. Trimming is
        # housekeeping off the request's path; here it is run at once.
        journal.flush()
        backend.trim()
        with connect(postgres_url) as conn:
            kept = conn.execute("SELECT count(*) FROM journal").fetchone()
        assert kept == (5,)
        assert [e["path"] for e in journal.read()] == [f"/{n}" for n in range(7, 12)]
        journal.clear()
        backend.trim()
        with connect(postgres_url) as conn:
            assert conn.execute("SELECT count(*) FROM journal").fetchone() == (0,)
    finally:
        store.close()


def test_recording_while_the_store_is_down_does_not_crash(
    postgres_server: PostgresServer, postgres_url: str
) -> None:
    app: Flask = create_app({"generated": 0, "state_url": postgres_url})
    state: MockState = app.extensions[EXTENSION]
    assert state.bookkeeping is not None
    assert state.bookkeeping.journal is not None
    journal = state.bookkeeping.journal
    with client_for(app) as client:
        assert client.get(STATUS).status_code == 400
        # Stopped cleanly: a crash could lose the last entries, committed without waiting
        # for the disk (synchronous_commit off), which is the journal's bargain.
        postgres_server.stop("fast")
        try:
            # The journal alone, with no request around it: the entry waits, quietly.
            journal.record(
                {"PATH_INFO": "/down"}, api="thalamus", at=0, real=time.time(), status=200
            )
            down = client.get(STATUS)
            assert down.status_code == 503, down.text
            assert "errors" in down.json()
            read = client.get(JOURNAL)
            assert read.status_code == 503, read.text
            assert default_registry().validate("admin", "error", read.json()) == []
            assert read.headers["retry-after"] == "1"
        finally:
            postgres_server.start()
        # Back: the next request is journaled, and the read answers again. What came
        # while the store was down waited in the worker's queue: nothing was lost.
        back = client.get(STATUS, params={"touchpoint": "test", "token": "statuskit-token"})
        assert back.status_code == 401, back.text  # no session: the store answered
        assert [(e["path"], e["status"]) for e in entries(client)] == [
            (STATUS, 400),
            ("/down", 200),
            (STATUS, 401),
        ]


def test_served_instances_share_it_and_a_killed_one_keeps_what_it_wrote(
    postgres_url: str,
) -> None:
    """Two ``statuskit serve`` instances of two workers each; a read through B has A's
    workers write their queues; A is then killed outright, and the next read, which waits
    for A's dead workers no longer than its bound, still has every request A answered."""
    env = {**os.environ, "STATUSKIT_STATE_URL": postgres_url}
    with (
        serve_process("--workers", "2", env=env) as a,
        serve_process("--workers", "2", env=env) as b,
    ):
        workers = [set(descendants(server.process.pid)) for server in (a, b)]
        sent = [f"/api/v4/import/status/{900_000 + n}" for n in range(40)]

        def get(n: int) -> int:
            return httpx.get(f"{(a, b)[n % 2].base_url}{sent[n]}").status_code

        with ThreadPoolExecutor(4) as pool:
            assert list(pool.map(get, range(len(sent)))) == [400] * len(sent)
        before = httpx.get(f"{b.base_url}{JOURNAL}", params={"path": "/api/v4/import/"})
        assert len(before.json()["entries"]) == len(sent)
        # A, every worker with it, dies at once: what it wrote stays.
        for pid in [a.process.pid, *workers[0]]:
            os.kill(pid, signal.SIGKILL)
        a.process.wait()
        response = httpx.get(f"{b.base_url}{JOURNAL}", params={"path": "/api/v4/import/"})
        assert response.status_code == 200, response.text
        seen = response.json()["entries"]
        assert default_registry().validate("admin", "journal", response.json()) == []
    assert sorted(e["path"] for e in seen) == sent
    assert [e["real"] for e in seen] == sorted(e["real"] for e in seen)
    by_path = {e["path"]: e for e in seen}
    for n, path in enumerate(sent):
        assert by_path[path]["worker"] in workers[n % 2]


def test_real_since_and_answers_through_either_instance(
    postgres_url: str, two: tuple[httpx.Client, httpx.Client]
) -> None:
    a, b = two
    for n in range(6):
        (a, b)[n % 2].get(f"/api/v4/import/status/{900_000 + n}")
    everything = entries(a)
    assert len(everything) == 6
    cursor = everything[3]["real"]
    assert entries(b, real_since=cursor) == [e for e in everything if e["real"] >= cursor]
    assert entries(b, real_since=cursor)[0] == everything[3]  # inclusive
    assert entries(a, real_since=cursor, path="/api/", limit=1) == everything[-1:]
    assert entries(a, real_since=everything[-1]["real"] + 1) == []
    # A login's answer, kept in the table with its secret field masked.
    login = b.post("/v1/login", data={"username": "user@example.com", "password": "statuskit"})
    assert login.status_code == 200, login.text
    utk = login.json()["utk"]
    jsessionid = login.headers["set-cookie"].split(";")[0].partition("=")[2]
    [entry] = entries(a, path="/v1/login")
    assert entry["response"] == {
        "type": "application/json",
        "bytes": len(login.content),
        "body": '{"utk":"***"}',
        "truncated": False,
    }
    assert entries(a, path="/api/")[0]["response"]["body"] == everything[0]["response"]["body"]
    with connect(postgres_url) as conn:
        table = json.dumps(conn.execute("SELECT entry FROM journal").fetchall())
    assert utk not in table
    assert jsessionid not in table
