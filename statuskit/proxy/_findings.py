"""The proxy's findings, aggregated: one entry per finding, however often the traffic shows it.

A finding's identity is drift's (:attr:`~statuskit.drift.model.DriftFinding.key`: API,
operation, probe, kind, path, and for enum kinds the value), so its fingerprint is the one
drift's baselines use and one baseline file serves both commands. Each entry keeps the
first finding as seen, a count, when it was first and last seen, and one scrubbed sample
exchange (method, path without its query, status).

:class:`Findings` gives what the proxy shows: the ``X-Statuskit-Violations`` summary of one
exchange and whether ``--errors`` stops it (:meth:`Findings.verdict`), :meth:`Findings.snapshot` for
``GET /__admin/v1/findings`` (drift's JSON report, ``schemas/drift/report.json``) and
:meth:`Findings.report` for drift's formats. It is thread-safe. With a ``directory``, each
process writes its entries to its own file there (``findings-<pid>.json``, replaced
atomically, at most every :data:`FLUSH_INTERVAL` seconds and on :meth:`Findings.flush`), and
a snapshot or report merges every process's file: counts summed, first and last seen the
earliest and latest, the sample the earliest. A process's file also holds its
:attr:`Findings.extra` findings (enum values it never saw); a report keeps those every
process with traffic reported, so a value one process saw is never reported unseen.
"""

from __future__ import annotations

import contextlib
import glob
import json
import os
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from statuskit.drift.baseline import Baseline
from statuskit.drift.model import DriftFinding, DriftReport, Severity, at_least
from statuskit.proxy._exchange import Exchange, Verdict

__all__ = ["FLUSH_INTERVAL", "SUMMARY_LIMIT", "Findings"]

#: The longest ``X-Statuskit-Violations`` value, as Prism keeps ``sl-violations`` short.
SUMMARY_LIMIT = 200
#: Seconds between a process's writes of its entries, with a ``directory``.
FLUSH_INTERVAL = 0.5
_FIELDS = (
    "severity",
    "kind",
    "api",
    "operation",
    "probe",
    "path",
    "expected",
    "observed",
    "documented",
    "schema",
    "rule",
    "source",
    "hint",
)
_NOTHING = Verdict()


def iso(moment: float) -> str:
    """An epoch time as ISO 8601 in UTC, to the millisecond: ``2026-11-30T12:00:00.123Z``."""
    stamp = datetime.fromtimestamp(moment, UTC).isoformat(timespec="milliseconds")
    return stamp.replace("+00:00", "Z")


@dataclass
class _Entry:
    """One finding as aggregated: the first seen, and how often and when since."""

    finding: DriftFinding
    count: int
    first: float
    last: float
    sample: dict[str, Any]

    def merge(self, other: _Entry) -> None:
        self.count += other.count
        if other.first < self.first:
            self.first, self.sample, self.finding = other.first, other.sample, other.finding
        self.last = max(self.last, other.last)

    def to_json(self) -> dict[str, Any]:
        data = {name: getattr(self.finding, name) for name in _FIELDS}
        return data | {"count": self.count, "first": self.first, "last": self.last,
                       "sample": self.sample}  # fmt: skip

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> _Entry:
        finding = DriftFinding(**{name: data[name] for name in _FIELDS})
        return cls(finding, int(data["count"]), data["first"], data["last"], dict(data["sample"]))

    def reported(self) -> DriftFinding:
        """The finding as a report lists it: ``samples`` is the count."""
        seen = {"first_seen": iso(self.first), "last_seen": iso(self.last), "sample": self.sample}
        return replace(self.finding, samples=self.count, seen=seen)


