"""A drift report in five formats: text for people, JSON for programs (its format is
``schemas/drift/report.json``), Markdown for pull requests and issues, JUnit XML for CI
dashboards, and HTML, one self-contained page with a picture (``_html_report.py``).

None of them carries a timestamp except JSON, so the same drift renders the same text.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path
from typing import Literal

from statuskit.drift.model import DriftFinding, DriftReport
from statuskit.errors import ConfigError

__all__ = ["FORMATS", "Format", "render", "write"]

Format = Literal["text", "json", "markdown", "junit", "html"]
FORMATS: tuple[Format, ...] = ("text", "json", "markdown", "junit", "html")


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _verdict(report: DriftReport) -> str:
    return "FAILED" if report.failed else "passed"


def _kit_status(report: DriftReport) -> str:
    """Whether the kit decisions that differ fail the run, in a few words."""
    if not report.fail_on_kit_decisions:
        return "not failures"
    failing = sum(report.fails(f) for f in report.kit_decisions)
    return f"{failing} failing: --fail-on-kit-decisions"


def _breaks(report: DriftReport) -> str:
    """``1 documented break; 3 kit decisions differ (not failures)``."""
    kit = len(report.kit_decisions)
    differ = f"{_plural(kit, 'kit decision')} {'differs' if kit == 1 else 'differ'}"
    if kit:
        differ += f" ({_kit_status(report)})"
    return f"{_plural(len(report.breaks), 'documented break')}; {differ}"


def _totals(report: DriftReport) -> str:
    return (
        f"{report.count('breaking')} breaking, {report.count('warning')} warning, "
        f"{report.count('info')} info documented, {len(report.suppressed)} suppressed "
        f"({_plural(len(report.probes), 'probe')}, {_plural(report.requests, 'request')})"
    )


def _documented(finding: DriftFinding) -> str:
    return "documented" if finding.documented else "kit decision"


def _kit_title(report: DriftReport) -> str:
    return f"kit decisions the target answers otherwise ({_kit_status(report)})"


def _text_finding(f: DriftFinding) -> list[str]:
    lines = [
        "",
        f"{f.severity.upper():9} {f.kind:23} {f.operation} ({f.probe})  {f.path}",
        f"          expected {f.expected}",
        f"          observed {f.observed}",
        f"          {_plural(f.samples, 'sample')}; {_documented(f)}"
        + (f"; {f.hint}" if f.hint else ""),
    ]
    if f.rule:
        lines.append(f"          rule {f.rule}")
    return lines


def text(report: DriftReport) -> str:
    """A human summary: the verdict, then each documented finding worst first, then the kit
    decisions that differ, then what the baseline accepted."""
    lines = [
        f"{report.tool}: {report.api} at {report.target}: {_verdict(report)} "
        f"(fail-on {report.fail_on}): {_breaks(report)}",
        f"  {_totals(report)}",
    ]
    sections = (
        ("", report.documented),
        (_kit_title(report), report.kit_decisions),
        ("accepted in the baseline", report.suppressed),
    )
    for title, findings in sections:
        if title and findings:
            lines += ["", f"{title}:"]
        for f in findings:
            lines += _text_finding(f)
    if report.notes:
        lines += ["", *(f"note: {note}" for note in report.notes)]
    return "\n".join(lines) + "\n"


def _cell(value: str) -> str:
    return value.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def _table(findings: list[DriftFinding]) -> list[str]:
    lines = [
        "| severity | kind | operation (probe) | path | expected | observed | samples |",
        "|---|---|---|---|---|---|---|",
    ]
    for f in findings:
        cells = [
            f"**{f.severity}**" if f.severity == "breaking" else f.severity,
            f.kind,
            f"{f.operation} ({f.probe})",
            f"`{_cell(f.path)}`",
            _cell(f.expected),
            _cell(f.observed) + (f" ({_cell(f.hint)})" if f.hint else ""),
            str(f.samples),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def markdown(report: DriftReport) -> str:
    """A compact Markdown section: verdict, a table of documented findings, one of the kit
    decisions that differ, the probes folded away."""
    lines = [
        f"**{report.tool}** · {report.api} at `{report.target}` · "
        f"**{_verdict(report)}** at fail-on `{report.fail_on}`: {_breaks(report)} · "
        f"{_totals(report)}",
        "",
    ]
    if report.documented:
        lines += _table(report.documented)
    elif report.kit_decisions:
        lines.append("No documented drift: every difference is a kit decision.")
    else:
        lines.append("No drift: every probe answered as the contract says.")
    if report.kit_decisions:
        title = _kit_title(report)
        lines += ["", f"**{title[0].upper()}{title[1:]}**", "", *_table(report.kit_decisions)]
    if report.suppressed:
        accepted = ", ".join(f"`{f.kind} {f.path}`" for f in report.suppressed)
        lines += ["", f"Accepted in the baseline: {accepted}."]
    probes = " · ".join(
        f"{p.probe} {p.status if p.status is not None else 'skipped'}" for p in report.probes
    )
    lines += ["", f"<details><summary>Probes</summary>{probes}</details>"]
    lines += [f"> {note}" for note in report.notes]
    return "\n".join(lines) + "\n"


def junit(report: DriftReport) -> str:
    """JUnit XML: one test case per finding (failing when it fails the run, skipped when
    accepted in the baseline or a kit decision that does not count) and one per probe that
    found nothing. Kit decisions have their own classname, ``drift.<api>.kit-decision.<op>``."""
    suite = ET.Element("testsuite", name=f"{report.tool} {report.api}")
    failures = skipped = 0

    def case(classname: str, name: str) -> ET.Element:
        return ET.SubElement(suite, "testcase", classname=classname, name=name, time="0")

    for findings, accepted in ((report.findings, False), (report.suppressed, True)):
        for f in findings:
            group = (
                f"{f.api}.{f.operation}" if f.documented else f"{f.api}.kit-decision.{f.operation}"
            )
            element = case(f"drift.{group}", f"{f.kind} {f.path} ({f.probe})")
            detail = (
                f"{f.severity}: expected {f.expected}; observed {f.observed}; "
                f"{_plural(f.samples, 'sample')}; {_documented(f)}"
            )
            skip = "accepted in the baseline" if accepted else None
            if skip is None and not (f.documented or report.fail_on_kit_decisions):
                skip = "a kit decision the target answers otherwise: not a failure"
            if skip is not None:
                skipped += 1
                ET.SubElement(element, "skipped", message=skip).text = detail
            elif report.fails(f):
                failures += 1
                ET.SubElement(element, "failure", message=detail, type=f.kind).text = detail
            else:
                ET.SubElement(element, "system-out").text = detail
    for probe in report.probes:
        if probe.findings:
            continue
        element = case(
            f"drift.{report.api}.{probe.operation}",
            f"probe {probe.probe}: {probe.method} {probe.path}",
        )
        if probe.status is None:
            skipped += 1
            ET.SubElement(element, "skipped", message=probe.skipped or "not sent")
    suite.set("tests", str(len(suite)))
    suite.set("failures", str(failures))
    suite.set("errors", "0")
    suite.set("skipped", str(skipped))
    root = ET.Element("testsuites")
    root.append(suite)
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _json(report: DriftReport) -> str:
    return json.dumps(report.to_dict(), indent=2, ensure_ascii=False) + "\n"


def _html(report: DriftReport) -> str:
    # Imported here: the page's module reuses this one's wording (verdict, totals).
    from statuskit.drift._html_report import html

    return html(report)


_RENDERERS: dict[str, Callable[[DriftReport], str]] = {
    "text": text,
    "json": _json,
    "markdown": markdown,
    "junit": junit,
    "html": _html,
}


def render(report: DriftReport, fmt: Format = "text") -> str:
    """The report in one of :data:`FORMATS`."""
    return _RENDERERS[fmt](report)


def write(report: DriftReport, path: str, fmt: Format) -> None:
    """Write the report in ``fmt`` into ``path`` (``statuskit drift --output``, ``statuskit
    proxy --report``); :class:`ConfigError` (exit 2, one line) if it cannot."""
    try:
        Path(path).write_text(render(report, fmt), encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot write {path}: {exc.strerror or exc}") from None
