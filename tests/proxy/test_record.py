"""``statuskit proxy --record DIR``: every exchange saved scrubbed, one placeholder per real
value across the whole recording, and each resource's lifecycle captured from the polls."""

from __future__ import annotations

import base64
import copy
import json
import re
import threading
from pathlib import Path
from typing import Any

import pytest

from statuskit import catalogue
from statuskit.errors import ConfigError
from statuskit.fixtures import documented
from statuskit.proxy._exchange import Exchange, Verdict
from statuskit.proxy._record import EXCHANGES, LIFECYCLES, Recorder
from statuskit.registry import SchemaRegistry

T0 = 1_767_225_600.0  # 2026-01-01, epoch seconds
JSON = (("Content-Type", "application/json"),)
# Credentials of this test's application: none is a kit default, so every one must go.
PASSWORD = "pw-Zq81-hidden-password"
TOKEN = "tk-Zq81-hidden-token-value"
COOKIE = "cookie-Zq81-hidden-session"
UTK = "utk-Zq81-hidden-utk-value"
SECRETS = (PASSWORD, TOKEN, COOKIE, UTK)
# Identifying values of the documented examples and of this test's application.
IDENTIFYING = (
    "274",
    "265",
    "vantasHoySep",
    "PARTNERSaleImporter_Hoy.xlsx",
    "acme",
    "sales-transaction_2016feb4v50.csv",
    "5702ea6db993f8f8cbea334c",
    "buyer@shop.example",
    "shop-touchpoint",
)


def thalamus(state: str, **changes: Any) -> dict[str, Any]:
    """The documented Thalamus record (id 274) in ``state``."""
    record: dict[str, Any] = documented("thalamus", "get-status", 200).load()
    record.update(state=state, **changes)
    return record


def exchange(
    api: str,
    operation: str,
    path: str,
    at: float,
    body: Any = None,
    *,
    method: str = "GET",
    status: int = 200,
    query: str = "",
    request_headers: tuple[tuple[str, str], ...] = (),
    request_body: bytes = b"",
    response_headers: tuple[tuple[str, str], ...] = JSON,
) -> Exchange:
    """An exchange as the proxy hands it to its observers."""
    raw = b"" if body is None else json.dumps(body).encode()
    return Exchange(
        api=api,
        operation=catalogue.operation(api, operation),
        method=method,
        path=path,
        query=query,
        request_headers=request_headers,
        request_body=request_body,
        status=status,
        response_headers=response_headers,
        response_body=raw,
        started=at,
        elapsed=0.002,
    )


def poll(at: float, body: Any, *, status: int = 200, record_id: str = "274") -> Exchange:
    """A Thalamus status poll by the application: token in the query, session cookie."""
    return exchange(
        "thalamus",
        "get-status",
        f"/api/v4/import/status/{record_id}",
        at,
        body,
        status=status,
        query=f"touchpoint=shop-touchpoint&token={TOKEN}",
        request_headers=(("Cookie", f"JSESSIONID={COOKIE}"), ("Accept", "application/json")),
    )


def login(at: float) -> Exchange:
    basic = base64.b64encode(f"buyer@shop.example:{PASSWORD}".encode()).decode()
    return exchange(
        "thalamus",
        "login",
        "/api/v3/thalamus_security_check",
        at,
        {"utk": UTK, "principal": "buyer@shop.example"},
        method="POST",
        query=f"touchpoint=shop-touchpoint&token={TOKEN}",
        request_headers=(("Authorization", f"Basic {basic}"),),
        response_headers=(*JSON, ("Set-Cookie", f"JSESSIONID={COOKIE}; Path=/; HttpOnly")),
    )


def lifecycle_run() -> list[Exchange]:
    """A login, a 404 before the import exists, then WAITING, PROCESSING twice with growing
    counters, and PROCESSED, polled at changing intervals."""
    return [
        login(T0 - 1),
        poll(T0 - 0.5, {"errors": {"id": "NotFound"}}, status=404),
        poll(T0, thalamus("WAITING", rowsOk=0)),
        poll(T0 + 1.0, thalamus("WAITING", rowsOk=0)),
        poll(T0 + 2.5, thalamus("PROCESSING", rowsOk=100)),
        poll(T0 + 3.0, thalamus("PROCESSING", rowsOk=300)),
        poll(T0 + 3.5, thalamus("PROCESSING", rowsOk=300)),
        poll(T0 + 5.25, thalamus("PROCESSED", rowsOk=576)),
        poll(T0 + 6.0, thalamus("PROCESSED", rowsOk=576)),
    ]


