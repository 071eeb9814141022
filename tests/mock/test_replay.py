"""A recorded lifecycle replays in the mock: ``POST /__admin/v1/replay`` and
``statuskit serve --replay DIR``.

The recording is made as ``statuskit proxy --record`` makes one: a poller's exchanges with a
staging stand-in (an in-process mock whose clock the test moves) handed to the
:class:`~statuskit.proxy._record.Recorder`. The replay is polled with the reference client
at the same moments of a fresh mock's clock, and must answer, poll for poll, the bodies the
recording saw (scrubbed), through to the same end state.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from flask import Flask

from mockserver import create_app
from mockserver.process import serve_process
from statuskit import catalogue
from statuskit.client import TealiumClient, ThalamusClient
from statuskit.credentials import TealiumCredentials, ThalamusCredentials
from statuskit.proxy._exchange import Exchange
from statuskit.proxy._record import EXCHANGES, LIFECYCLES, Recorder
from statuskit.registry import SchemaRegistry
from tests.helpers import statuskit
from tests.proxy.exchanges import from_httpx

START = 1_800_000_000  # the staging stand-in's frozen clock, epoch seconds
POLL_SECONDS = 60
POLLS = 14  # 0 s to 780 s: past the scenario's end at 720 s
#: Waiting 3 minutes, then three progress steps over 9 minutes, some rows failing.
SCENARIO = {"rows": 300, "wait_seconds": 180, "process_seconds": 540, "progress_steps": 3}
SCENARIO_ERRORS = {**SCENARIO, "error_rate": 0.1}
THALAMUS = ThalamusCredentials()
TEALIUM = TealiumCredentials()
Q = {"touchpoint": THALAMUS.touchpoint, "token": THALAMUS.token.reveal()}
OPERATIONS = catalogue.operations()


@dataclass(frozen=True)
class Recording:
    folder: Path
    api: str
    #: The resource's scrubbed key, and the scrubbed bodies the poller saw, poll by poll.
    key: str
    seen: list[dict[str, Any]]
    #: The staging stand-in's own key, before scrubbing.
    real_key: str


def observed(response: httpx.Response, at: float) -> Exchange:
    """What the proxy hands its observers for one answer of the staging stand-in."""
    return from_httpx(response.request, response, started=at)


def _login(http: httpx.Client, api: str) -> dict[str, str]:
    """Log in on the staging stand-in; the headers a status request then sends."""
    if api == "thalamus":
        login = http.post(
            catalogue.login_path(),
            params=Q,
            auth=(THALAMUS.principal, THALAMUS.password.reveal()),
        )
        assert login.status_code == 200, login.text
        return {}
    auth = http.post(
        "/v2/auth", data={"username": TEALIUM.username, "key": TEALIUM.api_key.reveal()}
    )
    assert auth.status_code == 200, auth.text
    return {"Authorization": f"Bearer {auth.json()['token']}"}


def record(api: str, folder: Path) -> Recording:
    """Record one import (Thalamus) or file (Tealium, v2) polled every minute through its life."""
    staging = create_app({"generated": 0})
    recorder = Recorder(folder, environ={})
    with httpx.Client(transport=httpx.WSGITransport(app=staging), base_url="http://s") as http:
        http.post("/__admin/v1/clock/freeze", json={"at": START})
        if api == "thalamus":
            made = http.post("/__admin/v1/thalamus/imports", json={"scenario": SCENARIO_ERRORS})
            real_key = str(made.json()["items"][0]["id"])
            path, params = f"/api/v4/import/status/{real_key}", Q
        else:
            made = http.post("/__admin/v1/tealium/files", json={"scenario": SCENARIO})
            name = made.json()["items"][0]["file"]["name"]
            real_key = f"{TEALIUM.account}/{TEALIUM.profile}/{name}"
            path = f"/v2/omnichannel/accounts/{TEALIUM.account}/profiles/{TEALIUM.profile}"
            path, params = f"{path}/files/{name}", {}
        headers = _login(http, api)
        for n in range(POLLS):
            at = START + n * POLL_SECONDS
            http.post("/__admin/v1/clock/set", json={"at": at})
            answer = http.get(path, params=params, headers=headers)
            assert answer.status_code == 200, answer.text
            recorder.observe(observed(answer, at))
    recorder.close()
    [resource] = json.loads((folder / LIFECYCLES).read_text())["resources"]
    entries = [json.loads(line) for line in (folder / EXCHANGES).read_text().splitlines()]
    seen = [e["response"]["body"]["json"] for e in entries if e["request"]["method"] == "GET"]
    return Recording(folder, api, resource["key"], seen, real_key)


def state_of(api: str, body: dict[str, Any]) -> str:
    state: str = body["state"] if api == "thalamus" else body["status"][-1]["state"]
    return state


@pytest.fixture(scope="module", params=["thalamus", "tealium"])
def recording(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Recording:
    return record(request.param, tmp_path_factory.mktemp(f"recorded-{request.param}"))


def test_the_recording_saw_the_whole_lifecycle_under_a_scrubbed_key(recording: Recording) -> None:
    states = [state_of(recording.api, body) for body in recording.seen]
    assert states[0] in ("WAITING", "DOWNLOADING")
    assert states[-1] == "PROCESSED"
    assert "PROCESSING" in states
    assert recording.key != recording.real_key
    assert recording.real_key.rsplit("/", 1)[-1] not in (recording.folder / LIFECYCLES).read_text()


def poll_replay(
    api: str, key: str, base_url: str, at: Callable[[float], object], transport: Any = None
) -> list[dict[str, Any]]:
    """The reference client polls ``key`` at the recording's moments of the mock's clock
    (``at`` sets it); the bodies it read, as the wire had them."""
    seen = []
    if api == "thalamus":
        with ThalamusClient.from_env(base_url, environ={}, transport=transport) as thalamus:
            for n in range(POLLS):
                at(START + n * POLL_SECONDS)
                seen.append(thalamus.get_status(key).to_json())
        return seen
    account, profile, name = key.split("/", 2)
    with TealiumClient.from_env(
        base_url, account=account, profile=profile, api_version=2, environ={}, transport=transport
    ) as tealium:
        for n in range(POLLS):
            at(START + n * POLL_SECONDS)
            seen.append(tealium.get_file_status(name).to_json())
    return seen


@pytest.fixture
def mock() -> Iterator[tuple[Flask, httpx.Client]]:
    app = create_app({"generated": 0})
    with httpx.Client(transport=httpx.WSGITransport(app=app), base_url="http://mock") as admin:
        yield app, admin


def lifecycles(recording: Recording) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((recording.folder / LIFECYCLES).read_text())
    return loaded


def test_the_admin_route_replays_the_recording_poll_for_poll(
    recording: Recording, mock: tuple[Flask, httpx.Client]
) -> None:
    app, admin = mock
    admin.post("/__admin/v1/clock/freeze", json={"at": START})
    answer = admin.post("/__admin/v1/replay", json=lifecycles(recording))
    assert answer.status_code == 201, answer.text
    [shown] = answer.json()["items"]
    assert shown == recording.seen[0]  # the first step, at once

    def at(moment: float) -> None:
        admin.post("/__admin/v1/clock/set", json={"at": moment})

    transport = httpx.WSGITransport(app=app)
    replayed = poll_replay(recording.api, recording.key, "http://mock", at, transport)
    assert replayed == recording.seen
    states = [state_of(recording.api, body) for body in replayed]
    assert states == [state_of(recording.api, body) for body in recording.seen]
    assert states[-1] == "PROCESSED"


def test_a_replayed_thalamus_id_is_never_given_to_a_new_import(
    mock: tuple[Flask, httpx.Client], tmp_path: Path
) -> None:
    _, admin = mock
    recording = record("thalamus", tmp_path)
    assert admin.post("/__admin/v1/replay", json=lifecycles(recording)).status_code == 201
    made = admin.post("/__admin/v1/thalamus/imports", json={"scenario": "fast-success"})
    assert made.json()["items"][0]["id"] > int(recording.key)


def exists(admin: httpx.Client, recording: Recording) -> bool:
    """Whether the mock holds the recording's resource (setting its state finds it)."""
    if recording.api == "thalamus":
        answer = admin.post(
            f"/__admin/v1/thalamus/imports/{recording.key}/state", json={"state": "WAITING"}
        )
    else:
        account, profile, name = recording.key.split("/", 2)
        body = {"account": account, "profile": profile, "name": name, "state": "DOWNLOADING"}
        answer = admin.post("/__admin/v1/tealium/files/state", json=body)
    assert answer.status_code in (200, 404), answer.text
    return answer.status_code == 200


