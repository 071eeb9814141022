"""The reference client against the real mocks: in-process through ``WSGITransport``, and
over a real socket against ``statuskit serve``. The same checks run on both transports."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from mockserver import create_app
from mockserver.process import serve_process
from statuskit.client import TealiumClient, ThalamusClient
from statuskit.errors import (
    AuthenticationError,
    InvalidArgumentError,
    InvalidRequestError,
    NotFoundError,
    TouchpointError,
)
from statuskit.fixtures import documented

DOC_FILE = "sales-transaction_2016feb4v50.csv"
Options = dict[str, Any]


@pytest.fixture(scope="module", params=["in-process", "socket"])
def target(request: pytest.FixtureRequest) -> Iterator[tuple[str, Callable[[], Options]]]:
    """A base URL and the client options that reach a fresh-enough mock."""
    if request.param == "in-process":
        app = create_app()
        yield "http://mock", lambda: {"transport": httpx.WSGITransport(app=app)}
    else:
        with serve_process("--workers", "2") as server:
            yield server.base_url, dict


def thalamus(
    target: tuple[str, Callable[[], Options]], env: dict[str, str] | None = None, **kwargs: Any
) -> ThalamusClient:
    base_url, options = target
    return ThalamusClient.from_env(base_url, environ=env or {}, **{**options(), **kwargs})


def tealium(
    target: tuple[str, Callable[[], Options]], env: dict[str, str] | None = None, **kwargs: Any
) -> TealiumClient:
    base_url, options = target
    return TealiumClient.from_env(base_url, environ=env or {}, **{**options(), **kwargs})


def test_thalamus_documented_example_round_trips(target: Any) -> None:
    with thalamus(target, strict=True) as client:
        record = client.get_status(274)
    assert record.to_json() == documented("thalamus", "get-status", 200).load()
    assert (record.state, record.rows_ok) == ("CANCELED", 576)


def test_thalamus_upload_then_list(target: Any) -> None:
    with thalamus(target, strict=True) as client:
        created = client.upload(b"a,b\n1,2\n", "integration-upload", 25012, filename="u.xlsx")
        again = client.get_status(created.id)
        page = client.list_imports(name="integration-upload")
    assert (created.state, again.id, again.file_size) == ("WAITING", created.id, 8)
    assert [item.id for item in page.items] == [created.id]


def test_thalamus_errors_are_typed(target: Any) -> None:
    with thalamus(target) as client, pytest.raises(NotFoundError):
        client.get_status(999_999_999)
    wrong_token = {"STATUSKIT_THALAMUS_TOKEN": "wrong"}
    with thalamus(target, wrong_token) as client, pytest.raises(AuthenticationError):
        client.get_status(274)
    unknown = {"STATUSKIT_THALAMUS_TOUCHPOINT": "nope"}
    with thalamus(target, unknown) as client, pytest.raises(TouchpointError):
        client.get_status(274)
    with thalamus(target) as client, pytest.raises(InvalidRequestError) as caught:
        client.list_imports(begin_date="2024-13-01")
    assert "InvalidDateFormat" in str(caught.value)


@pytest.mark.parametrize("version", [1, 2])
def test_tealium_documented_example_round_trips(target: Any, version: int) -> None:
    with tealium(target, api_version=version, strict=True) as client:
        status = client.get_file_status(DOC_FILE)
        assert client.count("sales", "2016-04-01T00:00Z", "2016-04-30T00:00Z") == 1
        [found] = client.search("sales", "2016-04-01T00:00Z", "2016-04-30T00:00Z")
    assert status.to_json() == documented("tealium", "get-file-status", 200).load()
    assert found.to_json() == status.to_json()


@pytest.mark.parametrize("version", [1, 2])
def test_tealium_errors_are_typed(target: Any, version: int) -> None:
    with tealium(target, api_version=version) as client:
        with pytest.raises(NotFoundError):
            client.get_file_status("x" * 146 + ".csv")  # 150 characters: looked up, not found
        with pytest.raises(InvalidArgumentError):
            client.get_file_status("x" * 147 + ".csv")  # 151: refused before sending
    wrong = {"STATUSKIT_TEALIUM_PASSWORD": "wrong", "STATUSKIT_TEALIUM_API_KEY": "wrong"}
    with tealium(target, wrong, api_version=version) as client, pytest.raises(AuthenticationError):
        client.get_file_status(DOC_FILE)


def test_wait_for_completion_returns_a_terminal_record_at_once(target: Any) -> None:
    with thalamus(target) as client:
        record = client.wait_for_completion(274, timeout=5, poll_interval=0.01)
    assert record.state == "CANCELED"
