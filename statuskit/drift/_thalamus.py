"""Thalamus v4 probes: a login, the list, the records, and every documented refusal.

Expectations come from ``docs/wire.md``; bodies are held to the schemas the registry names.
The token travels as the ``Thalamus-Token`` header and the touchpoint in the query, as the
reference client sends them (``docs/decisions.md``).
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import httpx

from statuskit.client._base import session_cookies
from statuskit.credentials import ThalamusCredentials
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

__all__ = ["ThalamusProber"]

_STATUS = "/api/v4/import/status"
#: An id no server holds: the largest a Java ``long`` can be (docs/wire.md).
UNKNOWN_ID = str(2**63 - 1)
_UNKNOWN_TOUCHPOINT = "drift-probe-unknown-touchpoint"
_WRONG_TOKEN = "drift-probe-wrong-token"
_CHECKS = "docs/wire.md: Thalamus v4, checks"
_LOGIN = "FACTS.md: Login, 'Success is 200 and sets session cookies'; docs/wire.md: login"


def _refusal(
    field: str, code: str, *, documented: bool, status: int = 400, auth: bool = True
) -> Expect:
    # The touchpoint rows are the documented 400 example; the others are FACTS.md's kit
    # decisions (docs/wire.md), so their status and key are too.
    return Expect(
        status,
        schema="error",
        values=(ExpectedValue(("errors", field), code, documented),),
        auth=auth,
        headers=(ContentType(),),
        documented_status=documented,
        documented_shape=True,
        source=_CHECKS,
    )


class ThalamusProber(Prober):
    """Probes of one Thalamus server, with the ``STATUSKIT_THALAMUS_*`` credentials."""

    api = "thalamus"

    def __init__(
        self, http: Http, context: Context, credentials: ThalamusCredentials, login_path: str
    ) -> None:
        super().__init__(http, context)
        self.credentials = credentials
        self.login_path = login_path
        for secret in (credentials.token, credentials.password):
            context.redactor.add(secret)
        self.session: str | None = None

    # -- requests -----------------------------------------------------------------------

    def _auth(
        self,
        *,
        touchpoint: str | None = None,
        token: str | None = None,
        session: bool = True,
    ) -> tuple[dict[str, str], dict[str, str]]:
        params = {"touchpoint": touchpoint} if touchpoint is not None else {}
        headers = {"Thalamus-Token": token} if token is not None else {}
        if session and self.session:
            headers["Cookie"] = self.session
        return params, headers

    def _get(
        self,
        name: str,
        operation: str,
        path: str,
        expect: Expect,
        query: dict[str, str] | None = None,
        **auth: Any,
    ) -> Probe:
        creds = self.credentials
        defaults = {"touchpoint": creds.touchpoint, "token": creds.token.reveal()}
        params, headers = self._auth(**(defaults | auth))
        params.update(query or {})
        return Probe(name, operation, "GET", path, expect, params=params, headers=headers)

    def login(self) -> Observation:
        """Log in with HTTP Basic; a refusal means the target cannot be measured."""
        creds = self.credentials
        pair = f"{creds.principal}:{creds.password.reveal()}".encode()
        params, headers = self._auth(
            touchpoint=creds.touchpoint, token=creds.token.reveal(), session=False
        )
        headers["Authorization"] = "Basic " + base64.b64encode(pair).decode()
        expect = Expect(
            200,
            schema="login-response",
            headers=(Cookie(cookie="JSESSIONID", documented=False, source=_LOGIN),),
            source=_LOGIN,
        )
        probe = Probe("login", "login", "POST", self.login_path, expect, params, headers)
        observation = self.send(probe)
        response = observation.response
        assert response is not None
        if response.status_code != 200:
            raise TargetAuthError(_login_refusal(probe, response))
        self.session = session_cookies(response)
        self.context.redactor.add(self.session)
        for part in (self.session or "").split(";"):
            self.context.redactor.add(part.partition("=")[2])
        if not self.session:
            # [DOC] success sets session cookies; without one nothing behind it can be read.
            observation.auth_problem = "no session cookie (Set-Cookie absent)"
        return observation

    # -- the run ------------------------------------------------------------------------

    def observations(self) -> Iterator[Observation]:
        """Log in, then the list or count and search, the resources, the refusals; stop
        quietly when the budget runs out."""
        context = self.context
        self.plan(2 + max(len(context.ids), context.discover) + 6)
        yield self.login()
        if not self.session:
            # Every probe behind the session would only measure its absence.
            return
        ids = list(context.ids)
        try:
            page = self._get(
                "list",
                "list-imports",
                _STATUS,
                Expect(200, schema="import-page", headers=(ContentType(),)),
                query={"pageSize": str(context.page_size)},
            )
            listed = self.send(page)
            yield listed
            if not ids:
                ids = _ids(listed.response)[: context.discover]
            for import_id in ids:
                path = f"{_STATUS}/{quote(str(import_id), safe='')}"
                expect = Expect(200, schema="import-record", headers=(ContentType(),))
                yield self.send(self._get("record", "get-status", path, expect))
            yield from self._refusals(ids[0] if ids else "1")
        except BudgetExhausted:
            return

    def _refusals(self, import_id: str) -> Iterator[Observation]:
        path = f"{_STATUS}/{quote(import_id, safe='')}"
        no_session = Expect(
            401,
            schema=None,
            auth=True,
            headers=(WwwAuthenticate(),),
            documented_status=False,
            source=_CHECKS,
        )
        cases = [
            self._get(
                "missing touchpoint",
                "get-status",
                path,
                _refusal("partnerDataSource", "TouchpointCodeRequired", documented=True),
                touchpoint=None,
            ),
            self._get(
                "unknown touchpoint",
                "get-status",
                path,
                _refusal("partnerDataSource", "InvalidTouchpointCode", documented=True),
                touchpoint=_UNKNOWN_TOUCHPOINT,
            ),
            self._get(
                "missing token",
                "get-status",
                path,
                _refusal("token", "Required", documented=False),
                token=None,
            ),
            self._get(
                "wrong token",
                "get-status",
                path,
                _refusal("token", "InvalidToken", documented=False),
                token=_WRONG_TOKEN,
            ),
            self._get("no session", "get-status", path, no_session, session=False),
            self._get(
                "unknown id",
                "get-status",
                f"{_STATUS}/{UNKNOWN_ID}",
                _refusal("id", "NotFound", documented=False, status=404, auth=False),
            ),
        ]
        for probe in cases:
            yield self.send(probe)


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
