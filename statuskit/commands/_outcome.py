"""Tells a contract failure from a tool failure inside a ``statuskit check`` run.

pytest exits 1 for any failed test, whether the target broke a contract or the kit itself
crashed (a bug, a lost connection, a missing module). ``statuskit check`` must exit 1 only
for the first, so it loads this plugin into its pytest child: each failure is sorted by its
exception (:func:`is_contract_failure`), and the tally is written as JSON to
``--statuskit-outcome FILE`` when the session ends. No file at all means the suites never
ran.

With ``--statuskit-tests FILE`` (``check --html``) it also writes each test's outcome
(:class:`Results`): passed, failed, error, skipped, xfailed or xpassed, whether it is about
a kit decision, and the first line of why, secrets masked (:mod:`._scrub`).
"""

from __future__ import annotations

import json
from collections.abc import Generator
from pathlib import Path
from typing import Any

import pytest

__all__ = ["Outcome", "Results", "is_contract_failure", "read"]

_OPTION = "--statuskit-outcome"
_TESTS = "--statuskit-tests"
#: The longest reason a result keeps: a first line, not a traceback.
_MESSAGE = 300


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


def _is_kit_difference(error: BaseException | None) -> bool:
    from statuskit.errors import KitDecisionDiffers

    if isinstance(error, BaseExceptionGroup):
        return all(_is_kit_difference(inner) for inner in error.exceptions)
    return isinstance(error, KitDecisionDiffers)


def _phase(report: pytest.TestReport) -> str | None:
    """What one phase says of its test; ``None`` for a setup or teardown that passed."""
    xfail = hasattr(report, "wasxfail")
    if report.failed:
        return "failed" if report.when == "call" else "error"
    if report.skipped:
        return "xfailed" if xfail else "skipped"
    if report.when == "call":
        return "xpassed" if xfail else "passed"
    return None


def _reason(report: pytest.TestReport) -> str:
    """Why a phase did not pass, in its first line: the crash's message, the skip's or
    xfail's reason."""
    if report.passed:
        return ""
    if hasattr(report, "wasxfail") and report.skipped:
        text = str(report.wasxfail)
    elif isinstance(report.longrepr, tuple):
        text = str(report.longrepr[2]).removeprefix("Skipped: ")
    else:
        crash = getattr(report.longrepr, "reprcrash", None)
        text = crash.message if crash is not None else str(report.longrepr)
    lines = text.strip().splitlines()
    first = lines[0] if lines else ""
    return first if len(first) <= _MESSAGE else first[: _MESSAGE - 1] + "…"


class Results:
    """Each test's outcome, in the order they ran: ``nodeid``, ``outcome``, ``kit`` (it
    checks a kit decision, or what differed was one) and ``message``."""

    def __init__(self) -> None:
        from statuskit.commands._scrub import scrubber

        self.tests: dict[str, dict[str, Any]] = {}
        self._scrub = scrubber()

    def _entry(self, nodeid: str) -> dict[str, Any]:
        blank = {"nodeid": nodeid, "outcome": "passed", "kit": False, "message": ""}
        return self.tests.setdefault(nodeid, blank)

    def mark(self, item: pytest.Item, error: BaseException | None) -> None:
        """Note whether ``item`` is about a kit decision: its mark, or what it raised."""
        kit = item.get_closest_marker("kit_decision") is not None or _is_kit_difference(error)
        entry = self._entry(item.nodeid)
        entry["kit"] = entry["kit"] or kit

    def add(self, report: pytest.TestReport) -> None:
        """Fold one phase into its test: the first failure or error stands."""
        outcome = _phase(report)
        entry = self._entry(report.nodeid)
        if outcome is None or entry["outcome"] in ("failed", "error"):
            return
        entry["outcome"], entry["message"] = outcome, self._scrub(_reason(report))

    def as_json(self) -> list[dict[str, Any]]:
        """What the file holds."""
        return list(self.tests.values())


def read(path: Path) -> Any:
    """The outcome (or the results) a run wrote, or ``None`` when it wrote none."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def pytest_addoption(parser: pytest.Parser) -> None:
    """The files to write the outcome and each test's result to."""
    parser.addoption(_OPTION, metavar="FILE", help="write statuskit check's outcome here")
    parser.addoption(_TESTS, metavar="FILE", help="write each test's outcome here")


def pytest_configure(config: pytest.Config) -> None:
    """Tally this run when it was asked to."""
    target = config.getoption(_OPTION)
    if target:
        tests = config.getoption(_TESTS)
        tally = _Tally(Path(target), Path(tests) if tests else None)
        config.pluginmanager.register(tally, "statuskit-outcome")


class _Tally:
    def __init__(self, target: Path, tests: Path | None) -> None:
        self.target = target
        self.outcome = Outcome()
        self.tests = tests
        self.results = Results() if tests else None

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(
        self, item: pytest.Item, call: pytest.CallInfo[None]
    ) -> Generator[None, pytest.TestReport, pytest.TestReport]:
        report = yield
        error = call.excinfo.value if call.excinfo else None
        if report.failed:
            self.outcome.add(item.nodeid, error)
        if self.results is not None:
            self.results.mark(item, error)
        return report

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        # The report as every hook left it: the suites turn a live target's kit decision
        # that differs into an xfail after the call.
        if self.results is not None:
            self.results.add(report)

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        # A module that cannot even be collected is the kit's failure, never the target's.
        if report.failed:
            lines = str(report.longrepr).strip().splitlines()
            self.outcome.tool_failures.append(
                f"{report.nodeid}: {lines[-1] if lines else 'collection failed'}"
            )

    def pytest_sessionfinish(self) -> None:
        self.target.write_text(json.dumps(self.outcome.as_json()), encoding="utf-8")
        if self.tests is not None and self.results is not None:
            text = json.dumps(self.results.as_json(), ensure_ascii=False)
            self.tests.write_text(text, encoding="utf-8")
