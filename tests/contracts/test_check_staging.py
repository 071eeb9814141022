"""``statuskit check`` against a staging stand-in (``tests/contracts/staging.py``): a live
target that answers a kit-decision case differently passes, the case listed as a kit
decision that differs; one that answers a documented case differently fails (exit 1)."""

from __future__ import annotations

from pathlib import Path

from statuskit.catalogue import ErrorCase, operation
from tests.contracts.staging import Staging
from tests.helpers import served, statuskit

OP = operation("thalamus", "get-status")
#: The Thalamus cases that leave the token out or send it wrong: kit decisions (FACTS.md).
TOKEN_CASES = [case for case in OP.errors if "token" in case.request.credentials]
TOUCHPOINT_MISSING = next(
    case for case in OP.errors if case.request.credentials.get("touchpoint", "") is None
)
#: The smallest profile, and an import the mock holds (the target is "live": no defaults).
SETTINGS = {"STATUSKIT_THALAMUS_IMPORT_IDS": "274"}


def _check(tmp_path: Path, cases: list[ErrorCase], *pytest_args: str) -> tuple[int, str]:
    staging = Staging((case.field or "", case.value or "") for case in cases)
    with served(staging) as base_url:
        done = statuskit(
            tmp_path,
            "check",
            "--api",
            "thalamus",
            "--base-url",
            base_url,
            "--profile",
            "live",
            "--",
            *pytest_args,
            **SETTINGS,
        )
    return done.returncode, done.stdout + done.stderr


def test_a_kit_decision_answered_otherwise_is_listed_apart_and_passes(tmp_path: Path) -> None:
    assert TOKEN_CASES
    assert all(case.kit for case in TOKEN_CASES)
    code, output = _check(tmp_path, TOKEN_CASES)
    assert code == 0, output[-4000:]
    section = output.split("undocumented behaviour differs (kit decisions, not failures)")[1]
    for case in TOKEN_CASES:
        # On every operation that lists the case.
        for name in ("login", "logout", "get-status", "list-imports", "upload"):
            assert f"thalamus-{name}-{case.name}]: kit decision:" in section, (name, case)
    assert " failed" not in output.splitlines()[-1]


def test_a_documented_case_answered_otherwise_fails(tmp_path: Path) -> None:
    assert TOUCHPOINT_MISSING.documented
    code, output = _check(tmp_path, [TOUCHPOINT_MISSING], "-k", "test_error_cases")
    assert code == 1, output[-4000:]
    assert "FAILED" in output
    assert f"thalamus-get-status-{TOUCHPOINT_MISSING.name}]" in output
    assert "expected 400 partnerDataSource:TouchpointCodeRequired, the target answered 401" in (
        output
    )