def broken(recording: Recording) -> dict[str, Any]:
    """The recording with an unknown field in its second step's body."""
    document = lifecycles(recording)
    document["resources"][0]["steps"][1]["body"]["retentionDays"] = 30
    return document


def test_a_body_that_breaks_the_strict_schema_is_a_400_naming_it_and_nothing_is_stored(
    recording: Recording, mock: tuple[Flask, httpx.Client]
) -> None:
    _, admin = mock
    answer = admin.post("/__admin/v1/replay", json=broken(recording))
    assert answer.status_code == 400
    message = answer.json()["error"]["message"]
    assert message.startswith(f"resources[0] ({recording.api} {recording.key}): steps[1]'s body")
    assert "retentionDays" in message
    assert "\n" not in message
    # All or nothing: the resource was not stored.
    assert exists(admin, recording) is False
    clean = lifecycles(recording)
    clean["resources"][0]["key"] = "1" + recording.key  # a key its bodies do not say
    refused = admin.post("/__admin/v1/replay", json=clean)
    assert refused.status_code == 400
    assert "its bodies say its key is" in refused.json()["error"]["message"]


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        ({"version": 1, "resources": []}, "resources: the recording holds no resource"),
        ({"resources": []}, "body: 'version' is a required property"),
        ({"version": 1, "resources": [{"api": "thalamus", "key": "1"}]}, "resources[0]: 'steps'"),
    ],
)
def test_what_is_not_a_recording_is_a_400(
    mock: tuple[Flask, httpx.Client], document: dict[str, Any], expected: str
) -> None:
    _, admin = mock
    answer = admin.post("/__admin/v1/replay", json=document)
    assert answer.status_code == 400, answer.text
    assert answer.json()["error"]["message"].startswith(expected)


