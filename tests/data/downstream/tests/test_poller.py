"""The consumer's tests: every fixture statuskit's plugin offers."""

from __future__ import annotations

import os
from typing import Literal

import httpx
import poller
import pytest
import respx

from statuskit.mock import MockServer, TealiumMock, ThalamusMock

VERSIONS: list[Literal[1, 2]] = [1, 2]


def test_the_session_server_answers(statuskit_server: MockServer) -> None:
    assert statuskit_server.clock()["frozen"] is False
    # With an admin token configured, the admin API refuses a call without it.
    anonymous = httpx.get(f"{statuskit_server.base_url}/__admin/v1/clock")
    assert anonymous.status_code == (401 if os.environ.get("STATUSKIT_ADMIN_TOKEN") else 200)


def test_each_test_starts_from_the_seed(statuskit_mock: MockServer) -> None:
    statuskit_mock.freeze()
    assert statuskit_mock.clock()["frozen"] is True


def test_and_the_freeze_is_gone_again(statuskit_mock: MockServer) -> None:
    assert statuskit_mock.clock()["frozen"] is False


def test_my_poller_sees_an_import_finish(thalamus_mock: ThalamusMock) -> None:
    record = thalamus_mock.add_import(scenario="partial-errors")
    thalamus_mock.advance(60)
    with httpx.Client(base_url=thalamus_mock.base_url) as http:
        assert poller.wait_for_import(http, record["id"]) == "PROCESSED"


def test_the_reference_client_uses_my_credentials(thalamus_mock: ThalamusMock) -> None:
    record = thalamus_mock.add_import(scenario="partial-errors")
    thalamus_mock.advance(60)
    with thalamus_mock.client() as client:
        thalamus_mock.fail_next(1, status=503)
        done = client.get_status(record["id"])
    assert (done.state, done.rows_with_errors) == ("PROCESSED", 50)
    assert [entry["status"] for entry in thalamus_mock.requests][-2:] == [503, 200]


@pytest.mark.parametrize("version", VERSIONS)
def test_tealium_files_in_my_account(tealium_mock: TealiumMock, version: Literal[1, 2]) -> None:
    tealium_mock.add_file("nightly.csv", scenario="download-failure")
    tealium_mock.advance(60)
    with httpx.Client(base_url=tealium_mock.base_url) as http:
        mine = poller.tealium_file(http, "nightly.csv")
    with tealium_mock.client(api_version=version) as client:
        status = client.get_file_status("nightly.csv")
    assert mine["status"][-1]["state"] == status.status[-1].state == "FAILED_PROCESSING"


def test_in_process_thalamus(thalamus_respx: ThalamusMock) -> None:
    record = thalamus_respx.add_import(scenario="fast-success")
    thalamus_respx.advance(60)
    with httpx.Client(base_url=thalamus_respx.base_url) as http:
        assert poller.thalamus_status(http, record["id"])["state"] == "PROCESSED"
    with thalamus_respx.client() as client:
        assert client.get_status(record["id"]).state == "PROCESSED"


def test_in_process_tealium(tealium_respx: TealiumMock) -> None:
    tealium_respx.add_file("in-process.csv")
    with httpx.Client(base_url=tealium_respx.base_url) as http:
        assert poller.tealium_file(http, "in-process.csv")["file"]["name"] == "in-process.csv"
    with tealium_respx.client() as client:
        assert client.get_file_status("in-process.csv").file.name == "in-process.csv"


def test_in_process_needs_no_socket(statuskit_respx: MockServer) -> None:
    assert statuskit_respx.clock()["frozen"] is False
    with pytest.raises(respx.models.AllMockedAssertionError):
        httpx.get("https://unmocked.statuskit.test/")
