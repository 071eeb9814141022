"""The admin API's clock routes and its access rules."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from mockserver import create_app
from mockserver.serving import is_loopback
from statuskit.registry import default_registry


def client(**config: Any) -> httpx.Client:
    app = create_app({"generated": 0, **config})
    return httpx.Client(transport=httpx.WSGITransport(app=app), base_url="http://mock")


def test_index_lists_the_admin_endpoints() -> None:
    body = client().get("/__admin/v1/").json()
    assert body["version"] == 1
    assert "POST /__admin/v1/clock/advance" in body["endpoints"]
    assert default_registry().validate("admin", "index", body) == []


def test_clock_calls_answer_with_the_clock() -> None:
    with client() as c:
        frozen = c.post("/__admin/v1/clock/freeze", json={"at": "2026-01-01T00:00:00Z"}).json()
        advanced = c.post("/__admin/v1/clock/advance", json={"seconds": 90}).json()
        moved = c.post("/__admin/v1/clock/set", json={"at": 1_000.5}).json()
        running = c.post("/__admin/v1/clock/unfreeze").json()
        reset = c.post("/__admin/v1/clock/reset").json()
    assert frozen == {"now": 1_767_225_600.0, "frozen": True, "offset": None}
    assert advanced["now"] == 1_767_225_690.0
    assert moved["now"] == 1_000.5
    assert running["frozen"] is False
    assert reset["offset"] == 0.0
    for body in (frozen, advanced, moved, running, reset):
        assert default_registry().validate("admin", "clock", body) == []


@pytest.mark.parametrize(
    ("path", "body", "message"),
    [
        ("/__admin/v1/clock/advance", {"seconds": "ten"}, "seconds: 'ten' is not of type"),
        ("/__admin/v1/clock/advance", {}, "body: 'seconds' is a required property"),
        ("/__admin/v1/clock/set", {"at": "tomorrow"}, "at: 'tomorrow' is not epoch seconds"),
        ("/__admin/v1/clock/set", {"at": "2026-01-01T00:00:00"}, "with a zone"),
        ("/__admin/v1/clock/freeze", [1, 2], "body: [1, 2] is not of type 'object'"),
    ],
)
def test_bad_admin_calls_are_400_with_one_line(path: str, body: Any, message: str) -> None:
    response = client().post(path, json=body)
    assert response.status_code == 400
    assert message in response.json()["error"]["message"]
    assert default_registry().validate("admin", "error", response.json()) == []


def test_unknown_admin_paths_and_methods_answer_in_the_admin_format() -> None:
    with client() as c:
        missing, wrong = c.get("/__admin/v1/nope"), c.delete("/__admin/v1/clock")
    assert (missing.status_code, missing.json()["error"]["status"]) == (404, 404)
    assert (wrong.status_code, wrong.json()["error"]["status"]) == (405, 405)


def test_off_loopback_without_a_token_the_admin_api_is_off() -> None:
    response = client(admin_requires_token=True).get("/__admin/v1/clock")
    assert response.status_code == 403
    assert "STATUSKIT_ADMIN_TOKEN" in response.json()["error"]["message"]


def test_a_configured_token_is_required() -> None:
    with client(admin_token="s3cret-admin") as c:
        refused = c.get("/__admin/v1/clock")
        wrong = c.get("/__admin/v1/clock", headers={"Authorization": "Bearer nope"})
        allowed = c.get("/__admin/v1/clock", headers={"Authorization": "Bearer s3cret-admin"})
    assert (refused.status_code, wrong.status_code, allowed.status_code) == (401, 401, 200)
    assert "s3cret-admin" not in refused.text + wrong.text


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.8.0.1", True),
        ("::1", True),
        ("localhost", True),
        ("0.0.0.0", False),
        ("192.168.1.5", False),
        ("example.com", False),
    ],
)
def test_loopback_detection(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback
