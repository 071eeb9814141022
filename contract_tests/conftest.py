"""Fixtures and hooks of the contract suites.

The options are the plugin's (``--contract-*``, ``statuskit/pytest_plugin.py``); here they
become a :class:`~statuskit.contracts.target.ContractTarget`, shared by the whole session, with
the reference clients and hand-built requests that go through its guarded transport.

Outcomes:

* a test that needs the mock's admin API (fixture ``mock``, marker ``mock_only``) skips
  with the reason on any other target;
* against a target that is not a statuskit mock, a failing ``kit_decision`` test, or a
  failure that is a :class:`~statuskit.errors.KitDecisionDiffers`, is reported as xfailed
  ("undocumented behaviour differs") and listed at the end, not as a failure;
* in a dry run every test is reported as skipped, and the requests are listed.
"""

from __future__ import annotations

import json
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import pytest

from statuskit.errors import KitDecisionDiffers
from statuskit.pytest_plugin import CONTRACT_OPTIONS

if TYPE_CHECKING:
    from statuskit.client import RetryPolicy, TealiumClient, ThalamusClient
    from statuskit.contracts.raw import Raw
    from statuskit.contracts.target import ContractTarget
    from statuskit.mock import MockServer

OPTIONS = CONTRACT_OPTIONS  # set by the plugin's pytest_configure
TARGET = pytest.StashKey["ContractTarget"]()
CURRENT = pytest.StashKey[str]()
DIFFERS = pytest.StashKey[list[str]]()


@pytest.hookimpl(trylast=True)
def pytest_configure(config: pytest.Config) -> None:
    """Load the options' hypothesis profile before any test module imports (hypothesis
    takes a test's settings when it is decorated)."""
    options = config.stash[OPTIONS]
    config.stash[DIFFERS] = []
    from statuskit.contracts.profiles import load

    load(options.profile)


def _ours(item: pytest.Item) -> bool:
    return item.get_closest_marker("contract_api") is not None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Deselect the APIs not under test, mark what needs a mock or writes, and off loopback
    put the generated tests last, so the budget goes to the documented cases first."""
    options = config.stash[OPTIONS]
    keep, drop = [], []
    for item in items:
        marker = item.get_closest_marker("contract_api")
        if marker is not None and not set(marker.args) & set(options.apis()):
            drop.append(item)
            continue
        keep.append(item)
        if marker is None:
            continue
        if "mock" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.mock_only)
        if item.get_closest_marker("writes") and options.guarded and not options.allow_writes:
            item.add_marker(
                pytest.mark.skip(
                    reason="changes data on a live target: pass --contract-allow-writes"
                )
            )
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep
    if options.guarded:
        items.sort(key=lambda item: bool(getattr(getattr(item, "obj", None), "hypothesis", None)))


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """Name the test under way, for the dry-run list."""
    item.config.stash[CURRENT] = item.nodeid


def _kit_difference(item: pytest.Item, excinfo: pytest.ExceptionInfo[BaseException]) -> bool:
    if item.get_closest_marker("kit_decision") is not None:
        return True
    error = excinfo.value
    if isinstance(error, BaseExceptionGroup):
        return all(isinstance(leaf, KitDecisionDiffers) for leaf in _leaves(error))
    return isinstance(error, KitDecisionDiffers)


def _leaves(group: BaseExceptionGroup[BaseException]) -> Iterator[BaseException]:
    for error in group.exceptions:
        if isinstance(error, BaseExceptionGroup):
            yield from _leaves(error)
        else:
            yield error


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Rewrite the outcomes a dry run and a live target's kit decisions call for."""
    report = yield
    if not _ours(item) or call.when != "call":
        return report
    options = item.config.stash[OPTIONS]
    target = item.config.stash.get(TARGET, None)
    if options.dry_run and not report.skipped:
        report.outcome = "skipped"
        report.longrepr = (str(item.path), item.location[1] or 0, "dry run: nothing was sent")
    elif (
        report.failed
        and call.excinfo is not None
        and target is not None
        and target.live
        and _kit_difference(item, call.excinfo)
    ):
        reason = str(call.excinfo.value).strip().splitlines()[0][:300] if call.excinfo else ""
        report.outcome = "skipped"
        report.wasxfail = f"undocumented behaviour differs: {reason}"
        item.config.stash[DIFFERS].append(f"{item.nodeid}: {reason}")
    return report


