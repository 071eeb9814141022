"""The journal's answers (each entry's response, scrubbed), its real-time cursor
(``real_since``) and what it leaves out (the dashboard's reads and files).

Over a real socket against ``statuskit serve --workers 2 --test-mode`` (the workers'
files), with credentials of its own so they can be searched for; in process (memory) for
what needs an app of its own.
"""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from flask import Flask, Response

from mockserver import create_app
from mockserver._journaled import UI_HEADER
from mockserver.journal import Journal
from mockserver.process import ServerProcess, serve_process
from statuskit.registry import default_registry
from tests.mock.conftest import client_for

JOURNAL = "/__admin/v1/journal"
STATUS = "/api/v4/import/status"
FILES = "/omnichannel/accounts/acme/profiles/main/files"
FILE = "sales-transaction_2016feb4v50.csv"
SECRETS = {
    "STATUSKIT_THALAMUS_TOKEN": f"tok-{secrets.token_hex(8)}",
    "STATUSKIT_THALAMUS_PASSWORD": f"pw-{secrets.token_hex(8)}",
    "STATUSKIT_TEALIUM_PASSWORD": f"tpw-{secrets.token_hex(8)}",
    "STATUSKIT_TEALIUM_API_KEY": f"key-{secrets.token_hex(8)}",
}
THALAMUS = {"touchpoint": "test", "token": SECRETS["STATUSKIT_THALAMUS_TOKEN"]}
LONGEST = default_registry().definition("admin", "responseBody", schema="journal")["maxLength"]


@pytest.fixture(scope="module")
def server() -> Iterator[ServerProcess]:
    with serve_process("--workers", "2", "--test-mode", env={**os.environ, **SECRETS}) as up:
        yield up


@pytest.fixture
def base(server: ServerProcess) -> str:
    """The server's base URL, its journal emptied."""
    assert httpx.delete(f"{server.base_url}{JOURNAL}").status_code == 200
    return server.base_url


def read(base: str, **params: Any) -> tuple[list[dict[str, Any]], str]:
    """The journal's entries, checked against its schema, and the answer's whole text."""
    response = httpx.get(f"{base}{JOURNAL}", params=params)
    assert response.status_code == 200, response.text
    assert default_registry().validate("admin", "journal", response.json()) == []
    entries: list[dict[str, Any]] = response.json()["entries"]
    return entries, response.text


def entry_of(entries: list[dict[str, Any]], method: str, path: str) -> dict[str, Any]:
    [found] = [e for e in entries if (e["method"], e["path"]) == (method, path)]
    return found


def answered(response: httpx.Response) -> dict[str, Any]:
    """What the journal should say of ``response``, a JSON answer with no secret in it."""
    return {
        "type": "application/json",
        "bytes": len(response.content),
        "body": response.text,
        "truncated": False,
    }


def thalamus_session(base: str) -> str:
    login = httpx.post(
        f"{base}/api/v3/thalamus_security_check",
        params=THALAMUS,
        auth=("consumer@example.com", SECRETS["STATUSKIT_THALAMUS_PASSWORD"]),
    )
    assert login.status_code == 200, login.text
    return login.cookies["JSESSIONID"]


# -- no secret, wherever an answer carried one ----------------------------------------------


def test_a_tealium_login_leaves_no_secret_in_the_journal(base: str) -> None:
    password, key = SECRETS["STATUSKIT_TEALIUM_PASSWORD"], SECRETS["STATUSKIT_TEALIUM_API_KEY"]
    login = httpx.post(
        f"{base}/v1/login", data={"username": "user@example.com", "password": password}
    )
    assert login.status_code == 200, login.text
    utk = login.json()["utk"]
    jsessionid = login.headers["set-cookie"].split(";")[0].partition("=")[2]
    v1 = httpx.get(
        f"{base}/v1{FILES}/{FILE}",
        params={"utk": utk},
        headers={"Cookie": f"JSESSIONID={jsessionid}"},
    )
    assert v1.status_code == 200, v1.text
    auth = httpx.post(f"{base}/v2/auth", data={"username": "user@example.com", "key": key})
    assert auth.status_code == 200, auth.text
    jwt = auth.json()["token"]
    v2 = httpx.get(f"{base}/v2{FILES}/{FILE}", headers={"Authorization": f"Bearer {jwt}"})
    assert v2.status_code == 200, v2.text

    entries, text = read(base)
    for secret in (password, key, utk, jsessionid, jwt):
        assert secret not in text
    # The secret fields of the answers are masked, and nothing else is changed.
    login_entry = entry_of(entries, "POST", "/v1/login")["response"]
    assert login_entry == {**answered(login), "body": '{"utk":"***"}'}
    auth_body = json.loads(entry_of(entries, "POST", "/v2/auth")["response"]["body"])
    assert auth_body == {**auth.json(), "token": "***"}
    assert entry_of(entries, "GET", f"/v1{FILES}/{FILE}")["response"] == answered(v1)
    assert entry_of(entries, "GET", f"/v2{FILES}/{FILE}")["response"] == answered(v2)


