"""The response checks: the upstream's answer judged by drift's own classifier.

Each answer becomes what drift would have made of a probe that expected exactly the status
that came back: an :class:`~statuskit.drift.probes.Expect` built from the catalogue
(``op.body(status)``: the body's schema, whether its shape is a kit decision, the headers
it fixes), judged by :class:`~statuskit.drift.evaluate.Evaluator` against a
:class:`~statuskit.drift.compare.Comparison`. So kinds, severities, JSON paths and the
``documented`` flag are drift's, with two passive rules on top:

* a status the operation does not document is ``status-code-changed`` (documented: the
  catalogue lists every status an operation answers); a refusal among them must still
  have the API's error shape;
* a status whose body is a kit decision (``op.body(status).kit``, Tealium's 404) breaks
  no documented rule, whatever differs in it: its findings say ``documented: false``.

Error bodies are held to the API's error schema, whose code enum is the API's error codes
(:func:`statuskit.catalogue.error_codes`): a new code is ``error-shape-changed`` (warning),
a new shape breaking, as in drift.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from http import HTTPStatus
from typing import Any

import httpx

from statuskit.catalogue import Body, Operation
from statuskit.drift.compare import Comparison
from statuskit.drift.evaluate import Evaluator
from statuskit.drift.model import DriftFinding
from statuskit.drift.probes import (
    ContentType,
    Cookie,
    Expect,
    HeaderRule,
    Observation,
    Probe,
    WwwAuthenticate,
)
from statuskit.drift.rules import severity_of
from statuskit.proxy._exchange import Exchange
from statuskit.proxy._requests import PROBE
from statuskit.registry import SchemaRegistry
from statuskit.wire import answer_code
from statuskit.wire import tealium as wire_tealium
from statuskit.wire import thalamus as wire_thalamus

__all__ = ["ResponseJudge"]

#: Distinct answers whose verdict is kept; past it the cache starts again (its repeats
#: tallied first, so nothing is lost but the time to judge an answer once more).
CACHE_SIZE = 1024
_THALAMUS_LOGIN = "FACTS.md: Login, 'Success is 200 and sets session cookies'; docs/wire.md: login"


def _status(code: int) -> str:
    try:
        return f"{code} {HTTPStatus(code).phrase}"
    except ValueError:
        return str(code)


@dataclass
class _Entry:
    """One distinct answer's verdict, and how often it came since its enums were tallied."""

    findings: tuple[DriftFinding, ...]
    operation: str
    #: The success body's schema and parsed value, for the enum tallies; ``None`` otherwise.
    tally: tuple[str, Any] | None
    repeats: int = 1


