"""The JSON report validates against ``schemas/drift/report.json``; a baseline written from a
run suppresses exactly what it accepted, in every format, and survives a rewrite."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from statuskit.drift import Baseline, DriftOptions, render
from statuskit.registry import SchemaRegistry
from tests.drift.conftest import THALAMUS_PROBES, run_against
from tests.drift.mutate import Mutating, Rule, json_edit
from tests.drift.test_mutations import LIST, RECORD, put, stringify

RULES = (
    Rule(RECORD, json_edit(stringify("fileSize"))),
    Rule(RECORD, json_edit(put("state", "ARCHIVED"))),
    Rule(RECORD, json_edit(put("retentionDays", 30))),
)


def test_the_json_report_validates_against_its_schema(
    mutated: Callable[..., Mutating], registry: SchemaRegistry, tmp_path: Path
) -> None:
    app = mutated(*RULES)
    first = run_against(app, "thalamus")
    baseline = Baseline().accepting(first.findings[:1])
    baseline.write(tmp_path / "baseline.json")
    report = run_against(app, "thalamus", baseline=tmp_path / "baseline.json", fail_on="info")
    data = json.loads(render(report, "json"))
    assert registry.validate("drift", "report", data) == []
    assert data["summary"] == {
        "breaking": 0,
        "warning": 1,
        "info": 1,
        "kit_decisions": 0,
        "suppressed": 1,
        "probes": THALAMUS_PROBES,
        "requests": THALAMUS_PROBES,
    }
    assert data["baseline"] == {
        "file": str(tmp_path / "baseline.json"),
        "accepted": 1,
        "matched": 1,
    }
    assert (data["failed"], data["exit_code"], data["fail_on_kit_decisions"]) == (True, 1, False)
    # The budget note is a report field too.
    small = run_against(app, "thalamus", options=DriftOptions(pace=0, budget=2))
    data = json.loads(render(small, "json"))
    assert registry.validate("drift", "report", data) == []
    assert data["summary"]["requests"] == 2
    assert data["notes"] == ["the request budget (2) ran out; later probes were not sent"]


def test_the_report_schema_refuses_what_is_not_a_report(registry: SchemaRegistry) -> None:
    assert registry.validate("drift", "report", {"tool": "statuskit drift"}) != []


def test_a_baseline_suppresses_what_it_accepted_and_nothing_else(
    mutated: Callable[..., Mutating], registry: SchemaRegistry, tmp_path: Path
) -> None:
    path = tmp_path / "baseline.json"
    first = run_against(mutated(*RULES), "thalamus")
    assert first.exit_code == 1
    Baseline().accepting(first.findings).write(path)
    written: Any = json.loads(path.read_text())
    assert registry.validate("drift", "baseline", written) == []
    # Reviewers may say why; the reason survives a rewrite.
    written["accepted"][0]["reason"] = "vendor ticket 123"
    path.write_text(json.dumps(written))

    again = run_against(mutated(*RULES), "thalamus", baseline=path)
    assert again.findings == []
    assert {f.key for f in again.suppressed} == {f.key for f in first.findings}
    assert again.exit_code == 0
    assert "Accepted in the baseline" in render(again, "markdown")
    assert 'skipped message="accepted in the baseline"' in render(again, "junit")

    # Another new state is another finding: accepting ARCHIVED does not accept PAUSED.
    other = (*RULES[:1], Rule(RECORD, json_edit(put("state", "PAUSED"))), RULES[2])
    third = run_against(mutated(*other), "thalamus", baseline=path)
    assert [(f.kind, f.observed) for f in third.findings] == [
        ("enum-value-added", 'string "PAUSED"')
    ]
    kept = Baseline.load(path).accepting([*third.findings, *third.suppressed])
    assert [e.get("reason") for e in kept.entries].count("vendor ticket 123") == 1


def test_a_baseline_accepts_kit_decisions_too(
    mutated: Callable[..., Mutating], registry: SchemaRegistry, tmp_path: Path
) -> None:
    # A kit-decided envelope's field changes type: a kit decision the target answers
    # otherwise, a failure only for a team that relies on the kit's guesses.
    rule = Rule(LIST, json_edit(stringify("totalItems")))
    first = run_against(mutated(rule), "thalamus", fail_on_kit_decisions=True)
    [finding] = first.kit_decisions
    assert (finding.path, finding.documented, first.exit_code) == ("$.totalItems", False, 1)
    path = tmp_path / "baseline.json"
    Baseline().accepting(first.findings).write(path)

    again = run_against(mutated(rule), "thalamus", baseline=path, fail_on_kit_decisions=True)
    assert (again.findings, again.kit_decisions) == ([], [])
    assert [f.key for f in again.suppressed] == [finding.key]
    assert again.exit_code == 0
    data = json.loads(render(again, "json"))
    assert registry.validate("drift", "report", data) == []
    assert (data["summary"]["kit_decisions"], data["summary"]["suppressed"]) == (0, 1)
