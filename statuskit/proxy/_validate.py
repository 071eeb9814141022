"""Passive validation: every exchange through the proxy checked both ways, by the catalogue.

:class:`Validator` is the proxy's :class:`~statuskit.proxy._exchange.Observer`. The core has
already matched the exchange to its operation (``statuskit.catalogue.classify``); the
validator finds the route among the operation's templates and checks

* the **request** (:mod:`statuskit.proxy._requests`): credentials of the route's security
  group, each parameter against its catalogue schema, undocumented query parameters;
* the **response** (:mod:`statuskit.proxy._responses`): drift's classifier, so kinds,
  severities, JSON paths and ``documented`` are those of ``statuskit drift``.

An exchange no operation matches is one ``request-undocumented-route`` finding. Findings
go to :class:`~statuskit.proxy._findings.Findings`, which aggregates them and makes the
verdict. Credentials the traffic carries are learned as they pass (values of the secret
names :func:`statuskit.wire.secret_names` lists), so a body that echoes one has it masked
in every finding, as drift masks the credentials of its run.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import threading
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qsl

from statuskit.catalogue import Operation, operations
from statuskit.drift.baseline import Baseline
from statuskit.drift.compare import DEFAULT_MIN_ENUM_SAMPLES
from statuskit.drift.describe import Redactor
from statuskit.drift.engine import _PUBLIC_DEFAULTS
from statuskit.drift.model import DriftFinding
from statuskit.drift.rules import severity_of
from statuskit.proxy._exchange import Exchange, Verdict
from statuskit.proxy._findings import Findings
from statuskit.proxy._options import ProxyOptions
from statuskit.proxy._requests import PROBE, RequestChecker, Sent
from statuskit.proxy._responses import ResponseJudge
from statuskit.proxy._routes import Route, routes_of
from statuskit.registry import SchemaRegistry, default_registry
from statuskit.wire import STRAY_SECRET_NAMES, carriers

__all__ = ["UNDOCUMENTED", "Validator", "validating"]

log = logging.getLogger(__name__)

#: The ``operation`` of a finding about a route no operation of the catalogue matches.
UNDOCUMENTED = "undocumented"
#: Credential values remembered for masking; the oldest are forgotten past this.
_SECRETS_KEPT = 256


class _Secrets:
    """The credential values seen lately, and a redactor that masks them."""

    def __init__(self, registry: SchemaRegistry) -> None:
        names = [(c.where, c.name) for c in carriers(registry=registry) if c.secret]
        names += [("query", n) for n in STRAY_SECRET_NAMES]
        self.query = frozenset(n for w, n in names if w == "query")
        self.headers = frozenset(n.lower() for w, n in names if w == "header")
        self.cookies = frozenset(n for w, n in names if w == "cookie")
        self.body = frozenset(n for w, n in names if w == "body")
        self._seen: OrderedDict[str, None] = OrderedDict()
        self._redactor = Redactor(public=_PUBLIC_DEFAULTS)
        self._lock = threading.Lock()

    def learn(self, sent: Sent, exchange: Exchange, op: Operation | None) -> None:
        """Remember the credentials ``exchange`` carries."""
        values = [v for k, v in sent.query if k in self.query]
        values += [v for k, v in sent.cookies.items() if k in self.cookies]
        for name in self.headers & sent.headers.keys():
            if name not in ("cookie", "set-cookie"):
                values.extend(_header_secrets(sent.headers[name]))
        if op is not None and op.session and exchange.request_body:
            values.extend(_body_secrets(exchange.request_body, self.body))
        fresh = [v for v in values if v and v not in self._seen]
        if not fresh:
            return
        with self._lock:
            for value in fresh:
                self._seen[value] = None
                self._seen.move_to_end(value)
            while len(self._seen) > _SECRETS_KEPT:
                self._seen.popitem(last=False)
            # A new redactor, never one changed in place: another thread may be using the
            # current one (it iterates its values).
            self._redactor = Redactor(list(self._seen), public=_PUBLIC_DEFAULTS)

    def __call__(self, text: str) -> str:
        return self._redactor(text)


def _header_secrets(value: str) -> list[str]:
    scheme, _, credential = value.partition(" ")
    if scheme.lower() == "basic":
        try:
            decoded = base64.b64decode(credential.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return [credential]
        return [credential, decoded, decoded.partition(":")[2]]
    return [value, credential] if credential else [value]


def _body_secrets(body: bytes, names: frozenset[str]) -> list[str]:
    """A login's secret fields, sent as JSON or a form."""
    try:
        data: Any = json.loads(body)
    except ValueError:
        data = dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
    if not isinstance(data, dict):
        return []
    return [str(v) for k, v in data.items() if k in names and isinstance(v, str | int)]