class ResponseJudge:
    """One API's answers judged, each distinct answer once.

    Caching is honest here because a verdict is a pure function of its key: the operation,
    the status, the headers the rules read (``Content-Type`` and those the catalogue fixes)
    and the body's bytes (its SHA-1). Logins are never cached: their ``Set-Cookie`` is
    judged too, and differs every time. What a cached verdict would lose is the enum
    tallies (``enum-value-removed`` needs every body counted), so each entry counts its
    repeats and :meth:`flush` tallies them, ``times=repeats``, before a report reads them:
    exactly as if each body had been added. Findings' counts live in the aggregator, which
    sees every exchange.
    """

    def __init__(self, api: str, registry: SchemaRegistry, min_enum_samples: int) -> None:
        self.api = api
        self.comparison = Comparison(api, registry=registry, min_enum_samples=min_enum_samples)
        self.evaluator = Evaluator(self.comparison)
        self.error_schema: str | None = registry.catalogue(api).get("errorCodes", {}).get("schema")
        self._cache: dict[tuple[Any, ...], _Entry] = {}
        self._lock = threading.Lock()

    def judge(
        self, exchange: Exchange, op: Operation, redact: Callable[[str], str]
    ) -> tuple[DriftFinding, ...]:
        """The findings of ``exchange``'s answer (``op`` is its operation)."""
        body = op.body(exchange.status)
        if op.session:
            return self._evaluate(exchange, op, body, redact).findings
        fixed = tuple(exchange.response_header(h) for h in body.headers) if body else ()
        key = (
            op.name,
            op.templates,
            exchange.status,
            exchange.response_header("content-type"),
            fixed,
            hashlib.sha1(exchange.response_body, usedforsecurity=False).digest(),
        )
        entry = self._cache.get(key)
        if entry is not None:
            with self._lock:
                entry.repeats += 1
            return entry.findings
        entry = self._evaluate(exchange, op, body, redact)
        with self._lock:
            judged = self._cache.get(key)
            if judged is not None:  # another thread judged the same answer meanwhile
                judged.repeats += 1
                return judged.findings
            if len(self._cache) >= CACHE_SIZE:
                self._flush()
                self._cache.clear()
            self._cache[key] = entry
        return entry.findings

    def flush(self) -> None:
        """Tally the enums of every answer counted since the last flush."""
        with self._lock:
            self._flush()

    def unseen(self) -> list[DriftFinding]:
        """The enum values never seen over enough answers (``enum-value-removed``)."""
        with self._lock:
            self._flush()
            return [f for f in self.comparison.findings() if f.kind == "enum-value-removed"]

    def _flush(self) -> None:
        for entry in self._cache.values():
            if entry.tally is not None and entry.repeats:
                schema, instance = entry.tally
                self.comparison.tally(
                    schema, instance, operation=entry.operation, probe=PROBE, times=entry.repeats
                )
            entry.repeats = 0

    # -- one answer --------------------------------------------------------------------

    def _evaluate(
        self, exchange: Exchange, op: Operation, body: Body | None, redact: Callable[[str], str]
    ) -> _Entry:
        status = exchange.status
        response = httpx.Response(
            status, headers=list(exchange.response_headers), content=exchange.response_body
        )
        if body is None:
            found = self._undocumented(exchange, op, response)
            return _Entry(tuple(_redacted(f, redact) for f in found), op.name, None)
        expect = Expect(
            status,
            schema=body.schema,
            headers=self._rules(op, status, body),
            documented_shape=not body.kit,
            source=f"schemas/{op.api}/operations.json: {op.name} {status}",
        )
        probe = Probe(PROBE, op.name, exchange.method, exchange.path, expect)
        found, in_body = self.evaluator.judge(Observation(probe, response), keep=False)
        findings = [*found, *in_body]
        if body.kit:
            findings = [_kit(f) for f in findings]
        # After the kit marks: a documented case's status is documented under any body.
        findings += _misplaced(exchange, op)
        tally = None
        if body.schema is not None and body.schema != self.error_schema and 200 <= status < 300:
            tally = _parsed(body.schema, exchange.response_body)
        return _Entry(tuple(_redacted(f, redact) for f in findings), op.name, tally)

    def _undocumented(
        self, exchange: Exchange, op: Operation, response: httpx.Response
    ) -> list[DriftFinding]:
        """A status the operation does not answer: one finding, and for a refusal, one
        more if its body lost the API's error shape."""
        listed = ", ".join(_status(s) for s in sorted(op.statuses))
        found = [
            _status_changed(
                op, f"one of {listed}", _status(exchange.status), documented=True, of="responses"
            )
        ]
        if exchange.status >= 400 and self.error_schema is not None:
            # An expectation of this very status, so the evaluator reads only the body.
            expect = Expect(exchange.status, schema=self.error_schema)
            probe = Probe(PROBE, op.name, exchange.method, exchange.path, expect)
            shape, _ = self.evaluator.judge(Observation(probe, response), keep=False)
            # Only the shape: which code an undocumented status carries is not written.
            found += [f for f in shape if f.kind == "error-shape-changed" and f.path == "$"]
        return found

    def _rules(self, op: Operation, status: int, body: Body) -> tuple[HeaderRule, ...]:
        rules: tuple[HeaderRule, ...] = (ContentType(),) if body.schema is not None else ()
        source = f"schemas/{op.api}/operations.json: {op.name} {status} headers"
        rules += tuple(
            WwwAuthenticate(expected=value, name=name, documented=not body.kit, source=source)
            for name, value in body.headers.items()
        )
        if status == 200 and op.session and op.method == "POST":
            rules += self._login_cookie(op)
        return rules

    def _login_cookie(self, op: Operation) -> tuple[HeaderRule, ...]:
        """The session cookie a login sets, as drift's login probes expect it."""
        registry = self.comparison.registry
        if op.api == wire_tealium.API and op.name == wire_tealium.login(1).operation:
            cookie = wire_tealium.session_cookie(registry=registry)
            attributes = wire_tealium.COOKIE_ATTRIBUTES
            return (
                Cookie(cookie=cookie, attributes=attributes, source=wire_tealium.COOKIE_SOURCE),
            )
        if op.api == wire_thalamus.API:
            # [KIT] the cookie's name: the docs say only that the login sets session cookies.
            cookie = wire_thalamus.session_cookie(registry=registry)
            return (Cookie(cookie=cookie, documented=False, source=_THALAMUS_LOGIN),)
        return ()


def _misplaced(exchange: Exchange, op: Operation) -> list[DriftFinding]:
    """A refusal whose code is one of ``op``'s error cases, under another status than the
    case's (``404 id:NotFound`` answered as a 400): the status changed for that case."""
    if exchange.status < 400:
        return []
    try:
        code = answer_code(op.api, json.loads(exchange.response_body))
    except ValueError:
        return []
    cases = [c for c in op.errors if c.code is not None and c.code == code]
    if not cases or any(c.status == exchange.status for c in cases):
        return []
    case = cases[0]
    observed = f"{_status(exchange.status)} {code}"
    of = f"{case.name} ({case.provenance})"
    return [_status_changed(op, f"{case} ({case.name})", observed, case.documented, of=of)]


def _status_changed(
    op: Operation, expected: str, observed: str, documented: bool, *, of: str
) -> DriftFinding:
    """A ``status-code-changed`` finding on ``op``, its source the operation's ``of``."""
    return DriftFinding(
        severity=severity_of("status-code-changed", documented=documented),
        kind="status-code-changed",
        api=op.api,
        operation=op.name,
        probe=PROBE,
        path="<status>",
        expected=expected,
        observed=observed,
        documented=documented,
        source=f"schemas/{op.api}/operations.json: {op.name} {of}",
    )


def _parsed(schema: str, content: bytes) -> tuple[str, Any] | None:
    try:
        return schema, json.loads(content)
    except ValueError:
        return None


def _kit(finding: DriftFinding) -> DriftFinding:
    """The finding under a kit-decision body: not documented, its severity as drift gives
    an undocumented rule (a broken format is then a warning)."""
    if not finding.documented:
        return finding
    value_only = finding.kind == "error-shape-changed" and finding.severity != "breaking"
    severity = severity_of(finding.kind, documented=False, value_only=value_only)
    if finding.kind not in ("format-changed", "enum-value-removed", "error-shape-changed"):
        severity = finding.severity
    return replace(finding, documented=False, severity=severity)


def _redacted(finding: DriftFinding, redact: Callable[[str], str]) -> DriftFinding:
    return replace(
        finding,
        expected=redact(finding.expected),
        observed=redact(finding.observed),
        hint=redact(finding.hint) if finding.hint else None,
    )