def test_serve_replays_a_recording_and_again_after_a_reset(
    recording: Recording, registry: SchemaRegistry
) -> None:
    with serve_process("--replay", str(recording.folder)) as server:
        assert any("Replaying the recording" in line for line in server.banner)
        with httpx.Client(base_url=server.base_url) as admin:
            # The replay started when the server did, a few seconds ago at most: freezing
            # now, then polling at the recording's moments, sees what each poll saw, as long
            # as the server took less than one poll interval (a minute) to answer its first.
            admin.post("/__admin/v1/clock/freeze")
            base = admin.get("/__admin/v1/clock").json()["now"]

            def at(moment: float) -> None:
                admin.post("/__admin/v1/clock/set", json={"at": base + moment - START})

            replayed = poll_replay(recording.api, recording.key, server.base_url, at)
            assert replayed == recording.seen
            # A reset is back to the seed, and the recording is part of it.
            assert admin.post("/__admin/v1/reset").status_code == 204
            again = poll_replay(recording.api, recording.key, server.base_url, lambda _: None)
            assert state_of(recording.api, again[0]) == state_of(recording.api, recording.seen[0])


def test_serve_with_a_bad_recording_exits_2_with_one_line(
    recording: Recording, tmp_path: Path
) -> None:
    (tmp_path / LIFECYCLES).write_text(json.dumps(broken(recording)))
    done = statuskit(tmp_path, "serve", "--port", "0", "--replay", str(tmp_path))
    assert done.returncode == 2
    [line] = done.stderr.strip().splitlines()
    assert str(tmp_path / LIFECYCLES) in line
    assert "steps[1]'s body breaks the" in line
    assert "retentionDays" in line
    assert done.stdout == ""
