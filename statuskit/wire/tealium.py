"""Tealium Omnichannel's wire beyond the catalogue: the v1 login and its cookie, the v2
auth and its bearer token, and the files paths.

The names come from ``schemas/tealium/operations.json`` and the login schemas. One fact
is not in the catalogue's structure: the session cookie's documented attributes
(``Path=/urest_service; Secure; HttpOnly``), which match none of the API's paths, so every
user of this module sends the cookie back by hand, as a ``Cookie`` header. Nothing here
does I/O.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Literal
from urllib.parse import quote

from statuskit import catalogue
from statuskit.registry import SchemaRegistry, default_registry
from statuskit.wire import _names

__all__ = [
    "API",
    "COOKIE_ATTRIBUTES",
    "COOKIE_PATH",
    "COOKIE_SOURCE",
    "ApiVersion",
    "Login",
    "Refusal",
    "bearer_headers",
    "files_path",
    "login",
    "logout_path",
    "refusal",
    "secret_names",
    "session_cookie",
    "session_parameter",
    "v1_credentials",
]

API = "tealium"
#: What a 401's returnCode says was refused: the credentials, a locked-out user, or an
#: account the user may not read.
Refusal = Literal["credentials", "lockout", "permission"]
ApiVersion = Literal[1, 2]
#: [DOC] The v1 session cookie's path: ``Set-Cookie: JSESSIONID=...; Path=/urest_service``.
COOKIE_PATH = "/urest_service"
#: [DOC] Every attribute the v1 login's ``Set-Cookie`` carries.
COOKIE_ATTRIBUTES = (f"Path={COOKIE_PATH}", "Secure", "HttpOnly")
COOKIE_SOURCE = "FACTS.md: 'Set-Cookie: JSESSIONID=...; Path=/urest_service; Secure'"
#: The catalogue's operation that opens a session, per API version.
_SESSION_OPERATIONS = {1: "login", 2: "auth"}


def _registry(registry: SchemaRegistry | None) -> SchemaRegistry:
    return registry or default_registry()


def secret_names(*, registry: SchemaRegistry | None = None) -> tuple[str, ...]:
    """Every name a Tealium secret travels under (see :func:`statuskit.wire.secret_names`)."""
    return _names.secret_names(API, registry=registry)


@functools.cache
def _carrier(registry: SchemaRegistry, where: str) -> str:
    for carrier in _names.carriers(API, registry=registry):
        if carrier.credential == "session" and carrier.where == where and not carrier.scheme:
            return carrier.name
    raise KeyError(f"tealium sends no session in a {where}")


def session_cookie(*, registry: SchemaRegistry | None = None) -> str:
    """The v1 session cookie's name (``JSESSIONID``)."""
    return _carrier(_registry(registry), "cookie")


def session_parameter(*, registry: SchemaRegistry | None = None) -> str:
    """The v1 query parameter that carries the login's secret (``utk``)."""
    return _carrier(_registry(registry), "query")


@dataclass(frozen=True)
class Login:
    """How version ``version`` opens a session: ``POST`` a form to ``path``, read the
    secret ``secret`` from the ``schema`` body of the 200 answer."""

    version: ApiVersion
    operation: str
    path: str
    user_field: str
    secret_field: str
    schema: str
    secret: str

    def form(self, username: str, secret: str) -> dict[str, str]:
        """The form: ``{"username": ..., "password": ...}`` (v1) or ``... "key"`` (v2)."""
        return {self.user_field: username, self.secret_field: secret}


def login(version: ApiVersion, *, registry: SchemaRegistry | None = None) -> Login:
    """The v1 login (a utk and a cookie) or the v2 auth (a bearer token)."""
    return _login(_registry(registry), version)


@functools.cache
def _login(registry: SchemaRegistry, version: ApiVersion) -> Login:
    name = _SESSION_OPERATIONS[version]
    user, secret = _names.login_fields(API, name, registry=registry)
    schema, answer = _names.response_secret(API, name, registry=registry)
    path = catalogue.operation(API, name, registry=registry).path
    return Login(version, name, path, user, secret, schema, answer)


def refusal(return_code: int | None, *, registry: SchemaRegistry | None = None) -> Refusal | None:
    """What a 401 with ``return_code`` refuses, read from the catalogue's error cases: one
    that repeats its request is a lockout (1402), one that needs a setting (an account the
    user may not read) a permission (1469), one that changes credentials the credentials
    (1401); ``None`` for a code no case has."""
    return _refusals(_registry(registry)).get(return_code) if return_code is not None else None


@functools.cache
def _refusals(registry: SchemaRegistry) -> dict[int, Refusal]:
    out: dict[int, Refusal] = {}
    for op in catalogue.operations(API, registry=registry):
        for case in op.errors:
            if case.status != 401 or case.code is None:
                continue
            kind: Refusal = (
                "lockout"
                if case.request.repeat > 1
                else "permission"
                if case.requires
                else "credentials"
            )
            out.setdefault(int(case.code), kind)
    return out


def logout_path(*, registry: SchemaRegistry | None = None) -> str:
    """The v1 logout's path (v2 has no logout)."""
    return catalogue.operation(API, "logout", registry=registry).path


def v1_credentials(
    utk: str | None, cookie: str | None, *, registry: SchemaRegistry | None = None
) -> tuple[dict[str, str], dict[str, str]]:
    """The query parameters and headers of a v1 call: ``?utk=`` and the session's
    ``Cookie`` header value (``None``: not sent; ``""``: sent empty)."""
    params = {_carrier(_registry(registry), "query"): utk} if utk is not None else {}
    headers = {"Cookie": cookie} if cookie is not None else {}
    return params, headers


def bearer_headers(token: str | None) -> dict[str, str]:
    """The headers of a v2 call: ``Authorization: Bearer`` (``None``: none)."""
    return {"Authorization": f"Bearer {token}"} if token is not None else {}


@functools.cache
def _files_template(registry: SchemaRegistry, version: int) -> str:
    for template in catalogue.operation(API, "get-file-status", registry=registry).templates:
        if template.startswith(f"/v{version}/"):
            return template.rpartition("/")[0]
    raise KeyError(f"tealium has no v{version} files route")


def files_path(
    version: int,
    account: str,
    profile: str,
    *,
    tail: str = "",
    name: str = "",
    registry: SchemaRegistry | None = None,
) -> str:
    """``/v{version}/omnichannel/accounts/{account}/profiles/{profile}/files`` and either
    ``tail`` (``/count``) or ``name``, each value percent-encoded as one path segment."""
    base = _files_template(_registry(registry), version).format(
        account=quote(account, safe=""), profile=quote(profile, safe="")
    )
    return base + (f"/{quote(name, safe='')}" if name else tail)
