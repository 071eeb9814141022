"""``--format html``: drift's report and the proxy's as one self-contained page, with the
summary, the tables the Markdown format has and the picture of the findings by operation
and severity; no URL, no secret, no timestamp."""

from __future__ import annotations

import logging
from collections import Counter
from pathlib import Path

import pytest

from mockserver import create_app
from statuskit.cli import main
from statuskit.drift import DriftReport, render
from statuskit.drift._html_report import SERIES
from statuskit.proxy._app import write_report
from statuskit.proxy._findings import Findings
from statuskit.proxy._validate import Validator
from tests.drift.conftest import run_against
from tests.drift.mutate import Mutating, Rule, json_edit
from tests.drift.test_kit_decisions import TOKEN_CASES, answered_401
from tests.drift.test_mutations import RECORD, put, stringify
from tests.drift.test_secrets import SECRETS, leak_everything
from tests.helpers import served
from tests.html_page import Report, offline, parse
from tests.proxy.exchanges import RECORD_PATH, SESSION, TOKEN, exchange, record, thalamus


def drifted() -> Mutating:
    """The mock with two documented drifts (a breaking type, an info field) and two kit
    decisions answered otherwise (the token cases as a bare 401)."""
    return Mutating(
        create_app(),
        Rule(RECORD, json_edit(stringify("rowsOk"))),
        Rule(RECORD, json_edit(put("retentionDays", 30))),
        Rule(r"GET /api/v4/import/status/\d+", answered_401(*TOKEN_CASES), (400,)),
    )


def segments(page: Report) -> Counter[str]:
    """How many findings the picture draws in each series."""
    [chart] = page.charts["stacked-bars"]
    drawn: Counter[str] = Counter()
    for shape in chart:
        if "data-series" in shape.attrs:
            drawn[shape.attrs["data-series"]] += int(shape.attrs["data-count"])
    return drawn


def test_the_page_has_the_summary_the_tables_and_the_picture() -> None:
    report = run_against(drifted(), "thalamus")
    assert (len(report.documented), len(report.kit_decisions)) == (2, 4)
    page = parse(render(report, "html"))
    assert offline(page) == []
    assert "script" not in page.tags
    # The tables: the Markdown format's columns, documented findings and kit decisions apart.
    documented, kit = page.tables["documented"], page.tables["kit-decisions"]
    assert [(row[0], row[1], row[3]) for row in documented] == [
        ("breaking", "type-changed", "$.rowsOk"),
        ("info", "field-added", "$.retentionDays"),
    ]
    assert {row[2] for row in kit} == {f"get-status ({case})" for case in TOKEN_CASES}
    assert {row[-1] for row in documented} == {"documented"}
    assert {row[-1] for row in kit} == {"kit decision"}  # never shown as a documented break
    assert len(page.tables["probes"]) == len(report.probes)
    # The picture: every finding once, kit decisions in their own series.
    assert segments(page) == {"breaking": 1, "info": 1, "kit decision": 4}
    assert [s.name for s in SERIES][-1] == "kit decision"
    text = " ".join(page.texts)
    assert "1 documented break; 4 kit decisions differ (not failures)" in text
    assert "Kit decisions the target answers otherwise (not failures)" in text


def test_the_same_drift_renders_the_same_page() -> None:
    first, second = (run_against(drifted(), "thalamus") for _ in range(2))
    assert render(first, "html") == render(second, "html")
    assert first.started not in render(first, "html")  # no timestamp, as text and Markdown


@pytest.mark.parametrize("api", ["thalamus", "tealium"])
def test_no_secret_reaches_the_page(
    api: str,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)
    caplog.set_level(logging.DEBUG)
    app = Mutating(create_app(), Rule(r"GET /.*", leak_everything, statuses=()))
    report: DriftReport = run_against(app, api)
    text = render(report, "html")
    # The target put the secrets into fields of its own: findings the page shows...
    paths = {row[3] for row in parse(text).tables["documented"]}
    assert {"$.token", "$.debug"} <= paths
    # ...without their values.
    assert [secret for secret in SECRETS.values() if secret in text] == []


def test_statuskit_drift_writes_the_page(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "drift.html"
    with served(drifted()) as url:
        args = ["drift", "--api", "thalamus", "--base-url", url, "--pace", "0", "--quiet"]
        code = main([*args, "--format", "html", "--output", str(out)])
    assert code == 1  # the documented break fails the run
    assert capsys.readouterr().out == ""
    page = parse(out.read_text(encoding="utf-8"))
    assert segments(page) == {"breaking": 1, "info": 1, "kit decision": 4}
    assert "FAILED" in page.texts


def test_the_proxy_writes_its_report_as_a_page(tmp_path: Path) -> None:
    sink = Findings(apis=("thalamus",), target="http://up")
    validator = Validator(("thalamus",), findings=sink)
    body = record()
    body["rowsOk"] = str(body["rowsOk"])
    body["debug"] = f"echo {TOKEN} {SESSION}"  # the upstream echoes the credentials
    sent = [
        exchange(RECORD_PATH, thalamus(token_in="query"), body=body),
        exchange(RECORD_PATH, thalamus(session=None), body=record()),
    ]
    for one in sent:
        sink.add(one, validator.observe(one).findings)
    out = tmp_path / "proxy.html"
    report = write_report(sink, str(out), "html")
    text = out.read_text(encoding="utf-8")
    page = parse(text)
    assert offline(page) == []
    assert segments(page) == {"breaking": 1, "info": 1, "kit decision": 1}
    assert [row[1] for row in page.tables["kit-decisions"]] == ["request-credential-missing"]
    assert len(page.tables["documented"]) == len(report.documented) == 2
    assert "statuskit proxy: thalamus at http://up" in page.texts
    assert TOKEN not in text
    assert SESSION not in text
