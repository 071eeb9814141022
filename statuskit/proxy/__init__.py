"""``statuskit proxy``: a validating, recording proxy in front of a live or staging API."""

from __future__ import annotations

from statuskit.proxy._exchange import Exchange, FindingsSink, Observer, Verdict

__all__ = ["Exchange", "FindingsSink", "Observer", "Verdict"]
