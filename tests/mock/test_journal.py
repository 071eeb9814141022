"""The request journal: every request, no secret, queryable by path and time, shared by
every worker."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
from flask import Flask

from mockserver import create_app
from mockserver._state import EXTENSION, MockState
from mockserver.journal import Journal
from mockserver.process import ServerProcess, serve_process
from statuskit.registry import default_registry
from tests.mock.conftest import client_for

JOURNAL = "/__admin/v1/journal"
SECRETS = {
    "STATUSKIT_THALAMUS_TOKEN": f"tok-{secrets.token_hex(8)}",
    "STATUSKIT_THALAMUS_PASSWORD": f"pw-{secrets.token_hex(8)}",
    "STATUSKIT_TEALIUM_PASSWORD": f"tpw-{secrets.token_hex(8)}",
    "STATUSKIT_TEALIUM_API_KEY": f"key-{secrets.token_hex(8)}",
}


@pytest.fixture(scope="module")
def server() -> Iterator[ServerProcess]:
    """Two workers, with credentials of their own so they can be searched for."""
    with serve_process("--workers", "2", env={**os.environ, **SECRETS}) as running:
        yield running


def journal(base: str, **params: Any) -> list[dict[str, Any]]:
    response = httpx.get(f"{base}{JOURNAL}", params=params)
    assert response.status_code == 200, response.text
    body = response.json()
    assert default_registry().validate("admin", "journal", body) == []
    entries: list[dict[str, Any]] = body["entries"]
    return entries


def test_no_entry_holds_a_secret_wherever_it_was_sent(server: ServerProcess) -> None:
    base, token = server.base_url, SECRETS["STATUSKIT_THALAMUS_TOKEN"]
    httpx.delete(f"{base}{JOURNAL}")
    query = {"touchpoint": "test", "token": token}
    login = httpx.post(
        f"{base}/api/v3/thalamus_security_check",
        params=query,
        auth=("consumer@example.com", SECRETS["STATUSKIT_THALAMUS_PASSWORD"]),
    )
    session = login.cookies["JSESSIONID"]
    cookie = {"Cookie": f"JSESSIONID={session}"}
    status = f"{base}/api/v4/import/status/274"
    assert httpx.get(status, params=query, headers=cookie).status_code == 200
    by_header = {**cookie, "Thalamus-Touchpoint": "test", "Thalamus-Token": token}
    assert httpx.get(status, headers=by_header).status_code == 200
    # Sent where no credential belongs: an encoded name, another parameter, the path, a bare
    # Authorization header; each still kept out.
    httpx.get(f"{status}?touchpoint=test&tok%65n={token}", headers=cookie)
    httpx.get(status, params={"note": token}, headers={"Authorization": token})
    httpx.get(f"{base}/api/{token}")

    tealium = httpx.post(
        f"{base}/v1/login",
        data={"username": "user@example.com", "password": SECRETS["STATUSKIT_TEALIUM_PASSWORD"]},
    )
    jsessionid = tealium.headers["set-cookie"].split(";")[0].partition("=")[2]
    utk = tealium.json()["utk"]
    file = f"{base}/v1/omnichannel/accounts/acme/profiles/main/files/orders_2026nov01.csv"
    v1 = httpx.get(file, params={"utk": utk}, headers={"Cookie": f"JSESSIONID={jsessionid}"})
    assert v1.status_code == 200
    auth = httpx.post(
        f"{base}/v2/auth",
        data={"username": "user@example.com", "key": SECRETS["STATUSKIT_TEALIUM_API_KEY"]},
    )
    jwt = auth.json()["token"]
    v2 = httpx.get(file.replace("/v1/", "/v2/"), headers={"Authorization": f"Bearer {jwt}"})
    assert v2.status_code == 200

    entries = journal(base)
    assert len(entries) == 10
    text = json.dumps(entries)
    for secret in [*SECRETS.values(), session, jsessionid, utk, jwt]:
        assert secret not in text
    by_path = {(e["method"], e["path"], e["query"]): e for e in entries}
    login_entry = by_path["POST", "/api/v3/thalamus_security_check", "touchpoint=test&token"]
    assert login_entry["credentials"] == ["touchpoint", "token", "basic"]
    assert by_path["GET", "/api/v4/import/status/274", ""]["credentials"] == [
        "touchpoint",
        "token",
        "cookie:JSESSIONID",
    ]
    assert by_path["GET", "/api/***", ""]["status"] == 404
    v1_entry = by_path[
        "GET", "/v1/omnichannel/accounts/acme/profiles/main/files/orders_2026nov01.csv", "utk"
    ]
    assert v1_entry["credentials"] == ["utk", "cookie:JSESSIONID"]
    v2_entry = by_path[
        "GET", "/v2/omnichannel/accounts/acme/profiles/main/files/orders_2026nov01.csv", ""
    ]
    assert v2_entry["credentials"] == ["bearer"]


def test_every_request_is_journaled_whichever_worker_served_it(server: ServerProcess) -> None:
    base = server.base_url
    httpx.delete(f"{base}{JOURNAL}")
    paths = [f"/api/v4/import/status/{900_000 + i}" for i in range(20)]
    with ThreadPoolExecutor(4) as pool:
        statuses = list(pool.map(lambda p: httpx.get(f"{base}{p}").status_code, paths))
    assert statuses == [400] * 20  # no touchpoint
    entries = journal(base, path="/api/v4/import/status/9*")
    assert sorted(e["path"] for e in entries) == paths
    assert all(e["status"] == 400 and e["api"] == "thalamus" for e in entries)
    assert {e["worker"] for e in entries} <= {e["worker"] for e in journal(base)}


def test_clearing_forgets_every_workers_entries(server: ServerProcess) -> None:
    base = server.base_url
    for _ in range(6):
        httpx.get(f"{base}/api/v4/import/status/1")
    assert journal(base)
    cleared = httpx.delete(f"{base}{JOURNAL}")
    assert cleared.json() == {"entries": []}
    assert journal(base) == []
    httpx.get(f"{base}/api/v4/import/status/2")
    assert [e["path"] for e in journal(base)] == ["/api/v4/import/status/2"]


# -- in process ------------------------------------------------------------------------------


@pytest.fixture
def app() -> Flask:
    return create_app({"generated": 0})


def test_reads_filter_by_path_time_and_limit(app: Flask) -> None:
    with client_for(app) as client:
        client.post("/__admin/v1/clock/freeze", json={"at": 1_000})
        client.get("/api/v4/import/status/1")
        client.post("/__admin/v1/clock/advance", json={"seconds": 100})
        client.get("/api/v4/import/status/2")
        client.get("/v1/omnichannel/accounts/a/profiles/b/files/c.csv")

        def paths(**params: Any) -> list[str]:
            entries = client.get(JOURNAL, params=params).json()["entries"]
            return [e["path"] for e in entries if not e["path"].startswith("/__admin/")]

        assert paths() == [
            "/api/v4/import/status/1",
            "/api/v4/import/status/2",
            "/v1/omnichannel/accounts/a/profiles/b/files/c.csv",
        ]
        assert paths(path="/api/") == ["/api/v4/import/status/1", "/api/v4/import/status/2"]
        assert paths(path="*/files/*.csv") == ["/v1/omnichannel/accounts/a/profiles/b/files/c.csv"]
        assert paths(since=1_050) == paths(since="1970-01-01T00:17:30Z")
        assert paths(since=1_050)[0] == "/api/v4/import/status/2"
        assert paths(until=1_050, path="/api/") == ["/api/v4/import/status/1"]
        assert paths(limit=1) == ["/v1/omnichannel/accounts/a/profiles/b/files/c.csv"]
        entries = client.get(JOURNAL).json()["entries"]
        assert [e["at"] for e in entries if e["path"].startswith("/api/")] == [1_000, 1_100]


def test_reading_the_journal_does_not_add_to_it(app: Flask) -> None:
    with client_for(app) as client:
        client.get("/api/v4/import/status/1")
        first = client.get(JOURNAL).json()["entries"]
        again = client.get(JOURNAL).json()["entries"]
    assert first == again
    assert len(first) == 1


def test_clearing_in_process(app: Flask) -> None:
    with client_for(app) as client:
        client.get("/api/v4/import/status/1")
        assert client.delete(JOURNAL).json() == {"entries": []}
        client.get("/api/v4/import/status/2")
        entries = client.get(JOURNAL).json()["entries"]
    assert [e["path"] for e in entries] == ["/api/v4/import/status/2"]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"since": "yesterday"}, "since: 'yesterday' is not epoch seconds or an ISO-8601"),
        ({"until": "2026-01-01T00:00:00"}, "until: '2026-01-01T00:00:00' is not epoch seconds"),
        ({"limit": "-1"}, "limit: -1 is less than the minimum of 1"),
    ],
)
def test_bad_journal_queries_are_400(app: Flask, params: dict[str, str], message: str) -> None:
    with client_for(app) as client:
        response = client.get(JOURNAL, params=params)
    assert response.status_code == 400
    assert message in response.json()["error"]["message"]


def test_with_the_journal_off_reads_say_so() -> None:
    with client_for(create_app({"generated": 0, "journal": False})) as client:
        client.get("/api/v4/import/status/1")
        response = client.get(JOURNAL)
    assert response.status_code == 404
    assert "journal is off" in response.json()["error"]["message"]


def test_with_no_fault_configured_a_request_writes_nothing(app: Flask) -> None:
    state: MockState = app.extensions[EXTENSION]
    with client_for(app) as client:
        login = client.post(
            "/api/v3/thalamus_security_check",
            params={"touchpoint": "test", "token": "statuskit-token"},
            auth=("consumer@example.com", "statuskit"),
        )
        assert login.status_code == 200
        writes = 0
        transaction = state.store.transaction

        def counted() -> Any:
            nonlocal writes
            writes += 1
            return transaction()

        state.store.transaction = counted  # type: ignore[method-assign]
        try:
            for _ in range(5):
                response = client.get(
                    "/api/v4/import/status/274",
                    params={"touchpoint": "test", "token": "statuskit-token"},
                )
                assert response.status_code == 200
        finally:
            del state.store.transaction
    assert writes == 0


def request(n: int) -> dict[str, Any]:
    return {"REQUEST_METHOD": "GET", "PATH_INFO": f"/{n}", "QUERY_STRING": f"utk=u{n}"}


def test_a_workers_file_rolls_over_at_the_limit(tmp_path: Path) -> None:
    journal = Journal(str(tmp_path), limit=3)
    for n in range(8):
        journal.record(request(n), api="thalamus", at=n, real=n, status=200)
        journal.flush()
    journal.close()
    kept = journal.read()
    # The latest `limit` entries at least; never more than twice as many.
    assert [e["path"] for e in kept][-3:] == ["/5", "/6", "/7"]
    assert 3 <= len(kept) <= 6
    assert [e["query"] for e in kept][-1] == "utk"
    assert len(list(tmp_path.glob("journal-*.jsonl"))) == 2


WORKER = """
import sys, time
from mockserver.journal import Journal
journal = Journal(sys.argv[1], limit=100)
for n in range(50):
    journal.record({"PATH_INFO": f"/{n}"}, api="thalamus", at=n, real=n, status=200)
print("queued", flush=True)
time.sleep(30)
"""


def test_a_read_waits_for_another_workers_queued_entries(tmp_path: Path) -> None:
    worker = subprocess.Popen(
        [sys.executable, "-c", WORKER, str(tmp_path)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert worker.stdout is not None
        assert worker.stdout.readline() == "queued\n"
        # Queued a moment ago, in another process: the read waits for its flush.
        entries = Journal(str(tmp_path), limit=100).read()
        assert [e["path"] for e in entries] == [f"/{n}" for n in range(50)]
        assert {e["worker"] for e in entries} == {worker.pid}
    finally:
        worker.kill()
        worker.wait()
        if worker.stdout is not None:
            worker.stdout.close()


def test_in_memory_the_journal_keeps_the_latest_entries() -> None:
    journal = Journal(None, limit=2)
    for n in range(5):
        journal.record(request(n), api="thalamus", at=n, real=n, status=200)
    assert [e["path"] for e in journal.read()] == ["/3", "/4"]
