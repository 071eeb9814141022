"""A drift report as one self-contained HTML page (``--format html``): the summary, the
picture of the findings by operation and severity, and the tables the Markdown format has.

It renders the report as the other formats do, from the same :class:`DriftReport`, whose
``expected`` and ``observed`` never quote a secret (:mod:`statuskit.drift.describe`); like
the text and Markdown formats it carries no timestamp. A kit decision the target answers
otherwise is labelled so in the summary, in the picture (its own colour, apart from the
severities) and in its own table: never as a documented break.
"""

from __future__ import annotations

from collections.abc import Sequence

from statuskit._html import Cell, Markup, badge, page, section, summary, table, tag
from statuskit._html_svg import Series, stacked_bars
from statuskit.drift.formats import _breaks, _kit_status, _kit_title, _totals, _verdict
from statuskit.drift.model import DriftFinding, DriftReport

__all__ = ["SERIES", "html"]

#: The picture's segments: the documented findings by severity, gravest first, then the
#: kit decisions, whatever their severity (they are not documented breaks).
SERIES = (
    Series("breaking", "#c62828"),
    Series("warning", "#d98200"),
    Series("info", "#1f6feb"),
    Series("kit decision", "#6b5b95"),
)
_SLOT = {s.name: index for index, s in enumerate(SERIES)}
_TONES = {"breaking": "bad", "warning": "warn", "info": "info"}
_HEADERS = (
    "severity",
    "kind",
    "operation (probe)",
    "path",
    "expected",
    "observed",
    "samples",
    "provenance",
)


def _where(report: DriftReport, finding: DriftFinding) -> str:
    # A proxy serving both APIs reports both: name the API where one could be confused.
    return f"{finding.api} {finding.operation}" if report.api == "all" else finding.operation


def _row(report: DriftReport, f: DriftFinding) -> list[Cell]:
    observed: Cell = (
        f.observed if not f.hint else tag("span", f.observed, " ", tag("em", f"({f.hint})"))
    )
    return [
        # A kit decision's severity in the kit's colour: never dressed as a documented break.
        badge(f.severity, _TONES[f.severity] if f.documented else "kit"),
        f.kind,
        f"{_where(report, f)} ({f.probe})",
        tag("code", f.path),
        f.expected,
        observed,
        f.samples,
        badge("documented", "muted") if f.documented else badge("kit decision", "kit"),
    ]


def _findings_table(report: DriftReport, findings: Sequence[DriftFinding], kind: str) -> Markup:
    return table(_HEADERS, (_row(report, f) for f in findings), kind=kind)


def _picture(report: DriftReport) -> Markup:
    """Findings by operation and severity: every operation probed (a clean one draws an
    empty bar), then every other one a finding names."""
    rows: dict[str, list[int]] = {}
    for probe in report.probes:
        rows.setdefault(probe.operation, [0] * len(SERIES))
    for f in report.findings:
        slot = _SLOT[f.severity] if f.documented else _SLOT["kit decision"]
        rows.setdefault(_where(report, f), [0] * len(SERIES))[slot] += 1
    title = "Findings by operation and severity"
    if not rows:
        return section(title, tag("p", "Nothing was probed or seen.", class_="note"), id_="picture")
    return section(title, stacked_bars(title, list(rows.items()), SERIES), id_="picture")


def _summary(report: DriftReport) -> Markup:
    kit = len(report.kit_decisions)
    tiles: list[tuple[str, Cell]] = [
        ("verdict", badge(_verdict(report), "bad" if report.failed else "good")),
        ("fail on", report.fail_on),
        ("documented breaks", len(report.breaks)),
        (
            "kit decisions differ",
            tag("span", str(kit), " ", badge(_kit_status(report), "kit")) if kit else 0,
        ),
        ("breaking", report.count("breaking")),
        ("warning", report.count("warning")),
        ("info", report.count("info")),
        ("accepted in the baseline", len(report.suppressed)),
        ("probes", len(report.probes)),
        ("requests", report.requests),
    ]
    notes = [tag("p", note, class_="note") for note in report.notes]
    return section(
        "Summary", summary(tiles), tag("p", _totals(report), class_="note"), *notes, id_="summary"
    )


def _findings(report: DriftReport) -> Markup:
    parts: list[Cell] = []
    if report.documented:
        parts.append(_findings_table(report, report.documented, "documented"))
    elif report.kit_decisions:
        parts.append(tag("p", "No documented drift: every difference is a kit decision."))
    else:
        parts.append(tag("p", "No drift: every probe answered as the contract says."))
    if report.kit_decisions:
        title = _kit_title(report)
        parts += [
            tag("h3", title[0].upper() + title[1:]),
            _findings_table(report, report.kit_decisions, "kit-decisions"),
        ]
    if report.suppressed:
        parts += [
            tag("h3", "Accepted in the baseline"),
            _findings_table(report, report.suppressed, "suppressed"),
        ]
    if report.probes:
        parts.append(_probes(report))
    return section("Findings", *parts, id_="findings")


def _probes(report: DriftReport) -> Markup:
    rows = [
        [
            p.probe,
            p.operation,
            p.method,
            tag("code", p.path),
            p.expected_status,
            p.status if p.status is not None else f"skipped: {p.skipped or 'not sent'}",
            p.findings,
        ]
        for p in report.probes
    ]
    headers = ("probe", "operation", "method", "path", "expected", "status", "findings")
    return tag(
        "details", tag("summary", f"Probes ({len(rows)})"), table(headers, rows, kind="probes")
    )


def html(report: DriftReport) -> str:
    """The report as a self-contained HTML page."""
    title = f"{report.tool}: {report.api} at {report.target}"
    subtitle = f"{_verdict(report)} (fail-on {report.fail_on}): {_breaks(report)}"
    return page(title, subtitle, _summary(report), _picture(report), _findings(report))