def pytest_terminal_summary(
    terminalreporter: pytest.TerminalReporter, config: pytest.Config
) -> None:
    """The contract coverage summary, the kit decisions that differ, and a dry run's list."""
    target = config.stash.get(TARGET, None)
    if target is None:
        return
    write = terminalreporter.write_line
    if target.options.dry_run:
        terminalreporter.section("contract dry run")
        for sent in target.transport.sent:
            write(f"{sent.line}    [{sent.label}]")
        write(
            f"{len(target.transport.sent)} requests would be sent to {target.description}; "
            "nothing was sent (answers came from the in-process mock)"
        )
        return
    from statuskit.contracts.coverage import render

    terminalreporter.section("contract coverage")
    for line in render(target.coverage.summary(), target=target.description):
        write(line)
    differs = config.stash[DIFFERS]
    if differs:
        terminalreporter.section("undocumented behaviour differs (kit decisions, not failures)")
        for line in differs:
            write(line)


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Write the coverage summary as JSON when ``--contract-coverage-json`` asks for it."""
    config = session.config
    target = config.stash.get(TARGET, None)
    options = config.stash.get(OPTIONS, None)
    if target is None or options is None or options.coverage_json is None:
        return
    report = {
        "target": target.description,
        "kind": options.kind,
        "mock": target.mock is not None,
        "profile": options.profile,
        "dry_run": options.dry_run,
        "requests": target.transport.count,
        "apis": {} if options.dry_run else target.coverage.summary(),
        "kit_decisions_differ": config.stash[DIFFERS],
        "would_send": [f"{s.line} [{s.label}]" for s in target.transport.sent],
    }
    path = Path(options.coverage_json)
    path.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def _refuse(reason: str) -> NoReturn:
    pytest.skip(reason)


@pytest.fixture(scope="session")
def contract(pytestconfig: pytest.Config) -> Iterator[ContractTarget]:
    """The run's target, with its guarded, observed transport."""
    from statuskit.contracts.target import open_target

    config = pytestconfig
    target = open_target(
        config.stash[OPTIONS], refuse=_refuse, label=lambda: config.stash.get(CURRENT, "")
    )
    config.stash[TARGET] = target
    try:
        yield target
    finally:
        target.close()


@pytest.fixture(scope="session")
def raw(contract: ContractTarget) -> Iterator[Raw]:
    """Hand-built requests to the target, with sessions kept between tests."""
    from statuskit.contracts.raw import Raw

    wire = Raw(contract)
    yield wire
    wire.close()


@pytest.fixture
def mock(contract: ContractTarget) -> Iterator[MockServer]:
    """The target's admin API, reset before and after the test; skips on other targets."""
    if contract.mock is None:
        why = (
            "a dry run sends nothing"
            if contract.options.dry_run
            else f"{contract.description} is not one"
        )
        pytest.skip(f"needs a statuskit mock's admin API (clock, data, faults): {why}")
    yield contract.reset()
    contract.reset()


def _once() -> RetryPolicy:
    """No retries: a contract test sees every answer as it was given."""
    from statuskit.client import RetryPolicy

    return RetryPolicy(max_attempts=1)


@pytest.fixture(scope="session")
def thalamus_client(contract: ContractTarget) -> Iterator[ThalamusClient]:
    """The reference Thalamus client, strict, credentials from ``STATUSKIT_THALAMUS_*``."""
    from statuskit.client import ThalamusClient

    login_path = contract.resources.login_path
    with ThalamusClient.from_env(
        contract.base_url,
        login_path=login_path,
        transport=contract.transport,
        retry=_once(),
        strict=True,
    ) as client:
        yield client


@pytest.fixture(scope="session", params=[1, 2], ids=["v1", "v2"])
def tealium_client(
    contract: ContractTarget, request: pytest.FixtureRequest
) -> Iterator[TealiumClient]:
    """The reference Tealium client, strict, once per API version."""
    from statuskit.client import TealiumClient

    with TealiumClient.from_env(
        contract.base_url,
        api_version=request.param,
        transport=contract.transport,
        retry=_once(),
        strict=True,
    ) as client:
        yield client


@pytest.fixture(scope="session")
def import_ids(contract: ContractTarget) -> tuple[int, ...]:
    """Imports known to exist on the target."""
    ids = contract.resources.import_ids
    if not ids:
        pytest.skip("no import is known to exist there: set STATUSKIT_THALAMUS_IMPORT_IDS")
    return ids


@pytest.fixture(scope="session")
def file_names(contract: ContractTarget) -> tuple[str, ...]:
    """Files known to exist on the target, in the account and profile under test."""
    names = contract.resources.files
    if not names:
        pytest.skip("no file is known to exist there: set STATUSKIT_TEALIUM_FILES")
    return names
