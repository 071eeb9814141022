"""The pytest plugin, proven in a separate project with ``pytester``: its fixtures start,
reset and drive a real fake upstream, and its respx fixtures serve in process."""

from __future__ import annotations

import pytest

CONSUMER = """
import httpx
import pytest

Q = {"touchpoint": "test", "token": "statuskit-token"}


def test_reference_client_is_logged_in(thalamus_mock):
    with thalamus_mock.client() as client:
        assert client.get_status(274).state == "CANCELED"


def test_an_import_progresses_on_the_clock(thalamus_mock):
    thalamus_mock.server.freeze()
    record = thalamus_mock.add_import(scenario="partial-errors")
    assert record["state"] == "WAITING"
    thalamus_mock.advance(60)
    with thalamus_mock.client() as client:
        done = client.get_status(record["id"])
    assert (done.state, done.rows_with_errors) == ("PROCESSED", 50)


def test_each_test_starts_from_the_seed(thalamus_mock):
    # The import of the test before is gone, and the clock runs again.
    assert thalamus_mock.server.clock()["frozen"] is False
    with thalamus_mock.client() as client:
        page = client.list_imports(name="statuskit-import")
    assert page.items == ()


def test_tealium_files_too(tealium_mock):
    tealium_mock.add_file("nightly.csv", scenario="download-failure")
    tealium_mock.advance(60)
    with tealium_mock.client(api_version=2) as client:
        status = client.get_file_status("nightly.csv")
    assert status.status[-1].state == "FAILED_PROCESSING"


def test_plain_httpx_reaches_the_in_process_mock(thalamus_respx):
    with httpx.Client(base_url=thalamus_respx.base_url) as http:
        missing = http.get("/api/v4/import/status/274")
        http.post("/api/v3/thalamus_security_check", params=Q,
                  auth=("consumer@example.com", "statuskit"))
        found = http.get("/api/v4/import/status/274", params=Q)
    assert missing.json() == {"errors": {"partnerDataSource": "TouchpointCodeRequired"}}
    assert found.json()["id"] == 274


async def _fetch(base_url):
    async with httpx.AsyncClient(base_url=base_url) as http:
        return await http.get("/v1/omnichannel/accounts/acme/profiles/main/files/x.csv")


def test_async_clients_reach_it_too(tealium_respx):
    import asyncio

    response = asyncio.run(_fetch(tealium_respx.base_url))
    assert response.json()["returnCode"] == 1401


def test_respx_leaves_no_socket_open(thalamus_respx):
    with pytest.raises(Exception):
        httpx.get("https://unmocked.statuskit.test/")
"""


def test_fixtures_work_in_a_separate_project(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_consumer=CONSUMER)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-q")
    result.assert_outcomes(passed=7)


def test_options_live_in_one_group(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest_subprocess("--help")
    result.stdout.fnmatch_lines(
        ["statuskit fake upstreams and contract tests:", "*--statuskit-mock-url=URL*"]
    )


def test_a_running_server_can_be_named(pytester: pytest.Pytester) -> None:
    from mockserver.process import serve_process

    pytester.makepyfile(
        test_named="""
def test_uses_the_named_server(statuskit_mock, pytestconfig):
    assert statuskit_mock.base_url == pytestconfig.getoption("--statuskit-mock-url")
    assert statuskit_mock.clock()["frozen"] is False
"""
    )
    with serve_process() as running:
        result = pytester.runpytest_subprocess(
            "-p", "no:cacheprovider", f"--statuskit-mock-url={running.base_url}"
        )
    result.assert_outcomes(passed=1)


def test_the_plugin_imports_nothing_heavy() -> None:
    import subprocess
    import sys

    code = (
        "import sys, statuskit.pytest_plugin; "
        "print(sorted(m for m in ('flask', 'httpx', 'jsonschema', 'hypothesis', 'respx', "
        "'mockserver') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
