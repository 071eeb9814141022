"""The contract suites over HTTP through the balancer: two instances pass them as one mock.

The suites reset the mock, log in, upload, move the clock and read the journal through
nginx, which sends each request to either instance; they pass only if the instances share
every piece of state.
"""

from __future__ import annotations

import json

import pytest

from tests.multihost.cluster import Cluster


def test_the_contract_suites_pass_through_the_balancer(
    shared: Cluster, pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in shared.env.items():
        monkeypatch.setenv(name, value)
    report = pytester.path / "coverage.json"
    result = pytester.runpytest_subprocess(
        "--pyargs",
        "contract_tests",
        f"--contract-base-url={shared.url}",
        "--contract-profile=ci",
        f"--contract-coverage-json={report}",
        "-p",
        "no:cacheprovider",
        # Schemathesis's pytest plugin blanks every falsifying example hypothesis prints.
        "-p",
        "no:schemathesis",
        "-W",
        "error",
        # Hypothesis explains a failure with libcst, which warns on import: without this, a
        # failing example would be reported as an INTERNALERROR instead of itself.
        "-W",
        "ignore:mypy_extensions.TypedDict is deprecated:DeprecationWarning",
    )
    outcomes = result.parseoutcomes()
    # Every test ran: a mock target (the admin API answered with the token) and the
    # account it refuses were named, so nothing skips.
    assert set(outcomes) == {"passed"}, result.stdout.str()[-3000:]
    assert outcomes["passed"] > 100
    summary = json.loads(report.read_text())
    assert summary["mock"] is True
    for api in ("thalamus", "tealium"):
        for kind in ("statuses", "error_cases", "error_codes", "states"):
            entry = summary["apis"][api][kind]
            assert entry["never"] == [], (api, kind)
            assert len(entry["observed"]) == entry["documented"] > 0
