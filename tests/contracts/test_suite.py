"""The contract suites themselves, run with ``pytester`` in a separate process: a normal run
passes and covers every documented status and error case; a mock broken in a fixture makes
them fail; a target that is not a mock gets its kit decisions reported apart; a dry run sends
nothing; credentials never reach the output."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

HERE = Path(__file__).parent
BASE = (
    "--pyargs",
    "-p",
    "no:cacheprovider",
    # Schemathesis's pytest plugin blanks every falsifying example hypothesis prints.
    "-p",
    "no:schemathesis",
    "--strict-markers",
    "-W",
    "error",
)
#: The suites' own profile off a live target (dev) is random: each run here gets this seed,
#: or the one this run was given (pytest --hypothesis-seed=N), so it tests the same examples.
SEED = 0
SECRETS = {
    "STATUSKIT_THALAMUS_TOKEN": "tok-SECRET-1f2e",
    "STATUSKIT_THALAMUS_PASSWORD": "pw-SECRET-9a8b",
    "STATUSKIT_TEALIUM_PASSWORD": "pw-SECRET-7c7c",
    "STATUSKIT_TEALIUM_API_KEY": "key-SECRET-5d5d",
}


@pytest.fixture
def seed(pytestconfig: pytest.Config) -> int:
    """The hypothesis seed of the suites' runs."""
    given = pytestconfig.getoption("hypothesis_seed", None)
    return SEED if given is None else int(given)


@pytest.fixture
def run(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, seed: int
) -> Callable[..., pytest.RunResult]:
    """Run the suites in a subprocess, with the seed: ``run(*args, breaks=None, env={})``.
    The seed is printed, so a failing test's captured output names it."""

    def run(*args: str, breaks: str | None = None, env: dict[str, str] | None = None) -> Any:
        for name, value in (env or {}).items():
            monkeypatch.setenv(name, value)
        if breaks is not None:
            shutil.copy(HERE / "breaker.py", pytester.path / "breaker.py")
            monkeypatch.setenv("STATUSKIT_BREAK", breaks)
            args = ("-p", "breaker", *args)
        print(f"the contract suites run with --hypothesis-seed={seed}")
        return pytester.runpytest_subprocess(*BASE, f"--hypothesis-seed={seed}", *args)

    return run


Run = Callable[..., pytest.RunResult]


def test_a_normal_run_passes_and_covers_every_documented_case(
    pytester: pytest.Pytester, run: Run
) -> None:
    report = pytester.path / "coverage.json"
    result = run("contract_tests", f"--contract-coverage-json={report}")
    outcomes = result.parseoutcomes()
    assert outcomes.get("failed", 0) == 0, result.stdout.str()[-3000:]
    assert outcomes["passed"] > 100
    result.stdout.fnmatch_lines(["*contract coverage*", "thalamus (* requests):"])
    summary = json.loads(report.read_text())
    assert summary["mock"] is True
    for api in ("thalamus", "tealium"):
        entry = summary["apis"][api]
        for kind in ("statuses", "error_cases", "error_codes", "states"):
            assert entry[kind]["never"] == [], (api, kind)
            assert entry[kind]["undocumented"] == [], (api, kind)
            assert len(entry[kind]["observed"]) == entry[kind]["documented"] > 0
    assert (
        "CredentialAlreadyExists"
        in summary["apis"]["thalamus"]["error_codes"]["produced_by_no_documented_request"]
    )


@pytest.mark.parametrize(
    ("breaks", "module", "caught"),
    [
        (
            "rows-ok-as-string",
            "test_thalamus_status",
            "test_known_imports_answer_the_strictly_valid_record",
        ),
        ("no-150-check", "test_tealium_file", "test_a_name_of_151_characters_is_400"),
        ("token-not-needed", "test_error_cases", "thalamus-get-status-tokenMissing"),
    ],
)
def test_a_broken_mock_fails_the_suite(
    pytester: pytest.Pytester, run: Run, breaks: str, module: str, caught: str
) -> None:
    junit = pytester.path / "junit.xml"
    result = run(f"contract_tests.{module}", f"--junitxml={junit}", breaks=breaks, env=SECRETS)
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines([f"FAILED *{caught}*"])
    # Failures print requests, answers and falsifying examples, but never a credential.
    for text in (result.stdout.str(), result.stderr.str(), junit.read_text()):
        for secret in SECRETS.values():
            assert secret not in text


def test_a_kit_decision_that_differs_on_a_live_target_is_reported_apart(run: Run) -> None:
    result = run("contract_tests.test_thalamus_status", "-rx", breaks="not-a-mock")
    assert result.ret == pytest.ExitCode.OK
    outcomes = result.parseoutcomes()
    assert outcomes["xfailed"] == 1
    assert outcomes.get("failed", 0) == 0
    result.stdout.fnmatch_lines(
        [
            "*undocumented behaviour differs (kit decisions, not failures)*",
            "*test_401_has_no_body_and_names_basic_auth: *",
            "XFAIL *test_401_has_no_body_and_names_basic_auth* - undocumented behaviour differs*",
        ]
    )


def test_a_dry_run_sends_nothing_lists_requests_and_shows_no_credential(
    pytester: pytest.Pytester, run: Run
) -> None:
    junit, report = pytester.path / "junit.xml", pytester.path / "coverage.json"
    result = run(
        "contract_tests.test_thalamus_status",
        "contract_tests.test_thalamus_upload",
        "contract_tests.test_tealium_v2",
        "--contract-api=thalamus",
        "--contract-base-url=https://staging.statuskit.invalid",
        "--contract-dry-run",
        f"--junitxml={junit}",
        f"--contract-coverage-json={report}",
        "-rs",
        env={**SECRETS, "STATUSKIT_THALAMUS_IMPORT_IDS": "274"},
    )
    assert result.ret == pytest.ExitCode.OK
    outcomes = result.parseoutcomes()
    assert set(outcomes) == {"skipped", "deselected"}  # --contract-api deselects Tealium
    result.stdout.fnmatch_lines(
        [
            "*contract dry run*",
            "POST https://staging.statuskit.invalid/api/v3/thalamus_security_check*",
            "GET https://staging.statuskit.invalid/api/v4/import/status/274*",
            "* requests would be sent to https://staging.statuskit.invalid; nothing was sent*",
            "*changes data on a live target: pass --contract-allow-writes*",
        ]
    )
    written = json.loads(report.read_text())
    assert written["dry_run"] is True
    assert written["requests"] == 0
    texts = (result.stdout.str(), result.stderr.str(), junit.read_text(), report.read_text())
    for text in texts:
        for secret in SECRETS.values():
            assert secret not in text


def test_the_state_machines_run_their_fault_rules(run: Run) -> None:
    # The mock injects faults through its admin API, so no rule is skipped.
    result = run("contract_tests.test_stateful")
    result.assert_outcomes(passed=3)


def test_a_bad_option_is_a_usage_error(run: Run) -> None:
    result = run("contract_tests.test_tealium_v2", env={"STATUSKIT_CONTRACT_BUDGET": "lots"})
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--contract-budget (or $STATUSKIT_CONTRACT_BUDGET)*"])