@dataclass
class _Tally:
    """What one process saw: its entries, and its exchanges by operation and status."""

    entries: dict[tuple[str, ...], _Entry] = field(default_factory=dict)
    traffic: dict[tuple[str, str, int], int] = field(default_factory=dict)
    exchanges: int = 0

    def merge(self, other: _Tally) -> None:
        for key, entry in other.entries.items():
            mine = self.entries.get(key)
            if mine is None:
                self.entries[key] = replace(entry, sample=dict(entry.sample))
            else:
                mine.merge(entry)
        for where, count in other.traffic.items():
            self.traffic[where] = self.traffic.get(where, 0) + count
        self.exchanges += other.exchanges

    def to_json(self) -> dict[str, Any]:
        return {
            "exchanges": self.exchanges,
            "traffic": [[*where, count] for where, count in self.traffic.items()],
            "findings": [entry.to_json() for entry in self.entries.values()],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> _Tally:
        entries = [_Entry.from_json(item) for item in data.get("findings", [])]
        return cls(
            {e.finding.key: e for e in entries},
            {(a, o, int(s)): int(n) for a, o, s, n in data.get("traffic", [])},
            int(data.get("exchanges", 0)),
        )


class Findings:
    """Every finding of the proxy's traffic, aggregated; thread-safe.

    It is the proxy's findings sink (:class:`~statuskit.proxy._exchange.FindingsSink`): the
    proxy calls :meth:`add` once per exchange with every observer's findings. ``fail_on``
    and ``fail_on_kit_decisions`` are drift's exit policy (a kit decision, ``documented:
    false``, fails only with the latter); an exchange with an unsuppressed finding that
    would fail the run is blocking (the proxy answers it with a 502 under ``--errors``).
    ``baseline`` suppresses findings exactly as in drift. ``scrub`` masks a text's secrets
    (the validator sets it to the credentials it has seen), applied to each sample's path;
    ``extra`` gives findings of the whole traffic a report adds (the validator's enum
    values never seen).
    """

    def __init__(
        self,
        *,
        apis: Sequence[str] = ("thalamus", "tealium"),
        target: str = "",
        fail_on: Severity = "breaking",
        fail_on_kit_decisions: bool = False,
        baseline: Baseline | None = None,
        directory: str | os.PathLike[str] | None = None,
    ) -> None:
        self.apis = tuple(apis)
        self.target = target
        self.fail_on: Severity = fail_on
        self.fail_on_kit_decisions = fail_on_kit_decisions
        self.baseline = baseline
        self.directory = os.fspath(directory) if directory is not None else None
        self.scrub: Callable[[str], str] = _same
        self.extra: Callable[[], Iterable[DriftFinding]] = tuple
        self.started = time.time()
        self._mine = _Tally()
        self._lock = threading.Lock()
        self._accepted: dict[tuple[str, ...], bool] = {}
        self._dirty = False
        self._writer: threading.Thread | None = None
        self._writer_pid = -1
        self._stop = threading.Event()

    # -- the hot path ------------------------------------------------------------------

    def verdict(self, findings: Sequence[DriftFinding]) -> Verdict:
        """What the proxy does with an exchange that has ``findings``: its summary, and
        whether ``--errors`` stops it."""
        if not findings:
            return _NOTHING
        return Verdict(tuple(findings), self.summary(findings), self.blocks(findings))

    def add(self, exchange: Exchange, findings: Sequence[DriftFinding]) -> None:
        """Count ``exchange`` and aggregate its ``findings``."""
        op = exchange.operation
        where = (exchange.api or "", op.name if op is not None else "", exchange.status)
        with self._lock:
            tally = self._mine
            tally.exchanges += 1
            tally.traffic[where] = tally.traffic.get(where, 0) + 1
            if findings:
                self._count(exchange, findings)
            self._dirty = True
        if self.directory is not None:
            self._start_writer()

    def _count(self, exchange: Exchange, findings: Sequence[DriftFinding]) -> None:
        moment = exchange.started or time.time()
        entries = self._mine.entries
        for finding in findings:
            entry = entries.get(finding.key)
            if entry is None:
                sample = {
                    "method": exchange.method,
                    "path": self.scrub(exchange.path),
                    "status": exchange.status,
                }
                entries[finding.key] = _Entry(finding, 1, moment, moment, sample)
            else:
                entry.count += 1
                entry.last = max(entry.last, moment)

    def accepted(self, finding: DriftFinding) -> bool:
        """Whether the baseline accepts ``finding``."""
        if self.baseline is None:
            return False
        known = self._accepted.get(finding.key)
        if known is None:
            known = self._accepted[finding.key] = finding.fingerprint in self.baseline.fingerprints
        return known

    def fails(self, finding: DriftFinding) -> bool:
        """Whether ``finding`` fails the run, as :meth:`DriftReport.fails` says, unless the
        baseline accepts it."""
        counted = finding.documented or self.fail_on_kit_decisions
        return counted and at_least(finding.severity, self.fail_on) and not self.accepted(finding)

    def blocks(self, findings: Iterable[DriftFinding]) -> bool:
        """Whether one of ``findings`` fails the run: ``--errors`` then answers 502."""
        return any(self.fails(f) for f in findings)

    def summary(self, findings: Iterable[DriftFinding]) -> str:
        """The ``X-Statuskit-Violations`` value: ``2 findings: breaking type-changed
        $.rowsOk; info field-added $.x``, worst first, baseline-accepted ones left out,
        printable ASCII, at most :data:`SUMMARY_LIMIT` characters; ``""`` for none."""
        shown = sorted((f for f in findings if not self.accepted(f)), key=DriftFinding.sort_key)
        if not shown:
            return ""
        count = len(shown)
        text = f"{count} finding{'' if count == 1 else 's'}: " + "; ".join(
            f"{f.severity} {f.kind} {f.path}" for f in shown
        )
        text = "".join(c if " " <= c <= "~" else "?" for c in text)
        return text if len(text) <= SUMMARY_LIMIT else text[: SUMMARY_LIMIT - 3] + "..."

    # -- reading -----------------------------------------------------------------------

    def merged(self) -> _Tally:
        """Every process's entries and traffic (this one's alone without a directory)."""
        return self._gather()[0]

    def _gather(self) -> tuple[_Tally, list[list[DriftFinding]]]:
        """Every process's entries and traffic, and the :attr:`extra` findings of each
        process that had traffic (this one's always, without a directory)."""
        with self._lock:
            mine = _Tally()
            mine.merge(self._mine)
        if self.directory is None:
            return mine, [list(self.extra())]
        self.flush()
        extras = [list(self.extra())] if mine.exchanges else []
        own = self._file(os.getpid())
        for path in sorted(glob.glob(os.path.join(glob.escape(self.directory), "findings-*.json"))):
            if path == own:
                continue
            try:
                with open(path, encoding="utf-8") as handle:
                    data = json.load(handle)
                other = _Tally.from_json(data)
                extra = [_finding(item) for item in data.get("extra", [])]
            except (OSError, ValueError, KeyError, TypeError):
                continue  # a file being replaced, or left half-written by a killed process
            mine.merge(other)
            if other.exchanges:
                extras.append(extra)
        return mine, extras

    def findings(self) -> list[DriftFinding]:
        """Every aggregated finding (``samples``: the count), worst first."""
        entries = self.merged().entries.values()
        return sorted((e.reported() for e in entries), key=DriftFinding.sort_key)

    def report(self, *, target: str | None = None) -> DriftReport:
        """The findings so far as drift's report (``tool: statuskit proxy``), with
        :attr:`extra`'s, split by the baseline."""
        tally, extras = self._gather()
        found = sorted(
            [*(e.reported() for e in tally.entries.values()), *_common(extras)],
            key=DriftFinding.sort_key,
        )
        report = DriftReport(
            self.apis[0] if len(self.apis) == 1 else "all",
            target if target is not None else self.target or "(no upstream)",
            iso(self.started).replace(".000Z", "Z"),
            self.fail_on,
            requests=tally.exchanges,
            fail_on_kit_decisions=self.fail_on_kit_decisions,
            tool="statuskit proxy",
            notes=_notes(tally),
        )
        if self.baseline is not None:
            report.findings, report.suppressed = self.baseline.split(found)
            report.baseline_file = self.baseline.path or "(in memory)"
            report.baseline_accepted = len(self.baseline.entries)
        else:
            report.findings = found
        return report

    def snapshot(self) -> dict[str, Any]:
        """``GET /__admin/v1/findings``: the report as JSON (``schemas/drift/report.json``)."""
        return self.report().to_dict()

    # -- several processes -------------------------------------------------------------

    def _file(self, pid: int) -> str:
        assert self.directory is not None
        return os.path.join(self.directory, f"findings-{pid}.json")

    def flush(self) -> None:
        """Write this process's entries to its file now (with a directory)."""
        if self.directory is None:
            return
        with self._lock:
            if not self._dirty:
                return
            data = self._mine.to_json()
            self._dirty = False
        try:
            data["extra"] = [_finding_json(f) for f in self.extra()]
        except Exception:  # the validator's whole-traffic findings must not stop a flush
            data["extra"] = []
        target = self._file(os.getpid())
        temporary = f"{target}.tmp"
        try:
            with open(temporary, "w", encoding="utf-8") as handle:
                json.dump(data, handle)
            os.replace(temporary, target)
        except OSError:
            self._dirty = True  # tried again at the next interval

    def _start_writer(self) -> None:
        # A worker forked after the first exchange has no writer thread: start one per pid.
        if self._writer_pid == os.getpid():
            return
        with self._lock:
            if self._writer_pid == os.getpid():
                return
            self._writer_pid = os.getpid()
            self._stop = threading.Event()
            self._writer = threading.Thread(
                target=self._write_loop, name="statuskit-findings", daemon=True
            )
            self._writer.start()

    def _write_loop(self) -> None:
        while not self._stop.wait(FLUSH_INTERVAL):
            self.flush()

    def close(self) -> None:
        """Stop the writer and write what is left."""
        self._stop.set()
        with contextlib.suppress(RuntimeError):
            if self._writer is not None and self._writer is not threading.current_thread():
                self._writer.join(timeout=2)
        self.flush()


def _same(text: str) -> str:
    return text


def _finding_json(finding: DriftFinding) -> dict[str, Any]:
    return {name: getattr(finding, name) for name in (*_FIELDS, "samples")}


def _finding(data: Mapping[str, Any]) -> DriftFinding:
    return DriftFinding(**{name: data[name] for name in (*_FIELDS, "samples")})


def _common(extras: Sequence[Sequence[DriftFinding]]) -> list[DriftFinding]:
    """The findings every one of ``extras`` has (by identity), as the first has them."""
    if not extras:
        return []
    keys = set.intersection(*({f.key for f in found} for found in extras))
    return [f for f in extras[0] if f.key in keys]


def _notes(tally: _Tally) -> list[str]:
    """One line per operation seen: ``thalamus get-status: 12 exchanges (200 x10, 404 x2)``."""
    grouped: dict[tuple[str, str], dict[int, int]] = {}
    for (api, operation, status), count in sorted(tally.traffic.items()):
        grouped.setdefault((api, operation), {})[status] = count
    notes = []
    for (api, operation), statuses in grouped.items():
        total = sum(statuses.values())
        shown = ", ".join(f"{status} x{count}" for status, count in statuses.items())
        name = f"{api} {operation}" if api and operation else "undocumented routes"
        notes.append(f"{name}: {total} exchange{'' if total == 1 else 's'} ({shown})")
    return notes
