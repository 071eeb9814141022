"""The consumer's tests: statuskit's fixtures, on the ``statuskit serve`` the CI job started
and named in ``STATUSKIT_MOCK_URL``."""

from __future__ import annotations

import os

from statuskit.mock import MockServer, TealiumMock, ThalamusMock


def test_the_fixtures_use_the_server_the_job_started(statuskit_server: MockServer) -> None:
    assert statuskit_server.base_url == os.environ["STATUSKIT_MOCK_URL"]


def test_an_import_finishes_on_the_mock_clock(thalamus_mock: ThalamusMock) -> None:
    record = thalamus_mock.add_import(scenario="partial-errors")
    thalamus_mock.advance(60)
    with thalamus_mock.client() as client:
        done = client.get_status(record["id"])
    assert (done.state, done.rows_with_errors) == ("PROCESSED", 50)


def test_a_file_that_fails_processing(tealium_mock: TealiumMock) -> None:
    tealium_mock.add_file("nightly.csv", scenario="download-failure")
    tealium_mock.advance(60)
    with tealium_mock.client() as client:
        status = client.get_file_status("nightly.csv")
    assert status.status[-1].state == "FAILED_PROCESSING"
