"""Baselines: findings a team has accepted, reported as suppressed rather than as failures.

A baseline is a JSON file (``schemas/drift/baseline.json``) listing accepted findings by
fingerprint, with their readable fields kept for review and an optional ``reason`` that
survives rewriting. A finding matches an entry by fingerprint: its API, operation, probe,
kind and path, and for enum kinds the value, so accepting one new state never accepts the
next.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from statuskit import __version__
from statuskit.drift.model import DriftFinding
from statuskit.errors import ConfigError
from statuskit.registry import SchemaRegistry, default_registry

__all__ = ["Baseline"]

_FIELDS = ("severity", "kind", "api", "operation", "probe", "path", "expected", "observed")


@dataclass(frozen=True)
class Baseline:
    """Accepted findings, keyed by fingerprint; ``entries`` as read (or about to be
    written)."""

    entries: tuple[dict[str, Any], ...] = ()
    path: str | None = None
    fingerprints: frozenset[str] = field(init=False)

    def __post_init__(self) -> None:
        prints = frozenset(str(e["fingerprint"]) for e in self.entries)
        object.__setattr__(self, "fingerprints", prints)

    @classmethod
    def load(
        cls, path: str | os.PathLike[str], *, registry: SchemaRegistry | None = None
    ) -> Baseline:
        """Read and validate a baseline; a missing or malformed file is a
        :class:`~statuskit.errors.ConfigError` naming what is wrong."""
        file = Path(path)
        try:
            data = json.loads(file.read_text(encoding="utf-8"))
        except OSError as exc:
            raise ConfigError(f"cannot read baseline {file}: {exc.strerror or exc}") from None
        except ValueError as exc:
            raise ConfigError(f"baseline {file} is not JSON: {exc}") from None
        findings = (registry or default_registry()).validate("drift", "baseline", data)
        if findings:
            raise ConfigError(f"baseline {file} is not a drift baseline: {findings[0]}")
        return cls(tuple(data["accepted"]), str(file))

    def split(
        self, findings: Iterable[DriftFinding]
    ) -> tuple[list[DriftFinding], list[DriftFinding]]:
        """``(kept, suppressed)``: the findings not in the baseline, and those in it."""
        kept: list[DriftFinding] = []
        suppressed: list[DriftFinding] = []
        for finding in findings:
            (suppressed if finding.fingerprint in self.fingerprints else kept).append(finding)
        return kept, suppressed

    def accepting(self, findings: Iterable[DriftFinding]) -> Baseline:
        """A baseline accepting exactly ``findings``, keeping the ``reason`` of entries
        already accepted."""
        reasons = {e["fingerprint"]: e["reason"] for e in self.entries if "reason" in e}
        entries = []
        for finding in sorted(findings, key=DriftFinding.sort_key):
            entry: dict[str, Any] = {"fingerprint": finding.fingerprint}
            entry |= {name: getattr(finding, name) for name in _FIELDS}
            if finding.fingerprint in reasons:
                entry["reason"] = reasons[finding.fingerprint]
            entries.append(entry)
        return Baseline(tuple(entries), self.path)

    def to_dict(self) -> dict[str, Any]:
        """The baseline as ``schemas/drift/baseline.json`` describes it."""
        return {
            "version": 1,
            "generated_by": f"statuskit drift {__version__}",
            "accepted": list(self.entries),
        }

    def write(self, path: str | os.PathLike[str]) -> None:
        """Write the baseline as pretty JSON, one entry per finding."""
        text = json.dumps(self.to_dict(), indent=2, ensure_ascii=False) + "\n"
        try:
            Path(path).write_text(text, encoding="utf-8")
        except OSError as exc:
            raise ConfigError(f"cannot write baseline {path}: {exc.strerror or exc}") from None
