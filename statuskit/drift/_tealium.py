"""Tealium Omnichannel probes: a login, count and search, the files, every refusal the
catalogue has.

v1 logs in with a password and sends ``?utk=`` with the ``JSESSIONID`` cookie; v2 fetches
a bearer token. Files are found through ``/count`` and ``/search`` when none are named:
``/search`` refuses more than 50 matches, so the window is halved towards the present
until ``/count`` says it holds at most that many. Routes, refusals and whether each is
documented come from ``schemas/tealium/operations.json`` (:mod:`statuskit.catalogue`,
:mod:`statuskit.drift._cases`), each version's from its own routes.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from statuskit.catalogue import ErrorCase, Operation, operations
from statuskit.credentials import TealiumCredentials
from statuskit.drift._cases import Request, case_probe, send_list, settings
from statuskit.drift._http import BudgetExhausted, Http
from statuskit.drift.probes import (
    ContentType,
    Context,
    Cookie,
    Expect,
    ExpectedValue,
    HeaderRule,
    Observation,
    Probe,
    Prober,
)
from statuskit.errors import TargetAuthError
from statuskit.fixtures import fixtures
from statuskit.wire import cookie_header
from statuskit.wire import tealium as wire

__all__ = ["TealiumProber"]

_START = datetime(2000, 1, 1, tzinfo=UTC)
#: Most files /search lists before it asks for a narrower window (docs/wire.md).
_SEARCH_LIMIT = 50
_NARROWING = 12
#: The operations whose refusals a run sends, the files' first: the ones whose valid
#: request this prober can build (the others are session calls).
_PROBED = ("get-file-status", "count", "search")
#: The name a file probe uses when no file is named or found: the refusals need a route.
_PLACEHOLDER = "drift-probe.csv"


def _when(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%MZ")


@functools.cache
def _messages() -> Mapping[int, str]:
    """The documented message of each documented returnCode, from the vendors' examples
    (the same fixtures the mock answers with)."""
    found = {}
    for fixture in fixtures(api="tealium", kind="documented"):
        if fixture.schema == "error":
            body = fixture.load()
            found[body["returnCode"]] = body["message"]
    return found


def _values(case: ErrorCase, documented: bool) -> tuple[ExpectedValue, ...]:
    # {"returnCode": N, "message": "..."}: the code, and the message where the docs give one.
    if case.value is None:
        return ()
    code = int(case.value)
    values = [ExpectedValue(("returnCode",), code, documented)]
    if code in _messages():
        values.append(ExpectedValue(("message",), _messages()[code], documented))
    return tuple(values)


class TealiumProber(Prober):
    """Probes of one Tealium account and profile, with the ``STATUSKIT_TEALIUM_*``
    credentials, over API version 1 or 2."""

    api = "tealium"

    def __init__(
        self,
        http: Http,
        context: Context,
        credentials: TealiumCredentials,
        *,
        account: str,
        profile: str,
        version: int,
    ) -> None:
        super().__init__(http, context)
        self.credentials = credentials
        self.version = version
        self.where = {"account": account, "profile": profile}
        self.ops: Mapping[str, Operation] = {
            op.name: op for op in operations(self.api, registry=context.registry)
        }
        self.setting = settings(context.environ)
        for secret in (credentials.password, credentials.api_key):
            context.redactor.add(secret)
        self.auth: tuple[dict[str, str], dict[str, str]] = ({}, {})
        #: The session credential's value (the utk, or the bearer token) once logged in.
        self.session: str | None = None

    def template(self, operation: str) -> str:
        """The route of ``operation`` in this run's API version."""
        prefix = f"/v{self.version}/"
        return next(t for t in self.ops[operation].templates if t.startswith(prefix))

    # -- login --------------------------------------------------------------------------

    def login(self) -> Observation:
        """Log in (v1) or fetch a token (v2); a refusal means the target cannot be measured."""
        creds = self.credentials
        registry = self.context.registry
        login = wire.login(1 if self.version == 1 else 2, registry=registry)
        headers: tuple[HeaderRule, ...] = (ContentType(),)
        if self.version == 1:
            cookie = Cookie(
                cookie=wire.session_cookie(registry=registry),
                attributes=wire.COOKIE_ATTRIBUTES,
                source=wire.COOKIE_SOURCE,
            )
            headers += (cookie,)
        secret = creds.password if self.version == 1 else creds.api_key
        form = login.form(creds.username, secret.reveal())
        expect = Expect(200, login.schema, headers=headers)
        probe = Probe("login", login.operation, "POST", login.path, expect, data=form)
        observation = self.send(probe)
        response = observation.response
        assert response is not None
        if response.status_code != 200:
            raise TargetAuthError(_login_refusal(probe, response, self.version))
        value = _field(response, login.secret)
        self.context.redactor.add(value)
        if self.version == 1:
            cookies = cookie_header(response.headers.get_list("set-cookie"))
            for part in (cookies or "").split(";"):
                self.context.redactor.add(part.partition("=")[2])
            if value and cookies:
                self.auth = wire.v1_credentials(value, cookies, registry=registry)
                self.session = value
            else:
                observation.auth_problem = "no session: " + (
                    f"{login.secret} absent" if not value else "session cookie absent"
                )
        elif value:
            self.auth = ({}, wire.bearer_headers(value))
            self.session = value
        else:
            observation.auth_problem = f"no session: {login.secret} absent"
        return observation

    # -- probes -------------------------------------------------------------------------

    def _sent(self, credentials: Mapping[str, str | None]) -> tuple[dict[str, str], dict[str, str]]:
        """How the session travels (:mod:`statuskit.wire.tealium`): v1's utk in the query
        with the login's cookie, v2's token as a bearer; another value goes in the same
        places (v1: as both)."""
        value = credentials.get("session")
        if value is None:
            return {}, {}
        if value == self.session:
            return dict(self.auth[0]), dict(self.auth[1])
        if self.version == 1:
            registry = self.context.registry
            cookie = f"{wire.session_cookie(registry=registry)}={value}"
            return wire.v1_credentials(value, cookie, registry=registry)
        return {}, wire.bearer_headers(value)

    def _valid(
        self, operation: str, name: str | None = None, query: Mapping[str, str] | None = None
    ) -> Request:
        path = dict(self.where) | ({"name": name} if name is not None else {})
        return Request(
            self.template(operation),
            path,
            dict(query or {}),
            credentials={"session": self.session},
        )

    def _get(self, name: str, operation: str, request: Request, expect: Expect) -> Probe:
        params, headers = self._sent(request.credentials)
        params.update(request.query)
        return Probe(name, operation, "GET", request.url_path, expect, params, headers)

    def _planned(self) -> list[tuple[Operation, ErrorCase]]:
        ops = [self.ops[name] for name in _PROBED]
        targets = ((op, op.cases_on(self.template(op.name))) for op in ops)
        return send_list(targets, self.setting)

    def observations(self) -> Iterator[Observation]:
        """Log in, then the list or count and search, the resources, the refusals; stop
        quietly when the budget runs out."""
        context = self.context
        planned = self._planned()
        self.plan(3 + max(len(context.files), context.discover) + len(planned))
        yield self.login()
        if not self.auth[0] and not self.auth[1]:
            return
        files = list(context.files)
        try:
            found: list[str] = []
            yield from self._discover(found)
            if not files:
                files = found[-context.discover :] if context.discover else []
            for name in files:
                expect = Expect(200, schema="file-status", headers=(ContentType(),))
                request = self._valid("get-file-status", name)
                yield self.send(self._get("file", "get-file-status", request, expect))
            yield from self._refusals(planned, files[0] if files else _PLACEHOLDER)
        except BudgetExhausted:
            return

    def _window(self, start: datetime, end: datetime) -> dict[str, str]:
        return {"filePrefix": "", "startDate": _when(start), "endDate": _when(end)}

    def _discover(self, found: list[str]) -> Iterator[Observation]:
        """Count the files of a window, halve it towards the present until it holds at most
        50, and search it; each step is one request of the budget."""
        count = Expect(200, schema="count", headers=(ContentType(),))
        start, end = _START, _end()
        wider: tuple[datetime, datetime] | None = None
        for _ in range(_NARROWING):
            request = self._valid("count", query=self._window(start, end))
            observed = self.send(self._get("count", "count", request, count))
            yield observed
            total = _field(observed.response, "count")
            if not isinstance(total, int) or isinstance(total, bool) or total < 0:
                return
            if total == 0:
                if wider is None:
                    return  # no file at all
                # The newer half was empty: the files lie in the older one.
                start, end, wider = wider[0], start, None
                continue
            if total <= _SEARCH_LIMIT:
                break
            wider, start = (start, end), start + (end - start) / 2
        else:
            return
        search = Expect(200, schema="file-status-list", headers=(ContentType(),))
        request = self._valid("search", query=self._window(start, end))
        listed = self.send(self._get("search", "search", request, search))
        yield listed
        body = _json(listed.response)
        for item in body if isinstance(body, list) else []:
            name = item.get("file", {}).get("name") if isinstance(item, dict) else None
            if isinstance(name, str):
                found.append(name)

    def _refusals(
        self, planned: list[tuple[Operation, ErrorCase]], name: str
    ) -> Iterator[Observation]:
        # The whole window: the range cases change one part of a request that is valid.
        window = self._window(_START, _end())
        for op, case in planned:
            valid = self._valid(op.name, name, window if op.name != "get-file-status" else None)
            yield self.send(
                case_probe(op, case, valid, setting=self.setting, send=self._sent, values=_values)
            )


def _end() -> datetime:
    return datetime.now(UTC) + timedelta(days=1)


def _json(response: httpx.Response | None) -> Any:
    if response is None:
        return None
    try:
        return response.json()
    except ValueError:
        return None


def _field(response: httpx.Response | None, name: str) -> Any:
    body = _json(response)
    return body.get(name) if isinstance(body, dict) else None


def _login_refusal(probe: Probe, response: httpx.Response, version: int) -> str:
    where = f"POST {probe.path} answered {response.status_code}"
    code = _field(response, "returnCode")
    variables = "STATUSKIT_TEALIUM_USERNAME and " + (
        "STATUSKIT_TEALIUM_PASSWORD" if version == 1 else "STATUSKIT_TEALIUM_API_KEY"
    )
    if code == 1402:
        return f"{where} (1402): the user is locked out after failed logins; retry in 10 minutes"
    if response.status_code == 401:
        return f"{where} ({code or 'no code'}): the credentials were refused; check {variables}"
    return f"{where} instead of 200 with a session"