@pytest.fixture
def recorded(tmp_path: Path) -> Path:
    recorder = Recorder(tmp_path / "rec", environ={})
    for item in lifecycle_run():
        assert recorder.observe(item) == Verdict()
    recorder.close()
    return tmp_path / "rec"


def lines(folder: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (folder / EXCHANGES).read_text().splitlines()]


def document(folder: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((folder / LIFECYCLES).read_text())
    return loaded


def test_the_lifecycle_is_captured_with_times_from_the_first_sight(
    recorded: Path, registry: SchemaRegistry
) -> None:
    doc = document(recorded)
    assert registry.validate("admin", "recording", doc) == []
    [resource] = doc["resources"]
    assert (resource["api"], resource["operation"]) == ("thalamus", "get-status")
    assert [(r["state"], r["first_ms"], r["last_ms"], r["polls"]) for r in resource["states"]] == [
        ("WAITING", 0, 1000, 2),
        ("PROCESSING", 2500, 3500, 3),
        ("PROCESSED", 5250, 6000, 2),
    ]
    # A step for each change: of state, and of body within a state (the counters).
    steps = resource["steps"]
    assert [(s["at_ms"], s["state"]) for s in steps] == [
        (0, "WAITING"),
        (2500, "PROCESSING"),
        (3000, "PROCESSING"),
        (5250, "PROCESSED"),
    ]
    assert [s["body"]["rowsOk"] for s in steps] == [0, 100, 300, 576]
    labels = registry.definition("thalamus", "state")["x-state-labels"].values()
    for step in steps:
        assert step["body"]["state"] == step["state"]
        # The API's words are kept: a state's label (the example's "Canceled") is one.
        assert step["body"]["internationalizedState"] in labels
        # Scrubbed, and still the API's body: the mock's gate will take it.
        assert registry.validate("thalamus", "import-record", step["body"]) == []


def test_the_same_id_is_one_placeholder_across_every_exchange_and_the_lifecycle(
    recorded: Path, registry: SchemaRegistry
) -> None:
    [resource] = document(recorded)["resources"]
    key = resource["key"]
    assert key != "274"
    assert len(key) == 3
    assert key.isdigit()
    entries = lines(recorded)
    assert len(entries) == len(lifecycle_run())
    for entry in entries:
        assert registry.validate("admin", "recorded-exchange", entry) == []
    polls = [e for e in entries if e["operation"] == "get-status"]
    # The 404 came before any body named the id: its path is scrambled the same way.
    assert {e["request"]["path"] for e in polls} == {f"/api/v4/import/status/{key}"}
    assert {
        e["response"]["body"]["json"]["id"] for e in polls if e["response"]["status"] == 200
    } == {int(key)}
    assert {step["body"]["id"] for step in resource["steps"]} == {int(key)}
    # The touchpoint is one placeholder too, wherever it was sent.
    touchpoints = {v for e in entries for k, v in e["request"]["query"] if k == "touchpoint"}
    assert len(touchpoints) == 1
    assert touchpoints != {"shop-touchpoint"}
    # Other ids in the body (owner.id, the operators) are scrambled, and consistently.
    owners = {step["body"]["owner"]["id"] for step in resource["steps"]}
    assert len(owners) == 1
    assert owners != {265}


def test_no_secret_and_no_identifying_value_is_in_any_file(recorded: Path) -> None:
    texts = [path.read_text() for path in recorded.iterdir()]
    for secret in SECRETS:
        assert not any(secret in text for text in texts), secret
    for value in IDENTIFYING:
        # Whole values only: a scrambled value may hold the same characters by chance.
        found = re.compile(r"(?<![\w.@-])" + re.escape(value) + r"(?![\w.@-])")
        assert not any(found.search(text) for text in texts), value
    entries = lines(recorded)
    login_entry = entries[0]
    assert login_entry["response"]["body"]["json"]["utk"] == "***"
    assert ["Authorization", "Basic ***"] in login_entry["request"]["headers"]
    assert ["Set-Cookie", "JSESSIONID=***; Path=/; HttpOnly"] in login_entry["response"]["headers"]
    assert ["token", "***"] in entries[1]["request"]["query"]
    assert ["Cookie", "JSESSIONID=***"] in entries[1]["request"]["headers"]


def test_a_secret_learnt_from_the_traffic_is_masked_wherever_it_turns_up(tmp_path: Path) -> None:
    recorder = Recorder(tmp_path, environ={})
    recorder.observe(login(T0))
    # The upstream echoes the utk in a field that is not secret by name.
    echoed = thalamus("WAITING", name=f"echo {UTK}")
    recorder.observe(poll(T0 + 1, echoed))
    recorder.close()
    assert UTK not in (tmp_path / EXCHANGES).read_text()
    assert UTK not in (tmp_path / LIFECYCLES).read_text()


def tealium_status(states: list[str]) -> dict[str, Any]:
    status: dict[str, Any] = documented("tealium", "get-file-status", 200).load()
    status["status"] = [copy.deepcopy(e) for e in status["status"] if e["state"] in states]
    return status


def test_a_tealium_file_is_keyed_by_account_profile_and_name_as_its_path_says(
    tmp_path: Path, registry: SchemaRegistry
) -> None:
    recorder = Recorder(tmp_path, environ={})
    path = "/v2/omnichannel/accounts/acme/profiles/main/files/sales-transaction_2016feb4v50.csv"
    for at, states in [
        (T0, ["DOWNLOADING"]),
        (T0 + 0.4, ["DOWNLOADING", "DOWNLOADED"]),
        (T0 + 0.9, ["DOWNLOADING", "DOWNLOADED", "PROCESSING"]),
        (T0 + 2.0, ["DOWNLOADING", "DOWNLOADED", "PROCESSING", "PROCESSED"]),
    ]:
        recorder.observe(exchange("tealium", "get-file-status", path, at, tealium_status(states)))
    recorder.close()
    [resource] = document(tmp_path)["resources"]
    account, profile, name = resource["key"].split("/")
    assert "acme" not in (account, profile)
    assert name.endswith(".csv")
    assert name != "sales-transaction_2016feb4v50.csv"
    paths = {e["request"]["path"] for e in lines(tmp_path)}
    assert paths == {f"/v2/omnichannel/accounts/{account}/profiles/{profile}/files/{name}"}
    assert [(s["at_ms"], s["state"]) for s in resource["steps"]] == [
        (0, "DOWNLOADING"),
        (400, "DOWNLOADED"),
        (900, "PROCESSING"),
        (2000, "PROCESSED"),
    ]
    for step in resource["steps"]:
        assert registry.validate("tealium", "file-status", step["body"]) == []


def test_observing_from_many_threads_keeps_one_placeholder_and_whole_lines(tmp_path: Path) -> None:
    recorder = Recorder(tmp_path, environ={})
    barrier = threading.Barrier(8)

    def application(n: int) -> None:
        barrier.wait()
        for i in range(25):
            record_id = str(1000 + i % 5)
            body = thalamus("PROCESSING", id=int(record_id), rowsOk=i)
            recorder.observe(poll(T0 + n + i / 100, body, record_id=record_id))

    threads = [threading.Thread(target=application, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    recorder.close()
    entries = lines(tmp_path)
    assert sorted(e["n"] for e in entries) == list(range(200))
    by_path = {e["request"]["path"] for e in entries}
    by_body = {str(e["response"]["body"]["json"]["id"]) for e in entries}
    assert len(by_path) == 5
    assert {p.rsplit("/", 1)[1] for p in by_path} == by_body
    assert {r["key"] for r in document(tmp_path)["resources"]} == by_body


def test_a_broken_answer_is_recorded_and_never_raises(tmp_path: Path) -> None:
    recorder = Recorder(tmp_path, environ={})
    broken = exchange("thalamus", "get-status", "/api/v4/import/status/274", T0)
    broken = Exchange(**{**broken.__dict__, "response_body": b"<html>oops", "status": 200})
    assert recorder.observe(broken) == Verdict()
    recorder.close()
    [entry] = lines(tmp_path)
    assert entry["response"]["body"] == {"omitted": len(b"<html>oops")}
    assert document(tmp_path)["resources"] == []


def test_a_directory_that_cannot_be_written_is_a_config_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(ConfigError, match="cannot record to"):
        Recorder(blocker / "rec", environ={})
