"""Two server workers share one state: a hundred imports created concurrently through the
admin API are all visible, and all progress, through both workers."""

from __future__ import annotations

import os
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from mockserver.process import ServerProcess, serve_process

Q = {"touchpoint": "test", "token": "statuskit-token"}


@pytest.fixture(scope="module")
def server() -> Iterator[ServerProcess]:
    with serve_process("--workers", "2") as running:
        yield running


def state_of(base_url: str, record_id: int) -> str:
    """The import's state, asked on a new connection: connections spread over the workers."""
    with httpx.Client(base_url=base_url, timeout=30) as http:
        http.post(
            "/api/v3/thalamus_security_check", params=Q, auth=("consumer@example.com", "statuskit")
        )
        state: str = http.get(f"/api/v4/import/status/{record_id}", params=Q).json()["state"]
        return state


def test_a_hundred_concurrent_imports_are_visible_and_progress_everywhere(
    server: ServerProcess, request: pytest.FixtureRequest
) -> None:
    admin = httpx.Client(base_url=server.base_url, timeout=30)
    request.addfinalizer(admin.close)
    admin.post("/__admin/v1/reset")
    admin.post("/__admin/v1/clock/freeze")

    def create(n: int) -> int:
        with httpx.Client(base_url=server.base_url, timeout=30) as http:
            made = http.post("/__admin/v1/thalamus/imports", json={"name": f"c{n}"})
            assert made.status_code == 201, made.text
            record_id: int = made.json()["items"][0]["id"]
            return record_id

    with ThreadPoolExecutor(16) as pool:
        ids = list(pool.map(create, range(100)))
    assert len(set(ids)) == 100

    def states() -> set[str]:
        with ThreadPoolExecutor(16) as pool:
            return set(pool.map(lambda i: state_of(server.base_url, i), ids))

    assert states() == {"WAITING"}
    admin.post("/__admin/v1/clock/advance", json={"seconds": 60})
    assert states() == {"PROCESSED"}

    # Both workers answered: the journal names the process of each request.
    pids = {entry["worker"] for entry in admin.get("/__admin/v1/journal").json()["entries"]}
    assert len(pids - {os.getpid()}) >= 2