def test_a_thalamus_login_leaves_no_secret_in_the_journal(base: str) -> None:
    session = thalamus_session(base)
    cookie = {"Cookie": f"JSESSIONID={session}"}
    by_query = httpx.get(f"{base}{STATUS}/274", params=THALAMUS, headers=cookie)
    assert by_query.status_code == 200, by_query.text
    headers = {**cookie, "Thalamus-Touchpoint": "test", "Thalamus-Token": THALAMUS["token"]}
    assert httpx.get(f"{base}{STATUS}/274", headers=headers).status_code == 200

    entries, text = read(base)
    for secret in (SECRETS["STATUSKIT_THALAMUS_PASSWORD"], THALAMUS["token"], session):
        assert secret not in text
    login = entry_of(entries, "POST", "/api/v3/thalamus_security_check")
    assert json.loads(login["response"]["body"]) == {"principal": "consumer@example.com"}
    assert [e["response"] for e in entries if e["path"] == f"{STATUS}/274"] == [
        answered(by_query)
    ] * 2


# -- what is answered -----------------------------------------------------------------------


def test_an_error_and_a_cut_answer_are_journaled_as_sent(base: str) -> None:
    refused = httpx.get(f"{base}{STATUS}/274")  # no touchpoint
    assert refused.status_code == 400
    session = thalamus_session(base)
    page = httpx.get(
        f"{base}{STATUS}",
        params={**THALAMUS, "pageSize": 20},
        headers={"Cookie": f"JSESSIONID={session}"},
    )
    assert page.status_code == 200
    assert len(page.text) > LONGEST
    entries, _ = read(base)
    assert entry_of(entries, "GET", f"{STATUS}/274")["response"] == answered(refused)
    assert entry_of(entries, "GET", STATUS)["response"] == {
        "type": "application/json",
        "bytes": len(page.content),
        "body": page.text[:LONGEST],
        "truncated": True,
    }


