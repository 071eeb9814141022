"""statuskit's pytest plugin: fake upstreams as fixtures, for projects that use the APIs.

Loaded through the ``pytest11`` entry point; it imports nothing heavy until a fixture runs.

* ``statuskit_server`` (session): a real ``statuskit serve`` on an ephemeral port, started
  once and stopped at the end, or the running one ``--statuskit-mock-url`` names.
* ``statuskit_mock``: that server, reset before the test (data, sessions, clock, faults,
  journal): a :class:`statuskit.mock.MockServer`.
* ``thalamus_mock`` / ``tealium_mock``: its Thalamus and Tealium views, with ``.base_url``,
  ``.client()``, ``.add_import()`` / ``.add_file()``, ``.advance()``, ``.fail_next()`` and
  ``.requests``.
* ``thalamus_respx`` / ``tealium_respx``: the same views over an in-process mock behind
  respx, for unit tests with no sockets: plain ``httpx`` calls to their ``.base_url`` reach it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from statuskit.mock import MockServer, TealiumMock, ThalamusMock

__all__ = [
    "RESPX_BASE_URL",
    "pytest_addoption",
    "statuskit_mock",
    "statuskit_respx",
    "statuskit_server",
    "tealium_mock",
    "tealium_respx",
    "thalamus_mock",
    "thalamus_respx",
]

#: Where the respx fixtures serve the in-process mock: a reserved name, never resolved.
RESPX_BASE_URL = "https://mock.statuskit.test"
_MOCK_URL_ENV = "STATUSKIT_MOCK_URL"


def pytest_addoption(parser: pytest.Parser) -> None:
    """The ``statuskit`` option group."""
    group = parser.getgroup("statuskit", "statuskit fake upstreams and contract tests")
    group.addoption(
        "--statuskit-mock-url",
        metavar="URL",
        default=None,
        help=f"use this running statuskit serve instead of starting one (env: {_MOCK_URL_ENV})",
    )
    group.addoption(
        "--statuskit-mock-workers",
        type=int,
        default=1,
        metavar="N",
        help="worker processes of the statuskit serve the plugin starts (default 1)",
    )


@pytest.fixture(scope="session")
def statuskit_server(request: pytest.FixtureRequest) -> Iterator[MockServer]:
    """A fake upstream serving both APIs for the whole session, on an ephemeral port."""
    from mockserver.process import serve_process
    from statuskit.mock import MockServer

    url = request.config.getoption("--statuskit-mock-url") or os.environ.get(_MOCK_URL_ENV)
    token = os.environ.get("STATUSKIT_ADMIN_TOKEN")
    if url:
        with MockServer(url, admin_token=token) as server:
            yield server
        return
    workers = str(request.config.getoption("--statuskit-mock-workers"))
    with (
        serve_process("--workers", workers) as running,
        MockServer(running.base_url, admin_token=token) as server,
    ):
        yield server


@pytest.fixture
def statuskit_mock(statuskit_server: MockServer) -> MockServer:
    """The session's fake upstream, reset to its seed before this test."""
    statuskit_server.reset()
    return statuskit_server


@pytest.fixture
def thalamus_mock(statuskit_mock: MockServer) -> ThalamusMock:
    """The Thalamus fake upstream, reset before this test."""
    from statuskit.mock import ThalamusMock

    return ThalamusMock(statuskit_mock)


@pytest.fixture
def tealium_mock(statuskit_mock: MockServer) -> TealiumMock:
    """The Tealium fake upstream, reset before this test."""
    from statuskit.mock import TealiumMock

    return TealiumMock(statuskit_mock)


@pytest.fixture
def statuskit_respx() -> Iterator[MockServer]:
    """A fresh in-process mock of both APIs behind respx at :data:`RESPX_BASE_URL`: any
    httpx client in the test reaches it there, and nothing else, without a socket."""
    import httpx
    import respx

    from mockserver import create_app
    from statuskit.mock import MockServer

    transport = httpx.WSGITransport(app=create_app())

    def serve(request: httpx.Request) -> httpx.Response:
        # Read the answer whole, so async clients get bytes rather than a sync stream.
        answer = transport.handle_request(request)
        return httpx.Response(answer.status_code, headers=answer.headers, content=answer.read())

    with respx.mock(assert_all_called=False) as router:
        router.route(url__startswith=RESPX_BASE_URL).mock(side_effect=serve)
        with MockServer(RESPX_BASE_URL) as server:
            yield server


@pytest.fixture
def thalamus_respx(statuskit_respx: MockServer) -> ThalamusMock:
    """The Thalamus view of :func:`statuskit_respx`."""
    from statuskit.mock import ThalamusMock

    return ThalamusMock(statuskit_respx)


@pytest.fixture
def tealium_respx(statuskit_respx: MockServer) -> TealiumMock:
    """The Tealium view of :func:`statuskit_respx`."""
    from statuskit.mock import TealiumMock

    return TealiumMock(statuskit_respx)
