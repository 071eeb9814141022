"""Tells a contract failure from a tool failure inside a ``statuskit check`` run.

pytest exits 1 for any failed test, whether the target broke a contract or the kit itself
crashed (a bug, a lost connection, a missing module). ``statuskit check`` must exit 1 only
for the first, so it loads this plugin into its pytest child: each failure is sorted by its
exception (:func:`is_contract_failure`), and the tally is written as JSON to
``--statuskit-outcome FILE`` when the session ends. No file at all means the suites never
ran.
"""

from __future__ import annotations

import json
from collections.abc import Generator
from pathlib import Path
from typing import Any

import pytest

__all__ = ["Outcome", "is_contract_failure", "read"]

_OPTION = "--statuskit-outcome"


def is_contract_failure(error: BaseException) -> bool:
    """Whether ``error`` says the target broke a contract: an :class:`AssertionError` (every
    check of the suites), an answer the reference client refused (an error status where
    none was due, a body that is not the record), or a group of nothing else (hypothesis
    reports several distinct failures as one). No answer at all is not the contract's."""
    from statuskit.errors import MalformedResponseError, ResponseError

    if isinstance(error, BaseExceptionGroup):
        return all(is_contract_failure(inner) for inner in error.exceptions)
    return isinstance(error, AssertionError | ResponseError | MalformedResponseError)


class Outcome:
    """The failures of one run: contract failures counted, tool failures described."""

    def __init__(self) -> None:
        self.contract_failures = 0
        self.tool_failures: list[str] = []

    def add(self, nodeid: str, error: BaseException | None) -> None:
        """Count one failed test phase; ``None`` is a failure with no exception (a strict
        xfail that passed), which only a contract outcome produces."""
        if error is None or is_contract_failure(error):
            self.contract_failures += 1
            return
        text = str(error).strip().splitlines()
        detail = f"{type(error).__name__}: {text[0]}" if text else type(error).__name__
        self.tool_failures.append(f"{nodeid}: {detail}")

    def as_json(self) -> dict[str, Any]:
        """What the file holds."""
        return {"contract_failures": self.contract_failures, "tool_failures": self.tool_failures}


def read(path: Path) -> dict[str, Any] | None:
    """The outcome a run wrote, or ``None`` when it wrote none."""
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data


def pytest_addoption(parser: pytest.Parser) -> None:
    """The file to write the outcome to."""
    parser.addoption(_OPTION, metavar="FILE", help="write statuskit check's outcome here")


def pytest_configure(config: pytest.Config) -> None:
    """Tally this run when it was asked to."""
    target = config.getoption(_OPTION)
    if target:
        config.pluginmanager.register(_Tally(Path(target)), "statuskit-outcome")


class _Tally:
    def __init__(self, target: Path) -> None:
        self.target = target
        self.outcome = Outcome()

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(
        self, item: pytest.Item, call: pytest.CallInfo[None]
    ) -> Generator[None, pytest.TestReport, pytest.TestReport]:
        report = yield
        if report.failed:
            self.outcome.add(item.nodeid, call.excinfo.value if call.excinfo else None)
        return report

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        # A module that cannot even be collected is the kit's failure, never the target's.
        if report.failed:
            lines = str(report.longrepr).strip().splitlines()
            self.outcome.tool_failures.append(
                f"{report.nodeid}: {lines[-1] if lines else 'collection failed'}"
            )

    def pytest_sessionfinish(self) -> None:
        self.target.write_text(json.dumps(self.outcome.as_json()), encoding="utf-8")
