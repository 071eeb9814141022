"""Logging in to a running fake upstream the way a client does, for peer tools.

A generic tool reading the exported document knows that an operation wants a session cookie
or a bearer token, but not how to get one. :func:`log_in` performs each API's login once,
with the credentials of the ``STATUSKIT_*`` variables (the ones ``statuskit serve`` reads,
so tool and server agree), and :meth:`Logins.value` gives the value each security scheme
of the document takes. Every value is a :class:`~statuskit.secrets.Secret`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from statuskit.client._thalamus import env_login_path
from statuskit.credentials import TealiumCredentials, ThalamusCredentials
from statuskit.errors import StatuskitError
from statuskit.openapi._build import Catalogued
from statuskit.registry import default_registry
from statuskit.secrets import Secret
from statuskit.wire import tealium, thalamus

__all__ = ["Logins", "log_in"]


def _cookies(response: httpx.Response) -> dict[str, str]:
    """Every cookie ``response`` sets, by name, read from ``Set-Cookie`` by hand: a cookie
    jar would apply Tealium's ``Path=/urest_service; Secure``, which match none of its API's
    paths over plain HTTP (see the catalogue's ``jsessionid`` scheme)."""
    found: dict[str, str] = {}
    for header in response.headers.get_list("set-cookie"):
        name, sep, value = header.split(";", 1)[0].partition("=")
        if sep and name.strip() and value.strip():
            found[name.strip()] = value.strip()
    return found


@dataclass(frozen=True, repr=False)
class Logins:
    """Live logins to some APIs, and the credentials that go with them."""

    #: By the document's security scheme name (``<api>.<scheme>``).
    secrets: Mapping[str, Secret]
    #: By API, then by cookie name: what each API's login set.
    cookies: Mapping[str, Mapping[str, Secret]]

    def __repr__(self) -> str:
        return f"Logins(apis={sorted(self.cookies)!r})"

    def value(self, name: str, scheme: Mapping[str, Any]) -> Secret | None:
        """The value of the document's security scheme ``name`` (``<api>.<scheme>``), whose
        definition is ``scheme``; ``None`` when these logins have none for it.

        A cookie scheme takes the cookie of that name which the API's login set. The
        Thalamus login's own HTTP Basic has no value: a tool tests the login with its own.
        """
        if scheme.get("type") == "apiKey" and scheme.get("in") == "cookie":
            api = name.partition(".")[0]
            return self.cookies.get(api, {}).get(str(scheme.get("name")))
        return self.secrets.get(name)


def _checked(response: httpx.Response, what: str) -> httpx.Response:
    # One line, the status only: a login's body and headers carry credentials.
    if response.status_code != 200:
        raise StatuskitError(
            f"{what} at {response.request.url.copy_with(query=None)} answered "
            f"{response.status_code}; are STATUSKIT_* the server's credentials?"
        )
    return response


_Login = tuple[dict[str, Secret], dict[str, Secret]]


def _by_scheme(api: str, value: Callable[[Mapping[str, Any]], Secret | None]) -> dict[str, Secret]:
    """The value each of ``api``'s security schemes takes, under its document name; a
    scheme ``value`` gives none for (a cookie, the login's own Basic) is left out."""
    schemes = default_registry().catalogue(api)["securitySchemes"]
    named = Catalogued(api, {})
    found = {named.scheme(n): value(s) for n, s in schemes.items()}
    return {name: secret for name, secret in found.items() if secret is not None}


def _thalamus(client: httpx.Client, environ: Mapping[str, str] | None) -> _Login:
    creds = ThalamusCredentials.from_env(environ)
    params, headers = thalamus.placed(creds.touchpoint, creds.token.reveal())
    credentials = thalamus.login_request("basic", creds.principal, creds.password.reveal())
    consumer = _checked(
        client.post(
            # Where the reference client logs in: STATUSKIT_THALAMUS_LOGIN_PATH, which the
            # mock reads too, or the kit's default.
            env_login_path(None, environ),
            params=params,
            headers={**headers, **credentials.headers},
        ),
        "the Thalamus consumer login",
    )
    # The touchpoint and the token go in a query parameter or a header alike.
    by_credential = {"touchpoint": Secret(creds.touchpoint), "token": creds.token}

    def value(scheme: Mapping[str, Any]) -> Secret | None:
        if scheme["type"] != "apiKey" or scheme["in"] == "cookie":
            return None
        return by_credential.get(scheme.get("x-statuskit-credential", ""))

    return _by_scheme(thalamus.API, value), {k: Secret(v) for k, v in _cookies(consumer).items()}


def _tealium(client: httpx.Client, environ: Mapping[str, str] | None) -> _Login:
    creds = TealiumCredentials.from_env(environ)
    v1, v2 = tealium.login(1), tealium.login(2)
    v1_answer = _checked(
        client.post(v1.path, data=v1.form(creds.username, creds.password.reveal())),
        "the Tealium v1 login",
    )
    v2_answer = _checked(
        client.post(v2.path, data=v2.form(creds.username, creds.api_key.reveal())),
        "the Tealium v2 auth",
    )
    utk = Secret(v1_answer.json()[v1.secret])
    bearer = Secret(v2_answer.json()[v2.secret])

    def value(scheme: Mapping[str, Any]) -> Secret | None:
        # v1's utk travels under the name of the login answer's field; v2's is the bearer.
        if scheme["type"] == "http" and scheme["scheme"] == "bearer":
            return bearer
        return utk if scheme["type"] == "apiKey" and scheme["name"] == v1.secret else None

    return _by_scheme(tealium.API, value), {k: Secret(v) for k, v in _cookies(v1_answer).items()}


_LOGINS = {"thalamus": _thalamus, "tealium": _tealium}


def log_in(
    base_url: str,
    environ: Mapping[str, str] | None = None,
    *,
    apis: Iterable[str] = tuple(_LOGINS),
    timeout: float = 30,
) -> Logins:
    """Log in once to each of ``apis`` at ``base_url`` (the Thalamus consumer; Tealium v1
    and v2), with the ``STATUSKIT_*`` credentials of ``environ`` (default: the process's).
    An API without a login of its own (the admin API) is skipped."""
    secrets: dict[str, Secret] = {}
    cookies: dict[str, Mapping[str, Secret]] = {}
    try:
        with httpx.Client(base_url=base_url, timeout=timeout) as client:
            for api in sorted(set(apis) & set(_LOGINS)):
                values, cookies[api] = _LOGINS[api](client, environ)
                secrets.update(values)
    except httpx.HTTPError as exc:
        raise StatuskitError(f"cannot log in at {base_url}: {type(exc).__name__}") from None
    except (ValueError, KeyError, TypeError):
        raise StatuskitError(
            f"cannot log in at {base_url}: a login answered no credential"
        ) from None
    return Logins(secrets=secrets, cookies=cookies)
