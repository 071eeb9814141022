"""Each worker caches what it reads, and every write, through any worker, is seen at once."""

from __future__ import annotations

from pathlib import Path

import httpx
from flask import Flask

from mockserver import create_app

Q = {"touchpoint": "test", "token": "statuskit-token"}


def client(app: Flask) -> httpx.Client:
    return httpx.Client(transport=httpx.WSGITransport(app=app), base_url="http://mock")


def two_workers(tmp_path: Path) -> tuple[httpx.Client, httpx.Client]:
    state = str(tmp_path / "state.db")
    return client(create_app({"state_path": state})), client(create_app({"state_path": state}))


def test_a_logout_through_one_worker_ends_the_session_on_the_other(tmp_path: Path) -> None:
    one, two = two_workers(tmp_path)
    one.post(
        "/api/v3/thalamus_security_check", params=Q, auth=("consumer@example.com", "statuskit")
    )
    two.cookies = one.cookies
    assert two.get("/api/v4/import/status/274", params=Q).status_code == 200  # now cached
    assert two.get("/api/v4/import/status/274", params=Q).status_code == 200
    assert one.get("/api/v3/logout", params=Q).status_code == 204
    assert two.get("/api/v4/import/status/274", params=Q).status_code == 401


def test_a_record_created_through_one_worker_appears_on_the_other(tmp_path: Path) -> None:
    one, two = two_workers(tmp_path)
    for caller in (one, two):
        caller.post(
            "/api/v3/thalamus_security_check", params=Q, auth=("consumer@example.com", "statuskit")
        )
    [made] = one.post("/__admin/v1/thalamus/imports", json={}).json()["items"]
    assert two.get(f"/api/v4/import/status/{made['id'] + 1}", params=Q).status_code == 404
    [after] = one.post("/__admin/v1/thalamus/imports", json={}).json()["items"]
    assert after["id"] == made["id"] + 1
    assert two.get(f"/api/v4/import/status/{after['id']}", params=Q).status_code == 200


def test_a_state_set_through_one_worker_shows_on_the_other(tmp_path: Path) -> None:
    one, two = two_workers(tmp_path)
    two.post(
        "/api/v3/thalamus_security_check", params=Q, auth=("consumer@example.com", "statuskit")
    )
    [made] = one.post("/__admin/v1/thalamus/imports", json={"scenario": "slow-success"}).json()[
        "items"
    ]
    url = f"/api/v4/import/status/{made['id']}"
    assert two.get(url, params=Q).json()["state"] == "WAITING"
    one.post(f"/__admin/v1/thalamus/imports/{made['id']}/state", json={"state": "CANCELED"})
    assert two.get(url, params=Q).json()["state"] == "CANCELED"


def test_the_cache_stays_bounded() -> None:
    app = create_app({"generated": 0})
    reads = app.extensions["statuskit"].reads
    reads.limit = 5
    with client(app) as http:
        http.post(
            "/api/v3/thalamus_security_check", params=Q, auth=("consumer@example.com", "statuskit")
        )
        for record_id in range(1, 40):
            http.get(f"/api/v4/import/status/{record_id}", params=Q)
        assert http.get("/api/v4/import/status/274", params=Q).status_code == 200
    assert len(reads._entries) <= 5