class Validator:
    """The proxy's validating observer: findings for every exchange, aggregated in
    :attr:`findings`.

    ``apis`` are the APIs the proxy serves; ``check_requests`` turns the request checks off
    (a suite that sends wrong requests on purpose). ``observe`` never raises: a check that
    fails is logged (its type only) and the exchange goes on without findings.
    """

    def __init__(
        self,
        apis: Sequence[str] = ("thalamus", "tealium"),
        *,
        findings: Findings | None = None,
        registry: SchemaRegistry | None = None,
        check_requests: bool = True,
        min_enum_samples: int = DEFAULT_MIN_ENUM_SAMPLES,
        unseen_enums: bool = False,
    ) -> None:
        self.registry = registry or default_registry()
        self.apis = tuple(apis)
        self.findings = findings if findings is not None else Findings(apis=self.apis)
        self.check_requests = check_requests
        self.min_enum_samples = min_enum_samples
        self._secrets = _Secrets(self.registry)
        self.findings.scrub = self._secrets
        # Off by default: passive traffic holds only what the application asks for (one
        # import type, a few states), so a value it never saw says nothing of the API, and
        # reporting it would be a false alarm. Drift, which probes, reports them.
        if unseen_enums:
            self.findings.extra = self.unseen
        self._routes: dict[tuple[str, str, tuple[str, ...]], tuple[Route, ...]] = {}
        self._requests: dict[str, RequestChecker] = {}
        self._responses: dict[str, ResponseJudge] = {}
        self._literals = {
            api: frozenset(
                segment
                for op in operations(api, registry=self.registry)
                for template in op.templates
                for segment in template.split("/")
                if segment and not segment.startswith("{")
            )
            for api in self.apis
        }

    # -- the observer ------------------------------------------------------------------

    def observe(self, exchange: Exchange) -> Verdict:
        """Check ``exchange`` and say what the proxy does with it; the proxy hands the
        findings to its sink (:attr:`findings`), which counts them."""
        try:
            found = self.check(exchange)
        except Exception as exc:  # an observer must not break the traffic it watches
            log.warning("statuskit proxy: validation failed (%s); exchange not checked",
                        type(exc).__name__)  # fmt: skip
            return Verdict()
        return self.findings.verdict(found)

    def check(self, exchange: Exchange) -> list[DriftFinding]:
        """Every finding of one exchange, request first, not yet counted."""
        op = exchange.operation
        if op is None:
            return [self._undocumented(exchange)]
        route, values = self._route(op, exchange.path)
        sent = Sent(parse_qsl(exchange.query, keep_blank_values=True), exchange.request_headers,
                    values)  # fmt: skip
        self._secrets.learn(sent, exchange, op)
        found: list[DriftFinding] = []
        if self.check_requests and route is not None:
            found += self._checker(op.api).check(route, sent)
        found += self._judge(op.api).judge(exchange, op, self._secrets)
        return found

    def unseen(self) -> list[DriftFinding]:
        """Enum values never seen over enough answers, for the whole traffic (the
        aggregator's :attr:`~statuskit.proxy._findings.Findings.extra`)."""
        return [f for judge in list(self._responses.values()) for f in judge.unseen()]

    # -- pieces ------------------------------------------------------------------------

    def _checker(self, api: str) -> RequestChecker:
        checker = self._requests.get(api)
        if checker is None:
            names = [c.name for c in carriers(api, registry=self.registry) if c.secret]
            checker = self._requests[api] = RequestChecker(api, [*names, *STRAY_SECRET_NAMES])
        return checker

    def _judge(self, api: str) -> ResponseJudge:
        judge = self._responses.get(api)
        if judge is None:
            judge = ResponseJudge(api, self.registry, self.min_enum_samples)
            judge = self._responses.setdefault(api, judge)
        return judge

    def _route(self, op: Operation, path: str) -> tuple[Route | None, dict[str, str]]:
        key = (op.api, op.name, op.templates)
        routes = self._routes.get(key)
        if routes is None:
            routes = self._routes[key] = routes_of(op, self.registry)
        for route in routes:
            values = route.path_values(path)
            if values is not None:
                return route, values
        return None, {}

    def _undocumented(self, exchange: Exchange) -> DriftFinding:
        api, shown = self._api_of(exchange)
        try:
            status = f"{exchange.status} {HTTPStatus(exchange.status).phrase}"
        except ValueError:
            status = str(exchange.status)
        return DriftFinding(
            severity=severity_of("request-undocumented-route", documented=True),
            kind="request-undocumented-route",
            api=api,
            operation=UNDOCUMENTED,
            probe=PROBE,
            path=f"<route {exchange.method} {shown}>",
            expected=f"a route of schemas/{api}/operations.json",
            observed=f"answered {status}",
            documented=True,
        )

    def _api_of(self, exchange: Exchange) -> tuple[str, str]:
        """The API an unmatched path most likely belongs to (most of its literal segments
        in the catalogue's routes), and the path with every other segment as ``*``: an id
        or a name in it stays out of the finding and does not make a finding of its own."""
        segments = [s for s in exchange.path.split("/") if s]
        candidates: Iterable[str] = [exchange.api] if exchange.api in self._literals else self.apis
        api = max(candidates, key=lambda a: sum(s in self._literals[a] for s in segments))
        literals = self._literals[api]
        shown = "/" + "/".join(s if s in literals else "*" for s in segments)
        return api, shown


def validating(
    options: ProxyOptions,
    target: str,
    *,
    registry: SchemaRegistry | None = None,
    directory: str | None = None,
) -> Validator:
    """The validator ``options`` ask for, with its aggregator (:attr:`Validator.findings`,
    the proxy's findings sink): the APIs of ``--api``, ``--fail-on``, ``--baseline``
    (read now: a bad file is a :class:`~statuskit.errors.ConfigError`, exit 2). ``target``
    is the upstream as a report shows it, without credentials; ``directory`` is where the
    aggregators of several processes meet (``statuskit proxy``'s workers)."""
    registry = registry or default_registry()
    apis = ("thalamus", "tealium") if options.api == "all" else (options.api,)
    baseline = Baseline.load(options.baseline, registry=registry) if options.baseline else None
    findings = Findings(
        apis=apis,
        target=target,
        fail_on=options.fail_on,
        baseline=baseline,
        directory=directory,
    )
    return Validator(apis, findings=findings, registry=registry)
