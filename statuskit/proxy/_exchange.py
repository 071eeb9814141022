"""One exchange through the proxy, and what an observer makes of it.

The proxy forwards a request to the upstream and hands the pair to each observer (the
validator, the recorder) before it answers the application. An observer returns a
:class:`Verdict`: the exchange's findings, the one-line summary the proxy puts in
``X-Statuskit-Violations`` (never a secret), and whether ``--errors`` should stop it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from statuskit.catalogue import Operation
from statuskit.drift.model import DriftFinding, DriftReport

__all__ = ["Exchange", "FindingsSink", "Observer", "Verdict"]


@dataclass(frozen=True)
class Exchange:
    """A request as the application sent it, and the upstream's answer, byte for byte."""

    #: The owning API by the catalogue; ``None`` when no operation matched.
    api: str | None
    operation: Operation | None
    method: str
    #: The path relative to the upstream's base path, as the upstream routes it.
    path: str
    #: The raw query string, without its ``?``.
    query: str
    request_headers: tuple[tuple[str, str], ...]
    request_body: bytes
    status: int
    response_headers: tuple[tuple[str, str], ...]
    response_body: bytes
    #: When the request arrived (epoch seconds), and how long the upstream took.
    started: float
    elapsed: float

    def request_header(self, name: str) -> str | None:
        """The first request header called ``name`` (any case), or ``None``."""
        return _first(self.request_headers, name)

    def response_header(self, name: str) -> str | None:
        """The first response header called ``name`` (any case), or ``None``."""
        return _first(self.response_headers, name)


def _first(headers: tuple[tuple[str, str], ...], name: str) -> str | None:
    wanted = name.lower()
    return next((value for key, value in headers if key.lower() == wanted), None)


@dataclass(frozen=True)
class Verdict:
    """What one observer made of an exchange."""

    findings: tuple[DriftFinding, ...] = ()
    #: The ``X-Statuskit-Violations`` value; empty when there is nothing to say.
    summary: str = ""
    #: Whether ``--errors`` answers the exchange with a 502 instead.
    blocking: bool = False


class Observer(Protocol):
    """Something that looks at every exchange: the validator, the recorder."""

    def observe(self, exchange: Exchange) -> Verdict:
        """What this observer makes of ``exchange``; it must not raise."""
        ...


class FindingsSink(Protocol):
    """Where the proxy's findings gather: the aggregator (``_findings.py``).

    The proxy calls :meth:`add` once per exchange, after every observer has seen it, with
    the findings of all of them (none, often); it serves :meth:`snapshot` at
    ``GET /__admin/v1/findings`` and renders :meth:`report` with drift's formats on
    ``POST /__admin/v1/report`` and at shutdown, whose ``exit_code`` is the process's.
    Each method may be called from several threads at once.
    """

    def add(self, exchange: Exchange, findings: Sequence[DriftFinding]) -> Verdict | None:
        """Count ``exchange`` and aggregate its ``findings``; it must not raise.

        A :class:`Verdict` returned here is the exchange's as the proxy acts on it: its
        summary replaces the observers' in ``X-Statuskit-Violations`` (the sink knows the
        baseline), and its ``blocking`` counts for ``--errors`` too.
        """
        ...

    def snapshot(self) -> dict[str, Any]:
        """The live findings as a JSON object (no secret in it)."""
        ...

    def report(self) -> DriftReport:
        """Drift's report of the findings so far, the baseline's findings suppressed."""
        ...
