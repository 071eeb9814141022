"""The proxy's request path: forward, let the observers look, answer the application.

:class:`Forwarding` is the WSGI app behind the mock's bookkeeping middleware
(``statuskit.proxy._app``), in the place where the mock's API views sit: every request
that is not for the admin API is forwarded to the upstream, the exchange is handed to
each observer and its findings to the sink, and the upstream's answer goes back as it came
(hop-by-hop headers aside, ``Set-Cookie`` rewritten as ``_cookies`` says), with an
``X-Statuskit-Violations`` header when an observer had something to say.

When the upstream cannot be reached or does not answer within the timeout, the
application gets a 502 or 504 in the owning API's own error format, made as the mock makes
its errors, with an ``X-Statuskit-Hint`` that says which. With ``--errors``, an exchange
with a finding at or above ``--fail-on`` is answered with a 502 the same way.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from http import HTTPStatus
from typing import Any

from mockserver._inputs import Reply, StartResponse
from mockserver.hints import HEADER as HINT_HEADER
from mockserver.hints import header_value
from statuskit.catalogue import Operation, classify
from statuskit.drift.model import DriftFinding
from statuskit.proxy._cookies import CookieRewriter
from statuskit.proxy._exchange import Exchange, FindingsSink, Observer, Verdict
from statuskit.proxy._forward import (
    Answer,
    Forwarder,
    UpstreamError,
    end_to_end,
    environ_headers,
    raw_path,
    read_body,
)

__all__ = ["VIOLATIONS_HEADER", "Forwarding", "combine"]

log = logging.getLogger("statuskit.proxy")

#: The header naming an exchange's findings (as Prism's ``sl-violations`` does).
VIOLATIONS_HEADER = "X-Statuskit-Violations"
#: Statuses whose answer never has a body: the upstream's ``Content-Length`` is kept as is.
_BODILESS = frozenset({204, 304})
#: The owning API's error answer for a status (the mock's ``ApiMount.http_error``).
ErrorReply = Callable[[str, int], Reply]


def combine(verdicts: Iterable[Verdict]) -> Verdict:
    """Several observers' verdicts as one: every finding, the summaries joined."""
    findings: list[DriftFinding] = []
    summaries: list[str] = []
    blocking = False
    for verdict in verdicts:
        findings.extend(verdict.findings)
        if verdict.summary:
            summaries.append(verdict.summary)
        blocking = blocking or verdict.blocking
    return Verdict(tuple(findings), "; ".join(summaries), blocking)


def _routed(environ: Mapping[str, Any]) -> str:
    """``PATH_INFO`` as text, as the catalogue's routes (and the mock) read it."""
    path = str(environ.get("PATH_INFO", "")) or "/"
    try:
        return path.encode("latin-1").decode("utf-8")
    except UnicodeError:
        return path


class Forwarding:
    """The WSGI app that forwards every request it gets to the upstream."""

    def __init__(
        self,
        forwarder: Forwarder,
        *,
        cookies: CookieRewriter,
        operations: Sequence[Operation],
        observers: Sequence[Observer],
        sink: FindingsSink,
        error_reply: ErrorReply,
        owner: Callable[[str], str],
        errors: bool = False,
    ) -> None:
        self.forwarder = forwarder
        self.cookies = cookies
        self.operations = tuple(operations)
        self.observers = tuple(observers)
        self.sink = sink
        self.error_reply = error_reply
        self.owner = owner
        self.errors = errors

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        started = time.time()
        method = str(environ.get("REQUEST_METHOD", "GET"))
        query = str(environ.get("QUERY_STRING", ""))
        sent = environ_headers(environ)
        body = read_body(environ)
        target = self.forwarder.upstream.target(raw_path(environ), query)
        try:
            answer = self.forwarder.send(method, target, end_to_end(sent), body)
        except UpstreamError as exc:
            api = self.owner(str(environ.get("PATH_INFO", "")))
            return self._error(start_response, api, exc.status, exc.reason)
        path = _routed(environ)
        operation = classify(self.operations, method, path)
        exchange = Exchange(
            api=None if operation is None else operation.api,
            operation=operation,
            method=method,
            path=path,
            query=query,
            request_headers=tuple(sent),
            request_body=body or b"",
            status=answer.status,
            response_headers=answer.headers,
            response_body=answer.body,
            started=started,
            elapsed=answer.elapsed,
        )
        verdict = self._observe(exchange)
        if verdict.blocking and self.errors:
            api = exchange.api or self.owner(path)
            hint = f"statuskit proxy --errors: findings at or above --fail-on ({verdict.summary})"
            return self._error(start_response, api, 502, hint, verdict.summary)
        headers = self._headers(method, answer)
        if verdict.summary:
            headers.append((VIOLATIONS_HEADER, header_value(verdict.summary)))
        start_response(_status_line(answer), headers)
        return [answer.body]

    def _observe(self, exchange: Exchange) -> Verdict:
        verdicts = []
        for observer in self.observers:
            try:
                verdicts.append(observer.observe(exchange))
            except Exception:
                # An observer must not raise; if one does, the application still gets its
                # answer, and the log says which observer failed.
                log.exception("statuskit proxy: observer %s failed", type(observer).__name__)
        verdict = combine(verdicts)
        try:
            judged = self.sink.add(exchange, verdict.findings)
        except Exception:
            log.exception("statuskit proxy: the findings sink failed")
            judged = None
        if judged is None:
            return verdict
        return Verdict(verdict.findings, judged.summary, verdict.blocking or judged.blocking)

    def _headers(self, method: str, answer: Answer) -> list[tuple[str, str]]:
        """The upstream's headers as the application gets them, with a ``Content-Length``
        for the body as read (the upstream's own for a ``HEAD`` or a bodiless status)."""
        headers = self.cookies.headers(end_to_end(answer.headers))
        bodiless = method == "HEAD" or answer.status in _BODILESS or answer.status < 200
        if bodiless:
            given = [(k, v) for k, v in answer.headers if k.lower() == "content-length"]
            return [*headers, *given[:1]]
        return [*headers, ("Content-Length", str(len(answer.body)))]

    def _error(
        self,
        start_response: StartResponse,
        api: str,
        status: int,
        hint: str,
        violations: str = "",
    ) -> Iterable[bytes]:
        reply = self.error_reply(api, status)
        extra = {HINT_HEADER: header_value(hint)}
        if violations:
            extra[VIOLATIONS_HEADER] = header_value(violations)
        return Reply(reply.status, reply.body, {**reply.headers, **extra}).wsgi(start_response)


def _status_line(answer: Answer) -> str:
    reason = answer.reason
    if not reason:
        try:
            reason = HTTPStatus(answer.status).phrase
        except ValueError:
            reason = "Unknown"
    return f"{answer.status} {reason}"
