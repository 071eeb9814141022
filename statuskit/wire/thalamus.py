"""Thalamus v4's wire beyond the catalogue: where the credentials go, and the login.

The names come from ``schemas/thalamus/operations.json`` (its ``securitySchemes``) and the
login's request schema; this module builds the parts of a request that carry them, for
the reference client, the contract suites' hand-built requests and drift alike. Nothing
here does I/O.
"""

from __future__ import annotations

import base64
import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from statuskit import catalogue
from statuskit.registry import SchemaRegistry, default_registry
from statuskit.wire import _names

__all__ = [
    "API",
    "LoginRequest",
    "LoginStyle",
    "Place",
    "basic_authorization",
    "credential_name",
    "login_fields",
    "login_path",
    "login_request",
    "logout_path",
    "placed",
    "refused_credential",
    "secret_names",
    "session_cookie",
    "session_headers",
]

API = "thalamus"
#: Where a touchpoint or a token travels: both are accepted in either place.
Place = Literal["query", "header"]
#: How the login sends the principal and password: HTTP Basic or a JSON body.
LoginStyle = Literal["basic", "json"]


def _registry(registry: SchemaRegistry | None) -> SchemaRegistry:
    return registry or default_registry()


def secret_names(*, registry: SchemaRegistry | None = None) -> tuple[str, ...]:
    """Every name a Thalamus secret travels under (see :func:`statuskit.wire.secret_names`)."""
    return _names.secret_names(API, registry=registry)


def refused_credential(
    errors: Mapping[str, Any], *, registry: SchemaRegistry | None = None
) -> str | None:
    """The credential (``touchpoint``, ``token``) a 400's ``errors`` refuse, or ``None``.

    Read from the catalogue's error cases that change one credential: their code's key
    (``partnerDataSource``, ``token``) names the credential they refuse.
    """
    keys = _refusal_keys(_registry(registry))
    return next((keys[key] for key in errors if key in keys), None)


@functools.cache
def _refusal_keys(registry: SchemaRegistry) -> dict[str, str]:
    keys: dict[str, str] = {}
    for op in catalogue.operations(API, registry=registry):
        for case in op.errors:
            if case.field and case.status == 400 and len(case.request.credentials) == 1:
                keys.setdefault(case.field, next(iter(case.request.credentials)))
    return keys


def credential_name(
    credential: str, where: _names.Where, *, registry: SchemaRegistry | None = None
) -> str:
    """The name credential ``credential`` (``touchpoint``, ``token``, ``session``) travels
    under ``where``: ``("token", "header")`` → ``Thalamus-Token``."""
    return _credential_name(_registry(registry), credential, where)


@functools.cache
def _credential_name(registry: SchemaRegistry, credential: str, where: str) -> str:
    for carrier in _names.carriers(API, registry=registry):
        if carrier.credential == credential and carrier.where == where and not carrier.scheme:
            return carrier.name
    raise KeyError(f"thalamus sends no {credential} in a {where}")


def session_cookie(*, registry: SchemaRegistry | None = None) -> str:
    """The session cookie's name (``JSESSIONID``, a kit decision)."""
    return credential_name("session", "cookie", registry=registry)


def login_fields(*, registry: SchemaRegistry | None = None) -> tuple[str, str]:
    """The login body's fields: ``("principal", "password")``."""
    return _names.login_fields(API, "login", registry=registry)


def login_path(*, registry: SchemaRegistry | None = None) -> str:
    """The login's default path (a kit decision, configurable)."""
    return catalogue.login_path(registry=registry)


def logout_path(*, registry: SchemaRegistry | None = None) -> str:
    """The logout's path."""
    return catalogue.operation(API, "logout", registry=registry).path


@functools.cache
def _activity(registry: SchemaRegistry) -> str:
    return str(registry.catalogue(API)["parameters"]["activityQuery"]["name"])


def placed(
    touchpoint: str | None,
    token: str | None,
    *,
    touchpoint_in: Place = "query",
    token_in: Place = "header",
    activity: str | None = None,
    registry: SchemaRegistry | None = None,
) -> tuple[dict[str, str], dict[str, str]]:
    """The query parameters and headers that carry a touchpoint, a token and an activity
    (``None``: not sent) where they are asked to go."""
    reg = _registry(registry)
    params: dict[str, str] = {}
    headers: dict[str, str] = {}
    for credential, value, place in (
        ("touchpoint", touchpoint, touchpoint_in),
        ("token", token, token_in),
    ):
        if value is not None:
            target = params if place == "query" else headers
            target[_credential_name(reg, credential, place)] = value
    if activity:
        params[_activity(reg)] = activity
    return params, headers


def session_headers(cookie: str | None) -> dict[str, str]:
    """The headers that send a session back: its ``Cookie`` header value (``None``: none)."""
    return {"Cookie": cookie} if cookie is not None else {}


@dataclass(frozen=True)
class LoginRequest:
    """The credential part of a login: headers (HTTP Basic) or a JSON body."""

    headers: Mapping[str, str] = field(default_factory=dict)
    json: Any = None


def basic_authorization(principal: str, password: str) -> dict[str, str]:
    """The ``Authorization`` header of HTTP Basic."""
    pair = base64.b64encode(f"{principal}:{password}".encode()).decode()
    return {"Authorization": f"Basic {pair}"}


def login_request(
    style: LoginStyle,
    principal: str,
    password: str | None,
    *,
    registry: SchemaRegistry | None = None,
) -> LoginRequest:
    """The login's credentials as HTTP Basic (a missing password sent empty) or as the JSON
    body (a missing password left out: passwordless touchpoints)."""
    if style == "basic":
        return LoginRequest(headers=basic_authorization(principal, password or ""))
    user, secret = login_fields(registry=registry)
    body = {user: principal}
    if password is not None:
        body[secret] = password
    return LoginRequest(json=body)
