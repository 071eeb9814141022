"""What a drift run produces: findings, probe records and the report that holds them.

The JSON forms of these objects are described by ``schemas/drift/report.json`` and
``schemas/drift/baseline.json``; :meth:`DriftReport.to_dict` is validated against the former
in the tests.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Literal, get_args

from statuskit import __version__

__all__ = [
    "KINDS",
    "SEVERITIES",
    "DriftFinding",
    "DriftReport",
    "Kind",
    "ProbeRecord",
    "Severity",
    "at_least",
    "merge",
]

Severity = Literal["info", "warning", "breaking"]
#: Mildest first, so ``SEVERITIES.index`` orders them.
SEVERITIES: tuple[Severity, ...] = get_args(Severity)

Kind = Literal[
    "field-removed",
    "field-added",
    "type-changed",
    "nullability-changed",
    "enum-value-added",
    "enum-value-removed",
    "format-changed",
    "status-code-changed",
    "error-shape-changed",
    "auth-behaviour-changed",
    "header-changed",
    # What an application sent wrong, seen by ``statuskit proxy`` (docs/drift.md, Request
    # kinds): a drift probe never sends a wrong request by accident.
    "request-credential-missing",
    "request-invalid",
    "request-undocumented-parameter",
    "request-undocumented-route",
]
KINDS: tuple[Kind, ...] = get_args(Kind)


def at_least(severity: Severity, threshold: Severity) -> bool:
    """Whether ``severity`` is ``threshold`` or worse."""
    return SEVERITIES.index(severity) >= SEVERITIES.index(threshold)


@dataclass(frozen=True)
class DriftFinding:
    """One difference between the contract and what the target answered.

    ``path`` is a JSON path into the body with array indices as ``[*]``
    (``$.status[*].state``), or ``<status>`` / ``<header NAME>`` for the status line and
    headers. ``expected`` comes from the schema or ``docs/wire.md``; ``observed`` never
    quotes a secret. ``documented`` is false when the rule that broke is a kit decision.
    ``schema`` names the body's schema (``thalamus/import-record``) and ``rule`` where the
    broken rule is written (``thalamus/common.json#/$defs/count/type``).
    """

    severity: Severity
    kind: Kind
    api: str
    operation: str
    probe: str
    path: str
    expected: str
    observed: str
    documented: bool
    samples: int = 1
    schema: str | None = None
    rule: str | None = None
    source: str | None = None
    hint: str | None = None
    #: What ``--propose-schema`` needs: the observed JSON type and, for enum kinds, the
    #: value. Never serialised; never a secret.
    evidence: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)
    #: How often and when a passive observer (``statuskit proxy``) saw the finding:
    #: ``first_seen`` and ``last_seen`` (ISO times) and one scrubbed ``sample`` exchange
    #: (method, path, status). ``None`` for a drift run; serialised only when set.
    seen: Mapping[str, Any] | None = field(default=None, compare=False, repr=False)

    @property
    def key(self) -> tuple[str, ...]:
        """What makes two observations the same finding."""
        # The value is part of an enum finding's identity: observed when new, expected when
        # missing (its observed sample count changes from run to run).
        value = {"enum-value-added": self.observed, "enum-value-removed": self.expected}.get(
            self.kind, ""
        )
        return (self.api, self.operation, self.probe, self.kind, self.path, value)

    @property
    def fingerprint(self) -> str:
        """A stable id for baselines: 16 hex digits of a hash of :attr:`key`."""
        return hashlib.sha256("\x1f".join(self.key).encode()).hexdigest()[:16]

    def to_dict(self) -> dict[str, Any]:
        """The finding as ``schemas/drift/common.json#/$defs/finding`` describes it."""
        out = {
            "fingerprint": self.fingerprint,
            "severity": self.severity,
            "kind": self.kind,
            "api": self.api,
            "operation": self.operation,
            "probe": self.probe,
            "path": self.path,
            "expected": self.expected,
            "observed": self.observed,
            "samples": self.samples,
            "documented": self.documented,
            "schema": self.schema,
            "rule": self.rule,
            "source": self.source,
            "hint": self.hint,
        }
        if self.seen is not None:
            out.update(self.seen)
        return out

    def sort_key(self) -> tuple[Any, ...]:
        """Worst first, then by where."""
        return (
            -SEVERITIES.index(self.severity),
            self.api,
            self.operation,
            self.probe,
            self.path,
            self.kind,
            self.observed,
        )


def merge(findings: Iterable[DriftFinding]) -> list[DriftFinding]:
    """One finding per :attr:`~DriftFinding.key`, its samples summed, worst first."""
    merged: dict[tuple[str, ...], DriftFinding] = {}
    for finding in findings:
        seen = merged.get(finding.key)
        if seen is None:
            merged[finding.key] = finding
            continue
        evidence = dict(seen.evidence)
        rules = {finding.rule, *finding.evidence.get("also", ())} - {seen.rule, None}
        if rules:
            # One value breaking two rules (a date's format and pattern) is one finding;
            # a proposal must still widen both.
            evidence["also"] = sorted({*evidence.get("also", ()), *rules})
        merged[finding.key] = replace(
            seen, samples=seen.samples + finding.samples, evidence=evidence
        )
    return sorted(merged.values(), key=DriftFinding.sort_key)


@dataclass
class ProbeRecord:
    """One probe as the report lists it: what was asked, and what came back.

    ``path`` has no query string (a query may hold a credential); ``status`` is ``None``
    when the probe was not sent, and ``skipped`` then says why.
    """

    probe: str
    operation: str
    method: str
    path: str
    expected_status: int
    status: int | None = None
    findings: int = 0
    skipped: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The probe as ``schemas/drift/report.json`` describes it."""
        return {
            "probe": self.probe,
            "operation": self.operation,
            "method": self.method,
            "path": self.path,
            "expected_status": self.expected_status,
            "status": self.status,
            "findings": self.findings,
            "skipped": self.skipped,
        }


@dataclass
class DriftReport:
    """A whole run: findings (not in the baseline), suppressed findings (in it), probes.

    A finding with ``documented: false`` is a kit decision the target answers otherwise:
    the vendor never documented what the kit guessed, so it is listed apart
    (:attr:`kit_decisions`) and reaches :attr:`failed` only with ``fail_on_kit_decisions``.
    ``requests`` counts what was sent; ``notes`` say what limited the run (the budget, an
    empty discovery).
    """

    api: str
    target: str
    started: str
    fail_on: Severity = "breaking"
    findings: list[DriftFinding] = field(default_factory=list)
    suppressed: list[DriftFinding] = field(default_factory=list)
    probes: list[ProbeRecord] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    requests: int = 0
    baseline_file: str | None = None
    baseline_accepted: int = 0
    fail_on_kit_decisions: bool = False
    #: Which command made the report: ``statuskit drift``, or ``statuskit proxy`` (findings
    #: from the traffic it saw; ``api`` is then ``all`` when it served both APIs).
    tool: str = "statuskit drift"

    @property
    def documented(self) -> list[DriftFinding]:
        """The unsuppressed findings that break a documented rule, worst first."""
        return [f for f in self.findings if f.documented]

    @property
    def kit_decisions(self) -> list[DriftFinding]:
        """The unsuppressed findings that break a kit decision, worst first."""
        return [f for f in self.findings if not f.documented]

    def count(self, severity: Severity) -> int:
        """How many unsuppressed documented findings have exactly this severity (kit
        decisions are counted apart, in :attr:`kit_decisions`)."""
        return sum(f.severity == severity for f in self.documented)

    def fails(self, finding: DriftFinding) -> bool:
        """Whether ``finding``, unsuppressed, fails the run: at or above :attr:`fail_on`,
        and documented unless :attr:`fail_on_kit_decisions`."""
        counted = finding.documented or self.fail_on_kit_decisions
        return counted and at_least(finding.severity, self.fail_on)

    @property
    def breaks(self) -> list[DriftFinding]:
        """The documented findings that fail the run."""
        return [f for f in self.documented if self.fails(f)]

    @property
    def failed(self) -> bool:
        """Whether any unsuppressed finding fails the run (:meth:`fails`)."""
        return any(self.fails(f) for f in self.findings)

    @property
    def exit_code(self) -> int:
        """0 when nothing fails the run, else 1 (2 is for runs that raise)."""
        return 1 if self.failed else 0

    def to_dict(self) -> dict[str, Any]:
        """The report as ``schemas/drift/report.json`` describes it."""
        baseline = None
        if self.baseline_file is not None:
            baseline = {
                "file": self.baseline_file,
                "accepted": self.baseline_accepted,
                "matched": len(self.suppressed),
            }
        return {
            "tool": self.tool,
            "version": __version__,
            "api": self.api,
            "target": self.target,
            "started": self.started,
            "fail_on": self.fail_on,
            "fail_on_kit_decisions": self.fail_on_kit_decisions,
            "failed": self.failed,
            "exit_code": self.exit_code,
            "summary": {
                "breaking": self.count("breaking"),
                "warning": self.count("warning"),
                "info": self.count("info"),
                "kit_decisions": len(self.kit_decisions),
                "suppressed": len(self.suppressed),
                "probes": len(self.probes),
                "requests": self.requests,
            },
            "findings": [f.to_dict() for f in self.findings],
            "suppressed": [f.to_dict() for f in self.suppressed],
            "probes": [p.to_dict() for p in self.probes],
            "notes": list(self.notes),
            "baseline": baseline,
        }
