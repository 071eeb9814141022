"""Drift's refusals are the catalogue's error cases: each one a read-only run can trigger,
sent once, with the status, code and provenance the catalogue gives it; a change to the
catalogue reaches drift with no code edit."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Flask

from mockserver import create_app
from statuskit.catalogue import operation
from statuskit.drift import DriftOptions
from tests.drift.conftest import run_against
from tests.drift.mutate import Answer, Mutating, Rule
from tests.helpers import edited_catalogue

FORBIDDEN_ENV = "STATUSKIT_TEALIUM_FORBIDDEN_ACCOUNT"


def refusals(report: Any) -> dict[str, tuple[str, int, int | None]]:
    """The refusal probes of a report: name → (operation, expected status, status)."""
    resources = {"login", "list", "record", "count", "search", "file"}
    return {
        p.probe: (p.operation, p.expected_status, p.status)
        for p in report.probes
        if p.probe not in resources
    }


def test_every_get_status_case_is_sent_and_the_shared_ones_only_once(mock_app: Flask) -> None:
    report = run_against(mock_app, "thalamus")
    sent = refusals(report)
    assert report.findings == []
    assert all(expected == status for _, expected, status in sent.values())
    status, listing = operation("thalamus", "get-status"), operation("thalamus", "list-imports")
    for case in status.errors:
        assert case.name in sent or case.code in sent, case
    shared = {c.name for c in status.errors} & {c.name for c in listing.errors}
    assert shared, "get-status and list-imports share the credential cases"
    assert {sent[name][0] for name in shared} == {"get-status"}
    assert [p.probe for p in report.probes].count("touchpointMissing") == 1


def test_each_tealium_version_sends_its_own_routes_cases(mock_app: Flask) -> None:
    v1 = refusals(run_against(mock_app, "tealium"))
    v2 = refusals(run_against(mock_app, "tealium", options=DriftOptions(pace=0, api_version=2)))
    assert ("badSession" in v1, "badBearer" in v1) == (True, False)
    assert ("badSession" in v2, "badBearer" in v2) == (False, True)


def test_a_case_that_needs_a_setting_is_sent_only_when_it_is_set() -> None:
    app = create_app({"tealium_accounts": ["acme"]})
    assert "forbidden" not in refusals(run_against(app, "tealium", environ={}))
    report = run_against(app, "tealium", environ={FORBIDDEN_ENV: "statuskit-other-account"})
    assert refusals(report)["forbidden"] == ("get-file-status", 401, 401)
    assert report.findings == []


def add_id_zero(provenance: dict[str, str]) -> Callable[[dict[str, Any]], None]:
    def edit(catalogue: dict[str, Any]) -> None:
        catalogue["errorCases"]["idZero"] = {
            "status": 400,
            "code": "id:InvalidId",
            "request": {"path": {"id": "0"}},
            "provenance": provenance,
        }
        [entry] = [e for e in catalogue["operations"] if e["operationId"] == "get-status"]
        entry["errors"].append("idZero")

    return edit


def test_a_case_added_to_the_catalogue_is_probed_with_its_provenance(
    tmp_path: Path, mock_app: Flask
) -> None:
    kit = edited_catalogue(tmp_path / "kit", "thalamus", add_id_zero({"kit": "a test's guess"}))
    report = run_against(mock_app, "thalamus", registry=kit)
    assert refusals(report)["idZero"] == ("get-status", 400, 400)
    assert report.findings == []

    def answered_404(answer: Answer) -> None:
        answer.status = 404

    stand_in = Mutating(mock_app, Rule(r"GET /api/v4/import/status/0", answered_404, (400,)))
    [finding] = run_against(stand_in, "thalamus", registry=kit).findings
    assert (finding.probe, finding.path, finding.documented) == ("idZero", "<status>", False)
    # The same case flipped to documented: the same answer is now a documented break.
    documented = edited_catalogue(
        tmp_path / "doc", "thalamus", add_id_zero({"documented": "a test's page"})
    )
    [finding] = run_against(stand_in, "thalamus", registry=documented).findings
    assert (finding.probe, finding.path, finding.documented) == ("idZero", "<status>", True)
