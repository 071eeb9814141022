"""Drift detection: a live or staging API compared with the contract, every difference
classified, in formats a CI job can act on.

From Python::

    from statuskit import drift

    report = drift.run("thalamus", "https://staging.example.com", ids=[274])
    print(drift.render(report, "markdown"))
    assert not report.failed

and, for one body a contract suite already has in hand::

    for finding in drift.compare("thalamus", "import-record", body):
        print(finding.severity, finding.kind, finding.path)

The pieces: ``compare`` (the engine), ``probes`` with ``_thalamus`` and ``_tealium`` (what
is sent), ``evaluate`` (answers into findings), ``rules`` (severities), ``baseline``,
``formats``, ``propose`` (widened schemas) and ``record`` (scrubbed fixtures). The rules
are written down in ``docs/drift.md``.
"""

from __future__ import annotations

from statuskit.drift.baseline import Baseline
from statuskit.drift.compare import Comparison, compare
from statuskit.drift.engine import DriftOptions, run
from statuskit.drift.formats import Format, render, write
from statuskit.drift.model import DriftFinding, DriftReport, Kind, ProbeRecord, Severity
from statuskit.drift.progress import Progress
from statuskit.drift.propose import Proposal, propose
from statuskit.drift.rules import severity_of

__all__ = [
    "Baseline",
    "Comparison",
    "DriftFinding",
    "DriftOptions",
    "DriftReport",
    "Format",
    "Kind",
    "ProbeRecord",
    "Progress",
    "Proposal",
    "Severity",
    "compare",
    "propose",
    "render",
    "run",
    "severity_of",
    "write",
]
