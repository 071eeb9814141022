"""Concurrent uploads and admin writes through both instances and the balancer at once:
no update is lost and every id is unique."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from statuskit.client import ThalamusClient
from statuskit.mock import MockServer
from tests.multihost.cluster import Cluster

UPLOADERS, UPLOADS = 4, 8
ADMINS, STEPS, FAULTS = 4, 5, 4


def test_concurrent_uploads_and_admin_writes_lose_nothing(
    shared: Cluster, mock: MockServer
) -> None:
    targets = [shared.url, *(i.url for i in shared.instances)]
    start = mock.freeze()["now"]
    made = mock.call("POST", "/thalamus/imports", {"scenario": "slow-success", "count": 12})
    records = [record["id"] for record in made["items"]]

    def upload(n: int) -> list[tuple[int, str]]:
        with ThalamusClient.from_env(targets[n % len(targets)]) as client:
            names = [f"concurrent-{n}-{k}" for k in range(UPLOADS)]
            return [
                (client.upload(b"a,b\n", name, 25012, filename="c.xlsx").id, name) for name in names
            ]

    def write(n: int) -> list[str]:
        # Each admin thread moves its own records, moves the one clock, and adds faults
        # (aimed at ids nobody asks for) and removes half of them again.
        with shared.admin(targets[n % len(targets)]) as admin:
            for record in records[n::ADMINS]:
                admin.set_import_state(record, "CANCELED")
            for _ in range(STEPS):
                admin.advance(1)
            added = [
                admin.add_fault(
                    api="thalamus", kind="status", status=503, resource=f"{10**9 + n}{k}"
                )["id"]
                for k in range(FAULTS)
            ]
            for fault in added[: FAULTS // 2]:
                admin.call("DELETE", f"/faults/{fault}")
            return added[FAULTS // 2 :]

    with ThreadPoolExecutor(UPLOADERS + ADMINS) as pool:
        uploading = [pool.submit(upload, n) for n in range(UPLOADERS)]
        writing = [pool.submit(write, n) for n in range(ADMINS)]
        uploaded = [pair for future in uploading for pair in future.result()]
        kept = {fault for future in writing for fault in future.result()}

    ids = [record_id for record_id, _ in uploaded] + records
    assert len(set(ids)) == len(ids) == UPLOADERS * UPLOADS + len(records)
    assert mock.clock()["now"] == pytest.approx(start + ADMINS * STEPS)
    faults: list[dict[str, Any]] = mock.call("GET", "/faults")["faults"]
    assert {fault["id"] for fault in faults} == kept
    assert len(kept) == ADMINS * (FAULTS - FAULTS // 2)
    with ThalamusClient.from_env(shared.url) as client:
        for record_id, name in uploaded:
            assert client.get_status(record_id).name == name
        for record_id in records:
            assert client.get_status(record_id).state == "CANCELED"
