"""Thalamus v4 probes: a login, the list, the records, and every refusal the catalogue has.

Routes, refusals and whether each is documented come from ``schemas/thalamus/operations.json``
(:mod:`statuskit.catalogue`, :mod:`statuskit.drift._cases`); bodies are held to the schemas
the registry names. The token travels as the ``Thalamus-Token`` header and the touchpoint in
the query, as the reference client sends them (``docs/decisions.md``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

import httpx

from statuskit.catalogue import ErrorCase, Operation, operations
from statuskit.credentials import ThalamusCredentials
from statuskit.drift._cases import Request, case_probe, send_list, settings
from statuskit.drift._http import BudgetExhausted, Http
from statuskit.drift.probes import (
    ContentType,
    Context,
    Cookie,
    Expect,
    ExpectedValue,
    Observation,
    Probe,
    Prober,
    WwwAuthenticate,
)
from statuskit.errors import TargetAuthError
from statuskit.wire import cookie_header
from statuskit.wire import thalamus as wire

__all__ = ["ThalamusProber"]

_LOGIN = "FACTS.md: Login, 'Success is 200 and sets session cookies'; docs/wire.md: login"
#: The operations whose refusals a run sends, the records' first: the ones whose valid
#: request this prober can build (the others take a body, or are session calls).
_PROBED = ("get-status", "list-imports")


def _values(case: ErrorCase, documented: bool) -> tuple[ExpectedValue, ...]:
    # {"errors": {field: Code}}: the case's code under its key.
    if case.field is None:
        return ()
    return (ExpectedValue(("errors", case.field), case.value, documented),)


class ThalamusProber(Prober):
    """Probes of one Thalamus server, with the ``STATUSKIT_THALAMUS_*`` credentials."""

    api = "thalamus"

    def __init__(
        self, http: Http, context: Context, credentials: ThalamusCredentials, login_path: str
    ) -> None:
        super().__init__(http, context)
        self.credentials = credentials
        self.ops: Mapping[str, Operation] = {
            op.name: op
            for op in operations(self.api, login_path=login_path, registry=context.registry)
        }
        self.setting = settings(context.environ)
        for secret in (credentials.token, credentials.password):
            context.redactor.add(secret)
        self.session: str | None = None

    # -- requests -----------------------------------------------------------------------

    def _valid(self, operation: str, path: Mapping[str, str] | None = None) -> Request:
        creds = self.credentials
        credentials = {
            "touchpoint": creds.touchpoint,
            "token": creds.token.reveal(),
            "session": self.session,
        }
        return Request(self.ops[operation].path, dict(path or {}), credentials=credentials)

    def _sent(self, credentials: Mapping[str, str | None]) -> tuple[dict[str, str], dict[str, str]]:
        """How each credential travels: the touchpoint in the query, the token as a header
        (:mod:`statuskit.wire.thalamus`), the session as the login's cookies, or another
        value as the session cookie."""
        registry = self.context.registry
        params, headers = wire.placed(
            credentials.get("touchpoint"),
            credentials.get("token"),
            touchpoint_in="query",
            token_in="header",
            registry=registry,
        )
        session = credentials.get("session")
        if session is not None and session != self.session:
            session = f"{wire.session_cookie(registry=registry)}={session}"
        headers.update(wire.session_headers(session))
        return params, headers

    def _get(self, name: str, operation: str, request: Request, expect: Expect) -> Probe:
        params, headers = self._sent(request.credentials)
        params.update(request.query)
        return Probe(name, operation, "GET", request.url_path, expect, params, headers)

    def login(self) -> Observation:
        """Log in with HTTP Basic; a refusal means the target cannot be measured."""
        creds = self.credentials
        valid = self._valid("login").credentials
        params, headers = self._sent({**valid, "session": None})
        headers.update(wire.basic_authorization(creds.principal, creds.password.reveal()))
        # [KIT] the cookie's name: the docs say only that the login sets session cookies.
        cookie = wire.session_cookie(registry=self.context.registry)
        expect = Expect(
            200,
            schema="login-response",
            headers=(Cookie(cookie=cookie, documented=False, source=_LOGIN),),
            source=_LOGIN,
        )
        probe = Probe("login", "login", "POST", self.ops["login"].path, expect, params, headers)
        observation = self.send(probe)
        response = observation.response
        assert response is not None
        if response.status_code != 200:
            raise TargetAuthError(_login_refusal(probe, response))
        self.session = cookie_header(response.headers.get_list("set-cookie"))
        self.context.redactor.add(self.session)
        for part in (self.session or "").split(";"):
            self.context.redactor.add(part.partition("=")[2])
        if not self.session:
            # [DOC] success sets session cookies; without one nothing behind it can be read.
            observation.auth_problem = "no session cookie (Set-Cookie absent)"
        return observation

    # -- the run ------------------------------------------------------------------------

    def _planned(self) -> list[tuple[Operation, ErrorCase]]:
        ops = [self.ops[name] for name in _PROBED]
        return send_list(((op, op.errors) for op in ops), self.setting)

    def observations(self) -> Iterator[Observation]:
        """Log in, then the list, the records, the refusals; stop quietly when the budget
        runs out."""
        context = self.context
        planned = self._planned()
        self.plan(2 + max(len(context.ids), context.discover) + len(planned))
        yield self.login()
        if not self.session:
            # Every probe behind the session would only measure its absence.
            return
        ids = list(context.ids)
        try:
            page = Expect(200, schema="import-page", headers=(ContentType(),))
            request = self._valid("list-imports")
            request = Request(
                request.template,
                query={"pageSize": str(context.page_size)},
                credentials=request.credentials,
            )
            listed = self.send(self._get("list", "list-imports", request, page))
            yield listed
            if not ids:
                ids = _ids(listed.response)[: context.discover]
            for import_id in ids:
                expect = Expect(200, schema="import-record", headers=(ContentType(),))
                record = self._valid("get-status", {"id": str(import_id)})
                yield self.send(self._get("record", "get-status", record, expect))
            yield from self._refusals(planned, ids[0] if ids else "1")
        except BudgetExhausted:
            return

    def _refusals(
        self, planned: list[tuple[Operation, ErrorCase]], import_id: str
    ) -> Iterator[Observation]:
        for op, case in planned:
            valid = self._valid(op.name, {"id": import_id})  # a route without {id} ignores it
            # [KIT] a 401 names the login's scheme and realm, as the catalogue writes it.
            body = op.body(case.status)
            challenge = body.headers.get(WwwAuthenticate.name) if body is not None else None
            headers = (WwwAuthenticate(challenge),) if challenge is not None else ()
            yield self.send(
                case_probe(
                    op,
                    case,
                    valid,
                    setting=self.setting,
                    send=self._sent,
                    values=_values,
                    headers=headers,
                )
            )


def _ids(response: httpx.Response | None) -> list[str]:
    """The ids of a list page's items, if it is one."""
    if response is None or response.status_code != 200:
        return []
    try:
        items = response.json().get("items", [])
    except (ValueError, AttributeError):
        return []
    return [str(i["id"]) for i in items if isinstance(i, dict) and isinstance(i.get("id"), int)]


def _login_refusal(probe: Probe, response: httpx.Response) -> str:
    status = response.status_code
    where = f"POST {probe.path} answered {status}"
    try:
        errors = response.json().get("errors", {})
    except (ValueError, AttributeError):
        errors = {}
    if "partnerDataSource" in errors or "token" in errors:
        code = errors.get("partnerDataSource") or errors.get("token")
        return (
            f"{where} ({code}): the touchpoint or token was refused; check "
            "STATUSKIT_THALAMUS_TOUCHPOINT and STATUSKIT_THALAMUS_TOKEN"
        )
    if status == 401:
        return (
            f"{where}: the principal or password was refused; check "
            "STATUSKIT_THALAMUS_PRINCIPAL and STATUSKIT_THALAMUS_PASSWORD"
        )
    if status == 404:
        return f"{where}: no login there; is --login-path right?"
    return f"{where} instead of 200 with a session cookie"
