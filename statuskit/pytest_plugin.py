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

It also declares the contract suites' options (``--contract-*``, each with a
``STATUSKIT_CONTRACT_*`` fallback) and markers (``kit_decision``, ``mock_only``, ``writes``,
``contract_api``), so ``pytest --pyargs contract_tests`` runs under ``--strict-markers``.
The suites themselves (``contract_tests/conftest.py``) read the options.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from statuskit.contracts.options import ContractOptions
    from statuskit.mock import MockServer, TealiumMock, ThalamusMock

__all__ = [
    "CONTRACT_MARKERS",
    "CONTRACT_OPTIONS",
    "RESPX_BASE_URL",
    "pytest_addoption",
    "pytest_configure",
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

#: The contract suites' options, read once per run (``statuskit.contracts.options``).
CONTRACT_OPTIONS: pytest.StashKey[ContractOptions] = pytest.StashKey()
#: The contract suites' markers, registered for every run so --strict-markers accepts them.
CONTRACT_MARKERS = (
    "kit_decision: checks a kit decision (docs/wire.md [KIT]); against a target that is not "
    "a statuskit mock, a failure is reported as 'undocumented behaviour differs' (xfailed)",
    "mock_only: needs a statuskit mock's admin API (clock, data, faults); skipped elsewhere",
    "writes: sends requests that change data; against a target off this machine it needs "
    "--contract-allow-writes",
    "contract_api(*names): the APIs a contract test belongs to (thalamus, tealium), for "
    "--contract-api",
)


def _contract_options(group: pytest.OptionGroup) -> None:
    # Strings only: what the options mean lives in statuskit.contracts.options, imported by
    # the suites. A default of None lets each option fall back to its variable there.
    def add(name: str, env: str, help: str, **kwargs: Any) -> None:
        group.addoption(name, default=None, help=f"{help} (env: {env})", **kwargs)

    add(
        "--contract-api",
        "STATUSKIT_CONTRACT_API",
        "the API the contract suites test: thalamus, tealium or all (default all)",
        choices=("thalamus", "tealium", "all"),
    )
    add(
        "--contract-base-url",
        "STATUSKIT_CONTRACT_BASE_URL",
        "test this server (a statuskit serve, staging, production); absent: the in-process "
        "mock, with no sockets. Credentials come from the STATUSKIT_* variables only",
        metavar="URL",
    )
    add(
        "--contract-serve",
        "STATUSKIT_CONTRACT_SERVE",
        "start statuskit serve on an ephemeral port and test it over HTTP",
        action="store_true",
    )
    add(
        "--contract-allow-writes",
        "STATUSKIT_CONTRACT_ALLOW_WRITES",
        "allow requests that change data (uploads) on a target off this machine",
        action="store_true",
    )
    add(
        "--contract-budget",
        "STATUSKIT_CONTRACT_BUDGET",
        "most requests to send to a target off this machine (default 200)",
        metavar="N",
    )
    add(
        "--contract-rate",
        "STATUSKIT_CONTRACT_RATE",
        "most requests a second to a target off this machine (default 5)",
        metavar="R",
    )
    add(
        "--contract-dry-run",
        "STATUSKIT_CONTRACT_DRY_RUN",
        "list the requests the suites would send, answering them from the in-process mock; "
        "nothing reaches the target",
        action="store_true",
    )
    add(
        "--contract-coverage-json",
        "STATUSKIT_CONTRACT_COVERAGE_JSON",
        "also write the contract coverage summary to this JSON file",
        metavar="FILE",
    )
    add(
        "--contract-profile",
        "STATUSKIT_CONTRACT_PROFILE",
        "hypothesis profile: dev, ci or live (default live off this machine, else dev)",
        choices=("dev", "ci", "live"),
    )


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
    _contract_options(group)


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    """Register the contract suites' markers, and read their options (a bad value, given or
    from the environment, is a usage error before anything runs)."""
    from statuskit.contracts.options import CONTRACT_ENV, ContractOptions
    from statuskit.errors import ConfigError

    for line in CONTRACT_MARKERS:
        config.addinivalue_line("markers", line)
    try:
        options = ContractOptions.resolve({dest: config.getoption(dest) for dest in CONTRACT_ENV})
    except ConfigError as exc:
        raise pytest.UsageError(str(exc)) from None
    config.stash[CONTRACT_OPTIONS] = options


@pytest.fixture(scope="session")
def statuskit_server(request: pytest.FixtureRequest) -> Iterator[MockServer]:
    """A fake upstream serving both APIs for the whole session, on an ephemeral port."""
    from mockserver.process import serve_process
    from statuskit.mock import MockServer

    url = request.config.getoption("--statuskit-mock-url") or os.environ.get(_MOCK_URL_ENV)
    if url:
        with MockServer.from_env(url) as server:
            yield server
        return
    workers = str(request.config.getoption("--statuskit-mock-workers"))
    # The server inherits this environment, so it reads the same STATUSKIT_* credentials
    # and admin token as the clients the fixtures hand out.
    with (
        serve_process("--workers", workers) as running,
        MockServer.from_env(running.base_url) as server,
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
        with MockServer.from_env(RESPX_BASE_URL) as server:
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
