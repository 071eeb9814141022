"""A kit decision that a target answers otherwise is never a documented break (issue 12).

The staging stand-in is the mock behind WSGI middleware that changes one refusal, served on
an ephemeral port, and measured by ``statuskit drift`` as a user runs it. A kit decision
answered otherwise is ``documented: false``, reported apart and not a failure, unless
``--fail-on-kit-decisions``; a documented case answered otherwise is ``documented: true`` and
fails (``docs/drift.md``, Exit codes), as the catalogue's provenance says.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from xml.etree import ElementTree

import pytest

from mockserver import create_app
from statuskit.catalogue import operation
from statuskit.cli import main
from statuskit.registry import SchemaRegistry
from tests.drift.mutate import Answer, Mutating, Rule
from tests.helpers import served

_STATUS = operation("thalamus", "get-status")
TOKEN_CASES = {"tokenMissing", "tokenWrong"}
TOUCHPOINT_MISSING = "touchpointMissing"


def answered_401(*cases: str) -> Callable[[Answer], None]:
    """A 400 carrying one of ``cases``' codes becomes a bare 401, as a server that treats
    the request as unauthenticated answers it."""
    codes = {
        (case.field, case.value) for case in (_STATUS.case(name) for name in cases) if case.field
    }

    def mutate(answer: Answer) -> None:
        errors = answer.json().get("errors", {})
        if any(errors.get(field) == value for field, value in codes):
            answer.status = 401
            answer.body = b""
            answer.set_header("Content-Type", None)
            answer.set_header("WWW-Authenticate", 'Basic realm="Thalamus"')

    return mutate


def drift_of(
    app: Mutating, capsys: pytest.CaptureFixture[str], fmt: str = "json", *extra: str
) -> tuple[int, str]:
    """``statuskit drift`` against ``app`` served on a port: its exit code and stdout."""
    with served(app) as url:
        args = ["drift", "--api", "thalamus", "--base-url", url, "--pace", "0", "--quiet"]
        code = main([*args, "--format", fmt, *extra])
    assert app.seen, "the stand-in never changed an answer"
    return code, capsys.readouterr().out


def json_drift_of(
    app: Mutating, capsys: pytest.CaptureFixture[str], *extra: str
) -> tuple[int, dict[str, Any]]:
    code, out = drift_of(app, capsys, "json", *extra)
    report: dict[str, Any] = json.loads(out)
    assert report["exit_code"] == code
    return code, report


def assert_listed_apart(report: str, heading: str, row: str) -> None:
    """Every token case's ``row`` (``{}`` its name) stands after ``heading`` and not before."""
    head, kit = report.split(heading)
    for name in TOKEN_CASES:
        assert row.format(name) not in head
        assert row.format(name) in kit


def token_cases_answered_401() -> Mutating:
    return Mutating(
        create_app(), Rule(r"GET /api/v4/import/status/\d+", answered_401(*TOKEN_CASES), (400,))
    )


def test_the_catalogue_marks_the_cases_as_the_tests_assume() -> None:
    # The premise of the two tests below, read where drift reads it.
    assert all(_STATUS.case(name).kit for name in TOKEN_CASES)
    assert _STATUS.case(TOUCHPOINT_MISSING).documented


def test_a_kit_decision_answered_otherwise_is_reported_apart_and_passes(
    capsys: pytest.CaptureFixture[str], registry: SchemaRegistry
) -> None:
    code, report = json_drift_of(token_cases_answered_401(), capsys)
    assert registry.validate("drift", "report", report) == []
    statuses = {p["probe"]: p["status"] for p in report["probes"]}
    assert {statuses[name] for name in TOKEN_CASES} == {401}
    findings = report["findings"]
    assert {f["probe"] for f in findings} == TOKEN_CASES
    assert {(f["kind"], f["severity"], f["path"]) for f in findings} == {
        ("auth-behaviour-changed", "breaking", "<status>"),
        ("error-shape-changed", "breaking", "$"),
    }
    # Never a documented break: every difference is the kit's guess, and says so.
    assert not any(f["documented"] for f in findings)
    # Listed apart, and not a failure: the vendor never documented what the kit guessed.
    summary = report["summary"]
    assert (summary["breaking"], summary["warning"], summary["info"]) == (0, 0, 0)
    assert summary["kit_decisions"] == len(findings) == 4
    assert report["fail_on_kit_decisions"] is False
    assert (code, report["failed"]) == (0, False)


def test_the_kit_decisions_have_their_own_section_in_every_format(
    capsys: pytest.CaptureFixture[str],
) -> None:
    app = token_cases_answered_401()
    code, text = drift_of(app, capsys, "text")
    assert code == 0
    verdict = text.splitlines()[0]
    assert verdict.endswith(
        ": passed (fail-on breaking): 0 documented breaks; 4 kit decisions differ (not failures)"
    )
    heading = "\nkit decisions the target answers otherwise (not failures):\n"
    assert_listed_apart(text, heading, "get-status ({})")

    code, markdown = drift_of(app, capsys, "markdown")
    assert code == 0
    assert "No documented drift: every difference is a kit decision." in markdown
    heading = "**Kit decisions the target answers otherwise (not failures)**"
    assert_listed_apart(markdown, heading, "| get-status ({}) |")

    code, xml = drift_of(app, capsys, "junit")
    assert code == 0
    [suite] = ElementTree.fromstring(xml)
    assert (suite.get("failures"), suite.get("skipped")) == ("0", "4")
    kit_cases = [c for c in suite if ".kit-decision." in c.get("classname", "")]
    assert {c.get("classname") for c in kit_cases} == {"drift.thalamus.kit-decision.get-status"}
    assert len(kit_cases) == 4
    assert all(c.find("skipped") is not None for c in kit_cases)


def test_fail_on_kit_decisions_makes_them_count(capsys: pytest.CaptureFixture[str]) -> None:
    app = token_cases_answered_401()
    code, report = json_drift_of(app, capsys, "--fail-on-kit-decisions")
    assert (code, report["failed"], report["fail_on_kit_decisions"]) == (1, True, True)
    assert report["summary"]["kit_decisions"] == 4
    assert not any(f["documented"] for f in report["findings"])

    code, text = drift_of(app, capsys, "text", "--fail-on-kit-decisions")
    assert code == 1
    assert text.splitlines()[0].endswith(
        ": FAILED (fail-on breaking): 0 documented breaks; "
        "4 kit decisions differ (4 failing: --fail-on-kit-decisions)"
    )
    code, xml = drift_of(app, capsys, "junit", "--fail-on-kit-decisions")
    assert code == 1
    [suite] = ElementTree.fromstring(xml)
    assert (suite.get("failures"), suite.get("skipped")) == ("4", "0")


def test_a_documented_case_answered_otherwise_is_a_documented_break(
    capsys: pytest.CaptureFixture[str],
) -> None:
    app = Mutating(
        create_app(),
        Rule(r"GET /api/v4/import/status/\d+", answered_401(TOUCHPOINT_MISSING), (400,)),
    )
    code, report = json_drift_of(app, capsys)
    findings = report["findings"]
    assert {f["probe"] for f in findings} == {TOUCHPOINT_MISSING}
    assert {(f["kind"], f["severity"], f["path"], f["documented"]) for f in findings} == {
        ("auth-behaviour-changed", "breaking", "<status>", True),
        ("error-shape-changed", "breaking", "$", True),
    }
    assert (report["summary"]["breaking"], report["summary"]["kit_decisions"]) == (2, 0)
    assert (code, report["failed"]) == (1, True)
