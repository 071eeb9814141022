"""A kit decision that a target answers otherwise is never a documented break (issue 12).

The staging stand-in is the mock behind WSGI middleware that changes one refusal, served on
an ephemeral port, and measured by ``statuskit drift`` as a user runs it. Drift's exit code
follows severity alone (``docs/drift.md``, Exit codes): a consumer written against the kit
breaks either way. What differs is ``documented``: false for a kit decision, true for a
documented case, as the catalogue's provenance says.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import pytest

from mockserver import create_app
from statuskit.catalogue import operation
from statuskit.cli import main
from tests.drift.mutate import Answer, Mutating, Rule

_STATUS = operation("thalamus", "get-status")
TOKEN_CASES = {"tokenMissing", "tokenWrong"}
TOUCHPOINT_MISSING = "touchpointMissing"


class _Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """No access log on the test's stderr."""


@contextmanager
def serving(app: Callable[..., Any]) -> Iterator[str]:
    """``app`` on an ephemeral loopback port, in a thread, stopped on the way out."""
    server: WSGIServer = make_server("127.0.0.1", 0, app, handler_class=_Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


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


def drift_of(app: Mutating, capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, Any]]:
    with serving(app) as url:
        args = ["drift", "--api", "thalamus", "--base-url", url, "--pace", "0", "--quiet"]
        code = main([*args, "--format", "json"])
    report: dict[str, Any] = json.loads(capsys.readouterr().out)
    assert app.seen, "the stand-in never changed an answer"
    return code, report


def test_the_catalogue_marks_the_cases_as_the_tests_assume() -> None:
    # The premise of the two tests below, read where drift reads it.
    assert all(_STATUS.case(name).kit for name in TOKEN_CASES)
    assert _STATUS.case(TOUCHPOINT_MISSING).documented


def test_a_kit_decision_answered_otherwise_is_reported_as_a_kit_decision(
    capsys: pytest.CaptureFixture[str],
) -> None:
    app = Mutating(
        create_app(), Rule(r"GET /api/v4/import/status/\d+", answered_401(*TOKEN_CASES), (400,))
    )
    code, report = drift_of(app, capsys)
    statuses = {p["probe"]: p["status"] for p in report["probes"]}
    assert {statuses[name] for name in TOKEN_CASES} == {401}
    findings = report["findings"]
    assert {f["probe"] for f in findings} == TOKEN_CASES
    assert {(f["kind"], f["path"]) for f in findings} == {
        ("auth-behaviour-changed", "<status>"),
        ("error-shape-changed", "$"),
    }
    # Never a documented break: every difference is the kit's guess, and says so.
    assert not any(f["documented"] for f in findings)
    # Severity alone decides the exit code: a consumer switching on the kit's 400 breaks.
    assert (code, report["exit_code"]) == (1, 1)


def test_a_documented_case_answered_otherwise_is_a_documented_break(
    capsys: pytest.CaptureFixture[str],
) -> None:
    app = Mutating(
        create_app(),
        Rule(r"GET /api/v4/import/status/\d+", answered_401(TOUCHPOINT_MISSING), (400,)),
    )
    code, report = drift_of(app, capsys)
    findings = report["findings"]
    assert {f["probe"] for f in findings} == {TOUCHPOINT_MISSING}
    assert {(f["kind"], f["severity"], f["path"], f["documented"]) for f in findings} == {
        ("auth-behaviour-changed", "breaking", "<status>", True),
        ("error-shape-changed", "breaking", "$", True),
    }
    assert (code, report["exit_code"]) == (1, 1)