def test_faulted_answers_are_journaled_as_meant_or_not_at_all(base: str) -> None:
    session = thalamus_session(base)
    cookie = {"Cookie": f"JSESSIONID={session}"}
    url = f"{base}{STATUS}/274"
    whole = httpx.get(url, params=THALAMUS, headers=cookie)

    def faulted(spec: str) -> httpx.Response | None:
        headers = {**cookie, "X-Statuskit-Fault": spec}
        try:
            return httpx.get(url, params=THALAMUS, headers=headers, timeout=10)
        except (httpx.RemoteProtocolError, httpx.ReadError):
            return None

    outage = faulted("kind=status; status=503")
    malformed = faulted("kind=malformed")
    assert faulted("kind=reset") is None
    assert faulted("kind=truncate") is None
    dribbled = faulted("kind=dribble; chunk_bytes=400; delay_ms=1")
    assert outage is not None
    assert malformed is not None
    assert dribbled is not None
    assert malformed.content == whole.content[: len(whole.content) // 2]
    assert dribbled.content == whole.content
    entries, _ = read(base)
    # In the order sent (one client, one request at a time).
    faults = [(e["status"], e["response"]) for e in entries if e["fault"] == "header"]
    assert faults == [
        (503, answered(outage)),
        (200, answered(malformed)),  # what was sent: half a document
        (None, {"type": None, "bytes": None, "body": None, "truncated": False}),  # reset
        (200, answered(whole)),  # truncate: the answer as meant, half of it sent
        (200, answered(whole)),  # dribble: the answer as meant, sent slowly
    ]


def test_a_bad_fault_header_is_journaled_with_its_400(base: str) -> None:
    refused = httpx.get(f"{base}{STATUS}/274", headers={"X-Statuskit-Fault": "kind=nope"})
    assert refused.status_code == 400
    entries, _ = read(base)
    assert entry_of(entries, "GET", f"{STATUS}/274")["response"] == answered(refused)


# -- real_since, on the workers' files --------------------------------------------------------


def test_real_since_reads_from_a_moment_of_real_time_on(base: str) -> None:
    for n in range(6):
        httpx.get(f"{base}{STATUS}/{900_000 + n}")
    everything, _ = read(base)
    assert len(everything) == 6
    cursor = everything[3]["real"]
    since, _ = read(base, real_since=cursor)
    assert since == [e for e in everything if e["real"] >= cursor]
    assert since[0] == everything[3]  # inclusive
    assert read(base, real_since=everything[-1]["real"] + 1)[0] == []
    assert read(base, real_since=cursor, limit=1)[0] == everything[-1:]


def test_a_bad_real_since_is_a_400_naming_it(base: str) -> None:
    response = httpx.get(f"{base}{JOURNAL}", params={"real_since": "soon"})
    assert response.status_code == 400
    assert "real_since: 'soon' is not epoch seconds" in response.json()["error"]["message"]


def test_the_dashboards_reads_and_files_are_not_journaled(base: str) -> None:
    ui = {UI_HEADER: "1"}
    assert httpx.get(f"{base}/__admin/v1/faults", headers=ui).status_code == 200
    httpx.get(f"{base}/__admin/ui/", headers=ui)
    httpx.get(f"{base}/__admin/ui/app.js")
    httpx.get(f"{base}/__admin/ui")
    # A write from the dashboard is journaled; so are reads without the header, and the
    # header on an API's own path means nothing.
    added = httpx.post(
        f"{base}/__admin/v1/faults",
        json={"kind": "latency", "ms": 1, "api": "thalamus"},
        headers=ui,
    )
    assert added.status_code == 201, added.text
    assert httpx.get(f"{base}/__admin/v1/faults").status_code == 200
    assert httpx.get(f"{base}{STATUS}/1", headers=ui).status_code == 400
    assert httpx.delete(f"{base}/__admin/v1/faults", headers=ui).status_code == 200
    entries, _ = read(base)
    assert [(e["method"], e["path"]) for e in entries] == [
        ("POST", "/__admin/v1/faults"),
        ("GET", "/__admin/v1/faults"),
        ("GET", f"{STATUS}/1"),
        ("DELETE", "/__admin/v1/faults"),
    ]
    assert entries[0]["response"] == answered(added)


# -- in process ----------------------------------------------------------------------------


@pytest.fixture
def app() -> Flask:
    return create_app({"generated": 0})


def test_in_memory_real_since_and_a_bodiless_answer(app: Flask) -> None:
    with client_for(app) as client:
        assert client.post("/__admin/v1/reset").status_code == 204
        client.get(f"{STATUS}/1")
        client.get(f"{STATUS}/2")
        entries = client.get(JOURNAL).json()["entries"]
        assert entries[0]["response"] == {
            "type": None,
            "bytes": 0,
            "body": None,
            "truncated": False,
        }
        cursor = entries[1]["real"]
        since = client.get(JOURNAL, params={"real_since": cursor}).json()["entries"]
    assert [e["path"] for e in since] == [e["path"] for e in entries if e["real"] >= cursor]
    assert since[0]["path"] == f"{STATUS}/1"


def test_the_admin_apis_answers_keep_fields_named_like_a_credential(app: Flask) -> None:
    # A lifecycle's "key" is a record key, not Tealium's API key: the kit's own answers hold
    # no API credential, so only secret values are masked there, never field names.
    with client_for(app) as client:
        made = client.post("/__admin/v1/tealium/files", json={"name": "kept.csv"})
        assert made.status_code == 201, made.text
        answer = client.get("/__admin/v1/lifecycles", params={"api": "tealium", "limit": 1})
        entries = client.get(JOURNAL).json()["entries"]
    shown = entry_of(entries, "GET", "/__admin/v1/lifecycles")["response"]["body"]
    assert json.loads(shown)["items"][0]["key"] == answer.json()["items"][0]["key"]
    assert answer.json()["items"][0]["key"].endswith("/kept.csv")


def test_a_streamed_answer_is_journaled_without_its_body(app: Flask) -> None:
    chunks = [b'{"rows": [', b"1, 2", b"]}"]

    def stream() -> Response:
        return Response(iter(chunks), mimetype="application/json")

    app.add_url_rule("/api/v4/stream", view_func=stream)
    with client_for(app) as client:
        got = client.get("/api/v4/stream")
        entries = client.get(JOURNAL).json()["entries"]
    assert got.content == b"".join(chunks)
    assert entry_of(entries, "GET", "/api/v4/stream")["response"] == {
        "type": "application/json",
        "bytes": None,
        "body": None,
        "truncated": False,
    }


def request(n: int) -> dict[str, Any]:
    return {"REQUEST_METHOD": "GET", "PATH_INFO": f"/{n}", "QUERY_STRING": ""}


BODY = json.dumps({"id": 274, "name": "x" * 600}).encode()
HEADERS = [("Content-Type", "application/json"), ("Content-Length", str(len(BODY)))]


@pytest.mark.parametrize("where", ["memory", "files"])
def test_real_since_and_responses_on_each_local_backend(tmp_path: Path, where: str) -> None:
    journal = Journal(None if where == "memory" else str(tmp_path), limit=100)
    for n in range(6):
        journal.record(
            request(n), api="thalamus", at=n, real=n, status=200, headers=HEADERS, body=BODY
        )
    journal.flush()
    assert [e["path"] for e in journal.read(real_since=3)] == ["/3", "/4", "/5"]
    assert [e["path"] for e in journal.read(real_since=3, until=3)] == ["/3"]
    kept = journal.read()
    assert [e["response"]["body"] for e in kept] == [BODY.decode()] * 6
    journal.close()


def test_a_workers_file_keeps_a_repeated_answer_once(tmp_path: Path) -> None:
    journal = Journal(str(tmp_path), limit=4)
    for n in range(10):
        journal.record(
            request(n), api="thalamus", at=n, real=n, status=200, headers=HEADERS, body=BODY
        )
        journal.flush()
    journal.close()
    files = sorted(tmp_path.glob("journal-*.jsonl"))
    assert len(files) == 2  # rolled over: each file holds the answer once, for itself
    for file in files:
        assert file.read_text().count("x" * 600) == 1
    kept = journal.read()
    assert [e["path"] for e in kept][-4:] == ["/6", "/7", "/8", "/9"]
    assert all(e["response"]["body"] == BODY.decode() for e in kept)
