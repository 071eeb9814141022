"""Schemathesis hooks for the peers run: log in to the mock the way a client does.

Loaded by Schemathesis through ``hooks`` in ``tests/peers/schemathesis.toml``; the server's
base URL comes from ``STATUSKIT_PEERS_BASE_URL`` (set by ``test_schemathesis.py``).
"""

from __future__ import annotations

import itertools
import os
from collections.abc import MutableMapping
from dataclasses import dataclass
from typing import Any

import httpx
import schemathesis
from schemathesis.generation.meta import negated_parameters

from statuskit.credentials import TealiumCredentials, ThalamusCredentials

Case = schemathesis.Case[Any]

__all__ = ["Logins", "StatuskitAuth", "map_case"]

_THALAMUS_PLACES = {
    "touchpoint": ("touchpoint", "Thalamus-Touchpoint"),
    "token": ("token", "Thalamus-Token"),
}
# [DOC] touchpoint and token each go as a query parameter or a header: cycle through all
# four combinations, so every alternative of the document's security is exercised.
_COMBINATIONS = itertools.cycle(itertools.product(("query", "header"), repeat=2))


@dataclass(frozen=True)
class Logins:
    """One login to each API, reused until Schemathesis refreshes it."""

    thalamus_session: str
    tealium_utk: str
    tealium_session: str
    tealium_token: str


def _login(base: str) -> Logins:
    th, te = ThalamusCredentials(), TealiumCredentials()
    client_params = {"touchpoint": th.touchpoint, "token": th.token.reveal()}
    with httpx.Client(base_url=base, timeout=30) as client:
        thalamus = client.post(
            "/api/v3/thalamus_security_check",
            params=client_params,
            auth=(th.principal, th.password.reveal()),
        )
        thalamus.raise_for_status()
        v1 = client.post(
            "/v1/login", data={"username": te.username, "password": te.password.reveal()}
        )
        v1.raise_for_status()
        v2 = client.post("/v2/auth", data={"username": te.username, "key": te.api_key.reveal()})
        v2.raise_for_status()
    return Logins(
        thalamus_session=thalamus.cookies["JSESSIONID"],
        tealium_utk=v1.json()["utk"],
        tealium_session=v1.headers["set-cookie"].split(";")[0].partition("=")[2],
        tealium_token=v2.json()["token"],
    )


def _drop(container: MutableMapping[str, Any], *names: str) -> None:
    """Remove ``names`` (any case) from a case's query, headers or cookies, in place."""
    lowered = {n.lower() for n in names}
    for key in [k for k in container if k.lower() in lowered]:
        del container[key]


@schemathesis.auth()
class StatuskitAuth:
    """Credentials for every operation: what each operation's ``security`` asks for."""

    def get(self, case: Case, ctx: schemathesis.AuthContext) -> Logins:
        return _login(os.environ["STATUSKIT_PEERS_BASE_URL"])

    def set(self, case: Case, data: Logins, ctx: schemathesis.AuthContext) -> None:
        path = case.operation.path
        if path.startswith("/v1/omnichannel/"):
            case.query["utk"] = data.tealium_utk
            case.cookies["JSESSIONID"] = data.tealium_session
        elif path.startswith("/v2/omnichannel/"):
            _drop(case.headers, "Authorization")
            case.headers["Authorization"] = f"Bearer {data.tealium_token}"
        elif path.startswith("/api/"):
            self._thalamus(case, data)

    @staticmethod
    def _thalamus(case: Case, data: Logins) -> None:
        th = ThalamusCredentials()
        values = {"touchpoint": th.touchpoint, "token": th.token.reveal()}
        # Credentials Schemathesis generated for the other alternatives would be checked too
        # (the query wins over the header): each goes in exactly one place.
        _drop(case.query, "touchpoint", "token")
        _drop(case.headers, "Thalamus-Touchpoint", "Thalamus-Token")
        for (name, (query_name, header_name)), place in zip(
            _THALAMUS_PLACES.items(), next(_COMBINATIONS), strict=True
        ):
            if place == "query":
                case.query[query_name] = values[name]
            else:
                case.headers[header_name] = values[name]
        # The login must not carry a session (PartyAlreadyLoggedin), and the logout must not
        # end the one every other request shares.
        if case.operation.path.startswith("/api/v4/"):
            case.cookies["JSESSIONID"] = data.thalamus_session


@schemathesis.hook
def map_case(context: schemathesis.HookContext, case: Case) -> Case:
    """Make a broken upload header count: drop its query twin, which would win.

    The upload's ``name`` and ``type`` come as a query parameter or a header, and the query
    wins whenever it is sent (docs/wire.md, "Imports"). OpenAPI cannot say so, so a
    generic tool that breaks the header while sending a valid query parameter expects a
    400 that the documented precedence rules out. Without the query twin, the broken
    header is what the mock reads, and the case tests what it meant to.
    """
    if case.operation.path != "/api/v4/import/file":
        return case
    for name, location in negated_parameters(case.meta):
        if str(getattr(location, "value", location)) == "header" and name in ("name", "type"):
            _drop(case.query, name)
    return case
