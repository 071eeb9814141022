"""The proxy's findings aggregated: one entry per finding with its count, first and last
seen and one scrubbed sample; the ``X-Statuskit-Violations`` summary; what ``--errors``
blocks; drift's report in every format, valid against ``schemas/drift/report.json``; drift's
baseline; several threads, and several processes sharing a directory."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path

import pytest

from statuskit.drift import Baseline, render
from statuskit.drift.model import DriftFinding
from statuskit.proxy import Exchange
from statuskit.proxy._findings import SUMMARY_LIMIT, Findings, iso
from statuskit.proxy._validate import Validator
from statuskit.registry import SchemaRegistry
from tests.drift.test_mutations import put, stringify
from tests.proxy.exchanges import (
    RECORD_PATH,
    SESSION,
    TOKEN,
    exchange,
    record,
    thalamus,
)

T0 = 1_790_000_000.0


def mutated(*edits: object, started: float = T0, path: str = RECORD_PATH) -> Exchange:
    body = record()
    for edit in edits:
        edit(body)  # type: ignore[operator]
    return exchange(path, thalamus(token_in="query"), body=body, started=started)


def observed(validator: Validator, *exchanges: Exchange) -> None:
    """What the proxy does with each exchange: observe, then hand the findings to the sink."""
    for one in exchanges:
        validator.findings.add(one, validator.observe(one).findings)


@pytest.fixture
def validator() -> Validator:
    return Validator(("thalamus",), findings=Findings(apis=("thalamus",), target="http://up"))


def test_identical_findings_aggregate_with_count_times_and_one_sample(
    validator: Validator,
) -> None:
    observed(
        validator,
        mutated(stringify("rowsOk"), started=T0),
        mutated(
            stringify("rowsOk"), put("extra", 1), started=T0 + 5, path="/api/v4/import/status/9"
        ),
        mutated(stringify("rowsOk"), started=T0 + 9),
    )
    findings = {f.kind: f for f in validator.findings.findings()}
    assert set(findings) == {"type-changed", "field-added"}
    changed = findings["type-changed"].to_dict()
    assert changed["samples"] == 3
    assert (changed["first_seen"], changed["last_seen"]) == (iso(T0), iso(T0 + 9))
    assert changed["sample"] == {"method": "GET", "path": RECORD_PATH, "status": 200}
    added = findings["field-added"].to_dict()
    assert (added["samples"], added["first_seen"], added["last_seen"]) == (
        1,
        iso(T0 + 5),
        iso(T0 + 5),
    )
    assert added["sample"]["path"] == "/api/v4/import/status/9"
    assert validator.findings.report().requests == 3


def test_no_secret_reaches_the_snapshot_or_a_sample(validator: Validator) -> None:
    # The credentials travel in the query and the cookie; a body echoes one of them.
    echo = exchange(RECORD_PATH, thalamus(token_in="query"), body={**record(), "x": TOKEN})
    observed(validator, echo, mutated(stringify("rowsOk")))
    text = json.dumps(validator.findings.snapshot())
    assert TOKEN not in text
    assert SESSION not in text
    assert "token=" not in text


def test_the_summary_is_short_worst_first_and_plain(validator: Validator) -> None:
    verdict = validator.observe(mutated(put("zeta", 1), stringify("rowsOk")))
    assert verdict.summary == "2 findings: breaking type-changed $.rowsOk; info field-added $.zeta"
    many = validator.observe(mutated(*(put(f"field{i}é", i) for i in range(30))))
    assert len(many.summary) == SUMMARY_LIMIT
    assert many.summary.startswith("30 findings: info field-added $['field0?']; ")
    assert many.summary.endswith("...")
    assert many.summary.isascii()
    assert validator.observe(mutated()).summary == ""


def _finding(severity: str = "breaking", *, documented: bool = True) -> DriftFinding:
    return DriftFinding(
        severity=severity,  # type: ignore[arg-type]
        kind="type-changed",
        api="thalamus",
        operation="get-status",
        probe="traffic",
        path="$.rowsOk",
        expected="integer",
        observed='string "1"',
        documented=documented,
    )


@pytest.mark.parametrize(
    ("finding", "fail_on", "kit", "blocks"),
    [
        (_finding("breaking"), "breaking", False, True),
        (_finding("warning"), "breaking", False, False),
        (_finding("warning"), "warning", False, True),
        (_finding("info"), "info", False, True),
        (_finding("breaking", documented=False), "breaking", False, False),
        (_finding("breaking", documented=False), "breaking", True, True),
    ],
    ids=["breaking", "warning below", "warning at", "info at", "kit decision", "kit counted"],
)
def test_blocking_follows_fail_on_and_kit_decisions(
    finding: DriftFinding, fail_on: str, kit: bool, blocks: bool
) -> None:
    sink = Findings(fail_on=fail_on, fail_on_kit_decisions=kit)  # type: ignore[arg-type]
    assert sink.verdict([finding]).blocking is blocks
    assert sink.verdict([]).blocking is False


def test_a_baseline_suppresses_in_the_header_the_block_and_the_report(
    validator: Validator, tmp_path: Path, registry: SchemaRegistry
) -> None:
    observed(validator, mutated(stringify("rowsOk"), put("extra", 1)))
    first = validator.findings.report()
    assert first.exit_code == 1
    accepted = [f for f in first.findings if f.kind == "type-changed"]
    Baseline().accepting(accepted).write(tmp_path / "baseline.json")
    # One baseline format for drift and the proxy: drift's loader reads what was written.
    baseline = Baseline.load(tmp_path / "baseline.json")
    sink = Findings(apis=("thalamus",), baseline=baseline)
    again = Validator(("thalamus",), findings=sink)
    verdict = again.observe(mutated(stringify("rowsOk"), put("extra", 1)))
    assert verdict.summary == "1 finding: info field-added $.extra"
    assert not verdict.blocking
    observed(again, mutated(stringify("rowsOk"), put("extra", 1)))
    report = sink.report()
    assert [f.kind for f in report.suppressed] == ["type-changed"]
    assert [f.kind for f in report.findings] == ["field-added"]
    assert (report.exit_code, report.baseline_accepted) == (0, 1)
    data = report.to_dict()
    assert registry.validate("drift", "report", data) == []
    assert data["baseline"]["matched"] == 1


def test_kit_decisions_are_reported_apart_and_do_not_fail(validator: Validator) -> None:
    observed(validator, exchange(RECORD_PATH, thalamus(session=None), body=record()))
    report = validator.findings.report()
    assert [f.kind for f in report.kit_decisions] == ["request-credential-missing"]
    assert (report.documented, report.exit_code) == ([], 0)
    sink = Findings(apis=("thalamus",), fail_on_kit_decisions=True)
    strict = Validator(("thalamus",), findings=sink)
    observed(strict, exchange(RECORD_PATH, thalamus(session=None), body=record()))
    assert sink.report().exit_code == 1


@pytest.mark.parametrize("fmt", ["text", "json", "markdown", "junit"])
def test_the_report_renders_in_each_of_drifts_formats(
    validator: Validator, fmt: str, registry: SchemaRegistry
) -> None:
    observed(validator, mutated(stringify("rowsOk")), mutated(put("state", "ARCHIVED")))
    report = validator.findings.report()
    text = render(report, fmt)  # type: ignore[arg-type]
    if fmt == "json":
        data = json.loads(text)
        assert registry.validate("drift", "report", data) == []
        assert (data["tool"], data["api"], data["target"]) == (
            "statuskit proxy",
            "thalamus",
            "http://up",
        )
        assert data["summary"]["breaking"] == data["summary"]["warning"] == 1
        assert data["notes"] == ["thalamus get-status: 2 exchanges (200 x2)"]
    elif fmt == "junit":
        suite = ET.fromstring(text).find("testsuite")
        assert suite is not None
        assert (suite.get("name"), suite.get("failures")) == ("statuskit proxy thalamus", "1")
    else:
        assert "statuskit proxy" in text
        assert "$.rowsOk" in text
        assert "type-changed" in text


def test_the_snapshot_of_both_apis_is_a_valid_report(registry: SchemaRegistry) -> None:
    both = Validator()
    observed(both, mutated(stringify("rowsOk")), exchange("/nowhere/274", status=404))
    data = both.findings.snapshot()
    assert registry.validate("drift", "report", data) == []
    assert data["api"] == "all"
    assert {f["kind"] for f in data["findings"]} == {"type-changed", "request-undocumented-route"}


def test_counts_are_exact_under_threads() -> None:
    sink = Findings()
    finding = _finding()
    one = mutated()

    def add() -> None:
        for _ in range(500):
            sink.add(one, [finding])

    threads = [threading.Thread(target=add) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    [aggregated] = sink.findings()
    assert aggregated.samples == 8 * 500
    assert sink.report().requests == 8 * 500


_CHILD = """
import sys
from statuskit.drift.model import DriftFinding
from statuskit.proxy._findings import Findings
from tests.proxy.exchanges import exchange, RECORD_PATH
sink = Findings(directory=sys.argv[1])
finding = DriftFinding("info", "field-added", "thalamus", "get-status", "traffic", "$.x",
                       "absent", "integer 1", True)
for started in (100.0, 300.0):
    sink.add(exchange(RECORD_PATH, status=200, started=1_790_000_000.0 + started), [finding])
sink.close()
"""


def test_processes_sharing_a_directory_are_merged(tmp_path: Path) -> None:
    sink = Findings(directory=tmp_path)
    finding = DriftFinding(
        "info",
        "field-added",
        "thalamus",
        "get-status",
        "traffic",
        "$.x",
        "absent",
        "integer 1",
        True,
    )
    sink.add(exchange(RECORD_PATH, started=T0 + 200), [finding])
    sink.add(exchange(RECORD_PATH, started=T0 + 250), [replace(finding, path="$.y")])
    root = Path(__file__).resolve().parents[2]
    subprocess.run([sys.executable, "-c", _CHILD, str(tmp_path)], check=True, cwd=root, timeout=60)
    merged = {f.path: f.to_dict() for f in sink.findings()}
    assert merged["$.x"]["samples"] == 3
    assert (merged["$.x"]["first_seen"], merged["$.x"]["last_seen"]) == (
        iso(T0 + 100),
        iso(T0 + 300),
    )
    assert merged["$.y"]["samples"] == 1
    assert sink.report().requests == 4
    sink.close()
