"""Traffic through the balancer and across the instances: they behave as one fake upstream.

Two ``statuskit serve --workers 2`` in their own network namespaces share one PostgreSQL;
nginx on 127.0.0.1 runs ``docs/deploy.md``'s configuration in front of them. "A" and "B"
are the instances reached directly, on their own addresses.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from statuskit.client import TealiumClient, ThalamusClient
from statuskit.client.polling import current_state, terminal_states
from statuskit.errors import NotFoundError
from statuskit.mock import MockServer
from tests.multihost.cluster import Cluster, descendants

STATUS_ROUTE = "GET /api/v4/import/status/{id}"
#: A documented record every instance serves (the vendors' example).
KNOWN_ID = 274


def owners(cluster: Cluster) -> dict[int, int]:
    """Each worker process id of the instances, to the index of its instance."""
    return {
        pid: n
        for n, instance in enumerate(cluster.instances)
        for pid in descendants(instance.server.process.pid)
    }


def test_the_balancer_spreads_requests_and_every_instance_reads_one_journal(
    shared: Cluster, mock: MockServer
) -> None:
    with ThalamusClient.from_env(shared.url) as client:
        for _ in range(20):
            assert client.get_status(KNOWN_ID).id == KNOWN_ID
    path = f"/api/v4/import/status/{KNOWN_ID}"
    entries = mock.requests(path)
    assert [e["status"] for e in entries] == [200] * 20
    # Both instances answered, and the one journal holds what each of them received.
    workers = owners(shared)
    assert {workers[e["worker"]] for e in entries} == {0, 1}
    assert [e["real"] for e in entries] == sorted(e["real"] for e in entries)
    for instance in shared.instances:
        with shared.admin(instance.url) as direct:
            assert direct.requests(path) == entries


def test_a_consumers_poller_through_the_balancer_sees_the_import_finish(
    shared: Cluster, mock: MockServer
) -> None:
    seen: list[str | None] = []
    with ThalamusClient.from_env(shared.url) as client, shared.admin(shared.instances[1].url) as b:

        def progress(record: object) -> None:
            # The mock's clock moves through instance B, whichever instance the poll reached.
            seen.append(current_state(record))  # type: ignore[arg-type]
            b.advance(5)

        record = client.upload(b"sku,qty\n1,2\n", "multihost-poller", 25012, filename="s.xlsx")
        done = client.wait_for_completion(
            record.id, timeout=60, poll_interval=0.05, on_progress=progress
        )
    assert done.state in terminal_states("thalamus")
    assert (done.id, done.name) == (record.id, "multihost-poller")
    assert seen[0] != seen[-1] == done.state


def test_a_tealium_poller_through_the_balancer_sees_a_file_added_through_a(
    shared: Cluster, mock: MockServer
) -> None:
    a, b = shared.instances
    with shared.admin(a.url) as via_a:
        added = via_a.add_file("multihost-poller.csv")
    assert added["file"]["name"] == "multihost-poller.csv"
    with TealiumClient.from_env(shared.url) as client, shared.admin(b.url) as via_b:
        done = client.wait_for_completion(
            "multihost-poller.csv",
            timeout=60,
            poll_interval=0.05,
            on_progress=lambda _: via_b.advance(5),
        )
    assert current_state(done) in terminal_states("tealium")


def test_what_one_instance_writes_the_other_reads_at_once(
    shared: Cluster, mock: MockServer
) -> None:
    a, b = shared.instances
    with ThalamusClient.from_env(a.url) as via_a, ThalamusClient.from_env(b.url) as via_b:
        for n in range(10):
            writer, reader = (via_a, via_b) if n % 2 == 0 else (via_b, via_a)
            record = writer.upload(b"x,y\n", f"ryw-{n}", 25012, filename="ryw.xlsx")
            assert reader.get_status(record.id).name == f"ryw-{n}"
        with shared.admin(a.url) as admin_a:
            added = admin_a.add_import(scenario="slow-success")
            admin_a.set_import_state(added["id"], "CANCELED")
        assert via_b.get_status(added["id"]).state == "CANCELED"


def test_one_clock_one_set_of_faults_and_one_reset(shared: Cluster, mock: MockServer) -> None:
    a, b = shared.instances
    with shared.admin(a.url) as admin_a, shared.admin(b.url) as admin_b:
        frozen = admin_a.freeze()
        assert admin_b.clock() == frozen
        moved = admin_b.advance(3600)
        assert moved["now"] == pytest.approx(frozen["now"] + 3600)
        assert admin_a.clock() == moved
        fault = admin_a.add_fault(api="thalamus", kind="status", status=503, resource="9")
        assert [f["id"] for f in admin_b.call("GET", "/faults")["faults"]] == [fault["id"]]
        added = admin_b.add_import()
        admin_b.reset()
        assert admin_a.clock()["frozen"] is False
        assert admin_a.call("GET", "/faults")["faults"] == []
    with ThalamusClient.from_env(a.url) as via_a, pytest.raises(NotFoundError):
        via_a.get_status(added["id"])


def test_fail_next_n_fails_exactly_n_requests_across_both_instances(
    shared: Cluster, mock: MockServer
) -> None:
    fault = mock.fail_next(7, status=503, api="thalamus", route=STATUS_ROUTE)
    targets = [shared.url, *(i.url for i in shared.instances)]

    def send(n: int) -> int:
        # No credentials: an unfaulted answer is the API's 400, never retried by anyone.
        url = f"{targets[n % len(targets)]}/api/v4/import/status/{KNOWN_ID}"
        return httpx.get(url, timeout=15).status_code

    with ThreadPoolExecutor(6) as pool:
        statuses = list(pool.map(send, range(30)))
    assert sorted(statuses) == [400] * 23 + [503] * 7
    (after,) = mock.call("GET", "/faults")["faults"]
    assert (after["id"], after["fired"]) == (fault["id"], 7)
    faulted = [e for e in mock.requests("/api/v4/") if e["fault"] == fault["id"]]
    assert len(faulted) == 7


def test_a_truncated_answer_reaches_the_client_through_the_balancer_as_sent(
    shared: Cluster, mock: MockServer
) -> None:
    # docs/deploy.md: nginx passes on the status and headers it got and closes the client's
    # connection where the instance closed its own; it does not retry the request.
    fault = mock.add_fault(api="thalamus", kind="truncate", times=1, route=STATUS_ROUTE)
    with pytest.raises(httpx.RemoteProtocolError):
        httpx.get(f"{shared.url}/api/v4/import/status/{KNOWN_ID}", timeout=15)
    entries = mock.requests(f"/api/v4/import/status/{KNOWN_ID}")
    assert [e["fault"] for e in entries] == [fault["id"]]
    (after,) = mock.call("GET", "/faults")["faults"]
    assert after["fired"] == 1


def test_a_reset_reaches_the_client_or_is_retried_once_elsewhere(
    shared: Cluster, mock: MockServer
) -> None:
    # docs/deploy.md: a reset answers nothing; for a GET, nginx may send the request to the
    # other instance, as for one that died before answering. Either way it fires once.
    fault = mock.add_fault(api="thalamus", kind="reset", times=1, route=STATUS_ROUTE)
    url = f"{shared.url}/api/v4/import/status/{KNOWN_ID}"
    try:
        response = httpx.get(url, params={"touchpoint": "test", "token": "x"}, timeout=15)
    except httpx.RemoteProtocolError:
        retried = False
    else:
        retried = True
        assert response.status_code == 400  # the other instance's own answer, unfaulted
    entries = mock.requests(f"/api/v4/import/status/{KNOWN_ID}")
    faults = [e["fault"] for e in entries]
    assert faults == ([fault["id"], None] if retried else [fault["id"]])
    (after,) = mock.call("GET", "/faults")["faults"]
    assert after["fired"] == 1
