"""Tealium Omnichannel probes: a login, count and search, the files, every documented refusal.

v1 logs in with a password and sends ``?utk=`` with the ``JSESSIONID`` cookie; v2 fetches
a bearer token. Files are found through ``/count`` and ``/search`` when none are named:
``/search`` refuses more than 50 matches, so the window is halved towards the present
until ``/count`` says it holds at most that many.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

import httpx

from statuskit.client._base import session_cookies
from statuskit.credentials import TealiumCredentials
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
)
from statuskit.errors import TargetAuthError

__all__ = ["TealiumProber"]

_FILES = "docs/wire.md: Tealium, files"
_AUTH = "docs/wire.md: Tealium v1 ('Either missing or not matching one session: 401 1401')"
_WRONG = "drift-probe-wrong-token"
_START = datetime(2000, 1, 1, tzinfo=UTC)
#: Most files /search lists before it asks for a narrower window (docs/wire.md).
_SEARCH_LIMIT = 50
_NARROWING = 12


def _when(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%MZ")


def _refusal(
    status: int, code: int, message: str, *, auth: bool, documented: bool, source: str
) -> Expect:
    # [DOC] the statuses and messages of /{name}; [KIT] returnCode = the HTTP status there.
    # A 401's shape is the documented v1 failure, but which request gets it is the kit's
    # decision, so an auth probe's values are too.
    return Expect(
        status,
        schema="error",
        values=(
            ExpectedValue(("returnCode",), code, False),
            ExpectedValue(("message",), message, documented),
        ),
        auth=auth,
        headers=(ContentType(),),
        documented_status=documented,
        documented_shape=status == 401,
        source=source,
    )


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
        for secret in (credentials.password, credentials.api_key):
            context.redactor.add(secret)
        self.files_path = (
            f"/v{version}/omnichannel/accounts/{quote(account, safe='')}"
            f"/profiles/{quote(profile, safe='')}/files"
        )
        self.auth: tuple[dict[str, str], dict[str, str]] = ({}, {})
        common = context.registry.source("tealium", "common")
        self.max_name: int = common["$defs"]["fileName"]["maxLength"]

    # -- login --------------------------------------------------------------------------

    def login(self) -> Observation:
        """Log in (v1) or fetch a token (v2); a refusal means the target cannot be measured."""
        creds = self.credentials
        if self.version == 1:
            cookie = Cookie(
                cookie="JSESSIONID",
                attributes=("Path=/urest_service", "Secure", "HttpOnly"),
                source="FACTS.md: 'Set-Cookie: JSESSIONID=...; Path=/urest_service; Secure'",
            )
            expect = Expect(200, "login-response", headers=(ContentType(), cookie))
            form = {"username": creds.username, "password": creds.password.reveal()}
            probe = Probe("login", "login", "POST", "/v1/login", expect, data=form)
        else:
            expect = Expect(200, "auth-response", headers=(ContentType(),))
            form = {"username": creds.username, "key": creds.api_key.reveal()}
            probe = Probe("login", "auth", "POST", "/v2/auth", expect, data=form)
        observation = self.send(probe)
        response = observation.response
        assert response is not None
        if response.status_code != 200:
            raise TargetAuthError(_login_refusal(probe, response, self.version))
        secret = _field(response, "utk" if self.version == 1 else "token")
        self.context.redactor.add(secret)
        if self.version == 1:
            cookies = session_cookies(response)
            for part in (cookies or "").split(";"):
                self.context.redactor.add(part.partition("=")[2])
            if secret and cookies:
                self.auth = ({"utk": secret}, {"Cookie": cookies})
            else:
                observation.auth_problem = "no session: " + (
                    "utk absent" if not secret else "JSESSIONID cookie absent"
                )
        elif secret:
            self.auth = ({}, {"Authorization": f"Bearer {secret}"})
        else:
            observation.auth_problem = "no session: token absent"
        return observation

    # -- probes -------------------------------------------------------------------------

    def _get(
        self,
        name: str,
        operation: str,
        suffix: str,
        expect: Expect,
        query: dict[str, str] | None = None,
        *,
        params: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> Probe:
        auth_params, auth_headers = self.auth
        sent_params = dict(auth_params if params is None else params) | (query or {})
        sent_headers = dict(auth_headers if headers is None else headers)
        return Probe(
            name, operation, "GET", self.files_path + suffix, expect, sent_params, sent_headers
        )

    def observations(self) -> Iterator[Observation]:
        """Log in, then the list or count and search, the resources, the refusals; stop
        quietly when the budget runs out."""
        context = self.context
        self.plan(3 + max(len(context.files), context.discover) + 5)
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
                yield self.send(self._get("file", "get-file-status", "/" + _segment(name), expect))
            yield from self._refusals(files[0] if files else "drift-probe.csv")
        except BudgetExhausted:
            return

    def _window(self, start: datetime, end: datetime) -> dict[str, str]:
        return {"filePrefix": "", "startDate": _when(start), "endDate": _when(end)}

    def _discover(self, found: list[str]) -> Iterator[Observation]:
        """Count the files of a window, halve it towards the present until it holds at most
        50, and search it; each step is one request of the budget."""
        count = Expect(200, schema="count", headers=(ContentType(),))
        start, end = _START, datetime.now(UTC) + timedelta(days=1)
        wider: tuple[datetime, datetime] | None = None
        for _ in range(_NARROWING):
            window = self._window(start, end)
            observed = self.send(self._get("count", "count", "/count", count, window))
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
        window = self._window(start, end)
        listed = self.send(self._get("search", "search", "/search", search, window))
        yield listed
        body = _json(listed.response)
        for item in body if isinstance(body, list) else []:
            name = item.get("file", {}).get("name") if isinstance(item, dict) else None
            if isinstance(name, str):
                found.append(name)

    def _refusals(self, name: str) -> Iterator[Observation]:
        path, op = "/" + _segment(name), "get-file-status"
        refused = _refusal(
            401, 1401, "Authentication Failed", auth=True, documented=False, source=_AUTH
        )
        if self.version == 1:
            cases = [
                self._get("missing token", op, path, refused, params={}),
                self._get("wrong token", op, path, refused, params={"utk": _WRONG}),
                self._get("no session", op, path, refused, headers={}),
            ]
        else:
            wrong = {"Authorization": f"Bearer {_WRONG}"}
            cases = [
                self._get("missing token", op, path, refused, headers={}),
                self._get("wrong token", op, path, refused, headers=wrong),
            ]
        missing = _refusal(
            404, 404, "Supplied file name not found", auth=False, documented=True, source=_FILES
        )
        # One character over the schema's limit, '.csv' included.
        long_name = "drift-probe-".ljust(self.max_name + 1 - len(".csv"), "x") + ".csv"
        too_long = _refusal(
            400,
            400,
            f"File name exceeds {self.max_name} chars",
            auth=False,
            documented=True,
            source=_FILES,
        )
        cases += [
            self._get("unknown file", op, "/drift-probe-no-such-file.csv", missing),
            self._get(f"{len(long_name)}-character name", op, "/" + long_name, too_long),
        ]
        for probe in cases:
            yield self.send(probe)


def _segment(name: str) -> str:
    return quote(name, safe="")


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
